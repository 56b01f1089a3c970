#!/usr/bin/env bash
# test_fps.sh — view --fps under a virtual X server (Xvfb, through xvfb-run):
# a short session where Space plays the forward pass and G runs a pattern
# through the network on the worker (the window draws without pause while
# either goes on), then the line printed when the window closes. Checks the
# line's form and that its figures are positive and agree with each other
# (min <= median <= max; the slowest window is no slower than its worst
# frame allows; the window size is the frames counted, at most 30); not a
# speed: how fast is a benchmark's question (benchmarks/window_frames.sh).
set -uo pipefail
BIN=$(realpath "${1:?usage: test_fps.sh path/to/convscope}")
SELF=$(realpath "$0")

if [ "${2:-}" != --inside ]; then
  if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "fps: SKIP: xvfb-run not found (apt-get install xvfb xdotool)"
    exit 77
  fi
  command -v xdotool >/dev/null 2>&1 || { echo "FAIL: xdotool not found (apt-get install xdotool)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # xvfb-run -a takes the first free display number; another server started
  # at the same moment can take it first, so try again when ours did not start.
  for attempt in 1 2 3; do
    rm -f "$tmp/started"
    xvfb-run -a -e "$tmp/xvfb.err" -s "-screen 0 1280x800x24 -nolisten tcp" bash "$SELF" "$BIN" --inside "$tmp"
    rc=$?
    [ -e "$tmp/started" ] && exit $rc
    echo "fps: the X server did not start (attempt $attempt):" >&2
    cat "$tmp/xvfb.err" >&2
    sleep 2
  done
  exit 1
fi

# ---- inside the X server ---------------------------------------------------------------------
tmp=${3:?}
touch "$tmp/started"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
slow=1
[ -n "${CONVSCOPE_SANITIZED:-}" ] && slow=4
export SDL_RENDER_DRIVER=software
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=0"

# session MODEL SECONDS KEYS...: the window open for SECONDS, the keys sent
# one every 0.4 s from when it shows; its stdout in $tmp/out, stderr in $tmp/err
session() {
  local model=$1 secs=$2
  shift 2
  "$BIN" view "$model" --fps --quit-after $((secs * 1000)) >"$tmp/out" 2>"$tmp/err" &
  local pid=$! win
  # polled: a search can fail with BadWindow when a window goes while it looks
  local t
  for t in $(seq 1 $((300 * slow))); do
    win=$(xdotool search --onlyvisible --name '^convscope' 2>/dev/null | head -n 1)
    [ -n "$win" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$win" ] || fail "$model: no window"
  for k in "$@"; do
    kill -0 $pid 2>/dev/null || break
    xdotool key --window "$win" "$k" 2>/dev/null || true
    sleep 0.4
  done
  wait $pid
  rc=$?
  [ $rc = 0 ] || { fail "$model: view ended with $rc"; cat "$tmp/err" >&2; }
}

# check WHAT: the --fps line of $tmp/out
check() {
  local line
  line=$(grep '^view --fps: ' "$tmp/out")
  [ "$(grep -c '^view --fps: ' "$tmp/out")" = 1 ] || { fail "$1: not one --fps line: $(cat "$tmp/out")"; return; }
  python3 - "$line" <<'PY' || fail "$1: $line"
import re, sys
m = re.fullmatch(r"view --fps: min ([0-9]+\.[0-9]) median ([0-9]+\.[0-9]) max ([0-9]+\.[0-9]) fps, "
                 r"worst frame ([0-9]+\.[0-9]) ms, ([0-9]+)-frame windows, ([0-9]+) frames", sys.argv[1])
if not m:
    sys.exit("not the --fps line's form")
lo, med, hi, worst = map(float, m.group(1, 2, 3, 4))
window, frames = int(m.group(5)), int(m.group(6))
if not (lo > 0 and worst > 0 and frames > 0 and window > 0):
    sys.exit("a figure is not positive")
if not lo <= med <= hi:
    sys.exit("min <= median <= max does not hold")
if window != min(frames, 30):
    sys.exit("the window is not min(frames, 30)")
# a window's average gap is at most its worst one: fps >= 1000 / worst
# (one decimal printed on each side)
if lo < 1000 / (worst + 0.05) - 0.05:
    sys.exit("the slowest window is slower than the worst frame allows")
# and a frame counted is a gap between two frames drawn one after the
# other: not longer than the whole session
if worst > 60000:
    sys.exit("the worst frame is longer than the session")
PY
}

# LeNet-5: Space plays the forward pass (the window draws each step without
# pause), G runs a pattern through the network on the worker.
session lenet5 $((6 * slow)) space g g space g
check "lenet5 playing"
# (how many depends on the machine's speed: only that some were counted)
grep -q '^view --fps: .* \([2-9]\|[1-9][0-9]\+\) frames$' "$tmp/out" ||
  fail "lenet5: no frames counted while playing: $(cat "$tmp/out")"

# Without --fps: no line.
"$BIN" view lenet5 --quit-after 300 >"$tmp/out" 2>"$tmp/err" || fail "view without --fps: $(cat "$tmp/err")"
! grep -q 'fps' "$tmp/out" || fail "view without --fps printed: $(cat "$tmp/out")"

# The window closed before anything moved: a line that says so, and no figures.
"$BIN" view lenet5 --fps --quit-after 1 >"$tmp/out" 2>"$tmp/err" || fail "view --fps --quit-after 1: $(cat "$tmp/err")"
grep -q '^view --fps: ' "$tmp/out" || fail "view --fps --quit-after 1: no --fps line: $(cat "$tmp/out")"

[ $fails = 0 ] && echo "fps: OK" || echo "fps: $fails failure(s)" >&2
[ $fails = 0 ]
