#!/usr/bin/env bash
# Configures and builds Stepwise into ./build (optimised, warnings as errors).
# Usage: build.sh [TARGET...]  (default: everything; scripts/start.sh builds only `stepwise`).
# Configuring happens only when build/ is not configured yet: Ninja re-runs CMake by itself
# when a CMakeLists.txt changes, and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
