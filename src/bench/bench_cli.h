// The command-line flags of the benchmark (CLI11), shared by `stepwise bench` and the
// stand-alone `stepwise-bench`, so both accept exactly the same options.
//
// Thread-safety: call while building the CLI, before parsing.
#pragma once

#include <CLI/CLI.hpp>

#include "bench/bench.h"

namespace stepwise::bench {

inline void add_bench_options(CLI::App& app, BenchOptions& o) {
  app.add_option("workloads", o.workloads, "w1 w2 w2b w3 w4 w5 or all (default all)");
  app.add_option("-w,--workload", o.workloads, "same as the positional workloads");
  app.add_option("--mode", o.modes, "seq, conc (conc<N> in flight; see --conc) or all")
      ->capture_default_str();
  app.add_option("--type", o.types, "express (no history), standard (history kept) or both")
      ->capture_default_str();
  app.add_option("-r,--repetitions", o.repetitions, "timed runs per cell; the median is reported")
      ->capture_default_str();
  app.add_option("-n,--executions", o.executions, "executions per run (0: the workload's own)");
  app.add_option("--conc", o.conc, "executions in flight in conc mode")->capture_default_str();
  app.add_option("--threads", o.threads,
                 "conc mode: spread the executions in flight over N threads (one loop each)")
      ->capture_default_str();
  app.add_flag("--verify", o.verify, "print and check each workload's output and transitions");
  app.add_flag("--json", o.json, "print one JSON document instead of the table");
  app.add_flag("--peers", o.peers, "also run the peers live with node (else recorded figures)");
  app.add_option("--peer-repetitions", o.peer_repetitions, "live runs per peer cell (median)")
      ->capture_default_str();
  app.add_option("--peer-timeout", o.peer_timeout_s, "seconds before a live peer run is killed")
      ->capture_default_str();
  app.add_option("--peers-dir", o.peers_dir, "where the peers' node_modules are")
      ->capture_default_str();
  app.add_option("--node", o.node, "the node binary")->capture_default_str();
  app.add_option("--bench-dir", o.bench_dir,
                 "folder with workloads/, peer-bench.js and peer-results.md (default: the "
                 "repository's bench/)");
  app.add_flag("!--no-isolate", o.isolate,
               "measure in this process instead of one forked process per cell (profilers)");
  app.add_flag("!--no-quotas", o.aws_quotas,
               "lift AWS's 256 KiB payload and 25,000-event quotas as the peers do (W3 needs it)");
  app.add_flag("--check-targets", o.check_targets,
               "exit 1 unless W1 >= 1,000,000 transitions/s and every ratio >= 20x");
}

}  // namespace stepwise::bench
