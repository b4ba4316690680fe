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
#include "sfn/shared_registry.h"
#include "store/store.h"

namespace stepwise::sfn {

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

 private:
  store::ExecutionStore& store_;
  store::RegistryStore& registry_store_;
  SharedRegistry& registry_;
  Clock& clock_;
};

}  // namespace stepwise::sfn
