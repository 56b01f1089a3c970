#!/usr/bin/env bash
# test_lesson_cli.sh — `convscope lesson` on the real binary: the shipped chapters
# pass `lesson check`; a chapter with a wrong model, layer or placeholder is
# reported with its file and line (exit 1); one slide per chapter rendered
# at its size, its words (NN.txt) carrying the numbers `summary --json` and
# `compare --json` give; list and the usage errors.
set -uo pipefail
BIN=${1:?usage: test_lesson_cli.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ---- the shipped chapters -------------------------------------------------------
expect 0 "$BIN" lesson check
grep -q "every directive and placeholder holds" "$tmp/out" || fail "lesson check: no summary line"
expect 0 "$BIN" lesson list
[ "$(wc -l <"$tmp/out")" -ge 5 ] || fail "lesson list: fewer than 5 chapters"
grep -q "^01-basics" "$tmp/out" || fail "lesson list: no 01-basics"

# ---- errors with file and line ---------------------------------------------------
mkdir -p "$tmp/les"
cat >"$tmp/les/01-bad.md" <<'MD'
# A broken chapter

## Wrong model
VGG-16 has {params vgg16} parameters.
@show vgg17 view=filters

## Wrong placeholder
It has {params vgg16 fc9}
and {parms vgg16}.
@show vgg16 view=summary layer=conv9

## Questions
Q: q
A: {params vgg99}
MD
expect 1 "$BIN" lesson check --lessons "$tmp/les"
for want in "01-bad.md:5: unknown model 'vgg17'" "01-bad.md:8: vgg16 has no layer 'fc9'" \
  "01-bad.md:9: {parms vgg16}: unknown quantity 'parms'" "01-bad.md:10: vgg16 has no layer 'conv9'" \
  "01-bad.md:14: unknown model 'vgg99'"; do
  grep -qF "$want" "$tmp/err" || fail "lesson check: no '$want' in: $(cat "$tmp/err")"
done
printf '# T\n## S\nwords\n' >"$tmp/les/01-bad.md"
expect 1 "$BIN" lesson check --lessons "$tmp/les"
grep -qF "01-bad.md:2: the step 'S' has no @show line" "$tmp/err" || fail "malformed: $(cat "$tmp/err")"

# ---- usage -------------------------------------------------------------------------
expect 2 "$BIN" lesson
expect 2 "$BIN" lesson teach
expect 2 "$BIN" lesson render 1
expect 2 "$BIN" lesson render 99 --out "$tmp/x"
expect 2 "$BIN" lesson check --out "$tmp/x"
expect 0 "$BIN" lesson --help

"$BIN" --help | grep -q render || { [ $fails = 0 ] && exit 0 || exit 1; } # no GUI: nothing to draw

# ---- one slide per chapter: a file of its own holding step 1 of each ---------------
# png_size FILE: "W H" from the PNG header
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }
json_of() { "$BIN" summary "$1" --json >"$tmp/$1.json" 2>/dev/null; }
for f in "$(dirname "$0")"/../assets/lessons/[0-9][0-9]-*.md; do
  name=$(basename "$f" .md)
  rm -rf "$tmp/one" && mkdir -p "$tmp/one"
  # the chapter's title and first step, then one question
  awk 'BEGIN{s=0} /^## /{s++} s<2{print}' "$f" >"$tmp/one/01-$name.md"
  printf '\n## Questions\nQ: q\nA: a\n' >>"$tmp/one/01-$name.md"
  expect 0 "$BIN" lesson render 1 --lessons "$tmp/one" --out "$tmp/slides-$name" --size 960x540
  [ -s "$tmp/slides-$name/01.png" ] || { fail "$name: no 01.png"; continue; }
  [ "$(png_size "$tmp/slides-$name/01.png")" = "960 540" ] || fail "$name: 01.png is $(png_size "$tmp/slides-$name/01.png")"
  [ -s "$tmp/slides-$name/03.png" ] || fail "$name: no answers slide"
  grep -q "^view: convscope render" "$tmp/slides-$name/01.txt" || fail "$name: 01.txt names no view"
  grep -q '[{}]' "$tmp/slides-$name/01.txt" && fail "$name: a placeholder left unfilled in 01.txt"
done

# ---- the filled numbers are summary's and compare's -------------------------------
json_of vgg16; json_of lenet5
cat >"$tmp/one/01-nums.md" <<'MD'
# Numbers

## Counts
VGG-16 {params vgg16}, fc6 {params vgg16 fc6}, LeNet-5 {params lenet5}, rf {rf vgg16 conv5_3}, two 3x3 {weights compare:stack3x3-vs-5x5:A}.
@show lenet5 view=featuremaps layer=c1

## Questions
Q: q
A: a
MD
rm -f "$tmp/one/01-$name.md"
expect 0 "$BIN" lesson render nums --lessons "$tmp/one" --out "$tmp/nums" --size 800x500
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
want="VGG-16 $(group "$(jq '.total.params' "$tmp/vgg16.json")"), fc6 $(group "$(jq '.layers[]|select(.name=="fc6").params' "$tmp/vgg16.json")"), LeNet-5 $(group "$(jq '.total.params' "$tmp/lenet5.json")"), rf $(jq '.layers[]|select(.name=="conv5_3").rf.size' "$tmp/vgg16.json"), two 3x3 $(group "$("$BIN" compare stack3x3-vs-5x5 --json --runs 1 | jq '.a.weights')")."
grep -qxF "$want" "$tmp/nums/01.txt" || fail "filled text: expected '$want', got: $(sed -n 4p "$tmp/nums/01.txt")"

[ $fails = 0 ] || exit 1
