// The figures of `stepwise bench services`: one Sample per (workload, server, round), merged into
// medians per (workload, server), the ratio Stepwise ÷ moto as the median of the per-round
// ratios (both servers meet the shared machine in the same state within a round), the text
// table and JSON, and the targets of issue 12 (>= 20× moto on each HTTP workload, >= 100,000
// in-process integration calls per second).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json/json.h"

namespace stepwise::bench {

inline constexpr double services_ratio_min = 20;
inline constexpr double integration_calls_per_s_min = 100'000;

// One measured window of one workload on one server.
struct Sample {
  std::string workload;  // "sqs" | "dynamodb" | "s3" | "int-sqs" | "int-s3"
  std::string server;    // "stepwise" | "moto"
  int round = 0;
  double ops_per_s = 0;              // requests (HTTP workloads) or integration calls per second
  double iterations_per_s = 0;       // operation mixes (send+receive+delete) or executions
  double server_cpu_ms_per_kop = 0;  // server process CPU ms per 1,000 ops
  double driver_cpu_ms_per_kop = 0;  // the load driver's CPU ms per 1,000 ops
  double p50_ms = 0, p99_ms = 0;     // per request
  std::int64_t ops = 0;
  std::int64_t errors = 0;
  std::string first_error;
};

// A (workload, server) over its rounds: medians, and errors summed.
struct Summary {
  std::string workload, server;
  int rounds = 0;
  double ops_per_s = 0, iterations_per_s = 0, server_cpu_ms_per_kop = 0, driver_cpu_ms_per_kop = 0,
         p50_ms = 0, p99_ms = 0;
  std::int64_t errors = 0;
  std::string first_error;
};

struct Comparison {
  std::string workload;
  double ratio = 0;  // median of the per-round ratios; 0 when not comparable
  std::vector<double> round_ratios;
  double cpu_ratio = 0;  // moto's CPU per op ÷ Stepwise's (medians)
};

// A workload that could not run on a server (DynamoDB before it is built in), and why.
struct Skip {
  std::string workload, server, why;
};

Summary summarize(const std::vector<Sample>& samples, const std::string& workload,
                  const std::string& server);
// Rounds where both servers have an error-free sample give a ratio.
Comparison compare(const std::vector<Sample>& samples, const std::string& workload,
                   const std::string& ours = "stepwise", const std::string& peer = "moto");

// Peak memory with a filled queue or table (fill mode).
struct FillFigure {
  std::string what;  // "sqs messages" | "dynamodb items"
  std::string server;
  std::int64_t count = 0;
  double seconds = 0;  // to fill
  double per_s = 0;    // count / seconds
  std::int64_t errors = 0;
  std::string first_error;
  double peak_rss_mb = 0;     // VmHWM after the fill
  double rss_mb = 0;          // VmRSS after the fill
  double store_mb = 0;        // data directory on disk (0: in memory)
  double restart_s = 0;       // a new process on the same store: until it listens
  double restart_rss_mb = 0;  // its VmRSS then
};

struct ServicesReport {
  std::vector<Sample> samples;
  std::vector<Skip> skips;
  std::vector<FillFigure> fills;
  json::object conditions;  // machine, load average, options
};

std::string services_table(const ServicesReport& report);
// "targets: ..." lines; *met false when one is missed or was not measured (skips excepted).
std::string services_targets(const ServicesReport& report, bool* met);
json::value services_json(const ServicesReport& report);

// "sqs" → "SQS send+receive+delete", for the table.
std::string workload_title(const std::string& workload);

}  // namespace stepwise::bench
