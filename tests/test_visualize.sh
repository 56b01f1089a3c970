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

# ---- the window's visualisation (V; render --view visualize draws the same) ------------------
# The probe the window runs on the worker gives, with the same steps and seed,
# the very array visualize writes: for a channel, one of its units and a
# class; the array is not flat; the picture drawn is that array (another seed
# changes a square of the picture, not only its caption).
R=(render lenet5 --data fashion --view visualize --size 1280x800)
for what in "--layer c3 --channel 5" "--layer c3 --channel 5 --unit 4,3" "--layer output --channel 7"; do
  # shellcheck disable=SC2086
  expect 0 "$BIN" "${R[@]}" $what --steps 60 --seed 11 --npy "$tmp/win.npy" --out "$tmp/win.png"
  # shellcheck disable=SC2086
  expect 0 "$BIN" "${V[@]}" $what --steps 60 --seed 11 --npy "$tmp/cli.npy"
  cmp -s "$tmp/win.npy" "$tmp/cli.npy" || fail "render --view visualize $what: not the array visualize writes"
  "$PY" - "$tmp/win.npy" <<'PY' || fail "render --view visualize $what: a flat picture"
import struct, sys
b = open(sys.argv[1], "rb").read()
v = struct.unpack("<1024f", b[-4096:])
m = sum(v) / len(v)
sd = (sum((x - m) ** 2 for x in v) / len(v)) ** 0.5
assert sd > 0.05 and max(v) - min(v) > 0.3, (sd, min(v), max(v))
PY
done
expect 0 "$BIN" "${R[@]}" --layer c3 --channel 5 --steps 60 --seed 12 --out "$tmp/win12.png"
"$PY" - "$tmp/win.png" "$tmp/win12.png" <<'PY' || fail "render --view visualize: the picture does not follow the seed"
import struct, sys, zlib
def rows(path):  # 8-bit RGB or RGBA, not interlaced
    d = open(path, "rb").read()
    pos, idat, w, h, bpp = 8, b"", 0, 0, 0
    while pos < len(d):
        n, kind = struct.unpack(">I4s", d[pos:pos + 8])
        body = d[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, out, prev, stride = zlib.decompress(idat), [], bytearray(w * bpp), w * bpp
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return w, bpp, out
w, bpp, a = rows(sys.argv[1])
_, _, b = rows(sys.argv[2])
# the rows where the two pictures differ over more than 100 pixels: the square of the visualisation
wide = [y for y in range(len(a)) if sum(a[y][x * bpp:x * bpp + 3] != b[y][x * bpp:x * bpp + 3] for x in range(w)) > 100]
assert len(wide) > 100, "%d rows differ over 100 pixels" % len(wide)
PY
# the visualisation's flags belong to its view; the view needs its channel
expect 2 "$BIN" render lenet5 --view top9 --layer c3 --channel 2 --steps 5 --out "$tmp/x.png"
grep -q "view visualize" "$tmp/err" || fail "render --view top9 --steps: $(cat "$tmp/err")"
expect 2 "$BIN" render lenet5 --view featuremaps --npy "$tmp/x.npy" --out "$tmp/x.png"
expect 2 "$BIN" render lenet5 --view visualize --layer c3 --out "$tmp/x.png"
expect 1 "$BIN" render lenet5 --view visualize --layer input --channel 0 --out "$tmp/x.png"

if [ "$fails" -gt 0 ]; then
  echo "test_visualize: $fails failures"
  exit 1
fi
echo "test_visualize: ok"
