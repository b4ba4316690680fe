// The interpreter's core: frames, history events and outstanding operations, the context
// object, and the public steps (start, handle, time-outs). The states themselves live beside
// it: interpreter_states.cpp (Pass, Choice, Succeed, Fail, Wait and the I/O fields),
// interpreter_task.cpp, interpreter_branches.cpp (Parallel, Map), interpreter_retry.cpp and
// interpreter_redrive.cpp; jsonata_states.cpp has the JSONata variants. See interpreter.h.
#include "engine/interpreter.h"

#include <algorithm>
#include <limits>

#include "base/limits.h"
#include "engine/execution_internal.h"
#include "engine/failure_limits.h"

namespace stepwise::engine {

using asl::PathField;
using asl::State;
using asl::StateType;
using detail::apply_input_path;
using detail::cap_cause;
using detail::error_matches;
using detail::error_output;
using detail::kEntered;
using detail::kExited;
using detail::payload_details;
using detail::payload_too_large;
using detail::quoted_value;
using detail::recycle_request;
using detail::type_index;
using json::object;
using json::value;

namespace {

// An Express execution runs at most five minutes (AWS's quota), TimeoutSeconds or not.
constexpr Millis express_duration_ms_max = 5 * 60 * 1000;

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
    case boost::json::kind::string:
      return v.get_string().size() * 6 + 2;
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
    default:
      return 32;
  }
}

}  // namespace

const char* const detail::kEntered[8] = {
    "PassStateEntered",    "TaskStateEntered", "ChoiceStateEntered",   "WaitStateEntered",
    "SucceedStateEntered", "FailStateEntered", "ParallelStateEntered", "MapStateEntered"};
const char* const detail::kExited[8] = {
    "PassStateExited",    "TaskStateExited", "ChoiceStateExited",   "WaitStateExited",
    "SucceedStateExited", "FailStateExited", "ParallelStateExited", "MapStateExited"};

object detail::payload_details(const char* key, const value& v) {
  object d;
  d[key] = json::dump(v);
  d[std::string(key) + "Details"] = object{{"truncated", false}};
  return d;
}

bool detail::error_matches(const std::vector<std::string>& equals, const std::string& error) {
  for (const auto& e : equals) {
    if (e == error || e == "States.ALL") return true;
    if (e == "States.TaskFailed" && error != "States.Timeout") return true;
  }
  return false;
}

// "value \"X\"": strings as they are, anything else as JSON text (AWS's wording).
std::string detail::quoted_value(const value& v) {
  return "\"" + (v.is_string() ? std::string(v.get_string()) : json::dump(v)) + "\"";
}

// InputPath: "$" (default), null ({}), or a path that must match.
Result<value> detail::apply_input_path(const PathField& p, value& raw, bool consume,
                                       const jsonpath::EvalContext& ctx) {
  switch (p.kind) {
    case PathField::Kind::kDefault:
      return consume ? std::move(raw) : raw;
    case PathField::Kind::kNull:
      return value(object());
    case PathField::Kind::kPath:
      break;
  }
  return p.path.select_or_fail(ctx);
}

value detail::error_output(const std::string& error, const std::string& cause, bool has_cause,
                           bool has_error) {
  object o;
  if (!has_error) {
    // Recorded (SendTaskFailure with neither error nor cause): both members, both null.
    o["Error"] = nullptr;
    o["Cause"] = has_cause ? value(cause) : value(nullptr);
    return o;
  }
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

Execution::StateContext::StateContext(Execution& ex, Frame& fr, const value* input)
    : jsonpath::EvalContext(ex.eval_context(fr, input)) {
  if (fr.cur().uses_context) {
    context_object_ =
        ex.context_object(fr, nullptr, 0, fr.cur().context_need == asl::ContextNeed::kFull);
    context = &context_object_;
  }
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
  StateContext ctx(*this, fr, &dollar);
  auto r = assign.evaluate(ctx);
  if (!r) {
    return Failure{r.error().name,
                   state_error_prefix(fr.cur().name, fr.entered_event) + r.error().cause, true};
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
    if (op.kind == OpKind::kTask || op.kind == OpKind::kMapIo) {
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
    if (op.kind == OpKind::kTask || op.kind == OpKind::kMapIo) return std::nullopt;
    if (earliest == 0 || op.due_ms < earliest) earliest = op.due_ms;
  }
  return earliest;
}

bool Execution::task_pending(std::uint64_t id) const {
  auto it = ops_.find(id);
  // A Map's S3 call counts: recovery re-sends it only while it is pending.
  return it != ops_.end() &&
         (it->second.kind == OpKind::kTask || it->second.kind == OpKind::kMapIo);
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

// AWS keeps at most failure_limits::cause_chars_max characters of a cause: the rest is cut at a
// code point boundary (bytes are counted only when the text is that long at all).
void detail::cap_cause(std::string& cause) {
  if (cause.size() <= failure_limits::cause_chars_max) return;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < cause.size(); ++i) {
    if ((static_cast<unsigned char>(cause[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars++ == failure_limits::cause_chars_max) {
      cause.resize(i);
      return;
    }
  }
}

Execution::Failure Execution::runtime_failure(const Frame& fr, const std::string& message) const {
  // In a JSONata state AWS reports run-time failures as query evaluation errors.
  if (fr.cur().jsonata) return query_failure(fr, message, "");
  return Failure{"States.Runtime", state_error_prefix(fr.cur().name, fr.entered_event) + message,
                 true};
}

// ---------------------------------------------------------------------------- context

value Execution::context_object(const Frame& fr, const value* map_item, std::int64_t index,
                                bool with_input) {
  if (info_.context_override && fr.parent < 0) {
    value ctx = *info_.context_override;
    if (map_item != nullptr) set_map_item(ctx, *map_item, index);
    return ctx;
  }
  object exec;
  exec["Id"] = info_.execution_arn;
  if (with_input) exec["Input"] = execution_input_;
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
  value out(std::move(ctx));
  if (map_item != nullptr) set_map_item(out, *map_item, index);
  return out;
}

void Execution::set_map_item(value& ctx, const value& item, std::int64_t index) {
  if (!ctx.is_object()) return;
  ctx.get_object()["Map"] = object{{"Item", object{{"Index", index}, {"Value", item}}}};
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
    if (const json::string* in = e.details["input"].if_string())
      fr.entered_input.assign(in->data(), in->size());
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
    case StateType::kPass:
      return run_pass(f);
    case StateType::kTask:
      return run_task(f);
    case StateType::kChoice:
      return run_choice(f);
    case StateType::kWait:
      return run_wait(f);
    case StateType::kSucceed:
      return run_succeed(f);
    case StateType::kFail:
      return run_fail(f);
    case StateType::kParallel:
      return run_parallel(f);
    case StateType::kMap:
      return run_map(f);
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
  detail::drop_payloads(fr);  // a branch or iteration that succeeded never runs again
  child_done(fr.parent, f, true, std::move(output), nullptr);
}

void Execution::frame_failed(int f, Failure failure) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  cap_cause(failure.cause);
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
  map_run_close(f, "ABORTED");
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
  if (!info_.initial_variables.empty())
    frames_[static_cast<std::size_t>(f)]->vars = info_.initial_variables;
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
  if (ev.kind == StepEvent::Kind::kUpdateMapRun) {
    update_map_run(ev.output);
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
    case OpKind::kMapIo:
      fr.task_op = 0;
      map_io_answer(op.frame, ev);
      return;
    case OpKind::kTaskTimeout:
      task_timed_out(op.frame, "States.Timeout");
      return;
    case OpKind::kHeartbeat:
      // AWS names a missed heartbeat of a service integration's callback (sqs:sendMessage
      // .waitForTaskToken, ...) States.Timeout (the service cases timeouts__test_heartbeat_*
      // record it); an activity's keeps States.HeartbeatTimeout.
      task_timed_out(
          op.frame, fr.cur().integration.activity() ? "States.HeartbeatTimeout" : "States.Timeout");
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
    case OpKind::kExecutionTimeout:
      break;
  }
  // Also when the frame did not move on: a Wait that ended its branch or iteration has queued
  // the parent (child_done), which must run now — nothing else would wake it.
  if (moved) ready_.push_back(op.frame);
  run_queue();
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

}  // namespace stepwise::engine
