// The command-line flags of the benchmark (CLI11), shared by `stepwise bench` and the
// stand-alone `stepwise-bench`, so both accept exactly the same options; `services` is a
// subcommand of either (the built-in AWS services over HTTP beside moto).
//
// Thread-safety: call while building the CLI, before parsing.
#pragma once

#include <CLI/CLI.hpp>

#include "bench/bench.h"
#include "bench/services_bench.h"

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

// `... bench services`: adds the subcommand to `bench` and returns it.
inline CLI::App* add_services_bench_command(CLI::App& bench, ServicesBenchOptions& o) {
  auto* app = bench.add_subcommand(
      "services",
      "Built-in SQS, DynamoDB and S3 over HTTP beside moto's server, in-process "
      "integration calls, peak memory with a million messages/items");
  app->add_option("workloads", o.workloads,
                  "sqs dynamodb s3 int-sqs int-s3 fill, or all (every one but fill)");
  app->add_option("-r,--rounds", o.rounds, "rounds; figures are medians over them")
      ->capture_default_str();
  app->add_option("--warmup", o.warmup_s, "seconds of load before each measured window")
      ->capture_default_str();
  app->add_option("--duration", o.duration_s, "seconds measured per workload, server and round")
      ->capture_default_str();
  app->add_option("-c,--clients", o.clients, "concurrent keep-alive HTTP clients")
      ->capture_default_str();
  app->add_option("--stepwise", o.stepwise,
                  "the stepwise binary to serve (default: this one, or the one beside it)");
  app->add_option("--moto", o.moto, "moto_server (default: pyenv 3.11's, else from PATH)");
  app->add_flag("!--no-peer", o.peer, "Stepwise alone, without moto");
  app->add_option("--store", o.store, "Stepwise's --store: sqlite (durable) or memory")
      ->capture_default_str();
  app->add_option("--serve-arg", o.serve_args,
                  "one more flag for `stepwise serve`, e.g. --serve-arg=--threads=2 (repeatable)")
      ->allow_extra_args(false);
  app->add_option("--work-dir", o.work_dir,
                  "where data directories and server logs go (default: a /tmp folder, removed)");
  app->add_flag("--keep", o.keep, "keep the work folder");
  app->add_option("--integration-items", o.integration_items,
                  "integration calls per workflow execution (the Map's items)")
      ->capture_default_str();
  app->add_option("--integration-clients", o.integration_clients,
                  "StartSyncExecution calls in flight")
      ->capture_default_str();
  app->add_option("--fill-messages", o.fill_messages, "fill: SQS messages queued")
      ->capture_default_str();
  app->add_option("--fill-items", o.fill_items, "fill: DynamoDB items written")
      ->capture_default_str();
  app->add_flag("--fill-peer", o.fill_peer, "fill: moto too");
  app->add_flag("--json", o.json, "print one JSON document instead of the table");
  app->add_flag("--check-targets", o.check_targets,
                "exit 1 unless every ratio >= 20x moto and integrations >= 100,000 calls/s");
  return app;
}

}  // namespace stepwise::bench
