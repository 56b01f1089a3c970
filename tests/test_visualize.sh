#!/usr/bin/env bash
# test_visualize.sh — feature visualization by optimization (`convscope
# visualize`): on the shipped Fashion-MNIST LeNet-5, the input that gradient
# ascent finds for each class score is predicted as that class with
# probability >= 0.9 by `predict --input` on the written array; the same seed
# gives the same array byte for byte, another seed another; a unit and a
# channel of a hidden layer; the errors of bad options.
set -uo pipefail
BIN=${1:?usage: test_visualize.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect
PY=/usr/bin/python3
V=(visualize lenet5 --data fashion)

# ---- every class's visualisation is that class for predict -------------------------------
for k in 0 1 2 3 4 5 6 7 8 9; do
  expect 0 "$BIN" "${V[@]}" --layer output --channel "$k" --npy "$tmp/v$k.npy" --json
  grep -q '"prob"' "$tmp/out" || fail "class $k: no prob in the JSON: $(cat "$tmp/out")"
  grep -q "step 200/200" "$tmp/err" || fail "class $k: no progress on stderr"
  expect 0 "$BIN" predict lenet5 --data fashion --input "$tmp/v$k.npy" --top 1 --json
  "$PY" - "$tmp/out" "$k" <<'PY' || fail "class $k: predict on its visualisation: $(cat "$tmp/out")"
import json, sys
top = json.load(open(sys.argv[1]))["top"][0]
k = int(sys.argv[2])
if top["class"] != k or not top["prob"] >= 0.9:
    sys.exit("class %d with p %g, class %d wanted at >= 0.9" % (top["class"], top["prob"], k))
PY
done
# the array is (1, 32, 32), as the network takes it
"$PY" - "$tmp/v3.npy" <<'PY' || fail "the --npy array's header"
import ast, struct, sys
b = open(sys.argv[1], "rb").read()
h = ast.literal_eval(b[10:10 + struct.unpack("<H", b[8:10])[0]].decode())
assert h["descr"] == "<f4" and tuple(h["shape"]) == (1, 32, 32), h
vals = struct.unpack("<1024f", b[-4096:])
assert min(vals) >= 0.0 and max(vals) <= 1.0 and max(vals) > 0.1, (min(vals), max(vals))
PY

# ---- seeded: the same seed, the same bytes; another seed, another picture --------------------
expect 0 "$BIN" "${V[@]}" --layer output --channel 3 --npy "$tmp/again.npy"
cmp -s "$tmp/v3.npy" "$tmp/again.npy" || fail "the same seed gave another array"
expect 0 "$BIN" "${V[@]}" --layer output --channel 3 --seed 7 --npy "$tmp/seed7.npy"
cmp -s "$tmp/v3.npy" "$tmp/seed7.npy" && fail "seeds 1 and 7 gave the same array"

# ---- a hidden channel and one of its units: the objective rises ------------------------------
for u in "" "--unit 4,4"; do
  # shellcheck disable=SC2086
  expect 0 "$BIN" "${V[@]}" --layer c3 --channel 5 $u --steps 60 --json
  "$PY" - "$tmp/out" <<'PY' || fail "c3 channel 5 $u: $(cat "$tmp/out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["layer"] == "c3" and r["steps"] == 60 and "prob" not in r, r
assert r["objective"] > r["start"] + 0.2, r
PY
done
if [ -z "${CONVSCOPE_SANITIZED:-}" ] && "$BIN" render --help >/dev/null 2>&1; then
  expect 0 "$BIN" "${V[@]}" --layer c1 --channel 2 --steps 40 --out "$tmp/v.png"
  [ "$(head -c 8 "$tmp/v.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "--out is no PNG"
fi

# ---- bad options: one line, exit 2 ----------------------------------------------------------
expect 2 "$BIN" "${V[@]}" --layer nope --channel 0
grep -q "no layer 'nope'" "$tmp/err" || fail "bad layer: $(cat "$tmp/err")"
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 16
grep -q "16 channels" "$tmp/err" || fail "channel out of range: $(cat "$tmp/err")"
expect 2 "$BIN" "${V[@]}" --layer output --channel 10
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --unit 10,0
grep -q "outside" "$tmp/err" || fail "unit outside: $(cat "$tmp/err")"
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --unit 4
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --unit max
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --unit -1,2
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --steps 0
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --steps 100001
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --steps 99999999999999999999
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --seed -3
expect 2 "$BIN" "${V[@]}" --layer input --channel 0
expect 2 "$BIN" "${V[@]}" --layer c3
expect 2 "$BIN" "${V[@]}" --channel 0
expect 2 "$BIN" "${V[@]}" --layer c3 --channel 0 --class 2
expect 1 "$BIN" "${V[@]}" --layer c3 --channel 0 --steps 2 --npy "$tmp/no/such/dir/x.npy"

if [ "$fails" -gt 0 ]; then
  echo "test_visualize: $fails failures"
  exit 1
fi
echo "test_visualize: ok"
