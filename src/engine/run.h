// run_execution: one execution of a compiled state machine, in-process, start to finish.
//
// Used by `stepwise run`, the conformance runner and the benchmarks. The interpreter inside is
// the same pure step function the server uses; this driver feeds it task results and timers from
// an EventLoop over the given Clock (a ManualClock makes Wait and retry intervals instant).
#pragma once

#include <functional>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/model.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "engine/history.h"
#include "json/json.h"
#include "tasks/task_runner.h"

namespace stepwise::engine {

struct RunOptions {
  std::string region = "us-east-1";
  std::string account = "123456789012";
  std::string state_machine_name = "StateMachine";
  std::string execution_name;  // generated (a UUID) when empty
  std::string role_arn;        // default: arn:aws:iam::<account>:role/StepwiseRole
  bool express = false;        // Express: no history kept, no 25,000-event limit
  bool keep_history = true;
  bool enforce_quotas = true;  // AWS's payload and history quotas (see ExecutionInfo)        //
                               // false drops history even for Standard (benchmarks)
  Clock* clock = nullptr;      // required
  tasks::TaskRunner* tasks = nullptr;  // required when the machine has Task states
  IdGenerator* ids = nullptr;          // required
  // The input text exactly as the client sent it: AWS's history shows it verbatim (spacing
  // included) in ExecutionStarted and the first state's entry. Empty: the compact serialisation.
  std::string input_text;
  // Stop the execution (StopExecution: ABORTED) this long after it starts, if still running.
  std::optional<Millis> stop_after_ms;
  // TestState only (see ExecutionInfo): the context object as given, and the starting variables.
  std::optional<json::value> context_override;
  json::object initial_variables;
  // Called with each history event as the execution writes it, on the run's thread
  // (`stepwise run --trace` prints them live). Only when the history is kept.
  std::function<void(const HistoryEvent&)> on_event;
  // Journal replay after every step (the conformance runner's --replay-every-step): after each
  // step the execution is rebuilt from its start and the outside events handled so far, as
  // recovery rebuilds it from the store's journal, and the run goes on with the rebuilt one.
  // Any difference from the live execution (history, pending work, status) is reported in
  // RunResult::replay_mismatch. Costs a replay per step: quadratic in the steps.
  bool replay_every_step = false;
};

struct RunResult {
  std::string status;  // SUCCEEDED, FAILED, TIMED_OUT, ABORTED
  std::optional<json::value> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::vector<HistoryEvent> history;
  std::string execution_arn;
  Millis start_ms = 0;
  Millis stop_ms = 0;
  // replay_every_step: the first difference between a replay and the live execution ("" when
  // every replay matched), and how many replays ran.
  std::string replay_mismatch;
  std::size_t replays = 0;
};

// Errors only for misuse (missing clock); everything the workflow does, failures included, is
// in the RunResult.
Result<RunResult> run_execution(const asl::StateMachine& machine, const json::value& input,
                                const RunOptions& options);
// The same, taking the input over (no copy of it: large inputs are common, e.g. a Map's items).
Result<RunResult> run_execution(const asl::StateMachine& machine, json::value&& input,
                                const RunOptions& options);

}  // namespace stepwise::engine
