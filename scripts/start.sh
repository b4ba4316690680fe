#!/usr/bin/env bash
# Installs dependencies, builds Stepwise, and runs every example workflow in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
for dir in examples/*/; do
  [ -f "$dir/definition.asl.json" ] || continue
  echo "== $(basename "$dir")"
  args=(run "$dir/definition.asl.json" --input "@$dir/input.json" --fast-time)
  [ -f "$dir/functions.yaml" ] && args+=(--functions "$dir/functions.yaml")
  build/stepwise "${args[@]}" || true
done
