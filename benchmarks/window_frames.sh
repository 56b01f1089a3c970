#!/usr/bin/env bash
# window_frames.sh — does the window keep drawing while the worker computes?
#
#   benchmarks/window_frames.sh [build/convscope] [SECONDS]
#
# Opens the window under Xvfb (xvfb-run, xdotool: ./setup.sh installs both) on
# LeNet-5 and on VGG-16, and presses G every half second: each press feeds
# the next synthetic pattern, which runs a whole forward pass on the worker
# thread (VGG-16 at 224x224: about 15 GMACs, a few hundred ms here). The
# window prints how long its frames took (view --frame-stats) and its frame
# rate while it draws without pause, that is while those passes run and the
# progress box animates (view --fps: min, median and max frames per second
# over windows of 30 frames, and the worst frame). The target: never below
# 30 frames per second while a VGG-16 pass runs on the worker.
set -euo pipefail
BIN=${1:-build/convscope}
SECS=${2:-10}
command -v xvfb-run >/dev/null && command -v xdotool >/dev/null ||
  { echo "window_frames: needs xvfb-run and xdotool (apt-get install xvfb xdotool)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # model
  cat >"$tmp/drive.sh" <<EOF
#!/usr/bin/env bash
"$BIN" view $1 --frame-stats --fps --quit-after $((SECS * 1000)) >"$tmp/$1.out" 2>"$tmp/$1.err" &
pid=\$!
win=\$(xdotool search --sync --name convscope | head -n 1)
end=\$((SECONDS + $SECS - 1))
while [ \$SECONDS -lt \$end ] && kill -0 \$pid 2>/dev/null; do
  xdotool key --window "\$win" g 2>/dev/null || true
  sleep 0.5
done
wait \$pid
EOF
  chmod +x "$tmp/drive.sh"
  xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$tmp/drive.sh"
  printf '%-8s %s\n' "$1" "$(grep '^view: ' "$tmp/$1.err" || echo "no frame statistics: $(tail -n 1 "$tmp/$1.err")")"
  printf '%-8s %s\n' "" "$(grep '^view --fps: ' "$tmp/$1.out" || echo "no --fps line")"
}

echo "window frames while G runs a forward pass every 0.5 s (${SECS} s each, no GPU):"
run lenet5
run vgg16
