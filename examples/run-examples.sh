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
  [ -f "$dir/definition.asl.json" ] && [ -f "$dir/expected.json" ] || continue
  args=(run "$dir/definition.asl.json" --input "@$dir/input.json" --fast-time)
  [ -f "$dir/functions.yaml" ] && args+=(--functions "$dir/functions.yaml")
  if ! out="$("$stepwise" "${args[@]}" 2>/tmp/stepwise-example-err.$$)"; then
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
  # Workflow unit tests: each test case of the example's mock config against its expected output.
  if [ -f "$dir/mocks.json" ] && [ -f "$dir/mock-expected.json" ]; then
    for tc in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$dir/mock-expected.json"); do
      out="$("$stepwise" run "$dir/definition.asl.json" --input "@$dir/input.json" --fast-time \
             --mock-config "$dir/mocks.json" --name "$name" --test-case "$tc" 2>&1)"
      if python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1]) == json.load(open(sys.argv[2]))[sys.argv[3]] else 1)' \
          "$out" "$dir/mock-expected.json" "$tc" 2>/dev/null; then
        echo "ok   $name#$tc"
        passed=$((passed + 1))
      else
        echo "FAIL $name#$tc: got $out"
        failed=$((failed + 1))
      fi
    done
  fi
done
rm -f /tmp/stepwise-example-err.$$
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
