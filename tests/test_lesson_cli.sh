#!/usr/bin/env bash
# test_lesson_cli.sh — `convscope lesson` on the real binary: the shipped chapters
# pass `lesson check`; a chapter with a wrong model, layer or placeholder is
# reported with its file and line (exit 1); one slide per chapter rendered
# at its size, its words (NN.txt) carrying the numbers `summary --json` and
# `compare --json` give; list and the usage errors. The languages: every
# English chapter has a Korean twin (assets/lessons/ko) that passes check,
# `list --lang ko` names every chapter by its Korean title, a ko locale picks
# Korean and --lang en overrides it, a twin that drifts is reported with its
# line, and a Korean slide is drawn with its words. The experiments: an
# @plot slide carries the shipped JSON's numbers and draws its figure,
# `render --view experiment` alone, and a wrong experiment, panel or key is
# reported with its line.
set -uo pipefail
BIN=${1:?usage: test_lesson_cli.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ---- the shipped chapters -------------------------------------------------------
expect 0 "$BIN" lesson check
grep -q "every directive and placeholder holds" "$tmp/out" || fail "lesson check: no summary line"
grep -q "(every language)" "$tmp/out" || fail "lesson check: not every language checked: $(cat "$tmp/out")"
expect 0 "$BIN" lesson list
[ "$(wc -l <"$tmp/out")" -ge 5 ] || fail "lesson list: fewer than 5 chapters"
grep -q "^01-basics" "$tmp/out" || fail "lesson list: no 01-basics"

# ---- the languages -----------------------------------------------------------------
LESSONS=$(dirname "$0")/../assets/lessons
expect 0 "$BIN" lesson check --lang ko
grep -q "^lesson check: [0-9]* chapters (ko)" "$tmp/out" || fail "lesson check --lang ko: $(cat "$tmp/out")"
expect 0 env -u LC_ALL -u LC_MESSAGES LANG=C "$BIN" lesson list
cp "$tmp/out" "$tmp/list-en"
expect 0 env -u LC_ALL -u LC_MESSAGES LANG=C "$BIN" lesson list --lang ko
cp "$tmp/out" "$tmp/list-ko"
# every chapter, in the same order, each under its Korean title
[ "$(awk '{print $1}' "$tmp/list-ko")" = "$(awk '{print $1}' "$tmp/list-en")" ] || fail "list --lang ko: not the English chapters"
n_en=$(ls "$LESSONS"/[0-9][0-9]-*.md | wc -l)
[ "$(wc -l <"$tmp/list-ko")" = "$n_en" ] || fail "list --lang ko: $(wc -l <"$tmp/list-ko") chapters, $n_en in English"
for f in "$LESSONS"/ko/[0-9][0-9]-*.md; do
  title=$(sed -n '1s/^# //p' "$f")
  grep -qF "$title" "$tmp/list-ko" || fail "list --lang ko: no '$title'"
done
[ "$(LC_ALL=C grep -c "$(printf '[\352-\355]')" "$tmp/list-ko")" -ge 5 ] || fail "list --lang ko: fewer than 5 Korean titles"
cmp -s "$tmp/list-ko" "$tmp/list-en" && fail "list --lang ko: the English list"
# the locale: Korean by default under a ko locale, --lang en over it, LC_ALL first
expect 0 env -u LC_ALL -u LC_MESSAGES LANG=ko_KR.UTF-8 "$BIN" lesson list
cmp -s "$tmp/out" "$tmp/list-ko" || fail "LANG=ko_KR.UTF-8: not the Korean list"
expect 0 env -u LC_ALL -u LC_MESSAGES LANG=ko_KR.UTF-8 "$BIN" lesson list --lang en
cmp -s "$tmp/out" "$tmp/list-en" || fail "LANG=ko_KR.UTF-8 --lang en: not the English list"
expect 0 env LC_ALL=en_US.UTF-8 LANG=ko_KR.UTF-8 "$BIN" lesson list
cmp -s "$tmp/out" "$tmp/list-en" || fail "LC_ALL=en_US.UTF-8 over LANG=ko: not the English list"
expect 2 "$BIN" lesson list --lang fr
# a twin that drifts, one missing
mkdir -p "$tmp/tw/ko"
printf '# T\n## S\nwords {params vgg16}\n@show vgg16 view=summary layer=fc6\n## Questions\nQ: q\nA: a\n' >"$tmp/tw/01-a.md"
cp "$tmp/tw/01-a.md" "$tmp/tw/02-b.md"
printf '# 제목\n## 단계\n파라미터 {params vgg16 fc6}개\n@show vgg16 view=summary layer=fc7\n## 질문\nQ: 질문\nA: 답\n' >"$tmp/tw/ko/01-a.md"
expect 1 "$BIN" lesson check --lessons "$tmp/tw"
for want in "ko/01-a.md:4: step 1's @show is not the English one (" "ko/01-a.md:2: step 1: 1 placeholders, the English 1" \
  "02-b.md:1: no 'ko' translation of this chapter"; do
  grep -qF "$want" "$tmp/err" || fail "twin check: no '$want' in: $(cat "$tmp/err")"
done
expect 0 "$BIN" lesson check --lessons "$tmp/tw" --lang en

# the cards' key ideas: English by default whatever the locale, Korean with --lang ko,
# each the line of its file (assets/cards/key_ideas.txt, ko/key_ideas.txt)
CARDS=$(dirname "$0")/../assets/cards
expect 0 env LANG=ko_KR.UTF-8 "$BIN" models --json
[ "$(jq -r '.[]|select(.name=="vgg16").key_ideas' "$tmp/out")" = "$(sed -n 's/^vgg16: //p' "$CARDS/key_ideas.txt")" ] ||
  fail "models --json: vgg16's key ideas are not key_ideas.txt's"
expect 0 "$BIN" models --json --lang ko
[ "$(jq -r '.[]|select(.name=="vgg16").key_ideas' "$tmp/out")" = "$(sed -n 's/^vgg16: //p' "$CARDS/ko/key_ideas.txt")" ] ||
  fail "models --json --lang ko: vgg16's key ideas are not ko/key_ideas.txt's"
[ "$(jq '[.[]|select(.key_ideas|test("[가-힣]"))]|length' "$tmp/out")" = "$(jq length "$tmp/out")" ] ||
  fail "models --json --lang ko: a network without Korean key ideas"

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
grep -qF "01-bad.md:2: the step 'S' has no @show or @plot line" "$tmp/err" || fail "malformed: $(cat "$tmp/err")"
# an experiment's plot and numbers: an unknown experiment, panel or key, each with its line
cat >"$tmp/les/01-bad.md" <<'MD'
# Experiments

## Unknown experiment
Plain-56 ends at {exp degradation final_train_err_plain56}%.
@plot degradaton

## Unknown panel and key
Its gap {exp dropout gap_nothing}
and {exp nosuch key}.
@plot dropout panel=2

## Questions
Q: q
A: {exp vgg}
MD
expect 1 "$BIN" lesson check --lessons "$tmp/les"
for want in "01-bad.md:5: no shipped result of experiment 'degradaton'" \
  "01-bad.md:8: experiment dropout has no number 'gap_nothing' (its numbers: gap_plain" \
  "01-bad.md:9: no shipped result of experiment 'nosuch'" "01-bad.md:10: @plot dropout: panel=2, but its figure has 2 panels" \
  "01-bad.md:14: exp takes an experiment and one of its numbers"; do
  grep -qF "$want" "$tmp/err" || fail "lesson check (experiments): no '$want' in: $(cat "$tmp/err")"
done
printf '# T\n## S\nwords\n@plot vgg panel=one\n## Questions\nQ: q\nA: a\n' >"$tmp/les/01-bad.md"
expect 1 "$BIN" lesson check --lessons "$tmp/les"
grep -qF "01-bad.md:4: @plot: panel= takes a chart's number from 0, not 'one'" "$tmp/err" || fail "malformed @plot: $(cat "$tmp/err")"

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

# ---- an experiment's slide: its numbers the shipped JSON's, its figure drawn --------
EXP=$(dirname "$0")/../assets/experiments
cat >"$tmp/one/01-nums.md" <<'MD'
# Numbers

## Degradation
plain-56 {exp degradation final_train_err_plain56}, ResNet-56 {exp degradation final_train_err_resnet56}, gap {exp dropout gap_plain}, 3x3 {exp vgg params_3x3}.
@plot dropout panel=1

## Questions
Q: q
A: a
MD
expect 0 "$BIN" lesson render nums --lessons "$tmp/one" --out "$tmp/exps" --size 800x500
two() { printf '%.2f' "$(jq ".extras.$2" "$EXP/$1.quick.json")"; }
want="plain-56 $(two degradation final_train_err_plain56), ResNet-56 $(two degradation final_train_err_resnet56), gap $(two dropout gap_plain), 3x3 $(group "$(jq '.extras.params_3x3' "$EXP/vgg.quick.json")")."
grep -qxF "$want" "$tmp/exps/01.txt" || fail "experiment numbers: expected '$want', got: $(sed -n 4p "$tmp/exps/01.txt")"
grep -qF "view: convscope render dropout --view experiment --panel 1" "$tmp/exps/01.txt" || fail "experiment slide: view $(grep view: "$tmp/exps/01.txt")"
[ "$(png_size "$tmp/exps/01.png")" = "800 500" ] || fail "experiment slide: 01.png is $(png_size "$tmp/exps/01.png" 2>/dev/null)"
# the figure alone, and its errors
expect 0 "$BIN" render degradation --view experiment --out "$tmp/deg.png" --size 960x540
[ "$(png_size "$tmp/deg.png")" = "960 540" ] || fail "render --view experiment: $(png_size "$tmp/deg.png" 2>/dev/null)"
expect 2 "$BIN" render degradation --view experiment --panel 1 --out "$tmp/x.png"
grep -qF "panel takes 0..0 for degradation" "$tmp/err" || fail "render --panel 1: $(cat "$tmp/err")"
expect 2 "$BIN" render nosuch --view experiment --out "$tmp/x.png"
expect 2 "$BIN" render --view experiment --out "$tmp/x.png"
expect 2 "$BIN" render lenet5 --panel 0 --out "$tmp/x.png"

# ---- a Korean slide: its words, the slides' own in Korean ---------------------------
mkdir -p "$tmp/kone/ko"
printf '# T\n## S\nwords\n@show lenet5 view=summary layer=c1\n## Questions\nQ: q\nA: a\n' >"$tmp/kone/01-k.md"
awk 'BEGIN{s=0} /^## /{s++} s<2{print}' "$LESSONS/ko/02-lenet5.md" >"$tmp/kone/ko/01-k.md"
printf '\n## 질문\nQ: 질문\nA: 답\n' >>"$tmp/kone/ko/01-k.md"
expect 0 env -u LC_ALL -u LC_MESSAGES LANG=ko_KR.UTF-8 "$BIN" lesson render 1 --lessons "$tmp/kone" --out "$tmp/kslides" --size 800x450
[ "$(png_size "$tmp/kslides/01.png")" = "800 450" ] || fail "Korean slide: 01.png is $(png_size "$tmp/kslides/01.png" 2>/dev/null)"
grep -qF "$(sed -n '1s/^# //p' "$LESSONS/ko/02-lenet5.md")" "$tmp/kslides/01.txt" || fail "Korean slide: not the Korean chapter"
grep -qF "C1은 5x5 커널로 맵 6장을 만들고($("$BIN" summary lenet5 --json | jq -r '.layers[]|select(.name=="c1").output|map(tostring)|join("x")'))" "$tmp/kslides/01.txt" || fail "Korean slide: words not filled: $(sed -n 4p "$tmp/kslides/01.txt")"
sed -n 3p "$tmp/kslides/03.txt" | grep -qx "답" || fail "Korean slide: the answers slide is not headed 답"

[ $fails = 0 ] || exit 1
