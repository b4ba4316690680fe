// One benchmark cell: a workload, a mode (seq or conc<N>) and an execution type (express: no
// history; standard: history kept), run `repetitions` times; the median run is what counts.
//
// seq runs executions one after the other through engine::run_execution. conc<N> keeps N
// executions in flight on one EventLoop (bench/interleave.h), as the node peers keep N promises
// on their one thread; with threads > 1 the N are split over that many loops, one per thread.
// The machine is compiled once and shared read-only; each thread has its own ManualClock,
// IdGenerator and BenchTaskRunner.
//
// Thread-safety: measure_cell starts and joins its own threads; call it from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "bench/workloads.h"
#include "json/json.h"

namespace stepwise::asl {
struct StateMachine;
}

namespace stepwise::bench {

// Executions in flight in a conc cell, and threads sharing them.
inline constexpr int conc_in_flight_max = 100000;
inline constexpr int threads_max = 256;
// Timed repetitions of one cell.
inline constexpr int repetitions_max = 100;

struct CellSpec {
  std::string mode = "seq";     // "seq" | "conc100"
  int conc = 1;                 // executions in flight (1 for seq)
  int threads = 1;              // conc only: loops (threads) sharing the executions in flight
  bool express = true;          // false: Standard, history kept
  std::int64_t executions = 0;  // per repetition
  int repetitions = 5;
  bool verify = false;
  bool aws_quotas = true;  // false needs the engine's RunOptions::enforce_quotas
};

struct CellResult {
  std::string workload;
  std::string mode;
  std::string type;             // "express" | "standard"
  std::int64_t executions = 0;  // per repetition
  int threads = 1;
  std::int64_t transitions_per_execution = 0;
  std::vector<double> seconds;  // each repetition's execution phase
  double exec_per_s = 0;        // at the median repetition
  double transitions_per_s = 0;
  double peak_rss_mb = 0;
  bool ok = false;
  std::string error;
  // --verify: one more execution (history kept) checked against the README's output.
  bool verified = false;
  std::string output;                     // what the engine produced (compact JSON)
  std::string expected;                   // what the README says
  std::int64_t measured_transitions = 0;  // StateEntered events + retried attempts

  json::value to_json() const;
  static CellResult from_json(const json::value& v);
};

using MachinePtr = std::shared_ptr<const asl::StateMachine>;

// asl::compile of the workload's definition.
Result<MachinePtr> compile_workload(const Workload& workload);

// Runs the cell in this process. Peak RSS is this process's high-water mark.
CellResult measure_cell(const Workload& workload, const MachinePtr& machine, const CellSpec& spec);

}  // namespace stepwise::bench
