// Map Run records: what a Distributed Map run and each of its child executions look like to
// DescribeMapRun, ListMapRuns and ListExecutions(mapRunArn)/DescribeExecution of a child. The
// engine (interpreter) keeps them up to date as iterations start and end and hands the changed
// ones to the service with each step; the store keeps them with the step's commit; the service
// serves them. Here, beside HistoryEvent, so that the store does not link the engine.
//
// Thread-safety: plain value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace stepwise::history {

// Per-child payloads (input, output) are kept up to this many characters; a larger one is not
// kept (DescribeExecution of the child then says inputDetails/outputDetails.included=false).
// AWS's own payload quota is 256 KiB; a Map Run may have tens of thousands of children, so the
// store keeps a quarter of that at most per payload.
inline constexpr std::size_t map_run_child_payload_chars_max = 64 * 1024;
// A child's error and cause are cut to these many characters (AWS's limits for the fields).
inline constexpr std::size_t map_run_child_error_chars_max = 256;
inline constexpr std::size_t map_run_child_cause_chars_max = 32768;

// MapRunItemCounts / MapRunExecutionCounts (the same ten fields).
struct MapRunCounts {
  std::int64_t pending = 0;
  std::int64_t running = 0;
  std::int64_t succeeded = 0;
  std::int64_t failed = 0;
  std::int64_t timed_out = 0;
  std::int64_t aborted = 0;
  std::int64_t total = 0;
  std::int64_t results_written = 0;
  std::int64_t failures_not_redrivable = 0;
  std::int64_t pending_redrive = 0;

  bool operator==(const MapRunCounts&) const = default;
};

struct MapRunRecord {
  std::string arn;                 // arn:aws:states:R:A:mapRun:<machine>/<label>:<uuid>
  std::string execution_arn;       // the parent execution
  std::string state_machine_arn;   // arn:aws:states:R:A:stateMachine:<machine>/<label>
  std::string status = "RUNNING";  // RUNNING SUCCEEDED FAILED ABORTED
  Millis start_ms = 0;
  Millis stop_ms = 0;                // 0 while running
  std::int64_t max_concurrency = 0;  // 0: no limit
  double tolerated_failure_percentage = 0;
  std::int64_t tolerated_failure_count = 0;
  MapRunCounts items;       // items (an ItemBatcher puts several in one child)
  MapRunCounts executions;  // child executions
  std::int64_t redrive_count = 0;
  Millis redrive_ms = 0;  // 0: never redriven

  bool operator==(const MapRunRecord&) const = default;
};

// One child execution (iteration) of a Map Run.
struct MapRunChild {
  std::string arn;  // arn:aws:states:R:A:execution:<machine>/<label>:<name>
  std::string map_run_arn;
  std::int64_t index = 0;  // the iteration (batch) index, from 0
  std::string name;
  std::string status = "RUNNING";  // RUNNING SUCCEEDED FAILED TIMED_OUT ABORTED
  // The payloads as JSON text. nullopt: larger than the limit above (input), or none yet or
  // too large (output: a SUCCEEDED child without one had a larger output).
  std::optional<std::string> input;
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  Millis start_ms = 0;
  Millis stop_ms = 0;  // 0 while running

  bool operator==(const MapRunChild&) const = default;
};

}  // namespace stepwise::history

namespace stepwise::history {

// A child execution's name and ARN, made from its Map Run's ARN and its index: the first four
// groups of the run's UUID and the index as the last group (12 hex digits), so a child's ARN
// leads back to its run without a per-child index (and replay makes the same names).
//   run   arn:aws:states:R:A:mapRun:M/L:1b2c3d4e-0000-4111-8222-123456789abc
//   child arn:aws:states:R:A:execution:M/L:1b2c3d4e-0000-4111-8222-00000000002a (index 42)
std::string map_run_child_name(std::string_view map_run_arn, std::int64_t index);
std::string map_run_child_arn(std::string_view map_run_arn, std::int64_t index);

// What a child ARN names: every Map Run ARN that begins with `run_prefix` (in practice one), and
// the index. nullopt when `arn` is not shaped as a child's.
struct MapRunChildRef {
  std::string run_prefix;  // arn:aws:states:R:A:mapRun:M/L:1b2c3d4e-0000-4111-8222-
  std::int64_t index = 0;
};
std::optional<MapRunChildRef> parse_map_run_child_arn(std::string_view arn);

}  // namespace stepwise::history
