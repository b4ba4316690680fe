#!/usr/bin/env bash
# Installs dependencies (the test toolchain included), builds, and runs every test:
#  1. build/ (g++, the product): everything through CTest — the JSONata suite, the conformance
#     corpus (when ../shared is beside the project), the real AWS clients and the browser against
#     the server, the crash tests, the simulation, the examples' workflow tests, the command line
#     and the Debian package;
#  2. the referee (scripts/sanitize.sh ci, docs/REFEREE.md): the unit tests, the corpus and a
#     budget of simulation seeds under ASan+UBSan with clang's thread-safety analysis, each fuzz
#     target for FUZZ_SECONDS, and the concurrent tests under TSan.
#
# The unit tests are built and run once, in the sanitizer build: build/ leaves them out, which
# keeps the whole run within CI's time on 2 cores. GCC_UNIT_TESTS=1 builds and runs them with g++
# too; SANITIZE=0 skips step 2 (and then builds the unit tests in build/, so none are lost).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
phase() { echo "== test.sh: $1 ($((SECONDS - started)) s since the start)"; }

bash scripts/install-deps.sh test
phase "dependencies installed"
sanitize=${SANITIZE:-1}
unit=OFF
if [ "${GCC_UNIT_TESTS:-0}" = 1 ] || [ "$sanitize" != 1 ]; then unit=ON; fi
# Configured every time: GoogleTest may have arrived just now, and the unit-test choice may change.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DSTEPWISE_TESTS="$unit" >/dev/null
bash scripts/build.sh
phase "build/ built"
# thread_safety (clang's analysis, syntax-only) is left to the sanitizer build, which compiles
# every file with -Wthread-safety -Werror anyway.
skip=()
if [ "$sanitize" = 1 ]; then skip=(-E '^thread_safety$'); fi
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900 "${skip[@]}")
phase "build/ tests passed"
if [ "$sanitize" = 1 ]; then
  FUZZ_SECONDS=${FUZZ_SECONDS:-15} bash scripts/sanitize.sh ci
  phase "sanitizer builds passed"
fi
