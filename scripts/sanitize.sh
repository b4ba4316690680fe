#!/usr/bin/env bash
# The build as referee (docs/REFEREE.md): the tests again under sanitizers, beside build/.
#
#   build-asan/  clang, -fsanitize=address,undefined, -Wthread-safety (the thread-safety
#                analysis rides on this build, so it costs no extra compile), the libFuzzer
#                targets; runs every ctest test, then each fuzz target for FUZZ_SECONDS.
#   build-tsan/  clang, -fsanitize=thread, only the binaries whose tests run threads (service,
#                store, API server, task runners, SQS, SNS, EventBridge); runs them.
#
# Usage: scripts/sanitize.sh [asan|tsan|fuzz|ci|all]  (FUZZ_SECONDS, default 20, per fuzz target)
#   fuzz: only the fuzz targets (build-asan/), FUZZ_SECONDS each (FUZZ_TARGETS="a b" for some;
#       FUZZ_SEED to replay a run); the long run is FUZZ_CPU_SECONDS=3600, each target until it
#       has had a CPU-hour (docs/REFEREE.md).
#   ci: what CI runs (scripts/test.sh): the unit-test binaries, the conformance corpus and a
#       budget of simulation seeds under ASan+UBSan, each fuzz target for FUZZ_SECONDS, then the
#       concurrent tests under TSan.
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

# Unity builds (each library's .cpp files compiled in batches) roughly halve the compile time of
# these variants; the test binaries compile file by file (their helpers share names).
configure_asan() {
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DSTEPWISE_SANITIZE=address,undefined -DSTEPWISE_THREAD_SAFETY=ON \
    -DSTEPWISE_LIBFUZZER=ON -DSTEPWISE_TOOLS=OFF -DSTEPWISE_CONSOLE=OFF \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
}

# Each libFuzzer target from its committed corpus for FUZZ_SECONDS, as many at once as there are
# cores; new inputs go to a scratch folder (commit the interesting ones with fuzz/make_seeds.py's
# help). The mutation seed is FUZZ_SEED, by default taken from the commit, so a CI failure
# replays with the same seed on the same commit, while each commit still explores new inputs.
run_fuzzers() {
  cmake --build build-asan -j "$jobs" --target fuzzers
  local seed=${FUZZ_SEED:-$((16#$(git rev-parse --short=7 HEAD 2>/dev/null || echo 1)))}
  local budget="${fuzz_seconds}s"
  [ -n "${FUZZ_CPU_SECONDS:-}" ] && budget="${FUZZ_CPU_SECONDS}s of CPU"
  echo "fuzz: $budget per target, seed $seed (FUZZ_SEED=$seed replays it)"
  local bins=()
  for bin in build-asan/fuzz/fuzz_*; do
    case "$bin" in *_replay) continue ;; esac
    # FUZZ_TARGETS="asl jsonpath" runs only those (the long run goes a few targets at a time).
    if [ -n "${FUZZ_TARGETS:-}" ]; then
      case " $FUZZ_TARGETS " in *" ${bin##*/fuzz_} "*) ;; *) continue ;; esac
    fi
    [ -x "$bin" ] && bins+=("$bin")
  done
  [ "${#bins[@]}" -gt 0 ] || { echo "fuzz: no targets built"; return 1; }
  # As many at once as cores (scripts/fuzz_one.sh); each line says the inputs run and the CPU had: on a
  # shared machine the wall-clock time overstates the work. FUZZ_CPU_SECONDS bounds each by CPU.
  printf '%s\n' "${bins[@]}" |
    xargs -P "$jobs" -I{} scripts/fuzz_one.sh {} "$fuzz_seconds" "$seed" "${FUZZ_CPU_SECONDS:-}"
}

# Every ctest test under ASan+UBSan (the long run).
run_asan() {
  configure_asan
  cmake --build build-asan -j "$jobs"
  (cd build-asan && ctest --output-on-failure -j "$jobs" --timeout 1800)
  run_fuzzers
}

# CI's ASan+UBSan run: each unit-test binary once (one process per binary rather than ctest's
# one per test case), the conformance corpus through the sanitized engine, then the fuzzers.
run_asan_ci() {
  configure_asan
  cmake --build build-asan -j "$jobs"
  local bins
  bins=$(find build-asan/src -name 'stepwise_*_test' -type f -perm -u+x | sort)
  local failed=0
  # Two binaries at a time; each one's output is shown only when it fails.
  echo "$bins" | xargs -P "$jobs" -I{} sh -c \
    'log=$(mktemp); if "$1" --gtest_brief=1 >"$log" 2>&1; then echo "asan: $1 ok";
     else tail -80 "$log"; echo "asan: $1 FAILED"; exit 1; fi' _ {} || failed=1
  # The seeded simulation (tests/sim) drives crash recovery and journal replay, the paths a
  # memory error would hide in longest; a smaller budget than ctest's sim_seeds, as ASan is slower.
  echo "asan: simulation, 100 seeds"
  build-asan/tests/sim/stepwise_sim --seeds 100 \
    --known-failures tests/sim/known_failures.txt >build-asan/sim.log 2>&1 ||
    { tail -40 build-asan/sim.log; failed=1; }
  tail -1 build-asan/sim.log
  if [ -d ../shared/conformance/cases ]; then
    echo "asan: conformance corpus"
    build-asan/stepwise conformance ../shared/conformance/cases \
      --known-failures tests/conformance/known_failures.txt >build-asan/conformance.log 2>&1 ||
      { tail -40 build-asan/conformance.log; failed=1; }
    tail -2 build-asan/conformance.log
  fi
  [ "$failed" = 0 ] || return 1
  run_fuzzers
}

run_tsan() {
  CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DSTEPWISE_SANITIZE=thread -DSTEPWISE_TOOLS=OFF -DSTEPWISE_CONSOLE=OFF \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
  # The binaries whose tests run threads: the executions service, the store's writer and
  # checkpoints, the API server, the task runners, and the queue, topic and event-bus services
  # (long polls, deliveries, rule matching on the timer thread).
  local targets=(stepwise_sfn_test stepwise_store_test stepwise_api_test stepwise_tasks_test
                 stepwise_sqs_test stepwise_sns_test stepwise_events_test)
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
  ci) run_asan_ci; run_tsan ;;
  fuzz) configure_asan; run_fuzzers ;;
  tsan) run_tsan ;;
  all) run_asan; run_tsan ;;
  *) echo "usage: $0 [asan|tsan|fuzz|ci|all]" >&2; exit 2 ;;
esac
