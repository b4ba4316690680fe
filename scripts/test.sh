#!/usr/bin/env bash
# Installs dependencies (the test toolchain included), builds, and runs every test through CTest:
# unit tests, the JSONata suite, the conformance corpus (when ../shared is beside the project),
# the examples' workflow tests (`stepwise test examples`), the command line and the Debian
# package (tests/cli, tests/packaging).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
# GoogleTest may have arrived just now: configure again so that the unit tests are built.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900
