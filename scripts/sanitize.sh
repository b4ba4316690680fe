#!/usr/bin/env bash
# The build as referee (docs/REFEREE.md): the tests again under sanitizers, beside build/.
#
#   build-asan/  clang, -fsanitize=address,undefined, -Wthread-safety (the thread-safety
#                analysis rides on this build, so it costs no extra compile), the libFuzzer
#                targets; runs every ctest test, then each fuzz target for FUZZ_SECONDS.
#   build-tsan/  g++, -fsanitize=thread, only the binaries whose tests run threads (service,
#                store, API server, task runners); runs them.
#
# Usage: scripts/sanitize.sh [asan|tsan|all]   (FUZZ_SECONDS, default 20, per fuzz target)
# A sanitizer report fails the test that made it (halt_on_error); suppressions live in
# tests/sanitize/ with a comment saying why each one is there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-20}

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/sanitize/ubsan.supp"
export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitize/tsan.supp"

run_asan() {
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DSTEPWISE_SANITIZE=address,undefined -DSTEPWISE_THREAD_SAFETY=ON \
    -DSTEPWISE_LIBFUZZER=ON -DSTEPWISE_TOOLS=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  cmake --build build-asan -j "$jobs" --target fuzzers
  (cd build-asan && ctest --output-on-failure -j "$jobs" --timeout 1800)
  # Each fuzz target from its committed corpus; new inputs go to a scratch folder.
  for bin in build-asan/fuzz/fuzz_*; do
    case "$bin" in *_replay) continue ;; esac
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz_}
    scratch=$(mktemp -d)
    echo "fuzz $name: ${fuzz_seconds}s"
    (cd "$scratch" && "$root/$bin" "$scratch" "$root/fuzz/corpus/$name" \
       -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 \
       2>"$scratch/log") || { tail -60 "$scratch/log"; echo "fuzz $name failed"; exit 1; }
    rm -rf "$scratch"
  done
}

run_tsan() {
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DSTEPWISE_SANITIZE=thread -DSTEPWISE_TOOLS=OFF >/dev/null
  local targets=(stepwise_sfn_test stepwise_store_test stepwise_api_test stepwise_tasks_test)
  cmake --build build-tsan -j "$jobs" --target "${targets[@]}"
  local failed=0
  for t in "${targets[@]}"; do
    bin=$(find build-tsan/src -name "$t" -type f -perm -u+x | head -1)
    echo "tsan: $t"
    "$bin" --gtest_brief=1 || failed=1
  done
  return $failed
}

case "$what" in
  asan) run_asan ;;
  tsan) run_tsan ;;
  all) run_asan; run_tsan ;;
  *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;;
esac
