// The TestState request's rules that depend on the state: which types take a mock, what a
// mocked Map or Parallel result must look like, the roleArn a Task needs, the context object.
#include "teststate/checks.h"

#include "teststate/mock_schema.h"

namespace stepwise::teststate::detail {
namespace {

Error validation(std::string message) { return Error{"ValidationException", std::move(message)}; }

bool has(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && !it->value().is_null();
}

std::string resource_of(const Target& t) {
  auto it = t.state.find("Resource");
  return it != t.state.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                        : "";
}

Status check_map_mock(const Target& t, const Request& req) {
  const json::value& result = *req.mock->result;
  if (has(t.state, "ResultWriter")) {
    if (!result.is_object()) return validation("Mocked result must be a JSON object.");
    return ok_status();
  }
  if (!result.is_array()) return validation("Mocked result must be an array.");
  if (req.config.map_iteration_failure_count &&
      static_cast<std::size_t>(*req.config.map_iteration_failure_count) > result.get_array().size())
    return validation(
        "Map iteration failure count must be less than or equal to the number of Map iterations");
  return ok_status();
}

Status check_parallel_mock(const Target& t, const Request& req) {
  const json::value& result = *req.mock->result;
  if (!result.is_array()) return validation("Mocked result must be an array.");
  auto b = t.state.find("Branches");
  std::size_t branches =
      b != t.state.end() && b->value().is_array() ? b->value().get_array().size() : 0;
  if (result.get_array().size() != branches)
    return validation(
        "Mocked result must contain the same number of items as number of Parallel branches.");
  return ok_status();
}

Status check_mock(const Target& t, const Request& req) {
  bool map = t.type == "Map", parallel = t.type == "Parallel";
  if (!req.mock) {
    if (req.config.map_iteration_failure_count)
      return validation(
          "TestState does not support MapIterationFailureCount when a mock is not specified.");
    if (map || parallel)
      return Error{"InvalidDefinition",
                   "TestState API does not support Map or Parallel states. Supported state types "
                   "include: [Task, Wait, Pass, Succeed, Fail, Choice]"};
    return ok_status();
  }
  if (t.type != "Task" && !map && !parallel)
    return validation("State type '" + t.type + "' is not supported when a mock is specified");
  if (!req.mock->result) return ok_status();
  if (map) return check_map_mock(t, req);
  if (parallel) return check_parallel_mock(t, req);
  if (auto bad = check_mock_result(resource_of(t), *req.mock->result, req.mock->validation))
    return validation(*bad);
  return ok_status();
}

Error bad_context(const std::string& why) {
  return validation("Invalid Context object provided: " + why);
}

// A Task whose integration pattern hands out a token or waits for a job has $$.Task.
bool takes_task_context(const Target& t) {
  if (t.type != "Task") return false;
  std::string r = resource_of(t);
  return r.find(".sync") != std::string::npos || r.find(".waitForTaskToken") != std::string::npos;
}

Status check_string_fields(const json::object& ctx, const char* section,
                           std::initializer_list<const char*> fields) {
  auto it = ctx.find(section);
  if (it == ctx.end()) return ok_status();
  if (!it->value().is_object()) return bad_context(std::string(section) + " must be an object");
  for (const char* f : fields) {
    auto v = it->value().get_object().find(f);
    if (v != it->value().get_object().end() && !v->value().is_string() && !v->value().is_null())
      return bad_context(std::string(section) + "." + f + " must be a string");
  }
  return ok_status();
}

Status check_context(const Target& t, const json::object& ctx) {
  for (const auto& kv : ctx) {
    std::string_view k = kv.key();
    if (k == "Map")
      return bad_context("'Map' field is not supported when mocking a Context object");
    if (k == "Task" && !takes_task_context(t))
      return bad_context(
          "Context object contains 'Task' when state is not a Task state with a "
          "'.sync' or '.waitForTaskToken' service integration pattern");
    if (k != "Execution" && k != "State" && k != "StateMachine" && k != "Task")
      return bad_context("Field '" + std::string(k) + "' is not allowed");
  }
  if (auto s = check_string_fields(ctx, "Execution", {"Id", "Name", "RoleArn", "StartTime"}); !s)
    return s;
  if (auto s = check_string_fields(ctx, "StateMachine", {"Id", "Name"}); !s) return s;
  if (auto s = check_string_fields(ctx, "State", {"Name", "EnteredTime"}); !s) return s;
  return check_string_fields(ctx, "Task", {"Token"});
}

}  // namespace

Status check_request(const Target& t, const Request& req) {
  if (auto s = check_mock(t, req); !s) return s;
  if (t.type == "Task" && !req.mock && req.role_arn.empty())
    return validation("RoleArn must be specified when testing a Task state");
  if (req.context) return check_context(t, *req.context);
  return ok_status();
}

}  // namespace stepwise::teststate::detail
