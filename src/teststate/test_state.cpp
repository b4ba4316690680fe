// TestState orchestration: check the request, build a small machine around the state, run it in
// the engine (twice at most: once to learn the error, once through the matching catcher), then
// apply TestState's own reading of Retry and Catch and write the response.
#include "teststate/test_state.h"

#include <cmath>
#include <exception>
#include <set>

#include "asl/compile.h"
#include "base/arn.h"
#include "engine/run.h"
#include "jsonpath/jsonpath.h"
#include "re2/re2.h"
#include "teststate/checks.h"
#include "teststate/inspection.h"
#include "teststate/internal.h"
#include "teststate/runner.h"

namespace stepwise::teststate {
namespace {

using detail::Target;
using json::object;
using json::value;

// Every state a transition of `state` leads to: they become Succeed states in the run machine,
// so the run stops right after the state under test and shows where it would go.
std::set<std::string> targets_of(const object& state) {
  std::set<std::string> out;
  auto add = [&](const object& o, std::string_view key) {
    auto it = o.find(key);
    if (it != o.end() && it->value().is_string()) out.insert(std::string(it->value().get_string()));
  };
  add(state, "Next");
  add(state, "Default");
  for (const char* list : {"Choices", "Catch"}) {
    auto it = state.find(list);
    if (it == state.end() || !it->value().is_array()) continue;
    for (const auto& item : it->value().get_array())
      if (item.is_object()) add(item.get_object(), "Next");
  }
  return out;
}

// A mocked Map or Parallel runs as a Task of the same I/O fields whose result is the mock: the
// iterations or branches themselves are not run (that is what the mock stands for).
object as_mocked_task(const object& state) {
  static const char* const kept[] = {"Comment",    "QueryLanguage",  "InputPath", "OutputPath",
                                     "ResultPath", "ResultSelector", "Output",    "Assign",
                                     "Catch",      "Retry",          "Next",      "End"};
  object task{{"Type", "Task"}, {"Resource", "arn:aws:states:::lambda:invoke"}};
  for (const char* k : kept)
    if (auto it = state.find(k); it != state.end()) task[k] = it->value();
  return task;
}

struct RunSetup {
  const detail::Target* target = nullptr;
  const Request* req = nullptr;
  const TestStateOptions* opts = nullptr;
  value context;
  std::string execution_name;
  std::string machine_name;
};

struct RunOutcome {
  std::string status;
  std::optional<value> output;
  std::string error, cause;
  bool has_error = false, has_cause = false;  // a Fail state may name neither
  std::optional<std::string> next_state;
  std::optional<value> parameters;            // what a Task sent
  std::optional<tasks::TaskOutcome> outcome;  // what it got back
  json::object variables;                     // in scope after the state (its Assign applied)
};

// TestState reports failures without the execution's "(entered at the event id #N)" preamble:
// there is no execution history for an event id to point into.
std::string without_state_prefix(std::string cause) {
  static const RE2 prefix(
      "^An error occurred while executing the state '[^']*' \\(entered at the event id "
      "#[0-9]+\\)\\. ");
  RE2::Replace(&cause, prefix, "");
  return cause;
}

Result<RunOutcome> run_once(const RunSetup& s, object state,
                            std::optional<tasks::TaskOutcome> forced) {
  const Target& t = *s.target;
  object states;
  std::set<std::string> targets = targets_of(state);
  // A state that leads to itself runs under another name, so that its own name can be the
  // Succeed that shows where it would go (instead of looping).
  const std::string self = targets.count(t.name) > 0 ? t.name + " (under test)" : t.name;
  states[self] = std::move(state);
  for (const auto& name : targets) states[name] = object{{"Type", "Succeed"}};
  value machine =
      object{{"QueryLanguage", t.query_language}, {"StartAt", self}, {"States", std::move(states)}};
  auto compiled = asl::compile(machine);
  if (!compiled) return std::move(compiled).error();

  ManualClock clock(s.opts->clock->now_ms());
  detail::StateRunner runner(s.opts->tasks, std::move(forced));
  engine::RunOptions ro;
  ro.region = s.opts->region;
  ro.account = s.opts->account;
  ro.state_machine_name = s.machine_name;
  ro.execution_name = s.execution_name;
  ro.role_arn = s.req->role_arn;
  ro.clock = &clock;
  ro.tasks = &runner;
  ro.ids = s.opts->ids;
  ro.input_text = s.req->input_text;
  ro.context_override = s.context;
  ro.initial_variables = s.req->variables;
  auto run = engine::run_execution(**compiled, s.req->input, ro);
  if (!run) return std::move(run).error();

  RunOutcome out;
  out.status = run->status;
  out.output = run->output;
  out.error = run->error.value_or("");
  out.cause = without_state_prefix(run->cause.value_or(""));
  out.has_error = run->error.has_value();
  out.has_cause = run->cause.has_value();
  for (const auto& ev : run->history) {
    auto name = ev.details.find("name");
    if (ev.type.size() > 12 && ev.type.ends_with("StateEntered") && name != ev.details.end() &&
        name->value().is_string() && targets.count(std::string(name->value().get_string())) > 0 &&
        std::string_view(name->value().get_string()) != self) {
      out.next_state = std::string(name->value().get_string());
      break;
    }
  }
  out.parameters = runner.parameters;
  out.outcome = runner.outcome;
  out.variables = s.req->variables;
  for (const auto& ev : run->history) {
    auto name = ev.details.find("name");
    auto assigned = ev.details.find("assignedVariables");
    if (!ev.type.ends_with("StateExited") || name == ev.details.end() ||
        assigned == ev.details.end() || !name->value().is_string() ||
        std::string_view(name->value().get_string()) != self || !assigned->value().is_object())
      continue;
    for (const auto& kv : assigned->value().get_object()) {
      if (!kv.value().is_string()) continue;
      auto v = json::parse(
          std::string_view(kv.value().get_string().data(), kv.value().get_string().size()));
      if (v) out.variables[kv.key()] = std::move(v).value();
    }
  }
  return out;
}

// The value AWS shows in $$ (and $states.context) when the request gives none.
value default_context(const RunSetup& s, Millis now) {
  const std::string prefix = arn::prefix("states", s.opts->region, s.opts->account);
  std::string start = format_iso8601_ms(now);
  object exec{{"Id", prefix + "express:" + s.machine_name + ":" + s.execution_name},
              {"Input", s.req->input},
              {"Name", s.execution_name},
              {"RoleArn", s.req->role_arn.empty() ? value(nullptr) : value(s.req->role_arn)},
              {"StartTime", start}};
  object sm{{"Id", prefix + "stateMachine:" + s.machine_name}, {"Name", s.machine_name}};
  object st{{"Name", "StateName"}, {"EnteredTime", start}};
  const std::string& type = s.target->type;
  if (type == "Task" || type == "Map" || type == "Parallel")
    st["RetryCount"] = s.req->config.retrier_retry_count.value_or(0);
  return object{
      {"Execution", std::move(exec)}, {"StateMachine", std::move(sm)}, {"State", std::move(st)}};
}

double number_or(const object& o, std::string_view key, double fallback) {
  auto it = o.find(key);
  return it != o.end() && json::is_number(it->value()) ? json::as_double(it->value()) : fallback;
}

// Map: whether the mocked iteration failures exceed the state's tolerance (only a state that
// sets a tolerance has one to exceed).
bool tolerance_exceeded(const object& state, const Request& req) {
  if (!req.config.map_iteration_failure_count || !req.mock || !req.mock->result ||
      !req.mock->result->is_array())
    return false;
  double failures = static_cast<double>(*req.config.map_iteration_failure_count);
  double items = static_cast<double>(req.mock->result->get_array().size());
  if (auto it = state.find("ToleratedFailureCount");
      it != state.end() && json::is_number(it->value())) {
    if (failures > json::as_double(it->value())) return true;
  }
  if (auto it = state.find("ToleratedFailurePercentage");
      it != state.end() && json::is_number(it->value())) {
    if (items > 0 && failures * 100.0 / items > json::as_double(it->value())) return true;
  }
  return false;
}

std::optional<tasks::TaskOutcome> mocked_outcome(const Target& t, const Request& req) {
  if (!req.mock) return std::nullopt;
  if (req.mock->is_error())
    return tasks::TaskOutcome::failure(*req.mock->error, req.mock->cause.value_or(""));
  if (t.type == "Map" && tolerance_exceeded(t.state, req))
    return tasks::TaskOutcome::failure("States.ExceedToleratedFailureThreshold",
                                       "The specified tolerated failure threshold was exceeded");
  return tasks::TaskOutcome::success(*req.mock->result);
}

object without(object state, std::initializer_list<const char*> keys) {
  for (const char* k : keys) state.erase(k);
  return state;
}

const json::array* array_field(const object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

// TestState's reading of a failure: the first matching retrier with attempts left makes it
// RETRIABLE; otherwise the first matching catcher makes it CAUGHT_ERROR (run through the
// catcher for its output and Next); otherwise FAILED.
Result<RunOutcome> after_failure(const RunSetup& s, const object& state, RunOutcome failed,
                                 object& error_details) {
  const Request& req = *s.req;
  if (const json::array* retry = array_field(state, "Retry")) {
    for (std::size_t i = 0; i < retry->size(); ++i) {
      if (!(*retry)[i].is_object()) continue;
      const object& r = (*retry)[i].get_object();
      auto eq = r.find("ErrorEquals");
      if (eq == r.end() || !detail::error_matches(eq->value(), failed.error)) continue;
      std::int64_t count = req.config.retrier_retry_count.value_or(0);
      double max_attempts = number_or(r, "MaxAttempts", 3);
      error_details["retryIndex"] = static_cast<std::int64_t>(i);
      if (static_cast<double>(count) < max_attempts) {
        double interval = number_or(r, "IntervalSeconds", 1) *
                          std::pow(number_or(r, "BackoffRate", 2.0), static_cast<double>(count));
        interval = std::min(interval, number_or(r, "MaxDelaySeconds", interval));
        error_details["retryBackoffIntervalSeconds"] = static_cast<std::int64_t>(interval);
        failed.status = "RETRIABLE";
        return failed;
      }
      break;
    }
  }
  if (const json::array* catchers = array_field(state, "Catch")) {
    for (std::size_t i = 0; i < catchers->size(); ++i) {
      if (!(*catchers)[i].is_object()) continue;
      auto eq = (*catchers)[i].get_object().find("ErrorEquals");
      if (eq == (*catchers)[i].get_object().end() ||
          !detail::error_matches(eq->value(), failed.error))
        continue;
      error_details["catchIndex"] = static_cast<std::int64_t>(i);
      // Through the catcher, with the same task outcome: the task is not called a second time.
      std::optional<tasks::TaskOutcome> replay = failed.outcome;
      if (!replay) replay = mocked_outcome(*s.target, req);
      auto caught = run_once(s, without(state, {"Retry"}), replay);
      if (!caught) return caught;
      caught->status = "CAUGHT_ERROR";
      caught->error = failed.error;
      caught->cause = failed.cause;
      caught->has_error = failed.has_error;
      caught->has_cause = failed.has_cause;
      caught->parameters = failed.parameters;
      caught->outcome = failed.outcome;
      return caught;
    }
  }
  return failed;
}

std::optional<value> select_path(const object& state, std::string_view key, const value& doc,
                                 const RunSetup& s) {
  auto it = state.find(key);
  if (it == state.end()) return doc;
  if (it->value().is_null()) return value(object{});
  if (!it->value().is_string()) return std::nullopt;
  auto path = jsonpath::Path::compile(
      std::string_view(it->value().get_string().data(), it->value().get_string().size()),
      jsonpath::PathKind::kPath);
  if (!path) return std::nullopt;
  jsonpath::VariableLookup lookup = [&](std::string_view name) -> const value* {
    auto v = s.req->variables.find(name);
    return v == s.req->variables.end() ? nullptr : &v->value();
  };
  jsonpath::EvalContext ctx;
  ctx.input = &doc;
  ctx.context = &s.context;
  ctx.variables = &lookup;
  auto r = path->select_or_fail(ctx);
  if (!r) return std::nullopt;
  return std::move(r).value();
}

// A mocked JSONPath Map still selects its items (the mock stands for the iterations only):
// an ItemsPath that does not select an array fails the state as it would in an execution.
std::optional<RunOutcome> items_failure(const RunSetup& s) {
  const object& state = s.target->state;
  auto items_path = state.find("ItemsPath");
  if (s.target->query_language == "JSONata" || items_path == state.end() ||
      !items_path->value().is_string())
    return std::nullopt;
  auto effective = select_path(state, "InputPath", s.req->input, s);
  std::optional<value> items;
  if (effective) items = select_path(state, "ItemsPath", *effective, s);
  if (items && items->is_array()) return std::nullopt;
  // AWS names a context path relative to the context object ("$$.a" as "$.a").
  std::string shown(items_path->value().get_string());
  if (shown.rfind("$$", 0) == 0) shown.erase(0, 1);
  RunOutcome out;
  out.variables = s.req->variables;
  out.status = "FAILED";
  out.error = "States.Runtime";
  out.cause = "Reference path \"" + shown + "\" must point to array.";
  out.has_error = out.has_cause = true;
  return out;
}

Result<json::value> respond(const RunSetup& s, const RunOutcome& r, const object& error_details,
                            const object& run_state) {
  object out;
  if (r.output && (r.status == "SUCCEEDED" || r.status == "CAUGHT_ERROR"))
    out["output"] = detail::spaced_dump(*r.output);
  if (r.status != "SUCCEEDED") {
    if (r.has_error) out["error"] = r.error;
    if (r.has_cause) out["cause"] = r.cause;
  }
  if (s.req->level != Level::kInfo) {
    InspectionInput in{s.target,     s.req,     &s.context, &run_state,
                       r.parameters, r.outcome, r.output,   r.status == "SUCCEEDED",
                       &r.variables};
    object data = inspection_data(in);
    if (!error_details.empty()) data["errorDetails"] = error_details;
    out["inspectionData"] = std::move(data);
  }
  if (r.next_state) out["nextState"] = *r.next_state;
  out["status"] = r.status;
  return value(std::move(out));
}

Result<json::value> run_request(const json::value& body, const TestStateOptions& opts) {
  if (opts.clock == nullptr || opts.ids == nullptr)
    return Error{"InternalFailure", "TestState needs a clock and an id generator"};
  auto req = parse_request(body);
  if (!req) return std::move(req).error();
  if (req->definition.get_object().contains("States")) {
    auto whole = asl::compile(req->definition);  // the machine must be valid as a whole
    if (!whole) return std::move(whole).error();
  }
  auto target = detail::locate(*req);
  if (!target) return std::move(target).error();
  if (auto s = detail::check_request(*target, *req); !s) return std::move(s).error();

  RunSetup s;
  s.target = &*target;
  s.req = &*req;
  s.opts = &opts;
  s.execution_name = opts.ids->uuid_v4();
  s.machine_name = "TestStateStateMachine-" + opts.ids->uuid_v4();
  s.context = req->context ? value(*req->context) : default_context(s, opts.clock->now_ms());

  object state = target->state;
  if (target->type == "Map" || target->type == "Parallel") state = as_mocked_task(state);
  object error_details;
  if (target->type == "Map") {
    if (auto failed = items_failure(s)) return respond(s, *failed, error_details, state);
  }
  auto first = run_once(s, without(state, {"Retry", "Catch"}), mocked_outcome(*target, *req));
  if (!first) return std::move(first).error();
  RunOutcome result = std::move(first).value();
  if (result.status != "SUCCEEDED") {
    auto next = after_failure(s, state, std::move(result), error_details);
    if (!next) return std::move(next).error();
    result = std::move(next).value();
  }
  return respond(s, result, error_details, state);
}

}  // namespace

Result<json::value> test_state(const json::value& request, const TestStateOptions& options) {
  try {
    return run_request(request, options);
  } catch (const std::exception& e) {
    // boost::json accessors throw on a kind we did not expect; never past this module.
    return Error{"InternalFailure", std::string("TestState failed: ") + e.what()};
  }
}

}  // namespace stepwise::teststate
