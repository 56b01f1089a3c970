#!/usr/bin/env bash
# test_atlas.sh — `convscope atlas`: the sheets of the shipped Fashion-MNIST
# LeNet-5 (two layers, a few steps), each a PNG of the expected size, an
# index.html that links every sheet and only files that exist; a rerun keeps
# the sheets already written (resumable) and redraws one deleted; bad options.
set -uo pipefail
BIN=${1:?usage: test_atlas.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect
PY=/usr/bin/python3
export XDG_CACHE_HOME=$tmp/cache # the top-9 scans' cache, not the user's
"$BIN" render --help >/dev/null 2>&1 || { echo "test_atlas: built without the GUI: skipped"; exit 77; }
A=(atlas lenet5 --data fashion --layers c1,c3 --per-sheet 8 --steps 10)
D=$tmp/atlas

expect 0 "$BIN" "${A[@]}" --out "$D"
grep -q "22/22 channels" "$tmp/err" || fail "no progress bar ending at 22/22: $(tr '\r' '\n' <"$tmp/err" | tail -2)"
grep -q "3 sheets drawn, 0 kept" "$tmp/out" || fail "first run: $(cat "$tmp/out")"
# c1: 6 channels, one sheet; c3: 16 channels, two sheets of 8
"$PY" - "$D" <<'PY' || fail "the sheets or the index"
import os, re, struct, sys
d = sys.argv[1]
pngs = sorted(f for f in os.listdir(d) if f.endswith(".png"))
assert pngs == ["c1_n1_01.png", "c3_n4_01.png", "c3_n4_02.png"], pngs
assert not [f for f in os.listdir(d) if "tmp" in f], os.listdir(d)
def size(p):
    b = open(p, "rb").read(24)
    assert b[:8] == b"\x89PNG\r\n\x1a\n", p
    return struct.unpack(">II", b[16:24])
w1, h1 = size(os.path.join(d, "c1_n1_01.png"))
w3, h3 = size(os.path.join(d, "c3_n4_01.png"))
_, h3b = size(os.path.join(d, "c3_n4_02.png"))
assert w1 >= w3, (w1, w3)       # c1 has a filter column, c3 not (both at least 960 wide)
assert h3 > h1 and h3 == h3b, (h1, h3, h3b)  # 8 rows, 6 rows, 8 rows
html = open(os.path.join(d, "index.html")).read()
links = re.findall(r'href="([^"]+)"', html)
assert sorted(set(links)) == pngs, links
assert "c1" in html and "c3" in html and "16 channels" in html, html
PY
# the picture is not blank: the sheet has many colours
"$PY" - "$D/c3_n4_01.png" <<'PY' || fail "the sheet looks empty"
import sys, zlib, struct
b = open(sys.argv[1], "rb").read()
i, idat = 8, b""
while i < len(b):
    n, t = struct.unpack(">I4s", b[i:i + 8])
    if t == b"IDAT": idat += b[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw)) > 50, len(set(raw))
PY

# ---- resumable: a rerun keeps every sheet; one deleted is drawn again -----------------------
before=$(stat -c '%i %Y' "$D"/*.png)
expect 0 "$BIN" "${A[@]}" --out "$D"
grep -q "0 sheets drawn, 3 kept" "$tmp/out" || fail "rerun: $(cat "$tmp/out")"
[ "$(stat -c '%i %Y' "$D"/*.png)" = "$before" ] || fail "the rerun rewrote sheets"
keep=$(stat -c '%i' "$D/c1_n1_01.png")
rm "$D/c3_n4_02.png"
expect 0 "$BIN" "${A[@]}" --out "$D"
grep -q "1 sheets drawn, 2 kept" "$tmp/out" || fail "after a deletion: $(cat "$tmp/out")"
[ -s "$D/c3_n4_02.png" ] || fail "the deleted sheet was not drawn again"
[ "$(stat -c '%i' "$D/c1_n1_01.png")" = "$keep" ] || fail "a kept sheet was rewritten"

# ---- the default: every convolution (c1, c3, c5) ----------------------------------------------
expect 0 "$BIN" atlas lenet5 --data fashion --steps 5 --per-sheet 64 --out "$tmp/all"
grep -q "142 channels in 3 layers" "$tmp/out" || fail "default layers: $(cat "$tmp/out")"
[ "$(grep -c '<img' "$tmp/all/index.html")" = 4 ] || fail "default layers: $(grep -c '<img' "$tmp/all/index.html") sheets linked, 4 expected"

# ---- bad options -------------------------------------------------------------------------
expect 2 "$BIN" atlas lenet5 --data fashion --layers nope --out "$tmp/x"
grep -q "no layer 'nope'" "$tmp/err" || fail "bad layer: $(cat "$tmp/err")"
expect 2 "$BIN" atlas lenet5 --data fashion --layers c1,,input --out "$tmp/x"
expect 2 "$BIN" atlas lenet5 --data fashion
expect 2 "$BIN" atlas lenet5 --data fashion --per-sheet 0 --out "$tmp/x"
expect 2 "$BIN" atlas lenet5 --data fashion --steps 0 --out "$tmp/x"
: >"$tmp/file"
expect 2 "$BIN" atlas lenet5 --data fashion --layers c1 --out "$tmp/file"
expect 1 "$BIN" atlas lenet5 --data fashion --layers c1 --out "$tmp/no/such/dir"

if [ "$fails" -gt 0 ]; then
  echo "test_atlas: $fails failures"
  exit 1
fi
echo "test_atlas: ok"
