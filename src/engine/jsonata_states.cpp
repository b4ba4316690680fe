// States in JSONata mode: Arguments, Output, Assign, Condition, Items, ItemSelector and the
// scalar fields that may be "{% %}" expressions, evaluated with $states and the variables.
//
// Every evaluation of a state shares one set of converted documents (JsonataEnv): the $states
// object and each visible variable are converted to jsonata::Documents once per phase (entry,
// result, catch), not once per expression.
#include <limits>

#include "base/limits.h"
#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::JsonataTemplate;
using asl::State;
using asl::StateType;
using detail::payload_too_large;
using json::object;
using json::value;

// What one phase of a state evaluates against. The documents are built on the first expression
// only: a state whose fields are all literals converts nothing.
struct Execution::JsonataEnv {
  const char* extra_key = "";          // "result" / "errorOutput" when `extra` is set
  const json::value* extra = nullptr;  // must outlive the evaluations
  const json::value* map_item = nullptr;
  std::int64_t index = 0;
  bool ready = false;
  jsonata::DocumentBindings vars;  // "states" and every visible variable
  jsonata::EvalOptions options;
};

namespace {

std::string expression_prefix(const JsonataTemplate& t, const std::string& location) {
  return "The JSONata expression '" + t.text + "' specified for the field '" + location + "' ";
}

std::string unexpected_type(const JsonataTemplate& t, const std::string& location,
                            const char* expected, const value& v) {
  return expression_prefix(t, location) + "returned an unexpected result type. Expected '" +
         expected + "', but was '" + json::kind_name(v) + "' for value: " + json::dump(v);
}

// The message for a field whose value has the wrong type: an expression's or a literal's.
std::string wrong_type(const JsonataTemplate& t, const std::string& location, const char* expected,
                       const value& v) {
  if (t.kind == JsonataTemplate::Kind::kExpression)
    return unexpected_type(t, location, expected, v);
  return "The value of the field '" + location + "' must be of type '" + expected + "', but was '" +
         json::kind_name(v) + "' for value: " + json::dump(v);
}

// An integral number within [min, max] (JSONata numbers are doubles: 3.0 counts as 3).
std::optional<std::int64_t> integer_in(const value& v, std::int64_t min, std::int64_t max) {
  if (!json::is_number(v) || !json::is_integral_number(v)) return std::nullopt;
  double d = json::as_double(v);
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

}  // namespace

Execution::Failure Execution::query_failure(const Frame& fr, const std::string& message,
                                            std::string location) const {
  Failure fl{"States.QueryEvaluationError",
             state_error_prefix(fr.cur().name, fr.entered_event) + message, true};
  fl.evaluation = true;
  fl.location = std::move(location);
  return fl;
}

// AWS writes the failure of an evaluation as its own event before the state fails. Its
// predecessor is the event before the state's entry (a Wait's: the entry itself).
void Execution::evaluation_failed_event(int f, const Failure& failure) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (fr.silent) return;
  const State& s = fr.cur();
  std::int64_t prev = s.type == StateType::kWait ? fr.last_event : fr.entered_prev;
  object d;
  if (history_on()) {
    d["error"] = failure.error;
    d["cause"] = failure.cause;
    if (!failure.location.empty()) d["location"] = failure.location;
    d["state"] = s.name;
  }
  fr.last_event = emit_prev(prev, "EvaluationFailed", "evaluationFailedEventDetails", std::move(d));
}

// ---------------------------------------------------------------------------- evaluation

std::optional<Execution::Failure> Execution::jsonata_env(int f, JsonataEnv& env) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  env.ready = true;
  object states;
  states["input"] = fr.input;
  // Only what the state's expressions can reach (asl::State::context_need): building the
  // context copies the execution's input, for every JSONata state and Map item.
  if (const asl::ContextNeed need = fr.cur().context_need; need != asl::ContextNeed::kNone) {
    states["context"] =
        context_object(fr, env.map_item, env.index, need == asl::ContextNeed::kFull);
  }
  if (env.extra != nullptr) states[env.extra_key] = *env.extra;
  auto doc = jsonata::Document::from_json(value(std::move(states)));
  if (!doc) return query_failure(fr, "The state input is nested too deeply.", "");
  env.vars.insert_or_assign("states", std::move(*doc));
  // Innermost scope first: a name found there hides the same name further out.
  for (int g = f; g >= 0; g = frames_[static_cast<std::size_t>(g)]->parent) {
    for (const auto& kv : frames_[static_cast<std::size_t>(g)]->vars) {
      if (kv.key() == "states" || env.vars.count(std::string_view(kv.key())) > 0) continue;
      auto vd = jsonata::Document::from_json(kv.value());
      if (!vd)
        return query_failure(
            fr, "The variable '" + std::string(kv.key()) + "' is nested too deeply.", "");
      env.vars.emplace(std::string(kv.key()), std::move(*vd));
    }
  }
  env.options.now_millis = static_cast<double>(now_);
  env.options.random_seed = (random_ ? random_() : 1) | 1;  // never 0 (0 means the clock)
  // A runaway expression (tail recursion adds no depth) ends with an evaluation error instead
  // of stalling the execution; real expressions over a 256 KiB payload take milliseconds.
  env.options.steps_max = limits::jsonata_eval_steps_max;
  env.options.reject_function_result = true;
  return std::nullopt;
}

std::optional<Execution::Failure> Execution::jsonata_eval(int f, const JsonataTemplate& t,
                                                          const std::string& location,
                                                          JsonataEnv& env, value& out,
                                                          std::size_t depth) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (depth > limits::json_depth_max) {
    return query_failure(fr, "The field '" + location + "' is nested too deeply.", location);
  }
  switch (t.kind) {
    case JsonataTemplate::Kind::kLiteral:
      out = t.literal;
      return std::nullopt;
    case JsonataTemplate::Kind::kExpression: {
      if (!env.ready) {
        if (auto bad = jsonata_env(f, env)) return bad;
      }
      auto r = t.expression->evaluate_documents(nullptr, env.vars, env.options);
      if (!r && r.error().name == jsonata::function_result_error) {
        return query_failure(
            fr, expression_prefix(t, location) + "returned an unsupported result type.", location);
      }
      if (!r) {
        return query_failure(fr,
                             expression_prefix(t, location) + "threw an error during evaluation. " +
                                 r.error().name + ": " + r.error().cause,
                             location);
      }
      if (!r->has_value()) {
        return query_failure(fr, expression_prefix(t, location) + "returned nothing (undefined).",
                             location);
      }
      out = std::move(**r);
      return std::nullopt;
    }
    case JsonataTemplate::Kind::kObject: {
      object o;
      for (std::size_t i = 0; i < t.children.size(); ++i) {
        value v;
        if (auto bad =
                jsonata_eval(f, t.children[i], location + "/" + t.keys[i], env, v, depth + 1)) {
          return bad;
        }
        o[t.keys[i]] = std::move(v);
      }
      out = std::move(o);
      return std::nullopt;
    }
    case JsonataTemplate::Kind::kArray: {
      json::array a;
      for (std::size_t i = 0; i < t.children.size(); ++i) {
        value v;
        if (auto bad = jsonata_eval(f, t.children[i], location + "/" + std::to_string(i), env, v,
                                    depth + 1)) {
          return bad;
        }
        a.push_back(std::move(v));
      }
      out = std::move(a);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Evaluates Assign (every right-hand side sees the variables as at state entry) and Output, and
// only then stores the new values: Output does not see this state's assignments either.
std::optional<Execution::Failure> Execution::jsonata_assign_output(int f,
                                                                   const JsonataTemplate* assign,
                                                                   const JsonataTemplate* output,
                                                                   JsonataEnv& env, value& out) {
  value assigned;
  if (assign != nullptr) {
    if (auto bad = jsonata_eval(f, *assign, "Assign", env, assigned)) return bad;
  }
  if (output != nullptr) {
    if (auto bad = jsonata_eval(f, *output, "Output", env, out)) return bad;
  }
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if (assigned.is_object()) {
    if (payload_too_large(assigned, info_.enforce_quotas)) return assign_too_large(fr.cur().name);
    for (auto& kv : assigned.get_object()) {
      fr.vars[kv.key()] = kv.value();
      fr.assigned[kv.key()] = std::move(kv.value());
    }
  }
  return std::nullopt;
}

bool Execution::jsonata_complete(int f, value result) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const bool has_result =
      s.type == StateType::kTask || s.type == StateType::kMap || s.type == StateType::kParallel;
  const asl::JsonataFields& j = *s.jsonata;
  JsonataEnv env;
  if (has_result) {
    env.extra_key = "result";
    env.extra = &result;
  }
  value out;
  if (auto bad = jsonata_assign_output(f, j.assign ? &*j.assign : nullptr,
                                       j.output ? &*j.output : nullptr, env, out)) {
    return state_failed(f, std::move(*bad));
  }
  if (!j.output) out = std::move(result);
  if (payload_too_large(out, info_.enforce_quotas)) {
    return state_failed(f, Failure{"States.DataLimitExceeded",
                                   "The state/task '" + s.name +
                                       "' returned a result with a size exceeding the maximum "
                                       "number of bytes service limit.",
                                   true});
  }
  return transition_out(f, std::move(out), s.next);
}

bool Execution::jsonata_catch(int f, const asl::Catcher& c, value error_output) {
  JsonataEnv env;
  env.extra_key = "errorOutput";
  env.extra = &error_output;
  value out;
  if (auto bad = jsonata_assign_output(f, c.jsonata_assign ? &*c.jsonata_assign : nullptr,
                                       c.jsonata_output ? &*c.jsonata_output : nullptr, env, out)) {
    if (bad->evaluation) evaluation_failed_event(f, *bad);
    frame_failed(f, std::move(*bad));
    return false;
  }
  if (!c.jsonata_output) out = std::move(error_output);
  return transition_out(f, std::move(out), c.next);
}

// ---------------------------------------------------------------------------- states

bool Execution::run_jsonata(int f) {
  switch (frames_[static_cast<std::size_t>(f)]->cur().type) {
    case StateType::kPass:
      return jsonata_pass(f);
    case StateType::kTask:
      return jsonata_task(f);
    case StateType::kChoice:
      return jsonata_choice(f);
    case StateType::kWait:
      return jsonata_wait(f);
    case StateType::kSucceed:
      return jsonata_succeed(f);
    case StateType::kFail:
      return jsonata_fail(f);
    case StateType::kParallel:
      return jsonata_parallel(f);
    case StateType::kMap:
      return jsonata_map(f);
  }
  return false;
}

bool Execution::jsonata_pass(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const asl::JsonataFields& j = *fr.cur().jsonata;
  // $states.input reads fr.input while Assign/Output evaluate: move it only when nothing does.
  if (!j.assign && !j.output) return jsonata_complete(f, std::move(fr.input));
  return jsonata_complete(f, fr.input);
}

bool Execution::jsonata_succeed(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  value out = fr.input;
  if (s.jsonata->output) {
    JsonataEnv env;
    if (auto bad = jsonata_eval(f, *s.jsonata->output, "Output", env, out)) {
      return state_failed(f, std::move(*bad));
    }
  }
  return transition_out(f, std::move(out), -1);
}

bool Execution::jsonata_fail(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const asl::JsonataFields& j = *s.jsonata;
  Failure fl;
  fl.has_cause = false;
  JsonataEnv env;
  auto text = [&](const JsonataTemplate& t, const char* field,
                  std::string& out) -> std::optional<Failure> {
    value v;
    if (auto bad = jsonata_eval(f, t, field, env, v)) return bad;
    if (!v.is_string()) return query_failure(fr, wrong_type(t, field, "string", v), field);
    out = std::string(v.get_string());
    return std::nullopt;
  };
  if (j.error) {
    if (auto bad = text(*j.error, "Error", fl.error)) return state_failed(f, std::move(*bad));
  }
  if (j.cause) {
    if (auto bad = text(*j.cause, "Cause", fl.cause)) return state_failed(f, std::move(*bad));
    fl.has_cause = true;
  }
  frame_failed(f, std::move(fl));
  return false;
}

bool Execution::jsonata_choice(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  JsonataEnv env;
  int next = -1;
  const JsonataTemplate* assign = s.jsonata->assign ? &*s.jsonata->assign : nullptr;
  const JsonataTemplate* output = s.jsonata->output ? &*s.jsonata->output : nullptr;
  for (const auto& b : s.choices) {
    if (!b.condition) continue;
    value v;
    if (auto bad = jsonata_eval(f, *b.condition, "Condition", env, v)) {
      return state_failed(f, std::move(*bad));
    }
    if (!v.is_bool()) {
      return state_failed(
          f, query_failure(fr, wrong_type(*b.condition, "Condition", "boolean", v), "Condition"));
    }
    if (v.get_bool()) {
      next = b.next;
      assign = b.jsonata_assign ? &*b.jsonata_assign : nullptr;
      output = b.jsonata_output ? &*b.jsonata_output : nullptr;
      break;
    }
  }
  if (next < 0) next = s.default_next;
  if (next < 0) {
    return state_failed(
        f, Failure{"States.NoChoiceMatched",
                   state_error_prefix(s.name, fr.entered_event) + "No Matches!", true});
  }
  value out = fr.input;
  if (auto bad = jsonata_assign_output(f, assign, output, env, out)) {
    return state_failed(f, std::move(*bad));
  }
  return transition_out(f, std::move(out), next);
}

bool Execution::jsonata_wait(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const asl::JsonataFields& j = *s.jsonata;
  JsonataEnv env;
  fr.effective = fr.input;
  Millis due = now_;
  value v;
  if (j.seconds) {
    if (auto bad = jsonata_eval(f, *j.seconds, "Seconds", env, v))
      return state_failed(f, std::move(*bad));
    auto secs = integer_in(v, 0, limits::seconds_max);
    if (!secs) {
      return state_failed(
          f, query_failure(fr, wrong_type(*j.seconds, "Seconds", "integer", v), "Seconds"));
    }
    due = now_ + *secs * 1000;
  } else if (j.timestamp) {
    if (auto bad = jsonata_eval(f, *j.timestamp, "Timestamp", env, v)) {
      return state_failed(f, std::move(*bad));
    }
    std::string text = v.is_string() ? std::string(v.get_string()) : json::dump(v);
    Millis t = 0;
    if (!v.is_string() || !parse_rfc3339(text, &t)) {
      return state_failed(f, query_failure(fr,
                                           "The Timestamp field cannot be parsed as an ISO-8601 "
                                           "extended offset date-time format string: " +
                                               text,
                                           "Timestamp"));
    }
    due = t;
  }
  return wait_until(f, due);
}

bool Execution::jsonata_task(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const asl::JsonataFields& j = *s.jsonata;
  fr.request = Frame::StagedTask();
  fr.request.task_token = task_token_for(s);
  JsonataEnv env;
  value params = fr.input;
  if (j.arguments) {
    if (auto bad = jsonata_eval(f, *j.arguments, "Arguments", env, params)) {
      return state_failed(f, std::move(*bad));
    }
  }
  auto seconds = [&](const std::optional<JsonataTemplate>& t, const char* field,
                     std::optional<std::int64_t>& out) -> std::optional<Failure> {
    if (!t) return std::nullopt;
    value v;
    if (auto bad = jsonata_eval(f, *t, field, env, v)) return bad;
    auto n = integer_in(v, 1, limits::seconds_max);
    if (!n) return query_failure(fr, wrong_type(*t, field, "integer", v), field);
    out = *n;
    return std::nullopt;
  };
  std::optional<std::int64_t> timeout;
  std::optional<std::int64_t> heartbeat;
  if (auto bad = seconds(j.timeout_seconds, "TimeoutSeconds", timeout))
    return state_failed(f, std::move(*bad));
  if (auto bad = seconds(j.heartbeat_seconds, "HeartbeatSeconds", heartbeat)) {
    return state_failed(f, std::move(*bad));
  }
  if (j.credentials) {
    value c;
    if (auto bad = jsonata_eval(f, *j.credentials, "Credentials", env, c)) {
      return state_failed(f, std::move(*bad));
    }
    fr.request.credentials = std::move(c);
  }
  if (auto missing = missing_activity(fr)) return state_failed(f, std::move(*missing));
  schedule_task(f, std::move(params), timeout, heartbeat);
  return false;
}

bool Execution::jsonata_parallel(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  value input = fr.input;
  if (s.jsonata->arguments) {
    JsonataEnv env;
    if (auto bad = jsonata_eval(f, *s.jsonata->arguments, "Arguments", env, input)) {
      return state_failed(f, std::move(*bad));
    }
  }
  return parallel_start(f, std::move(input));
}

bool Execution::jsonata_map(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  const asl::JsonataFields& j = *s.jsonata;
  JsonataEnv env;
  fr.effective = fr.input;
  if (s.item_reader || s.result_writer) {
    if (auto bad = map_io_prepare(f, nullptr)) return state_failed(f, std::move(*bad));
  }
  if (s.item_reader) {
    fr.items = json::array();  // read once the Map Run starts
  } else if (j.items) {
    if (auto bad = jsonata_eval(f, *j.items, "Items", env, fr.items))
      return state_failed(f, std::move(*bad));
    if (!fr.items.is_array()) {
      return state_failed(
          f, query_failure(fr, wrong_type(*j.items, "Items", "array", fr.items), "Items"));
    }
  } else {
    fr.items = fr.input;
    if (!fr.items.is_array()) {
      return state_failed(f, runtime_failure(fr, "Map state input must be an array but was: " +
                                                     json::dump(fr.items)));
    }
  }
  value v;
  fr.max_concurrency = static_cast<std::size_t>(std::max<std::int64_t>(0, s.max_concurrency));
  if (j.max_concurrency) {
    if (auto bad = jsonata_eval(f, *j.max_concurrency, "MaxConcurrency", env, v)) {
      return state_failed(f, std::move(*bad));
    }
    auto n = integer_in(v, 0, std::numeric_limits<std::int32_t>::max());
    if (!n) {
      return state_failed(
          f, query_failure(fr, wrong_type(*j.max_concurrency, "MaxConcurrency", "integer", v),
                           "MaxConcurrency"));
    }
    fr.max_concurrency = static_cast<std::size_t>(*n);
  }
  fr.tolerated_count = s.tolerated_failure_count;
  fr.tolerated_percentage = s.tolerated_failure_percentage;
  if (j.tolerated_failure_count) {
    if (auto bad = jsonata_eval(f, *j.tolerated_failure_count, "ToleratedFailureCount", env, v)) {
      return state_failed(f, std::move(*bad));
    }
    auto n = integer_in(v, 0, std::numeric_limits<std::int32_t>::max());
    if (!n) {
      return state_failed(
          f, query_failure(
                 fr, wrong_type(*j.tolerated_failure_count, "ToleratedFailureCount", "integer", v),
                 "ToleratedFailureCount"));
    }
    fr.tolerated_count = *n;
  }
  if (j.tolerated_failure_percentage) {
    if (auto bad = jsonata_eval(f, *j.tolerated_failure_percentage, "ToleratedFailurePercentage",
                                env, v)) {
      return state_failed(f, std::move(*bad));
    }
    if (!json::is_number(v) || json::as_double(v) < 0 || json::as_double(v) > 100) {
      return state_failed(f, query_failure(fr,
                                           wrong_type(*j.tolerated_failure_percentage,
                                                      "ToleratedFailurePercentage", "number", v),
                                           "ToleratedFailurePercentage"));
    }
    fr.tolerated_percentage = json::as_double(v);
  }
  return map_start(f, nullptr);
}

std::optional<Execution::Failure> Execution::jsonata_item_selector(int f, std::size_t index,
                                                                   value& out) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const json::array& items = fr.items.get_array();
  JsonataEnv env;
  env.map_item = &items[index];
  env.index = static_cast<std::int64_t>(index);
  return jsonata_eval(f, *fr.cur().jsonata->item_selector, "ItemSelector", env, out);
}

std::optional<Execution::Failure> Execution::jsonata_value(int f, const JsonataTemplate& t,
                                                           const char* field, value& out) {
  JsonataEnv env;
  return jsonata_eval(f, t, field, env, out);
}

std::optional<Execution::Failure> Execution::jsonata_count(int f, const JsonataTemplate& t,
                                                           const char* field, std::int64_t min,
                                                           std::int64_t max, std::int64_t& out) {
  value v;
  if (auto bad = jsonata_value(f, t, field, v)) return bad;
  auto n = integer_in(v, min, max);
  if (!n) {
    return query_failure(*frames_[static_cast<std::size_t>(f)], wrong_type(t, field, "integer", v),
                         field);
  }
  out = *n;
  return std::nullopt;
}

}  // namespace stepwise::engine
