#include "conformance/check.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <set>

#include "conformance/compare.h"
#include "conformance/normalise.h"

namespace stepwise::conformance {
namespace {

struct Rules {
  std::vector<std::string> soft_paths;
  Tokens extra;
  const json::object& norm;

  explicit Rules(const Case& c)
      : soft_paths(c.strings(c.normalisation(), "localstack_skip_verify_paths")),
        extra(c.strings(c.normalisation(), "dynamic_placeholders")),
        norm(c.normalisation()) {}
};

void fail(CheckReport& r, std::string message) {
  if (!r.failure) r.failure = std::move(message);
}

// Hard check with the soft paths set aside; when that passes, a strict check tells whether the
// soft paths differ (reported, not failed).
void compare_soft(const json::value& expected, const json::value& actual, const Rules& rules,
                  CheckReport& r) {
  json::value e = strip_keys(expected, sdk_metadata_keys());
  json::value a = strip_keys(actual, sdk_metadata_keys());
  json::value eh = e;
  json::value ah = a;
  remove_paths(eh, rules.soft_paths);
  remove_paths(ah, rules.soft_paths);
  if (auto d = first_difference(eh, ah, rules.extra)) {
    fail(r, d->describe());
    return;
  }
  if (auto d = first_difference(e, a, rules.extra)) r.soft.push_back("soft: " + d->describe());
}

json::value text_or_null(const std::optional<std::string>& s) {
  return s ? json::value(json::string(*s)) : json::value(nullptr);
}

// ---------------------------------------------------------------- status, output, error

void check_result(const Case& c, const ActualExecution& actual, const Rules& rules,
                  CheckReport& r) {
  const auto& exp = c.expected();
  std::string want_status = string_of(exp, "status");
  if (actual.status != want_status) {
    std::string msg = "status: expected " + want_status + ", got " + actual.status;
    if (actual.error) msg += " (error " + *actual.error + ": " + actual.cause.value_or("") + ")";
    fail(r, msg.substr(0, 400));
  }
  json::object e;
  json::object a;
  json::value out_text =
      actual.output ? json::value(json::string(json::dump(*actual.output))) : json::value(nullptr);
  if (auto* o = exp.if_contains("output")) {
    e["output"] = *o;
    a["output"] = decode_text(normalise_field(out_text, rules.norm, "output"));
  } else if (auto* t = exp.if_contains("output_text")) {
    e["output"] = *t;
    a["output"] = normalise_field(out_text, rules.norm, "output");
  }
  for (const char* k : {"error", "cause"}) {
    auto* v = exp.if_contains(k);
    if (!v || v->is_null()) continue;
    e[k] = *v;
    a[k] = normalise_field(text_or_null(std::string(k) == "error" ? actual.error : actual.cause),
                           rules.norm, k);
  }
  compare_soft(e, a, rules, r);
}

// ---------------------------------------------------------------- history

std::string type_of(const json::value& event) {
  return event.is_object() ? string_of(event.get_object(), "type") : std::string();
}

bool in_block_type(const json::value& event) {
  std::string t = type_of(event);
  return t.rfind("Map", 0) == 0 || t.rfind("Parallel", 0) == 0;
}

bool block_mode(const Rules& rules, const json::array& expected) {
  if (auto* s = rules.norm.if_contains("parallel_events_sorted");
      s && s->is_bool() && s->get_bool())
    return true;
  return std::any_of(expected.begin(), expected.end(), in_block_type);
}

std::optional<std::string> sequence_difference(const json::array& exp, const json::array& act) {
  for (std::size_t i = 0; i < std::min(exp.size(), act.size()); ++i) {
    if (type_of(exp[i]) != type_of(act[i]))
      return "history event " + std::to_string(i + 1) + " type: expected " + type_of(exp[i]) +
             ", got " + type_of(act[i]);
  }
  if (exp.size() != act.size()) {
    std::string extra = exp.size() > act.size() ? "missing " + type_of(exp[act.size()])
                                                : "extra " + type_of(act[exp.size()]);
    return "history: expected " + std::to_string(exp.size()) + " events, got " +
           std::to_string(act.size()) + " (first " + extra + ")";
  }
  return std::nullopt;
}

std::optional<std::string> multiset_difference(const json::array& exp, const json::array& act) {
  std::map<std::string, long> count;
  for (const auto& e : exp) ++count[type_of(e)];
  for (const auto& a : act) --count[type_of(a)];
  std::string msg;
  int shown = 0;
  for (const auto& [type, n] : count) {
    if (n == 0) continue;
    if (shown++ == 3) {
      msg += "; ...";
      break;
    }
    if (!msg.empty()) msg += "; ";
    msg += type + (n > 0 ? " missing x" + std::to_string(n) : " extra x" + std::to_string(-n));
  }
  if (msg.empty()) return std::nullopt;
  return "history event types (as a multiset) differ: " + msg;
}

json::value without_ids(const json::value& event) {
  if (!event.is_object()) return event;
  json::object o = event.get_object();
  o.erase("id");
  o.erase("previousEventId");
  return o;
}

// Map and Parallel blocks: AWS orders their events non-deterministically, so every expected
// event must match a distinct actual event of the same type (ids set aside).
void match_as_multiset(const json::array& exp, const json::array& act, const Rules& rules,
                       CheckReport& r) {
  std::vector<bool> used(act.size(), false);
  for (std::size_t i = 0; i < exp.size(); ++i) {
    json::value e = without_ids(exp[i]);
    std::optional<Difference> nearest;
    bool found = false;
    for (std::size_t j = 0; j < act.size() && !found; ++j) {
      if (used[j] || type_of(act[j]) != type_of(exp[i])) continue;
      auto d = first_difference(e, without_ids(act[j]), rules.extra);
      if (!d) {
        used[j] = found = true;
      } else if (!nearest) {
        nearest = d;
      }
    }
    if (found) continue;
    std::string msg = "history event " + std::to_string(i + 1) + " (" + type_of(exp[i]) +
                      ", Map/Parallel events compared as a multiset) has no match";
    if (nearest) msg += "; nearest: " + nearest->describe();
    fail(r, msg);
    return;
  }
}

// The events before the first Map/Parallel event and after the last one are written in a fixed
// order: they are compared in place, ids included. (Same event count is checked before.)
void compare_outside_blocks(const json::array& exp, const json::array& act, const Rules& rules,
                            CheckReport& r) {
  std::size_t first = 0;
  while (first < exp.size() && !in_block_type(exp[first])) ++first;
  std::size_t last = exp.size();
  while (last > first && !in_block_type(exp[last - 1])) --last;
  if (first == exp.size() || exp.size() != act.size()) return;
  for (std::size_t i = 0; i < exp.size(); ++i) {
    if (i == first + 1 && last > first + 1) i = last - 1;  // skip the inside of the blocks
    std::string path = "history events[" + std::to_string(i) + "]";
    if (auto d = first_difference(exp[i], act[i], rules.extra, path)) {
      fail(r, d->describe());
      return;
    }
  }
}

json::array events_of(const json::value& envelope) {
  if (envelope.is_object()) {
    if (auto* e = envelope.get_object().if_contains("events"); e && e->is_array())
      return e->get_array();
  }
  return {};
}

// Recordings made with LocalStack's `parallel_events_sorted` transformer lost some events that
// AWS wrote (ParallelStateSucceeded, an inner ParallelStateExited): the recorded ids skip
// exactly that many numbers. So for those recordings, and only as many as the ids show missing,
// surplus Parallel* events of ours are set aside before comparing. Nothing else is forgiven.
void drop_events_lost_by_recording(const Rules& rules, const json::array& exp, json::array& act) {
  auto* sorted = rules.norm.if_contains("parallel_events_sorted");
  if (!sorted || !sorted->is_bool() || !sorted->get_bool()) return;
  std::int64_t max_id = 0;
  std::set<std::int64_t> recorded_ids;  // an event the recording kept (by id) is never set aside
  for (const auto& e : exp) {
    if (!e.is_object()) continue;
    if (auto* id = e.get_object().if_contains("id"); id && id->is_int64()) {
      max_id = std::max(max_id, id->get_int64());
      recorded_ids.insert(id->get_int64());
    }
  }
  std::int64_t lost = max_id - static_cast<std::int64_t>(exp.size());
  if (lost <= 0) return;
  std::map<std::string, long> surplus;
  for (const auto& a : act) ++surplus[type_of(a)];
  for (const auto& e : exp) --surplus[type_of(e)];
  for (std::size_t i = act.size(); i-- > 0 && lost > 0;) {
    std::string t = type_of(act[i]);
    if (t.rfind("Parallel", 0) != 0 || surplus[t] <= 0) continue;
    if (auto* id = act[i].get_object().if_contains("id");
        id && id->is_int64() && recorded_ids.count(id->get_int64()))
      continue;
    --surplus[t];
    --lost;
    act.erase(act.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

// "DD-MM-YYYY, HH:MM:SS" (the recordings' source.recorded_date) as YYYYMMDD; 0 when absent.
int recorded_day(const Case& c) {
  const json::object& source = object_of(c.doc, "source");
  std::string d = string_of(source, "recorded_date");
  if (d.size() < 10 || d[2] != '-' || d[5] != '-') return 0;
  std::string ymd = d.substr(6, 4) + d.substr(3, 2) + d.substr(0, 2);
  if (ymd.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoi(ymd);
}

// AWS changed one link of Distributed Map histories between its recordings of August and
// November 2024: MapStateExited's previousEventId now names the Map Run's start (the event before
// MapRunSucceeded) where it named MapRunSucceeded itself. Stepwise writes today's link; an older
// recording is read as of today by moving that one link, and nothing else is forgiven.
constexpr int map_exit_link_changed_by = 20241101;

json::array as_of_today(const Case& c, const json::array& recorded) {
  int day = recorded_day(c);
  if (day == 0 || day >= map_exit_link_changed_by) return recorded;
  std::map<std::int64_t, const json::object*> by_id;
  for (const auto& e : recorded) {
    if (!e.is_object()) continue;
    if (auto* id = e.get_object().if_contains("id"); id && id->is_int64())
      by_id[id->get_int64()] = &e.get_object();
  }
  json::array out = recorded;
  for (auto& e : out) {
    if (!e.is_object() || type_of(e) != "MapStateExited") continue;
    auto* prev = e.get_object().if_contains("previousEventId");
    if (!prev || !prev->is_int64()) continue;
    auto it = by_id.find(prev->get_int64());
    if (it == by_id.end()) continue;
    const json::object& run = *it->second;
    auto* type = run.if_contains("type");
    auto* run_prev = run.if_contains("previousEventId");
    if (type && type->is_string() && type->get_string() == "MapRunSucceeded" && run_prev)
      e.get_object()["previousEventId"] = *run_prev;
  }
  return out;
}

void check_history(const Case& c, const ActualExecution& actual, const Rules& rules,
                   CheckReport& r) {
  auto* recorded = c.expected().if_contains("history_events");
  if (!recorded || !recorded->is_array()) return;
  const json::value today = as_of_today(c, recorded->get_array());
  const json::value* want = &today;
  json::array raw;
  for (const auto& ev : actual.events) {
    if (!ev.is_object()) continue;
    json::object o = ev.get_object();
    o.erase("timestamp");  // the recordings keep none
    raw.push_back(std::move(o));
  }
  json::value got_env = normalise_envelope(json::object{{"events", raw}}, rules.norm);
  json::value want_env = json::object{{"events", *want}};
  bool blocks = block_mode(rules, want->get_array());
  json::value want_hard = want_env;
  json::value got_hard = got_env;
  remove_paths(want_hard, rules.soft_paths);
  remove_paths(got_hard, rules.soft_paths);
  json::array exp = events_of(want_hard);
  json::array act = events_of(got_hard);
  drop_events_lost_by_recording(rules, exp, act);
  auto types = blocks ? multiset_difference(exp, act) : sequence_difference(exp, act);
  if (types) {
    fail(r, *types);
    return;
  }
  if (exp.size() > history_detail_events_max) return;
  if (blocks) {
    compare_outside_blocks(exp, act, rules, r);
    match_as_multiset(exp, act, rules, r);
    return;
  }
  CheckReport local;
  compare_soft(want_env, got_env, rules, local);
  if (local.failure) fail(r, "history " + *local.failure);
  for (auto& s : local.soft) r.soft.push_back(std::move(s));
}

// ---------------------------------------------------------------- API responses

json::value without_response_metadata(const json::value& v) {
  if (!v.is_object()) return v;
  json::object o = v.get_object();
  o.erase("ResponseMetadata");
  return o;
}

json::object sync_response(const ActualExecution& actual) {
  json::object o;
  // Billed like AWS: whole 100 ms units, at least one, and the smallest memory tier.
  Millis ms = std::max<Millis>(actual.stop_ms - actual.start_ms, 1);
  o["billingDetails"] = json::object{{"billedDurationInMilliseconds", (ms + 99) / 100 * 100},
                                     {"billedMemoryUsedInMB", 64}};
  o["executionArn"] = actual.execution_arn;
  o["input"] = actual.input_text;
  o["inputDetails"] = json::object{{"included", true}};
  o["name"] = actual.execution_name;
  if (actual.output) o["output"] = json::dump(*actual.output);
  // AWS sends outputDetails even when the execution failed and there is no output.
  o["outputDetails"] = json::object{{"included", true}};
  if (actual.error) o["error"] = *actual.error;
  if (actual.cause) o["cause"] = *actual.cause;
  o["startDate"] = static_cast<double>(actual.start_ms) / 1000.0;
  o["stateMachineArn"] = actual.state_machine_arn;
  o["status"] = actual.status;
  o["stopDate"] = static_cast<double>(actual.stop_ms) / 1000.0;
  return o;
}

// Some recordings kept boto's exception text, "An error occurred (Code) when calling the
// Operation operation: <message>"; the API's own message is what follows.
std::string without_client_prefix(const std::string& message) {
  static const RE2 prefix(
      "^An error occurred \\([A-Za-z.]+\\) when calling the [A-Za-z]+ operation: ");
  std::string out = message;
  RE2::Replace(&out, prefix, "");
  return out;
}

}  // namespace

CheckReport check_execution(const Case& c, const ActualExecution& actual) {
  Rules rules(c);
  CheckReport r;
  check_result(c, actual, rules, r);
  check_history(c, actual, rules, r);
  return r;
}

CheckReport check_sync_execution(const Case& c, const ActualExecution& actual) {
  Rules rules(c);
  CheckReport r;
  check_result(c, actual, rules, r);
  auto* want = c.expected().if_contains("start_sync_execution_response");
  if (!want) return r;
  json::value got = normalise_envelope(sync_response(actual), rules.norm);
  compare_soft(without_response_metadata(*want), got, rules, r);
  return r;
}

CheckReport check_validation(const Case& c, const json::value& response) {
  return check_api_response(c, response);
}

CheckReport check_api_response(const Case& c, const json::value& response) {
  Rules rules(c);
  CheckReport r;
  const json::value* want = c.expected().if_contains("response");
  if (!want) {
    fail(r, "case has no expected response");
    return r;
  }
  compare_soft(without_response_metadata(*want), normalise_envelope(response, rules.norm), rules,
               r);
  return r;
}

CheckReport check_create_error(const Case& c, const std::optional<std::string>& error_code,
                               const std::optional<std::string>& message) {
  CheckReport r;
  const auto& exp = c.expected();
  std::string want_code = string_of(exp, "error_code");
  std::string want_message = without_client_prefix(string_of(exp, "error_message"));
  if (!message) {
    fail(r, "definition accepted; expected " + want_code + ": " + want_message);
    return r;
  }
  if (error_code && *error_code != want_code) {
    fail(r, "error code: expected " + want_code + ", got " + *error_code);
    return r;
  }
  Rules rules(c);
  json::value e = json::object{{"error_message", json::string(want_message)}};
  json::value a = json::object{{"error_message", json::string(*message)}};
  compare_soft(e, normalise_envelope(a, rules.norm), rules, r);
  return r;
}

CheckReport check_api_error(const Case& c, const std::optional<std::string>& error_code,
                            const std::optional<std::string>& message) {
  const auto& exp = c.expected();
  std::string want_code = string_of(exp, "error_code");
  std::string want_message = without_client_prefix(string_of(exp, "error_message"));
  if (!error_code) {
    CheckReport r;
    fail(r, "call succeeded; expected " + want_code + ": " + want_message);
    return r;
  }
  return check_create_error(c, error_code, message);
}

}  // namespace stepwise::conformance
