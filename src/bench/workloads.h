// The benchmark workloads of bench/workloads/README.md: which files, how many executions, how
// many state transitions each execution makes, and the output each one must produce.
//
// Thread-safety: the spec table is immutable; Workload values are immutable once loaded and may
// be shared by worker threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::bench {

struct WorkloadSpec {
  std::string id;                // "w1"
  std::string stem;              // "w1_pass_chain": <stem>.asl.json + <stem>.input.json
  std::int64_t executions = 1;   // default executions per timed run
  std::int64_t transitions = 1;  // state transitions per execution (retries counted, AWS style)
  bool has_conc = false;         // README runs it "100 in flight" too
};

// W1..W5 in README order.
const std::vector<WorkloadSpec>& workload_specs();
// nullptr for an unknown id.
const WorkloadSpec* find_workload(std::string_view id);

struct Workload {
  WorkloadSpec spec;
  json::value definition;
  json::value input;  // the base input; see input_for
};

// Reads <dir>/<stem>.asl.json and <dir>/<stem>.input.json.
Result<Workload> load_workload(const WorkloadSpec& spec, const std::string& dir);

// Execution k's input: the base input with "id" = k when the base input has an "id" (so
// FailTwice counts attempts per execution), else the base input unchanged (as peer-bench.js).
json::value input_for(const json::value& base, std::int64_t k);

// The output the README states for one execution of the workload on `input`, derived from the
// input by the workload's rules (e.g. W2 {"i":1000}, W5 input + result {"ok":true,"attempts":3}).
Result<json::value> expected_output(const WorkloadSpec& spec, const json::value& input);

// Reads a whole (small) file; bounded by limits::definition_bytes_max.
Result<std::string> read_file_text(const std::string& path);

}  // namespace stepwise::bench
