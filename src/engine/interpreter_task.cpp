// Task states: the call's parameters, timeouts and heartbeats, task tokens, idempotency keys,
// and what comes back (results, failures, time-outs).
#include "engine/interpreter.h"

#include "base/limits.h"
#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::PathField;
using asl::State;
using detail::apply_input_path;
using detail::make_token;
using detail::payload_details;
using detail::payload_too_large;
using detail::recycle_request;
using json::object;
using json::value;

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

// TimeoutSecondsPath / HeartbeatSecondsPath: a positive integer at the path.
static std::optional<std::string> seconds_from_path(const jsonpath::Path& path,
                                                    const jsonpath::EvalContext& ctx,
                                                    const char* field, std::int64_t* out) {
  auto sel = path.select_or_fail(ctx);
  if (!sel) return sel.error().cause;
  const value& v = *sel;
  if (!json::is_number(v) || !json::is_integral_number(v) || json::as_double(v) < 1 ||
      json::as_double(v) > static_cast<double>(limits::seconds_max)) {
    return std::string("The ") + field +
           " parameter does not reference a valid positive integer: " + path.text() +
           " == " + json::dump(v);
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
         s.result_path.kind == PathField::Kind::kDefault && s.retry.empty() && s.catchers.empty() &&
         !s.assign && !s.result_selector && !s.timeout_seconds_path && !s.heartbeat_seconds_path &&
         !s.credentials;
}

std::optional<std::string> Execution::task_token_for(const State& s) {
  using integrations::IntegrationPattern;
  const IntegrationPattern p = s.integration.pattern;
  if (p == IntegrationPattern::kWaitForTaskToken || s.integration.activity())
    return make_token(random_);
  if (p == IntegrationPattern::kSync || p == IntegrationPattern::kSync2)
    return make_token(info_.sync_token_random ? info_.sync_token_random : random_);
  return std::nullopt;
}

bool Execution::run_task(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  fr.request = Frame::StagedTask();
  fr.request.task_token = task_token_for(s);
  StateContext ctx(*this, fr, &fr.input);
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
      return state_failed(
          f, Failure{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause,
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
  if (auto missing = missing_activity(fr)) return state_failed(f, std::move(*missing));
  schedule_task(f, std::move(params), timeout, heartbeat);
  return false;
}

std::optional<Execution::Failure> Execution::missing_activity(const Frame& fr) const {
  const State& s = fr.cur();
  if (!s.integration.activity() || !info_.activity_exists || info_.activity_exists(s.resource))
    return std::nullopt;
  // Recorded (AWS, an activity deleted before the execution reached it): ExecutionFailed right
  // after the state's Entered event, States.Runtime (never caught), this cause.
  return Failure{"States.Runtime",
                 state_error_prefix(s.name, fr.entered_event) + "The activity " + s.resource +
                     " does not exist.",
                 true};
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
    fl.has_error = ev.has_error;
    detail::cap_cause(fl.cause);  // a runner's cause (a Lambda error) may quote a whole payload
  }
  bool moved = false;
  if (ok) {
    if (history_on() && !fr.silent) {
      object d = payload_details("output", ev.output);
      if (!lambda && !activity) {
        d["resourceType"] = s.resource_type;
        d["resource"] = s.resource_short;
      }
      emit(f,
           lambda     ? "LambdaFunctionSucceeded"
           : activity ? "ActivitySucceeded"
                      : "TaskSucceeded",
           lambda     ? "lambdaFunctionSucceededEventDetails"
           : activity ? "activitySucceededEventDetails"
                      : "taskSucceededEventDetails",
           std::move(d));
    } else if (!fr.silent) {
      emit(f, "", "", object());
    }
    // The event is ours (handle_event owns it): take the output instead of deep-copying it.
    value result = std::move(ev.output);
    if (s.result_selector) {
      StateContext ctx(*this, fr, &result);
      auto r = s.result_selector->evaluate(ctx);
      if (!r) {
        moved = state_failed(
            f, Failure{r.error().name,
                       state_error_prefix(s.name, fr.entered_event) + r.error().cause, true});
      } else {
        moved = complete_state(f, std::move(*r));
      }
    } else {
      moved = complete_state(f, std::move(result), /*result_checked=*/true);
    }
  } else {
    if (history_on() && !fr.silent) {
      object d;
      if (fl.has_error) d["error"] = fl.error;
      if (fl.has_cause) d["cause"] = fl.cause;
      if (!lambda && !activity) {
        d["resourceType"] = s.resource_type;
        d["resource"] = s.resource_short;
      }
      emit(f,
           lambda     ? "LambdaFunctionFailed"
           : activity ? "ActivityFailed"
                      : "TaskFailed",
           lambda     ? "lambdaFunctionFailedEventDetails"
           : activity ? "activityFailedEventDetails"
                      : "taskFailedEventDetails",
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
    emit(f,
         lambda     ? "LambdaFunctionTimedOut"
         : activity ? "ActivityTimedOut"
                    : "TaskTimedOut",
         lambda     ? "lambdaFunctionTimedOutEventDetails"
         : activity ? "activityTimedOutEventDetails"
                    : "taskTimedOutEventDetails",
         std::move(d));
  }
  if (state_failed(f, Failure{error, "", false})) ready_.push_back(f);
  run_queue();
}

}  // namespace stepwise::engine
