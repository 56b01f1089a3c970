#!/usr/bin/env bash
# test_inspect.sh — asking a trained classifier what it sees: `predict` and
# `gradcam` against PyTorch on a small CNN it trained on Fashion-MNIST
# (tests/fixtures/inspect, made by make_inspect_fixture.py), the shipped
# LeNet-5 on Fashion-MNIST test images, the preprocessing flags, and the
# error paths.
set -uo pipefail
BIN=${1:?usage: test_inspect.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FX=$ROOT/tests/fixtures/inspect
M=$FX/fashion_cnn.onnx
PY=/usr/bin/python3

# npy_close GOT REF TOL: two float32 arrays of one shape, max |got - ref| / max |ref| below TOL
# (the standard library only: NumPy is not needed)
npy_close() {
  "$PY" - "$@" <<'PY'
import ast, struct, sys
def load(p):
    b = open(p, "rb").read()
    assert b[:6] == b"\x93NUMPY", p
    hl = struct.unpack("<H", b[8:10])[0] if b[6] == 1 else struct.unpack("<I", b[8:12])[0]
    off = 10 if b[6] == 1 else 12
    h = ast.literal_eval(b[off:off + hl].decode())
    assert h["descr"] == "<f4" and not h["fortran_order"], (p, h)
    n = 1
    for d in h["shape"]: n *= d
    return tuple(h["shape"]), struct.unpack("<%df" % n, b[off + hl:off + hl + 4 * n])
(sa, a), (sb, b) = load(sys.argv[1]), load(sys.argv[2])
if sa != sb: sys.exit("shape %s, PyTorch's %s" % (sa, sb))
top = max(abs(v) for v in b)
err = max(abs(x - y) for x, y in zip(a, b)) / top
if not top > 0 or not err < float(sys.argv[3]): sys.exit("relative error %g (PyTorch's max %g)" % (err, top))
print("relative error %.3g" % err)
PY
}

# ---- Grad-CAM equals PyTorch's (autograd through the same ONNX model) ----------------------
n=0
for ref in "$FX"/gradcam_*.npy; do
  IFS=_ read -r _ i layer cls <<<"$(basename "$ref" .npy)"
  expect 0 "$BIN" gradcam "$M" --input "$FX/input_$i.npy" --layer "$layer" --class "$cls" --npy "$tmp/cam.npy"
  msg=$(npy_close "$tmp/cam.npy" "$ref" 1e-3 2>&1) || fail "gradcam image $i $layer class $cls: $msg"
  n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "only $n Grad-CAM references in $FX"
# the map changes with the class asked for (the reference of another class is not matched)
expect 0 "$BIN" gradcam "$M" --input "$FX/input_0.npy" --layer relu2 --class 3 --npy "$tmp/cam3.npy"
npy_close "$tmp/cam3.npy" "$FX/gradcam_0_relu2_7.npy" 1e-3 >/dev/null 2>&1 &&
  fail "Grad-CAM of class 3 equals class 7's"

# ---- predict: PyTorch's softmax, in its order ----------------------------------------------
# top_same OUT REF: the same classes in the same order, probabilities within 1e-5
top_same() {
  "$PY" - "$@" <<'PY'
import json, sys
got, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
g, r = got["top"], ref["top"]
if [t["class"] for t in g] != [t["class"] for t in r]: sys.exit("classes %s, PyTorch's %s" % ([t["class"] for t in g], [t["class"] for t in r]))
d = max(abs(a["prob"] - b["prob"]) for a, b in zip(g, r))
if not d < 1e-5: sys.exit("probabilities differ by %g" % d)
if set(got) != {"model", "top"} or any(set(t) != {"class", "label", "prob"} for t in g): sys.exit("keys: %s" % got)
PY
}
for i in 0 1 2; do
  expect 0 "$BIN" predict "$M" --input "$FX/input_$i.npy" --json
  cp "$tmp/out" "$tmp/p$i.json"
  msg=$(top_same "$tmp/p$i.json" "$FX/top_$i.json" 2>&1) || fail "predict image $i: $msg"
done
jq -e '.model == "fashion_cnn.onnx" and .top[0].label == null' "$tmp/p0.json" >/dev/null ||
  fail "predict of an imported 10-class model without --data: $(cat "$tmp/p0.json")"
# --data names the classes; --top picks how many
expect 0 "$BIN" predict "$M" --input "$FX/input_1.npy" --json --data fashion --top 3
jq -e '(.top | length) == 3 and .top[0].label == "Pullover"' "$tmp/out" >/dev/null ||
  fail "predict --data fashion --top 3: $(cat "$tmp/out")"

# the same image as a BMP file, prepared by the model's preset (grey, pixels / 255): the same answer;
# with --mean and --std, the same as the array normalised by hand
"$PY" - "$FX/input_1.npy" "$tmp/img1.bmp" "$tmp/norm1.npy" <<'PY'
import ast, struct, sys
b = open(sys.argv[1], "rb").read(); hl = struct.unpack("<H", b[8:10])[0]
x = struct.unpack("<784f", b[10 + hl:10 + hl + 3136])
px = [round(v * 255) for v in x]
rows = b"".join(bytes(sum(([p, p, p] for p in px[y * 28:(y + 1) * 28]), [])) for y in reversed(range(28)))
hdr = b"BM" + struct.pack("<IHHI", 54 + len(rows), 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 28, 28, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
open(sys.argv[2], "wb").write(hdr + rows)
norm = [(p / 255 - 0.25) / 0.5 for p in px]
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 28, 28), }"
h += " " * (117 - len(h)) + "\n"
open(sys.argv[3], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + struct.pack("<784f", *norm))
PY
expect 0 "$BIN" predict "$M" --image "$tmp/img1.bmp" --json
msg=$(top_same "$tmp/out" "$FX/top_1.json" 2>&1) || fail "predict --image (BMP of input 1): $msg"
expect 0 "$BIN" predict "$M" --image "$tmp/img1.bmp" --mean 0.25 --std 0.5 --json
cp "$tmp/out" "$tmp/flags.json"
expect 0 "$BIN" predict "$M" --input "$tmp/norm1.npy" --json
msg=$(top_same "$tmp/flags.json" "$tmp/out" 2>&1) || fail "predict --mean 0.25 --std 0.5: $msg"
cmp -s "$tmp/flags.json" "$tmp/p1.json" && fail "--mean and --std changed nothing"

# --channel-order on the 1000-class fixture (ImageNet's names): a reddish image is toilet
# tissue under torchvision's RGB (channel 0 is red) and a goldfish in BGR (channel 2 is red)
IMN=$ROOT/tests/fixtures/imagenet/bvlc_tiny.onnx
"$PY" - "$tmp/red.bmp" <<'PY'
import struct, sys
rows = bytes([50, 100, 200] * 32 * 32)
hdr = b"BM" + struct.pack("<IHHI", 54 + len(rows), 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 32, 32, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
open(sys.argv[1], "wb").write(hdr + rows)
PY
expect 0 "$BIN" predict "$IMN" --image "$tmp/red.bmp" --preprocess torchvision --json --top 1
jq -e '.top[0].class == 999 and .top[0].label == "toilet tissue"' "$tmp/out" >/dev/null ||
  fail "predict bvlc_tiny torchvision: $(cat "$tmp/out")"
expect 0 "$BIN" predict "$IMN" --image "$tmp/red.bmp" --preprocess torchvision --channel-order bgr --json --top 1
jq -e '.top[0].class == 1 and .top[0].label == "goldfish"' "$tmp/out" >/dev/null ||
  fail "predict bvlc_tiny --channel-order bgr: $(cat "$tmp/out")"

# ---- the shipped LeNet-5 weights for Fashion-MNIST name its test images ---------------------
if [ -d /usr/share/datasets/fashion-mnist ]; then
  # test images 0, 1, 2 and 3 are an ankle boot, a pullover and two trousers
  for pair in "0:9:Ankle boot" "1:2:Pullover" "2:1:Trouser" "3:1:Trouser"; do
    IFS=: read -r idx cls name <<<"$pair"
    expect 0 "$BIN" predict lenet5 --data fashion --image-index "$idx" --json
    jq -e --argjson c "$cls" --arg n "$name" '.model == "lenet5" and .top[0].class == $c and
      .top[0].label == $n and .top[0].prob > 0.5 and (.top | length) == 5' "$tmp/out" >/dev/null ||
      fail "predict lenet5 fashion #$idx: $(cat "$tmp/out")"
  done
  expect 0 "$BIN" predict lenet5 --data fashion --image-index 0
  grep -q "^LeNet-5 on fashion test image #0 (label: Ankle boot)$" "$tmp/out" || fail "predict text: $(cat "$tmp/out")"
  # Grad-CAM of a LeNet-5 layer, with the PNG and the guided product
  expect 0 "$BIN" gradcam lenet5 --data fashion --image-index 0 --layer c3 --class 9 --guided --json \
    --out "$tmp/cam.png" --npy "$tmp/lenet_cam.npy"
  jq -e '.layer == "c3" and .class == 9 and .label == "Ankle boot" and .grid == [10, 10] and .max > 0' \
    "$tmp/out" >/dev/null || fail "gradcam lenet5 --json: $(cat "$tmp/out")"
  [ "$(head -c 8 "$tmp/cam.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "gradcam --out wrote no PNG"
else
  echo "SKIP: no Fashion-MNIST (apt-get install dataset-fashion-mnist): the shipped LeNet-5 is not checked"
fi

# ---- errors: a usage error is exit 2 and one line --------------------------------------------
A=(--input "$FX/input_0.npy")
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer nosuch --class 1 --npy "$tmp/x.npy"
grep -q "has no layer 'nosuch'" "$tmp/err" || fail "gradcam bad layer: $(cat "$tmp/err")"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer relu2 --class 10 --npy "$tmp/x.npy"
grep -qF "convscope gradcam: --class 10 is past the 10 classes of fashion_cnn.onnx (0..9)" "$tmp/err" ||
  fail "gradcam class out of range: $(cat "$tmp/err")"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer prob --class 1 --npy "$tmp/x.npy"
grep -q "after the class scores" "$tmp/err" || fail "gradcam on the softmax: $(cat "$tmp/err")"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer input --class 1 --npy "$tmp/x.npy"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer relu2 --class -1 --npy "$tmp/x.npy"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --class 1 --npy "$tmp/x.npy"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer relu2 --npy "$tmp/x.npy"
expect 2 "$BIN" gradcam "$M" "${A[@]}" --layer relu2 --class 1
expect 2 "$BIN" gradcam "$M" --layer relu2 --class 1 --npy "$tmp/x.npy"
grep -q "which input?" "$tmp/err" || fail "gradcam without an input: $(cat "$tmp/err")"
[ -e "$tmp/x.npy" ] && fail "a refused gradcam wrote its --npy"
expect 2 "$BIN" predict "$M"
grep -q "which input?" "$tmp/err" || fail "predict without an input: $(cat "$tmp/err")"
expect 2 "$BIN" predict "$M" "${A[@]}" --image "$tmp/img1.bmp"
expect 2 "$BIN" predict "$M" "${A[@]}" --top 0
expect 2 "$BIN" predict "$M" --image-index 0
grep -q "no test set is known" "$tmp/err" || fail "predict --image-index of an imported model: $(cat "$tmp/err")"
expect 2 "$BIN" predict lenet5 --data fashion --image-index 10000
for bad in "" "1,2" "1,2,3,4" "x" "1,,2" "nan" "1e9"; do
  expect 2 "$BIN" predict "$M" "${A[@]}" --mean "$bad"
done
for bad in "0" "-1" "1,0,1"; do
  expect 2 "$BIN" predict "$M" "${A[@]}" --std "$bad"
done
expect 2 "$BIN" predict "$M" "${A[@]}" --channel-order gbr
expect 2 "$BIN" predict nosuchmodel "${A[@]}"
# a failure while running: exit 1, the reason on stderr
expect 1 "$BIN" predict "$M" --image "$tmp/missing.png"
grep -q "missing.png" "$tmp/err" || fail "predict of a missing image: $(cat "$tmp/err")"
expect 1 "$BIN" predict "$M" --input "$tmp/missing.npy"
expect 1 "$BIN" predict lenet5 --weights "$tmp/missing.safetensors" --data fashion --image-index 0
for c in predict gradcam; do
  expect 0 "$BIN" "$c" --help
  grep -q "^usage: convscope $c MODEL" "$tmp/out" || fail "$c --help"
done

if [ "$fails" -gt 0 ]; then
  echo "inspect: $fails failures"
  exit 1
fi
echo "inspect: predict and gradcam agree with PyTorch"
