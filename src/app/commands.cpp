#include "app/commands.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "app/child_processes.h"
#include "app/conformance_dispatcher.h"
#include "app/definition_file.h"
#include "app/input_quota.h"
#include "app/integration_support.h"
#include "app/pass_through.h"
#include "app/stderr_log.h"
#include "app/task_config.h"
#include "app/trace.h"
#include "asl/compile.h"
#include "asl/validate.h"
#include "base/clock.h"
#include "base/ids.h"
#include "conformance/definition.h"
#include "engine/run.h"
#include "tasks/functions.h"
#include "tasks/http_task.h"
#include "tasks/job_runner.h"
#include "tasks/local_integrations.h"
#include "tasks/mock_config.h"
#include "tasks/tasks_config.h"

#ifndef STEPWISE_SOURCE_DIR
#define STEPWISE_SOURCE_DIR "."
#endif

namespace stepwise::app {
namespace {

int usage_error(std::ostream& err, const std::string& message) {
  err << "stepwise: " << message << "\n";
  return 2;
}

// The compiled machine, or exit status 2 with AWS's InvalidDefinition message.
Result<std::shared_ptr<const asl::StateMachine>> load_machine(const RunCommand& c) {
  auto text = load_definition_text(c.definition_path);
  if (!text.ok()) return text.error();
  asl::ValidateOptions options;
  options.express = c.express;
  auto diagnostics = asl::validate_text(*text, options);
  if (asl::has_errors(diagnostics))
    return Error{"InvalidDefinition", asl::invalid_definition_message(diagnostics)};
  return asl::compile_text(*text);
}

// Owns the task runners of one `stepwise run`: Lambda to local functions, everything under a
// mock config's test case to its responses.
struct Runners {
  // Pass-through endpoints (pass_through.h): first, so that it outlives the registry.
  RealClock signing_clock;
  std::unique_ptr<services::remote::RemoteServices> remote;
  tasks::FunctionRunner functions;
  tasks::HttpTaskRunner http;
  tasks::JobRunner jobs;
  tasks::IntegrationRegistry integrations;
  std::unique_ptr<tasks::MockRunner> mock;
  std::set<std::string> mocked_states;  // the states the test case answers

  tasks::TaskRunner* top() {
    return mock ? static_cast<tasks::TaskRunner*>(mock.get()) : &integrations;
  }
};

Status set_up_runners(const RunCommand& c, const std::string& machine_name, Runners& r,
                      std::ostream& err) {
  auto registered = tasks::register_local_integrations(
      r.integrations, {.functions = &r.functions, .http = &r.http, .jobs = &r.jobs});
  if (!registered) return registered;
  // A function's or job's stderr is its log: shown on Stepwise's stderr, one block per call.
  r.functions.set_log_sink(stderr_log_sink());
  r.jobs.set_log_sink(stderr_log_sink());
  std::vector<tasks::EndpointSpec> endpoints;
  if (!c.functions_files.empty()) {
    auto config = load_task_configs(c.functions_files);
    if (!config.ok()) return config.error();
    endpoints = std::move(config->endpoints);
    auto applied = apply_task_config(std::move(*config), r.functions, r.http, r.jobs);
    if (!applied.ok()) return applied;
  }
  // The services with a pass-through endpoint run here through it (no built-in runs here).
  auto remote = open_pass_through(endpoint_settings(endpoints), r.signing_clock, "us-east-1",
                                  "stepwise run", err);
  if (!remote.ok()) return remote.error();
  r.remote = std::move(*remote);
  if (r.remote) {
    if (auto s = r.remote->add_integrations(r.integrations); !s.ok()) return s;
  }
  if (c.mock_config_file.empty()) return ok_status();
  auto config = tasks::load_mock_config_file(c.mock_config_file);
  if (!config.ok()) return config.error();
  auto test_case = config->test_case(machine_name, c.test_case);
  if (!test_case.ok()) return test_case.error();
  for (const auto& [state, responses] : test_case->states) r.mocked_states.insert(state);
  r.mock = std::make_unique<tasks::MockRunner>(std::move(test_case).value(), &r.integrations);
  return ok_status();
}

Result<std::string> input_text_of(const std::string& argument) {
  if (argument.empty() || argument[0] != '@') return argument;
  return read_text_file(argument.substr(1));
}

void print_failure(const engine::RunResult& run, std::ostream& err) {
  json::object o{{"status", run.status}};
  if (run.error) o["error"] = *run.error;
  if (run.cause) o["cause"] = *run.cause;
  err << json::dump(o) << "\n";
}

// What ValidateStateMachineDefinition leaves to CreateStateMachine (a Resource AWS does not
// recognise), and the integrations `stepwise serve` cannot run, as ERROR diagnostics.
void add_create_diagnostics(const std::string& definition, bool aws_only, json::value& response) {
  auto& list = response.get_object()["diagnostics"].get_array();
  auto fail = [&](const std::string& code, const std::string& message) {
    list.push_back(json::object{{"severity", "ERROR"}, {"code", code}, {"message", message}});
    response.get_object()["result"] = "FAIL";
  };
  auto machine = asl::compile_text(definition);
  if (!machine.ok()) return fail("SCHEMA_VALIDATION_FAILED", machine.error().cause);
  if (aws_only) return;
  tasks::IntegrationRegistry registry;
  tasks::MockRunner placeholder(tasks::MockTestCase{}, nullptr);  // never started
  if (auto s = register_server_integrations(registry, &placeholder); !s) return;
  for (const auto& t : unsupported_tasks(**machine, registry)) {
    fail("UNSUPPORTED_INTEGRATION",
         "State '" + t.state + "' uses " + t.integration + " (" + t.resource +
             "), which Stepwise does not run. Supported integrations: " +
             supported_integrations(registry) + ". (--aws-only checks only what AWS checks.)");
  }
}

json::array history_json(const engine::RunResult& run) {
  json::array events;
  for (const auto& ev : run.history) events.push_back(ev.to_json());
  return events;
}

}  // namespace

int run_command(const RunCommand& c, std::ostream& out, std::ostream& err) {
  if (!c.mock_config_file.empty() && c.test_case.empty())
    return usage_error(err, "--mock-config needs --test-case");
  auto machine = load_machine(c);
  if (!machine.ok()) return usage_error(err, machine.error().name + ": " + machine.error().cause);
  auto input_text = input_text_of(c.input);
  if (!input_text.ok()) return usage_error(err, input_text.error().cause);
  // The server's limits, with its words: what runs here also starts there.
  if (auto quota = input_quota_error(*input_text)) return usage_error(err, *quota);
  auto input = parse_input_argument(*input_text);
  if (!input.ok()) return usage_error(err, input.error().cause);
  const std::string name =
      c.state_machine_name.empty() ? machine_name_of_path(c.definition_path) : c.state_machine_name;
  Runners runners;
  if (auto s = set_up_runners(c, name, runners, err); !s.ok())
    return usage_error(err, s.error().name + ": " + s.error().cause);
  auto unsupported = unsupported_tasks(**machine, runners.integrations, runners.mocked_states);
  if (!unsupported.empty())
    return usage_error(err, unsupported_message(unsupported, runners.integrations, "stepwise run"));

  RealClock real;
  ManualClock manual(real.now_ms());
  IdGenerator ids;
  engine::RunOptions options;
  options.state_machine_name = name;
  options.express = c.express;
  options.keep_history = true;  // Standard semantics: the history is kept (Express drops it)
  options.clock = c.fast_time ? static_cast<Clock*>(&manual) : &real;
  options.tasks = runners.top();
  options.ids = &ids;
  Tracer tracer(err);
  // --trace: each event as the execution writes it, so a long or stuck run shows where it is.
  if (c.trace)
    options.on_event = [&tracer](const engine::HistoryEvent& e) {
      tracer.event(e.to_json().get_object());
    };
  auto run = engine::run_execution(**machine, *input, options);
  hold_if_stopping();  // Ctrl-C: the run ended because its functions were killed; say nothing
  if (!run.ok()) return usage_error(err, run.error().name + ": " + run.error().cause);
  if (run->status == "SUCCEEDED" && run->output) out << json::dump(*run->output) << "\n";
  if (c.history) out << json::dump(json::object{{"events", history_json(*run)}}) << "\n";
  if (run->status == "SUCCEEDED") return 0;
  print_failure(*run, err);
  return 1;
}

int validate_command(const ValidateCommand& c, std::ostream& out, std::ostream& err) {
  auto text = read_text_file(c.definition_path);
  if (!text.ok()) return usage_error(err, text.error().cause);
  std::string definition = *text;
  // YAML is validated as the JSON it stands for; text that is neither is judged as it is.
  if (!json::parse(definition).ok()) {
    if (auto converted = parse_json_or_yaml(definition); converted.ok())
      definition = json::dump(*converted);
  }
  json::value response = conformance::validation_response(definition, c.express);
  if (response.at("result") == "OK") add_create_diagnostics(definition, c.aws_only, response);
  out << json::dump(response) << "\n";
  return response.at("result") == "OK" ? 0 : 1;
}

std::string default_handlers_dir() {
  if (const char* env = std::getenv("STEPWISE_HANDLERS_DIR"); env && *env) return env;
  return std::string(STEPWISE_SOURCE_DIR) + "/tests/conformance/handlers";
}

int conformance_command(ConformanceCommand command, std::ostream& out, std::ostream& err) {
  auto& runner = command.suite.runner;
  if (runner.handlers_dir.empty()) runner.handlers_dir = default_handlers_dir();
  // Each case runs on its own ManualClock, starting now (cases built from "now" stay valid).
  runner.clock_start_ms = RealClock().now_ms();
  // api_error cases replay their calls against a fresh Service each.
  if (!runner.dispatcher_factory) runner.dispatcher_factory = make_service_dispatcher;
  // Execution cases that need the API (activities, callbacks, nested executions) too.
  if (!runner.case_service_factory) runner.case_service_factory = make_case_service;
  // The built-in AWS services every case service carries (service cases need them).
  if (runner.builtin_services.empty()) runner.builtin_services = case_service_builtins();
  return conformance::run_suite(command.suite, out, err);
}

}  // namespace stepwise::app
