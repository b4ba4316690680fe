// The I/O processing every state shares (InputPath, ResultPath, OutputPath, transitions) and
// the small JSONPath states: Pass, Choice, Succeed, Fail and Wait.
#include "engine/interpreter.h"

#include <algorithm>
#include <cmath>

#include "engine/execution_internal.h"

namespace stepwise::engine {

using asl::PathField;
using asl::State;
using detail::apply_input_path;
using detail::kExited;
using detail::payload_too_large;
using detail::type_index;
using detail::wait_seconds_max;
using json::object;
using json::value;

// ---------------------------------------------------------------------------- I/O processing

bool Execution::complete_state(int f, value result, bool result_checked) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (s.jsonata) return jsonata_complete(f, std::move(result));
  if (s.assign) {
    if (auto bad = apply_assign(f, *s.assign, result)) return state_failed(f, std::move(*bad));
  }
  value out;
  switch (s.result_path.kind) {
    case PathField::Kind::kDefault:
      out = std::move(result);
      break;
    case PathField::Kind::kNull:
      out = std::move(fr.input);
      break;
    case PathField::Kind::kPath: {
      out = std::move(fr.input);
      Status st = s.result_path.path.assign(out, std::move(result));
      if (!st) {
        fr.input = std::move(out);
        Failure fl{st.error().name, st.error().cause, true};
        if (fl.error == "States.Runtime") fl = runtime_failure(fr, fl.cause);
        return state_failed(f, std::move(fl));
      }
      break;
    }
  }
  if (s.output_path.kind == PathField::Kind::kNull) {
    out = object();
  } else if (s.output_path.kind == PathField::Kind::kPath) {
    StateContext ctx(*this, fr, &out);
    auto sel = s.output_path.path.select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    out = std::move(*sel);
  }
  const bool out_is_result = result_checked && s.result_path.kind == PathField::Kind::kDefault &&
                             s.output_path.kind == PathField::Kind::kDefault;
  if (!out_is_result && payload_too_large(out, info_.enforce_quotas)) {
    return state_failed(f, Failure{"States.DataLimitExceeded",
                                   "The state/task '" + s.name +
                                       "' returned a result with a size exceeding the maximum "
                                       "number of bytes service limit.",
                                   true});
  }
  return transition_out(f, std::move(out), s.next);
}

bool Execution::transition_out(int f, value out, int next) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  if (!fr.silent) {
    std::int64_t id = next_event_id_++;
    if (history_on()) {
      HistoryEvent e;
      e.id = id;
      e.previous_event_id = fr.last_event;
      e.timestamp = now_;
      e.type = kExited[type_index(s.type)];
      e.details_key = "stateExitedEventDetails";
      std::string text = json::dump(out);
      e.details["output"] = text;
      e.details["outputDetails"] = object{{"truncated", false}};
      // The next state's entry shows the same text: serialise once.
      if (next >= 0) fr.input_text = std::move(text);
      e.details["name"] = s.name;
      if (!fr.assigned.empty()) {
        object vars;
        for (const auto& kv : fr.assigned) vars[kv.key()] = json::dump(kv.value());
        e.details["assignedVariables"] = std::move(vars);
        e.details["assignedVariablesDetails"] = object{{"truncated", false}};
      }
      history_.push_back(std::move(e));
    }
    fr.last_event = id;
  }
  if (!fr.assigned.empty()) fr.assigned.clear();
  if (next < 0) {
    frame_succeeded(f, std::move(out));
    return false;
  }
  fr.input = std::move(out);
  enter_state(f, next);
  return true;
}

// ---------------------------------------------------------------------------- states

bool Execution::run_pass(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  bool simple = s.input_path.kind == PathField::Kind::kDefault && !s.parameters && !s.result &&
                !s.assign && s.result_path.kind == PathField::Kind::kDefault &&
                s.output_path.kind == PathField::Kind::kDefault;
  if (simple) {
    // The common case (and the benchmark): the input is the output, moved not copied.
    if (!history_on() && !payload_too_large(fr.input, info_.enforce_quotas)) {
      return transition_out(f, std::move(fr.input), s.next);
    }
    return complete_state(f, std::move(fr.input));
  }
  value result;
  if (s.result) {
    result = *s.result;
  } else if (s.parameters && s.input_path.kind == PathField::Kind::kDefault) {
    // Parameters only read "$": evaluate over the input itself, never a copy of it.
    StateContext ctx(*this, fr, &fr.input);
    auto p = s.parameters->evaluate(ctx);
    if (!p)
      return state_failed(
          f, Failure{p.error().name, state_error_prefix(s.name, fr.entered_event) + p.error().cause,
                     true});
    result = std::move(*p);
  } else {
    bool consume = s.result_path.kind == PathField::Kind::kDefault;
    StateContext ctx(*this, fr, &fr.input);
    auto eff = apply_input_path(s.input_path, fr.input, consume, ctx);
    if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
    result = std::move(*eff);
    if (s.parameters) {
      ctx.input = &result;
      auto p = s.parameters->evaluate(ctx);
      if (!p)
        return state_failed(
            f, Failure{p.error().name,
                       state_error_prefix(s.name, fr.entered_event) + p.error().cause, true});
      result = std::move(*p);
    }
  }
  return complete_state(f, std::move(result));
}

bool Execution::run_choice(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  StateContext ctx(*this, fr, &fr.input);
  auto eff = apply_input_path(s.input_path, fr.input, true, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  value input = std::move(*eff);
  ctx.input = &input;
  int next = -1;
  const jsonpath::Template* assign = s.assign ? &*s.assign : nullptr;
  for (const auto& b : s.choices) {
    auto r = b.rule.evaluate(ctx);
    if (!r) return state_failed(f, runtime_failure(fr, r.error().cause));
    if (*r) {
      next = b.next;
      assign = b.assign ? &*b.assign : nullptr;
      break;
    }
  }
  if (next < 0) next = s.default_next;
  if (next >= 0 && assign != nullptr) {
    if (auto bad = apply_assign(f, *assign, input)) return state_failed(f, std::move(*bad));
  }
  if (next < 0) {
    return state_failed(
        f, Failure{"States.NoChoiceMatched",
                   state_error_prefix(s.name, fr.entered_event) + "No Matches!", true});
  }
  fr.input = value();
  value out = std::move(input);
  if (s.output_path.kind == PathField::Kind::kNull) {
    out = object();
  } else if (s.output_path.kind == PathField::Kind::kPath) {
    ctx.input = &out;
    auto sel = s.output_path.path.select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    out = std::move(*sel);
  }
  return transition_out(f, std::move(out), next);
}

bool Execution::run_succeed(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  StateContext ctx(*this, fr, &fr.input);
  auto eff = apply_input_path(s.input_path, fr.input, true, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  fr.input = value();
  value out = std::move(*eff);
  if (s.output_path.kind == PathField::Kind::kNull) {
    out = object();
  } else if (s.output_path.kind == PathField::Kind::kPath) {
    ctx.input = &out;
    auto sel = s.output_path.path.select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    out = std::move(*sel);
  }
  return transition_out(f, std::move(out), -1);
}

bool Execution::run_fail(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  StateContext ctx(*this, fr, &fr.input);
  Failure fl;
  fl.has_cause = false;
  if (s.error) fl.error = *s.error;
  if (s.cause) {
    fl.cause = *s.cause;
    fl.has_cause = true;
  }
  auto eval = [&](const std::optional<jsonpath::Path>& path,
                  const std::optional<jsonpath::Intrinsic>& fn, const char* field,
                  std::string& out) -> std::optional<Failure> {
    value v;
    if (path) {
      auto sel = path->select(ctx);
      if (!sel) {
        return runtime_failure(fr, "The JSONPath '" + path->text() + "' specified for the field '" +
                                       field + "' could not be found in the input '" +
                                       json::dump(fr.input) + "'");
      }
      v = std::move(*sel);
    } else if (fn) {
      auto r = fn->evaluate(ctx, field);
      if (!r)
        return Failure{r.error().name,
                       state_error_prefix(s.name, fr.entered_event) + r.error().cause, true};
      v = std::move(*r);
    } else {
      return std::nullopt;
    }
    out = v.is_string() ? std::string(v.get_string()) : json::dump(v);
    return std::nullopt;
  };
  if (auto bad = eval(s.error_path, s.error_fn, "ErrorPath", fl.error))
    return state_failed(f, *bad);
  std::string cause;
  bool has_cause_path = s.cause_path || s.cause_fn;
  if (auto bad = eval(s.cause_path, s.cause_fn, "CausePath", cause)) return state_failed(f, *bad);
  if (has_cause_path) {
    fl.cause = std::move(cause);
    fl.has_cause = true;
  }
  frame_failed(f, std::move(fl));
  return false;
}

bool Execution::run_wait(int f) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  const State& s = fr.cur();
  StateContext ctx(*this, fr, &fr.input);
  auto eff = apply_input_path(s.input_path, fr.input, false, ctx);
  if (!eff) return state_failed(f, runtime_failure(fr, eff.error().cause));
  fr.effective = std::move(*eff);
  ctx.input = &fr.effective;
  Millis due = now_;
  if (s.seconds) {
    due = now_ + *s.seconds * 1000;
  } else if (s.timestamp) {
    Millis t = 0;
    if (!parse_rfc3339(*s.timestamp, &t)) {
      return state_failed(f, runtime_failure(fr,
                                             "The Timestamp field cannot be parsed as an "
                                             "ISO-8601 extended offset date-time format "
                                             "string: " +
                                                 *s.timestamp));
    }
    due = t;
  } else if (s.seconds_path) {
    auto sel = s.seconds_path->select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    const value& v = *sel;
    std::string where = s.seconds_path->text() + " == " + json::dump(v);
    if (!json::is_number(v) || !json::is_integral_number(v) ||
        (v.is_double() && std::fabs(v.get_double()) > 9e18)) {
      return state_failed(
          f, runtime_failure(
                 fr, "The SecondsPath parameter cannot be parsed as a long value: " + where));
    }
    auto secs = static_cast<std::int64_t>(json::as_double(v));
    if (v.is_int64()) secs = v.get_int64();
    if (secs < 0) {
      return state_failed(
          f,
          runtime_failure(fr, "The SecondsPath parameter references a negative value: " + where));
    }
    if (secs > wait_seconds_max) {
      return state_failed(f, runtime_failure(fr, "Wait state delay is too long."));
    }
    due = now_ + secs * 1000;
  } else if (s.timestamp_path) {
    auto sel = s.timestamp_path->select_or_fail(ctx);
    if (!sel) return state_failed(f, runtime_failure(fr, sel.error().cause));
    Millis t = 0;
    std::string text = sel->is_string() ? std::string(sel->get_string()) : json::dump(*sel);
    if (!sel->is_string() || !parse_rfc3339(text, &t)) {
      return state_failed(f, runtime_failure(fr,
                                             "The TimestampPath parameter does not reference a "
                                             "valid ISO-8601 extended offset date-time "
                                             "format string: " +
                                                 s.timestamp_path->text() + " == " + text));
    }
    due = t;
  }
  return wait_until(f, due);
}

bool Execution::wait_until(int f, Millis due) {
  Frame& fr = *frames_[static_cast<std::size_t>(f)];
  if ((due - now_) / 1000 > wait_seconds_max) {
    return state_failed(f, runtime_failure(fr, "Wait state delay is too long."));
  }
  start_timer(f, OpKind::kWait, std::max(due, now_));
  return false;
}

}  // namespace stepwise::engine
