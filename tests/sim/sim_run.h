// One seeded simulation run (tests/sim): a scenario (machines, executions, clock jumps) drawn
// from the seed, run once without faults on a MemoryStore (the reference) and once with faults
// on the chosen store, then every execution compared: same status, output, error, cause, start
// and stop times, and the same history — event by event, timestamps included — once the extra
// Started events of visible re-dispatches are taken out and the ids renumbered.
//
// Thread-safety: run_seed may run on any thread; it shares nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/sim/sim_world.h"

namespace stepwise::sim {

enum class StoreKind { kMemory, kSqlite };

struct SimOptions {
  std::uint64_t seed = 1;
  StoreKind store = StoreKind::kMemory;
  int machines = 4;
  int executions = 24;
  FaultRates rates = default_rates();
  std::filesystem::path scratch;  // where SqliteStore directories go (created and removed)
  bool full_histories = false;    // a failure reports both histories of the execution in full
  static FaultRates default_rates();
};

struct SimResult {
  std::vector<std::string> failures;  // empty: the run passed
  FaultCounts counts;
  int executions = 0;
  std::string digest;  // the faulted run's outcome, for the same-seed-same-run check
};

SimResult run_seed(const SimOptions& options);

}  // namespace stepwise::sim
