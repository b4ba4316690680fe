#include "conformance/execute.h"

#include <re2/re2.h>

#include <filesystem>
#include <functional>
#include <vector>

#include "asl/compile.h"
#include "base/arn.h"
#include "base/clock.h"
#include "base/ids.h"
#include "conformance/normalise.h"
#include "engine/run.h"
#include "tasks/functions.h"
#include "tasks/local_integrations.h"

namespace stepwise::conformance {
namespace {

// When a case recorded an ABORTED execution, it is stopped this long after its start.
constexpr Millis abort_after_ms = 1;

// arn:aws:states:<region>:<account>:stateMachine:<name> -> its colon-separated fields.
std::vector<std::string> arn_fields(const std::string& arn) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (out.size() < 16) {
    std::size_t colon = arn.find(':', pos);
    out.push_back(arn.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
    if (colon == std::string::npos) break;
    pos = colon + 1;
  }
  return out;
}

Result<std::shared_ptr<const asl::StateMachine>> compile_case(const Case& c) {
  if (auto* d = c.doc.if_contains("definition"); d && d->is_object()) return asl::compile(*d);
  std::string raw = string_of(c.doc, "definition_raw");
  return asl::compile_text(raw);
}

engine::RunOptions run_options(const Case& c) {
  engine::RunOptions o;
  const auto& names = c.names();
  auto fields = arn_fields(string_of(names, "state_machine_arn"));
  if (fields.size() >= 5 && !fields[3].empty()) o.region = fields[3];
  if (fields.size() >= 5 && !fields[4].empty()) o.account = fields[4];
  if (auto n = string_of(names, "state_machine_name"); !n.empty()) o.state_machine_name = n;
  o.execution_name = string_of(names, "execution_name");
  o.role_arn = string_of(names, "role_arn");
  o.express = c.express();
  // The recording stopped the execution (StopExecution) while it waited; with the manual clock,
  // stopping just after the start lands in the same place: the first state that takes time.
  if (string_of(c.expected(), "status") == "ABORTED") o.stop_after_ms = abort_after_ms;
  return o;
}

}  // namespace

// The text the recorded test sent as the input: Python's json.dumps of the value (AWS echoes it
// verbatim in the history), or the raw text itself.
std::string case_input_text(const Case& c, const json::value& input) {
  if (auto* raw = c.doc.if_contains("input_raw"); raw && raw->is_string())
    return std::string(raw->get_string());
  return python_dumps(input);
}

Result<json::value> case_input(const Case& c) {
  if (auto* v = c.doc.if_contains("input")) return v->is_null() ? json::value(json::object{}) : *v;
  if (auto* raw = c.doc.if_contains("input_raw"); raw && raw->is_string()) {
    auto parsed = json::parse(std::string_view(raw->get_string().data(), raw->get_string().size()));
    if (!parsed.ok()) return Error{"InvalidExecutionInput", "input_raw is not JSON"};
    return std::move(parsed).value();
  }
  return json::value(json::object{});
}

Status register_functions(const Case& c, const RunnerConfig& config,
                          tasks::FunctionRunner& runner) {
  const auto& functions = object_of(object_of(c.doc, "resources"), "lambda_functions");
  for (const auto& kv : functions) {
    if (!kv.value().is_object()) continue;
    std::string handler = string_of(kv.value().get_object(), "handler_file");
    std::string path =
        (std::filesystem::path(config.handlers_dir) / std::filesystem::path(handler).filename())
            .string();
    if (handler.empty() || !std::filesystem::exists(path))
      return Error{"HandlerMissing", "no local handler for Lambda function " +
                                         std::string(kv.key()) + " (" + path + ")"};
    tasks::FunctionSpec spec;
    spec.name = kv.key();
    spec.kind = tasks::FunctionKind::command;
    spec.argv = {config.python, path};
    spec.cwd = config.handlers_dir;
    auto added = runner.add(std::move(spec));
    if (!added.ok()) return added.error();
  }
  return ok_status();
}

namespace {

Result<ActualExecution> run_case(const Case& c, const RunnerConfig& config,
                                 const asl::StateMachine& machine, const json::value& input,
                                 bool replay_every_step) {
  tasks::FunctionRunner functions;
  if (auto s = register_functions(c, config, functions); !s.ok()) return s.error();
  // Lambda goes to the local functions; other integrations fail as unsupported resources.
  tasks::IntegrationRegistry integrations;
  if (auto s = tasks::register_local_integrations(integrations, {.functions = &functions}); !s)
    return s.error();

  ManualClock clock(config.clock_start_ms);
  // Seeded from the case name: a rerun generates the same ids.
  IdGenerator ids(std::hash<std::string>{}(c.name) | 1);
  engine::RunOptions options = run_options(c);
  options.clock = &clock;
  options.tasks = &integrations;
  options.ids = &ids;
  options.input_text = case_input_text(c, input);
  options.replay_every_step = replay_every_step;
  auto run = engine::run_execution(machine, input, options);
  if (!run.ok()) return run.error();
  if (!run->replay_mismatch.empty())
    return Error{"Replay",
                 "a journal replay differs from the live execution at " + run->replay_mismatch};

  ActualExecution a;
  a.status = run->status;
  a.output = run->output;
  a.error = run->error;
  a.cause = run->cause;
  for (const auto& ev : run->history) a.events.push_back(ev.to_json());
  a.input_text = options.input_text;
  a.execution_arn = run->execution_arn;
  a.execution_name = options.execution_name;
  a.state_machine_arn = arn::make("states", options.region, options.account,
                                  "stateMachine:" + options.state_machine_name);
  a.start_ms = run->start_ms;
  a.stop_ms = run->stop_ms;
  return a;
}

// The run as text without its timestamps and UUIDs: local functions take real time under the
// manual clock, so two runs of a case with Lambda tasks may stamp their events differently,
// and each call gets a request id of its own (a Lambda error's "requestId").
std::string untimed_text(const ActualExecution& a) {
  std::string out = a.status + " " + (a.output ? json::dump(*a.output) : "-") + " " +
                    a.error.value_or("-") + " " + a.cause.value_or("-") + "\n";
  for (json::value e : a.events) {
    if (auto* o = e.if_object()) o->erase("timestamp");
    out += json::dump(e) + "\n";
  }
  return out;
}

// ... and without what each Lambda call's answer makes afresh: its request id, trace id, HTTP
// Date header and tail of the log (base64 of "START RequestId: ..."); the engine does not make
// them, the local function runner does.
std::string untimed(const ActualExecution& a) {
  static const RE2 kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  static const RE2 kTrace("Root=1-[0-9a-f]{8}-[0-9a-f]{24}");
  static const RE2 kLog("U1RBUlQgUmVxdWVzdElk[A-Za-z0-9+/=]*");
  static const RE2 kDate("[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT");
  std::string out = untimed_text(a);
  RE2::GlobalReplace(&out, kUuid, "<uuid>");
  RE2::GlobalReplace(&out, kTrace, "<trace>");
  RE2::GlobalReplace(&out, kDate, "<date>");
  RE2::GlobalReplace(&out, kLog, "<log>");
  return out;
}

}  // namespace

Result<ActualExecution> execute_case(const Case& c, const RunnerConfig& config) {
  auto machine = compile_case(c);
  if (!machine.ok()) return machine.error();
  auto input = case_input(c);
  if (!input.ok()) return input.error();
  auto straight = run_case(c, config, **machine, *input, false);
  if (!straight.ok() || !config.replay_every_step) return straight;
  // Once more, rebuilt from its journal after every step as recovery would (engine/run.h):
  // the history must be the one the straight run wrote.
  auto replayed = run_case(c, config, **machine, *input, true);
  if (!replayed.ok()) return replayed.error();
  if (untimed(*straight) != untimed(*replayed)) {
    return Error{"Replay", "the run replayed after every step differs from the straight run:\n" +
                               untimed(*straight) + "---\n" + untimed(*replayed)};
  }
  return straight;
}

}  // namespace stepwise::conformance
