// ExecutionReads: the read-only execution operations — DescribeExecution,
// DescribeStateMachineForExecution, ListExecutions and GetExecutionHistory — answered from the
// store on the calling thread (the server's I/O thread), never posted to an engine loop.
//
// Why off the loop: these never touch live state (a client must not see a step that is not
// durable yet, so they read only committed rows), and the store is thread-safe. On the loop
// they queued behind steps, and steps behind them; now a busy engine does not slow a Describe
// and a large GetExecutionHistory does not stall executions.
//
// A store that cannot answer gives InternalFailure (rules::to_api_error), never a "does not
// exist" error.
//
// Thread-safety: every member may be called from any thread at once (the stores, the
// SharedRegistry and the Clock are thread-safe; this holds no state of its own).
#pragma once

#include "api/dispatcher.h"
#include "base/clock.h"
#include "json/json.h"
#include "sfn/registry_rules.h"
#include "sfn/shared_registry.h"
#include "store/store.h"

namespace stepwise::sfn {

namespace map_run_limits {
inline constexpr std::size_t arn_chars_max = 2000;  // AWS's LongArn
}  // namespace map_run_limits

// maxResults and nextToken of the execution listings (ListExecutions, GetExecutionHistory,
// ListMapRuns).
struct PageRequest {
  std::size_t limit = 100;
  std::optional<std::string> token;
};
// token_chars_max: the operation's nextToken bound (AWS: ListExecutions 3096, the others 1024).
Result<PageRequest> page_request(const json::value& request, rules::Violations& v,
                                 std::size_t token_chars_max);
// The request's mapRunArn: a Map Run ARN (InvalidArn otherwise; a missing one is a violation).
Result<rules::Arn> map_run_arn(const json::value& request, rules::Violations& v);
api::ApiError map_run_does_not_exist(const std::string& arn);

class ExecutionReads {
 public:
  // `registry_store` only for the machine's current configuration
  // (DescribeStateMachineForExecution); machines are resolved through `registry`.
  ExecutionReads(store::ExecutionStore& store, store::RegistryStore& registry_store,
                 SharedRegistry& registry, Clock& clock)
      : store_(store), registry_store_(registry_store), registry_(registry), clock_(clock) {}

  api::Response describe_execution(const json::value& request) const;
  api::Response describe_state_machine_for_execution(const json::value& request) const;
  api::Response list_executions(const json::value& request) const;
  api::Response get_execution_history(const json::value& request) const;
  // Map Runs (map_run_reads.cpp).
  api::Response describe_map_run(const json::value& request) const;
  api::Response list_map_runs(const json::value& request) const;
  // UpdateMapRun's checks, on the calling thread: an error, or the update for the engine
  // (engine::StepEvent::Kind::kUpdateMapRun's output) with `execution_arn` set to its run's.
  api::Response check_map_run_update(const json::value& request, std::string& execution_arn) const;

 private:
  api::Response list_map_run_executions(const json::value& request, const std::string& status,
                                        const PageRequest& page) const;
  // A Map Run child's DescribeExecution / GetExecutionHistory (nullopt: no such child).
  std::optional<api::Response> describe_child(const std::string& arn) const;
  std::optional<api::Response> child_history(const std::string& arn, bool include_data,
                                             bool reverse) const;

  store::ExecutionStore& store_;
  store::RegistryStore& registry_store_;
  SharedRegistry& registry_;
  Clock& clock_;
};

}  // namespace stepwise::sfn
