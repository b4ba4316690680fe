#include "conformance/api_cases.h"

#include <chrono>
#include <cstdint>
#include <future>

#include "base/ids.h"
#include "conformance/normalise.h"
#include "tasks/local_integrations.h"
#include "teststate/test_state.h"

namespace stepwise::conformance {
namespace {

bool is_test_state(const Case& c) {
  return string_of(c.doc, "operation") == "stepfunctions.test_state";
}

// The account of an IAM role ARN (arn:aws:iam::<account>:role/...), or "" when there is none.
std::string role_account(const std::string& role_arn) {
  const std::string prefix = "arn:aws:iam::";
  if (role_arn.rfind(prefix, 0) != 0) return "";
  std::size_t end = role_arn.find(':', prefix.size());
  return end == std::string::npos ? "" : role_arn.substr(prefix.size(), end - prefix.size());
}

// The TestState request the recorded test sent: `request`, plus the definition as text and the
// input as the Python test serialised it (unless the request already carries them).
json::object test_state_request(const Case& c) {
  json::object body = object_of(c.doc, "request");
  if (!body.contains("definition")) {
    if (auto* raw = c.doc.if_contains("definition_raw"); raw && raw->is_string())
      body["definition"] = *raw;
    else if (auto* d = c.doc.if_contains("definition"))
      body["definition"] = json::dump(*d);
  }
  if (!body.contains("input")) {
    if (auto* raw = c.doc.if_contains("input_raw"); raw && raw->is_string())
      body["input"] = *raw;
    else if (auto* v = c.doc.if_contains("input"); v && !v->is_null())
      body["input"] = python_dumps(*v);
  }
  return body;
}

Result<json::value> call_test_state(const Case& c, const RunnerConfig& config) {
  tasks::FunctionRunner functions;
  if (auto s = register_functions(c, config, functions); !s.ok()) return s.error();
  tasks::IntegrationRegistry integrations;
  if (auto s = tasks::register_local_integrations(integrations, {.functions = &functions}); !s)
    return s.error();
  ManualClock clock(config.clock_start_ms);
  IdGenerator ids(std::hash<std::string>{}(c.name) | 1);  // a rerun generates the same names
  json::object body = test_state_request(c);
  teststate::TestStateOptions options;
  options.clock = &clock;
  options.ids = &ids;
  options.tasks = &integrations;
  std::string account = role_account(string_of(body, "roleArn"));
  options.account = account.empty() ? "111111111111" : account;  // the corpus's account
  return teststate::test_state(json::value(std::move(body)), options);
}

// What boto3 (the client the corpus was recorded with) refuses before sending anything: the
// minimum lengths of the service model's parameters. The recordings hold its error then
// (ParamValidationError), never the service's, so the runner plays the client's part.
struct MinLength {
  const char* operation;
  const char* parameter;
};
constexpr MinLength kClientMinLengthOne[] = {
    {"TestState", "stateName"},
    {"ListExecutions", "nextToken"},
    {"ListStateMachines", "nextToken"},
    {"ListStateMachineVersions", "nextToken"},
    {"ListStateMachineAliases", "nextToken"},
    {"ListActivities", "nextToken"},
    {"ListMapRuns", "nextToken"},
    {"GetExecutionHistory", "nextToken"},
    {"CreateStateMachineAlias", "routingConfiguration"},
    {"UpdateStateMachineAlias", "routingConfiguration"},
};

// The service model's integer minimums boto3 checks too ("valid min value"): every PageSize
// (maxResults, min 0) and an alias routing item's weight (min 0). `item` names a member of each
// element of the list `parameter` ("routingConfiguration[0].weight"); empty: the parameter itself.
struct MinValue {
  const char* operation;
  const char* parameter;
  const char* item;
  std::int64_t min;
};
constexpr MinValue kClientMinValue[] = {
    {"ListExecutions", "maxResults", "", 0},
    {"ListStateMachines", "maxResults", "", 0},
    {"ListStateMachineVersions", "maxResults", "", 0},
    {"ListStateMachineAliases", "maxResults", "", 0},
    {"ListActivities", "maxResults", "", 0},
    {"ListMapRuns", "maxResults", "", 0},
    {"GetExecutionHistory", "maxResults", "", 0},
    {"CreateStateMachineAlias", "routingConfiguration", "weight", 0},
    {"UpdateStateMachineAlias", "routingConfiguration", "weight", 0},
};

// boto3's words for one integer under its minimum, or nullopt.
std::optional<std::string> below_min(const json::value& v, const std::string& where,
                                     std::int64_t min) {
  if (!v.is_int64() || v.get_int64() >= min) return std::nullopt;
  return "Invalid value for parameter " + where + ", value: " + std::to_string(v.get_int64()) +
         ", valid min value: " + std::to_string(min);
}

std::optional<Error> client_refusal(const std::string& operation, const json::object& request) {
  // boto3 reports every violation at once, one per line, in the order it walks the request.
  std::string problems;
  auto add = [&](const std::string& p) { problems += "\n" + p; };
  for (const auto& rule : kClientMinLengthOne) {
    if (operation != rule.operation) continue;
    auto it = request.find(rule.parameter);
    if (it == request.end()) continue;
    std::size_t n = it->value().is_string()  ? it->value().get_string().size()
                    : it->value().is_array() ? it->value().get_array().size()
                                             : 1;
    if (n >= 1) continue;
    add("Invalid length for parameter " + std::string(rule.parameter) +
        ", value: " + std::to_string(n) + ", valid min length: 1");
  }
  for (const auto& rule : kClientMinValue) {
    if (operation != rule.operation) continue;
    auto it = request.find(rule.parameter);
    if (it == request.end()) continue;
    if (*rule.item == '\0') {
      if (auto p = below_min(it->value(), rule.parameter, rule.min)) add(*p);
      continue;
    }
    if (!it->value().is_array()) continue;
    const json::array& items = it->value().get_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json::object* o = items[i].if_object();
      const json::value* v = o ? o->if_contains(rule.item) : nullptr;
      if (v == nullptr) continue;
      std::string where = std::string(rule.parameter) + "[" + std::to_string(i) + "]." + rule.item;
      if (auto p = below_min(*v, where, rule.min)) add(*p);
    }
  }
  if (problems.empty()) return std::nullopt;
  return Error{"ParamValidationError", "Parameter validation failed:" + problems};
}

CheckReport failure(std::string message) {
  CheckReport r;
  r.failure = std::move(message);
  return r;
}

}  // namespace

Result<api::Response> call_operation(api::Dispatcher& d, const std::string& operation,
                                     json::value request) {
  auto promise = std::make_shared<std::promise<api::Response>>();
  auto future = promise->get_future();
  api::RequestInfo info;
  info.request_id = "conformance";
  d.dispatch(operation, std::move(request), info, [promise](api::Response r) {
    try {
      promise->set_value(std::move(r));
    } catch (const std::future_error&) {
      // a second reply: ignored, as the Dispatcher contract says
    }
  });
  if (future.wait_for(std::chrono::seconds(api_call_seconds_max)) != std::future_status::ready)
    return Error{"Timeout", operation + " did not reply within " +
                                std::to_string(api_call_seconds_max) + " s"};
  return future.get();
}

std::string operation_name(const std::string& recorded) {
  std::string snake =
      recorded.substr(recorded.find('.') == std::string::npos ? 0 : recorded.find('.') + 1);
  std::string out;
  bool upper = true;
  for (char ch : snake) {
    if (ch == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    upper = false;
  }
  return out;
}

std::string api_error_skip_reason(const Case& c, const RunnerConfig& config) {
  if (is_test_state(c) || config.dispatcher_factory) return "";
  return "api_error needs the service (no dispatcher)";
}

CheckReport run_test_state_case(const Case& c, const RunnerConfig& config) {
  auto response = call_test_state(c, config);
  if (!response)
    return failure("TestState answered " + response.error().name + ": " + response.error().cause);
  return check_api_response(c, *response);
}

CheckReport run_api_error_case(const Case& c, const RunnerConfig& config) {
  std::string op = operation_name(string_of(c.doc, "operation"));
  if (auto refused = client_refusal(op, object_of(c.doc, "request")))
    return check_api_error(c, refused->name, refused->cause);
  if (is_test_state(c) && !config.dispatcher_factory) {
    auto response = call_test_state(c, config);
    if (response) return check_api_error(c, std::nullopt, std::nullopt);
    return check_api_error(c, response.error().name, response.error().cause);
  }
  auto dispatcher = config.dispatcher_factory();
  if (!dispatcher) return failure("no dispatcher");
  std::vector<std::string> notes;  // setup calls that failed, for --verbose
  if (auto* setup = c.doc.if_contains("setup_calls"); setup && setup->is_array()) {
    for (const auto& call : setup->get_array()) {
      if (!call.is_object()) continue;
      std::string setup_op = operation_name(string_of(call.get_object(), "operation"));
      if (client_refusal(setup_op, object_of(call.get_object(), "request"))) continue;
      auto r = call_operation(*dispatcher, setup_op,
                              json::value(object_of(call.get_object(), "request")));
      // A setup call may fail: the recorded test made the earlier failing calls of its scenario
      // too (the corpus keeps only its last error). Only a call that never answers ends the case.
      if (!r) return failure("setup " + setup_op + ": " + r.error().cause);
      if (r->is_error())
        notes.push_back("setup " + setup_op + " answered " + r->error().type + ": " +
                        r->error().message);
    }
  }
  // TestState's definition and input live beside the request in the case file.
  json::object request = is_test_state(c) ? test_state_request(c) : object_of(c.doc, "request");
  // A create_error case keeps the machine's definition beside its request.
  if (op == "CreateStateMachine" && !request.contains("definition")) {
    if (auto* raw = c.doc.if_contains("definition_raw"); raw && raw->is_string())
      request["definition"] = *raw;
    else if (auto* d = c.doc.if_contains("definition"))
      request["definition"] = d->is_string() ? *d : json::value(json::dump(*d));
  }
  auto r = call_operation(*dispatcher, op, json::value(std::move(request)));
  if (!r) return failure(op + ": " + r.error().cause);
  CheckReport report = r->is_error() ? check_api_error(c, r->error().type, r->error().message)
                                     : check_api_error(c, std::nullopt, std::nullopt);
  report.soft.insert(report.soft.end(), notes.begin(), notes.end());
  return report;
}

}  // namespace stepwise::conformance
