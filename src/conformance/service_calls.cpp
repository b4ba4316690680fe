#include "conformance/service_calls.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/limits.h"
#include "conformance/api_cases.h"
#include "conformance/compare.h"
#include "conformance/normalise.h"
#include "conformance/patterns.h"
#include "json/clamp.h"

namespace stepwise::conformance {
namespace {

constexpr const char* kAwsServices[] = {"s3", "sqs", "sns", "dynamodb", "events", "secretsmanager"};

// "setup_calls[3]" → ("setup_calls", 3).
std::optional<std::pair<std::string, std::size_t>> list_ref(std::string_view ref) {
  auto open = ref.find('[');
  if (open == std::string_view::npos || !ref.ends_with("]")) return std::nullopt;
  std::size_t n = 0;
  for (char c : ref.substr(open + 1, ref.size() - open - 2)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return std::pair{std::string(ref.substr(0, open)), n};
}

const json::array* c_array(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

bool receive_without_messages(const std::string& op, const json::value& answer) {
  if (op != "receive_message") return false;
  const auto* o = answer.if_object();
  const json::value* m = o ? o->if_contains("Messages") : nullptr;
  return m == nullptr || !m->is_array() || m->get_array().empty();
}

void collect_strings(const json::value& traced, const json::value& ours,
                     std::vector<std::pair<std::string, std::string>>& out) {
  if (traced.is_string() && ours.is_string()) {
    if (traced.get_string() != ours.get_string() && !traced.get_string().empty())
      out.emplace_back(std::string(traced.get_string()), std::string(ours.get_string()));
    return;
  }
  if (traced.is_object() && ours.is_object())
    for (const auto& kv : traced.get_object())
      if (const auto* o = ours.get_object().if_contains(kv.key()))
        collect_strings(kv.value(), *o, out);
}

}  // namespace

std::string missing_service(const Case& c, const std::vector<std::string>& built_in) {
  for (const auto& r : c.requires_list()) {
    if (std::find(std::begin(kAwsServices), std::end(kAwsServices), r) == std::end(kAwsServices))
      continue;
    if (std::find(built_in.begin(), built_in.end(), r) == built_in.end()) return r;
  }
  return "";
}

bool has_service_calls(const Case& c) {
  for (const char* k : {"setup_calls", "background_workers", "post_calls"}) {
    auto* v = c.doc.if_contains(k);
    if (v && v->is_array() && !v->get_array().empty()) return true;
  }
  return false;
}

Result<json::value> value_at(const json::value& root, const json::array& path) {
  json::value cur = root;
  for (const auto& step : path) {
    if (step.is_string() && step.get_string() == "$json") {
      if (!cur.is_string()) return Error{"Replay", "$json on a non-string"};
      auto parsed = json::parse(std::string_view(cur.get_string()));
      if (!parsed.ok()) return Error{"Replay", "$json: " + parsed.error().cause};
      cur = std::move(parsed).value();
    } else if (step.is_string() && step.get_string() == "$length") {
      if (cur.is_array()) {
        cur = static_cast<std::int64_t>(cur.get_array().size());
      } else if (cur.is_object()) {
        cur = static_cast<std::int64_t>(cur.get_object().size());
      } else {
        return Error{"Replay", "$length of a scalar"};
      }
    } else if (step.is_string()) {
      const auto* o = cur.if_object();
      const json::value* next = o ? o->if_contains(step.get_string()) : nullptr;
      if (next == nullptr) return Error{"Replay", "no member " + std::string(step.get_string())};
      cur = *next;
    } else if (json::is_number(step)) {
      const auto* a = cur.if_array();
      const std::int64_t i = json::as_int64_clamped(step);
      if (a == nullptr || i < 0 || static_cast<std::uint64_t>(i) >= a->size())
        return Error{"Replay", "no item " + json::dump(step)};
      cur = (*a)[static_cast<std::size_t>(i)];
    }
  }
  return cur;
}

Result<json::value> resolve_refs(const json::value& v,
                                 const std::map<std::string, std::vector<json::value>>& lists,
                                 const json::value& input, const json::value* output) {
  if (const auto* a = v.if_array()) {
    json::array out;
    for (const auto& item : *a) {
      auto r = resolve_refs(item, lists, input, output);
      if (!r.ok()) return r;
      out.push_back(std::move(r).value());
    }
    return json::value(std::move(out));
  }
  const auto* o = v.if_object();
  if (o == nullptr) return v;
  const json::value* path = o->if_contains("path");
  if (const auto* from = o->if_contains("$from"); from && from->is_string()) {
    auto ref = list_ref(std::string_view(from->get_string()));
    if (!ref || !path || !path->is_array()) return Error{"Replay", "bad $from reference"};
    auto list = lists.find(ref->first);
    if (list == lists.end() || ref->second >= list->second.size())
      return Error{"Replay", "no answer for " + std::string(from->get_string())};
    return value_at(list->second[ref->second], path->get_array());
  }
  if (const auto* in = o->if_contains("$input"); in && in->is_array())
    return value_at(input, in->get_array());
  if (const auto* out = o->if_contains("$from_output"); out && out->is_array()) {
    if (output == nullptr) return Error{"Replay", "$from_output without an output"};
    return value_at(*output, out->get_array());
  }
  json::object copy;
  for (const auto& kv : *o) {
    auto r = resolve_refs(kv.value(), lists, input, output);
    if (!r.ok()) return r;
    copy[kv.key()] = std::move(r).value();
  }
  return json::value(std::move(copy));
}

CaseReplay::~CaseReplay() {
  stopping_ = true;
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

std::string CaseReplay::substitute(std::string text) const {
  for (const auto& [from, to] : substitutions_) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
      text.replace(pos, from.size(), to);
      pos += to.size();
    }
  }
  return text;
}

json::value CaseReplay::substitute(const json::value& v) const {
  if (substitutions_.empty()) return v;
  auto parsed = json::parse(substitute(json::dump(v)));
  return parsed.ok() ? std::move(parsed).value() : v;
}

Result<json::value> CaseReplay::call(const json::object& recorded, const json::value& params) {
  const std::string service = string_of(recorded, "service");
  const std::string op = operation_name(string_of(recorded, "operation"));
  api::Dispatcher* target =
      service == "stepfunctions" ? static_cast<api::Dispatcher*>(&svc_) : svc_.builtin(service);
  if (target == nullptr) return Error{"NoService", service + " is not built in"};
  json::value sent = substitute(params);
  // boto3 (since 1.36) asks S3 for the stored checksum on every read it can validate, so the
  // recorded get_object answers carry ChecksumCRC32; ask as it did.
  if (service == "s3" && (op == "GetObject" || op == "HeadObject") && sent.is_object() &&
      !sent.get_object().contains("ChecksumMode"))
    sent.get_object()["ChecksumMode"] = "ENABLED";
  auto r = call_operation(*target, op, std::move(sent));
  if (!r.ok()) return r.error();
  if (r->is_error()) return Error{r->error().type, service + "." + op + ": " + r->error().message};
  return r->body();
}

Status CaseReplay::setup(std::string& input_text) {
  const auto* calls = c_array(case_.doc, "setup_calls");
  auto& answers = answers_["setup_calls"];
  json::value input = json::parse(input_text).ok() ? *json::parse(input_text) : json::value();
  for (const auto& v : calls ? *calls : json::array{}) {
    if (answers.size() >= replay_calls_max) return Error{"Replay", "too many setup calls"};
    if (!v.is_object()) return Error{"Replay", "a setup call is not an object"};
    const auto& recorded = v.get_object();
    const json::value* p = recorded.if_contains("params");
    auto params = resolve_refs(p ? *p : json::value(json::object()), answers_, input, nullptr);
    if (!params.ok()) return params.error();
    auto answer = call(recorded, *params);
    if (!answer.ok()) return Error{"SetupFailed", answer.error().cause};
    if (const auto* traced = recorded.if_contains("traced_response"))
      collect_strings(*traced, *answer, substitutions_);
    if (string_of(recorded, "service") == "stepfunctions" &&
        string_of(recorded, "operation") == "start_execution" && answer->is_object())
      helper_executions_.push_back(string_of(answer->get_object(), "executionArn"));
    answers.push_back(std::move(answer).value());
  }
  input_text = substitute(input_text);
  return ok_status();
}

void CaseReplay::start_workers(const json::value& input) {
  const auto* workers = c_array(case_.doc, "background_workers");
  if (workers == nullptr) return;
  for (std::size_t i = 0; i < workers->size(); ++i) {
    const auto& w = (*workers)[i];
    if (!w.is_object()) continue;
    svc_.hold_clock();
    workers_.emplace_back([this, i, worker = w.get_object(), input] {
      run_worker(i, worker, input);
      svc_.unhold_clock();
    });
  }
}

void CaseReplay::run_worker(std::size_t index, const json::object& worker, json::value input) {
  std::map<std::string, std::vector<json::value>> lists = answers_;
  auto& steps = lists["steps"];
  auto fail = [&](std::string why) {
    base::MutexLock lock(mu_);
    if (worker_error_.empty()) worker_error_ = std::move(why);
  };
  const auto* recorded_steps = worker.if_contains("steps");
  if (recorded_steps == nullptr || !recorded_steps->is_array()) return;
  for (const auto& s : recorded_steps->get_array()) {
    if (!s.is_object()) continue;
    const auto& step = s.get_object();
    const json::value* p = step.if_contains("params");
    auto params = resolve_refs(p ? *p : json::value(json::object()), lists, input, nullptr);
    if (!params.ok()) return fail("worker: " + params.error().cause);
    const bool retry = step.contains("retry");
    std::int64_t repeat = 1;
    if (auto* r = step.if_contains("repeat"); r && json::is_number(*r))
      repeat = std::clamp<std::int64_t>(json::as_int64_clamped(*r), 1, replay_repeat_max);
    const std::string op = string_of(step, "operation");
    Result<json::value> answer = Error{"Replay", "not called"};
    const Millis deadline = monotonic_ms() + worker_retry_seconds_max * 1000;
    for (std::int64_t i = 0; i < repeat; ++i) {
      while (true) {
        answer = call(step, *params);
        const bool done = answer.ok() && !receive_without_messages(op, *answer);
        if (done || !retry || stopping_ || monotonic_ms() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(worker_retry_interval_ms));
      }
    }
    if (!answer.ok()) return fail("worker " + op + ": " + answer.error().cause);
    if (retry && receive_without_messages(op, *answer))
      return fail("worker " + op + ": no message arrived");
    steps.push_back(std::move(answer).value());
  }
  base::MutexLock lock(mu_);
  worker_answers_[index] = steps;
}

namespace {

// "... until 2 message(s) were received in all ...": 2; 0 when the semantics say no such count.
std::size_t messages_wanted(const std::string& semantics) {
  std::size_t n = 0;
  if (!RE2::PartialMatch(semantics, R"(until (\d+) message\(s\) were received in all)", &n))
    return 0;
  return std::min<std::size_t>(n, replay_calls_max);
}

}  // namespace

Result<json::value> CaseReplay::post_answer(const json::object& recorded,
                                            const json::value& params) {
  const std::size_t wanted = string_of(recorded, "operation") == "receive_message"
                                 ? messages_wanted(string_of(recorded, "semantics"))
                                 : 0;
  if (wanted == 0) return call(recorded, params);
  json::array messages;
  // The test polled for up to a minute of its time, and that time passes for the services as
  // it did on AWS (a message received and not deleted is received again once its visibility
  // timeout ends): each empty receive moves the case's clock a poll's length ahead, within the
  // same minute. The real-time deadline only bounds a service that never answers with one.
  const Millis deadline = monotonic_ms() + worker_retry_seconds_max * 1000;
  Millis polled_ms = 0;
  while (messages.size() < wanted && monotonic_ms() <= deadline) {
    auto answer = call(recorded, params);
    if (!answer.ok()) return answer;
    if (const auto* got = answer->is_object() ? c_array(answer->get_object(), "Messages") : nullptr;
        got && !got->empty()) {
      for (const auto& m : *got) messages.push_back(m);
      continue;
    }
    if (polled_ms < worker_retry_seconds_max * 1000) {
      svc_.advance_clock(post_poll_ms);
      polled_ms += post_poll_ms;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(worker_retry_interval_ms));
  }
  return json::value(json::object{{"Messages", std::move(messages)}});
}

Result<json::value> CaseReplay::performed_answer(const std::string& performed_by) {
  // "background_workers[W].steps[S]"
  std::size_t w = 0, st = 0;
  if (std::sscanf(performed_by.c_str(), "background_workers[%zu].steps[%zu]", &w, &st) != 2)
    return Error{"Replay", "unreadable performed_by " + performed_by};
  base::MutexLock lock(mu_);
  auto it = worker_answers_.find(w);
  if (it == worker_answers_.end() || st >= it->second.size())
    return Error{"Replay", performed_by + " has no answer"};
  return it->second[st];
}

namespace {

// Sets `v` at `path` (keys only) inside `root`, making the objects on the way; an empty path
// replaces the root.
Status set_at(json::value& root, const json::array& path, json::value v) {
  json::value* cur = &root;
  for (const auto& step : path) {
    if (!step.is_string()) return Error{"Replay", "snapshot_path holds a non-key"};
    if (!cur->is_object()) *cur = json::object();
    cur = &cur->get_object()[step.get_string()];
  }
  *cur = std::move(v);
  return ok_status();
}

// One part of a snapshot. {"each_list_item": [..., "*", ...]} takes the rest of the path from
// every element of the list the part before "*" reaches; {"snapshot_path", "response_path"}
// puts the value at response_path of the answer at snapshot_path of the snapshot.
Status snapshot_part(const json::value& answer, const json::value& spec, json::value& out) {
  if (!spec.is_object()) return Error{"Replay", "unreadable snapshot_value_from"};
  const auto& o = spec.get_object();
  const auto* to = o.if_contains("snapshot_path");
  const auto* from = o.if_contains("response_path");
  if (to && from && to->is_array() && from->is_array()) {
    auto v = value_at(answer, from->get_array());
    if (!v.ok()) return v.error();
    return set_at(out, to->get_array(), std::move(v).value());
  }
  const auto* each = o.if_contains("each_list_item");
  if (each == nullptr || !each->is_array()) return Error{"Replay", "unsupported snapshot spec"};
  json::array before, after;
  bool star = false;
  for (const auto& step : each->get_array()) {
    if (step.is_string() && step.get_string() == "*") {
      star = true;
    } else {
      (star ? after : before).push_back(step);
    }
  }
  auto list = value_at(answer, before);
  json::array items;
  if (list.ok()) {  // no messages: an empty list
    if (!list->is_array()) return Error{"Replay", "snapshot path does not reach a list"};
    for (const auto& item : list->get_array()) {
      auto v = value_at(item, after);
      if (!v.ok()) return v.error();
      items.push_back(std::move(v).value());
    }
  }
  out = json::value(std::move(items));
  return ok_status();
}

// boto3 hands timestamp members back as datetime objects, which a LocalStack snapshot records
// as "datetime" (a wildcard for any non-text value, compare.loose_equal); our answers carry
// them as ISO-8601 text. Each whole-text timestamp becomes {"$datetime": text}, as boto3's
// value would compare.
void as_boto3_values(json::value& v, std::size_t depth = 0) {
  if (depth > limits::json_depth_max) return;
  if (auto* o = v.if_object()) {
    for (auto& kv : *o) as_boto3_values(kv.value(), depth + 1);
  } else if (auto* a = v.if_array()) {
    for (auto& x : *a) as_boto3_values(x, depth + 1);
  } else if (v.is_string() &&
             RE2::FullMatch(std::string_view(v.get_string()), patterns().iso8601)) {
    v = json::object{{"$datetime", v.get_string()}};
  }
}

// Sorts received events by their "detail" as text, as a test sorting by
// json.dumps(event['detail']) did (our text is compact where Python's has spaces after ',' and
// ':', which orders the details the recordings hold alike).
void sort_by_detail(json::array& events) {
  auto key = [](const json::value& e) {
    const auto* o = e.if_object();
    const json::value* d = o ? o->if_contains("detail") : nullptr;
    return d ? json::dump(*d) : std::string();
  };
  std::stable_sort(events.begin(), events.end(),
                   [&](const json::value& a, const json::value& b) { return key(a) < key(b); });
}

// The value a snapshot holds, built from every part `snapshot_value_from` lists.
Result<json::value> snapshot_value(const json::value& answer, const json::array& specs) {
  json::value out;
  for (const auto& spec : specs)
    if (auto s = snapshot_part(answer, spec, out); !s.ok()) return s.error();
  as_boto3_values(out);
  return out;
}

}  // namespace

Status CaseReplay::join_workers() {
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  base::MutexLock lock(mu_);
  if (!worker_error_.empty()) return Error{"WorkerFailed", worker_error_};
  return ok_status();
}

Status CaseReplay::finish(const json::value& input, const json::value* output,
                          std::vector<std::string>& soft) {
  for (const auto& arn : helper_executions_)
    (void)call_operation(svc_, "StopExecution", json::object{{"executionArn", arn}});
  const auto* calls = c_array(case_.doc, "post_calls");
  if (calls == nullptr) return ok_status();
  for (const auto& v : *calls) {
    if (!v.is_object()) continue;
    const auto& recorded = v.get_object();
    const json::value* p = recorded.if_contains("params");
    auto params = resolve_refs(p ? *p : json::value(json::object()), answers_, input, output);
    if (!params.ok()) return params.error();
    const std::string performed_by = string_of(recorded, "performed_by");
    auto answer =
        performed_by.empty() ? post_answer(recorded, *params) : performed_answer(performed_by);
    if (!answer.ok()) return Error{"PostCallFailed", answer.error().cause};
    const auto* asserts = recorded.if_contains("asserts");
    const auto* snapshot = recorded.if_contains("recorded");
    const auto* from = recorded.if_contains("snapshot_value_from");
    if ((asserts == nullptr || !asserts->is_array()) && snapshot && from && from->is_array() &&
        !from->get_array().empty()) {
      auto actual = snapshot_value(*answer, from->get_array());
      if (!actual.ok()) return Error{"PostCallFailed", actual.error().cause};
      // The test sorted what it received (EventBridge delivers in no set order).
      if (string_of(recorded, "semantics").find("sorted by json.dumps(event['detail'])") !=
              std::string::npos &&
          actual->is_array())
        sort_by_detail(actual->get_array());
      const json::object empty;
      const auto* n = case_.doc.if_contains("normalisation");
      const json::object& norm = n && n->is_object() ? n->get_object() : empty;
      // As for executions: ResponseMetadata is never compared (README), the case's
      // localstack_skip_verify_paths only softly.
      const std::vector<std::string> metadata{"ResponseMetadata"};
      json::value want = strip_keys(*snapshot, metadata);
      json::value got = strip_keys(normalise_envelope(*actual, norm), metadata);
      const auto soft_paths = case_.strings(norm, "localstack_skip_verify_paths");
      json::value want_hard = want;
      json::value got_hard = got;
      remove_paths(want_hard, soft_paths);
      remove_paths(got_hard, soft_paths);
      const std::string what = "post call " + string_of(recorded, "operation") + " (" +
                               string_of(recorded, "snapshot_key") + "): ";
      if (auto d = first_difference(want_hard, got_hard))
        return Error{"PostCallSnapshot", what + d->describe()};
      if (auto d = first_difference(want, got)) soft.push_back("soft: " + what + d->describe());
      continue;
    }
    if (asserts == nullptr || !asserts->is_array()) {
      soft.push_back("post call " + string_of(recorded, "operation") +
                     ": snapshot comparison not run");
      continue;
    }
    for (const auto& a : asserts->get_array()) {
      if (!a.is_object()) continue;
      const auto* path = a.get_object().if_contains("path");
      const auto* equals = a.get_object().if_contains("equals");
      if (!path || !path->is_array() || !equals) continue;
      auto got = value_at(*answer, path->get_array());
      if (!got.ok() || !json::equal(*got, *equals))
        return Error{"PostCallAssert", "post call " + string_of(recorded, "operation") + " " +
                                           json::dump(*path) + ": expected " + json::dump(*equals) +
                                           ", got " +
                                           (got.ok() ? json::dump(*got) : got.error().cause)};
    }
  }
  return ok_status();
}

}  // namespace stepwise::conformance
