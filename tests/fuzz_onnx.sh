#!/usr/bin/env bash
# fuzz_onnx.sh — run the ONNX loader's libFuzzer target for a bounded time;
# exits non-zero if it finds a crash, a leak, a timeout or an oversized
# allocation (the failing input is kept, with the command that replays it).
#
#   tests/fuzz_onnx.sh build-fuzz/tests/fuzz_onnx [SECONDS] [libFuzzer options...]
#
# Seeds: the ONNX backend-test models of test_onnx.sh's CASES list and
# tests/fixtures/hostile/. New inputs go to $FUZZ_CORPUS (a temporary folder
# if unset: keep one across long runs by hand), failing inputs to
# $FUZZ_ARTIFACTS (default: the current folder).
# Build the target with ./setup.sh --fuzz (clang, -DCONVSCOPE_FUZZ=ON).
set -euo pipefail
FUZZER=${1:?usage: fuzz_onnx.sh path/to/fuzz_onnx [SECONDS] [libFuzzer options...]}
SECONDS_TOTAL=${2:-60}
shift $(($# >= 2 ? 2 : 1))
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=/usr/share/libonnx-testdata/data

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeds="$tmp/seeds"
mkdir -p "$seeds"
# the cases the importer passes: sed reads the list out of test_onnx.sh
n=0
for c in $(sed -n '/^CASES=(/,/^)/p' "$HERE/test_onnx.sh" | grep -o '[a-z-]*/test_[A-Za-z0-9_]*'); do
  if [ -f "$DATA/$c/model.onnx" ]; then
    cp "$DATA/$c/model.onnx" "$seeds/$(echo "$c" | tr / _).onnx"
    n=$((n + 1))
  fi
done
if [ "$n" -eq 0 ]; then
  echo "fuzz_onnx: no seed models under $DATA (./setup.sh installs libonnx-testdata)" >&2
  exit 1
fi
cp "$HERE"/fixtures/hostile/*.onnx "$seeds/" 2>/dev/null || true
for m in "$HERE"/fixtures/hostile/*/model.onnx "$HERE"/fixtures/torch/*/model.onnx; do
  [ -f "$m" ] && cp "$m" "$seeds/valid_$(basename "$(dirname "$m")").onnx"
done

corpus=${FUZZ_CORPUS:-$tmp/corpus}
artifacts=${FUZZ_ARTIFACTS:-.}
mkdir -p "$corpus" "$artifacts"
echo "fuzz_onnx: $(ls "$seeds" | wc -l) seeds, ${SECONDS_TOTAL}s, corpus $corpus"
set +e
"$FUZZER" -max_total_time="$SECONDS_TOTAL" -rss_limit_mb=2048 -timeout=10 \
  -dict="$HERE/fuzz_onnx.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
  "$@" "$corpus" "$seeds" 2>"$tmp/log"
rc=$?
set -e
tail -n 25 "$tmp/log"
if [ $rc -ne 0 ]; then
  crash=$(grep -o "Test unit written to .*" "$tmp/log" | sed 's/Test unit written to //' | tail -n 1)
  echo "FAIL: fuzz_onnx exited $rc; input: ${crash:-?}" >&2
  echo "HINT: replay with '$FUZZER ${crash:-INPUT}', shrink with -minimize_crash=1 -runs=10000," >&2
  echo "      then add it to tests/fixtures/hostile/ (test_onnx.sh runs every file there)" >&2
  exit 1
fi
echo "fuzz_onnx: no crash in ${SECONDS_TOTAL}s"
