#!/usr/bin/env bash
# test_exp_screen.sh — the window's experiments screen (Y) drawn by `render
# --view experiments`: usage errors, the layout audit of every experiment's
# page with a rerun drawn over it, and the screen's rerun (Enter in the
# window, made here at once by --rerun) giving the very numbers of
# `convscope experiment run NAME --tiny --json` on the shipped run's thread
# count (2), curves and named numbers alike.
set -uo pipefail
BIN=${1:?usage: test_exp_screen.sh path/to/convscope}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" # $tmp, fail, expect

"$BIN" --help | grep -q "render" || { echo "built without the GUI: no screen"; exit 77; }
command -v jq >/dev/null || { echo "jq missing (./setup.sh installs it)"; exit 77; }

# usage: an unknown experiment, a rerun of occlusion (its own view), --rerun elsewhere
expect 2 "$BIN" render nosuch --view experiments --out "$tmp/x.png"
grep -q "no experiment 'nosuch'" "$tmp/err" || fail "unknown experiment: $(cat "$tmp/err")"
expect 2 "$BIN" render occlusion --view experiments --rerun tiny --out "$tmp/x.png"
grep -q "its own view" "$tmp/err" || fail "occlusion rerun: $(cat "$tmp/err")"
expect 2 "$BIN" render lenet5 --rerun tiny --out "$tmp/x.png"
grep -q -- "--rerun" "$tmp/err" || fail "--rerun outside the experiments view: $(cat "$tmp/err")"
expect 2 "$BIN" render degradation --view experiments --rerun often --out "$tmp/x.png"

# the screen's rerun = the command's run, to the bit (series and extras)
for n in relu_tanh dropout invariance; do
  expect 0 "$BIN" render "$n" --view experiments --rerun tiny --out "$tmp/$n.png"
  cp "$tmp/out" "$tmp/screen.json"
  [ -s "$tmp/$n.png" ] || fail "$n: no picture"
  grep -q "not compared" "$tmp/err" || fail "$n: the tiny rerun's verdict: $(tail -1 "$tmp/err")"
  expect 0 "$BIN" experiment run "$n" --tiny --json --threads 2 --out "$tmp/cmd"
  for key in series extras; do
    [ "$(jq -c ".$key" "$tmp/screen.json")" = "$(jq -c ".$key" "$tmp/out")" ] ||
      fail "$n: the screen's rerun differs from 'experiment run --tiny' in .$key"
  done
  [ "$(jq '.series | length' "$tmp/screen.json")" -gt 0 ] || fail "$n: the rerun has no curves"
done

# the rerun drawn over the shipped plot: nothing overlaps or is cut, at the three sizes
for size in 1024x768 1280x720 1920x1080; do
  expect 0 "$BIN" render relu_tanh --view experiments --rerun tiny --size "$size" --audit --json --out "$tmp/a.png"
  counts=$(jq -r '"\(.overlaps) overlaps, \(.clipped) clipped, \(.small) small, \(.missing_glyphs) missing"' "$tmp/out")
  echo "$size relu_tanh with a rerun: $counts"
  [ "$counts" = "0 overlaps, 0 clipped, 0 small, 0 missing" ] || fail "rerun drawn at $size: $counts"
done
exit $((fails > 0))
