#!/usr/bin/env bash
# test_layout.sh — the layout audit (render --audit) on every view of the
# window at the three classroom sizes (a projector's 1024x768, 1280x720,
# 1920x1080): no string overlaps another, none is cut by the window's edge or
# its panel, none is under the smallest readable size, no character is left
# without a font. One line per view and size on stdout (the counts).
set -uo pipefail
BIN=${1:?usage: test_layout.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect

"$BIN" --help | grep -q "render" || { echo "built without the GUI: nothing to audit"; exit 77; }
command -v jq >/dev/null || { echo "jq missing (./setup.sh installs it)"; exit 77; }

# the training screen writes its weights under the data folder
export XDG_DATA_HOME="$tmp/xdg"
# One view per line: the arguments of render after the command.
views=(
  "lenet5 --view featuremaps"
  "lenet5 --view featuremaps --layer c3 --unit 5,4,4 --rule deconv"
  "lenet5 --view filters"
  "lenet5 --view evolution"
  "lenet5 --view summary"
  "lenet5 --view 3d"
  "lenet5 --view browse --image-index 5"
  "lenet5 --view top9 --layer c3 --channel 2"
  "lenet5 --view occlusion --layer c3 --channel 2"
  "lenet5 --view visualize --layer c3 --channel 2"
  "lenet5 --view visualize --layer output --channel 3 --data fashion"
  "alexnet_mini --view visualize --layer conv2 --channel 4 --unit 3,3"
  "alexnet_mini --view featuremaps --layer conv1"
  "alexnet_mini --view filters --layer conv1"
  "resnet_mini --view summary"
  "resnet_mini --view 3d"
  "densenet_mini --view featuremaps"
  "--view compare --runs 0"
  "--view compare --runs 0 --block inception-naive-vs-bottleneck --count flops,all"
  "--view compare --runs 0 --block resnet-basic-vs-bottleneck"
  "--view compare --runs 0 --block standard-vs-depthwise-separable"
  "--view compare --runs 0 --block plain-vs-grouped"
  "--view zoo --runs 0"
  "--view zoo --runs 0 --count flops,all"
  "--view rf"
  "densenet169 --view history"
  "--view basics"
  "--view basics --preset sobel-x"
  "--view train"
  "lenet5 --view train --data digits --steps 130"
  "alexnet_mini --view train --data fashion"
  "degradation --view experiments"
  "relu_tanh --view experiments"
  "layers --view experiments"
  "invariance --view experiments"
  "vgg --view experiments"
  "dropout --view experiments"
  "occlusion --view experiments"
)
for size in 1024x768 1280x720 1920x1080; do
  for v in "${views[@]}"; do
    # shellcheck disable=SC2086
    expect 0 "$BIN" render $v --size "$size" --audit --json --out "$tmp/v.png"
    counts=$(jq -r '"\(.overlaps) overlaps, \(.clipped) clipped, \(.small) small, \(.missing_glyphs) missing"' "$tmp/out" 2>/dev/null) ||
      { fail "render $v --size $size --audit --json: not JSON"; continue; }
    echo "$size  $v: $counts"
    [ "$counts" = "0 overlaps, 0 clipped, 0 small, 0 missing" ] ||
      fail "render $v --size $size: $(jq -c '[.problems[] | [.kind, .text.text, .with.text // .by // .characters // .text.px]]' "$tmp/out")"
    [ "$(jq '.texts' "$tmp/out")" -gt 0 ] || fail "render $v --size $size: the audit saw no text"
  done
done
# Any UTF-8 text: a lesson whose steps are in Korean mixed with Latin letters,
# digits and signs (tests/fixtures/lesson_ko), rendered as slides with their
# audit; every slide's Hangul drawn (0 characters without a font), nothing
# overlapping, cut or too small. The slide's words are in its PNG's .txt.
ko="$(dirname "$0")/fixtures/lesson_ko"
for size in 1920x1080 1280x720; do
  expect 0 "$BIN" lesson render 1 --lessons "$ko" --out "$tmp/ko-$size" --size "$size" --audit
  [ "$(grep -c '^audit ' "$tmp/out")" = 3 ] || fail "lesson render (Korean) --size $size: $(grep -c '^audit ' "$tmp/out") audits for 3 slides"
  grep '^audit ' "$tmp/out" | grep -v ": [0-9]* texts, 0 overlaps, 0 clipped, 0 under [0-9]* px, 0 missing glyphs$" >"$tmp/bad" &&
    fail "lesson render (Korean) --size $size: $(cat "$tmp/bad"; grep '^  ' "$tmp/out")"
  grep -q "커널이 이미지 위를 미끄러진다" "$tmp/ko-$size/01.txt" || fail "the Korean slide's words are not its step's"
  echo "$size  lesson (Korean): $(grep '^audit ' "$tmp/out" | sed 's/^audit [a-z]* [0-9x]*: //' | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
done
# The audit sees a character no font draws: a step with U+E000 (a private
# use code point, in neither DejaVu nor Nanum Gothic) counts one.
mkdir -p "$tmp/pua"
sed 's/^합성곱은/\xee\x80\x80 합성곱은/' "$ko/01-hangul.md" >"$tmp/pua/01-pua.md"
expect 0 "$BIN" lesson render 1 --lessons "$tmp/pua" --out "$tmp/pua-out" --size 1280x720 --audit
grep -q "^audit basics 1280x720: .*, 1 missing glyphs$" "$tmp/out" || fail "U+E000 not counted missing: $(head -3 "$tmp/out")"
exit $((fails > 0))
