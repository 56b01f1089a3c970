#!/usr/bin/env bash
# test_experiment.sh — `convscope experiment`: the list, usage errors (exit 2,
# one line), the --tiny variants of the experiments (output shape, CSV and
# PNG files, the same numbers to the bit when run again at the same thread
# count), and the shipped results in assets/experiments/ read and validated.
# CONVSCOPE_EXP_QUICK=1 also reruns `degradation --quick` (about two minutes)
# and compares it with the shipped quick JSON byte for byte, timing aside.
set -uo pipefail
BIN=${1:?usage: test_experiment.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHIP="$ROOT/assets/experiments"
NAMES="degradation relu_tanh layers invariance vgg dropout"

# the list: every experiment, occlusion with its own command
expect 0 "$BIN" experiment list
for n in $NAMES occlusion; do grep -q "^$n " "$tmp/out" || fail "experiment list lacks $n"; done
grep -q "convscope occlude" "$tmp/out" || fail "experiment list does not say how occlusion runs"
expect 0 "$BIN" experiment list --json
[ "$(jq -r '[.[].name] | join(" ")' "$tmp/out")" = "$NAMES occlusion" ] || fail "experiment list --json: $(cat "$tmp/out")"

# usage errors: exit 2 and one clear line
expect 2 "$BIN" experiment
expect 2 "$BIN" experiment frobnicate
grep -q "expected 'list' or 'run NAME'" "$tmp/err" || fail "bad subcommand: $(cat "$tmp/err")"
expect 2 "$BIN" experiment run
expect 2 "$BIN" experiment run nosuch --tiny
grep -q "unknown experiment 'nosuch'" "$tmp/err" || fail "bad name: $(cat "$tmp/err")"
expect 2 "$BIN" experiment run occlusion
grep -q "convscope occlude" "$tmp/err" || fail "occlusion: $(cat "$tmp/err")"
expect 2 "$BIN" experiment run degradation --bogus
expect 2 "$BIN" experiment run degradation --threads 0
expect 2 "$BIN" experiment run degradation --seed -3
expect 2 "$BIN" experiment list degradation
expect 0 "$BIN" experiment --help
grep -q -- "--quick" "$tmp/out" || fail "experiment --help does not list --quick"

# shape NAME FILE: the keys of the issue, the series, every number a number
shape() {
  jq -e --arg n "$1" '.experiment == $n and (.x_label | type == "string") and (.y_label | type == "string")
    and (.series | length > 0)
    and all(.series[]; (.name | type == "string") and (.x | length > 0) and (.x | length) == (.y | length)
            and all(.x[], .y[]; type == "number"))' "$2" >/dev/null || fail "$1: bad shape in $2"
}
# names NAME FILE LIST: the series named in LIST are there
names() {
  for s in $3; do
    jq -e --arg s "$s" 'any(.series[]; .name == $s)' "$2" >/dev/null || fail "$1: no series '$s' in $2"
  done
}
pct() { # percent curves in 0..100
  jq -e "all(.series[] | select($2); all(.y[]; . >= 0 and . <= 100))" "$1" >/dev/null || fail "$1: a percentage out of 0..100"
}

# the tiny variants, twice each for the reproducible ones (threads fixed)
twice="degradation invariance"
[ -n "${CONVSCOPE_SANITIZED:-}" ] && twice="" # ~10x slower: degradation once; the Release pass does the rest
for n in $NAMES; do
  [ -n "${CONVSCOPE_SANITIZED:-}" ] && [ "$n" != degradation ] && continue
  expect 0 "$BIN" experiment run "$n" --tiny --json --threads 2 --out "$tmp/a"
  cp "$tmp/out" "$tmp/$n.a.json"
  shape "$n" "$tmp/$n.a.json"
  [ -s "$tmp/a/$n.png" ] || [ "$(grep -c 'no plot' "$tmp/err")" = 1 ] || fail "$n: no plot $tmp/a/$n.png"
  csvs=$(find "$tmp/a" -name "$n.*.csv" | wc -l)
  [ "$csvs" = "$(jq '.series | length' "$tmp/$n.a.json")" ] || fail "$n: $csvs CSV files for $(jq '.series | length' "$tmp/$n.a.json") series"
  case " $twice " in
  *" $n "*)
    expect 0 "$BIN" experiment run "$n" --tiny --json --threads 2 --out "$tmp/b"
    if ! diff <(jq -S 'del(.timing)' "$tmp/$n.a.json") <(jq -S 'del(.timing)' "$tmp/out") >/dev/null; then
      fail "$n --tiny: two runs at 2 threads differ"
      diff <(jq -S 'del(.timing)' "$tmp/$n.a.json") <(jq -S 'del(.timing)' "$tmp/out") | head -5 >&2
    fi ;;
  esac
done
names degradation "$tmp/degradation.a.json" "plain20 plain56 resnet20 resnet56"
pct "$tmp/degradation.a.json" 'true'
[ "$(jq -r .y_label "$tmp/degradation.a.json")" = "error (%)" ] || fail "degradation: y_label"
if [ -f "$tmp/invariance.a.json" ]; then
  jq -e 'all(.series[] | select(.name | test("P\\(true\\)")); all(.y[]; . >= 0 and . <= 1))' "$tmp/invariance.a.json" >/dev/null ||
    fail "invariance: a probability out of 0..1"
fi

# the shipped results: each experiment's quick JSON, PNG and note, valid
for n in $NAMES; do
  j="$SHIP/$n.quick.json"
  [ -f "$j" ] || { fail "no shipped $j"; continue; }
  shape "$n" "$j"
  [ -s "$SHIP/$n.quick.png" ] || fail "no shipped $SHIP/$n.quick.png"
  grep -q "convscope experiment run $n --quick" "$SHIP/$n.quick.txt" 2>/dev/null || fail "$SHIP/$n.quick.txt lacks the command"
  jq -e '.command | test("--quick") and test("--seed [0-9]+") and test("--threads [0-9]+")' "$j" >/dev/null || fail "$j: no command"
done
names degradation "$SHIP/degradation.quick.json" "plain20 plain56 resnet20 resnet56"
pct "$SHIP/degradation.quick.json" 'true'
names relu_tanh "$SHIP/relu_tanh.quick.json" "relu tanh"
jq -e '.extras.threshold_percent > 0 and (.extras | has("epochs_to_threshold_relu"))' "$SHIP/relu_tanh.quick.json" >/dev/null ||
  fail "relu_tanh: no threshold"
jq -e '[.series[].name] | any(. == "two 3x3") and any(. == "one 5x5")' "$SHIP/vgg.quick.json" >/dev/null || fail "vgg: series"

# the acceptance check, two minutes long: the shipped quick degradation again
if [ -n "${CONVSCOPE_EXP_QUICK:-}" ]; then
  cmd=$(jq -r .command "$SHIP/degradation.quick.json")
  expect 0 $cmd --json --out "$tmp/q"
  diff <(jq -S 'del(.timing)' "$SHIP/degradation.quick.json") <(jq -S 'del(.timing)' "$tmp/out") >/dev/null ||
    fail "'$cmd' does not reproduce $SHIP/degradation.quick.json"
fi

[ "$fails" = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "test_experiment: all passed"
