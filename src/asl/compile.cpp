// asl::compile: definition JSON -> StateMachine. See compile.h.
#include "asl/compile.h"

#include <cctype>
#include <string>
#include <unordered_map>

#include "asl/compile_internal.h"
#include "asl/validate.h"
#include "base/limits.h"
#include "integrations/resource.h"
#include "json/clamp.h"

namespace stepwise::asl {
namespace {

using json::object;
using json::value;

Error invalid(std::string message) {
  return Error{"InvalidDefinition",
               "Invalid State Machine Definition: '" + std::move(message) + "'"};
}

const value* field(const object& o, std::string_view key) { return o.if_contains(key); }

std::optional<std::string> string_field(const object& o, std::string_view key) {
  const value* v = field(o, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::int64_t> int_field(const object& o, std::string_view key) {
  const value* v = field(o, key);
  if (v == nullptr || !json::is_number(*v) || !json::is_integral_number(*v)) return std::nullopt;
  return json::as_int64_clamped(*v);
}

std::optional<double> number_field(const object& o, std::string_view key) {
  const value* v = field(o, key);
  if (v == nullptr || !json::is_number(*v)) return std::nullopt;
  return json::as_double(*v);
}

// "{% expr %}" (the validator's rule: at least the two delimiters) -> the expression text.
std::optional<std::string_view> jsonata_text(const value& v) {
  if (!v.is_string()) return std::nullopt;
  std::string_view t = v.get_string();
  if (t.size() < 4 || t.substr(0, 2) != "{%" || t.substr(t.size() - 2) != "%}") return std::nullopt;
  t = t.substr(2, t.size() - 4);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

bool has_jsonata(const value& v, std::size_t depth) {
  if (depth > limits::json_depth_max) return true;  // let the builder report the depth
  if (v.is_string()) return jsonata_text(v).has_value();
  if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (has_jsonata(e, depth + 1)) return true;
    }
  }
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (has_jsonata(kv.value(), depth + 1)) return true;
    }
  }
  return false;
}

Result<JsonataTemplate> jsonata_template(const value& v, std::size_t depth) {
  if (depth > limits::json_depth_max) return invalid("a JSONata template is nested too deeply");
  JsonataTemplate t;
  if (!has_jsonata(v, depth)) {
    t.literal = v;
    return t;
  }
  if (auto text = jsonata_text(v)) {
    auto e = jsonata::Expression::compile(*text);
    if (!e) {
      return invalid("INVALID_JSONATA_EXPRESSION: " + e.error().name + ": " + e.error().cause);
    }
    t.kind = JsonataTemplate::Kind::kExpression;
    t.text = std::string(*text);
    t.expression = std::make_shared<const jsonata::Expression>(std::move(*e));
    return t;
  }
  if (v.is_array()) {
    t.kind = JsonataTemplate::Kind::kArray;
    for (const auto& e : v.get_array()) {
      auto c = jsonata_template(e, depth + 1);
      if (!c) return c.error();
      t.children.push_back(std::move(*c));
    }
    return t;
  }
  t.kind = JsonataTemplate::Kind::kObject;
  for (const auto& kv : v.get_object()) {
    auto c = jsonata_template(kv.value(), depth + 1);
    if (!c) return c.error();
    t.keys.emplace_back(kv.key());
    t.children.push_back(std::move(*c));
  }
  return t;
}

Status opt_jsonata(const object& o, std::string_view key, std::optional<JsonataTemplate>& out) {
  const value* v = o.if_contains(key);
  if (v == nullptr) return ok_status();
  auto t = jsonata_template(*v, 0);
  if (!t) return t.error();
  out = std::move(*t);
  return ok_status();
}

// Every field of a JSONata state that may hold an expression.
Status jsonata_fields(const object& o, State& s) {
  auto f = std::make_shared<JsonataFields>();
  const bool map = s.type == StateType::kMap;
  const bool task = s.type == StateType::kTask;
  for (auto st : {opt_jsonata(o, "Arguments", f->arguments), opt_jsonata(o, "Output", f->output),
                  opt_jsonata(o, "Assign", f->assign)}) {
    if (!st) return st;
  }
  if (map) {
    for (auto st :
         {opt_jsonata(o, "Items", f->items), opt_jsonata(o, "ItemSelector", f->item_selector),
          opt_jsonata(o, "MaxConcurrency", f->max_concurrency),
          opt_jsonata(o, "ToleratedFailureCount", f->tolerated_failure_count),
          opt_jsonata(o, "ToleratedFailurePercentage", f->tolerated_failure_percentage)}) {
      if (!st) return st;
    }
  }
  if (task) {
    for (auto st : {opt_jsonata(o, "TimeoutSeconds", f->timeout_seconds),
                    opt_jsonata(o, "HeartbeatSeconds", f->heartbeat_seconds),
                    opt_jsonata(o, "Credentials", f->credentials)}) {
      if (!st) return st;
    }
  }
  if (s.type == StateType::kWait) {
    for (auto st :
         {opt_jsonata(o, "Seconds", f->seconds), opt_jsonata(o, "Timestamp", f->timestamp)}) {
      if (!st) return st;
    }
  }
  if (s.type == StateType::kFail) {
    for (auto st : {opt_jsonata(o, "Error", f->error), opt_jsonata(o, "Cause", f->cause)}) {
      if (!st) return st;
    }
  }
  s.jsonata = std::move(f);
  return ok_status();
}

class Compiler {
 public:
  Compiler(QueryLanguage top) : top_language_(top) {}

  Result<std::shared_ptr<const StateMachine>> machine(const value& def, std::size_t depth);

 private:
  using Names = std::unordered_map<std::string, int>;

  Status state(const std::string& name, const object& o, const Names& names, State& s,
               std::size_t depth);
  Status common(const object& o, const Names& names, State& s);
  Status task(const object& o, State& s);
  Status retry_catch(const object& o, const Names& names, State& s);
  Status choice(const object& o, const Names& names, State& s);
  Status wait(const object& o, State& s);
  Status fail(const object& o, State& s);
  Status parallel(const object& o, State& s, std::size_t depth);
  Status map(const object& o, State& s, std::size_t depth);

  Result<int> target(const Names& names, const value* v, const std::string& where);
  Status path_field(const object& o, std::string_view key, PathField& out, jsonpath::PathKind kind);
  Status opt_path(const object& o, std::string_view key, std::optional<jsonpath::Path>& out,
                  jsonpath::PathKind kind);
  Status opt_template(const object& o, std::string_view key,
                      std::optional<jsonpath::Template>& out);

  QueryLanguage top_language_;
  std::size_t states_total_ = 0;
};

Result<int> Compiler::target(const Names& names, const value* v, const std::string& where) {
  if (v == nullptr || !v->is_string()) return invalid("MISSING_TRANSITION_TARGET at " + where);
  auto it = names.find(std::string(v->get_string()));
  if (it == names.end()) {
    return invalid("MISSING_TRANSITION_TARGET: Missing 'Next' target: " +
                   std::string(v->get_string()) + " at " + where);
  }
  return it->second;
}

Status Compiler::path_field(const object& o, std::string_view key, PathField& out,
                            jsonpath::PathKind kind) {
  const value* v = field(o, key);
  if (v == nullptr) return ok_status();
  if (v->is_null()) {
    out.kind = PathField::Kind::kNull;
    return ok_status();
  }
  if (!v->is_string()) return invalid(std::string(key) + " must be a string or null");
  auto p = jsonpath::Path::compile(v->get_string(), kind);
  if (!p)
    return invalid("SCHEMA_VALIDATION_FAILED: " + p.error().cause + " at /" + std::string(key));
  out.kind = PathField::Kind::kPath;
  out.path = std::move(*p);
  return ok_status();
}

Status Compiler::opt_path(const object& o, std::string_view key, std::optional<jsonpath::Path>& out,
                          jsonpath::PathKind kind) {
  const value* v = field(o, key);
  if (v == nullptr) return ok_status();
  if (!v->is_string()) return invalid(std::string(key) + " must be a string");
  auto p = jsonpath::Path::compile(v->get_string(), kind);
  if (!p)
    return invalid("SCHEMA_VALIDATION_FAILED: " + p.error().cause + " at /" + std::string(key));
  out = std::move(*p);
  return ok_status();
}

Status Compiler::opt_template(const object& o, std::string_view key,
                              std::optional<jsonpath::Template>& out) {
  const value* v = field(o, key);
  if (v == nullptr) return ok_status();
  auto t = jsonpath::Template::compile(*v, key);
  if (!t)
    return invalid("SCHEMA_VALIDATION_FAILED: " + t.error().cause + " at /" + std::string(key));
  out = std::move(*t);
  return ok_status();
}

Status Compiler::common(const object& o, const Names& names, State& s) {
  if (const value* n = field(o, "Next")) {
    auto t = target(names, n, "/States/" + s.name + "/Next");
    if (!t) return t.error();
    s.next = *t;
  }
  if (const value* e = field(o, "End"); e != nullptr && e->is_bool() && e->get_bool()) s.end = true;
  if (s.query_language == QueryLanguage::kJsonata) return jsonata_fields(o, s);
  using jsonpath::PathKind;
  for (auto st : {path_field(o, "InputPath", s.input_path, PathKind::kPath),
                  path_field(o, "OutputPath", s.output_path, PathKind::kPath),
                  path_field(o, "ResultPath", s.result_path, PathKind::kReferencePath),
                  opt_template(o, "ResultSelector", s.result_selector),
                  opt_template(o, "Assign", s.assign)}) {
    if (!st) return st;
  }
  if (s.type != StateType::kMap) {
    if (auto st = opt_template(o, "Parameters", s.parameters); !st) return st;
  }
  if (const value* r = field(o, "Result")) s.result = *r;
  return ok_status();
}

// The one classification of the Resource (asl::validate already refused one that does not
// resolve; a definition compiled without it keeps an unresolved integration, which fails at run
// time with States.Runtime).
void resolve_resource(State& s) {
  auto r = integrations::resolve(s.resource);
  if (!r) return;
  s.integration = r->integration;
  s.resource_type = std::move(r->type);
  s.resource_short = std::move(r->action);
  s.resource_region = std::move(r->region);
}

Status Compiler::task(const object& o, State& s) {
  s.resource = string_field(o, "Resource").value_or("");
  resolve_resource(s);
  s.timeout_seconds = int_field(o, "TimeoutSeconds");
  s.heartbeat_seconds = int_field(o, "HeartbeatSeconds");
  if (s.query_language == QueryLanguage::kJsonata) return ok_status();
  using jsonpath::PathKind;
  for (auto st :
       {opt_path(o, "TimeoutSecondsPath", s.timeout_seconds_path, PathKind::kReferencePath),
        opt_path(o, "HeartbeatSecondsPath", s.heartbeat_seconds_path, PathKind::kReferencePath),
        opt_template(o, "Credentials", s.credentials)}) {
    if (!st) return st;
  }
  return ok_status();
}

std::vector<std::string> string_list(const value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& e : v->get_array()) {
    if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

Status Compiler::retry_catch(const object& o, const Names& names, State& s) {
  if (const value* r = field(o, "Retry"); r != nullptr && r->is_array()) {
    for (const auto& rv : r->get_array()) {
      if (!rv.is_object()) return invalid("Retry entries must be objects");
      const object& ro = rv.get_object();
      Retrier rt;
      rt.error_equals = string_list(field(ro, "ErrorEquals"));
      rt.interval_seconds = int_field(ro, "IntervalSeconds").value_or(1);
      rt.max_attempts = int_field(ro, "MaxAttempts").value_or(3);
      rt.backoff_rate = number_field(ro, "BackoffRate").value_or(2.0);
      rt.max_delay_seconds = int_field(ro, "MaxDelaySeconds");
      rt.jitter_full = string_field(ro, "JitterStrategy").value_or("NONE") == "FULL";
      s.retry.push_back(std::move(rt));
    }
  }
  if (const value* c = field(o, "Catch"); c != nullptr && c->is_array()) {
    for (const auto& cv : c->get_array()) {
      if (!cv.is_object()) return invalid("Catch entries must be objects");
      const object& co = cv.get_object();
      Catcher ct;
      ct.error_equals = string_list(field(co, "ErrorEquals"));
      auto t = target(names, field(co, "Next"), "/States/" + s.name + "/Catch");
      if (!t) return t.error();
      ct.next = *t;
      if (s.query_language == QueryLanguage::kJsonPath) {
        if (auto st =
                path_field(co, "ResultPath", ct.result_path, jsonpath::PathKind::kReferencePath);
            !st) {
          return st;
        }
        if (auto st = opt_template(co, "Assign", ct.assign); !st) return st;
      } else {
        for (auto st : {opt_jsonata(co, "Output", ct.jsonata_output),
                        opt_jsonata(co, "Assign", ct.jsonata_assign)}) {
          if (!st) return st;
        }
      }
      s.catchers.push_back(std::move(ct));
    }
  }
  return ok_status();
}

Status Compiler::choice(const object& o, const Names& names, State& s) {
  if (const value* d = field(o, "Default")) {
    auto t = target(names, d, "/States/" + s.name + "/Default");
    if (!t) return t.error();
    s.default_next = *t;
  }
  const value* cs = field(o, "Choices");
  if (cs == nullptr || !cs->is_array())
    return invalid("Choices must be an array at /States/" + s.name);
  for (const auto& cv : cs->get_array()) {
    if (!cv.is_object()) return invalid("Choices entries must be objects");
    ChoiceBranch b;
    auto t = target(names, field(cv.get_object(), "Next"), "/States/" + s.name + "/Choices");
    if (!t) return t.error();
    b.next = *t;
    if (s.query_language == QueryLanguage::kJsonPath) {
      auto rule = ChoiceRule::compile(cv);
      if (!rule) return invalid(rule.error().cause);
      b.rule = std::move(*rule);
      if (auto st = opt_template(cv.get_object(), "Assign", b.assign); !st) return st;
    } else {
      const object& co = cv.get_object();
      for (auto st :
           {opt_jsonata(co, "Condition", b.condition), opt_jsonata(co, "Output", b.jsonata_output),
            opt_jsonata(co, "Assign", b.jsonata_assign)}) {
        if (!st) return st;
      }
    }
    s.choices.push_back(std::move(b));
  }
  return ok_status();
}

Status Compiler::wait(const object& o, State& s) {
  s.seconds = int_field(o, "Seconds");
  s.timestamp = string_field(o, "Timestamp");
  if (s.query_language == QueryLanguage::kJsonata) return ok_status();
  using jsonpath::PathKind;
  if (auto st = opt_path(o, "SecondsPath", s.seconds_path, PathKind::kReferencePath); !st)
    return st;
  return opt_path(o, "TimestampPath", s.timestamp_path, PathKind::kReferencePath);
}

// ErrorPath/CausePath: a path, or an intrinsic function call.
Status fail_path(const object& o, std::string_view key, std::optional<jsonpath::Path>& path,
                 std::optional<jsonpath::Intrinsic>& fn) {
  auto text = string_field(o, key);
  if (!text) return ok_status();
  if (!text->empty() && (*text)[0] == '$') {
    auto p = jsonpath::Path::compile(*text, jsonpath::PathKind::kReferencePath);
    if (!p)
      return invalid("SCHEMA_VALIDATION_FAILED: " + p.error().cause + " at /" + std::string(key));
    path = std::move(*p);
    return ok_status();
  }
  auto f = jsonpath::Intrinsic::compile(*text);
  if (!f)
    return invalid("SCHEMA_VALIDATION_FAILED: " + f.error().cause + " at /" + std::string(key));
  fn = std::move(*f);
  return ok_status();
}

Status Compiler::fail(const object& o, State& s) {
  s.error = string_field(o, "Error");
  s.cause = string_field(o, "Cause");
  if (s.query_language == QueryLanguage::kJsonata) return ok_status();
  if (auto st = fail_path(o, "ErrorPath", s.error_path, s.error_fn); !st) return st;
  return fail_path(o, "CausePath", s.cause_path, s.cause_fn);
}

Status Compiler::parallel(const object& o, State& s, std::size_t depth) {
  const value* bs = field(o, "Branches");
  if (bs == nullptr || !bs->is_array())
    return invalid("Branches must be an array at /States/" + s.name);
  for (const auto& b : bs->get_array()) {
    auto m = machine(b, depth + 1);
    if (!m) return m.error();
    s.branches.push_back(std::move(*m));
  }
  return ok_status();
}

Status Compiler::map(const object& o, State& s, std::size_t depth) {
  const value* proc = field(o, "ItemProcessor");
  if (proc == nullptr) proc = field(o, "Iterator");
  if (proc == nullptr || !proc->is_object())
    return invalid("Map needs an ItemProcessor at /States/" + s.name);
  auto m = machine(*proc, depth + 1);
  if (!m) return m.error();
  s.processor = std::move(*m);
  if (const value* pc = proc->get_object().if_contains("ProcessorConfig"); pc && pc->is_object()) {
    s.distributed = string_field(pc->get_object(), "Mode").value_or("INLINE") == "DISTRIBUTED";
  }
  s.label = string_field(o, "Label").value_or("");
  s.max_concurrency = int_field(o, "MaxConcurrency").value_or(0);
  s.tolerated_failure_count = int_field(o, "ToleratedFailureCount");
  s.tolerated_failure_percentage = number_field(o, "ToleratedFailurePercentage");
  if (auto st = detail::compile_map_io(o, s); !st) return st;
  if (s.query_language == QueryLanguage::kJsonata) return ok_status();
  using jsonpath::PathKind;
  const char* selector = field(o, "ItemSelector") != nullptr ? "ItemSelector" : "Parameters";
  for (auto st :
       {opt_path(o, "ItemsPath", s.items_path, PathKind::kReferencePath),
        opt_path(o, "MaxConcurrencyPath", s.max_concurrency_path, PathKind::kReferencePath),
        opt_path(o, "ToleratedFailureCountPath", s.tolerated_failure_count_path,
                 PathKind::kReferencePath),
        opt_path(o, "ToleratedFailurePercentagePath", s.tolerated_failure_percentage_path,
                 PathKind::kReferencePath),
        opt_template(o, selector, s.parameters)}) {
    if (!st) return st;
  }
  return ok_status();
}

}  // namespace

Result<JsonataTemplate> detail::compile_jsonata_template(const value& v) {
  return jsonata_template(v, 0);
}

namespace {

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The identifier after a '.' at rest[0] ("" when rest does not start with ".name").
std::string_view dotted_name(std::string_view rest) {
  if (rest.empty() || rest[0] != '.') return {};
  std::size_t n = 1;
  while (n < rest.size() && ident_char(rest[n])) ++n;
  return rest.substr(1, n - 1);
}

// What a reference to the context object reaches, from the text after "$$" / "$states.context".
ContextNeed context_reach(std::string_view rest) {
  std::string_view first = dotted_name(rest);
  if (first.empty()) return ContextNeed::kFull;  // "$$" whole, "$$[...]", "$$..x", "$$.*"
  if (first != "Execution") return ContextNeed::kWithoutInput;
  std::string_view second = dotted_name(rest.substr(1 + first.size()));
  if (second.empty() || second == "Input") return ContextNeed::kFull;
  return ContextNeed::kWithoutInput;
}

}  // namespace

ContextNeed context_need_of(std::string_view text) {
  ContextNeed need = ContextNeed::kNone;
  auto widen = [&](ContextNeed n) {
    if (static_cast<int>(n) > static_cast<int>(need)) need = n;
  };
  for (std::size_t at = text.find("$$"); at != std::string_view::npos && need != ContextNeed::kFull;
       at = text.find("$$", at + 2)) {
    widen(context_reach(text.substr(at + 2)));
  }
  // JSONata: $states.context reaches the context object; $states bound or passed whole, too.
  constexpr std::string_view kStates = "$states";
  for (std::size_t at = text.find(kStates);
       at != std::string_view::npos && need != ContextNeed::kFull;
       at = text.find(kStates, at + kStates.size())) {
    std::string_view rest = text.substr(at + kStates.size());
    if (!rest.empty() && ident_char(rest[0])) continue;  // another name: "$statesX"
    std::string_view field = dotted_name(rest);
    if (field.empty()) {
      widen(ContextNeed::kFull);
    } else if (field == "context") {
      widen(context_reach(rest.substr(1 + field.size())));
    }
  }
  return need;
}

namespace {

StateType type_of(const std::string& t, bool* ok) {
  *ok = true;
  if (t == "Pass") return StateType::kPass;
  if (t == "Task") return StateType::kTask;
  if (t == "Choice") return StateType::kChoice;
  if (t == "Wait") return StateType::kWait;
  if (t == "Succeed") return StateType::kSucceed;
  if (t == "Fail") return StateType::kFail;
  if (t == "Parallel") return StateType::kParallel;
  if (t == "Map") return StateType::kMap;
  *ok = false;
  return StateType::kPass;
}

Status Compiler::state(const std::string& name, const object& o, const Names& names, State& s,
                       std::size_t depth) {
  s.name = name;
  s.raw = value(o);
  bool known = false;
  s.type = type_of(string_field(o, "Type").value_or(""), &known);
  if (!known) return invalid("SCHEMA_VALIDATION_FAILED: unknown state type at /States/" + name);
  s.query_language = top_language_;
  if (auto ql = string_field(o, "QueryLanguage")) {
    s.query_language = *ql == "JSONata" ? QueryLanguage::kJsonata : QueryLanguage::kJsonPath;
  }
  const std::string raw_text = json::dump(s.raw);
  s.uses_context = raw_text.find("$$") != std::string::npos;
  s.context_need = context_need_of(raw_text);
  if (auto st = common(o, names, s); !st) return st;
  switch (s.type) {
    case StateType::kTask:
      if (auto st = task(o, s); !st) return st;
      return retry_catch(o, names, s);
    case StateType::kChoice:
      return choice(o, names, s);
    case StateType::kWait:
      return wait(o, s);
    case StateType::kFail:
      return fail(o, s);
    case StateType::kParallel:
      if (auto st = parallel(o, s, depth); !st) return st;
      return retry_catch(o, names, s);
    case StateType::kMap:
      if (auto st = map(o, s, depth); !st) return st;
      return retry_catch(o, names, s);
    case StateType::kPass:
    case StateType::kSucceed:
      return ok_status();
  }
  return ok_status();
}

Result<std::shared_ptr<const StateMachine>> Compiler::machine(const value& def, std::size_t depth) {
  if (depth > limits::nesting_depth_max) return invalid("the definition is nested too deeply");
  if (!def.is_object())
    return invalid("SCHEMA_VALIDATION_FAILED: the definition must be an object");
  const object& o = def.get_object();
  const value* states = field(o, "States");
  if (states == nullptr || !states->is_object() || states->get_object().empty()) {
    return invalid("SCHEMA_VALIDATION_FAILED: States must be a non-empty object");
  }
  auto m = std::make_shared<StateMachine>();
  m->depth = depth;
  m->query_language = top_language_;
  if (depth == 0) {
    const std::string text = json::dump(def);
    m->reads_context =
        text.find("$$") != std::string::npos || text.find("$states") != std::string::npos;
    m->definition = def;
    m->timeout_seconds = int_field(o, "TimeoutSeconds");
  }
  Names names;
  for (const auto& kv : states->get_object()) {
    if (++states_total_ > limits::states_max) return invalid("too many states");
    names.emplace(std::string(kv.key()), static_cast<int>(names.size()));
  }
  auto start = target(names, field(o, "StartAt"), "/StartAt");
  if (!start) return start.error();
  m->start_at = *start;
  m->states.resize(names.size());
  int i = 0;
  for (const auto& kv : states->get_object()) {
    if (!kv.value().is_object())
      return invalid("SCHEMA_VALIDATION_FAILED: a state must be an object");
    if (auto st = state(std::string(kv.key()), kv.value().get_object(), names, m->states[i], depth);
        !st) {
      return st.error();
    }
    ++i;
  }
  return std::shared_ptr<const StateMachine>(std::move(m));
}

}  // namespace

Result<std::shared_ptr<const StateMachine>> compile(const json::value& definition) {
  try {
    std::vector<Diagnostic> diags = validate(definition);
    std::vector<Diagnostic> errors;
    for (auto& d : diags) {
      if (d.severity == "ERROR") errors.push_back(d);
    }
    if (!errors.empty()) return Error{"InvalidDefinition", invalid_definition_message(errors)};
    QueryLanguage top = QueryLanguage::kJsonPath;
    if (definition.is_object()) {
      if (auto ql = string_field(definition.get_object(), "QueryLanguage");
          ql && *ql == "JSONata") {
        top = QueryLanguage::kJsonata;
      }
    }
    Compiler c(top);
    return c.machine(definition, 0);
  } catch (const std::exception& e) {
    // boost::json accessors throw on a kind we did not check: report, never escape.
    return invalid(std::string("unexpected definition shape: ") + e.what());
  }
}

Result<std::shared_ptr<const StateMachine>> compile_text(std::string_view text) {
  auto v = json::parse(text);
  if (!v) return invalid("SCHEMA_VALIDATION_FAILED: " + v.error().cause);
  return compile(*v);
}

}  // namespace stepwise::asl
