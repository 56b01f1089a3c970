#!/usr/bin/env bash
# fuzz_idx.sh — run the IDX reader's libFuzzer target (images and labels,
# plain and gzip) for a bounded time; exits non-zero if it finds a crash, a
# leak, a timeout or an oversized allocation (the failing input is kept).
#
#   tests/fuzz_idx.sh build-fuzz/tests/fuzz_idx [SECONDS] [libFuzzer options...]
#
# Seeds are made at test time by the target itself (FUZZ_SEED_DIR: a small
# valid images and labels pair, plain, gzipped and mixed; see fuzz_idx.c for
# the layout of an input). New inputs go to $FUZZ_CORPUS (a temporary folder
# if unset), failing inputs to $FUZZ_ARTIFACTS (default: the current folder).
# Build the target with ./setup.sh --fuzz.
set -euo pipefail
FUZZER=${1:?usage: fuzz_idx.sh path/to/fuzz_idx [SECONDS] [libFuzzer options...]}
SECONDS_TOTAL=${2:-60}
shift $(($# >= 2 ? 2 : 1))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeds="$tmp/seeds"
mkdir -p "$seeds"
FUZZ_SEED_DIR="$seeds" "$FUZZER" -runs=0 >"$tmp/seed.log" 2>&1 || { cat "$tmp/seed.log" >&2; exit 1; }
if [ "$(ls "$seeds" | wc -l)" -lt 6 ]; then
  echo "fuzz_idx: the target wrote no seeds" >&2
  exit 1
fi
corpus=${FUZZ_CORPUS:-$tmp/corpus}
artifacts=${FUZZ_ARTIFACTS:-.}
mkdir -p "$corpus" "$artifacts"
echo "fuzz_idx: $(ls "$seeds" | wc -l) seeds, ${SECONDS_TOTAL}s, corpus $corpus"
set +e
"$FUZZER" -max_total_time="$SECONDS_TOTAL" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" "$corpus" "$seeds" 2>"$tmp/log"
rc=$?
set -e
tail -n 25 "$tmp/log"
if [ $rc -ne 0 ]; then
  crash=$(grep -o "Test unit written to .*" "$tmp/log" | sed 's/Test unit written to //' | tail -n 1)
  echo "FAIL: fuzz_idx exited $rc; input: ${crash:-?}" >&2
  echo "HINT: replay with '$FUZZER ${crash:-INPUT}', shrink with -minimize_crash=1 -runs=10000" >&2
  exit 1
fi
echo "fuzz_idx: no crash in ${SECONDS_TOTAL}s"
