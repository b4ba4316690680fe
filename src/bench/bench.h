// run_bench: the benchmark workloads (bench/workloads) run in-process through asl::compile and
// engine::run_execution, timed, and printed beside the peers' figures (live or recorded).
//
// What is measured: the engine itself. Task handlers (Identity, Increment, FailTwice) are
// in-process functions, the clock is a ManualClock (so W5's retry IntervalSeconds pause is 0),
// and only the execution phase is timed (the definition is compiled once, outside the timer),
// exactly like the peer harness bench/peer-bench.js. See docs/BENCHMARKS.md.
//
// Thread-safety: run_bench is meant to be called once per process from its main thread; it
// forks one child process per measured cell (so each cell's peak RSS is its own) and runs
// conc-mode executions on worker threads of its own.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace stepwise::bench {

struct BenchOptions {
  std::vector<std::string> workloads = {"all"};              // w1 w2 w2b w3 w4 w5 | all
  std::vector<std::string> modes = {"seq", "conc"};          // seq | conc (conc<N>, N = conc)
  std::vector<std::string> types = {"express", "standard"};  // standard keeps history
  int repetitions = 5;          // timed runs per cell; the median is reported
  std::int64_t executions = 0;  // per run; 0 = the workload's own count (README)
  int conc = 100;               // executions in flight in conc mode (on one EventLoop)
  int threads = 1;              // conc mode: split the executions in flight over N loops/threads
  bool verify = false;          // print and check each workload's output and transitions
  bool json = false;            // one JSON document on stdout instead of the table
  bool peers = false;           // also run the peers live (node peer-bench.js) in this run
  int peer_repetitions = 3;     // live peer runs per cell (median)
  double peer_timeout_s = 300;  // a live peer run taking longer is killed and reported failed
  bool isolate = true;          // fork per cell (per-cell peak RSS); off for profilers
  bool check_targets = false;   // exit 1 when a target (W1 >= 1M/s, every ratio >= 20x) is missed
  // AWS's quotas (256 KiB payloads, 25,000 history events) on. The peers enforce neither, and W3's
  // output (~350 KB) exceeds the payload quota, so AWS (and Stepwise) fail W3 with them on.
  bool aws_quotas = true;
  std::string bench_dir;                 // holds workloads/, peer-bench.js, peer-results.md
  std::string peers_dir = "/tmp/peers";  // node_modules of the peers (npm i ... there)
  std::string node = "node";
};

// The directory the build was configured from + "/bench" (the default bench_dir).
std::string default_bench_dir();

// Runs the selected cells and prints the report. Returns the process exit code: 0 when every
// cell ran (and verified, with verify), 1 when something failed, 2 for bad options.
int run_bench(const BenchOptions& options);
int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace stepwise::bench
