#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: unit tests, the JSONata suite and the
# conformance corpus (when ../shared is beside the project), through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900
