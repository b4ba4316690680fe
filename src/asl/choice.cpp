// Choice rules: compile a rule tree once, evaluate it many times (the hot path of Choice loops).
#include "asl/choice.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "asl/validator.h"
#include "base/clock.h"

namespace stepwise::asl {
using validation::kSchema;
namespace {

enum class Family : std::uint8_t {
  kAnd,
  kOr,
  kNot,
  kString,
  kNumeric,
  kBoolean,
  kTimestamp,
  kMatches,
  kIsNull,
  kIsPresent,
  kIsNumeric,
  kIsString,
  kIsBoolean,
  kIsTimestamp
};
enum class Cmp : std::uint8_t { kEq, kLt, kGt, kLe, kGe };

struct OperatorInfo {
  std::string_view name;
  Family family;
  Cmp cmp;
  bool path;  // the *Path form: the operand is a path to compare against
};

// Every data-test operator AWS accepts, with its family and comparison.
constexpr std::array<OperatorInfo, 39> kOperators = {{
    {"StringEquals", Family::kString, Cmp::kEq, false},
    {"StringEqualsPath", Family::kString, Cmp::kEq, true},
    {"StringLessThan", Family::kString, Cmp::kLt, false},
    {"StringLessThanPath", Family::kString, Cmp::kLt, true},
    {"StringGreaterThan", Family::kString, Cmp::kGt, false},
    {"StringGreaterThanPath", Family::kString, Cmp::kGt, true},
    {"StringLessThanEquals", Family::kString, Cmp::kLe, false},
    {"StringLessThanEqualsPath", Family::kString, Cmp::kLe, true},
    {"StringGreaterThanEquals", Family::kString, Cmp::kGe, false},
    {"StringGreaterThanEqualsPath", Family::kString, Cmp::kGe, true},
    {"StringMatches", Family::kMatches, Cmp::kEq, false},
    {"NumericEquals", Family::kNumeric, Cmp::kEq, false},
    {"NumericEqualsPath", Family::kNumeric, Cmp::kEq, true},
    {"NumericLessThan", Family::kNumeric, Cmp::kLt, false},
    {"NumericLessThanPath", Family::kNumeric, Cmp::kLt, true},
    {"NumericGreaterThan", Family::kNumeric, Cmp::kGt, false},
    {"NumericGreaterThanPath", Family::kNumeric, Cmp::kGt, true},
    {"NumericLessThanEquals", Family::kNumeric, Cmp::kLe, false},
    {"NumericLessThanEqualsPath", Family::kNumeric, Cmp::kLe, true},
    {"NumericGreaterThanEquals", Family::kNumeric, Cmp::kGe, false},
    {"NumericGreaterThanEqualsPath", Family::kNumeric, Cmp::kGe, true},
    {"BooleanEquals", Family::kBoolean, Cmp::kEq, false},
    {"BooleanEqualsPath", Family::kBoolean, Cmp::kEq, true},
    {"TimestampEquals", Family::kTimestamp, Cmp::kEq, false},
    {"TimestampEqualsPath", Family::kTimestamp, Cmp::kEq, true},
    {"TimestampLessThan", Family::kTimestamp, Cmp::kLt, false},
    {"TimestampLessThanPath", Family::kTimestamp, Cmp::kLt, true},
    {"TimestampGreaterThan", Family::kTimestamp, Cmp::kGt, false},
    {"TimestampGreaterThanPath", Family::kTimestamp, Cmp::kGt, true},
    {"TimestampLessThanEquals", Family::kTimestamp, Cmp::kLe, false},
    {"TimestampLessThanEqualsPath", Family::kTimestamp, Cmp::kLe, true},
    {"TimestampGreaterThanEquals", Family::kTimestamp, Cmp::kGe, false},
    {"TimestampGreaterThanEqualsPath", Family::kTimestamp, Cmp::kGe, true},
    {"IsNull", Family::kIsNull, Cmp::kEq, false},
    {"IsPresent", Family::kIsPresent, Cmp::kEq, false},
    {"IsNumeric", Family::kIsNumeric, Cmp::kEq, false},
    {"IsString", Family::kIsString, Cmp::kEq, false},
    {"IsBoolean", Family::kIsBoolean, Cmp::kEq, false},
    {"IsTimestamp", Family::kIsTimestamp, Cmp::kEq, false},
}};

const OperatorInfo* find_operator(std::string_view name) {
  for (const auto& op : kOperators) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

// Keys a rule may carry besides its operator: Next/Assign/Output/Comment belong to the Choices
// element (the validator checks where they are allowed).
bool is_rule_meta_key(std::string_view key) {
  return key == "Next" || key == "Comment" || key == "Assign" || key == "Output";
}

// StringMatches pattern: literal runs separated by '*'. "\*" is a literal star and "\\" a
// literal backslash (AWS's escapes); any other backslash stays literal.
struct Glob {
  std::vector<std::string> parts;  // parts[i] sits between star i-1 and star i
};

Glob compile_glob(std::string_view pattern) {
  Glob g;
  g.parts.emplace_back();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
      g.parts.back() += pattern[++i];
    } else if (c == '*') {
      g.parts.emplace_back();
    } else {
      g.parts.back() += c;
    }
  }
  return g;
}

// Star-only globs need no backtracking: anchor the first and last literal, then find the
// middle literals left to right (the leftmost match always leaves the most room).
bool glob_match(const Glob& g, std::string_view s) {
  if (g.parts.size() == 1) return s == g.parts[0];
  const std::string& first = g.parts.front();
  const std::string& last = g.parts.back();
  if (s.size() < first.size() + last.size()) return false;
  if (s.substr(0, first.size()) != first) return false;
  if (s.substr(s.size() - last.size()) != last) return false;
  std::size_t pos = first.size();
  std::size_t end = s.size() - last.size();
  for (std::size_t i = 1; i + 1 < g.parts.size(); ++i) {
    const std::string& part = g.parts[i];
    if (part.empty()) continue;
    std::size_t found = s.substr(0, end).find(part, pos);
    if (found == std::string_view::npos) return false;
    pos = found + part.size();
  }
  return true;
}

// parse_rfc3339 keeps milliseconds; AWS compares timestamps to the nanosecond, so the digits
// of the fraction past the third are kept alongside (0..999999 ns).
struct Instant {
  Millis ms = 0;
  std::int32_t sub_ms_ns = 0;
  auto operator<=>(const Instant&) const = default;
};

std::int32_t sub_millisecond_ns(std::string_view text) {
  auto t = text.find('T');
  auto dot = text.find('.', t == std::string_view::npos ? 0 : t);
  if (dot == std::string_view::npos) return 0;
  std::int32_t ns = 0;
  std::size_t i = dot + 1;
  for (int digit = 0; digit < 9; ++digit, ++i) {
    bool is_digit = i < text.size() && text[i] >= '0' && text[i] <= '9';
    int d = is_digit ? text[i] - '0' : 0;
    if (!is_digit) --i;  // pad with zeros once the digits end
    if (digit >= 3) ns = ns * 10 + d;
  }
  return ns;
}

bool parse_instant(std::string_view text, Instant* out) {
  if (!parse_rfc3339(std::string(text), &out->ms)) return false;
  out->sub_ms_ns = sub_millisecond_ns(text);
  return true;
}

bool is_timestamp(const json::value& v, Instant* out) {
  return v.is_string() && parse_instant(v.as_string(), out);
}

}  // namespace

struct ChoiceRule::Impl {
  Family family = Family::kAnd;
  Cmp cmp = Cmp::kEq;
  bool path_operand = false;
  jsonpath::Path variable;
  jsonpath::Path operand_path;
  // The literal operand, pre-converted for its family.
  std::string str;
  double num = 0;
  bool flag = false;
  Instant ts;
  Glob glob;
  std::vector<Impl> children;  // And/Or (any number), Not (one)
};

namespace {

using Impl = ChoiceRule::Impl;

struct CompileError {
  std::string message;
  std::string location;
};

std::optional<CompileError> compile_node(const json::value& rule, std::size_t depth, Impl& out);

std::optional<CompileError> compile_children(const json::object& rule, std::string_view key,
                                             std::size_t depth, Impl& out) {
  const json::value& v = rule.at(key);
  std::string loc = "/" + std::string(key);
  if (key == "Not") {
    out.children.emplace_back();
    auto err = compile_node(v, depth + 1, out.children.back());
    if (err) err->location = loc + err->location;
    return err;
  }
  if (!v.is_array() || v.as_array().empty()) {
    return CompileError{
        "The value for the field '" + std::string(key) + "' must be a non-empty ARRAY", loc};
  }
  const auto& arr = v.as_array();
  out.children.resize(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto err = compile_node(arr[i], depth + 1, out.children[i]);
    if (err) {
      err->location = loc + "[" + std::to_string(i) + "]" + err->location;
      return err;
    }
  }
  return std::nullopt;
}

std::optional<CompileError> compile_path(const json::value& v, std::string_view field,
                                         jsonpath::Path& out) {
  std::string loc = "/" + std::string(field);
  if (!v.is_string()) {
    return CompileError{"The value for the field '" + std::string(field) + "' must be a STRING",
                        loc};
  }
  auto p = jsonpath::Path::compile(std::string_view(v.as_string()), jsonpath::PathKind::kPath);
  if (!p.ok()) {
    return CompileError{
        "The value for the field '" + std::string(field) + "' must be a valid JSONPath", loc};
  }
  out = std::move(p).value();
  return std::nullopt;
}

const char* expected_kind(Family f) {
  switch (f) {
    case Family::kString:
    case Family::kMatches:
    case Family::kTimestamp:
      return "STRING";
    case Family::kNumeric:
      return "NUMBER";
    default:
      return "BOOLEAN";
  }
}

std::optional<CompileError> compile_literal(const json::value& v, const OperatorInfo& op,
                                            Impl& out) {
  std::string loc = "/" + std::string(op.name);
  CompileError type_error{"The value for the field '" + std::string(op.name) + "' must be a " +
                              expected_kind(op.family),
                          loc};
  switch (op.family) {
    case Family::kString:
    case Family::kMatches:
      if (!v.is_string()) return type_error;
      out.str = std::string(v.as_string());
      if (op.family == Family::kMatches) out.glob = compile_glob(out.str);
      return std::nullopt;
    case Family::kTimestamp:
      if (!v.is_string()) return type_error;
      if (!parse_instant(v.as_string(), &out.ts)) {
        return CompileError{"String does not match RFC3339 timestamp", loc};
      }
      return std::nullopt;
    case Family::kNumeric:
      if (!json::is_number(v)) return type_error;
      out.num = json::as_double(v);
      return std::nullopt;
    default:
      if (!v.is_bool()) return type_error;
      out.flag = v.as_bool();
      return std::nullopt;
  }
}

std::optional<CompileError> compile_data_test(const json::object& rule, Impl& out) {
  const OperatorInfo* op = nullptr;
  for (const auto& kv : rule) {
    std::string_view key = kv.key();
    if (key == "Variable" || is_rule_meta_key(key)) continue;
    const OperatorInfo* found = find_operator(key);
    if (!found) return CompileError{"Field '" + std::string(key) + "' is not supported", ""};
    if (op) {
      return CompileError{"A choice rule may have only one comparison operator, found '" +
                              std::string(op->name) + "' and '" + std::string(key) + "'",
                          ""};
    }
    op = found;
  }
  auto var = rule.find("Variable");
  if (var == rule.end()) return CompileError{"These fields are required: [Variable]", ""};
  if (!op) return CompileError{"A choice rule must have a comparison operator", ""};
  if (auto err = compile_path(var->value(), "Variable", out.variable)) return err;
  out.family = op->family;
  out.cmp = op->cmp;
  out.path_operand = op->path;
  const json::value& operand = rule.at(op->name);
  if (op->path) return compile_path(operand, op->name, out.operand_path);
  return compile_literal(operand, *op, out);
}

std::optional<CompileError> compile_node(const json::value& rule, std::size_t depth, Impl& out) {
  if (!rule.is_object()) return CompileError{"A choice rule must be an OBJECT", ""};
  if (depth > choice_rule_depth_max) {
    return CompileError{
        "Choice rule nesting exceeds " + std::to_string(choice_rule_depth_max) + " levels", ""};
  }
  const auto& obj = rule.as_object();
  std::string_view boolean_key;
  for (std::string_view key : {"And", "Or", "Not"}) {
    if (!obj.contains(key)) continue;
    if (!boolean_key.empty()) {
      return CompileError{"A choice rule may have only one of And, Or, Not", ""};
    }
    boolean_key = key;
  }
  if (boolean_key.empty()) return compile_data_test(obj, out);
  for (const auto& kv : obj) {
    std::string_view key = kv.key();
    if (key != boolean_key && !is_rule_meta_key(key)) {
      return CompileError{"Field '" + std::string(key) + "' is not supported", ""};
    }
  }
  out.family = boolean_key == "And"  ? Family::kAnd
               : boolean_key == "Or" ? Family::kOr
                                     : Family::kNot;
  return compile_children(obj, boolean_key, depth, out);
}

// ---- evaluation ----------------------------------------------------------------------------

const json::value* variable_root(const jsonpath::EvalContext& ctx, std::string_view text) {
  if (text.rfind("$$", 0) == 0) return ctx.context;
  if (text.size() > 1 && text[0] == '$' && text[1] != '.' && text[1] != '[' && ctx.variables &&
      *ctx.variables) {
    std::size_t end = 1;
    while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
    return (*ctx.variables)(text.substr(1, end - 1));
  }
  return ctx.input;
}

Error missing(const jsonpath::Path& path, const jsonpath::EvalContext& ctx) {
  std::string_view text = path.text();
  const json::value* root = variable_root(ctx, text);
  return Error{"States.Runtime", missing_path_cause(path.text(), root)};
}

template <typename T>
bool compare(const T& a, const T& b, Cmp cmp) {
  switch (cmp) {
    case Cmp::kEq:
      return a == b;
    case Cmp::kLt:
      return a < b;
    case Cmp::kGt:
      return a > b;
    case Cmp::kLe:
      return a <= b;
    case Cmp::kGe:
      return a >= b;
  }
  return false;
}

// Compares the variable's value with the operand value (*Path form): both must be of the
// family's type, otherwise the rule is simply false.
bool compare_values(const Impl& n, const json::value& a, const json::value& b) {
  switch (n.family) {
    case Family::kString:
      return a.is_string() && b.is_string() &&
             compare(std::string_view(a.as_string()), std::string_view(b.as_string()), n.cmp);
    case Family::kNumeric:
      return json::is_number(a) && json::is_number(b) &&
             compare(json::as_double(a), json::as_double(b), n.cmp);
    case Family::kBoolean:
      return a.is_bool() && b.is_bool() && a.as_bool() == b.as_bool();
    case Family::kTimestamp: {
      Instant ta;
      Instant tb;
      return is_timestamp(a, &ta) && is_timestamp(b, &tb) && compare(ta, tb, n.cmp);
    }
    default:
      return false;
  }
}

// Compares the variable's value with the compiled literal.
bool compare_literal(const Impl& n, const json::value& a) {
  switch (n.family) {
    case Family::kString:
      return a.is_string() &&
             compare(std::string_view(a.as_string()), std::string_view(n.str), n.cmp);
    case Family::kMatches:
      return a.is_string() && glob_match(n.glob, a.as_string());
    case Family::kNumeric:
      return json::is_number(a) && compare(json::as_double(a), n.num, n.cmp);
    case Family::kBoolean:
      return a.is_bool() && a.as_bool() == n.flag;
    case Family::kTimestamp: {
      Instant t;
      return is_timestamp(a, &t) && compare(t, n.ts, n.cmp);
    }
    case Family::kIsNull:
      return a.is_null() == n.flag;
    case Family::kIsNumeric:
      return json::is_number(a) == n.flag;
    case Family::kIsString:
      return a.is_string() == n.flag;
    case Family::kIsBoolean:
      return a.is_bool() == n.flag;
    case Family::kIsTimestamp: {
      Instant t;
      return is_timestamp(a, &t) == n.flag;
    }
    default:
      return false;
  }
}

Result<bool> eval_node(const Impl& n, const jsonpath::EvalContext& ctx);

Result<bool> eval_data_test(const Impl& n, const jsonpath::EvalContext& ctx) {
  std::optional<json::value> var = n.variable.select(ctx);
  if (n.family == Family::kIsPresent) return var.has_value() == n.flag;
  if (!var) return missing(n.variable, ctx);
  if (!n.path_operand) return compare_literal(n, *var);
  std::optional<json::value> other = n.operand_path.select(ctx);
  if (!other) return missing(n.operand_path, ctx);
  return compare_values(n, *var, *other);
}

Result<bool> eval_node(const Impl& n, const jsonpath::EvalContext& ctx) {
  switch (n.family) {
    case Family::kAnd:
      for (const auto& c : n.children) {
        auto r = eval_node(c, ctx);
        if (!r.ok() || !*r) return r;
      }
      return true;
    case Family::kOr:
      for (const auto& c : n.children) {
        auto r = eval_node(c, ctx);
        if (!r.ok() || *r) return r;
      }
      return false;
    case Family::kNot: {
      auto r = eval_node(n.children.front(), ctx);
      if (!r.ok()) return r;
      return !*r;
    }
    default:
      return eval_data_test(n, ctx);
  }
}

// ---- Jayway-style "missing path" texts -----------------------------------------------------

struct PathStep {
  bool is_index = false;
  std::string name;
  std::int64_t index = 0;
};

// Splits a simple path ("$.a['b'][0]") into steps; nullopt for anything fancier (wildcards,
// filters, slices), for which only a generic text is given.
std::optional<std::vector<PathStep>> simple_steps(std::string_view text, std::size_t start) {
  std::vector<PathStep> steps;
  std::size_t i = start;
  while (i < text.size()) {
    if (text[i] == '.') {
      std::size_t end = i + 1;
      while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
      std::string name(text.substr(i + 1, end - i - 1));
      if (name.empty() || name == "*") return std::nullopt;
      steps.push_back({false, std::move(name), 0});
      i = end;
    } else if (text[i] == '[') {
      std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view inner = text.substr(i + 1, close - i - 1);
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
          inner.back() == inner.front()) {
        steps.push_back({false, std::string(inner.substr(1, inner.size() - 2)), 0});
      } else {
        if (inner.empty() || inner.size() > 18) return std::nullopt;
        std::int64_t idx = 0;
        for (char c : inner) {
          if (c < '0' || c > '9') return std::nullopt;
          idx = idx * 10 + (c - '0');
        }
        steps.push_back({true, {}, idx});
      }
      i = close + 1;
    } else {
      return std::nullopt;
    }
  }
  return steps;
}

std::string bracket_prefix(std::string_view root, const std::vector<PathStep>& steps,
                           std::size_t count) {
  std::string out(root);
  for (std::size_t i = 0; i < count; ++i) {
    if (steps[i].is_index) {
      out += "[" + std::to_string(steps[i].index) + "]";
    } else {
      out += "['" + steps[i].name + "']";
    }
  }
  return out;
}

}  // namespace

std::string missing_path_cause(const std::string& path_text, const json::value* doc) {
  std::string prefix = "Invalid path '" + path_text + "' : ";
  std::string_view text = path_text;
  std::size_t root_len = text.rfind("$$", 0) == 0 ? 2 : 1;
  if (root_len == 1 && text.size() > 1 && text[1] != '.' && text[1] != '[') {
    root_len = 1;
    while (root_len < text.size() && text[root_len] != '.' && text[root_len] != '[') ++root_len;
  }
  std::string_view root = text.substr(0, root_len);
  auto steps = simple_steps(text, root_len);
  if (!steps || !doc) return prefix + "No results for path: " + path_text;
  const json::value* cur = doc;
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const PathStep& s = (*steps)[i];
    const json::value* next = nullptr;
    if (s.is_index && cur->is_array() &&
        s.index < static_cast<std::int64_t>(cur->as_array().size())) {
      next = &cur->as_array()[static_cast<std::size_t>(s.index)];
    } else if (!s.is_index && cur->is_object()) {
      next = cur->as_object().if_contains(s.name);
    }
    if (!next) {
      if (i + 1 == steps->size()) {
        return prefix + "No results for path: " + bracket_prefix(root, *steps, steps->size());
      }
      return prefix + "Missing property in path " + bracket_prefix(root, *steps, i + 1);
    }
    cur = next;
  }
  return prefix + "No results for path: " + bracket_prefix(root, *steps, steps->size());
}

Result<ChoiceRule> ChoiceRule::compile(const json::value& rule) { return compile(rule, nullptr); }

Result<ChoiceRule> ChoiceRule::compile(const json::value& rule, std::string* error_location) {
  auto impl = std::make_shared<Impl>();
  try {
    if (auto err = compile_node(rule, 0, *impl)) {
      if (error_location) *error_location = err->location;
      return Error{kSchema, err->message};
    }
  } catch (const std::exception& e) {
    // boost::json accessors only throw on a programming error here; never let it escape.
    return Error{kSchema, e.what()};
  }
  ChoiceRule out;
  out.impl_ = std::move(impl);
  return out;
}

Result<bool> ChoiceRule::evaluate(const jsonpath::EvalContext& ctx) const {
  if (!impl_) return Error{"States.Runtime", "Choice rule was not compiled"};
  return eval_node(*impl_, ctx);
}

ChoiceRule::ChoiceRule() = default;
ChoiceRule::~ChoiceRule() = default;
ChoiceRule::ChoiceRule(const ChoiceRule&) = default;
ChoiceRule& ChoiceRule::operator=(const ChoiceRule&) = default;
ChoiceRule::ChoiceRule(ChoiceRule&&) noexcept = default;
ChoiceRule& ChoiceRule::operator=(ChoiceRule&&) noexcept = default;

}  // namespace stepwise::asl
