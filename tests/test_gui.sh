#!/usr/bin/env bash
# test_gui.sh — the window driven by real X events: a virtual X server
# (Xvfb, through xvfb-run) and xdotool's keys, clicks and resizes. Steps
# through the layers, plays and stops, zooms into a map and picks a unit,
# opens the filters, 3D, compare, zoo, help, top-9 and occlusion views, walks a lesson,
# changes the network in the model picker, opens an imported ONNX file and its
# receptive-field screen, goes to presentation mode and
# back, resizes the window, saves
# screenshots with F12 and quits; Esc goes back one level on every screen and
# view and never quits, Q quits at once when idle and asks first while a job
# runs, the idle window uses almost no CPU, the strip's arrows step; keys and clicks sent while the worker
# computes (the picker's Enter then Esc; on VGG-16, a slow pass: n n, Space
# with clicks) must end where the same steps one at a time do; checks what the
# screen shows after each
# event, that every screenshot is a PNG of the window's size, and that the
# program ends by itself with code 0 (and, under the sanitizers, no report).
#
# What the screen shows is read from Xvfb's frame buffer (-fbdir: the screen
# as an XWD file, raw pixels), a region at a time. F12 is the barrier between
# steps: the window saves the screenshot once the frame after the keys is
# drawn and the job they started has finished, so a new PNG in the folder
# means that everything sent before it has been handled.
set -uo pipefail
BIN=$(realpath "${1:?usage: test_gui.sh path/to/convscope}")
SELF=$(realpath "$0")

if [ "${2:-}" != --inside ]; then
  if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "gui: SKIP: xvfb-run not found (apt-get install xvfb xdotool)"
    exit 77
  fi
  command -v xdotool >/dev/null 2>&1 || { echo "FAIL: xdotool not found (apt-get install xdotool)" >&2; exit 1; }
  tmp=$(mktemp -d)
  # -noreset: the server stays as it is when the last client leaves (a program
  # that ends), so that the next one started at once finds it ready.
  # xvfb-run -a takes the first free display number; another server started
  # at the same moment can take it first, so try again when ours did not start.
  for attempt in 1 2 3; do
    rm -f "$tmp/started"
    mkdir -p "$tmp/fb"
    xvfb-run -a -e "$tmp/xvfb.err" -s "-screen 0 1600x1200x24 -fbdir $tmp/fb -nolisten tcp -noreset" \
      bash "$SELF" "$BIN" --inside "$tmp"
    rc=$?
    if [ -e "$tmp/started" ]; then
      # a failure keeps the screenshots to look at
      if [ "$rc" = 0 ]; then rm -rf "$tmp"; else echo "gui: screenshots kept in $tmp" >&2; fi
      exit $rc
    fi
    echo "gui: the X server did not start (attempt $attempt):" >&2
    cat "$tmp/xvfb.err" >&2
    sleep 2
  done
  rm -rf "$tmp"
  exit 1
fi

# ---- inside the X server ---------------------------------------------------------------------
tmp=${3:?}
touch "$tmp/started"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# Waits are deadlines polled every 0.2 s, long enough for a loaded machine;
# the sanitizer build is several times slower.
slow=1
[ -n "${CONVSCOPE_SANITIZED:-}" ] && slow=4
wait_s=$((90 * slow))

# The software renderer: what a machine without a GPU uses, the same pixels
# on every run.
export SDL_RENDER_DRIVER=software
export XDG_CACHE_HOME="$tmp/cache" # top-9's scan cache
export XDG_DATA_HOME="$tmp/data"   # the training screen's weights
# Under the sanitizers, leaks are looked for but the report does not decide
# the exit code: the X11 libraries SDL opens at run time keep a few
# allocations past exit and are unloaded before the leak check, so their
# stacks cannot even be named (and a suppression cannot match them). A leak
# is ours, and fails the test, when a frame of its stack is in our sources.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=0"

png_size() { # "W H" from a PNG's IHDR
  od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}

# region X Y W H: a digest of that rectangle of the window as the screen
# shows it now (window coordinates)
region() {
  local geo wx wy
  geo=$(xdotool getwindowgeometry --shell "$wid") || { echo none; return; }
  wx=$(sed -n 's/^X=//p' <<<"$geo")
  wy=$(sed -n 's/^Y=//p' <<<"$geo")
  python3 - "$tmp/fb/Xvfb_screen0" $((wx + $1)) $((wy + $2)) "$3" "$4" <<'EOF'
import hashlib, struct, sys
fb, x, y, w, h = sys.argv[1], *map(int, sys.argv[2:])
with open(fb, "rb") as f:
    d = f.read()
# XWD header: 25 big-endian CARD32 (header size, ..., width at 4, height at
# 5, bits per pixel at 11, bytes per line at 12, colour count at 19), then
# the window name, then the colour map (12 bytes a colour), then the pixels.
hdr = struct.unpack(">25I", d[:100])
size, W, H, bpp, bpl, ncol = hdr[0], hdr[4], hdr[5], hdr[11], hdr[12], hdr[19]
off = size + 12 * ncol
bpx = bpp // 8
x, y = max(0, x), max(0, y)
w, h = min(w, W - x), min(h, H - y)
m = hashlib.md5()
for r in range(y, y + h):
    o = off + r * bpl + x * bpx
    m.update(d[o:o + w * bpx])
print(m.hexdigest())
EOF
}

shots() { ls "$tmp/shots" | grep -c '\.png$'; }
# shot NAME: F12, then wait for the new PNG (the barrier between steps);
# its path is kept in $last. The pixels are read a moment later, once the
# frame the PNG was taken from is on the screen.
last=""
shot() {
  local before n t=0
  before=$(shots)
  xdotool key F12
  while n=$(shots); [ "$n" -le "$before" ]; do
    sleep 0.2
    t=$((t + 1))
    if ! kill -0 "$pid" 2>/dev/null; then fail "$1: the program ended"; return 1; fi
    if [ $t -ge $((wait_s * 5)) ]; then fail "$1: no screenshot after ${wait_s}s"; return 1; fi
  done
  last="$tmp/shots/$(ls -t "$tmp/shots" | grep '\.png$' | head -1)"
  sleep 0.3
}
# geometry of the window, for the regions: the maps (right of the input
# column, above the status line), the input column, everything but the
# status line (which names the last screenshot)
regions() {
  eval "$(xdotool getwindowgeometry --shell "$wid")"
  main_r="$((WIDTH / 4 + 40)) 70 $((WIDTH - WIDTH / 4 - 60)) $((HEIGHT - 120))"
  left_r="0 70 $((WIDTH / 4 + 16)) $((HEIGHT - 120))"
  all_r="0 0 $WIDTH $((HEIGHT - 50))"
}
# same A B WHAT / differ A B WHAT
same() { [ "$1" = "$2" ] || fail "$3: the screen changed"; }
differ() { [ "$1" != "$2" ] || fail "$3: the screen did not change"; }
key() { xdotool key "$@"; }
# click X Y (window coordinates), then the pointer leaves the maps (no hover note)
click() { xdotool mousemove --window "$wid" "$1" "$2" click 1 mousemove --window "$wid" 4 4; }

# start BIN ARGS...: the program in the background, its window found and focused
start() {
  mkdir -p "$tmp/shots"
  (cd "$tmp/shots" && exec "$BIN" "$@" >"$tmp/out" 2>"$tmp/err") &
  pid=$!
  wid=$(timeout "$wait_s" xdotool search --sync --onlyvisible --name '^convscope' | head -1)
  if [ -z "$wid" ]; then fail "'convscope $*': no window after ${wait_s}s"; cat "$tmp/err" >&2; return 1; fi
  xdotool windowfocus --sync "$wid" mousemove --window "$wid" 4 4
}
# finish WHAT: the program ends by itself within the deadline, with code 0
# and a clean stderr
finish() {
  local t=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    t=$((t + 1))
    if [ $t -ge $((wait_s * 5)) ]; then
      fail "$1: still running ${wait_s}s after the quit"
      kill -9 "$pid"
      break
    fi
  done
  wait "$pid"
  local rc=$?
  [ "$rc" = 0 ] || fail "$1: exit code $rc"
  if grep -q "ERROR: AddressSanitizer\|runtime error" "$tmp/err"; then fail "$1: sanitizer report"; cat "$tmp/err" >&2; fi
  # leak reports: blocks from "leak of" to the blank line; ours name a source file of the tree
  if awk '/leak of/ {b = ""; on = 1} on {b = b $0 "\n"} on && /^$/ {on = 0; if (b ~ /\/(app|viz|engine|models)\/[a-z_0-9]+\.c/) {printf "%s", b; bad = 1}}
          END {exit !bad}' "$tmp/err" >&2; then
    fail "$1: memory leaked by convscope (stacks above)"
  fi
}

t0=$(date +%s)

# ---- the stepper: LeNet-5 and its handwritten digit ---------------------------------------
# a symbolic link planted where a screenshot named after its PNG would put its
# temporary file: the screenshot's own temporary file is new, the link untouched
mkdir -p "$tmp/shots"
printf 'victim' >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/shots/convscope-lenet5-1.png.tmp"
start view lenet5 || exit 1
shot "first frame" || exit 1
[ "$(cat "$tmp/victim")" = victim ] && [ -L "$tmp/shots/convscope-lenet5-1.png.tmp" ] ||
  fail "F12 wrote through the symbolic link convscope-lenet5-1.png.tmp"
! compgen -G "$tmp/shots/*.??????.tmp" >/dev/null || fail "F12 left a temporary file"
[ "$(od -An -c -N4 "$last" | tr -d ' ')" = "211PNG" ] || fail "F12 did not write a PNG"
[ "$(png_size "$last")" = "1280 800" ] || fail "screenshot size $(png_size "$last"), window 1280x800"
regions
m_c1=$(region $main_r) # the window opens on the first layer after the input

key Right && shot "Right" || exit 1
differ "$m_c1" "$(region $main_r)" "Right (the next layer)"
key Left && shot "Left" || exit 1
same "$m_c1" "$(region $main_r)" "Right then Left"
key Left && shot "Left" || exit 1
m_input=$(region $main_r)
differ "$m_c1" "$m_input" "Left (the input)"

# play: the layers go by, then Space stops them where they are
key End Home && shot "Home" || exit 1
same "$m_input" "$(region $main_r)" "End then Home"
key space
t=0
while [ "$(region $main_r)" = "$m_input" ] && [ $t -lt $((wait_s * 5)) ]; do sleep 0.2; t=$((t + 1)); done
key space && shot "Space (stop)" || exit 1
m_stop=$(region $main_r)
differ "$m_input" "$m_stop" "Space (play)"
sleep 1.5
same "$m_stop" "$(region $main_r)" "Space (stop): still playing"

# a click on the first map of c1 zooms into it, a second one picks a unit:
# its receptive field on the input
key Home Right && shot "c1" || exit 1
l_c1=$(region $left_r)
tile_x=$((WIDTH / 4 + 32 + 60)) tile_y=$((HEIGHT / 4 + 20))
click $tile_x $tile_y && shot "click a map" || exit 1
m_zoom=$(region $main_r)
differ "$m_c1" "$m_zoom" "click on a map (zoom)"
click $tile_x $tile_y && shot "click a unit" || exit 1
differ "$l_c1" "$(region $left_r)" "click on a unit (its receptive field on the input)"
m_zoom=$(region $main_r)

# views that take the place of the maps, each key opening and closing its own
for k in t o v; do
  key $k && shot "$k" || exit 1
  differ "$m_zoom" "$(region $main_r)" "key $k"
  key $k && shot "$k again" || exit 1
  same "$m_zoom" "$(region $main_r)" "key $k twice"
done
# V after T: the visualisation beside the top-9 (three panels, not the top-9 alone)
key t && shot "t (before v)" || exit 1
m_t9=$(region $main_r)
key v && shot "t, v" || exit 1
differ "$m_t9" "$(region $main_r)" "key v after t (the visualisation beside the top-9)"
key v && shot "t, v, v" || exit 1
same "$m_zoom" "$(region $main_r)" "key v closing the visualisation"
key Escape && shot "Esc (out of the zoom)" || exit 1
same "$m_c1" "$(region $main_r)" "Esc from the zoom"
for k in f 3 h Tab; do
  key $k && shot "$k" || exit 1
  differ "$m_c1" "$(region $main_r)" "key $k"
  key $k && shot "$k again" || exit 1
  same "$m_c1" "$(region $main_r)" "key $k twice"
done
# Grad-CAM of the layer: A shows the top class's map, A again the second
# class's, and the sixth A (past the top-5) closes it
key a && shot "a (Grad-CAM)" || exit 1
m_cam=$(region $main_r)
differ "$m_c1" "$m_cam" "key a"
key a && shot "a again (the second class)" || exit 1
differ "$m_cam" "$(region $main_r)" "key a twice"
key a a a a && shot "a six times" || exit 1
same "$m_c1" "$(region $main_r)" "key a six times"

# Esc goes back one level on every view of the stepper and never quits (shot
# fails when the program has ended); on the stepper with nothing open it does
# nothing
for k in f 3 h Tab e; do
  key $k && shot "$k (then Esc)" || exit 1
  key Escape && shot "$k, Esc" || exit 1
  same "$m_c1" "$(region $main_r)" "key $k then Esc"
done
key Escape && shot "Esc with nothing open" || exit 1
same "$m_c1" "$(region $main_r)" "Esc with nothing open"
key Escape && shot "Esc again with nothing open" || exit 1
# draw mode: Esc leaves it (a click on the input then draws nothing); N feeds
# the test image again
key w && shot "w (draw mode)" || exit 1
key Escape && shot "w, Esc" || exit 1
l_w=$(region $left_r)
click $((WIDTH / 8)) $((HEIGHT / 4)) && shot "a click on the input after leaving draw mode" || exit 1
same "$l_w" "$(region $left_r)" "draw mode left with Esc (a click still drew)"
key n && shot "w, Esc, n" || exit 1
same "$m_c1" "$(region $main_r)" "w, Esc, n"

# screens of their own: compare, zoo, receptive fields, the picker; Esc comes
# back to the stepper; with their help open, the first Esc closes the help
a_c1=$(region $all_r)
for k in c z r m; do
  key $k && shot "$k" || exit 1
  a_k=$(region $all_r)
  if [ $k = c ]; then # its times fill in as they are measured (slowly under load): wait for the last
    for ((t = 0; t < 90; t++)); do
      sleep 1
      shot "$k (measuring)" || exit 1
      a_n=$(region $all_r)
      [ "$a_n" = "$a_k" ] && break
      a_k=$a_n
    done
  fi
  differ "$a_c1" "$a_k" "key $k"
  key h && shot "$k, h" || exit 1
  key Escape && shot "$k, h, Esc" || exit 1
  # the help closed, the screen kept (the zoo's times change as they are measured)
  if [ $k = z ]; then differ "$a_c1" "$(region $all_r)" "key $k, h then Esc (back on the stepper at once)"
  else same "$a_k" "$(region $all_r)" "key $k, h then Esc (the help closed, the screen kept)"; fi
  key Escape && shot "$k, Esc" || exit 1
  same "$a_c1" "$(region $all_r)" "key $k then Esc"
done

# the basics screen: K opens it; a preset, a setting and an edited kernel cell
# (click, +) each change it; Esc comes back
key k && shot "k (basics)" || exit 1
a_b=$(region $all_r)
differ "$a_c1" "$a_b" "key k"
key 2 && shot "basics: 2 (Laplacian)" || exit 1
differ "$a_b" "$(region $all_r)" "basics: key 2 (the Laplacian)"
a_b=$(region $all_r)
key shift+p && shot "basics: Shift+P" || exit 1
differ "$a_b" "$(region $all_r)" "basics: Shift+P (padding 1)"
a_b=$(region $all_r)
click $((WIDTH / 2)) $((HEIGHT * 3 / 10)) && key plus && shot "basics: a cell, +" || exit 1
differ "$a_b" "$(region $all_r)" "basics: click the kernel's centre, +"
key Escape Escape && shot "basics, Esc" || exit 1
same "$a_c1" "$(region $all_r)" "key k then Esc"

# the model picker, Enter and Esc at once: the open is cancelled, and the
# network made meanwhile never replaces LeNet-5 (the compare screen, which
# once took it, is visited after the worker has had time to make it)
key m && shot "m" || exit 1
key Right Down Return Escape && shot "the picker's Enter, Esc" || exit 1
case "$last" in */convscope-lenet5-*.png) ;; *) fail "Enter then Esc in the picker: $(basename "$last")" ;; esac
sleep $((5 * slow))
key c && shot "c after a cancelled open" || exit 1
key Escape && shot "c, Esc after a cancelled open" || exit 1
case "$last" in */convscope-lenet5-*.png) ;; *) fail "a cancelled open replaced LeNet-5: $(basename "$last")" ;; esac
same "$a_c1" "$(region $all_r)" "a cancelled open"

# the model picker: the next year's second network (AlexNet mini), opened on
# the worker; the screenshot after Enter is of the new network
key m && shot "m" || exit 1
differ "$a_c1" "$(region $all_r)" "key m"
key Right Down Return && shot "the picker's Enter" || exit 1
case "$last" in
  */convscope-alexnet_mini-*.png) ;;
  *) fail "the picker opened $(basename "$last"), expected AlexNet mini" ;;
esac
differ "$a_c1" "$(region $all_r)" "another network"

# presentation mode: the whole screen, larger type, white on black; F11
# again gives the window back
a_net=$(region $all_r)
# shot_sized WHAT "W H" WANT: screenshots until one is W x H (a window manager
# may take a moment), failing after ten
shot_sized() {
  local t=0
  until shot "$1" && [ "$(png_size "$last")" = "$2" ]; do
    t=$((t + 1))
    [ $t -lt 10 ] || { fail "$1: screenshot $(png_size "$last"), expected $3"; break; }
    sleep 0.5
  done
}
key F11
shot_sized "F11" "1600 1200" "the 1600x1200 screen"
key F11
shot_sized "F11 twice" "1280 800" "the 1280x800 window"
same "$a_net" "$(region $all_r)" "F11 twice"
# without a window manager the window itself covers the screen (not the old
# window's size with the frame laid out beyond it), and Esc leaves full screen
key F11
shot_sized "F11 (then Esc)" "1600 1200" "the 1600x1200 screen"
eval "$(xdotool getwindowgeometry --shell "$wid")"
[ "$WIDTH $HEIGHT" = "1600 1200" ] || fail "F11: the window is $WIDTH x $HEIGHT on a 1600x1200 screen"
cp "$last" "$tmp/presenting.png"
key Escape
shot_sized "F11, Esc" "1280 800" "the 1280x800 window"
same "$a_net" "$(region $all_r)" "F11 then Esc"

# a resize: the layout follows, the screenshot has the new size
xdotool windowsize --sync "$wid" 1100 700
t=0
until shot "resize" && [ "$(png_size "$last")" = "1100 700" ]; do
  t=$((t + 1))
  [ $t -lt 10 ] || { fail "screenshot size $(png_size "$last") after a resize to 1100x700"; break; }
  sleep 0.5
done
regions
[ "$WIDTH $HEIGHT" = "1100 700" ] || fail "window $WIDTH x $HEIGHT after a resize to 1100x700"
# the layer strip's arrows: ">" just right of the strip, "<" just left of it,
# each a step to the layers beyond that end
key Home && shot "Home at 1100x700" || exit 1
m_home=$(region $main_r)
click $((WIDTH - 8)) 30 && shot "the strip's >" || exit 1
m_next=$(region $main_r)
differ "$m_home" "$m_next" "a click on the strip's >"
click 22 30 && shot "the strip's <" || exit 1
differ "$m_next" "$(region $main_r)" "a click on the strip's <"
# Q on an idle window quits at once
key q
finish "view lenet5, quit with q"
t1=$(date +%s)

# ---- no arguments: the default network; the close request (what the
# window's close button sends) ends it too. Without a window manager, the
# request comes as SIGTERM, which SDL turns into the same SDL_QUIT event.
mv "$tmp/shots" "$tmp/shots-view"
start || exit 1
shot "default view" || exit 1
case "$last" in */convscope-lenet5-1.png) ;; *) fail "the default view is $(basename "$last")" ;; esac
# idle, the window sleeps until an event: its CPU time over 10 s (utime +
# stime in clock ticks) is a bound on the loop, not a timing of our code
sleep 1
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu)
sleep 10
c1=$(cpu)
idle=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", 100 * d / hz / 10}')
echo "gui: idle window: ${idle} % of a core over 10 s"
awk -v p="$idle" 'BEGIN {exit !(p < 5)}' || fail "the idle window used ${idle} % of a core (at most 5 % expected)"
kill -TERM "$pid"
finish "convscope, closed"

# ---- Q while a job runs asks first: the zoo's timings run on the worker for
# many seconds; Q, then Esc (stay), then Q, Y quits
mv "$tmp/shots" "$tmp/shots-idle"
start view lenet5 || exit 1
shot "lenet5 for the quit" || exit 1
key z && shot "z (timing the zoo)" || exit 1
key q
sleep 1
kill -0 "$pid" 2>/dev/null || fail "Q while the zoo was being timed quit without asking"
key Escape
sleep 1
kill -0 "$pid" 2>/dev/null || fail "Esc after the quit's question quit"
key q
sleep 0.5
key y
finish "Q, Y while the zoo was being timed"

# ---- lessons: L on the first screen lists the chapters; chapter 2 (LeNet-5) is
# walked with Right and Page Down, back with Left; each step changes the screen
# and the program stays alive; Esc leaves at the step, the user
# explores (Tab), L comes back to the same step, U switches its language
# and back; 1280x720 and 1920x1080
mv "$tmp/shots" "$tmp/shots-default"
start view lenet5 --lang en || exit 1
shot "lessons: first frame" || exit 1
regions
a_first=$(region $all_r)
key l && shot "lessons: L" || exit 1
a_list=$(region $all_r)
differ "$a_first" "$a_list" "L (the chapter list)"
key Down Return && shot "lessons: chapter 2" || exit 1
a_s1=$(region $all_r)
differ "$a_list" "$a_s1" "Down, Enter (chapter 2)"
prev=$a_s1
for k in Right Right Right Next; do
  key $k && shot "lessons: $k" || exit 1
  cur=$(region $all_r)
  differ "$prev" "$cur" "lessons: $k (the next step)"
  prev=$cur
done
a_s5=$prev
key Left && shot "lessons: Left" || exit 1
a_s4=$(region $all_r)
differ "$a_s5" "$a_s4" "lessons: Left (the previous step)"
kill -0 "$pid" 2>/dev/null || fail "lessons: the program ended while stepping"
# leave at step 4, explore (the layer table), come back: step 4 again
key Escape && shot "lessons: Esc" || exit 1
a_left=$(region $all_r)
differ "$a_s4" "$a_left" "lessons: Esc (the stepper, the caption gone)"
key Tab && shot "lessons: Tab while exploring" || exit 1
differ "$a_left" "$(region $all_r)" "lessons: Tab while exploring"
key l && shot "lessons: L again" || exit 1
same "$a_s4" "$(region $all_r)" "lessons: L back to step 4"
# U: the same step in Korean (the words change, the state stays), U again: English
key u && shot "lessons: U (Korean)" || exit 1
differ "$a_s4" "$(region $all_r)" "lessons: U (the step in Korean)"
key u && shot "lessons: U again (English)" || exit 1
same "$a_s4" "$(region $all_r)" "lessons: U twice (step 4 in English again)"
# the last question's answer on Enter
key End && shot "lessons: End" || exit 1
a_q=$(region $all_r)
key Return && shot "lessons: Enter" || exit 1
differ "$a_q" "$(region $all_r)" "lessons: Enter (the answer)"
# the sizes of a projector: the screenshots have them; a step changes at each
for spec in "1280 720 Home" "1920 1080 End"; do
  size=${spec% *} move=${spec##* }
  xdotool windowsize --sync "$wid" ${size% *} ${size#* }
  t=0
  until shot "lessons: $size" && [ "$(png_size "$last")" = "$size" ]; do
    t=$((t + 1))
    [ $t -lt 10 ] || { fail "lessons: screenshot $(png_size "$last") after a resize to $size"; break; }
    sleep 0.5
  done
  cp "$last" "$tmp/lesson-${size% *}.png"
  regions
  a_sz=$(region $all_r)
  key $move && shot "lessons: $size, $move" || exit 1
  differ "$a_sz" "$(region $all_r)" "lessons: $size, $move (the first or last step)"
  cp "$last" "$tmp/lesson-${size% *}-$move.png"
done
kill -0 "$pid" 2>/dev/null || fail "lessons: the program ended"
key q
finish "view lenet5, lessons"

t2=$(date +%s)

# ---- a slow network (VGG-16, a pass takes a good fraction of a second): what
# is asked while the worker computes is done after it, in order, and never
# meanwhile
mv "$tmp/shots" "$tmp/shots-lessons"
start view vgg16 || exit 1
shot "vgg16" || exit 1
regions
l_p0=$(region $left_r)
# n n, the second while the first pass runs: two patterns on, not one
key n && shot "vgg16 n" || exit 1
l_p1=$(region $left_r)
differ "$l_p0" "$l_p1" "vgg16 n (the next pattern)"
key n && shot "vgg16 n, n" || exit 1
l_p2=$(region $left_r)
differ "$l_p1" "$l_p2" "vgg16 n, n"
key p && shot "vgg16 p" || exit 1
key p && shot "vgg16 p, p" || exit 1
same "$l_p0" "$(region $left_r)" "vgg16 n n p p"
xdotool key --delay 40 n n && shot "vgg16 n n quickly" || exit 1
same "$l_p2" "$(region $left_r)" "n n quickly (the second n was lost)"
# conv5_3, a map, a unit: its effective receptive field (a pass down the
# whole network); then the same with the player started just before the
# clicks and stopped just after: it must not step while the worker computes
key Home && xdotool key --delay 5 --repeat 29 Right && shot "vgg16 conv5_3" || exit 1
m_53=$(region $main_r)
tile_x=$((WIDTH / 4 + 32 + 60)) tile_y=$((HEIGHT / 4 + 20))
click $tile_x $tile_y && shot "vgg16 a map" || exit 1
click $tile_x $tile_y && shot "vgg16 a unit" || exit 1
m_unit=$(region $main_r) l_unit=$(region $left_r)
differ "$m_53" "$m_unit" "vgg16 conv5_3, a map"
differ "$l_p2" "$l_unit" "vgg16 conv5_3, a unit (its receptive field)"
key Escape && shot "vgg16 out of the zoom" || exit 1
same "$m_53" "$(region $main_r)" "vgg16 Esc from the zoom"
key space
xdotool mousemove --window "$wid" $tile_x $tile_y click 1 sleep 0.05 click 1 mousemove --window "$wid" 4 4 key space
shot "vgg16 Space, a map, a unit, Space" || exit 1
same "$m_unit" "$(region $main_r)" "Space, a map, a unit, Space (the player stepped meanwhile)"
same "$l_unit" "$(region $left_r)" "Space, a map, a unit, Space: the unit's receptive field"
key q
finish "view vgg16"

t3=$(date +%s)

# ---- an imported ONNX model (a PyTorch export of ShuffleNet V2): it steps like a
# zoo network, its feature maps change from layer to layer, and the receptive-field
# screen draws it with the classic nine (a curve the default chart does not have)
ONNX_MODEL="$(dirname "$SELF")/fixtures/torch/shufflenetv2_small/model.onnx"
start view "$ONNX_MODEL" || exit 1
shot "onnx" || exit 1
regions
m_o0=$(region $main_r)
key Right && key Right && key Right && shot "onnx Right x3" || exit 1
m_o3=$(region $main_r)
differ "$m_o0" "$m_o3" "an imported model, three layers on"
a_o=$(region $all_r)
key r && shot "onnx r" || exit 1
a_rf=$(region $all_r)
differ "$a_o" "$a_rf" "key r on an imported model"
key Escape && shot "onnx r, Esc" || exit 1
same "$a_o" "$(region $all_r)" "key r then Esc on an imported model"
key q
finish "view FILE.onnx"

t4=$(date +%s)

# ---- the canvas (W): a stroke drawn, the pen's size (+), the inversion (I)
# each change the input column; then the projection rules on LeNet-5, which
# agree there: Shift+D opens the network where they differ
mv "$tmp/shots" "$tmp/shots-onnx"
start view lenet5 || exit 1
shot "lenet5 again" || exit 1
regions
key w && shot "w (draw)" || exit 1
l_w=$(region $left_r)
xdotool mousemove --window "$wid" 70 150 mousedown 1
for i in 1 2 3 4 5 6 7 8; do xdotool mousemove --window "$wid" $((70 + 22 * i)) $((150 + 28 * i)); sleep 0.03; done
xdotool mouseup 1 mousemove --window "$wid" 4 4
shot "a stroke on the canvas" || exit 1
l_s=$(region $left_r)
differ "$l_w" "$l_s" "a stroke on the canvas"
key plus && shot "+ (pen)" || exit 1
l_p=$(region $left_r)
differ "$l_s" "$l_p" "+ on the canvas (the pen's size)"
key i && shot "i (invert)" || exit 1
differ "$l_p" "$(region $left_r)" "i on the canvas (invert on)"
key BackSpace w && shot "Backspace, w" || exit 1
key Home Right Right Right Right Right && shot "c3_tanh" || exit 1
tile_x=$((WIDTH / 4 + 32 + 60)) tile_y=$((HEIGHT / 4 + 20))
click $tile_x $tile_y && key d && shot "c3_tanh, a map, d" || exit 1
case "$last" in */convscope-lenet5-*.png) ;; *) fail "d on lenet5: $(basename "$last")" ;; esac
key shift+d && shot "Shift+D" || exit 1
case "$last" in */convscope-lenet5_modern-*.png) ;; *) fail "Shift+D on lenet5's c3_tanh opened $(basename "$last")" ;; esac
key q
finish "view lenet5: canvas and projection rules"

# ---- the training screen: J; one epoch (- -), Enter starts and Space pauses at
# once: nothing moves while paused; Esc goes back to the stepper and J returns
# to the same run; Q asks first while it trains; Space resumes and Backspace
# stops it, saved where it stopped, a checkpoint `train --resume` continues to
# the weights of an uninterrupted `train` run; Enter opens them in the stepper
t5=$(date +%s)
mv "$tmp/shots" "$tmp/shots-canvas"
start view lenet5 || exit 1
shot "lenet5 for training" || exit 1
regions
s_step=$(region $all_r)
key j && shot "j (training screen)" || exit 1
s_train=$(region $all_r)
differ "$s_step" "$s_train" "j (the training screen)"
ck="$tmp/data/convscope/trained/lenet5-digits.safetensors"
key minus minus Return space
# the run has begun once its step-0 filter snapshot exists; its first step follows, then the pause
for _ in $(seq 1 $((wait_s * 5))); do [ -e "${ck%.safetensors}.filters.safetensors" ] && break; sleep 0.2; done
sleep $((2 * slow))
shot "one epoch, Enter, Space (paused)" || exit 1
s_p1=$(region $all_r)
differ "$s_train" "$s_p1" "Enter (training started)"
sleep 1.5
shot "paused, 1.5 s later" || exit 1
same "$s_p1" "$(region $all_r)" "a paused run"
key Escape && shot "Esc (the stepper, training paused)" || exit 1
same "$s_step" "$(region $all_r)" "Esc from the training screen"
key j && shot "j (back to the run)" || exit 1
same "$s_p1" "$(region $all_r)" "j back to the paused run"
key q
sleep 1
kill -0 "$pid" 2>/dev/null || fail "Q while training quit without asking"
key Escape
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "Esc after the quit's question (training) quit"
key space BackSpace
for _ in $(seq 1 $((wait_s * 5))); do [ -e "$ck" ] && break; sleep 0.2; done
[ -e "$ck" ] || fail "Space, Backspace: no checkpoint at $ck"
shot "stopped" || exit 1
differ "$s_p1" "$(region $all_r)" "Backspace (the run stopped)"
"$BIN" train lenet5 --data digits --epochs 1 --out "$tmp/full.safetensors" >/dev/null 2>"$tmp/train.err" ||
  fail "train lenet5 --epochs 1: $(cat "$tmp/train.err")"
cp "$ck" "$tmp/stopped.safetensors"
"$BIN" train lenet5 --data digits --epochs 1 --resume "$tmp/stopped.safetensors" --out "$tmp/stopped.safetensors" \
  >/dev/null 2>"$tmp/train.err" || fail "train --resume of the window's checkpoint: $(cat "$tmp/train.err")"
grep -q "resuming lenet5 at epoch 1, batch [1-9]" "$tmp/train.err" || fail "the window's run did not stop inside its epoch: $(cat "$tmp/train.err")"
cmp -s "$tmp/full.safetensors" "$tmp/stopped.safetensors" ||
  fail "the window's stopped run, resumed by train, differs from an uninterrupted train run"
key Return && shot "Enter (open the trained weights)" || exit 1
differ "$(region $all_r)" "$s_p1" "Enter after the run (the stepper)"
key q
finish "the training screen"

t6=$(date +%s)

# ---- a probe under way: the picture stays, dimmed, under the progress box, with
# what the probe has found so far below the box (the best nine images of the
# test set scanned so far; the visualisation's input so far); Esc stops it. The
# same on a lesson's step. CONVSCOPE_HOLD_PROBE holds a probe half way until it
# is cancelled, so that the frame can be read while the job runs.
cat >"$tmp/pix.py" <<'EOF'
import struct, sys
def grab(fb, x, y, w, h):
    d = open(fb, "rb").read()
    hdr = struct.unpack(">25I", d[:100])
    size, W, H, bpp, bpl, ncol = hdr[0], hdr[4], hdr[5], hdr[11], hdr[12], hdr[19]
    off, bpx = size + 12 * ncol, bpp // 8
    px = []
    for r in range(y, min(y + h, H)):
        o = off + r * bpl + x * bpx
        row = d[o:o + min(w, W - x) * bpx]
        px += [(row[i + 2], row[i + 1], row[i]) for i in range(0, len(row), bpx)]
    return px
cmd = sys.argv[1]
if cmd == "grab":  # grab FB X Y W H OUT
    fb, x, y, w, h, out = sys.argv[2], *map(int, sys.argv[3:7]), sys.argv[7]
    open(out, "w").write("\n".join("%d %d %d" % p for p in grab(fb, x, y, w, h)))
elif cmd == "count":  # count FILE R G B: pixels of exactly that colour
    want = " ".join(sys.argv[3:6])
    print(sum(1 for l in open(sys.argv[2]) if l.strip() == want))
elif cmd == "dimmed":  # dimmed BEFORE DURING: during is before under a black veil
    a = [tuple(map(int, l.split())) for l in open(sys.argv[2])]
    b = [tuple(map(int, l.split())) for l in open(sys.argv[3])]
    lit = [(p, q) for p, q in zip(a, b) if max(p) >= 60]
    ok = sum(1 for p, q in lit if all(abs(qc - pc * 145 / 255) <= 3 for pc, qc in zip(p, q)))
    print("%d of %d lit pixels dimmed" % (ok, len(lit)))
    sys.exit(0 if len(lit) > 200 and ok >= 0.95 * len(lit) else 1)
EOF
grab() { # grab OUT X Y W H (window coordinates)
  local geo wx wy
  geo=$(xdotool getwindowgeometry --shell "$wid")
  wx=$(sed -n 's/^X=//p' <<<"$geo")
  wy=$(sed -n 's/^Y=//p' <<<"$geo")
  python3 "$tmp/pix.py" grab "$tmp/fb/Xvfb_screen0" $((wx + $2)) $((wy + $3)) "$4" "$5" "$1"
}
# held WHAT X Y W H: within the deadline, the progress box's bar (its accent
# colour, undimmed) half full in that rectangle; 1 if it never is
held() {
  local t=0 n
  while :; do
    grab "$tmp/held.px" "$2" "$3" "$4" "$5"
    n=$(python3 "$tmp/pix.py" count "$tmp/held.px" 255 196 84)
    [ "$n" -ge 2500 ] && return 0
    kill -0 "$pid" 2>/dev/null || { fail "$1: the program ended"; return 1; }
    t=$((t + 1))
    [ $t -ge $((wait_s * 5)) ] && { fail "$1: no progress box half full after ${wait_s}s ($n accent pixels)"; return 1; }
    sleep 0.2
  done
}
mv "$tmp/shots" "$tmp/shots-train"
export CONVSCOPE_HOLD_PROBE=1 XDG_CACHE_HOME="$tmp/cache-hold"
start view lenet5 --data fashion --lang en || exit 1
shot "hold: first frame" || exit 1
regions
key Home Right && shot "hold: c1" || exit 1
click $tile_x $tile_y && shot "hold: a map" || exit 1
m_map=$(region $main_r)
grab "$tmp/before.px" 16 90 $((WIDTH / 4 - 40)) 300 # the input panel: no box over it
for k in t v; do
  key $k
  held "hold: $k" $main_r || break
  grab "$tmp/during.px" 16 90 $((WIDTH / 4 - 40)) 300
  python3 "$tmp/pix.py" dimmed "$tmp/before.px" "$tmp/during.px" >"$tmp/dim" ||
    fail "hold: $k: the input panel is not the last frame dimmed ($(cat "$tmp/dim"))"
  # under the box, on the window's own background: what was found so far
  grab "$tmp/live.px" $main_r
  n=$(python3 "$tmp/pix.py" count "$tmp/live.px" 24 26 32)
  [ "$n" -ge 20000 ] || fail "hold: $k: no results so far under the progress box ($n background pixels)"
  key Escape && shot "hold: $k, Esc" || exit 1
  same "$m_map" "$(region $main_r)" "hold: $k, Esc (the probe stopped, the map as before)"
done
# a lesson's step running a probe: the step before stays on the screen, dimmed
key l && shot "hold: lessons" || exit 1
key Down Down Down Return && shot "hold: chapter 4" || exit 1
key Right Right Right && shot "hold: chapter 4, step 4" || exit 1
grab "$tmp/before.px" 16 90 $((WIDTH / 4 - 40)) 200
key Right
held "hold: the lesson's top-9 step" 0 70 "$WIDTH" $((HEIGHT / 2 - 70)) || true
grab "$tmp/during.px" 16 90 $((WIDTH / 4 - 40)) 200
python3 "$tmp/pix.py" dimmed "$tmp/before.px" "$tmp/during.px" >"$tmp/dim" ||
  fail "hold: the lesson's step is not the last frame dimmed ($(cat "$tmp/dim"))"
key Escape && shot "hold: the lesson's step, Esc" || exit 1
kill -0 "$pid" 2>/dev/null || fail "hold: the program ended"
key q
finish "view lenet5, probes held"
unset CONVSCOPE_HOLD_PROBE
export XDG_CACHE_HOME="$tmp/cache"

echo "gui: view session $((t1 - t0)) s, default $((t2 - t1)) s, vgg16 $((t3 - t2)) s, onnx $((t4 - t3)) s, canvas $((t5 - t4)) s, training $((t6 - t5)) s, probes held $(($(date +%s) - t6)) s"
if [ "$fails" -ne 0 ]; then echo "gui: $fails checks failed" >&2; exit 1; fi
echo "gui: all checks passed"
