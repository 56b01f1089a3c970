#!/usr/bin/env bash
# test_bench_script.sh — benchmarks/vs_pytorch.py without PyTorch: its table
# written from saved results (--from-json on a canned file: the seven
# networks at half PyTorch's time, alexnet at four times, which the mean
# leaves out; training at 1.5 times PyTorch's images per second), into
# RESULTS.md and between the README's markers (the rest of the README kept,
# the same twice over); refusals (markers missing, results broken) change
# nothing; and with PyTorch missing it says how to install it and stops
# before measuring anything. Measures nothing (the binary is not run).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
SCRIPT=$ROOT/benchmarks/vs_pytorch.py
FIX=$HERE/fixtures/bench_results.json
PY=$(command -v python3) || { echo "bench_script: SKIP: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# A README with the markers and text around them.
printf '# title\n\nbefore\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\nafter\n' >"$tmp/README.md"
"$PY" "$SCRIPT" --from-json "$FIX" --out "$tmp/R.md" --readme "$tmp/README.md" >"$tmp/out" 2>&1 ||
  fail "--from-json: $(cat "$tmp/out")"
R=$tmp/R.md
[ -f "$R" ] || fail "no RESULTS file"
for m in resnet18 resnet50 vgg16 densenet121 mobilenet_v2 squeezenet1_1 googlenet; do
  grep -q "^| $m | [0-9,]* | [0-9.]* | [0-9.]* | 0\.50 |$" "$R" || fail "no row for $m"
done
grep -q '^| alexnet (not in the mean) | .* | 4\.00 |$' "$R" || fail "no row for alexnet"
# 0.50: the seven only (with alexnet it would be 0.59)
grep -q '^| \*\*geometric mean\*\* (the seven) | | | | \*\*0\.50\*\* |$' "$R" || fail "geometric mean: $(grep -i geometric "$R")"
grep -q '^| LeNet-5, Fashion-MNIST | 7,500 | 5,000 | 1\.50 |$' "$R" || fail "training row"
grep -q 'Measured 2026-01-02 03:04 UTC on canned test input, not a measurement (2 cores seen), 2 threads, OPENBLAS_CORETYPE=Haswell, PyTorch 1\.13\.1' "$R" ||
  fail "the date and machine line: $(grep Measured "$R")"
[ "$(grep -c '^|---' "$R")" = 2 ] || fail "not two tables"
# the README: the table between the markers, the rest as it was
! grep -q 'old table' "$tmp/README.md" || fail "the README's old table is still there"
grep -q '^| \*\*geometric mean\*\*' "$tmp/README.md" || fail "no table in the README"
head -n 4 "$tmp/README.md" | cmp -s - <(printf '# title\n\nbefore\n<!-- bench:begin -->\n') || fail "the README's head changed"
tail -n 2 "$tmp/README.md" | cmp -s - <(printf '<!-- bench:end -->\nafter\n') || fail "the README's tail changed"
cp "$tmp/README.md" "$tmp/README.once"
"$PY" "$SCRIPT" --from-json "$FIX" --out "$tmp/R.md" --readme "$tmp/README.md" >/dev/null 2>&1
cmp -s "$tmp/README.md" "$tmp/README.once" || fail "a second run changed the README"
ls "$tmp" | grep -q '\.tmp' && fail "a temporary file was left: $(ls "$tmp")"

# No markers: refused, the README unchanged.
printf '# no markers\n' >"$tmp/plain.md"
if "$PY" "$SCRIPT" --from-json "$FIX" --out "$tmp/R2.md" --readme "$tmp/plain.md" >"$tmp/out" 2>&1; then
  fail "a README without markers was accepted"
fi
grep -q 'bench:begin' "$tmp/out" || fail "no word on the markers: $(cat "$tmp/out")"
[ "$(cat "$tmp/plain.md")" = "# no markers" ] || fail "the README without markers changed"

# Broken results: refused in one line, no traceback, nothing written.
"$PY" - "$FIX" "$tmp/bad.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["forward"][2]["pytorch_ms"] = 0
json.dump(r, open(sys.argv[2], "w"))
PY
printf '{"forward": 3' >"$tmp/cut.json"
for bad in bad cut; do
  rm -f "$tmp/R3.md"
  if "$PY" "$SCRIPT" --from-json "$tmp/$bad.json" --out "$tmp/R3.md" >"$tmp/out" 2>&1; then
    fail "$bad.json accepted"
  fi
  ! grep -q Traceback "$tmp/out" || fail "$bad.json: a traceback: $(cat "$tmp/out")"
  [ ! -e "$tmp/R3.md" ] || fail "$bad.json: a table was written"
done

# PyTorch missing (hidden here even where it is installed): how to install
# it, exit 2, nothing measured or written.
"$PY" - "$SCRIPT" "$tmp/R4.md" >"$tmp/out" 2>&1 <<'PY'
import runpy, sys
sys.modules["torch"] = None  # import torch fails as when it is not installed
sys.argv = [sys.argv[1], "--quick", "--bin", "/nonexistent/convscope", "--out", sys.argv[2]]
runpy.run_path(sys.argv[0], run_name="__main__")
PY
rc=$?
[ $rc = 2 ] || fail "without PyTorch: exit $rc, not 2: $(cat "$tmp/out")"
grep -q 'apt-get install python3-torch' "$tmp/out" || fail "without PyTorch: no word on installing it: $(cat "$tmp/out")"
! grep -q Traceback "$tmp/out" || fail "without PyTorch: a traceback"
[ ! -e "$tmp/R4.md" ] || fail "without PyTorch: a table was written"

[ $fails = 0 ] && echo "bench_script: OK" || echo "bench_script: $fails failure(s)" >&2
[ $fails = 0 ]
