#include "conformance/service_execute.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

#include "conformance/api_cases.h"
#include "conformance/service_calls.h"

namespace stepwise::conformance {
namespace {

// How often the runner asks whether the execution has ended (real time).
constexpr auto poll_interval = std::chrono::milliseconds(2);
// The role the corpus's machines ran with, when a case does not name one.
constexpr const char* kDefaultRole = "arn:aws:iam::111111111111:role/sfn-conformance-role";

// One API call that must succeed: its body, or "<Operation>: <type>: <message>".
Result<json::object> call(CaseService& svc, const std::string& op, json::object request) {
  auto r = call_operation(svc, op, json::value(std::move(request)));
  if (!r.ok()) return r.error();
  if (r->is_error())
    return Error{"SetupFailed", op + ": " + r->error().type + ": " + r->error().message};
  if (!r->body().is_object()) return json::object{};
  return r->body().get_object();
}

// A definition as the API takes it: text kept as written, an object serialised.
std::string definition_of(const json::value* d) {
  if (d == nullptr) return "";
  if (d->is_string()) return std::string(d->get_string());
  return json::dump(*d);
}

std::string role_of(const Case& c) {
  std::string role = string_of(c.names(), "role_arn");
  return role.empty() ? kDefaultRole : role;
}

Result<std::string> create_machine(CaseService& svc, const std::string& name,
                                   std::string definition, const std::string& type,
                                   const std::string& role) {
  json::object request{{"name", name}, {"definition", std::move(definition)}, {"roleArn", role}};
  if (!type.empty()) request["type"] = type;
  auto body = call(svc, "CreateStateMachine", std::move(request));
  if (!body.ok()) return body.error();
  return string_of(*body, "stateMachineArn");
}

// The nested targets, each under the name the recording gave it (the parent's input names them).
Status create_nested_targets(const Case& c, CaseService& svc) {
  std::size_t n = 0;
  for (const auto& kv : object_of(object_of(c.doc, "resources"), "state_machines")) {
    if (!kv.value().is_object()) continue;
    if (++n > service_case_resources_max)
      return Error{"TooManyResources", "too many state machines"};
    const auto& m = kv.value().get_object();
    auto made =
        create_machine(svc, string_of(m, "name"), definition_of(m.if_contains("definition")),
                       string_of(m, "type"), role_of(c));
    if (!made.ok()) return made.error();
  }
  return ok_status();
}

// A worker execution to start once the case's execution runs: machine ARN and input text.
struct WorkerStart {
  std::string machine_arn;
  std::string input;
};

// CreateActivity for each activity; CreateStateMachine for its workers (started later).
Result<std::vector<WorkerStart>> create_activities(const Case& c, CaseService& svc) {
  std::vector<WorkerStart> workers;
  for (const auto& kv : object_of(object_of(c.doc, "resources"), "activities")) {
    if (!kv.value().is_object()) continue;
    const auto& a = kv.value().get_object();
    auto made = call(svc, "CreateActivity", json::object{{"name", string_of(a, "name")}});
    if (!made.ok()) return made.error();
    const json::value* input = a.if_contains("worker_execution_input");
    const json::value* machines = a.if_contains("worker_state_machines");
    if (machines == nullptr || !machines->is_array()) continue;
    for (const auto& def : machines->get_array()) {
      if (workers.size() >= service_case_resources_max)
        return Error{"TooManyResources", "too many worker machines"};
      std::string name = "conformance-worker-" + std::to_string(workers.size() + 1);
      auto arn = create_machine(svc, name, definition_of(&def), "STANDARD", role_of(c));
      if (!arn.ok()) return arn.error();
      workers.push_back({*arn, input ? json::dump(*input) : "{}"});
    }
  }
  return workers;
}

Result<json::object> describe(CaseService& svc, const std::string& execution_arn) {
  return call(svc, "DescribeExecution", json::object{{"executionArn", execution_arn}});
}

// Polls DescribeExecution until the execution leaves RUNNING (real time bounded).
Result<json::object> wait_for_end(CaseService& svc, const std::string& execution_arn) {
  const auto cap = std::chrono::seconds(service_case_seconds_max);
  auto deadline = std::chrono::steady_clock::now() + cap;  // tidy: allow a cap on real waiting
  while (true) {
    auto d = describe(svc, execution_arn);
    if (!d.ok() || string_of(*d, "status") != "RUNNING") return d;
    if (std::chrono::steady_clock::now() > deadline)  // tidy: allow a safety cap on real waiting
      return Error{"Timeout", "execution still RUNNING after " +
                                  std::to_string(service_case_seconds_max) + " s"};
    std::this_thread::sleep_for(poll_interval);
  }
}

Result<json::array> history(CaseService& svc, const std::string& execution_arn) {
  json::array events;
  std::string token;
  for (int page = 0; page < history_pages_max; ++page) {
    json::object request{{"executionArn", execution_arn}, {"maxResults", 1000}};
    if (!token.empty()) request["nextToken"] = token;
    auto body = call(svc, "GetExecutionHistory", std::move(request));
    if (!body.ok()) return body.error();
    if (auto* e = body->if_contains("events"); e && e->is_array())
      for (const auto& ev : e->get_array()) events.push_back(ev);
    token = string_of(*body, "nextToken");
    if (token.empty()) return events;
  }
  return Error{"HistoryTooLong",
               "more than " + std::to_string(history_pages_max) + " history pages"};
}

Millis millis_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return 0;
  return static_cast<Millis>(std::llround(v->to_number<double>() * 1000.0));
}

// DescribeExecution's answer in the shape the checks read.
ActualExecution actual_of(const json::object& d, json::array events, std::string input_text) {
  ActualExecution a;
  a.status = string_of(d, "status");
  if (auto* out = d.if_contains("output"); out && out->is_string()) {
    auto parsed = json::parse(std::string_view(out->get_string().data(), out->get_string().size()));
    a.output = parsed.ok() ? std::move(parsed).value() : json::value(out->get_string());
  }
  if (auto* e = d.if_contains("error"); e && e->is_string()) a.error = std::string(e->get_string());
  if (auto* e = d.if_contains("cause"); e && e->is_string()) a.cause = std::string(e->get_string());
  a.events = std::move(events);
  a.input_text = std::move(input_text);
  a.execution_arn = string_of(d, "executionArn");
  a.execution_name = string_of(d, "name");
  a.state_machine_arn = string_of(d, "stateMachineArn");
  a.start_ms = millis_of(d, "startDate");
  a.stop_ms = millis_of(d, "stopDate");
  return a;
}

std::string case_definition(const Case& c) {
  if (auto* raw = c.doc.if_contains("definition_raw"); raw && raw->is_string())
    return std::string(raw->get_string());
  return definition_of(c.doc.if_contains("definition"));
}

// Everything the case needs in place, then its execution and the workers started: returns the
// execution's ARN. The clock still stands, so nothing has happened yet.
Result<std::string> set_up_and_start(const Case& c, CaseService& svc,
                                     const std::string& input_text) {
  if (auto s = create_nested_targets(c, svc); !s.ok()) return s.error();
  auto workers = create_activities(c, svc);
  if (!workers.ok()) return workers.error();
  auto machine = create_machine(svc, string_of(c.names(), "state_machine_name"), case_definition(c),
                                c.express() ? "EXPRESS" : "STANDARD", role_of(c));
  if (!machine.ok()) return machine.error();
  json::object start{{"stateMachineArn", *machine}, {"input", input_text}};
  if (auto name = string_of(c.names(), "execution_name"); !name.empty()) start["name"] = name;
  auto started = call(svc, "StartExecution", std::move(start));
  if (!started.ok()) return started.error();
  for (const auto& w : *workers) {
    auto s = call(svc, "StartExecution",
                  json::object{{"stateMachineArn", w.machine_arn}, {"input", w.input}});
    if (!s.ok()) return s.error();
  }
  return string_of(*started, "executionArn");
}

}  // namespace

bool needs_service(const Case& c) {
  // Built-in AWS services live beside the API in the case service, and so do the calls a
  // service case makes around its execution.
  if (has_service_calls(c) || !missing_service(c, {}).empty()) return true;
  static const char* const api_only[] = {"activity", "nested_sfn", "task_token", "aws_sdk_sfn"};
  for (const auto& r : c.requires_list())
    if (std::find(std::begin(api_only), std::end(api_only), r) != std::end(api_only)) return true;
  return false;
}

Result<ActualExecution> execute_case_with_service(const Case& c, const RunnerConfig& config) {
  if (!config.case_service_factory) return Error{"NoService", "no case service factory"};
  auto input = case_input(c);
  if (!input.ok()) return input.error();
  CaseServiceOptions options;
  options.clock_start_ms = config.clock_start_ms;
  options.id_seed = std::hash<std::string>{}(c.name) | 1;  // a rerun generates the same ids
  options.functions = [&c, &config](tasks::FunctionRunner& runner) {
    return register_functions(c, config, runner);
  };
  auto svc = config.case_service_factory(options);
  if (!svc.ok()) return svc.error();
  std::string input_text = case_input_text(c, *input);
  CaseReplay replay(c, **svc);
  if (auto s = replay.setup(input_text); !s.ok()) return s.error();
  json::value replay_input = *input;
  if (auto reparsed = json::parse(input_text); reparsed.ok()) replay_input = *reparsed;
  auto arn = set_up_and_start(c, **svc, input_text);
  if (!arn.ok()) return arn.error();
  replay.start_workers(replay_input);
  (*svc)->release_clock();
  auto described = wait_for_end(**svc, *arn);
  if (!described.ok()) return described.error();
  if (auto s = replay.join_workers(); !s.ok()) return s.error();
  auto events = history(**svc, *arn);
  if (!events.ok()) return events.error();
  ActualExecution actual = actual_of(*described, std::move(events).value(), std::move(input_text));
  const json::value* output = actual.output ? &*actual.output : nullptr;
  if (auto s = replay.finish(replay_input, output, actual.post_notes); !s.ok())
    actual.post_failure = s.error().name + ": " + s.error().cause;
  return actual;
}

}  // namespace stepwise::conformance
