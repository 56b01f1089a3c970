#!/usr/bin/env bash
# fuzz_safetensors.sh — run the weights and checkpoint reader's libFuzzer
# target for a bounded time; exits non-zero if it finds a crash, a leak, a
# timeout or an oversized allocation (the failing input is kept).
#
#   tests/fuzz_safetensors.sh build-fuzz/tests/fuzz_safetensors [SECONDS] [libFuzzer options...]
#
# Seeds are made at test time by the target itself (FUZZ_SEED_DIR: a
# checkpoint with Adam state, plain weights, a snapshot file) and joined by
# the shipped filter snapshots in assets/. New inputs go to $FUZZ_CORPUS (a
# temporary folder if unset), failing inputs to $FUZZ_ARTIFACTS (default:
# the current folder). Build the target with ./setup.sh --fuzz.
set -euo pipefail
FUZZER=${1:?usage: fuzz_safetensors.sh path/to/fuzz_safetensors [SECONDS] [libFuzzer options...]}
SECONDS_TOTAL=${2:-60}
shift $(($# >= 2 ? 2 : 1))
HERE=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeds="$tmp/seeds"
mkdir -p "$seeds"
FUZZ_SEED_DIR="$seeds" "$FUZZER" -runs=0 >"$tmp/seed.log" 2>&1 || { cat "$tmp/seed.log" >&2; exit 1; }
if [ "$(ls "$seeds" | wc -l)" -lt 3 ]; then
  echo "fuzz_safetensors: the target wrote no seeds" >&2
  exit 1
fi
cp "$HERE"/../assets/lenet5_*.filters.safetensors "$seeds/" 2>/dev/null || true
corpus=${FUZZ_CORPUS:-$tmp/corpus}
artifacts=${FUZZ_ARTIFACTS:-.}
mkdir -p "$corpus" "$artifacts"
echo "fuzz_safetensors: $(ls "$seeds" | wc -l) seeds, ${SECONDS_TOTAL}s, corpus $corpus"
set +e
"$FUZZER" -max_total_time="$SECONDS_TOTAL" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" "$corpus" "$seeds" 2>"$tmp/log"
rc=$?
set -e
tail -n 25 "$tmp/log"
if [ $rc -ne 0 ]; then
  crash=$(grep -o "Test unit written to .*" "$tmp/log" | sed 's/Test unit written to //' | tail -n 1)
  echo "FAIL: fuzz_safetensors exited $rc; input: ${crash:-?}" >&2
  echo "HINT: replay with '$FUZZER ${crash:-INPUT}', shrink with -minimize_crash=1 -runs=10000" >&2
  exit 1
fi
echo "fuzz_safetensors: no crash in ${SECONDS_TOTAL}s"
