#!/usr/bin/env bash
# Side-by-side benchmark: installs the two peers (aws-local-stepfunctions 3.0.0, @wmfs/statebox)
# into $PEERS_DIR if missing, then runs Stepwise's workloads and the peers' in one run:
#   bench/run-peers.sh [stepwise-bench options...]      e.g. bench/run-peers.sh w1 w4 --verify
# BUILD_DIR (default: build) must hold a built stepwise-bench:
#   cmake -S . -B build -G Ninja && cmake --build build --target stepwise-bench
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
peers_dir="${PEERS_DIR:-/tmp/peers}"
build_dir="${BUILD_DIR:-$root/build}"

if [[ ! -d "$peers_dir/node_modules/aws-local-stepfunctions" ||
      ! -d "$peers_dir/node_modules/@wmfs/statebox" ]]; then
  echo "installing peers into $peers_dir" >&2
  mkdir -p "$peers_dir"
  (cd "$peers_dir" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
     npm i --no-audit --no-fund aws-local-stepfunctions@3.0.0 @wmfs/statebox >&2)
fi

bin="$build_dir/stepwise-bench"
if [[ ! -x "$bin" ]]; then
  echo "no $bin: build it first (cmake --build $build_dir --target stepwise-bench)" >&2
  exit 2
fi
exec "$bin" --peers --peers-dir "$peers_dir" --bench-dir "$here" "$@"
