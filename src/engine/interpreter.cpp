// The interpreter: frames, states, retry/catch and history events. See interpreter.h.
#include "engine/interpreter.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/limits.h"
#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::PathField;
using asl::State;
using asl::StateType;
using json::object;
using json::value;
using detail::error_output;
using detail::payload_too_large;
using detail::make_token;

namespace {

// An Express execution runs at most five minutes (AWS's quota), TimeoutSeconds or not.
constexpr Millis express_duration_ms_max = 5 * 60 * 1000;
// AWS redrives one execution at most 1,000 times.
constexpr std::int64_t redrives_max = 1000;

// AWS rejects a Wait whose delay does not fit Java's int seconds.
constexpr std::int64_t wait_seconds_max = std::numeric_limits<std::int32_t>::max();

const char* const kEntered[] = {"PassStateEntered",    "TaskStateEntered",    "ChoiceStateEntered",
                                "WaitStateEntered",    "SucceedStateEntered", "FailStateEntered",
                                "ParallelStateEntered", "MapStateEntered"};
const char* const kExited[] = {"PassStateExited",    "TaskStateExited",    "ChoiceStateExited",
                               "WaitStateExited",    "SucceedStateExited", "FailStateExited",
                               "ParallelStateExited", "MapStateExited"};

int type_index(StateType t) { return static_cast<int>(t); }

object payload_details(const char* key, const value& v) {
  object d;
  d[key] = json::dump(v);
  d[std::string(key) + "Details"] = object{{"truncated", false}};
  return d;
}

bool error_matches(const std::vector<std::string>& equals, const std::string& error) {
  for (const auto& e : equals) {
    if (e == error || e == "States.ALL") return true;
    if (e == "States.TaskFailed" && error != "States.Timeout") return true;
  }
  return false;
}

// Upper bound of json::dump(v).size() without building the text (worst-case escaping).
std::size_t size_bound(const value& v, std::size_t depth);

// Leaves are bounded in place; only containers recurse (this walk runs on every state's output).
inline std::size_t child_bound(const value& v, std::size_t depth) {
  if (const json::string* s = v.if_string()) return s->size() * 6 + 2;
  return v.is_structured() ? size_bound(v, depth) : 32;
}

std::size_t size_bound(const value& v, std::size_t depth) {
  if (depth > limits::json_depth_max) return std::numeric_limits<std::size_t>::max() / 4;
  switch (v.kind()) {
    case boost::json::kind::string: return v.get_string().size() * 6 + 2;
    case boost::json::kind::array: {
      std::size_t n = 2;
      for (const auto& e : v.get_array()) n += child_bound(e, depth + 1) + 1;
      return n;
    }
    case boost::json::kind::object: {
      std::size_t n = 2;
      for (const auto& kv : v.get_object()) {
        n += kv.key().size() * 6 + 4 + child_bound(kv.value(), depth + 1);
      }
      return n;
    }
    default: return 32;
  }
}

// "value \"X\"": strings as they are, anything else as JSON text (AWS's wording).
std::string quoted_value(const value& v) {
  return "\"" + (v.is_string() ? std::string(v.get_string()) : json::dump(v)) + "\"";
}

}  // namespace

value detail::error_output(const std::string& error, const std::string& cause, bool has_cause) {
  object o;
  o["Error"] = error;
  // AWS gives timeouts an empty Cause in the error output (but none in the events).
  if (has_cause) {
    o["Cause"] = cause;
  } else if (error == "States.Timeout" || error == "States.HeartbeatTimeout") {
    o["Cause"] = "";
  }
  return o;
}

// AWS's 256 KiB payload quota; the exact size is computed only when the bound says it may matter.
bool detail::payload_too_large(const value& v, bool enforce_quotas) {
  if (!enforce_quotas || size_bound(v, 0) <= limits::payload_bytes_max) return false;
  return json::dumped_size(v) > limits::payload_bytes_max;
}


// An EvalContext for frame `fr`, with the context object built only when the state uses "$$".
#define STEPWISE_CTX(fr, input_ptr, map_item, index)                                   \
  jsonpath::EvalContext ctx = eval_context(fr, input_ptr);                            \
  value ctx_obj;                                                                      \
  if ((fr).cur().uses_context) {                                                      \
    ctx_obj = context_object(fr, map_item, index);                                    \
    ctx.context = &ctx_obj;                                                           \
  }

// AWS caps the data one state assigns at the payload quota (256 KiB).
Execution::Failure Execution::assign_too_large(const std::string& state_name) {
  return Failure{"States.DataLimitExceeded",
                 "The state/task '" + state_name +
                     "' assigned variables with a size exceeding the maximum number of bytes "
                     "service limit.",
                 true};
}

std::string state_error_prefix(const std::string& state_name, std::int64_t entered_event_id) {
  return "An error occurred while executing the state '" + state_name +
         "' (entered at the event id #" + std::to_string(entered_event_id) + "). ";
}

Execution::Execution(std::shared_ptr<const asl::StateMachine> machine, ExecutionInfo info,
                     Random random)
    : machine_(std::move(machine)), info_(std::move(info)), random_(std::move(random)) {
  random_source_ = [this] { return random_ ? random_() : 0; };
  // Variables resolve from the innermost frame outwards (a branch or iteration sees its parents').
  variables_ = [this](std::string_view name) -> const value* {
    for (int f = var_frame_; f >= 0; f = frames_[static_cast<std::size_t>(f)]->parent) {
      const object& vars = frames_[static_cast<std::size_t>(f)]->vars;
      if (auto it = vars.find(name); it != vars.end()) return &it->value();
    }
    return nullptr;
  };
}

// Evaluates an Assign template with `dollar` as "$"; values land in the frame's scope only after
// every right-hand side is evaluated (they all see the values at state entry).
std::optional<Execution::Failure> Execution::apply_assign(int f, const jsonpath::Template& assign,
                                                          const value& dollar) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  STEPWISE_CTX(fr, &dollar, nullptr, 0)
  auto r = assign.evaluate(ctx);
  if (!r) {
    return Failure{r.error().name, state_error_prefix(fr.cur().name, fr.entered_event) + r.error().cause,
                   true};
  }
  if (!r->is_object()) return std::nullopt;
  if (payload_too_large(*r, info_.enforce_quotas)) return assign_too_large(fr.cur().name);
  for (auto& kv : r->get_object()) {
    fr.vars[kv.key()] = kv.value();
    fr.assigned[kv.key()] = std::move(kv.value());
  }
  return std::nullopt;
}

Execution::~Execution() = default;

// ---------------------------------------------------------------------------- events and ops

std::int64_t Execution::emit(int f, const char* type, const char* details_key,
                             json::object details) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.silent) return fr.last_event;
  std::int64_t id = emit_prev(fr.last_event, type, details_key, std::move(details));
  fr.last_event = id;
  return id;
}

std::int64_t Execution::emit_prev(std::int64_t prev, const char* type, const char* details_key,
                                  json::object details) {
  std::int64_t id = next_event_id_++;
  if (history_on()) {
    HistoryEvent e;
    e.id = id;
    e.previous_event_id = prev;
    e.timestamp = now_;
    e.type = type;
    e.details_key = details_key;
    e.details = std::move(details);
    history_.push_back(std::move(e));
  }
  return id;
}

std::uint64_t Execution::add_op(int f, OpKind kind) {
  std::uint64_t id = next_op_++;
  ops_.emplace(id, Op{f, kind, 0});
  return id;
}

std::uint64_t Execution::start_timer(int f, OpKind kind, Millis due_ms) {
  std::uint64_t id = next_op_++;
  ops_.emplace(id, Op{f, kind, due_ms});
  Command c;
  c.kind = Command::Kind::kStartTimer;
  c.id = id;
  c.due_ms = due_ms;
  commands_.push_back(std::move(c));
  if (f >= 0) frames_[static_cast<std::size_t>(f)]->timer_ops.push_back(id);
  return id;
}

std::vector<Command> Execution::outstanding() const {
  // ops_ is unordered: sort by id, which is the order the commands were issued in.
  std::vector<std::uint64_t> ids;
  ids.reserve(ops_.size());
  for (const auto& kv : ops_) ids.push_back(kv.first);
  std::sort(ids.begin(), ids.end());
  std::vector<Command> out;
  out.reserve(ids.size());
  for (std::uint64_t id : ids) {
    const Op& op = ops_.at(id);
    Command c;
    c.id = id;
    if (op.kind == OpKind::kTask) {
      c.kind = Command::Kind::kInvokeTask;
      c.request = frames_[static_cast<std::size_t>(op.frame)]->sent_request;
    } else {
      c.kind = Command::Kind::kStartTimer;
      c.due_ms = op.due_ms;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Millis> Execution::wake_time() const {
  if (finished() || ops_.empty()) return std::nullopt;
  Millis earliest = 0;
  for (const auto& [id, op] : ops_) {
    if (op.kind == OpKind::kTask) return std::nullopt;
    if (earliest == 0 || op.due_ms < earliest) earliest = op.due_ms;
  }
  return earliest;
}

bool Execution::task_pending(std::uint64_t id) const {
  auto it = ops_.find(id);
  return it != ops_.end() && it->second.kind == OpKind::kTask;
}

Execution::TaskPhase Execution::task_phase(std::uint64_t id) const {
  if (!task_pending(id)) return TaskPhase::kNone;
  return frames_[static_cast<std::size_t>(ops_.at(id).frame)]->task_phase;
}

void Execution::cancel_ops(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.task_op != 0) {
    if (ops_.erase(fr.task_op) > 0) {
      Command c;
      c.kind = Command::Kind::kCancelTask;
      c.id = fr.task_op;
      c.request = fr.sent_request;
      commands_.push_back(std::move(c));
    }
    fr.task_op = 0;
  }
  detail::recycle_request(fr);  // the call is over: free its parameters now
  for (std::uint64_t t : fr.timer_ops) {
    if (ops_.erase(t) > 0) {
      Command c;
      c.kind = Command::Kind::kCancelTimer;
      c.id = t;
      commands_.push_back(std::move(c));
    }
  }
  fr.timer_ops.clear();
}

Execution::Failure Execution::runtime_failure(const Frame& fr, const std::string& message) const {
  // In a JSONata state AWS reports run-time failures as query evaluation errors.
  if (fr.cur().jsonata) return query_failure(fr, message, "");
  return Failure{"States.Runtime", state_error_prefix(fr.cur().name, fr.entered_event) + message,
                 true};
}

// ---------------------------------------------------------------------------- context

value Execution::context_object(const Frame& fr, const value* map_item, std::int64_t index) {
  if (info_.context_override && fr.parent < 0) {
    value ctx = *info_.context_override;
    if (map_item != nullptr && ctx.is_object()) {
      ctx.get_object()["Map"] = object{{"Item", object{{"Index", index}, {"Value", *map_item}}}};
    }
    return ctx;
  }
  object exec;
  exec["Id"] = info_.execution_arn;
  exec["Input"] = execution_input_;
  exec["StartTime"] = format_iso8601_ms(start_ms_);
  exec["Name"] = info_.execution_name;
  exec["RoleArn"] = info_.role_arn;
  exec["RedriveCount"] = redrive_count_;
  if (redrive_count_ > 0) exec["RedriveTime"] = format_iso8601_ms(redrive_ms_);
  object sm;
  sm["Id"] = info_.state_machine_arn;
  sm["Name"] = info_.state_machine_name;
  object st;
  const State& s = fr.cur();
  st["Name"] = s.name;
  st["EnteredTime"] = format_iso8601_ms(fr.entered_ms);
  if (s.type == StateType::kTask || s.type == StateType::kMap || s.type == StateType::kParallel) {
    st["RetryCount"] = fr.retry_count;
  }
  object ctx;
  ctx["Execution"] = std::move(exec);
  ctx["StateMachine"] = std::move(sm);
  ctx["State"] = std::move(st);
  if (s.type == StateType::kTask && fr.request.task_token) {
    ctx["Task"] = object{{"Token", *fr.request.task_token}};
  }
  if (map_item != nullptr) {
    ctx["Map"] = object{{"Item", object{{"Index", index}, {"Value", *map_item}}}};
  }
  return ctx;
}

// ---------------------------------------------------------------------------- frames

int Execution::new_frame(const asl::StateMachine* machine, int parent, int index, value input) {
  auto fr = std::make_unique<Frame>();
  fr->machine = machine;
  fr->parent = parent;
  fr->index = index;
  fr->input = std::move(input);
  fr->self = static_cast<int>(frames_.size());
  if (parent >= 0) {
    const Frame& p = *frames_[static_cast<std::size_t>(parent)];
    fr->parent_activation = p.activation;
    fr->silent = p.silent || (p.cur().type == StateType::kMap && p.cur().distributed);
    fr->last_event = p.last_event;
  }
  frames_.push_back(std::move(fr));
  return static_cast<int>(frames_.size() - 1);
}

void Execution::enter_state(int f, int state_index) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  fr.state = state_index;
  fr.entered_ms = now_;
  fr.retry_count = 0;
  fr.retry_counts.assign(fr.cur().retry.size(), 0);
  if (!fr.assigned.empty()) fr.assigned.clear();
  ++fr.activation;
  fr.entered_prev = fr.last_event;
  if (fr.silent) return;
  const State& s = fr.cur();
  std::int64_t id = next_event_id_++;
  if (history_on()) {
    HistoryEvent e;
    e.id = id;
    e.previous_event_id = fr.last_event;
    e.timestamp = now_;
    e.type = kEntered[type_index(s.type)];
    e.details_key = "stateEnteredEventDetails";
    if (!fr.input_text.empty()) {
      e.details["input"] = std::move(fr.input_text);
      e.details["inputDetails"] = object{{"truncated", false}};
      fr.input_text.clear();
    } else {
      e.details = payload_details("input", fr.input);
    }
    if (!first_input_text_.empty()) {
      // AWS shows the execution input as the client sent it until the first state re-writes it.
      e.details["input"] = first_input_text_;
      first_input_text_.clear();
    }
    e.details["name"] = s.name;
    if (const json::string* in = e.details["input"].if_string()) fr.entered_input.assign(in->data(), in->size());
    history_.push_back(std::move(e));
  }
  fr.last_event = id;
  fr.entered_event = id;
}

void Execution::run_queue() {
  while (!ready_.empty() && !finished()) {
    int f = ready_.front();
    ready_.pop_front();
    advance(f);
  }
}

bool Execution::history_full() {
  if (info_.express || !info_.enforce_quotas ||
      next_event_id_ <= static_cast<std::int64_t>(limits::history_events_max)) {
    return false;
  }
  finish_execution("FAILED", std::nullopt, std::string("States.Runtime"),
                   std::string("The execution reached the maximum number of history events (") +
                       std::to_string(limits::history_events_max) + ").");
  return true;
}

void Execution::advance(int f) {
  while (!finished()) {
    Frame& fr = *frames_[static_cast<std::size_t>(f)];
    if (fr.done || history_full() || duration_exceeded()) return;
    if (!run_state(f)) return;
  }
}

bool Execution::run_state(int f) {
  const State& s = frames_[static_cast<std::size_t>(f)]->cur();
  if (s.jsonata) return run_jsonata(f);
  switch (s.type) {
    case StateType::kPass: return run_pass(f);
    case StateType::kTask: return run_task(f);
    case StateType::kChoice: return run_choice(f);
    case StateType::kWait: return run_wait(f);
    case StateType::kSucceed: return run_succeed(f);
    case StateType::kFail: return run_fail(f);
    case StateType::kParallel: return run_parallel(f);
    case StateType::kMap: return run_map(f);
  }
  return false;
}

jsonpath::EvalContext Execution::eval_context(Frame& fr, const value* input) {
  jsonpath::EvalContext ctx;
  ctx.input = input;
  ctx.random = &random_source_;
  var_frame_ = fr.self;
  ctx.variables = &variables_;
  return ctx;
}

void Execution::frame_succeeded(int f, value output) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  fr.done = true;
  fr.succeeded = true;
  fr.spare_request.reset();  // no further Task in this frame
  if (fr.parent < 0) {
    if (!fr.silent) {
      std::int64_t prev = fr.last_event;
      emit_prev(prev, "ExecutionSucceeded", "executionSucceededEventDetails",
                history_on() ? payload_details("output", output) : object());
    }
    finish_execution("SUCCEEDED", std::move(output), std::nullopt, std::nullopt);
    return;
  }
  child_done(fr.parent, f, true, std::move(output), nullptr);
}

void Execution::frame_failed(int f, Failure failure) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  fr.done = true;
  cancel_ops(f);
  fr.spare_request.reset();
  if (fr.parent < 0) {
    object d;
    if (history_on()) {
      if (!failure.error.empty()) d["error"] = failure.error;
      if (failure.has_cause) d["cause"] = failure.cause;
    }
    emit_prev(fr.last_event, "ExecutionFailed", "executionFailedEventDetails", std::move(d));
    std::optional<std::string> error, cause;
    if (!failure.error.empty()) error = failure.error;  // a Fail state without Error
    if (failure.has_cause) cause = failure.cause;
    finish_execution("FAILED", std::nullopt, std::move(error), std::move(cause));
    return;
  }
  child_done(fr.parent, f, false, value(), &failure);
}

void Execution::abort_frame(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.done) return;
  fr.done = true;
  cancel_ops(f);
  fr.spare_request.reset();
  for (int c : fr.children) abort_frame(c);
}

void Execution::finish_execution(const char* status, std::optional<value> output,
                                 std::optional<std::string> error,
                                 std::optional<std::string> cause) {
  if (finished()) return;
  status_ = status;
  output_ = std::move(output);
  error_ = std::move(error);
  cause_ = std::move(cause);
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    if (!frames_[i]->done) abort_frame(static_cast<int>(i));
  }
  for (auto& kv : ops_) {
    if (kv.second.kind == OpKind::kExecutionTimeout) {
      Command c;
      c.kind = Command::Kind::kCancelTimer;
      c.id = kv.first;
      commands_.push_back(std::move(c));
    }
  }
  ops_.clear();
  ready_.clear();
}

// ---------------------------------------------------------------------------- public steps

void Execution::start(value input, Millis now_ms, std::string input_text) {
  now_ = now_ms;
  start_ms_ = now_ms;
  // Only $$.Execution.Input reads it: a machine that never reads the context skips the copy.
  if (machine_->reads_context || info_.context_override) execution_input_ = input;
  first_input_text_ = std::move(input_text);
  emit_prev(0, "ExecutionStarted", "executionStartedEventDetails", [&] {
    if (!history_on()) return object();
    object d = payload_details("input", input);
    if (!first_input_text_.empty()) d["input"] = first_input_text_;
    d["roleArn"] = info_.role_arn;
    return d;
  }());
  arm_execution_timeout();
  int f = new_frame(machine_.get(), -1, 0, std::move(input));
  if (!info_.initial_variables.empty()) frames_[static_cast<std::size_t>(f)]->vars = info_.initial_variables;
  enter_state(f, machine_->start_at);
  ready_.push_back(f);
  guarded_run_queue();
  if (info_.express && deadline_ms_ != 0 && !finished()) {
    start_timer(-1, OpKind::kExecutionTimeout, deadline_ms_);
  }
}

// boost::json accessors throw on a kind we did not expect; no exception leaves the engine: the
// execution fails instead.
void Execution::guarded_run_queue() {
  try {
    run_queue();
  } catch (const std::exception& e) {
    finish_execution("FAILED", std::nullopt, std::string("States.Runtime"),
                     std::string("Internal error while running the execution: ") + e.what());
  }
}

void Execution::handle(StepEvent ev, Millis now_ms) {
  if (finished()) return;
  try {
    handle_event(std::move(ev), now_ms);
  } catch (const std::exception& e) {
    finish_execution("FAILED", std::nullopt, std::string("States.Runtime"),
                     std::string("Internal error while running the execution: ") + e.what());
  }
}

void Execution::arm_execution_timeout() {
  deadline_ms_ = 0;
  charged_us_ = 0;
  Millis limit = 0;
  if (machine_->timeout_seconds) limit = *machine_->timeout_seconds * 1000;
  if (info_.express && (limit == 0 || limit > express_duration_ms_max)) {
    limit = express_duration_ms_max;
  }
  if (limit == 0) return;
  deadline_ms_ = now_ + limit;
  // Express: the timer is issued only if the first step leaves the execution running (see
  // start()); most Express executions finish inside it and never need one.
  if (!info_.express) start_timer(-1, OpKind::kExecutionTimeout, deadline_ms_);
}

bool Execution::duration_exceeded() {
  if (info_.transition_charge_us <= 0 || deadline_ms_ == 0) return false;
  charged_us_ += info_.transition_charge_us;
  if (now_ + charged_us_ / 1000 < deadline_ms_) return false;
  time_out();
  return true;
}

void Execution::time_out() {
  emit_prev(next_event_id_ - 1, "ExecutionTimedOut", "executionTimedOutEventDetails", [&] {
    object d;
    if (history_on()) d["error"] = "States.Timeout";
    return d;
  }());
  finish_execution("TIMED_OUT", std::nullopt, std::string("States.Timeout"), std::nullopt);
}

void Execution::handle_event(StepEvent ev, Millis now_ms) {
  now_ = std::max(now_, now_ms);
  if (ev.kind == StepEvent::Kind::kHeartbeat || ev.kind == StepEvent::Kind::kTaskSubmitted ||
      ev.kind == StepEvent::Kind::kTaskStarted || ev.kind == StepEvent::Kind::kTaskRedispatched) {
    task_progress(ev);
    return;
  }
  if (ev.kind == StepEvent::Kind::kStop) {
    // StopExecution's error and cause, when given, are in the event (AWS's
    // ExecutionAbortedEventDetails); a stop without them shows {} as recorded.
    object details;
    if (history_on()) {
      if (!ev.error.empty()) details["error"] = ev.error;
      if (!ev.cause.empty()) details["cause"] = ev.cause;
    }
    emit_prev(0, "ExecutionAborted", "executionAbortedEventDetails", std::move(details));
    std::optional<std::string> error, cause;
    if (!ev.error.empty()) error = ev.error;
    if (!ev.cause.empty()) cause = ev.cause;
    finish_execution("ABORTED", std::nullopt, std::move(error), std::move(cause));
    return;
  }
  auto it = ops_.find(ev.id);
  if (it == ops_.end()) return;  // stale: the frame moved on
  Op op = it->second;
  ops_.erase(it);
  if (op.kind == OpKind::kExecutionTimeout) {
    time_out();
    return;
  }
  Frame& fr = *frames_[static_cast<std::size_t>(op.frame)];
  if (fr.done) return;
  bool moved = false;
  switch (op.kind) {
    case OpKind::kTask:
      fr.task_op = 0;
      task_result(op.frame, ev);
      return;
    case OpKind::kTaskTimeout: task_timed_out(op.frame, "States.Timeout"); return;
    case OpKind::kHeartbeat:
      // AWS names a missed heartbeat of a service integration's callback (sqs:sendMessage
      // .waitForTaskToken, ...) States.Timeout (the service cases timeouts__test_heartbeat_*
      // record it); an activity's keeps States.HeartbeatTimeout.
      task_timed_out(op.frame, fr.cur().integration.activity() ? "States.HeartbeatTimeout"
                                                               : "States.Timeout");
      return;
    case OpKind::kWait:
      fr.timer_ops.clear();
      moved = complete_state(op.frame, std::move(fr.effective));
      break;
    case OpKind::kRetry:
      fr.timer_ops.clear();
      ++fr.activation;
      moved = true;  // run the state again
      break;
    case OpKind::kExecutionTimeout: break;
  }
  if (moved) {
    ready_.push_back(op.frame);
    run_queue();
  }
}

// A heartbeat restarts the task's HeartbeatSeconds timer; a .sync task's submission writes
// TaskSubmitted. Neither ends the task.
void Execution::task_progress(StepEvent& ev) {
  auto it = ops_.find(ev.id);
  if (it == ops_.end() || it->second.kind != OpKind::kTask) return;
  const int f = it->second.frame;
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.done) return;
  if (ev.kind == StepEvent::Kind::kHeartbeat) {
    if (fr.heartbeat_ms <= 0) return;
    std::vector<std::uint64_t> keep;
    for (std::uint64_t t : fr.timer_ops) {
      auto op = ops_.find(t);
      if (op == ops_.end() || op->second.kind != OpKind::kHeartbeat) {
        keep.push_back(t);
        continue;
      }
      ops_.erase(op);
      Command c;
      c.kind = Command::Kind::kCancelTimer;
      c.id = t;
      commands_.push_back(std::move(c));
    }
    fr.timer_ops = std::move(keep);
    start_timer(f, OpKind::kHeartbeat, now_ + fr.heartbeat_ms);
    return;
  }
  if (ev.kind == StepEvent::Kind::kTaskRedispatched) return task_redispatched(f);
  if (ev.kind == StepEvent::Kind::kTaskStarted) {
    if (!fr.cur().integration.activity()) return;
    fr.task_phase = TaskPhase::kTaken;
  } else {
    fr.task_phase = TaskPhase::kSubmitted;
  }
  if (fr.silent) return;
  const State& s = fr.cur();
  object d;
  if (ev.kind == StepEvent::Kind::kTaskStarted) {
    if (history_on() && ev.output.is_string()) d["workerName"] = ev.output;
    emit(f, "ActivityStarted", "activityStartedEventDetails", std::move(d));
    return;
  }
  if (history_on()) {
    d = payload_details("output", ev.output);
    d["resource"] = s.resource_short;
    d["resourceType"] = s.resource_type;
  }
  emit(f, "TaskSubmitted", "taskSubmittedEventDetails", std::move(d));
}

// The task goes out again after a crash: its Started event again, chained to its Scheduled
// event, as the event before whatever the task writes next. Activities are never re-dispatched
// visibly (their token stays valid), so they write nothing here.
void Execution::task_redispatched(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.silent || fr.scheduled_event == 0) return;
  const integrations::Integration& in = fr.cur().integration;
  if (in.activity()) return;
  if (in.function_arn()) {
    fr.last_event = emit_prev(fr.scheduled_event, "LambdaFunctionStarted", "", object());
    return;
  }
  fr.last_event = emit_prev(fr.scheduled_event, "TaskStarted", "taskStartedEventDetails",
                            history_on() ? service_details(fr.cur()) : object());
}

// ---------------------------------------------------------------------------- redrive

bool Execution::redrive(Millis now_ms) {
  if (!(status_ == "FAILED" || status_ == "TIMED_OUT" || status_ == "ABORTED") || info_.express ||
      !history_on() || frames_.empty() || redrive_count_ >= redrives_max) {
    return false;
  }
  try {
    now_ = std::max(now_, now_ms);
    ++redrive_count_;
    redrive_ms_ = now_;
    status_.clear();
    output_.reset();
    error_.reset();
    cause_.reset();
    emit_prev(next_event_id_ - 1, "ExecutionRedriven", "executionRedrivenEventDetails",
              object{{"redriveCount", redrive_count_}});
    arm_execution_timeout();
    redrive_frame(0);
    run_queue();
  } catch (const std::exception& e) {
    finish_execution("FAILED", std::nullopt, std::string("States.Runtime"),
                     std::string("Internal error while running the execution: ") + e.what());
  }
  return true;
}

// Frame f ended without reaching its end: its current state runs again with the input it was
// entered with, unless it is a Parallel or inline Map whose branches can resume.
void Execution::redrive_frame(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  fr.done = false;
  fr.task_op = 0;
  fr.timer_ops.clear();
  fr.sent_request.reset();
  if (!fr.entered_input.empty()) {
    auto parsed = json::parse(fr.entered_input);
    if (parsed) fr.input = std::move(*parsed);
  }
  fr.input_text = std::move(fr.entered_input);
  fr.entered_input.clear();
  if (fr.parent >= 0) {
    const Frame& p = *frames_[static_cast<std::size_t>(fr.parent)];
    fr.parent_activation = p.activation;
    fr.last_event = p.last_event;
  } else {
    fr.last_event = next_event_id_ - 1;
  }
  enter_state(f, fr.state);
  if (!redrive_children(f)) ready_.push_back(f);
}

// A Parallel or inline Map that failed (or was stopped) while its children ran: the children
// that did not succeed run again, the others keep their results. False when the state must
// start over instead (it failed before or after its children, or is a Distributed Map, whose
// children keep no history to resume from).
bool Execution::redrive_children(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool is_map = s.type == StateType::kMap;
  if ((!is_map && s.type != StateType::kParallel) || (is_map && s.distributed) ||
      fr.children.empty() || fr.pending == 0 || fr.results.empty()) {
    return false;
  }
  const std::vector<int> children = fr.children;
  for (int c : children) {
    if (frames_[static_cast<std::size_t>(c)]->parent_activation + 1 != fr.activation) return false;
  }
  if (is_map) {
    emit(f, "MapStateStarted", "mapStateStartedEventDetails", [&] {
      object d;
      if (history_on()) d["length"] = static_cast<std::int64_t>(fr.results.size());
      return d;
    }());
  } else {
    emit(f, "ParallelStateStarted", "", object());
  }
  fr.pending = 0;
  fr.running = 0;
  fr.failed = 0;
  fr.map_cursor = fr.last_event;
  for (int c : children) {
    Frame& cf = *frames_[static_cast<std::size_t>(c)];
    if (cf.succeeded) continue;
    ++fr.pending;
    if (is_map) {
      ++fr.running;
      std::int64_t id = emit_prev(fr.map_cursor, "MapIterationStarted",
                                  "mapIterationStartedEventDetails", [&] {
                                    object d;
                                    if (history_on()) {
                                      d["index"] = static_cast<std::int64_t>(cf.index);
                                      d["name"] = s.name;
                                    }
                                    return d;
                                  }());
      fr.last_event = id;
    }
    redrive_frame(c);
  }
  if (is_map) fr.pending += fr.results.size() - std::min(fr.next_item, fr.results.size());
  if (is_map) start_map_iterations(f);
  return true;
}

// ---------------------------------------------------------------------------- I/O processing

namespace {

// InputPath: "$" (default), null ({}), or a path that must match.
Result<value> apply_input_path(const PathField& p, value& raw, bool consume,
                               const jsonpath::EvalContext& ctx) {
  switch (p.kind) {
    case PathField::Kind::kDefault: return consume ? std::move(raw) : raw;
    case PathField::Kind::kNull: return value(object());
    case PathField::Kind::kPath: break;
  }
  return p.path.select_or_fail(ctx);
}

}  // namespace

bool Execution::complete_state(int f, value result) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (s.jsonata) return jsonata_complete(f, std::move(result));
  if (s.assign) {
    if (auto bad = apply_assign(f, *s.assign, result)) return state_failed(f, std::move(*bad));
  }
  value out;
  switch (s.result_path.kind) {
    case PathField::Kind::kDefault: out = std::move(result); break;
    case PathField::Kind::kNull: out = std::move(fr.input); break;
    case PathField::Kind::kPath: {
      out = std::move(fr.input);
      Status st = s.result_path.path.assign(out, std::move(result));
      if (!st) {
        fr.input = std::move(out);
        Failure fl{st.error().name, st.error().cause, true};
        if (fl.error == "States.Runtime") fl = runtime_failure(fr, fl.cause);
        return state_failed(f, std::move(fl));
      }
      break;
    }
  }
  if (s.output_path.kind == PathField::Kind::kNull) {
    out = object();
  } else if (s.output_path.kind == PathField::Kind::kPath) {
    STEPWISE_CTX(fr, &out, nullptr, 0)
    auto sel = s.output_path.path.select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    out = std::move(*sel);
  }
  if (payload_too_large(out, info_.enforce_quotas)) {
    return state_failed(f, Failure{"States.DataLimitExceeded",
                                   "The state/task '" + s.name +
                                       "' returned a result with a size exceeding the maximum "
                                       "number of bytes service limit.",
                                   true});
  }
  return transition_out(f, std::move(out), s.next);
}

bool Execution::transition_out(int f, value out, int next) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (!fr.silent) {
    std::int64_t id = next_event_id_++;
    if (history_on()) {
      HistoryEvent e;
      e.id = id;
      e.previous_event_id = fr.last_event;
      e.timestamp = now_;
      e.type = kExited[type_index(s.type)];
      e.details_key = "stateExitedEventDetails";
      std::string text = json::dump(out);
      e.details["output"] = text;
      e.details["outputDetails"] = object{{"truncated", false}};
      // The next state's entry shows the same text: serialise once.
      if (next >= 0) fr.input_text = std::move(text);
      e.details["name"] = s.name;
      if (!fr.assigned.empty()) {
        object vars;
        for (const auto& kv : fr.assigned) vars[kv.key()] = json::dump(kv.value());
        e.details["assignedVariables"] = std::move(vars);
        e.details["assignedVariablesDetails"] = object{{"truncated", false}};
      }
      history_.push_back(std::move(e));
    }
    fr.last_event = id;
  }
  if (!fr.assigned.empty()) fr.assigned.clear();
  if (next < 0) {
    frame_succeeded(f, std::move(out));
    return false;
  }
  fr.input = std::move(out);
  enter_state(f, next);
  return true;
}

// ---------------------------------------------------------------------------- states

bool Execution::run_pass(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  bool simple = s.input_path.kind == PathField::Kind::kDefault && !s.parameters && !s.result &&
                !s.assign &&
                s.result_path.kind == PathField::Kind::kDefault &&
                s.output_path.kind == PathField::Kind::kDefault;
  if (simple) {
    // The common case (and the benchmark): the input is the output, moved not copied.
    if (!history_on() && !payload_too_large(fr.input, info_.enforce_quotas)) {
      return transition_out(f, std::move(fr.input), s.next);
    }
    return complete_state(f, std::move(fr.input));
  }
  value result;
  if (s.result) {
    result = *s.result;
  } else if (s.parameters && s.input_path.kind == PathField::Kind::kDefault) {
    // Parameters only read "$": evaluate over the input itself, never a copy of it.
    STEPWISE_CTX(fr, &fr.input, nullptr, 0)
    auto p = s.parameters->evaluate(ctx);
    if (!p) return state_failed(f, Failure{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause, true});
    result = std::move(*p);
  } else {
    bool consume = s.result_path.kind == PathField::Kind::kDefault;
    STEPWISE_CTX(fr, &fr.input, nullptr, 0)
    auto eff = apply_input_path(s.input_path, fr.input, consume, ctx);
    if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
    result = std::move(*eff);
    if (s.parameters) {
      ctx.input = &result;
      auto p = s.parameters->evaluate(ctx);
      if (!p) return state_failed(f, Failure{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause, true});
      result = std::move(*p);
    }
  }
  return complete_state(f, std::move(result));
}

bool Execution::run_choice(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  auto eff = apply_input_path(s.input_path, fr.input, true, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  value input = std::move(*eff);
  ctx.input = &input;
  int next = -1;
  const jsonpath::Template* assign = s.assign ? &*s.assign : nullptr;
  for (const auto& b : s.choices) {
    auto r = b.rule.evaluate(ctx);
    if (!r) return state_failed(f, runtime_failure(fr, r.error().cause));
    if (*r) {
      next = b.next;
      assign = b.assign ? &*b.assign : nullptr;
      break;
    }
  }
  if (next < 0) next = s.default_next;
  if (next >= 0 && assign != nullptr) {
    if (auto bad = apply_assign(f, *assign, input)) return state_failed(f, std::move(*bad));
  }
  if (next < 0) {
    return state_failed(f, Failure{"States.NoChoiceMatched",
                                   state_error_prefix(s.name, fr.entered_event) +
                                       "No Matches!",
                                   true});
  }
  fr.input = value();
  value out = std::move(input);
  if (s.output_path.kind == PathField::Kind::kNull) {
    out = object();
  } else if (s.output_path.kind == PathField::Kind::kPath) {
    ctx.input = &out;
    auto sel = s.output_path.path.select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    out = std::move(*sel);
  }
  return transition_out(f, std::move(out), next);
}

bool Execution::run_succeed(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  auto eff = apply_input_path(s.input_path, fr.input, true, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  fr.input = value();
  value out = std::move(*eff);
  if (s.output_path.kind == PathField::Kind::kNull) {
    out = object();
  } else if (s.output_path.kind == PathField::Kind::kPath) {
    ctx.input = &out;
    auto sel = s.output_path.path.select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    out = std::move(*sel);
  }
  return transition_out(f, std::move(out), -1);
}

bool Execution::run_fail(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  Failure fl;
  fl.has_cause = false;
  if (s.error) fl.error = *s.error;
  if (s.cause) {
    fl.cause = *s.cause;
    fl.has_cause = true;
  }
  auto eval = [&](const std::optional<jsonpath::Path>& path,
                  const std::optional<jsonpath::Intrinsic>& fn, const char* field,
                  std::string& out) -> std::optional<Failure> {
    value v;
    if (path) {
      auto sel = path->select(ctx);
      if (!sel) {
        return runtime_failure(fr, "The JSONPath '" + path->text() + "' specified for the field '" +
                                       field + "' could not be found in the input '" +
                                       json::dump(fr.input) + "'");
      }
      v = std::move(*sel);
    } else if (fn) {
      auto r = fn->evaluate(ctx, field);
      if (!r) return Failure{r.error().name, state_error_prefix(s.name, fr.entered_event) + r.error().cause, true};
      v = std::move(*r);
    } else {
      return std::nullopt;
    }
    out = v.is_string() ? std::string(v.get_string()) : json::dump(v);
    return std::nullopt;
  };
  if (auto bad = eval(s.error_path, s.error_fn, "ErrorPath", fl.error)) return state_failed(f, *bad);
  std::string cause;
  bool has_cause_path = s.cause_path || s.cause_fn;
  if (auto bad = eval(s.cause_path, s.cause_fn, "CausePath", cause)) return state_failed(f, *bad);
  if (has_cause_path) {
    fl.cause = std::move(cause);
    fl.has_cause = true;
  }
  frame_failed(f, std::move(fl));
  return false;
}

bool Execution::run_wait(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  auto eff = apply_input_path(s.input_path, fr.input, false, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  fr.effective = std::move(*eff);
  ctx.input = &fr.effective;
  Millis due = now_;
  if (s.seconds) {
    due = now_ + *s.seconds * 1000;
  } else if (s.timestamp) {
    Millis t = 0;
    if (!parse_rfc3339(*s.timestamp, &t)) {
      return state_failed(f, runtime_failure(fr, "The Timestamp field cannot be parsed as an "
                                                  "ISO-8601 extended offset date-time format "
                                                  "string: " + *s.timestamp));
    }
    due = t;
  } else if (s.seconds_path) {
    auto sel = s.seconds_path->select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    const value& v = *sel;
    std::string where = s.seconds_path->text() + " == " + json::dump(v);
    if (!json::is_number(v) || !json::is_integral_number(v) || (v.is_double() && std::fabs(v.get_double()) > 9e18)) {
      return state_failed(
          f, runtime_failure(fr, "The SecondsPath parameter cannot be parsed as a long value: " + where));
    }
    auto secs = static_cast<std::int64_t>(json::as_double(v));
    if (v.is_int64()) secs = v.get_int64();
    if (secs < 0) {
      return state_failed(
          f, runtime_failure(fr, "The SecondsPath parameter references a negative value: " + where));
    }
    if (secs > wait_seconds_max) {
      return state_failed(f, runtime_failure(fr, "Wait state delay is too long."));
    }
    due = now_ + secs * 1000;
  } else if (s.timestamp_path) {
    auto sel = s.timestamp_path->select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    Millis t = 0;
    std::string text = sel->is_string() ? std::string(sel->get_string()) : json::dump(*sel);
    if (!sel->is_string() || !parse_rfc3339(text, &t)) {
      return state_failed(f, runtime_failure(fr, "The TimestampPath parameter does not reference a "
                                                  "valid ISO-8601 extended offset date-time "
                                                  "format string: " +
                                                      s.timestamp_path->text() + " == " + text));
    }
    due = t;
  }
  return wait_until(f, due);
}

bool Execution::wait_until(int f, Millis due) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if ((due - now_) / 1000 > wait_seconds_max) {
    return state_failed(f, runtime_failure(fr, "Wait state delay is too long."));
  }
  start_timer(f, OpKind::kWait, std::max(due, now_));
  return false;
}

namespace {

}  // namespace

std::string detail::make_token(const std::function<std::uint64_t()>& random) {
  static const char* hex = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t r = random ? random() : 0;
    for (int k = 0; k < 16; ++k) t.push_back(hex[(r >> (k * 4)) & 15]);
  }
  return t;
}

// Keeps the finished request of a state with Retry for the next attempt when nobody else holds
// it (a driver or runner holding it would see it change); its payloads are freed at once.
void detail::recycle_request(Execution::Frame& fr) {
  if (fr.sent_request && fr.sent_request.use_count() == 1 && !fr.cur().retry.empty()) {
    auto r = std::const_pointer_cast<tasks::TaskRequest>(std::move(fr.sent_request));
    r->parameters = value();
    r->credentials = value();
    fr.spare_request = std::move(r);
  }
  fr.sent_request.reset();
}

namespace {

}  // namespace

// TimeoutSecondsPath / HeartbeatSecondsPath: a positive integer at the path.
static std::optional<std::string> seconds_from_path(const jsonpath::Path& path,
                                                    const jsonpath::EvalContext& ctx,
                                                    const char* field, std::int64_t* out) {
  auto sel = path.select_or_fail(ctx);
  if (!sel) return sel.error().cause;
  const value& v = *sel;
  if (!json::is_number(v) || !json::is_integral_number(v) || json::as_double(v) < 1 ||
      json::as_double(v) > static_cast<double>(limits::seconds_max)) {
    return std::string("The ") + field + " parameter does not reference a valid positive integer: " +
           path.text() + " == " + json::dump(v);
  }
  *out = static_cast<std::int64_t>(json::as_double(v));
  return std::nullopt;
}

// True when nothing reads a Task's state input once the call starts, so the input can move
// into the request instead of being deep-copied: no Retry (re-runs from the input), no Catch
// or ResultPath (merge into it), no Assign/ResultSelector, and no path or Credentials field
// evaluated against it after InputPath.
static bool task_input_consumable(const State& s) {
  return s.input_path.kind == PathField::Kind::kDefault && !s.parameters &&
         s.result_path.kind == PathField::Kind::kDefault && s.retry.empty() &&
         s.catchers.empty() && !s.assign && !s.result_selector && !s.timeout_seconds_path &&
         !s.heartbeat_seconds_path && !s.credentials;
}

bool Execution::run_task(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  fr.request = Frame::StagedTask();
  if (s.integration.pattern == integrations::IntegrationPattern::kWaitForTaskToken ||
      s.integration.activity()) {
    fr.request.task_token = make_token(random_);
  }
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  // With the default InputPath, Parameters read "$" = the input itself: skip copying it.
  const bool params_over_input = s.parameters && s.input_path.kind == PathField::Kind::kDefault;
  value params;
  if (!params_over_input) {
    auto eff = apply_input_path(s.input_path, fr.input, task_input_consumable(s), ctx);
    if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
    params = std::move(*eff);
  }
  if (s.parameters) {
    if (!params_over_input) ctx.input = &params;
    auto p = s.parameters->evaluate(ctx);
    if (!p) {
      return state_failed(f, Failure{p.error().name,
                                     state_error_prefix(s.name, fr.entered_event) + p.error().cause,
                                     true});
    }
    params = std::move(*p);
  }
  ctx.input = &fr.input;
  std::optional<std::int64_t> timeout = s.timeout_seconds;
  std::optional<std::int64_t> heartbeat = s.heartbeat_seconds;
  if (s.timeout_seconds_path) {
    std::int64_t v = 0;
    if (auto bad = seconds_from_path(*s.timeout_seconds_path, ctx, "TimeoutSecondsPath", &v)) {
      return state_failed(f, runtime_failure(fr, *bad));
    }
    timeout = v;
  }
  if (s.heartbeat_seconds_path) {
    std::int64_t v = 0;
    if (auto bad = seconds_from_path(*s.heartbeat_seconds_path, ctx, "HeartbeatSecondsPath", &v)) {
      return state_failed(f, runtime_failure(fr, *bad));
    }
    heartbeat = v;
  }
  if (s.credentials) {
    auto c = s.credentials->evaluate(ctx);
    if (!c) return state_failed(f, runtime_failure(fr, c.error().cause));
    fr.request.credentials = std::move(*c);
  }
  schedule_task(f, std::move(params), timeout, heartbeat);
  return false;
}

// "<execution arn>:<entered event id>:<attempt>": a retry keeps the state entry and counts up
// the attempt; a new entry (a loop, a redrive, another Map iteration) has a new event id. A
// silent frame writes no Entered event, so the call id (unique in the execution, the same on
// every replay) stands in for it.
static void set_idempotency_key(tasks::TaskRequest& r, const Execution::Frame& fr,
                                std::uint64_t call_id) {
  r.idempotency_key.assign(r.execution_arn);
  r.idempotency_key += ':';
  if (fr.silent) {
    r.idempotency_key += 'c';
    r.idempotency_key += std::to_string(call_id);
  } else {
    r.idempotency_key += std::to_string(fr.entered_event);
  }
  r.idempotency_key += ':';
  r.idempotency_key += std::to_string(fr.retry_count);
}

void Execution::schedule_task(int f, value params, std::optional<std::int64_t> timeout,
                              std::optional<std::int64_t> heartbeat) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  fr.task_phase = TaskPhase::kDispatched;
  fr.scheduled_event = fr.silent ? 0 : next_event_id_;  // the first event written below
  if (history_on() && !fr.silent) {
    object d;
    const std::string region = s.resource_region.empty() ? info_.region : s.resource_region;
    if (s.integration.function_arn()) {
      d = payload_details("input", params);
      d["resource"] = s.resource;
      if (timeout) d["timeoutInSeconds"] = *timeout;
      if (heartbeat) d["heartbeatInSeconds"] = *heartbeat;
      emit(f, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", std::move(d));
      emit(f, "LambdaFunctionStarted", "", object());
    } else if (s.integration.activity()) {
      d = payload_details("input", params);
      d["resource"] = s.resource;
      if (timeout) d["timeoutInSeconds"] = *timeout;
      if (heartbeat) d["heartbeatInSeconds"] = *heartbeat;
      // ActivityStarted comes later, when a worker takes the task (kTaskStarted).
      emit(f, "ActivityScheduled", "activityScheduledEventDetails", std::move(d));
    } else {
      d["resourceType"] = s.resource_type;
      d["resource"] = s.resource_short;
      d["region"] = region;
      d["parameters"] = json::dump(params);
      if (timeout) d["timeoutInSeconds"] = *timeout;
      if (heartbeat) d["heartbeatInSeconds"] = *heartbeat;
      emit(f, "TaskScheduled", "taskScheduledEventDetails", std::move(d));
      emit(f, "TaskStarted", "taskStartedEventDetails", service_details(s));
    }
  } else if (!fr.silent) {
    emit(f, "", "", object());
    emit(f, "", "", object());
  }
  // A retry reuses the last attempt's request (recycle_request): its strings keep their
  // capacity, sparing an allocation per field. Every field is assigned below.
  std::shared_ptr<tasks::TaskRequest> r = std::move(fr.spare_request);
  if (!r) r = std::make_shared<tasks::TaskRequest>();
  r->resource = s.resource;
  r->integration = s.integration;  // resolved at compile: no runner classifies the text again
  r->parameters = std::move(params);
  r->state_name = s.name;
  r->execution_arn = info_.execution_arn;
  r->execution_name = info_.execution_name;
  r->state_machine_arn = info_.state_machine_arn;
  r->state_machine_name = info_.state_machine_name;
  r->attempt = fr.retry_count;
  r->resume = tasks::TaskRequest::Resume::kNone;
  r->task_token = fr.request.task_token;  // the frame keeps its own for $$.Task.Token
  r->timeout_seconds = timeout;
  r->heartbeat_seconds = heartbeat;
  r->credentials = std::move(fr.request.credentials);
  Command c;
  c.kind = Command::Kind::kInvokeTask;
  c.id = add_op(f, OpKind::kTask);
  // Unique among this execution's calls (and across executions): cancel() can tell apart the
  // iterations of a Map, which share state name and attempt.
  r->task_id.assign(info_.execution_arn);
  r->task_id += '#';
  r->task_id += std::to_string(c.id);
  set_idempotency_key(*r, fr, c.id);
  fr.sent_request = r;
  c.request = std::move(r);
  fr.task_op = c.id;
  commands_.push_back(std::move(c));
  if (timeout) start_timer(f, OpKind::kTaskTimeout, now_ + *timeout * 1000);
  fr.heartbeat_ms = 0;
  if (heartbeat) {
    fr.heartbeat_ms = *heartbeat * 1000;
    start_timer(f, OpKind::kHeartbeat, now_ + fr.heartbeat_ms);
  }
}

object Execution::service_details(const State& s) const {
  object d;
  d["resourceType"] = s.resource_type;
  d["resource"] = s.resource_short;
  return d;
}

void Execution::task_result(int f, StepEvent& ev) {
  cancel_ops(f);
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool lambda = s.integration.function_arn();
  const bool activity = s.integration.activity();
  Failure fl;
  bool ok = ev.kind == StepEvent::Kind::kTaskSucceeded;
  if (ok && payload_too_large(ev.output, info_.enforce_quotas)) {
    ok = false;
    fl = Failure{"States.DataLimitExceeded",
                 "The state/task '" + (lambda || activity ? s.resource : s.resource_type) +
                     "' returned a result with a size exceeding the maximum number of bytes "
                     "service limit.",
                 true};
  } else if (!ok) {
    fl = Failure{ev.error, ev.cause, ev.has_cause};
  }
  bool moved = false;
  if (ok) {
    if (history_on() && !fr.silent) {
      object d = payload_details("output", ev.output);
      if (!lambda && !activity) {
        d["resourceType"] = s.resource_type;
        d["resource"] = s.resource_short;
      }
      emit(f, lambda ? "LambdaFunctionSucceeded" : activity ? "ActivitySucceeded" : "TaskSucceeded",
           lambda ? "lambdaFunctionSucceededEventDetails"
                  : activity ? "activitySucceededEventDetails" : "taskSucceededEventDetails",
           std::move(d));
    } else if (!fr.silent) {
      emit(f, "", "", object());
    }
    // The event is ours (handle_event owns it): take the output instead of deep-copying it.
    value result = std::move(ev.output);
    if (s.result_selector) {
      STEPWISE_CTX(fr, &result, nullptr, 0)
      auto r = s.result_selector->evaluate(ctx);
      if (!r) {
        moved = state_failed(f, Failure{r.error().name,
                                        state_error_prefix(s.name, fr.entered_event) +
                                            r.error().cause,
                                        true});
      } else {
        moved = complete_state(f, std::move(*r));
      }
    } else {
      moved = complete_state(f, std::move(result));
    }
  } else {
    if (history_on() && !fr.silent) {
      object d;
      d["error"] = fl.error;
      if (fl.has_cause) d["cause"] = fl.cause;
      if (!lambda && !activity) {
        d["resourceType"] = s.resource_type;
        d["resource"] = s.resource_short;
      }
      emit(f, lambda ? "LambdaFunctionFailed" : activity ? "ActivityFailed" : "TaskFailed",
           lambda ? "lambdaFunctionFailedEventDetails"
                  : activity ? "activityFailedEventDetails" : "taskFailedEventDetails",
           std::move(d));
    } else if (!fr.silent) {
      emit(f, "", "", object());
    }
    moved = state_failed(f, std::move(fl));
  }
  if (moved) ready_.push_back(f);
  run_queue();
}

void Execution::task_timed_out(int f, const char* error) {
  cancel_ops(f);
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool lambda = s.integration.function_arn();
  const bool activity = s.integration.activity();
  if (!fr.silent) {
    object d;
    if (history_on()) {
      d["error"] = error;
      if (!lambda && !activity) {
        d["resourceType"] = s.resource_type;
        d["resource"] = s.resource_short;
      }
    }
    emit(f, lambda ? "LambdaFunctionTimedOut" : activity ? "ActivityTimedOut" : "TaskTimedOut",
         lambda ? "lambdaFunctionTimedOutEventDetails"
                : activity ? "activityTimedOutEventDetails" : "taskTimedOutEventDetails",
         std::move(d));
  }
  if (state_failed(f, Failure{error, "", false})) ready_.push_back(f);
  run_queue();
}

// ---------------------------------------------------------------------------- retry / catch

bool Execution::state_failed(int f, Failure failure, bool from_children) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool handles = s.type == StateType::kTask || s.type == StateType::kParallel ||
                       s.type == StateType::kMap;
  if (failure.evaluation && !from_children) {
    evaluation_failed_event(f, failure);
    // A Map or Parallel that fails before (or after) its children still writes its Failed event.
    from_children = s.type == StateType::kMap || s.type == StateType::kParallel;
  }
  if (handles && failure.error != "States.Runtime") {
    for (std::size_t i = 0; i < s.retry.size(); ++i) {
      const asl::Retrier& r = s.retry[i];
      if (!error_matches(r.error_equals, failure.error)) continue;
      if (fr.retry_counts[i] >= r.max_attempts) break;
      double delay = static_cast<double>(r.interval_seconds) *
                     std::pow(r.backoff_rate, static_cast<double>(fr.retry_counts[i]));
      if (r.max_delay_seconds) delay = std::min(delay, static_cast<double>(*r.max_delay_seconds));
      delay = std::min(delay, static_cast<double>(limits::seconds_max));
      auto delay_ms = static_cast<Millis>(std::llround(delay * 1000.0));
      if (r.jitter_full && delay_ms > 0 && random_) {
        delay_ms = static_cast<Millis>(random_() % static_cast<std::uint64_t>(delay_ms + 1));
      }
      ++fr.retry_counts[i];
      ++fr.retry_count;
      start_timer(f, OpKind::kRetry, now_ + delay_ms);
      return false;
    }
  }
  if (from_children && !fr.silent) {
    emit(f, s.type == StateType::kMap ? "MapStateFailed" : "ParallelStateFailed", "", object());
  }
  if (handles && failure.error != "States.Runtime") {
    for (const auto& c : s.catchers) {
      if (!error_matches(c.error_equals, failure.error)) continue;
      value err = error_output(failure.error, failure.cause, failure.has_cause);
      if (!fr.assigned.empty()) fr.assigned.clear();
      if (s.jsonata) return jsonata_catch(f, c, std::move(err));
      if (c.assign) {
        if (auto bad = apply_assign(f, *c.assign, err)) {
          frame_failed(f, std::move(*bad));
          return false;
        }
      }
      value out;
      switch (c.result_path.kind) {
        case PathField::Kind::kDefault: out = std::move(err); break;
        case PathField::Kind::kNull: out = std::move(fr.input); break;
        case PathField::Kind::kPath: {
          out = std::move(fr.input);
          Status st = c.result_path.path.assign(out, std::move(err));
          if (!st) {
            frame_failed(f, runtime_failure(fr, st.error().cause));
            return false;
          }
          break;
        }
      }
      return transition_out(f, std::move(out), c.next);
    }
  }
  if (s.type == StateType::kTask && fr.parent >= 0 && !fr.silent) {
    // A branch or iteration that fails on a Task records the state as aborted; the event does
    // not move the causal chain (AWS links the parent's next event to the failure itself).
    std::int64_t keep = fr.last_event;
    emit(f, "TaskStateAborted", "", object());
    fr.last_event = keep;
  }
  frame_failed(f, std::move(failure));
  return false;
}

// ---------------------------------------------------------------------------- Parallel / Map

bool Execution::run_parallel(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  auto eff = apply_input_path(s.input_path, fr.input, false, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  value input = std::move(*eff);
  if (s.parameters) {
    ctx.input = &input;
    auto p = s.parameters->evaluate(ctx);
    if (!p) {
      return state_failed(f, Failure{p.error().name,
                                     state_error_prefix(s.name, fr.entered_event) + p.error().cause,
                                     true});
    }
    input = std::move(*p);
  }
  return parallel_start(f, std::move(input));
}

bool Execution::parallel_start(int f, value input) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  emit(f, "ParallelStateStarted", "", object());
  fr.children.clear();
  fr.results = json::array(s.branches.size());
  fr.pending = s.branches.size();
  if (s.branches.empty()) return finish_children(f);
  for (std::size_t i = 0; i < s.branches.size(); ++i) {
    int c = new_frame(s.branches[i].get(), f, static_cast<int>(i),
                      i + 1 == s.branches.size() ? std::move(input) : input);
    frames_[static_cast<std::size_t>(f)]->children.push_back(c);
    enter_state(c, s.branches[i]->start_at);
    ready_.push_back(c);
  }
  return false;
}

// Reads an integer (or, for percentages, a number) for a Map field given by path.
static std::optional<std::string> map_number(const jsonpath::Path& path,
                                             const jsonpath::EvalContext& ctx, const char* field,
                                             bool is_float, double* out) {
  auto sel = path.select_or_fail(ctx);
  if (!sel) return sel.error().cause;
  const value& v = *sel;
  auto bad = [&] {
    return std::string("The ") + field + " field refers to value " + quoted_value(v) +
           " which is not a valid " + (is_float ? "float" : "integer") + ": " + path.text();
  };
  if (v.is_string()) {
    // AWS parses numeric text too ("1" is a valid MaxConcurrency).
    std::string text(v.get_string());
    auto parsed = json::parse(text);
    if (!parsed || !json::is_number(*parsed) || (!is_float && !json::is_integral_number(*parsed))) {
      return bad();
    }
    *out = json::as_double(*parsed);
    return std::nullopt;
  }
  if (!json::is_number(v) || (!is_float && !json::is_integral_number(v))) return bad();
  *out = json::as_double(v);
  return std::nullopt;
}

bool Execution::map_settings(int f, const jsonpath::EvalContext& ctx) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  double v = 0;
  fr.max_concurrency = static_cast<std::size_t>(std::max<std::int64_t>(0, s.max_concurrency));
  if (s.max_concurrency_path) {
    if (auto bad = map_number(*s.max_concurrency_path, ctx, "MaxConcurrencyPath", false, &v)) {
      return state_failed(f, runtime_failure(fr, *bad)), false;
    }
    fr.max_concurrency = v < 0 ? 0 : static_cast<std::size_t>(v);
  }
  return true;
}

bool Execution::map_tolerance(int f, const jsonpath::EvalContext& ctx) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  double v = 0;
  fr.tolerated_count = s.tolerated_failure_count;
  fr.tolerated_percentage = s.tolerated_failure_percentage;
  if (s.tolerated_failure_count_path) {
    if (auto bad = map_number(*s.tolerated_failure_count_path, ctx, "ToleratedFailureCountPath",
                              false, &v)) {
      return state_failed(f, runtime_failure(fr, *bad)), false;
    }
    fr.tolerated_count = static_cast<std::int64_t>(v);
  }
  if (s.tolerated_failure_percentage_path) {
    if (auto bad = map_number(*s.tolerated_failure_percentage_path, ctx,
                              "ToleratedFailurePercentagePath", true, &v)) {
      return state_failed(f, runtime_failure(fr, *bad)), false;
    }
    fr.tolerated_percentage = v;
  }
  if (fr.tolerated_count && *fr.tolerated_count < 0) {
    return state_failed(f, runtime_failure(fr, "ToleratedFailureCount cannot be negative.")), false;
  }
  if (fr.tolerated_percentage && (*fr.tolerated_percentage < 0 || *fr.tolerated_percentage > 100)) {
    return state_failed(f, runtime_failure(fr, "ToleratedFailurePercentage must be between 0 and 100.")),
           false;
  }
  return true;
}

bool Execution::run_map(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (s.jsonata) return jsonata_map(f);
  STEPWISE_CTX(fr, &fr.input, nullptr, 0)
  // With the default InputPath the effective input is the state input itself, which the frame
  // keeps anyway (for ResultPath): read it in place rather than copy it.
  if (s.input_path.kind == PathField::Kind::kDefault) {
    fr.effective = value();
  } else {
    auto eff = apply_input_path(s.input_path, fr.input, false, ctx);
    if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
    fr.effective = std::move(*eff);
    ctx.input = &fr.effective;
  }
  if (s.items_path) {
    auto sel = s.items_path->select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    fr.items = std::move(*sel);
  } else {
    fr.items = *ctx.input;
  }
  if (!fr.items.is_array()) {
    return state_failed(f, runtime_failure(fr, "Map state input must be an array but was: " +
                                                   json::dump(fr.items)));
  }
  if (!map_settings(f, ctx)) return false;
  // Inline maps check their tolerance before starting; a Map Run checks it once started.
  if (!s.distributed && !map_tolerance(f, ctx)) return false;
  return map_start(f, &ctx);
}

// MapStateStarted (and MapRunStarted), then the first iterations. `late_tolerance`: the context
// to check a Map Run's tolerance with, once started (null: already checked).
bool Execution::map_start(int f, const jsonpath::EvalContext* late_tolerance) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const std::size_t n = fr.items.get_array().size();
  emit(f, "MapStateStarted", "mapStateStartedEventDetails", [&] {
    object d;
    if (history_on()) d["length"] = static_cast<std::int64_t>(n);
    return d;
  }());
  if (s.distributed && late_tolerance != nullptr && !map_tolerance(f, *late_tolerance)) return false;
  if (s.distributed && !fr.silent) {
    std::string run = info_.state_machine_name + "/" + (s.label.empty() ? s.name : s.label) + ":" +
                      make_token(random_).substr(0, 32);
    emit(f, "MapRunStarted", "mapRunStartedEventDetails", [&] {
      object d;
      if (history_on()) {
        d["mapRunArn"] = "arn:aws:states:" + info_.region + ":" + info_.account + ":mapRun:" + run;
      }
      return d;
    }());
  }
  fr.children.clear();
  fr.results = json::array(n);
  fr.pending = n;
  fr.next_item = 0;
  fr.running = 0;
  fr.failed = 0;
  fr.map_cursor = fr.last_event;
  if (n == 0) return finish_children(f);
  start_map_iterations(f);
  return false;
}

void Execution::start_map_iterations(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  json::array& items = fr.items.get_array();
  std::size_t limit = fr.max_concurrency == 0 ? items.size() : fr.max_concurrency;
  while (fr.running < limit && fr.next_item < items.size()) {
    std::size_t i = fr.next_item++;
    value input;
    if (s.jsonata && s.jsonata->item_selector) {
      if (auto bad = jsonata_item_selector(f, i, input)) {
        --fr.next_item;  // item i never started: a redrive starts it
        for (int c : fr.children) abort_frame(c);
        if (state_failed(f, std::move(*bad))) ready_.push_back(f);
        return;
      }
    } else if (s.parameters) {
      const bool whole = s.input_path.kind == PathField::Kind::kDefault;
      jsonpath::EvalContext ctx = eval_context(fr, whole ? &fr.input : &fr.effective);
      value ctx_obj = context_object(fr, &items[i], static_cast<std::int64_t>(i));
      ctx.context = &ctx_obj;
      auto p = s.parameters->evaluate(ctx);
      if (!p) {
        --fr.next_item;  // item i never started: a redrive starts it
        for (int c : fr.children) abort_frame(c);
        Failure fl{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause,
                   true};
        if (state_failed(f, std::move(fl))) ready_.push_back(f);
        return;
      }
      input = std::move(*p);
    } else {
      // Nothing else reads item i once its iteration starts (a retry or redrive of the Map
      // evaluates ItemsPath again): move it rather than deep-copy it.
      input = std::move(items[i]);
    }
    if (!fr.silent && !s.distributed) {
      std::int64_t id = emit_prev(fr.map_cursor, "MapIterationStarted",
                                  "mapIterationStartedEventDetails", [&] {
                                    object d;
                                    if (history_on()) {
                                      d["index"] = static_cast<std::int64_t>(i);
                                      d["name"] = s.name;
                                    }
                                    return d;
                                  }());
      fr.last_event = id;
    }
    int c = new_frame(s.processor.get(), f, static_cast<int>(i), std::move(input));
    Frame& pf = *frames_[static_cast<std::size_t>(f)];
    pf.children.push_back(c);
    ++pf.running;
    enter_state(c, s.processor->start_at);
    ready_.push_back(c);
  }
}

void Execution::child_done(int parent, int child, bool ok, value output, const Failure* failure) {
  Frame& pf = *frames_[static_cast<std::size_t>(parent)];
  Frame& cf = *frames_[static_cast<std::size_t>(child)];
  if (pf.done || cf.parent_activation != pf.activation) return;
  const State& s = pf.cur();
  const bool is_map = s.type == StateType::kMap;
  const auto idx = static_cast<std::size_t>(cf.index);
  if (is_map) {
    --pf.running;
    if (!pf.silent && !s.distributed) {
      std::int64_t id = emit_prev(cf.last_event,
                                  ok ? "MapIterationSucceeded" : "MapIterationFailed",
                                  ok ? "mapIterationSucceededEventDetails"
                                     : "mapIterationFailedEventDetails",
                                  [&] {
                                    object d;
                                    if (history_on()) {
                                      d["index"] = cf.index;
                                      d["name"] = s.name;
                                    }
                                    return d;
                                  }());
      pf.map_cursor = cf.last_event;
      pf.last_event = ok ? id : cf.last_event;
    }
  } else if (!pf.silent) {
    pf.last_event = cf.last_event;
  }
  if (!ok && is_map) {
    ++pf.failed;
    const std::size_t n = pf.results.size();
    bool tolerated = false;
    if (pf.tolerated_count && static_cast<std::int64_t>(pf.failed) <= *pf.tolerated_count) {
      tolerated = true;
    }
    if (pf.tolerated_percentage && n > 0 &&
        static_cast<double>(pf.failed) * 100.0 / static_cast<double>(n) <= *pf.tolerated_percentage) {
      tolerated = true;
    }
    if (tolerated) {
      pf.results[idx] = error_output(failure->error, failure->cause, failure->has_cause);
      ok = true;
      output = pf.results[idx];
    } else {
      Failure fl = *failure;
      if (pf.tolerated_count || pf.tolerated_percentage) {
        fl = Failure{"States.ExceedToleratedFailureThreshold",
                     "The specified tolerated failure threshold was exceeded", true};
      }
      for (int c : pf.children) abort_frame(c);
      if (state_failed(parent, std::move(fl), true)) ready_.push_back(parent);
      return;
    }
  }
  if (!ok) {
    for (int c : pf.children) abort_frame(c);
    if (state_failed(parent, *failure, true)) ready_.push_back(parent);
    return;
  }
  pf.results[idx] = std::move(output);
  if (--pf.pending == 0) {
    if (finish_children(parent)) ready_.push_back(parent);
    return;
  }
  if (is_map) start_map_iterations(parent);
}

bool Execution::finish_children(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool is_map = s.type == StateType::kMap;
  if (is_map && s.distributed && !fr.silent) emit(f, "MapRunSucceeded", "", object());
  // The Succeeded event and the Exited event share their predecessor (as AWS records them).
  if (!fr.silent) {
    emit_prev(fr.last_event, is_map ? "MapStateSucceeded" : "ParallelStateSucceeded", "", object());
  }
  fr.children.clear();
  value result = value(std::move(fr.results));
  fr.results = json::array();
  fr.items = value();
  if (s.result_selector) {
    STEPWISE_CTX(fr, &result, nullptr, 0)
    auto r = s.result_selector->evaluate(ctx);
    if (!r) {
      return state_failed(f, Failure{r.error().name,
                                     state_error_prefix(s.name, fr.entered_event) + r.error().cause,
                                     true});
    }
    result = std::move(*r);
  }
  return complete_state(f, std::move(result));
}

}  // namespace stepwise::engine
