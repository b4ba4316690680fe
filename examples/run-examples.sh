#!/usr/bin/env bash
# Runs every example in examples/ with `stepwise run --fast-time` and checks its output against
# the example's expected.json (compared as JSON). Usage: run-examples.sh [path/to/stepwise]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stepwise="${1:-$here/../build/stepwise}"
passed=0
failed=0
for dir in "$here"/*/; do
  name="$(basename "$dir")"
  [ -f "$dir/definition.asl.json" ] || continue
  args=(run "$dir/definition.asl.json" --input "@$dir/input.json" --fast-time)
  [ -f "$dir/functions.yaml" ] && args+=(--functions "$dir/functions.yaml")
  if ! out="$(cd "$dir" && "$stepwise" "${args[@]}" 2>/tmp/stepwise-example-err.$$)"; then
    echo "FAIL $name: exit $?: $(cat /tmp/stepwise-example-err.$$)"
    failed=$((failed + 1))
    continue
  fi
  if python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1]) == json.load(open(sys.argv[2])) else 1)' \
      "$out" "$dir/expected.json"; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: got $out, expected $(cat "$dir/expected.json")"
    failed=$((failed + 1))
  fi
done
rm -f /tmp/stepwise-example-err.$$
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
