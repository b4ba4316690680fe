// `stepwise bench services`: the built-in AWS services over HTTP, side by side with moto's
// server in one run (issue 12), plus in-process integration calls from workflows and peak
// memory with a million queued messages / table items.
//
// Both servers run as child processes for the whole run (`stepwise serve --store sqlite`, the
// durable configuration, and `moto_server`, which keeps everything in memory). Each round runs
// every HTTP workload on each server back to back (which server goes first alternates), with
// `clients` keep-alive clients for `warmup_s` + `duration_s`; figures are medians over rounds and
// the ratio is the median of the per-round ratios. The server's CPU per 1,000 operations is read
// from /proc around the measured window: on a shared machine it is the steadiest figure.
//
// Thread-safety: call once from the main thread (it forks).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace stepwise::bench {

inline constexpr int services_rounds_max = 100;
inline constexpr int integration_items_max = 10'000;
inline constexpr std::int64_t fill_count_max = 100'000'000;

struct ServicesBenchOptions {
  // sqs dynamodb s3 int-sqs int-s3 fill | all (= every one but fill)
  std::vector<std::string> workloads = {"all"};
  int rounds = 3;
  double warmup_s = 1;
  double duration_s = 5;
  int clients = 64;
  std::string stepwise;          // the `stepwise` binary to serve; "": this one, or its sibling
  std::string moto;              // moto_server; "": the pyenv 3.11 one, else from PATH
  bool peer = true;              // false: Stepwise alone
  std::string store = "sqlite";  // Stepwise's --store
  std::vector<std::string> serve_args;  // more `stepwise serve` flags ("--threads=2")
  std::string work_dir;  // data directories and logs; "": a fresh folder under /tmp, removed
  bool keep = false;     // keep the work folder
  int integration_items = 1000;  // integration calls per workflow execution (a Map's items)
  int integration_clients = 8;   // StartSyncExecution calls in flight
  std::int64_t fill_messages = 1'000'000;
  std::int64_t fill_items = 1'000'000;
  bool fill_peer = false;  // fill moto too
  bool json = false;
  bool check_targets = false;  // exit 1 when a target is missed
};

// Returns the exit code: 0 ran (and met the targets with check_targets), 1 failures or missed
// targets, 2 bad options or a server that would not start.
int run_services_bench(const ServicesBenchOptions& options, std::ostream& out, std::ostream& err);
int run_services_bench(const ServicesBenchOptions& options);

// The moto_server to use when none is given: /root/.pyenv/versions/3.11*/bin/moto_server if
// present, else "moto_server" (PATH).
std::string default_moto_server();
// The stepwise binary to serve when none is given: this executable when it is `stepwise`, else
// `stepwise` beside it (stepwise-bench lives in the same folder).
std::string default_stepwise_binary();

}  // namespace stepwise::bench
