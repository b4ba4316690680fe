// Interpreter: the pure step function of one execution.
//
// An Execution holds the execution's state (a tree of frames: the top level, each Parallel
// branch, each Map iteration, each with its current state, input and retry counters). It takes
// one event at a time (start, task succeeded/failed, timer fired, stop) together with the time
// as a value, and answers with history events (appended to history()) and commands (drained
// from commands()): invoke/cancel a task, start/cancel a timer. It never does I/O, reads no
// clock and starts no thread, so a driver (run.cpp, a server, a replay test) decides how
// commands are carried out. States that need nothing from outside (Pass, Choice, Succeed, Fail,
// ...) run back to back inside one step, which is what makes long Pass chains fast.
//
// Thread-safety: none; one thread drives one Execution at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "asl/model.h"
#include "base/clock.h"
#include "base/fifo.h"
#include "engine/history.h"
#include "history/map_run.h"
#include "json/json.h"
#include "jsonpath/jsonpath.h"
#include "tasks/task_runner.h"

namespace stepwise::engine {

namespace detail {
struct MapRunTrack;
}

// Who is running and where: the context object ($$) and task requests are built from this.
struct ExecutionInfo {
  std::string execution_arn;
  std::string execution_name;
  std::string state_machine_arn;
  std::string state_machine_name;
  std::string role_arn;
  std::string region;
  std::string account;
  bool express = false;      // Express: no 25,000-event limit
  bool keep_history = true;  // false: events are counted but not built (benchmarks, Express)
  // Events built in one step (until the driver drains history()); past it they are counted but
  // not built. Bounds a logged Express execution that loops inside one step (Standard has its
  // 25,000-event quota instead).
  std::size_t step_history_events_max = SIZE_MAX;
  // AWS's 256 KiB payload and 25,000-event quotas. Off only where a user asks for it, e.g. the
  // benchmarks beside peers that enforce neither (W3's result is larger than 256 KiB).
  bool enforce_quotas = true;
  // Time charged per state transition, in microseconds, toward the execution's duration limits
  // (TimeoutSeconds, Express's 5 minutes) on top of the clock. A driver whose clock is manual
  // (--fast-time) sets it: its clock never moves while Pass states loop, so without a charge an
  // endless Express loop would never reach its limit. 0: only the clock counts.
  std::int64_t transition_charge_us = 0;
  // TestState: the context object ($$, $states.context) exactly as the caller gave it, used for
  // the top-level states instead of one built from the fields above (a Map adds its Map.Item),
  // and the variables in scope when the execution starts. Unset/empty for ordinary executions.
  std::optional<json::value> context_override;
  json::object initial_variables;
  // Where the task tokens of `.sync` tasks come from (AWS gives them one too: a worker may
  // complete the job with SendTaskSuccess/Failure). A stream of its own, so that executions
  // journalled before `.sync` tasks had tokens replay with the same main PRNG sequence; unset:
  // the execution's PRNG.
  std::function<std::uint64_t()> sync_token_random;
  // Whether an activity exists when a Task is about to schedule it (unset: always). AWS fails
  // the execution at once, before ActivityScheduled, when it does not (States.Runtime, "The
  // activity <arn> does not exist."). A driver that replays must answer as it did then.
  std::function<bool(const std::string& activity_arn)> activity_exists;
};

struct Command {
  enum class Kind { kInvokeTask, kCancelTask, kStartTimer, kCancelTimer };
  Kind kind = Kind::kStartTimer;
  std::uint64_t id = 0;  // task or timer id; events refer back to it
  Millis due_ms = 0;     // kStartTimer
  // kInvokeTask (and kCancelTask: the request being cancelled). Shared with the frame, which
  // keeps it for cancel(): building it once per task is the only copy of its ARNs and names.
  std::shared_ptr<const tasks::TaskRequest> request;
};

struct StepEvent {
  // kHeartbeat: SendTaskHeartbeat for task `id` (an activity or a .waitForTaskToken callback):
  // restarts its HeartbeatSeconds timer; writes no event. kTaskSubmitted: a .sync integration's
  // first answer (the job was submitted; `output` is the submit call's response): writes
  // TaskSubmitted, and the task stays in flight until kTaskSucceeded/kTaskFailed.
  // kTaskStarted: an activity worker took the task (GetActivityTask): writes ActivityStarted,
  // with `output` the worker's name (a string) or null when it gave none.
  // kTaskRedispatched: recovery sends task `id` out again after a crash: writes the task's
  // Started event again (LambdaFunctionStarted / TaskStarted, previousEventId = its Scheduled
  // event), so the history shows every time the call went out; the task stays in flight.
  enum class Kind {
    kTaskSucceeded,
    kTaskFailed,
    kTimerFired,
    kStop,
    kHeartbeat,
    kTaskSubmitted,
    kTaskStarted,
    kTaskRedispatched,
    // UpdateMapRun: `output` is {"mapRunArn", and any of "maxConcurrency",
    // "toleratedFailurePercentage", "toleratedFailureCount"}; writes no event.
    kUpdateMapRun
  };
  Kind kind = Kind::kTimerFired;
  std::uint64_t id = 0;  // the task or timer id from the command
  json::value output;    // kTaskSucceeded, kTaskSubmitted, kTaskStarted (worker name)
  std::string error;     // kTaskFailed / kStop
  std::string cause;
  bool has_cause = true;
  bool has_error = true;  // false: no error name at all (see tasks::TaskOutcome::has_error)
};

class Execution {
 public:
  using Random = std::function<std::uint64_t()>;

  Execution(std::shared_ptr<const asl::StateMachine> machine, ExecutionInfo info, Random random);
  ~Execution();
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  // The ExecutionStarted event, then as far as the workflow can go without outside help.
  // input_text: the input exactly as the client sent it (AWS shows that text in ExecutionStarted
  // and the first state's entry); empty means json::dump(input).
  void start(json::value input, Millis now_ms, std::string input_text = "");
  // One outside event. Events for tasks or timers that no longer matter are ignored.
  void handle(StepEvent event, Millis now_ms);

  // RedriveExecution: on a FAILED, TIMED_OUT or ABORTED execution, writes ExecutionRedriven and
  // continues from the unsuccessful states with their original inputs: the state each unfinished
  // frame stood in runs again (retry counts reset); inside a Parallel or an inline Map only the
  // branches and iterations that failed or were aborted run again, successful ones keep their
  // results; TimeoutSeconds counts again from now. Deterministic like every other step (the
  // journal replays it). False, and nothing changes, when the execution is running, succeeded,
  // Express, or keeps no history (the state inputs are read back from it).
  bool redrive(Millis now_ms);
  std::int64_t redrive_count() const { return redrive_count_; }

  // Recovery after replay: every task and timer still pending, as the commands that started
  // them (kInvokeTask with its request, kStartTimer with its due time), in the order they were
  // issued. A driver that rebuilt the execution by replaying its journal re-issues these (and
  // drops what commands() accumulated during the replay).
  std::vector<Command> outstanding() const;
  // When the execution waits only on timers (Wait, retry back-off, TimeoutSeconds) and has no
  // task in flight: the earliest due time, else nullopt. A driver may then put the execution
  // aside and rebuild it by replay when that time comes (the service's dormant executions).
  std::optional<Millis> wake_time() const;
  // True while task `id` (or a Distributed Map's S3 call) is in flight (SendTaskSuccess/
  // Failure/Heartbeat answer TaskTimedOut for a task that is not).
  bool task_pending(std::uint64_t id) const;
  // How far task `id` (in flight) got, as its history shows: only dispatched, taken by an
  // activity worker (ActivityStarted), or accepted by its integration (TaskSubmitted). Recovery
  // reads it to resume a task without calling it again. kNone when the task is not in flight.
  enum class TaskPhase { kNone, kDispatched, kTaken, kSubmitted };
  TaskPhase task_phase(std::uint64_t id) const;

  bool finished() const { return !status_.empty(); }
  const std::string& status() const { return status_; }  // "" while running
  const std::optional<json::value>& output() const { return output_; }
  // Moves the output out (once finished), sparing a deep copy when the caller is done with it.
  std::optional<json::value> take_output() { return std::move(output_); }
  const std::optional<std::string>& error() const { return error_; }
  const std::optional<std::string>& cause() const { return cause_; }

  std::vector<HistoryEvent>& history() { return history_; }
  // The Distributed Map runs (not Express) this execution changed since the last call, and
  // their child executions that started or ended meanwhile (a child that did both appears
  // once; an end carries no input). The driver commits them with the step's events.
  void take_map_run_changes(std::vector<history::MapRunRecord>& runs,
                            std::vector<history::MapRunChild>& children);
  // Commands produced since the last call; the caller takes them.
  std::vector<Command>& commands() { return commands_; }
  std::int64_t event_count() const { return next_event_id_ - 1; }

  struct Frame;
  class StateContext;
  struct Failure;

 private:
  // kMapIo: a Distributed Map's S3 call (ItemReader read, ResultWriter write): a task in
  // flight for the driver, but one that writes no events (interpreter_map_io.cpp).
  enum class OpKind { kTask, kTaskTimeout, kHeartbeat, kWait, kRetry, kExecutionTimeout, kMapIo };
  struct Op {
    int frame = -1;
    OpKind kind = OpKind::kTask;
    Millis due_ms = 0;  // timers: when it fires (outstanding())
  };

  // Frames and scheduling.
  int new_frame(const asl::StateMachine* machine, int parent, int index, json::value input);
  void run_queue();
  void guarded_run_queue();
  void handle_event(StepEvent event, Millis now_ms);
  bool history_full();                // Standard: past 25,000 events the execution fails
  bool duration_exceeded();           // TimeoutSeconds / Express's limit reached by charged time
  void time_out();                    // ExecutionTimedOut
  void arm_execution_timeout();       // TimeoutSeconds (and Express's limit) from now
  void task_progress(StepEvent& ev);  // kHeartbeat, kTaskSubmitted, kTaskStarted, kTaskRedispatched
  void task_redispatched(int f);
  // Redrive: restarts frame f's current state (or resumes its failed branches/iterations).
  void redrive_frame(int f);
  bool redrive_children(int f);  // false: the Parallel/Map must run again from its start
  bool redrive_map_run(int f);   // the same, for a Distributed Map's run
  void advance(int f);
  bool run_state(int f);  // true: the frame moved on (or ended); false: it waits
  void enter_state(int f, int state_index);
  void frame_succeeded(int f, json::value output);
  void frame_failed(int f, Failure failure);
  void child_done(int parent, int child, bool ok, json::value output, const Failure* failure);
  void abort_frame(int f);

  // States.
  bool run_pass(int f);
  bool run_task(int f);
  bool run_choice(int f);
  bool run_wait(int f);
  bool run_succeed(int f);
  bool run_fail(int f);
  bool run_parallel(int f);
  bool run_map(int f);
  bool map_settings(int f, const jsonpath::EvalContext& ctx);   // MaxConcurrency(Path)
  bool map_tolerance(int f, const jsonpath::EvalContext& ctx);  // ToleratedFailure*
  void start_map_iterations(int f);
  bool finish_children(int f);
  // Distributed Map over S3 (interpreter_map_io.cpp). map_io_prepare evaluates the ItemReader's
  // and ResultWriter's Parameters/Arguments and MaxItems when the state starts (`ctx` null for a
  // JSONata state); map_read sends the first reader call once the Map Run has started;
  // map_begin starts the iterations once the items are known (batched by an ItemBatcher);
  // map_write sends the next result file once every iteration is done.
  std::optional<Failure> map_io_prepare(int f, const jsonpath::EvalContext* ctx);
  bool map_read(int f);
  bool map_begin(int f);
  bool map_write(int f);
  void map_io_answer(int f, StepEvent& ev);
  bool map_run_failed(int f, Failure failure);
  void send_s3(int f, const std::string& resource, const integrations::Integration& call,
               json::value params);
  std::optional<Failure> map_batch(int f);
  void map_record(int f, std::size_t index, const json::value* input, bool ok,
                  const json::value* output, const Failure* failure);
  // Map Run records (interpreter_map_run.cpp): the run starts (MapRunStarted), learns its
  // children (map_begin), a child starts or ends, the run ends (status; running children are
  // then ABORTED), the run is redriven (its unsuccessful children, in index order, are
  // returned: they run again), UpdateMapRun.
  void map_run_open(int f, std::string arn);
  void map_run_children(int f, std::size_t items_total);
  void map_run_child_started(int f, std::size_t index, const json::value& input);
  void map_run_child_ended(int f, std::size_t index, const json::value* output,
                           const Failure* failure, bool aborted = false);
  void map_run_close(int f, const char* status);
  std::vector<std::size_t> map_run_redriven(int f);
  void map_run_touch(detail::MapRunTrack& t, int f);
  void update_map_run(const json::value& update);
  // Retry, then Catch, then the frame fails. True when the frame moved on (to a catcher).
  bool state_failed(int f, Failure failure, bool from_children = false);
  void schedule_task(int f, json::value params, std::optional<std::int64_t> timeout,
                     std::optional<std::int64_t> heartbeat);
  json::object service_details(const asl::State& s) const;
  // $$.Task.Token for a Task entering now: `.waitForTaskToken`, activities and `.sync` tasks.
  std::optional<std::string> task_token_for(const asl::State& s);
  // The failure of a Task on an activity that does not exist (ExecutionInfo::activity_exists).
  std::optional<Failure> missing_activity(const Frame& fr) const;
  void task_result(int f, StepEvent& ev);
  void task_timed_out(int f, const char* error);
  // ResultPath, OutputPath, payload limit, then transition_out. True when the frame moved on.
  // result_checked: `result` already passed the payload limit (a task's result), so an output
  // that is the result itself (default ResultPath and OutputPath) is not measured again.
  bool complete_state(int f, json::value result, bool result_checked = false);
  // The Exited event, then the next state (next >= 0) or the end of the frame.
  bool transition_out(int f, json::value output, int next);
  void finish_execution(const char* status, std::optional<json::value> output,
                        std::optional<std::string> error, std::optional<std::string> cause);

  // Helpers.
  // with_input false leaves out $$.Execution.Input (a copy of the whole execution input) for
  // the states whose fields cannot reach it (asl::State::context_need).
  json::value context_object(const Frame& fr, const json::value* map_item, std::int64_t index,
                             bool with_input = true);
  // Sets $$.Map.Item ({Index, Value}) in a context object built by context_object.
  static void set_map_item(json::value& ctx, const json::value& item, std::int64_t index);
  jsonpath::EvalContext eval_context(Frame& fr, const json::value* input);
  std::int64_t emit(int f, const char* type, const char* details_key, json::object details);
  std::int64_t emit_prev(std::int64_t prev, const char* type, const char* details_key,
                         json::object details);
  bool history_on() const {
    return info_.keep_history && history_.size() < info_.step_history_events_max;
  }
  std::uint64_t add_op(int f, OpKind kind);
  // A timer op of frame f (f < 0: the execution's), its kStartTimer command, and its id.
  std::uint64_t start_timer(int f, OpKind kind, Millis due_ms);
  void cancel_ops(int f);
  Failure runtime_failure(const Frame& fr, const std::string& message) const;
  std::optional<Failure> apply_assign(int f, const jsonpath::Template& assign,
                                      const json::value& dollar);

  // JSONata states (jsonata_states.cpp).
  struct JsonataEnv;
  bool run_jsonata(int f);
  bool jsonata_pass(int f);
  bool jsonata_task(int f);
  bool jsonata_choice(int f);
  bool jsonata_wait(int f);
  bool jsonata_succeed(int f);
  bool jsonata_fail(int f);
  bool jsonata_parallel(int f);
  bool jsonata_map(int f);
  // Assign and Output once the state has its result (or, for Pass/Wait, its input).
  bool jsonata_complete(int f, json::value result);
  bool jsonata_catch(int f, const asl::Catcher& c, json::value error_output);
  std::optional<Failure> jsonata_item_selector(int f, std::size_t index, json::value& out);
  // One field of a JSONata state evaluated on its own (a Map's ItemReader, ItemBatcher,
  // ResultWriter): any value, or an integer in [min, max].
  std::optional<Failure> jsonata_value(int f, const asl::JsonataTemplate& t, const char* field,
                                       json::value& out);
  std::optional<Failure> jsonata_count(int f, const asl::JsonataTemplate& t, const char* field,
                                       std::int64_t min, std::int64_t max, std::int64_t& out);
  std::optional<Failure> jsonata_env(int f, JsonataEnv& env);  // builds env's documents
  std::optional<Failure> jsonata_eval(int f, const asl::JsonataTemplate& t,
                                      const std::string& location, JsonataEnv& env,
                                      json::value& out, std::size_t depth = 0);
  std::optional<Failure> jsonata_assign_output(int f, const asl::JsonataTemplate* assign,
                                               const asl::JsonataTemplate* output, JsonataEnv& env,
                                               json::value& out);
  static Failure assign_too_large(const std::string& state_name);
  Failure query_failure(const Frame& fr, const std::string& message, std::string location) const;
  void evaluation_failed_event(int f, const Failure& failure);
  bool parallel_start(int f, json::value input);
  bool map_start(int f, const jsonpath::EvalContext* late_tolerance);
  bool wait_until(int f, Millis due);

  std::shared_ptr<const asl::StateMachine> machine_;
  ExecutionInfo info_;
  Random random_;
  jsonpath::RandomSource random_source_;
  jsonpath::VariableLookup variables_;
  int var_frame_ = -1;  // the frame whose scope variables_ reads (set by eval_context)
  std::vector<std::unique_ptr<Frame>> frames_;
  Fifo<int> ready_;                            // frames to run, in order
  std::unordered_map<std::uint64_t, Op> ops_;  // never iterated where order shows (see outstanding)
  std::uint64_t next_op_ = 1;
  std::int64_t next_event_id_ = 1;
  Millis now_ = 0;
  Millis start_ms_ = 0;
  std::int64_t redrive_count_ = 0;
  Millis redrive_ms_ = 0;
  std::int64_t charged_us_ = 0;  // transition_charge_us accumulated (duration limits)
  Millis deadline_ms_ = 0;       // TimeoutSeconds / Express limit (0: none)
  json::value execution_input_;
  std::string first_input_text_;
  std::string status_;
  std::optional<json::value> output_;
  std::optional<std::string> error_;
  std::optional<std::string> cause_;
  std::vector<HistoryEvent> history_;
  std::vector<Command> commands_;
  std::vector<int> map_runs_dirty_;  // frames whose map_run changed since the last take
  std::vector<history::MapRunRecord> map_runs_out_;  // runs replaced before they were taken
  std::vector<history::MapRunChild> map_run_children_out_;
};

// "An error occurred while executing the state 'S' (entered at the event id #N). " + message.
std::string state_error_prefix(const std::string& state_name, std::int64_t entered_event_id);

}  // namespace stepwise::engine
