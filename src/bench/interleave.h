// Many executions in flight on one EventLoop: the benchmark's conc<N> mode.
//
// run_execution drives one execution to its end; a server instead keeps many executions open on
// one loop and steps whichever has news. This does the latter with the engine's own
// interpreter (engine::Execution): `in_flight` executions at once, each started as soon as a
// previous one finishes, task answers and timers delivered through the loop — what the node
// peers do with 100 promises on their one thread.
//
// Thread-safety: one call per thread; the machine is shared read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/ids.h"
#include "bench/handlers.h"
#include "bench/workloads.h"

namespace stepwise::asl {
struct StateMachine;
}

namespace stepwise::bench {

struct InterleaveOptions {
  bool express = true;     // false: Standard, history kept
  int in_flight = 100;     // executions open at once
  std::int64_t first = 0;  // executions first, first + step, ... below end
  std::int64_t step = 1;
  std::int64_t end = 0;
  bool aws_quotas = true;  // false needs the engine's ExecutionInfo::enforce_quotas
  // When set (tests), each execution's output by its index k (not timed runs: it costs).
  std::unordered_map<std::int64_t, json::value>* outputs = nullptr;
};

// Runs the executions; "" when all SUCCEEDED, else the first failure.
std::string run_interleaved(const Workload& workload,
                            const std::shared_ptr<const asl::StateMachine>& machine,
                            const InterleaveOptions& options, ManualClock& clock, IdGenerator& ids,
                            BenchTaskRunner& tasks);

}  // namespace stepwise::bench
