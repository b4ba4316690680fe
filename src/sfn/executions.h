// Executions: the live executions of one Service and the execution operations of the Step
// Functions API (StartExecution, StartSyncExecution, DescribeExecution,
// StopExecution, RedriveExecution; the reads are in execution_reads.h).
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
// client never sees a step that is not durable yet; they are served off the loop
// (execution_reads.h).
//
// Thread-safety: one Executions per engine shard (shard.h); everything runs on that shard's loop
// thread, and task runners and the store hand their answers back through loop.post(). The
// exceptions, callable from any thread: start_sync_here, check_here and record_here (they read
// only the request, the SharedRegistry and a mutex-guarded id generator).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/dispatcher.h"
#include "base/event_loop.h"
#include "base/ids.h"
#include "base/limits.h"
#include "base/mutex.h"
#include "base/result.h"
#include "engine/driver.h"
#include "engine/interpreter.h"
#include "sfn/execution_observer.h"
#include "sfn/registry.h"
#include "sfn/service_log.h"
#include "sfn/shared_registry.h"
#include "sfn/starter.h"
#include "sfn/task_tokens.h"
#include "store/store.h"
#include "tasks/mock_config.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

namespace execution_limits {
// AWS: execution input, UTF-8 bytes (the 256 KiB payload quota).
inline constexpr std::size_t execution_input_bytes_max = stepwise::limits::payload_bytes_max;
// AWS: ListExecutions' nextToken length (ListExecutionsPageToken; the other List* and
// GetExecutionHistory take a PageToken of up to rules::next_token_chars_max).
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

class Executions final : public ExecutionStarter, private engine::Driver::Host {
 public:
  // `router` runs the tasks of executions that have no mock test case (not owned, outlives this).
  // `mocks` (may be null) serves `stateMachineArn#TestCase` starts.
  Executions(EventLoop& loop, store::ExecutionStore& store, SharedRegistry& registry,
             IdGenerator& ids, tasks::TaskRunner& router, const tasks::MockConfig* mocks);
  ~Executions() override;
  Executions(const Executions&) = delete;
  Executions& operator=(const Executions&) = delete;

  // --- operations: each calls `reply` exactly once, now or after a commit / the end of a run.
  // The JSON forms decode the body once (start_request) and call the typed ones.
  void start_execution(const json::value& body, api::Reply reply);
  void start_sync_execution(const json::value& body, api::Reply reply);
  void start_execution(const StartRequest& request, api::Reply reply);
  void start_sync_execution(const StartRequest& request, api::Reply reply);
  // StartSyncExecution on the calling thread (the server's I/O thread; thread-safe): the checks
  // and the first step run here, so an Express execution of Pass and Choice states answers with
  // no hop to the engine loop at all. One that waits on a task or a timer, or logs, or runs a
  // mock test case continues on the loop.
  void start_sync_here(const StartRequest& request, api::Reply reply);
  // Seeds the generator start_sync_here draws names, ARNs and seeds from (0: unpredictable).
  void set_here_seed(std::uint64_t seed) {
    base::MutexLock lock(here_ids_mu_);  // uncontended: the Service sets it before starting
    here_ids_ = IdGenerator(seed);
  }

  // --- starts across engine shards (shard.h). A start is checked where it arrives (the I/O
  // thread, or a parent's shard), which fixes its ARN and so its shard; the owner then does
  // what needs live state.
  struct Checked {
    ResolvedMachine resolved;
    std::string name;
    std::string input_text;
    json::value input;
    std::string arn;
    std::string test_case;  // "" unless the ARN named a mock test case
    bool express = false;
  };
  // The checks of a start that read no live state, in AWS's order, and the new row
  // (thread-safe: ids from the generator start_sync_here uses).
  Result<Checked> check_here(const StartRequest& request, bool sync);
  store::ExecutionRecord record_here(const Checked& checked, const StartRequest& request);
  // On this shard's loop: StartExecution of a checked request whose ARN this shard owns.
  void start_checked(Checked checked, const StartRequest& request, api::Reply reply);
  // On this shard's loop: start_child for a checked request whose ARN this shard owns.
  Result<StartedChild> start_child_checked(Checked checked, const StartRequest& child,
                                           ChildClosed on_close);
  // On this shard's loop: a child whose row `rec` its parent's shard made (and answered the
  // parent with). A refusal here closes it as FAILED through on_close.
  void launch_child(Checked checked, const StartRequest& child, store::ExecutionRecord rec,
                    ChildClosed on_close);
  // On this shard's loop: on_close once `arn` closes (at once if it has; a dormant one wakes).
  // `known`: its row as the caller read it, if it did.
  void attach_child(const std::string& arn, ChildClosed on_close,
                    const store::ExecutionRecord* known = nullptr);
  // Which executions this shard owns: recovery resumes only those (default: all).
  void set_owned(std::function<bool(std::string_view arn)> owned) { owned_ = std::move(owned); }
  // How start_sync_here hands an execution that goes on to the loop of its owner (default:
  // this one's loop). Called on any thread; `fn` must run on the owner's loop.
  using OwnerPost =
      std::function<void(const std::string& arn, std::function<void(Executions& owner)> fn)>;
  void set_owner_post(OwnerPost post) { owner_of_ = std::move(post); }
  void stop_execution(const json::value& request, api::Reply reply);
  void redrive_execution(const json::value& request, api::Reply reply);
  // UpdateMapRun, checked already (ExecutionReads::check_map_run_update): a journalled step of
  // the run's execution; answers {} once it is durable.
  void update_map_run(const std::string& execution_arn, const json::value& update,
                      api::Reply reply);

  // Resumes every RUNNING execution of the store (see the header comment). An execution that
  // cannot be rebuilt (its definition no longer compiles, its journal is unreadable) is
  // reported to the ServiceLog and left as it is. Returns how many resumed.
  std::size_t recover();

  // What a runner reports between a task's start and its end (TaskTokens, ActivityRunner,
  // NestedRunner): a heartbeat restarts the task's HeartbeatSeconds timer, a submission writes
  // TaskSubmitted. Reports for tasks no longer in flight are ignored.
  void progress(const tasks::TaskRequest& request, const TaskProgress& progress);

  // ExecutionStarter (nested executions, see nested.h).
  Result<StartedChild> start_child(const StartRequest& child, ChildClosed on_close) override;
  void stop_child(const std::string& execution_arn) override;

  // Stops every live execution's timers and forgets them (shutdown): their rows stay RUNNING in
  // the store and resume at the next start.
  void shutdown();

  std::size_t live_count() const { return live_.size(); }
  // Where executions whose machine has a loggingConfiguration send their events (not owned,
  // outlives this); null: none are logged. Set before the first start.
  void set_logger(ExecutionLogger* logger) { logger_ = logger; }
  // Who hears of durable changes (execution_observer.h; not owned); null: nobody.
  void set_observer(ExecutionObserver* observer) { observer_ = observer; }
  // Where failed commits and executions that cannot resume are reported (service_log.h).
  void set_log(ServiceLog log) { log_ = std::move(log); }
  std::size_t dormant_count() const { return dormant_.size(); }
  // How far off a waiting execution's next timer must be for it to sleep; negative: never.
  void set_dormant_after(Millis ms) { dormant_after_ms_ = ms; }
  // The shard lease (store.h, "Fencing") every commit carries; the Service claims it at start.
  void set_fence(const store::Fence& fence) { fence_ = fence; }

  struct Live;

 private:
  using StepAfter = std::function<void(const Status&)>;
  struct Started;
  // Where a start draws its ids: the engine's generator, or (mu set) a generator shared by the
  // I/O threads under that mutex.
  struct IdDraw {
    IdGenerator& ids;
    base::Mutex* mu = nullptr;
    std::string uuid();
    std::uint64_t u64();
  };
  // The checks of a start that read no live state, in AWS's order (thread-safe: the request,
  // the SharedRegistry and the ids only).
  Result<Checked> check_start(const StartRequest& request, bool sync, IdDraw& ids);
  // The new execution's row (thread-safe).
  store::ExecutionRecord new_record(const Checked& checked, const StartRequest& request,
                                    IdDraw& ids);
  Result<Started> prepare_start(const StartRequest& request, bool sync);
  // The live part of a start: name uniqueness, the live limit, the runner, the Live (from
  // `rec` when given, else a new row).
  Result<Started> prepare_checked(Checked& checked, const StartRequest& request, IdDraw& ids,
                                  std::optional<store::ExecutionRecord> rec);
  void launch(Result<Started> started, const StartRequest& request, api::Reply reply);
  Result<StartedChild> adopt_child(Result<Started> started, const StartRequest& child,
                                   ChildClosed on_close);
  void post_to_owner(const std::string& arn, std::function<void(Executions&)> fn);
  void begin(Live& l, const json::value& input, StepAfter after);
  // One outside event for the execution `arn` (ignored once it finished or is gone); `after`
  // runs once the step is durable (or at once when there is nothing to commit).
  void deliver(const std::string& arn, engine::StepEvent ev, StepAfter after = {});
  void step_done(Live& l, Millis now_ms, json::value journal, bool has_journal, StepAfter after);
  // Sends the execution's held steps to the store in one call (see Live::held).
  void send_held(Live& l);
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
  // Live executions enter and leave live_ (and the Driver's key index) only through these.
  Live& adopt(std::unique_ptr<Live> live);
  std::unique_ptr<Live> release(const std::string& arn);
  // engine::Driver::Host: a timer fired or a task answered for the execution `key`.
  engine::InFlight* in_flight(std::uint64_t key) override;
  void deliver(std::uint64_t key, engine::StepEvent ev) override;
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
  // recover() for one index entry of a running_index page: skipped when another shard owns it
  // or it is already here, put to sleep when dormant, else rebuilt (its commands to `reissue`).
  void recover_one(const store::RunningExecution& index,
                   std::vector<std::pair<std::string, std::vector<engine::Command>>>& reissue,
                   std::size_t& slept);
  std::optional<std::vector<engine::Command>> resume(const store::ExecutionRecord& rec,
                                                     bool counted = false);

  EventLoop& loop_;
  store::ExecutionStore& store_;
  store::Fence fence_;  // the shard lease every commit carries (set_fence)
  SharedRegistry& registry_;
  IdGenerator& ids_;
  tasks::TaskRunner& router_;
  const tasks::MockConfig* mocks_;
  ExecutionLogger* logger_ = nullptr;
  ExecutionObserver* observer_ = nullptr;
  ServiceLog log_;
  std::unordered_map<std::string, std::unique_ptr<Live>> live_;  // by execution ARN
  std::unordered_map<std::uint64_t, Live*> by_key_;              // the same, by Live::key
  std::uint64_t next_key_ = 1;
  engine::Driver driver_;  // carries every live execution's commands
  std::unordered_map<std::string, EventLoop::TimerId> dormant_;  // by execution ARN: its wake-up
  Millis dormant_after_ms_ = execution_limits::dormant_after_ms_default;
  std::map<std::string, std::unique_ptr<tasks::MockRunner>> mock_runners_;  // machine#case
  base::Mutex here_ids_mu_;
  // start_sync_here's; the Service seeds it from id_seed (set_here_seed).
  IdGenerator here_ids_ GUARDED_BY(here_ids_mu_);
  std::function<bool(std::string_view)> owned_;
  OwnerPost owner_of_;
};

}  // namespace stepwise::sfn
