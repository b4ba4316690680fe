// Executions: the live executions of one Service and the execution operations of the Step
// Functions API (StartExecution, StartSyncExecution, DescribeExecution,
// DescribeStateMachineForExecution, StopExecution, ListExecutions, GetExecutionHistory,
// RedriveExecution).
//
// A live execution is an engine::Execution (the pure step function) plus its ExecutionRecord, the
// timers and tasks it has in flight and the replies waiting on it. One step goes:
//   outside event → Execution::handle (or start) → the step's new history events and commands →
//   Standard: StepRecord {row, events, journal entry} → store.commit_steps(); the step's commands
//   (timers, tasks) are carried out only once the commit's callback is back on the loop, so
//   nothing happens outside that a crash could forget.
//   Express: nothing is committed (AWS keeps no Express history); commands run at once.
//   When the machine's loggingConfiguration logs, the step's events also go to the
//   ExecutionLogger (execution_log.h): Express's at once, Standard's once the step is durable.
// The journal entry of a step is the outside event that caused it plus the time it was handled.
// Recovery rebuilds a RUNNING execution by start() + handle() of every journal entry in order;
// the interpreter's randomness (task tokens, ids) comes from a PRNG seeded by the row's `seed`, so
// the replay reproduces the same frames, history and tokens. The commands still outstanding at
// the end of the replay are then re-issued (reissue()): due timers fire at once, tasks are
// dispatched again — a call that may have had effects through a journalled step that writes its
// Started event again, so the history shows every call (docs/STORE.md).
//
// Dormant executions: a Standard execution that waits only on timers (a Wait, a retry back-off)
// for at least `dormant_after` is dropped from memory once its step is durable; the row's
// wake_ms says when its earliest timer is due, and one loop timer per execution wakes it then:
// it is rebuilt from its journal exactly as at recovery. Anything else that needs it (a stop, a
// parent attaching to a child) wakes it first. This is what holds a million waiting executions
// in little memory, and recovery reads only their index rows (no replay) until they are due.
//
// Reads (Describe, List, GetExecutionHistory) come from the store, never from live state, so a
// client never sees a step that is not durable yet.
//
// Thread-safety: none. Everything runs on the Service's engine thread (the EventLoop's); task
// runners and the store hand their answers back through loop.post().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/dispatcher.h"
#include "base/event_loop.h"
#include "base/ids.h"
#include "base/limits.h"
#include "base/result.h"
#include "sfn/nested.h"
#include "sfn/registry.h"
#include "sfn/task_tokens.h"
#include "store/store.h"
#include "tasks/mock_config.h"
#include "engine/interpreter.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

namespace execution_limits {
// AWS: execution input, UTF-8 bytes (the 256 KiB payload quota).
inline constexpr std::size_t execution_input_bytes_max = stepwise::limits::payload_bytes_max;
// AWS: ListExecutions / GetExecutionHistory nextToken length.
inline constexpr std::size_t execution_token_chars_max = 3096;
inline constexpr std::int64_t execution_page_max = 1000;
inline constexpr std::int64_t execution_page_default = 100;
// AWS: a failed, aborted or timed-out Standard execution can be redriven for 14 days.
inline constexpr Millis redrive_window_ms = 14LL * 24 * 3600 * 1000;
// Live executions at once (Standard and Express): one more StartExecution is throttled, so a
// flood of starts meets a clean error instead of exhausting memory.
inline constexpr std::size_t live_executions_max = 1'000'000;
// Dormant executions at once; past it, waiting executions stay in memory.
inline constexpr std::size_t dormant_executions_max = 50'000'000;
// A waiting execution sleeps only if its next timer is at least this far off by default: a
// wake costs a journal read and a replay, not worth it for a short retry back-off.
inline constexpr Millis dormant_after_ms_default = 2000;
// Journal entries replayed for one execution at recovery (a history holds at most 25,000 events,
// and every entry writes at least one).
inline constexpr std::size_t journal_entries_max = 2 * stepwise::limits::history_events_max;
}  // namespace execution_limits

// What a finished execution reports to whoever waits on it (StartSyncExecution, a parent).
struct ExecutionOutcome {
  store::ExecutionRecord record;  // status, output, error, cause, start/stop times
};
using OutcomeCallback = std::function<void(const ExecutionOutcome&)>;

class ExecutionLogger;

class Executions final : public ExecutionStarter {
 public:
  // `router` runs the tasks of executions that have no mock test case (not owned, outlives this).
  // `mocks` (may be null) serves `stateMachineArn#TestCase` starts.
  Executions(EventLoop& loop, store::ExecutionStore& store, Registry& registry, IdGenerator& ids,
             tasks::TaskRunner& router, const tasks::MockConfig* mocks);
  ~Executions() override;
  Executions(const Executions&) = delete;
  Executions& operator=(const Executions&) = delete;

  // --- operations: each calls `reply` exactly once, now or after a commit / the end of a run.
  void start_execution(const json::value& request, api::Reply reply);
  void start_sync_execution(const json::value& request, api::Reply reply);
  void stop_execution(const json::value& request, api::Reply reply);
  void redrive_execution(const json::value& request, api::Reply reply);
  api::Response describe_execution(const json::value& request);
  api::Response describe_state_machine_for_execution(const json::value& request);
  api::Response list_executions(const json::value& request);
  api::Response get_execution_history(const json::value& request);

  // Resumes every RUNNING execution of the store (see the header comment). An execution that
  // cannot be rebuilt (its definition no longer compiles, its journal is unreadable) is
  // reported on stderr and left as it is. Returns how many resumed.
  std::size_t recover();

  // What a runner reports between a task's start and its end (TaskTokens, ActivityRunner,
  // NestedRunner): a heartbeat restarts the task's HeartbeatSeconds timer, a submission writes
  // TaskSubmitted. Reports for tasks no longer in flight are ignored.
  void progress(const tasks::TaskRequest& request, const TaskProgress& progress);

  // ExecutionStarter (nested executions, see nested.h).
  Result<StartedChild> start_child(const ChildStart& child, ChildClosed on_close) override;
  void stop_child(const std::string& execution_arn) override;

  // Stops every live execution's timers and forgets them (shutdown): their rows stay RUNNING in
  // the store and resume at the next start.
  void shutdown();

  std::size_t live_count() const { return live_.size(); }
  // Where executions whose machine has a loggingConfiguration send their events (not owned,
  // outlives this); null: none are logged. Set before the first start.
  void set_logger(ExecutionLogger* logger) { logger_ = logger; }
  std::size_t dormant_count() const { return dormant_.size(); }
  // How far off a waiting execution's next timer must be for it to sleep; negative: never.
  void set_dormant_after(Millis ms) { dormant_after_ms_ = ms; }
  // The shard lease (store.h, "Fencing") every commit carries; the Service claims it at start.
  void set_fence(const store::Fence& fence) { fence_ = fence; }

  struct Live;

 private:
  using StepAfter = std::function<void(const Status&)>;
  struct Started;
  Result<Started> prepare_start(const json::value& request, bool sync);
  void begin(Live& l, const json::value& input, StepAfter after);
  // One outside event for the execution `arn` (ignored once it finished or is gone); `after`
  // runs once the step is durable (or at once when there is nothing to commit).
  void deliver(const std::string& arn, engine::StepEvent ev, StepAfter after = {});
  void step_done(Live& l, Millis now_ms, json::value journal, bool has_journal,
                 StepAfter after);
  void committed(const std::string& arn, const Status& status);
  void abandon(const std::string& arn);
  void dispatch(Live& l, std::vector<engine::Command>& commands);
  // Sends out again what a rebuilt execution had in flight (recovery, a dormant execution
  // waking): timers and tasks that repeat nothing go out at once (a task the history shows taken
  // by a worker or accepted by its integration only waits again); a task whose runner may have
  // had effects first gets a journalled step writing its Started event again, and goes out once
  // that step is durable, so the history shows every call. `l` must be in live_ (the steps are
  // delivered by ARN); `commands` is what Execution::outstanding() returned after the rebuild.
  void reissue(Live& l, std::vector<engine::Command>& commands);
  void invoke(Live& l, engine::Command& c);
  void task_done(const std::string& arn, std::uint64_t id, tasks::TaskOutcome o);
  void maybe_finish(const std::string& arn);
  void running_delta(const std::string& machine_arn, std::int64_t delta);
  // Dormant executions (see the header comment).
  void maybe_sleep(Live& l);
  void sleep(const std::string& arn, Millis wake_ms);
  // Rebuilds a dormant execution and re-issues its commands; false when `arn` is not dormant
  // or cannot be rebuilt.
  bool wake(const std::string& arn);
  // `logging`: the machine's (or version's) loggingConfiguration.
  std::unique_ptr<Live> make_live(store::ExecutionRecord rec,
                                  std::shared_ptr<const asl::StateMachine> machine,
                                  const json::value& logging);
  Result<tasks::TaskRunner*> runner_for(const std::string& machine_name,
                                        const std::string& test_case);
  // Re-creates an execution from its row and journal (recovery, redrive).
  Result<std::unique_ptr<Live>> rebuild(const store::ExecutionRecord& rec);
  // Rebuilds and registers a RUNNING execution; returns the commands to re-issue. `counted`:
  // it already counts as running (a dormant one waking), so the machine's count stays as it is.
  std::optional<std::vector<engine::Command>> resume(const store::ExecutionRecord& rec,
                                                     bool counted = false);

  EventLoop& loop_;
  store::ExecutionStore& store_;
  store::Fence fence_;  // the shard lease every commit carries (set_fence)
  Registry& registry_;
  IdGenerator& ids_;
  tasks::TaskRunner& router_;
  const tasks::MockConfig* mocks_;
  ExecutionLogger* logger_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Live>> live_;  // by execution ARN
  std::unordered_map<std::string, std::int64_t> running_;         // Standard, by machine ARN
  std::unordered_map<std::string, EventLoop::TimerId> dormant_;   // by execution ARN: its wake-up
  Millis dormant_after_ms_ = execution_limits::dormant_after_ms_default;
  std::map<std::string, std::unique_ptr<tasks::MockRunner>> mock_runners_;  // machine#case
};

}  // namespace stepwise::sfn
