#!/usr/bin/env bash
# One libFuzzer target from its committed corpus, under ASan+UBSan (scripts/sanitize.sh runs
# them all; docs/REFEREE.md).
#
# Usage: scripts/fuzz_one.sh BINARY SECONDS SEED [CPU_SECONDS]
#   SECONDS      wall-clock limit (libFuzzer's -max_total_time): CI's fixed-time runs.
#   SEED         libFuzzer's -seed, so a failure replays.
#   CPU_SECONDS  when given, the run ends instead once the target has had that much CPU (user +
#                system), however long that takes on a shared machine: the long run's
#                "1 CPU-hour per target" is FUZZ_CPU_SECONDS=3600, and other work may share
#                the machine meanwhile without shortening it.
# Prints one line: the inputs run and the CPU had; or the log's tail and FAILED (exit 1). New
# inputs go to a scratch folder that is kept only when the target fails.
set -uo pipefail
bin=$1 seconds=$2 seed=$3 cpu_budget=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
name=${bin##*/fuzz_}
scratch=$(mktemp -d)
limit=$seconds
[ -n "$cpu_budget" ] && limit=$((cpu_budget * 50))  # the CPU budget ends it, not this
ticks=$(getconf CLK_TCK)
start=$SECONDS

(cd "$scratch" && exec "$root/$bin" "$scratch" "$root/fuzz/corpus/$name" \
   -max_total_time="$limit" -seed="$seed" -rss_limit_mb=2048 -timeout=10 \
   -print_final_stats=1 2>"$scratch/log") &
pid=$!
# Sample the target's CPU once a second from /proc/PID/stat (state is field 3; utime and stime,
# in clock ticks, fields 14 and 15; the name field has no spaces here). A zombie has exited.
cpu=0 stopped=0
while sample=$(awk -v hz="$ticks" '{printf "%s %d", $3, ($14 + $15) / hz}' \
                 "/proc/$pid/stat" 2>/dev/null); do
  cpu=${sample#* }
  [ "${sample%% *}" = Z ] && break
  if [ -n "$cpu_budget" ] && [ "$cpu" -ge "$cpu_budget" ]; then
    kill -INT "$pid" 2>/dev/null  # libFuzzer prints its final stats and exits 72
    stopped=1
    break
  fi
  sleep 1
done
wait "$pid"
rc=$?
if [ "$rc" = 0 ] || { [ "$stopped" = 1 ] && [ "$rc" = 72 ]; }; then
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
  echo "fuzz $name: $((SECONDS - start))s, no crash (${runs:-?} inputs, ${cpu}s CPU)"
  rm -rf "$scratch"
else
  tail -60 "$scratch/log"
  echo "fuzz $name FAILED (exit $rc, seed $seed, inputs in $scratch)"
  exit 1
fi
