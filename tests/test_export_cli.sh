#!/usr/bin/env bash
# test_export_cli.sh — `convscope export` on the real binary: trained models
# written as ONNX and read back give the same accuracy and loss on the same
# test images as the built-in models; the files pass the ONNX checker and
# ONNX shape inference agrees with the engine's shapes (when Debian's
# python3-onnx is there); errors give the documented exit codes and leave no
# file behind. tests/test_export.c compares every activation of the zoo.
set -uo pipefail
BIN=${1:?usage: test_export_cli.sh path/to/convscope}
PY=/usr/bin/python3 # Debian's, with python3-onnx (another python3 on PATH may lack it)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect
# err_has TEXT: the last command's stderr says it
err_has() { grep -qF -- "$1" "$tmp/err" || { fail "stderr lacks '$1':"; cat "$tmp/err" >&2; }; }

# ---- a small Fashion-MNIST folder: the first 500 test images (and 10 for training) ----
FASHION=/usr/share/datasets/fashion-mnist
sub="$tmp/fashion500"
mkdir -p "$sub"
# idx_cut SPLIT N COUNT: the first N images and labels of a split; COUNT is N as the
# IDX header's big-endian u32, octal-escaped for printf
idx_cut() {
  local split=$1 n=$2 count=$3
  { printf '\000\000\010\003'; printf "$count"; printf '\000\000\000\034\000\000\000\034'
    zcat "$FASHION/$split-images-idx3-ubyte.gz" | tail -c +17 | head -c $((n * 784)); } \
    >"$sub/$split-images-idx3-ubyte"
  { printf '\000\000\010\001'; printf "$count"
    zcat "$FASHION/$split-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$n"; } \
    >"$sub/$split-labels-idx1-ubyte"
}
idx_cut t10k 500 '\000\000\001\364'
idx_cut train 10 '\000\000\000\012'

# ---- round trip: the same accuracy and loss through the .onnx file -------------------------
# same_eval NAME A.json B.json: n, accuracy and loss (6 decimals) agree
same_eval() {
  local a b
  a=$(jq -c '[.n, .accuracy, .loss]' "$2") b=$(jq -c '[.n, .accuracy, .loss]' "$3")
  [ -n "$a" ] && [ "$a" = "$b" ]
}
roundtrip() { # MODEL DATA
  local m=$1 data=$2
  expect 0 "$BIN" export "$m" --out "$tmp/$m.onnx"
  grep -q "^$tmp/$m.onnx: $m, opset 14, " "$tmp/out" || fail "export $m: summary line: $(cat "$tmp/out")"
  [ -s "$tmp/$m.onnx" ] && ! compgen -G "$tmp/$m.onnx*.tmp" >/dev/null || fail "export $m: no file, or a .tmp left"
  # under the sanitizers only LeNet-5 is run: the Release pass measures the rest
  if [ -z "${CONVSCOPE_SANITIZED:-}" ] || [ "$m" = lenet5 ]; then
    expect 0 "$BIN" eval "$m" --data "$data" --json
    cp "$tmp/out" "$tmp/$m.builtin.json"
    expect 0 "$BIN" eval "$tmp/$m.onnx" --data "$data" --json
    cp "$tmp/out" "$tmp/$m.onnx.json"
    same_eval "$m" "$tmp/$m.builtin.json" "$tmp/$m.onnx.json" ||
      fail "$m: built-in $(cat "$tmp/$m.builtin.json") but from ONNX $(cat "$tmp/$m.onnx.json")"
  fi
  expect 0 "$BIN" summary "$m" --json
  cp "$tmp/out" "$tmp/$m.summary.json"
  expect 0 "$BIN" summary "$tmp/$m.onnx" --json
  [ "$(jq .total.params "$tmp/out")" = "$(jq .total.params "$tmp/$m.summary.json")" ] ||
    fail "$m: $(jq .total.params "$tmp/out") parameters after the round trip"
}
roundtrip lenet5 digits          # trained weights, tanh, average pooling
roundtrip alexnet_mini "$sub"    # LRN, overlapping max pooling, dropout
roundtrip zfnet_mini "$sub"
roundtrip vgg_mini "$sub"
roundtrip inception_mini "$sub"  # concat of four branches
roundtrip resnet_mini "$sub"     # batch norm, residual add
roundtrip densenet_mini "$sub"   # dense concat, average-pool transitions
roundtrip mobilenet_mini "$sub"  # depthwise (groups), ReLU6 as Clip
# the comparison can fail: other weights give other numbers
expect 0 "$BIN" export lenet5 --weights "$(dirname "$0")/../assets/lenet5_fashion.safetensors" \
  --out "$tmp/lenet5_fashion.onnx"
expect 0 "$BIN" eval "$tmp/lenet5_fashion.onnx" --data digits --json
same_eval x "$tmp/lenet5.builtin.json" "$tmp/out" && fail "different weights gave the same eval"

# untrained zoo models: a warning, and the file still reads back
expect 0 "$BIN" export googlenet --out "$tmp/googlenet.onnx"  # auxiliary classifiers left out
err_has "no trained weights ship for googlenet"
expect 0 "$BIN" summary googlenet --json
cp "$tmp/out" "$tmp/googlenet.summary.json"
expect 0 "$BIN" summary "$tmp/googlenet.onnx" --json
[ "$(jq .total.params "$tmp/out")" = "$(jq .total.params "$tmp/googlenet.summary.json")" ] ||
  fail "googlenet: parameters differ after the round trip"
jq -e '[.layers[].name | select(startswith("aux"))] | length == 0' "$tmp/out" >/dev/null ||
  fail "googlenet: auxiliary classifiers in the export"
expect 0 "$BIN" export mobilenet_v2 --out "$tmp/mobilenet_v2.onnx"
expect 0 "$BIN" summary mobilenet_v2 --json
cp "$tmp/out" "$tmp/mobilenet_v2.summary.json"
expect 0 "$BIN" export resnet18 --input 3x64x64 --batch 1 --out "$tmp/resnet18.onnx"
grep -qF "input 'data' [1,3,64,64], output 'fc' [1,1000]" "$tmp/out" ||
  fail "resnet18 --batch 1 --input 3x64x64: $(cat "$tmp/out")"
expect 0 "$BIN" summary resnet18 --input 3x64x64 --json
cp "$tmp/out" "$tmp/resnet18.summary.json"
expect 0 "$BIN" export lenet5 --batch 1 --out "$tmp/lenet5_b1.onnx"
cp "$tmp/lenet5.summary.json" "$tmp/lenet5_b1.summary.json"

# ---- imported PyTorch exports written again: the same outputs as PyTorch ------------------
# Each fixture of tests/fixtures/torch (opsets 9 to 17: LayerNorm written out
# and as one op, GELU's Erf, MatMul on channels-last maps, Resize, channel
# shuffle...) read and written at opset 14 must still give PyTorch's output on
# its test data (what the general elementwise, reduction and reshape nodes
# are written as is checked there).
TORCH="$(cd "$(dirname "$0")" && pwd)/fixtures/torch"
n_fix=0
for d in "$TORCH"/*/; do
  f=$(basename "$d")
  [ -f "$d/model.onnx" ] || continue
  mkdir -p "$tmp/torch/$f"
  cp -r "$d"/test_data_set_* "$tmp/torch/$f/"
  expect 0 "$BIN" export "$d/model.onnx" --out "$tmp/torch/$f/model.onnx"
  grep -q ", opset 14, " "$tmp/out" || fail "export $f: $(cat "$tmp/out")"
  n_fix=$((n_fix + 1))
done
[ "$n_fix" -ge 17 ] || fail "only $n_fix PyTorch fixtures written again"
expect 0 "$BIN" onnx-test "$tmp"/torch/*/
tail -n 1 "$tmp/out" | grep -q "^$n_fix passed, 0 failed$" ||
  fail "PyTorch fixtures written again: $(grep -v '^PASS' "$tmp/out")"
if "$PY" -c "import onnx" 2>/dev/null; then
  for m in "$tmp"/torch/*/model.onnx; do
    "$PY" -c 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' "$m" ||
      fail "ONNX checker: $m"
  done
fi

# ---- the ONNX checker and shape inference ---------------------------------------------------
if "$PY" -c "import onnx" 2>/dev/null; then
  cat >"$tmp/check.py" <<'EOF'
import json, sys
import onnx
from onnx import shape_inference

path, summary, batch = sys.argv[1], sys.argv[2], sys.argv[3]
m = onnx.load(path)
onnx.checker.check_model(m, full_check=True)
assert [(o.domain, o.version) for o in m.opset_import] == [("", 14)], m.opset_import
s = json.load(open(summary))
layers = {l["name"]: l for l in s["layers"]}
g = m.graph
nodes = {n.name: n for n in g.node}
assert len(g.input) == 1 and g.input[0].name == s["layers"][0]["name"], g.input
for l in s["layers"]:
    if l.get("train_only"):
        assert l["name"] not in nodes, "training-only layer %s exported" % l["name"]
    elif l["op"] != "input":
        assert l["name"] in nodes, "layer %s missing" % l["name"]
for n in g.node:  # engine names, plus the flatten a Gemm needs
    assert n.name in layers or n.name.endswith("/flatten"), "unknown node " + n.name
    assert list(n.output) == [n.name], n
learnable = 0
for t in g.initializer:
    layer, _, suffix = t.name.rpartition(".")
    if suffix in ("weight", "bias"):
        assert layer in layers, "initializer %s of no layer" % t.name
        n = 1
        for d in t.dims:
            n *= d
        learnable += n
assert learnable == s["total"]["params"], (learnable, s["total"]["params"])
if "convscope.preprocess" not in {p.key for p in m.metadata_props}:
    raise AssertionError("no preprocessing in the metadata")

# shapes: ONNX's own inference, from the input alone, against the engine's
bare = onnx.ModelProto()
bare.CopyFrom(m)
del bare.graph.value_info[:]
inferred = shape_inference.infer_shapes(bare, strict_mode=True)
def dims(v):
    return [d.dim_param if d.HasField("dim_param") else d.dim_value
            for d in v.type.tensor_type.shape.dim]
shapes = {v.name: dims(v) for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
want_batch = batch if batch == "N" else int(batch)
checked = 0
for name, l in layers.items():
    if name not in shapes:
        continue
    c, h, w = l["output"]
    got = shapes[name]
    assert got[0] == want_batch, (name, got)
    assert got[1:] == ([c, h, w] if len(got) == 4 else [c]) and (len(got) == 4 or h == w == 1), \
        "%s: ONNX infers %s, the engine has %s" % (name, got, l["output"])
    checked += 1
file_shapes = {v.name: dims(v) for v in list(m.graph.value_info) + list(m.graph.output)}
for name, d in file_shapes.items():
    assert shapes.get(name) == d, "value_info of %s says %s, ONNX infers %s" % (name, d, shapes.get(name))
assert checked >= len(nodes) - sum(n.endswith("/flatten") for n in nodes), (checked, len(nodes))
print("%s: checker ok, %d shapes agree" % (path.rsplit("/", 1)[-1], checked))
EOF
  for f in lenet5 alexnet_mini zfnet_mini vgg_mini inception_mini resnet_mini densenet_mini \
           mobilenet_mini googlenet mobilenet_v2 resnet18 lenet5_b1; do
    b=N
    case $f in resnet18|lenet5_b1) b=1 ;; esac
    "$PY" "$tmp/check.py" "$tmp/$f.onnx" "$tmp/$f.summary.json" "$b" >"$tmp/py.out" 2>&1 ||
      fail "$f.onnx: $(tail -n 3 "$tmp/py.out")"
  done
else
  echo "SKIP: $PY cannot import onnx (apt-get install python3-onnx): no checker run"
fi

# ---- errors: exit codes, messages, nothing half-written -----------------------------------
expect 2 "$BIN" export lenet5
err_has "--out FILE.onnx is required"
expect 2 "$BIN" export lenet5 --out
err_has "--out needs a value"
expect 2 "$BIN" export --out "$tmp/x.onnx"
err_has "which model?"
expect 2 "$BIN" export no_such_net --out "$tmp/x.onnx"
err_has "unknown model 'no_such_net'"
expect 2 "$BIN" export lenet5 --out "$tmp/x.onnx" --batch 0
expect 2 "$BIN" export lenet5 --out "$tmp/x.onnx" --frobnicate
[ ! -e "$tmp/x.onnx" ] && ! compgen -G "$tmp/x.onnx*.tmp" >/dev/null || fail "a usage error wrote a file"
expect 1 "$BIN" export lenet5 --out "$tmp/no/such/dir/x.onnx"
err_has "cannot write $tmp/no/such/dir/x.onnx: No such file or directory"
# a failure keeps the user's file as it was
printf 'user data' >"$tmp/keep.onnx"
expect 1 "$BIN" export lenet5 --weights "$tmp/missing.safetensors" --out "$tmp/keep.onnx"
[ "$(cat "$tmp/keep.onnx")" = "user data" ] || fail "a failed export changed the user's file"
mkdir "$tmp/adir"
expect 1 "$BIN" export lenet5 --out "$tmp/adir"    # refused before anything is written
err_has "cannot write $tmp/adir: it is a directory, not a regular file"
! compgen -G "$tmp/adir*.tmp" >/dev/null || fail "the .tmp file was left behind"
# the temporary file is a new one of its own: a symbolic link planted under the
# name FILE.tmp is neither followed nor replaced, and its target is unchanged
printf 'victim' >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/planted.onnx.tmp"
expect 0 "$BIN" export lenet5 --out "$tmp/planted.onnx"
[ "$(cat "$tmp/victim")" = victim ] && [ -L "$tmp/planted.onnx.tmp" ] || fail "export wrote through a link at FILE.tmp"
[ "$(head -c 2 "$tmp/planted.onnx" | od -An -tx1 | tr -d ' ')" = 0807 ] || fail "export did not write planted.onnx"
! compgen -G "$tmp/planted.onnx.??????.tmp" >/dev/null || fail "export left its temporary file"
expect 0 "$BIN" export --help
grep -q "opset 14" "$tmp/out" || fail "export --help does not give the opset"

[ $fails -eq 0 ] || { echo "export: $fails checks failed" >&2; exit 1; }
echo "export: all checks passed"
