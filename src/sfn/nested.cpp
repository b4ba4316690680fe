#include "sfn/nested.h"

#include <utility>

#include "tasks/lambda_shape.h"

namespace stepwise::sfn {
namespace {

// StartExecution's JSON body as AWS sends it (for the Content-Length the SDK metadata shows).
std::string start_body(const StartedChild& started) {
  json::object body;
  body["executionArn"] = started.execution_arn;
  body["startDate"] = static_cast<double>(started.start_ms) / 1000.0;
  return json::dump(body);
}

// The Task's Input parameter as the child's input text.
std::string child_input(const json::object& params) {
  const json::value* input = params.if_contains("Input");
  if (input == nullptr || input->is_null()) return "{}";
  if (input->is_string()) return std::string(input->as_string());
  return json::dump(*input);
}

// Input/Output text as `.sync` (text) or `.sync:2` (JSON, when the text is JSON) shows it.
json::value shaped_payload(const std::string& text, bool as_json) {
  if (!as_json) return json::value(text);
  auto parsed = json::parse(text);
  return parsed ? std::move(*parsed) : json::value(text);
}

}  // namespace

std::string task_key(const tasks::TaskRequest& request) {
  if (!request.task_id.empty()) return request.task_id;
  return request.execution_arn + "#" + request.state_name + "#" + std::to_string(request.attempt);
}

tasks::TaskOutcome sdk_failure(const Error& api_error, const std::string& request_id) {
  const std::string& type = api_error.name;
  std::string name = "StepFunctions." + type;
  if (!type.ends_with("Exception")) name += "Exception";
  std::string cause = api_error.cause +
                      " (Service: AWSStepFunctions; Status Code: 400; Error Code: " + type +
                      "; Request ID: " + request_id + "; Proxy: null)";
  return tasks::TaskOutcome::failure(std::move(name), std::move(cause));
}

NestedRunner::NestedRunner(ExecutionStarter& starter, IdGenerator& ids)
    : starter_(starter), ids_(ids) {}

NestedRunner::Pattern NestedRunner::pattern_of(const std::string& resource) {
  auto pos = resource.find("states:startExecution");
  if (pos == std::string::npos) return Pattern::kUnknown;
  std::string_view rest = std::string_view(resource).substr(pos + 21);
  if (rest.empty()) return Pattern::kRequestResponse;
  if (rest == ".sync") return Pattern::kSync;
  if (rest == ".sync:2") return Pattern::kSync2;
  if (rest == ".waitForTaskToken") return Pattern::kCallback;
  return Pattern::kUnknown;
}

std::string NestedRunner::child_name(const tasks::TaskRequest& request) {
  if (const auto* params = request.parameters.if_object()) {
    const json::value* name = params->if_contains("Name");
    if (name != nullptr && name->is_string()) return std::string(name->as_string());
  }
  return ids_.uuid_v4();
}

json::object NestedRunner::start_answer(const StartedChild& started) {
  const std::string request_id = ids_.uuid_v4();
  const std::string length = std::to_string(start_body(started).size());
  const std::string date = tasks::http_date(started.start_ms);
  auto list = [](const std::string& s) { return json::value(json::array{json::value(s)}); };
  json::object all;
  all["x-amzn-RequestId"] = list(request_id);
  all["connection"] = list("keep-alive");
  all["Content-Length"] = list(length);
  all["Date"] = list(date);
  all["Content-Type"] = list("application/x-amz-json-1.0");
  json::object headers;
  headers["connection"] = "keep-alive";
  headers["Content-Length"] = length;
  headers["Content-Type"] = "application/x-amz-json-1.0";
  headers["Date"] = date;
  headers["x-amzn-RequestId"] = request_id;
  json::object http;
  http["AllHttpHeaders"] = std::move(all);
  http["HttpHeaders"] = std::move(headers);
  http["HttpStatusCode"] = 200;
  json::object out;
  out["ExecutionArn"] = started.execution_arn;
  out["SdkHttpMetadata"] = std::move(http);
  out["SdkResponseMetadata"] = json::object{{"RequestId", request_id}};
  out["StartDate"] = started.start_ms;
  return out;
}

void NestedRunner::start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) {
  (void)loop;
  const Pattern pattern = pattern_of(request.resource);
  const auto* params = request.parameters.if_object();
  if (pattern == Pattern::kUnknown || params == nullptr) {
    done(tasks::TaskOutcome::failure(
        "States.Runtime", pattern == Pattern::kUnknown
                              ? "Unsupported resource '" + request.resource + "'."
                              : std::string("The startExecution parameters must be an object.")));
    return;
  }
  const json::value* machine = params->if_contains("StateMachineArn");
  if (machine == nullptr || !machine->is_string()) {
    done(sdk_failure(Error{"ValidationException",
                           "1 validation error detected: Value null at 'stateMachineArn' failed "
                           "to satisfy constraint: Member must not be null"},
                     ids_.uuid_v4()));
    return;
  }
  StartRequest child;
  child.state_machine_arn = std::string(machine->as_string());
  child.name = child_name(request);
  child.input = child_input(*params);
  if (const json::value* th = params->if_contains("TraceHeader"); th && th->is_string()) {
    child.trace_header = std::string(th->as_string());
  }
  child.parent_arn = request.execution_arn;

  const bool waits = pattern == Pattern::kSync || pattern == Pattern::kSync2;
  if (!waits) {
    auto started = starter_.start_child(child, nullptr);
    if (!started) return done(sdk_failure(started.error(), ids_.uuid_v4()));
    return done(tasks::TaskOutcome::success(start_answer(*started)));
  }
  // Registered before the start: a re-attached child that already closed answers inside it.
  const std::uint64_t call = next_call_++;
  const std::string key = task_key(request);
  auto identity = std::make_shared<tasks::TaskRequest>(request);
  identity->parameters = nullptr;
  waiting_[call] = Waiting{std::move(identity), std::move(done), pattern, key, ""};
  by_key_[key] = call;
  auto started = starter_.start_child(
      child, [this, call](const store::ExecutionRecord& rec) { child_closed(call, rec); });
  auto it = waiting_.find(call);
  if (!started) {
    if (it == waiting_.end()) return;
    tasks::TaskDone d = std::move(it->second.done);
    by_key_.erase(key);
    waiting_.erase(it);
    return d(sdk_failure(started.error(), ids_.uuid_v4()));
  }
  if (it == waiting_.end()) return;  // closed already, answered
  it->second.child_arn = started->execution_arn;
  if (progress_) {
    TaskProgress p;
    p.kind = TaskProgress::Kind::kSubmitted;
    p.output = start_answer(*started);
    progress_(*it->second.identity, std::move(p));
  }
}

void NestedRunner::child_closed(std::uint64_t call, const store::ExecutionRecord& child) {
  auto it = waiting_.find(call);
  if (it == waiting_.end()) return;  // cancelled meanwhile
  Waiting w = std::move(it->second);
  waiting_.erase(it);
  by_key_.erase(w.key);
  const bool as_json = w.pattern == Pattern::kSync2;
  const bool ok = child.status == "SUCCEEDED";
  // Keys in the order AWS's recorded answers show them.
  json::object o;
  if (!ok && child.cause) o["Cause"] = *child.cause;
  if (!ok && child.error) o["Error"] = *child.error;
  o["ExecutionArn"] = child.arn;
  o["Input"] = shaped_payload(child.input, as_json);
  o["InputDetails"] = json::object{{"Included", true}};
  o["Name"] = child.name;
  if (ok) {
    o["Output"] = shaped_payload(child.output.value_or("null"), as_json);
    o["OutputDetails"] = json::object{{"Included", true}};
  }
  o["StartDate"] = child.start_ms;
  o["StateMachineArn"] = child.state_machine_arn;
  if (!child.alias_arn.empty()) o["StateMachineAliasArn"] = child.alias_arn;
  if (!child.version_arn.empty()) o["StateMachineVersionArn"] = child.version_arn;
  o["Status"] = child.status;
  o["StopDate"] = child.stop_ms;
  if (ok) return w.done(tasks::TaskOutcome::success(std::move(o)));
  w.done(tasks::TaskOutcome::failure("States.TaskFailed", json::dump(o)));
}

void NestedRunner::cancel(const tasks::TaskRequest& request) {
  auto k = by_key_.find(task_key(request));
  if (k == by_key_.end()) return;  // plain and callback starts leave nothing running here
  auto it = waiting_.find(k->second);
  by_key_.erase(k);
  if (it == waiting_.end()) return;
  std::string child = std::move(it->second.child_arn);
  waiting_.erase(it);
  if (!child.empty()) starter_.stop_child(child);
}

}  // namespace stepwise::sfn
