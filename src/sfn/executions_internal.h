// Internals shared by executions.cpp and executions_ops.cpp: the live execution record and the
// journal encoding. Not part of the service's interface.
// Thread-safety: none; engine thread only (see executions.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/fifo.h"
#include "base/random.h"
#include "engine/driver.h"
#include "engine/interpreter.h"
#include "sfn/execution_log.h"
#include "sfn/executions.h"
#include "sfn/registry_rules.h"
#include "tasks/mock_config.h"

namespace stepwise::sfn {

struct Executions::Live {
  store::ExecutionRecord rec;  // the row as of the last step (committed or on its way)
  // The interpreter's random source (base/random.h's SplitMix64, seeded by the row's seed): cheap
  // to seed (a Mersenne Twister costs 2.5 KB of state per execution, measurable at 10,000
  // starts/s) and fully determined by the seed, which is what replay needs.
  SplitMix64 rng{0};       // seeded by rec.seed: the interpreter's only randomness
  SplitMix64 sync_rng{0};  // `.sync` task tokens: a stream of its own, seeded from rec.seed
  // While rebuilding by replay, how ExecutionInfo::activity_exists answers. A missing activity
  // ends the execution in that step, so a step after which the execution went on found its
  // activities (kAssume); a step that closed it (the last before a redrive or of a closed
  // execution) is asked as of its time (kAsOf: the activity exists now and was created by
  // then), so an activity created after the failure does not change the replay.
  enum class ActivityCheck { kLive, kAssume, kAsOf };
  ActivityCheck activity_check = ActivityCheck::kLive;
  Millis activity_check_ms = 0;  // kAsOf: the step's time
  std::unique_ptr<engine::Execution> exec;
  std::uint64_t key = 0;  // its name to the Driver (Executions::adopt gives it)
  // Its runner (the router, or the test case's mock runner) and its timers and tasks in flight.
  engine::InFlight in_flight;
  tasks::MockRunner* mock = nullptr;  // set when the runner is a mock runner
  // Steps sent to the store and not yet back, oldest first: their commands wait for the commit.
  struct Pending {
    std::vector<engine::Command> commands;
    std::function<void(const Status&)> after;
    std::vector<engine::HistoryEvent> logged;  // the step's events its log level keeps
  };
  Fifo<Pending> uncommitted;
  // The rows of the uncommitted steps not sent yet: an execution has one commit_steps call in
  // flight at a time (in_store steps); the steps made meanwhile are held and sent together.
  std::vector<store::StepRecord> held;
  std::size_t in_store = 0;
  // Set while reissue() writes the Started events of its re-dispatches: the steps wait in
  // `held` and go in one commit, so every call goes out again in the same turn of the loop.
  bool gathering = false;
  std::vector<OutcomeCallback> on_finish;  // StartSyncExecution replies, parents
  // What this execution logs (its machine's loggingConfiguration when it started); null when
  // it logs nothing or the Service has no ExecutionLogger, so OFF costs one pointer test a step.
  std::shared_ptr<const LogSettings> log;

  bool express() const { return rec.type == "EXPRESS"; }
};

// AWS's shapes shared by the execution operations (executions_ops.cpp) and the reads
// (execution_reads.cpp).
namespace detail {
api::ApiError error(std::string type, std::string message);
api::ApiError execution_does_not_exist(const std::string& arn);
api::ApiError type_not_supported();
// An execution ARN from a request field: InvalidArn unless it names a Standard execution.
// A missing one is added to `v` (and an empty Error returned).
Result<rules::Arn> execution_arn(const json::value& request, rules::Violations& v);
// Turns a failed execution_arn() into the response: collected violations first.
api::Response arn_failure(const Error& e, const rules::Violations& v);
json::value date(Millis t);
// REDRIVABLE or NOT_REDRIVABLE, and why not in `reason`.
std::string redrive_status(const store::ExecutionRecord& r, Millis now_ms, std::string* reason);
}  // namespace detail

// Copies what the step changed into the row.
void sync_row(Executions::Live& l, Millis now_ms);

// The outside event of a step and the time it was handled, as the journal stores them.
struct JournalEvent {
  engine::StepEvent event;
  Millis now_ms = 0;
  bool redrive = false;  // RedriveExecution (no event: Execution::redrive at now_ms)
};
json::value encode_redrive(Millis now_ms);
json::value encode_journal(const engine::StepEvent& ev, Millis now_ms);
Result<JournalEvent> decode_journal(const json::value& entry);

}  // namespace stepwise::sfn
