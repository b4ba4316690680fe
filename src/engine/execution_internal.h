// Internal to the engine: the Frame and Failure records of an Execution, the evaluation context
// of a state, and helpers shared by the interpreter_*.cpp files and jsonata_states.cpp. Not part
// of the engine's interface.
//
// Thread-safety: none (owned by one Execution).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/interpreter.h"
#include "engine/result_writer.h"
#include "history/map_run.h"

namespace stepwise::engine {

namespace detail {
// {"Error": ..., "Cause": ...} as a catcher or a tolerated Map iteration sees it.
// A Catch's (and a tolerated Map failure's) error output. Without an error name (SendTaskFailure
// with neither field), AWS shows {"Error": null, "Cause": <cause or null>}.
json::value error_output(const std::string& error, const std::string& cause, bool has_cause,
                         bool has_error = true);
// AWS's 256 KiB payload quota (never exceeded when quotas are off: see ExecutionInfo).
bool payload_too_large(const json::value& v, bool enforce_quotas);
// Cuts a failure's cause to failure_limits::cause_chars_max characters, as AWS does.
void cap_cause(std::string& cause);
// 64 hex digits from the execution's random source (task tokens, Map Run ids).
std::string make_token(const std::function<std::uint64_t()>& random);

// AWS redrives one execution at most 1,000 times.
inline constexpr std::int64_t redrives_max = 1000;
// AWS rejects a Wait whose delay does not fit Java's int seconds.
inline constexpr std::int64_t wait_seconds_max = std::numeric_limits<std::int32_t>::max();
// The Entered and Exited event types, indexed by type_index(state type).
extern const char* const kEntered[8];
extern const char* const kExited[8];
inline int type_index(asl::StateType t) { return static_cast<int>(t); }
// {"<key>": dump(v), "<key>Details": {"truncated": false}}: an event's payload fields.
json::object payload_details(const char* key, const json::value& v);
// A Retry's or Catch's ErrorEquals against an error name (States.ALL, States.TaskFailed).
bool error_matches(const std::vector<std::string>& equals, const std::string& error);
// "value \"X\"": strings as they are, anything else as JSON text (AWS's wording).
std::string quoted_value(const json::value& v);
// Reads an integer (or, for percentages, a number) for a Map field given by path: the value, or
// numeric text ("2"); the message of AWS's States.Runtime otherwise.
std::optional<std::string> map_number(const jsonpath::Path& path, const jsonpath::EvalContext& ctx,
                                      const char* field, bool is_float, double* out);
// InputPath: "$" (default), null ({}), or a path that must match. `consume` moves `raw`.
Result<json::value> apply_input_path(const asl::PathField& p, json::value& raw, bool consume,
                                     const jsonpath::EvalContext& ctx);
}  // namespace detail

namespace detail {
// A Distributed Map's dealings with S3 while its state runs (interpreter_map_io.cpp): what the
// ItemReader and ResultWriter were evaluated to, the items read so far and the files still to
// write. Only a Map with an ItemReader or a ResultWriter has one.
struct MapIo {
  std::string arn;             // the Map Run's ARN (MapRunStarted)
  json::value reader_params;   // ItemReader Parameters/Arguments, evaluated
  std::int64_t max_items = 0;  // 0: every item; negative: the run fails once started
  std::string continuation;    // listObjectsV2: the next page's token
  json::array read;            // listObjectsV2: the items so far
  json::value writer_params;   // ResultWriter Parameters/Arguments, evaluated
  std::vector<result_writer::Record> records;  // by item index (ResultWriter only)
  std::vector<result_writer::File> files;      // to write, in order
  std::size_t next_file = 0;
  bool written = false;  // every file is in S3: the Map Run may succeed
};
}  // namespace detail

namespace detail {
// A Distributed Map run as DescribeMapRun shows it, kept by its Map's frame while the state
// runs (interpreter_map_run.cpp) and reported to the driver whenever it changes. Per child only
// its state, start time and item count (no payloads: those go out with the change, once).
struct MapRunTrack {
  // kPendingRedrive: failed or aborted, and waiting to run again in a redrive of the run.
  enum ChildState : std::uint8_t {
    kPending,
    kRunning,
    kSucceeded,
    kFailed,
    kAborted,
    kPendingRedrive
  };
  history::MapRunRecord rec;
  std::vector<ChildState> state;     // by child index
  std::vector<Millis> start_ms;      // by child index (0: not started)
  std::vector<std::uint32_t> items;  // items per child (an ItemBatcher's batches; else empty: 1)
  bool dirty = false;                // changed since the driver last took the changes
};
}  // namespace detail

struct Execution::Failure {
  Failure() = default;
  Failure(std::string e, std::string c, bool hc)
      : error(std::move(e)), cause(std::move(c)), has_cause(hc) {}

  std::string error;
  std::string cause;
  bool has_cause = true;
  bool has_error = true;  // false: the failure names no error (StepEvent::has_error)
  // A JSONata state's States.QueryEvaluationError: written as an EvaluationFailed event.
  bool evaluation = false;
  std::string location;  // the field, e.g. "Output/result" ("" when none)
};

struct Execution::Frame {
  using TaskPhase = Execution::TaskPhase;
  const asl::StateMachine* machine = nullptr;
  int self = -1;
  int parent = -1;
  int index = 0;  // branch index (Parallel) or item index (Map)
  std::uint64_t parent_activation = 0;
  std::uint64_t activation = 0;  // bumped whenever the current state (re)starts
  int state = -1;
  bool done = false;
  bool succeeded = false;  // ended by reaching its end (redrive re-runs the others)
  bool silent = false;     // a Distributed Map child: writes no events into this history
  json::value input;       // the current state's raw input
  json::value effective;   // Task: parameters; Wait/Map: input after InputPath
  json::value items;       // Map: the items
  Millis entered_ms = 0;
  std::int64_t entered_event = 0;
  std::int64_t entered_prev = 0;  // the Entered event's previousEventId
  std::int64_t last_event = 0;
  std::vector<std::int64_t> retry_counts;
  std::int64_t retry_count = 0;
  std::uint64_t task_op = 0;
  std::int64_t scheduled_event = 0;         // the task in flight's Scheduled event (re-dispatch)
  TaskPhase task_phase = TaskPhase::kNone;  // the task in flight's progress (see task_phase())
  Millis heartbeat_ms = 0;                  // the task in flight's HeartbeatSeconds (0: none)
  std::vector<std::uint64_t> timer_ops;
  // Staged by run_task for the request and $$.Task.Token (a small struct: reset per task).
  struct StagedTask {
    std::optional<std::string> task_token;
    json::value credentials;
  };
  StagedTask request;
  std::shared_ptr<const tasks::TaskRequest> sent_request;  // the call in flight (for cancel)
  std::shared_ptr<tasks::TaskRequest> spare_request;  // the last one, for reuse (recycle_request)
  // Parallel / Map bookkeeping.
  std::vector<int> children;
  json::array results;
  std::size_t pending = 0;
  std::size_t next_item = 0;
  // A redriven Distributed Map: the children that run again (item indexes, in order), before
  // the items never started (next_item on); redo_next is the next one to start.
  std::vector<std::size_t> redo_items;
  std::size_t redo_next = 0;
  // $$ for a Map's ItemSelector/Parameters, built once per Map run (map_begin resets it) and
  // changed only in $$.Map.Item per item: it holds Execution.Input, often the items themselves.
  std::optional<json::value> map_context;
  std::size_t running = 0;
  std::size_t failed = 0;
  std::size_t max_concurrency = 0;
  std::optional<std::int64_t> tolerated_count;
  std::optional<double> tolerated_percentage;
  std::int64_t map_cursor = 0;
  std::unique_ptr<detail::MapIo> map_io;         // the current Map's ItemReader/ResultWriter calls
  std::unique_ptr<detail::MapRunTrack> map_run;  // the current Distributed Map's run (not silent)
  std::string input_text;  // json::dump(input) when already known (history on)
  // The current state's input as its Entered event shows it (history on, not silent): what a
  // redrive runs the state again with (the state may have consumed `input`).
  std::string entered_input;
  json::object vars;      // this frame's variable scope (Assign, both query languages)
  json::object assigned;  // what the current state assigned (for the Exited event)

  const asl::State& cur() const { return machine->states[static_cast<std::size_t>(state)]; }
};

// The evaluation context of the current state of frame `fr`: "$" is `input`, "$$" the context
// object (built only when the state uses "$$"), variables and random from the execution. It is
// neither copied nor moved, because `context` points at the object it holds.
class Execution::StateContext : public jsonpath::EvalContext {
 public:
  StateContext(Execution& ex, Frame& fr, const json::value* input);
  StateContext(const StateContext&) = delete;
  StateContext& operator=(const StateContext&) = delete;

 private:
  json::value context_object_;
};

namespace detail {
// Where a Map's ResultWriter writes: its evaluated Parameters and its Map Run.
result_writer::Target map_target(const Execution::Frame& fr, const ExecutionInfo& info);
// Ends the frame's call: its request becomes the frame's spare when no one else holds it.
void recycle_request(Execution::Frame& fr);
// Empties the payloads of a branch or iteration frame that succeeded (interpreter_branches.cpp).
void drop_payloads(Execution::Frame& fr);
}  // namespace detail

}  // namespace stepwise::engine
