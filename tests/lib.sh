# lib.sh — what the command-line test scripts share (sourced, not run):
# a temporary folder $tmp removed on exit, fail, and expect.

fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE CMD...: exit code CODE; for code 2 (a usage error), exactly one
# line on stderr. stdout in $tmp/out, stderr in $tmp/err.
expect() {
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" != "$want" ]; then fail "'$*' exited $got, expected $want"; cat "$tmp/err" >&2; return; fi
  if [ "$want" = 2 ] && [ "$(wc -l <"$tmp/err")" != 1 ]; then
    fail "'$*' printed $(wc -l <"$tmp/err") lines on stderr, expected 1"; cat "$tmp/err" >&2
  fi
}
