#include "sfn/task_tokens.h"

#include <utility>

#include "tasks/lambda_arn.h"

namespace stepwise::sfn {
namespace {

// `lambda:invoke.waitForTaskToken` as the call it makes: a plain lambda:invoke (same
// parameters, same task id), whose answer is the submission, not the task's result.
tasks::TaskRequest plain_invoke(const tasks::TaskRequest& request) {
  tasks::TaskRequest r = request;
  r.integration = tasks::integration_of(request);
  r.integration.pattern = tasks::IntegrationPattern::kRequestResponse;
  constexpr std::string_view kSuffix = ".waitForTaskToken";
  if (r.resource.ends_with(kSuffix)) r.resource.resize(r.resource.size() - kSuffix.size());
  return r;
}

api::ApiError invalid_token() { return {"InvalidToken", "Invalid Token: 'Invalid token'", 400}; }

api::ApiError task_timed_out() {
  return {"TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", 400};
}

// A string field of the request, or nullptr when absent or not a string.
const std::string* string_field(const json::value& request, const char* key, std::string* storage) {
  const auto* obj = request.if_object();
  if (obj == nullptr) return nullptr;
  const auto* v = obj->if_contains(key);
  if (v == nullptr || !v->is_string()) return nullptr;
  *storage = std::string(v->as_string());
  return storage;
}

std::optional<api::ApiError> check_length(std::string_view field, const std::string* value,
                                          std::size_t max_chars) {
  if (value == nullptr || value->size() <= max_chars) return std::nullopt;
  return validation_error(
      field, value, "Member must have length less than or equal to " + std::to_string(max_chars));
}

}  // namespace

api::ApiError validation_error(std::string_view field, const std::string* value,
                               std::string_view constraint) {
  std::string msg = "1 validation error detected: Value ";
  msg += value == nullptr ? std::string("null") : "'" + *value + "'";
  msg += " at '";
  msg += field;
  msg += "' failed to satisfy constraint: ";
  msg += constraint;
  return {"ValidationException", std::move(msg), 400};
}

bool token_shaped(std::string_view token) {
  if (token.size() != 64) return false;
  for (char c : token) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

TaskTokens::TaskTokens(tasks::CallbackRegistry& registry, tasks::IntegrationRegistry& integrations)
    : registry_(registry), inner_(integrations), integrations_(integrations) {}

TaskTokens::Route TaskTokens::route_of(const tasks::TaskRequest& request) {
  const tasks::Integration in = tasks::integration_of(request);
  if (request.task_token && !in.activity() &&
      (in.pattern == tasks::IntegrationPattern::kSync ||
       in.pattern == tasks::IntegrationPattern::kSync2))
    return Route::kSyncWithToken;
  if (!request.task_token || in.pattern != tasks::IntegrationPattern::kWaitForTaskToken) {
    return Route::kInner;  // activities, request-response: their runner does it all
  }
  if (tasks::lambda_form(in) == tasks::LambdaForm::invoke_callback) return Route::kParkThenInvoke;
  return Route::kParkThenIntegrations;
}

void TaskTokens::start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) {
  if (!request.task_token || request.task_token->empty()) {
    inner_.start(request, loop, std::move(done));
    return;
  }
  const std::string token = *request.task_token;
  tasks::TaskRequest kept = request;
  kept.parameters = nullptr;  // identity only: the Service maps it back to its task
  live_[token] = Live{std::move(kept), &loop};
  closed_.erase(token);  // re-issued after a restart: alive again
  tasks::TaskDone closing = [this, token, done = std::move(done)](tasks::TaskOutcome o) {
    close(token);
    done(std::move(o));
  };
  const Route route = route_of(request);
  if (route == Route::kInner) {
    inner_.start(request, loop, std::move(closing));
    return;
  }
  if (route == Route::kSyncWithToken) {
    auto parked = registry_.await(token, loop, closing);
    if (!parked) {
      closing(tasks::TaskOutcome::failure(parked.error().name, parked.error().cause));
      return;
    }
    // The job's answer ends the task only if no token answer ended it first.
    inner_.start(request, loop, [this, token](tasks::TaskOutcome o) {
      if (auto done = registry_.take(token)) (*done)(std::move(o));
    });
    return;
  }
  // Recovery: the call already returned before the restart; only the wait goes on.
  const bool call_done = request.resume == tasks::TaskRequest::Resume::kSubmitted;
  if (route == Route::kParkThenInvoke) {
    park_and_run(plain_invoke(request), loop, std::move(closing), call_done ? nullptr : &inner_);
    return;
  }
  park_and_run(request, loop, std::move(closing), call_done ? nullptr : caller_of(request));
}

tasks::TaskRunner* TaskTokens::any_loop_runner(const tasks::TaskRequest& request) {
  if (request.task_token && !request.task_token->empty()) return nullptr;
  return inner_.any_loop_runner(request);
}

tasks::TaskRunner* TaskTokens::caller_of(const tasks::TaskRequest& request) const {
  switch (route_of(request)) {
    case Route::kInner:
    case Route::kSyncWithToken:
    case Route::kParkThenInvoke:
      return &inner_;
    case Route::kParkThenIntegrations:
      return integrations_.runner_for(request);
  }
  return nullptr;
}

bool TaskTokens::redispatch_has_effects(const tasks::TaskRequest& request) const {
  if (!request.task_token || request.task_token->empty())
    return inner_.redispatch_has_effects(request);
  const tasks::TaskRunner* caller = caller_of(request);
  if (caller == nullptr) return false;
  return route_of(request) == Route::kParkThenInvoke
             ? caller->redispatch_has_effects(plain_invoke(request))
             : caller->redispatch_has_effects(request);
}

void TaskTokens::park_and_run(const tasks::TaskRequest& request, EventLoop& loop,
                              tasks::TaskDone done, tasks::TaskRunner* runner) {
  const std::string token = *request.task_token;
  auto parked = registry_.await(token, loop, done);
  if (!parked) {
    done(tasks::TaskOutcome::failure(parked.error().name, parked.error().cause));
    return;
  }
  if (runner == nullptr) return;  // nothing to call: the token is all there is
  runner->start(request, loop,
                [this, token](tasks::TaskOutcome o) { integration_answered(token, std::move(o)); });
}

void TaskTokens::integration_answered(const std::string& token, tasks::TaskOutcome outcome) {
  if (!outcome.succeeded) {
    // The call itself failed (no such state machine, queue, ...): nobody will ever call back.
    if (auto done = registry_.take(token)) (*done)(std::move(outcome));
    return;
  }
  auto it = live_.find(token);
  if (it == live_.end() || !registry_.heartbeat(token).ok()) return;  // answered meanwhile
  if (progress_) {
    TaskProgress p;
    p.kind = TaskProgress::Kind::kSubmitted;
    p.output = std::move(outcome.output);
    progress_(it->second.request, std::move(p));
  }
}

void TaskTokens::cancel(const tasks::TaskRequest& request) {
  if (request.task_token && !request.task_token->empty()) {
    const std::string token = *request.task_token;
    registry_.take(token);  // a cancelled task no longer waits; its done is dropped
    close(token);
    if (route_of(request) == Route::kParkThenIntegrations) {
      if (auto* runner = integrations_.runner_for(request)) runner->cancel(request);
      return;
    }
    if (route_of(request) == Route::kParkThenInvoke) {
      inner_.cancel(plain_invoke(request));
      return;
    }
  }
  inner_.cancel(request);
}

std::vector<const tasks::TaskRequest*> TaskTokens::waiting(std::size_t max) const {
  std::vector<const tasks::TaskRequest*> out;
  for (const auto& [token, live] : live_) {
    if (out.size() >= max) break;
    out.push_back(&live.request);
  }
  return out;
}

void TaskTokens::close(const std::string& token) {
  live_.erase(token);
  if (!closed_.insert(token).second) return;
  closed_order_.push_back(token);
  while (closed_order_.size() > token_limits::closed_tokens_max) {
    closed_.erase(closed_order_.front());
    closed_order_.pop_front();
  }
}

std::optional<api::ApiError> TaskTokens::check_token(const json::value& request,
                                                     std::string* token) const {
  const std::string* t = string_field(request, "taskToken", token);
  if (t == nullptr) {
    return validation_error("taskToken", nullptr, "Member must not be null");
  }
  if (t->empty()) {
    return validation_error("taskToken", t, "Member must have length greater than or equal to 1");
  }
  if (auto bad = check_length("taskToken", t, token_limits::task_token_chars_max)) return bad;
  if (live_.count(*t) && registry_.heartbeat(*t).ok()) return std::nullopt;
  if (live_.count(*t) || closed_.count(*t) || token_shaped(*t)) return task_timed_out();
  // Not ours, but a callback may still wait under it (a runner that parked without start()).
  if (registry_.heartbeat(*t).ok()) return std::nullopt;
  return invalid_token();
}

api::Response TaskTokens::send_task_success(const json::value& request) {
  std::string output_storage;
  const std::string* output = string_field(request, "output", &output_storage);
  if (output == nullptr) return validation_error("output", nullptr, "Member must not be null");
  if (output->size() > token_limits::task_output_bytes_max) {
    return validation_error("output", output,
                            "Member must have length less than or equal to " +
                                std::to_string(token_limits::task_output_bytes_max));
  }
  std::string token;
  if (auto bad = check_token(request, &token)) return *bad;
  auto parsed = json::parse(*output);
  if (!parsed) {
    return api::ApiError{"InvalidOutput", "Invalid Output: '" + parsed.error().cause + "'", 400};
  }
  auto st = registry_.succeed(token, std::move(*parsed));
  if (!st) return task_timed_out();
  close(token);
  return json::object();
}

api::Response TaskTokens::send_task_failure(const json::value& request) {
  std::string error_storage, cause_storage;
  const std::string* error = string_field(request, "error", &error_storage);
  const std::string* cause = string_field(request, "cause", &cause_storage);
  if (auto bad = check_length("error", error, token_limits::task_error_chars_max)) return *bad;
  if (auto bad = check_length("cause", cause, token_limits::task_cause_chars_max)) return *bad;
  std::string token;
  if (auto bad = check_token(request, &token)) return *bad;
  tasks::TaskOutcome outcome =
      tasks::TaskOutcome::failure(error ? *error : "", cause ? *cause : "");
  outcome.has_cause = cause != nullptr;
  outcome.has_error = error != nullptr;
  auto it = live_.find(token);
  if (it == live_.end()) {
    // Parked without start(): the registry knows its loop.
    if (!registry_.fail(token, std::move(outcome))) return task_timed_out();
    return json::object();
  }
  // Taken rather than fail()ed; run on the task's loop as the registry would, never inside this
  // operation.
  auto done = registry_.take(token);
  if (!done) return task_timed_out();
  it->second.loop->post(
      [d = std::move(*done), o = std::move(outcome)]() mutable { d(std::move(o)); });
  close(token);
  return json::object();
}

api::Response TaskTokens::send_task_heartbeat(const json::value& request) {
  std::string token;
  if (auto bad = check_token(request, &token)) return *bad;
  auto it = live_.find(token);
  if (it != live_.end() && progress_) {
    TaskProgress p;
    p.kind = TaskProgress::Kind::kHeartbeat;
    progress_(it->second.request, std::move(p));
  }
  return json::object();
}

}  // namespace stepwise::sfn
