// The ASL validator. One Validator walks the definition once (schema phase), collecting each
// States block's transitions; the graph phase then checks targets, terminal states and
// reachability per block. Texts are AWS's as recorded (see validate_test.cpp).
#include "asl/validate.h"
#include "asl/variables_check.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "asl/choice.h"
#include "base/clock.h"
#include "base/limits.h"
#include "integrations/resource.h"
#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::asl {
namespace {

constexpr const char* kSchema = "SCHEMA_VALIDATION_FAILED";
constexpr const char* kMissingTarget = "MISSING_TRANSITION_TARGET";
// AWS's Map Label rules (state-map-distributed.html): at most 40 characters.
constexpr std::size_t label_chars_max = 40;
// AWS's schema bounds (amazon-states-language-service common.json).
constexpr std::int64_t max_delay_seconds_max = 31622401;

enum class Lang { kJsonPath, kJsonata };

// ---- small helpers -------------------------------------------------------------------------

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_jsonata_expr(const json::value& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.as_string();
  return s.size() >= 4 && s.substr(0, 2) == "{%" && s.substr(s.size() - 2) == "%}";
}

// A JSON integer (or a double with no fraction, as Jackson accepts 5.0 for an int field).
std::optional<std::int64_t> as_integer(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return INT64_MAX;
    return static_cast<std::int64_t>(v.as_uint64());
  }
  return std::nullopt;
}

bool in_list(std::string_view key, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// Which fields each state type accepts (the union over both query languages).
const std::unordered_map<std::string_view, std::vector<std::string_view>>& state_fields() {
  static const auto* table =
      new std::unordered_map<std::string_view, std::vector<std::string_view>>{
          {"Pass",
           {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result",
            "Assign", "Output"}},
          {"Task",
           {"Next", "End", "Resource", "InputPath", "OutputPath", "ResultPath", "Parameters",
            "ResultSelector", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath",
            "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign", "Arguments",
            "Output"}},
          {"Choice", {"Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"}},
          {"Wait",
           {"Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath",
            "OutputPath", "Assign", "Output"}},
          {"Succeed", {"InputPath", "OutputPath", "Output"}},
          {"Fail", {"Error", "ErrorPath", "Cause", "CausePath"}},
          {"Parallel",
           {"Next", "End", "Branches", "InputPath", "OutputPath", "ResultPath", "Parameters",
            "ResultSelector", "Retry", "Catch", "Assign", "Arguments", "Output"}},
          {"Map",
           {"Next",
            "End",
            "Iterator",
            "ItemProcessor",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Assign",
            "Output"}},
      };
  return *table;
}

bool jsonpath_only(std::string_view f) {
  return in_list(f, {"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
                     "Result", "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                     "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
                     "ToleratedFailurePercentagePath", "ToleratedFailureCountPath"});
}

bool jsonata_only(std::string_view f) { return in_list(f, {"Output", "Arguments", "Items"}); }

// ---- Python-style JSON text (the recorded Label errors quote the definition this way) ------

void py_escape(std::string_view s, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size() + 0) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    }
    i += len;
    auto u4 = [&](std::uint32_t u) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += hex[(u >> shift) & 0xF];
    };
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp >= 0x10000) {
      std::uint32_t v = cp - 0x10000;
      u4(0xD800 + (v >> 10));
      u4(0xDC00 + (v & 0x3FF));
    } else {
      u4(cp);
    }
  }
  out += '"';
}

std::string py_float(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  auto e = s.find('e');
  if (e == std::string::npos) {
    if (s.find('.') == std::string::npos && s.find("inf") == std::string::npos &&
        s.find("nan") == std::string::npos) {
      s += ".0";
    }
    return s;
  }
  std::string mant = s.substr(0, e);
  std::string exp = s.substr(e + 1);
  std::string sign = "+";
  if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) {
    if (exp[0] == '-') sign = "-";
    exp = exp.substr(1);
  }
  if (exp.size() < 2) exp = "0" + exp;
  return mant + "e" + sign + exp;
}

void py_dump(const json::value& v, std::string& out, std::size_t depth) {
  if (depth > limits::json_depth_max) return;
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.as_object()) {
        if (!first) out += ", ";
        first = false;
        py_escape(kv.key(), out);
        out += ": ";
        py_dump(kv.value(), out, depth + 1);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        py_dump(e, out, depth + 1);
      }
      out += ']';
      return;
    }
    case boost::json::kind::string:
      py_escape(v.as_string(), out);
      return;
    case boost::json::kind::int64:
      out += std::to_string(v.as_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(v.as_uint64());
      return;
    case boost::json::kind::double_:
      out += py_float(v.as_double());
      return;
    case boost::json::kind::bool_:
      out += v.as_bool() ? "true" : "false";
      return;
    case boost::json::kind::null:
      out += "null";
      return;
  }
}

// Python's repr() of a one-character string's content (without quotes).
std::string py_char_repr(std::uint32_t cp, std::string_view utf8) {
  static const char* hex = "0123456789abcdef";
  if (cp == '\\') return "\\\\";
  if (cp == '\n') return "\\n";
  if (cp == '\r') return "\\r";
  if (cp == '\t') return "\\t";
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) {
    return std::string("\\x") + hex[(cp >> 4) & 0xF] + hex[cp & 0xF];
  }
  bool unicode_space = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x2028 ||
                       cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
  if (unicode_space) {
    std::string out = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xF];
    return out;
  }
  return std::string(utf8);
}

// Python's repr() of a str: single quotes unless the text has a single quote and no double.
std::string py_str_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == q || c == '\\') out += '\\';
    out += c;
  }
  out += q;
  return out;
}

// The first character AWS refuses in a Map Label, as (code point, its UTF-8 bytes).
std::optional<std::pair<std::uint32_t, std::string>> bad_label_char(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    len = std::min(len, s.size() - i);
    std::uint32_t cp = c;
    if (len == 2) cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
    if (len == 3) cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    if (len == 4) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
    }
    std::string_view bytes = s.substr(i, len);
    i += len;
    bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    bool space = cp == ' ' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                 cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    bool special =
        cp < 0x80 && std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(cp)) !=
                         std::string_view::npos;
    if (control || space || special) return std::make_pair(cp, std::string(bytes));
  }
  return std::nullopt;
}

// ---- the validator -------------------------------------------------------------------------

struct Transition {
  std::string target;
  std::string location;
};

// One States block (the machine, a Parallel branch, a Map processor) for the graph phase.
struct Block {
  std::string location;  // "" for the machine
  std::string start_at;
  std::vector<std::string> names;  // in definition order
  std::unordered_map<std::string, std::vector<Transition>> edges;
  std::unordered_set<std::string> terminal;
};

class Validator {
 public:
  Validator(const json::value& definition, const ValidateOptions& options)
      : definition_(definition), options_(options) {}

  std::vector<Diagnostic> run();

 private:
  void error(std::string message, std::string location) {
    out_.push_back(Diagnostic{"ERROR", kSchema, std::move(message), std::move(location), {}});
  }
  static std::string root_of(const std::string& loc) { return loc.empty() ? "/" : loc; }

  void check_machine(const json::object& m, const std::string& loc, std::size_t depth,
                     std::initializer_list<std::string_view> allowed);
  void check_top_level_fields(const json::object& m);
  void check_state(const std::string& name, const json::value& v, const std::string& loc,
                   std::size_t depth, Block& block);
  Lang state_language(const json::object& s, const std::string& loc);
  void check_fields(const json::object& s, std::string_view type, Lang lang,
                    const std::string& loc);
  void check_transition(const json::object& s, std::string_view type, const std::string& name,
                        const std::string& loc, Block& block);
  void check_common_paths(const json::object& s, Lang lang, const std::string& loc);
  void check_task(const json::object& s, Lang lang, const std::string& loc);
  void check_resource(const json::value& v, const std::string& loc);
  void check_choice(const json::object& s, Lang lang, const std::string& name,
                    const std::string& loc, Block& block);
  void check_jsonata_rule(const json::object& rule, const std::string& cloc);
  void check_jsonpath_rule(const json::value& rule_value, const std::string& cloc);
  void language_error(Lang lang, std::string_view field, const std::string& loc);
  void check_wait(const json::object& s, Lang lang, const std::string& loc);
  void check_fail(const json::object& s, Lang lang, const std::string& loc);
  void check_parallel(const json::object& s, const std::string& loc, std::size_t depth);
  void check_map(const json::object& s, Lang lang, const std::string& loc, std::size_t depth);
  void check_map_options(const json::object& s, Lang lang, const std::string& loc);
  void check_label(const json::value& v, const std::string& loc);
  void check_retry(const json::value& v, const std::string& loc);
  void check_catch(const json::value& v, Lang lang, const std::string& name, const std::string& loc,
                   Block& block);
  void check_error_equals(const json::object& o, const std::string& loc, bool last);
  void check_path(const json::object& s, std::string_view field, jsonpath::PathKind kind,
                  const std::string& loc, bool nullable);
  void check_template(const json::value& v, std::string_view field, const std::string& loc);
  void check_template_node(const json::value& v, std::string_view field, const std::string& loc,
                           std::size_t depth);
  void check_nested_template(const json::object& o, std::string_view field, Lang lang,
                             const std::string& loc);
  void check_jsonata_value(const json::value& v, const std::string& loc, std::size_t depth);
  void check_int(const json::object& s, std::string_view field, std::int64_t min, std::int64_t max,
                 Lang lang, const std::string& loc);
  void check_exclusive(const json::object& s, std::string_view a, std::string_view b,
                       const std::string& loc);
  void check_string(const json::object& s, std::string_view field, Lang lang,
                    const std::string& loc);
  void check_enum(const json::object& s, std::string_view field,
                  std::initializer_list<std::string_view> values, const std::string& loc);
  void check_object_fields(const json::object& o, std::initializer_list<std::string_view> allowed,
                           const std::string& loc);
  void check_graph();

  const json::value& definition_;
  ValidateOptions options_;
  Lang machine_lang_ = Lang::kJsonPath;
  std::vector<Diagnostic> out_;
  std::deque<Block> blocks_;
  std::unordered_set<std::string> names_seen_;
  std::size_t states_seen_ = 0;
  bool too_large_ = false;
};

std::vector<Diagnostic> Validator::run() {
  if (!definition_.is_object()) {
    error("Definition must be a valid JSON object", "");
    return out_;
  }
  const auto& m = definition_.as_object();
  // As AWS resolves it: only the exact text "JSONPath" means JSONPath once the field is set
  // (a bad value is reported by the enum check and the machine is read as JSONata).
  if (const auto* ql = m.if_contains("QueryLanguage");
      ql && !(ql->is_string() && ql->as_string() == "JSONPath")) {
    machine_lang_ = Lang::kJsonata;
  }
  check_machine(m, "", 0,
                {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"});
  check_top_level_fields(m);
  if (out_.empty()) check_variables(m, out_);
  if (out_.empty() && !options_.schema_only) check_graph();
  return out_;
}

void Validator::check_top_level_fields(const json::object& m) {
  if (const auto* v = m.if_contains("TimeoutSeconds")) {
    auto n = as_integer(*v);
    if (!n || *n < 1 || *n > limits::seconds_max) {
      error("The value for the field 'TimeoutSeconds' must be a positive integer no greater than " +
                std::to_string(limits::seconds_max),
            "/TimeoutSeconds");
    }
  }
  if (const auto* v = m.if_contains("Version"); v && !v->is_string()) {
    error("The value for the field 'Version' must be a STRING", "/Version");
  }
  check_enum(m, "QueryLanguage", {"JSONPath", "JSONata"}, "");
}

void Validator::check_machine(const json::object& m, const std::string& loc, std::size_t depth,
                              std::initializer_list<std::string_view> allowed) {
  std::vector<std::string> missing;
  if (!m.contains("States")) missing.push_back("States");
  if (!m.contains("StartAt")) missing.push_back("StartAt");
  if (!missing.empty()) {
    std::string list;
    for (const auto& f : missing) list += (list.empty() ? "" : ", ") + f;
    error("These fields are required: [" + list + "]", root_of(loc));
  }
  for (const auto& kv : m) {
    if (!in_list(kv.key(), allowed)) {
      error("Field '" + std::string(kv.key()) + "' is not supported", root_of(loc));
    }
  }
  if (const auto* c = m.if_contains("Comment"); c && !c->is_string()) {
    error("The value for the field 'Comment' must be a STRING", loc + "/Comment");
  }
  const auto* start = m.if_contains("StartAt");
  if (start && !start->is_string()) {
    error("The value for the field 'StartAt' must be a STRING", loc + "/StartAt");
  }
  const auto* states = m.if_contains("States");
  if (!states) return;
  if (!states->is_object()) {
    error("The value for the field 'States' must be an OBJECT", loc + "/States");
    return;
  }
  Block& block = blocks_.emplace_back();
  block.location = loc;
  if (start && start->is_string()) block.start_at = std::string(start->as_string());
  for (const auto& kv : states->as_object()) {
    if (++states_seen_ > limits::states_max) {
      if (!too_large_)
        error("The definition has more than " + std::to_string(limits::states_max) + " states",
              root_of(loc));
      too_large_ = true;
      return;
    }
    std::string name(kv.key());
    std::string sloc = loc + "/States/" + name;
    block.names.push_back(name);
    if (utf8_length(name) > limits::name_chars_max) {
      // AWS's code for a name outside its naming rules (API_ValidateStateMachineDefinition-
      // Diagnostic); the wording is ours.
      out_.push_back(Diagnostic{"ERROR",
                                "INVALID_STATE_NAME",
                                "State name '" + name + "' exceeds " +
                                    std::to_string(limits::name_chars_max) + " characters",
                                sloc,
                                {}});
    }
    if (!names_seen_.insert(name).second) {
      out_.push_back(
          Diagnostic{"ERROR", "DUPLICATE_STATE_NAME", "Duplicate State name: " + name, sloc, {}});
    }
    check_state(name, kv.value(), sloc, depth, block);
  }
}

Lang Validator::state_language(const json::object& s, const std::string& loc) {
  const auto* ql = s.if_contains("QueryLanguage");
  if (!ql) return machine_lang_;
  check_enum(s, "QueryLanguage", {"JSONPath", "JSONata"}, loc);
  bool jsonpath = ql->is_string() && ql->as_string() == "JSONPath";
  if (jsonpath && machine_lang_ == Lang::kJsonata) {
    error("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", loc);
  }
  return jsonpath ? Lang::kJsonPath : Lang::kJsonata;
}

void Validator::check_state(const std::string& name, const json::value& v, const std::string& loc,
                            std::size_t depth, Block& block) {
  if (!v.is_object()) {
    error("The value for the field '" + name + "' must be an OBJECT", loc);
    return;
  }
  const auto& s = v.as_object();
  const auto* type_v = s.if_contains("Type");
  if (!type_v) {
    error("These fields are required: [Type]", loc);
    return;
  }
  const auto& table = state_fields();
  if (!type_v->is_string() || !table.contains(std::string_view(type_v->as_string()))) {
    error(
        "The field 'Type' should have one of these values: "
        "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
        loc + "/Type");
    return;
  }
  std::string_view type = type_v->as_string();
  Lang lang = state_language(s, loc);
  check_fields(s, type, lang, loc);
  if (const auto* c = s.if_contains("Comment"); c && !c->is_string()) {
    error("The value for the field 'Comment' must be a STRING", loc + "/Comment");
  }
  check_transition(s, type, name, loc, block);
  check_common_paths(s, lang, loc);
  if (type == "Task") check_task(s, lang, loc);
  if (type == "Choice") check_choice(s, lang, name, loc, block);
  if (type == "Wait") check_wait(s, lang, loc);
  if (type == "Fail") check_fail(s, lang, loc);
  if (type == "Parallel") check_parallel(s, loc, depth);
  if (type == "Map") check_map(s, lang, loc, depth);
  if (type == "Task" || type == "Parallel" || type == "Map") {
    if (const auto* r = s.if_contains("Retry")) check_retry(*r, loc + "/Retry");
    if (const auto* c = s.if_contains("Catch")) check_catch(*c, lang, name, loc + "/Catch", block);
  }
  if (type == "Succeed" || type == "Fail") block.terminal.insert(name);
}

void Validator::check_fields(const json::object& s, std::string_view type, Lang lang,
                             const std::string& loc) {
  const auto& allowed = state_fields().at(type);
  for (const auto& kv : s) {
    std::string_view key = kv.key();
    if (key == "Type" || key == "Comment" || key == "QueryLanguage") continue;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error("Field '" + std::string(key) + "' is not supported", loc);
    } else if ((lang == Lang::kJsonata && jsonpath_only(key)) ||
               (lang == Lang::kJsonPath && jsonata_only(key))) {
      language_error(lang, key, loc);
    }
  }
}

void Validator::check_transition(const json::object& s, std::string_view type,
                                 const std::string& name, const std::string& loc, Block& block) {
  if (type == "Choice" || type == "Succeed" || type == "Fail") return;
  const auto* next = s.if_contains("Next");
  const auto* end = s.if_contains("End");
  if (end && !end->is_bool()) {
    error("The value for the field 'End' must be a BOOLEAN", loc + "/End");
    return;
  }
  bool is_end = end && end->as_bool();
  if (next && !next->is_string()) {
    error("The value for the field 'Next' must be a STRING", loc + "/Next");
    return;
  }
  if (next && is_end) {
    error("Only one of 'Next' or 'End' may be set", loc);
  } else if (!next && !is_end) {
    error("These fields are required: [Next]", loc);
  }
  if (next) block.edges[name].push_back({std::string(next->as_string()), loc + "/Next"});
  if (is_end) block.terminal.insert(name);
}

void Validator::check_common_paths(const json::object& s, Lang lang, const std::string& loc) {
  if (lang == Lang::kJsonPath) {
    check_path(s, "InputPath", jsonpath::PathKind::kPath, loc, true);
    check_path(s, "OutputPath", jsonpath::PathKind::kPath, loc, true);
    check_path(s, "ResultPath", jsonpath::PathKind::kReferencePath, loc, true);
    for (std::string_view f : {"Parameters", "ResultSelector", "ItemSelector"}) {
      if (const auto* v = s.if_contains(f)) check_template(*v, f, loc + "/" + std::string(f));
    }
    if (const auto* v = s.if_contains("Assign")) check_template(*v, "Assign", loc + "/Assign");
    return;
  }
  for (std::string_view f : {"Output", "Arguments", "Assign", "ItemSelector"}) {
    if (const auto* v = s.if_contains(f)) check_jsonata_value(*v, loc + "/" + std::string(f), 0);
  }
}

void Validator::check_path(const json::object& s, std::string_view field, jsonpath::PathKind kind,
                           const std::string& loc, bool nullable) {
  const auto* v = s.if_contains(field);
  if (!v || (nullable && v->is_null())) return;
  std::string f(field);
  if (!v->is_string()) {
    error("The value for the field '" + f + "' must be a STRING", loc + "/" + f);
    return;
  }
  std::string_view text = v->as_string();
  bool is_result_path = field == "ResultPath";
  if (is_result_path && (text.rfind("$$", 0) == 0 ||
                         (text.size() > 1 && text[0] == '$' && text[1] != '.' && text[1] != '['))) {
    error("The value for the field '" + f + "' must be a valid JSONPath", loc + "/" + f);
    return;
  }
  if (!jsonpath::Path::compile(text, kind).ok()) {
    error("The value for the field '" + f + "' must be a valid " +
              (kind == jsonpath::PathKind::kReferencePath ? "ReferencePath" : "JSONPath"),
          loc + "/" + f);
  }
}

// A JSONPath payload template: keys ending ".$" must hold a path or an intrinsic call.
void Validator::check_template(const json::value& v, std::string_view field,
                               const std::string& loc) {
  if (!v.is_object() && field != "Parameters") {
    error("The value for the field '" + std::string(field) + "' must be an OBJECT", loc);
    return;
  }
  check_template_node(v, field, loc, 0);
}

void Validator::check_template_node(const json::value& v, std::string_view field,
                                    const std::string& loc, std::size_t depth) {
  if (depth > limits::json_depth_max) return;
  if (v.is_array()) {
    for (const auto& e : v.as_array()) check_template_node(e, field, loc, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& kv : v.as_object()) {
    std::string_view key = kv.key();
    bool dynamic = key.size() > 2 && key.substr(key.size() - 2) == ".$";
    if (!dynamic) {
      check_template_node(kv.value(), field, loc, depth + 1);
      continue;
    }
    const json::value& e = kv.value();
    bool ok = false;
    if (e.is_string()) {
      std::string_view text = e.as_string();
      ok = !text.empty() && text[0] == '$'
               ? jsonpath::Path::compile(text, jsonpath::PathKind::kPath).ok()
               : jsonpath::Intrinsic::compile(text).ok();
    }
    if (!ok) {
      error("The value for the field '" + std::string(key) +
                "' must be a valid JSONPath or a valid intrinsic function call",
            loc);
    }
  }
}

// A template inside a Map sub-object (ItemReader/ResultWriter Parameters, BatchInput).
void Validator::check_nested_template(const json::object& o, std::string_view field, Lang lang,
                                      const std::string& loc) {
  const auto* v = o.if_contains(field);
  if (!v) return;
  std::string floc = loc + "/" + std::string(field);
  if (lang == Lang::kJsonPath) {
    check_template(*v, field, floc);
  } else {
    check_jsonata_value(*v, floc, 0);
  }
}

// JSONata values: a string is an expression only when wrapped in "{%" and "%}" (anything else
// is a literal); an expression with nothing inside cannot parse. `loc` points at `v` itself.
void Validator::check_jsonata_value(const json::value& v, const std::string& loc,
                                    std::size_t depth) {
  if (depth > limits::json_depth_max) return;
  if (v.is_string()) {
    std::string_view s = v.as_string();
    bool blank = is_jsonata_expr(v) &&
                 s.substr(2, s.size() - 4).find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (blank) {
      out_.push_back(Diagnostic{
          "ERROR", "INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", loc, {}});
    } else if (is_jsonata_expr(v)) {
      // A real parse: an expression that cannot compile is rejected at create time.
      auto compiled = jsonata::Expression::compile(s.substr(2, s.size() - 4));
      if (!compiled) {
        out_.push_back(Diagnostic{"ERROR", "INVALID_JSONATA_EXPRESSION",
                                  compiled.error().name + ": " + compiled.error().cause, loc, {}});
      }
    }
    return;
  }
  if (v.is_array()) {
    const auto& arr = v.as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      check_jsonata_value(arr[i], loc + "[" + std::to_string(i) + "]", depth + 1);
    }
  } else if (v.is_object()) {
    for (const auto& kv : v.as_object()) {
      check_jsonata_value(kv.value(), loc + "/" + std::string(kv.key()), depth + 1);
    }
  }
}

void Validator::check_int(const json::object& s, std::string_view field, std::int64_t min,
                          std::int64_t max, Lang lang, const std::string& loc) {
  const auto* v = s.if_contains(field);
  if (!v) return;
  if (lang == Lang::kJsonata && is_jsonata_expr(*v)) return;
  auto n = as_integer(*v);
  std::string f(field);
  if (!n) {
    error("The value for the field '" + f + "' must be an INTEGER", loc + "/" + f);
  } else if (*n < min || *n > max) {
    error("The value for the field '" + f + "' must be between " + std::to_string(min) + " and " +
              std::to_string(max),
          loc + "/" + f);
  }
}

void Validator::check_exclusive(const json::object& s, std::string_view a, std::string_view b,
                                const std::string& loc) {
  if (s.contains(a) && s.contains(b)) {
    error("Only one of '" + std::string(a) + "' or '" + std::string(b) + "' may be set", loc);
  }
}

void Validator::check_string(const json::object& s, std::string_view field, Lang lang,
                             const std::string& loc) {
  const auto* v = s.if_contains(field);
  if (!v) return;
  if (!v->is_string()) {
    error("The value for the field '" + std::string(field) + "' must be a STRING",
          loc + "/" + std::string(field));
  } else if (lang == Lang::kJsonata) {
    check_jsonata_value(*v, loc + "/" + std::string(field), 0);
  }
}

void Validator::check_enum(const json::object& s, std::string_view field,
                           std::initializer_list<std::string_view> values, const std::string& loc) {
  const auto* v = s.if_contains(field);
  if (!v) return;
  if (v->is_string() && in_list(v->as_string(), values)) return;
  std::string list;
  for (auto value : values) list += (list.empty() ? "" : ", ") + std::string(value);
  error("The field '" + std::string(field) + "' should have one of these values: [" + list + "]",
        loc + "/" + std::string(field));
}

void Validator::check_object_fields(const json::object& o,
                                    std::initializer_list<std::string_view> allowed,
                                    const std::string& loc) {
  for (const auto& kv : o) {
    if (!in_list(kv.key(), allowed)) {
      error("Field '" + std::string(kv.key()) + "' is not supported", loc);
    }
  }
}

// ---- Task ----------------------------------------------------------------------------------

void Validator::check_task(const json::object& s, Lang lang, const std::string& loc) {
  const auto* res = s.if_contains("Resource");
  if (!res) {
    error("These fields are required: [Resource]", loc);
  } else {
    check_resource(*res, loc + "/Resource");
  }
  check_int(s, "TimeoutSeconds", 1, limits::seconds_max, lang, loc);
  check_int(s, "HeartbeatSeconds", 1, limits::seconds_max, lang, loc);
  check_exclusive(s, "TimeoutSeconds", "TimeoutSecondsPath", loc);
  check_exclusive(s, "HeartbeatSeconds", "HeartbeatSecondsPath", loc);
  check_path(s, "TimeoutSecondsPath", jsonpath::PathKind::kReferencePath, loc, false);
  check_path(s, "HeartbeatSecondsPath", jsonpath::PathKind::kReferencePath, loc, false);
  const auto* t = s.if_contains("TimeoutSeconds");
  const auto* h = s.if_contains("HeartbeatSeconds");
  if (t && h && as_integer(*t) && as_integer(*h) && *as_integer(*h) >= *as_integer(*t)) {
    error(
        "The value for the field 'HeartbeatSeconds' must be smaller than the value for the "
        "field 'TimeoutSeconds'",
        loc + "/HeartbeatSeconds");
  }
  if (const auto* c = s.if_contains("Credentials")) {
    if (!c->is_object()) {
      error("The value for the field 'Credentials' must be an OBJECT", loc + "/Credentials");
    } else if (!c->as_object().contains("RoleArn") && !c->as_object().contains("RoleArn.$")) {
      error("The field 'RoleArn' is required but was missing", loc + "/Credentials");
    } else if (lang == Lang::kJsonPath) {
      check_template(*c, "Credentials", loc + "/Credentials");
    }
  }
}

void Validator::check_resource(const json::value& v, const std::string& loc) {
  if (!v.is_string()) {
    error("The value for the field 'Resource' must be a STRING", loc);
    return;
  }
  std::string_view arn = v.as_string();
  auto resolved = integrations::resolve(arn);
  if (options_.express && resolved) {
    using integrations::IntegrationPattern;
    const integrations::Integration in = resolved->integration;
    if (in.activity()) {
      error("Express state machine does not support Activity ARN", loc);
      return;
    }
    if (in.pattern == IntegrationPattern::kSync || in.pattern == IntegrationPattern::kSync2) {
      error("Express state machine does not support '.sync' service integration", loc);
      return;
    }
    if (in.pattern == IntegrationPattern::kWaitForTaskToken) {
      // AWS's text ends with a space before " at".
      error("Express state machine does not support '.waitForTaskToken' service integration ",
            loc);
      return;
    }
  }
  // A Resource outside the catalog (integrations/catalog.h) or with a pattern its integration
  // lacks: AWS's "The resource provided ... is not recognized".
  if (!resolved) error(resolved.error().cause, loc);
}

// ---- Choice --------------------------------------------------------------------------------

void Validator::check_choice(const json::object& s, Lang lang, const std::string& name,
                             const std::string& loc, Block& block) {
  if (const auto* d = s.if_contains("Default")) {
    if (!d->is_string()) {
      error("The value for the field 'Default' must be a STRING", loc + "/Default");
    } else {
      block.edges[name].push_back({std::string(d->as_string()), loc + "/Default"});
    }
  }
  const auto* choices = s.if_contains("Choices");
  if (!choices) {
    error("These fields are required: [Choices]", loc);
    return;
  }
  if (!choices->is_array() || choices->as_array().empty()) {
    error("The value for the field 'Choices' must be a non-empty ARRAY", loc + "/Choices");
    return;
  }
  const auto& arr = choices->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string cloc = loc + "/Choices[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      error("A choice rule must be an OBJECT", cloc);
      continue;
    }
    const auto& rule = arr[i].as_object();
    const auto* next = rule.if_contains("Next");
    if (!next) {
      error("These fields are required: [Next]", cloc);
    } else if (!next->is_string()) {
      error("The value for the field 'Next' must be a STRING", cloc + "/Next");
    } else {
      block.edges[name].push_back({std::string(next->as_string()), cloc + "/Next"});
    }
    if (lang == Lang::kJsonata) {
      check_jsonata_rule(rule, cloc);
    } else {
      check_jsonpath_rule(arr[i], cloc);
    }
  }
}

void Validator::language_error(Lang lang, std::string_view field, const std::string& loc) {
  bool jsonata = lang == Lang::kJsonata;
  error(std::string("The QueryLanguage is set to '") + (jsonata ? "JSONata" : "JSONPath") +
            "', but field '" + std::string(field) + "' is only supported for the '" +
            (jsonata ? "JSONPath" : "JSONata") + "' QueryLanguage",
        loc);
}

void Validator::check_jsonata_rule(const json::object& rule, const std::string& cloc) {
  for (const auto& kv : rule) {
    std::string_view key = kv.key();
    if (in_list(key, {"Condition", "Next", "Assign", "Output", "Comment"})) continue;
    if (in_list(key, {"Variable", "And", "Or", "Not"})) {
      language_error(Lang::kJsonata, key, cloc);
    } else {
      error("Field '" + std::string(key) + "' is not supported", cloc);
    }
  }
  const auto* cond = rule.if_contains("Condition");
  if (!cond) {
    error("These fields are required: [Condition]", cloc);
  } else if (!cond->is_bool() && !is_jsonata_expr(*cond)) {
    error("The value for the field 'Condition' must be a BOOLEAN or a JSONata expression",
          cloc + "/Condition");
  }
  for (std::string_view f : {"Assign", "Output"}) {
    if (const auto* v = rule.if_contains(f))
      check_jsonata_value(*v, cloc + "/" + std::string(f), 0);
  }
}

void Validator::check_jsonpath_rule(const json::value& rule_value, const std::string& cloc) {
  const auto& rule = rule_value.as_object();
  bool foreign = false;
  for (std::string_view f : {"Condition", "Output"}) {
    if (!rule.contains(f)) continue;
    language_error(Lang::kJsonPath, f, cloc);
    foreign = true;
  }
  if (const auto* a = rule.if_contains("Assign")) check_template(*a, "Assign", cloc + "/Assign");
  if (foreign) return;  // the rule is JSONata-shaped: its operators are not worth reporting
  std::string where;
  auto compiled = ChoiceRule::compile(rule_value, &where);
  if (!compiled.ok()) error(compiled.error().cause, cloc + where);
}

// ---- Wait / Fail ---------------------------------------------------------------------------

void Validator::check_wait(const json::object& s, Lang lang, const std::string& loc) {
  int count = 0;
  for (std::string_view f : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}) {
    count += s.contains(f) ? 1 : 0;
  }
  if (count != 1) {
    error("Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' must be set",
          loc);
  }
  check_int(s, "Seconds", 0, limits::seconds_max, lang, loc);
  check_path(s, "SecondsPath", jsonpath::PathKind::kReferencePath, loc, false);
  check_path(s, "TimestampPath", jsonpath::PathKind::kReferencePath, loc, false);
  if (const auto* t = s.if_contains("Timestamp")) {
    if (lang == Lang::kJsonata && is_jsonata_expr(*t)) return;
    Millis ms = 0;
    if (!t->is_string() || !parse_rfc3339(std::string(t->as_string()), &ms)) {
      error("String does not match RFC3339 timestamp", loc + "/Timestamp");
    }
  }
}

void Validator::check_fail(const json::object& s, Lang lang, const std::string& loc) {
  check_exclusive(s, "Error", "ErrorPath", loc);
  check_exclusive(s, "Cause", "CausePath", loc);
  check_string(s, "Error", lang, loc);
  check_string(s, "Cause", lang, loc);
  for (std::string_view f : {"ErrorPath", "CausePath"}) {
    const auto* v = s.if_contains(f);
    if (!v) continue;
    bool ok =
        v->is_string() &&
        (v->as_string().starts_with("$")
             ? jsonpath::Path::compile(v->as_string(), jsonpath::PathKind::kReferencePath).ok()
             : jsonpath::Intrinsic::compile(v->as_string()).ok());
    if (!ok) {
      error("The value for the field '" + std::string(f) +
                "' must be a valid JSONPath or a valid intrinsic function call",
            loc + "/" + std::string(f));
    }
  }
}

// ---- Parallel / Map ------------------------------------------------------------------------

void Validator::check_parallel(const json::object& s, const std::string& loc, std::size_t depth) {
  const auto* branches = s.if_contains("Branches");
  if (!branches) {
    error("These fields are required: [Branches]", loc);
    return;
  }
  if (!branches->is_array() || branches->as_array().empty()) {
    error("The value for the field 'Branches' must be a non-empty ARRAY", loc + "/Branches");
    return;
  }
  if (depth + 1 > limits::nesting_depth_max) {
    error("Parallel and Map states are nested deeper than " +
              std::to_string(limits::nesting_depth_max) + " levels",
          loc);
    return;
  }
  const auto& arr = branches->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string bloc = loc + "/Branches[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      error("The value for the field 'Branches' must be an ARRAY of OBJECTs", bloc);
      continue;
    }
    check_machine(arr[i].as_object(), bloc, depth + 1, {"Comment", "StartAt", "States"});
  }
}

void Validator::check_map(const json::object& s, Lang lang, const std::string& loc,
                          std::size_t depth) {
  const auto* proc = s.if_contains("ItemProcessor");
  const auto* iter = s.if_contains("Iterator");
  std::string_view field = proc ? "ItemProcessor" : "Iterator";
  if (proc && iter) {
    error("Only one of 'ItemProcessor' or 'Iterator' may be set", loc);
  } else if (!proc && !iter) {
    error("These fields are required: [ItemProcessor]", loc);
  }
  check_exclusive(s, "ItemSelector", "Parameters", loc);
  check_map_options(s, lang, loc);
  const json::value* body = proc ? proc : iter;
  if (!body) return;
  std::string ploc = loc + "/" + std::string(field);
  if (!body->is_object()) {
    error("The value for the field '" + std::string(field) + "' must be an OBJECT", ploc);
    return;
  }
  const auto& p = body->as_object();
  if (const auto* pc = p.if_contains("ProcessorConfig")) {
    if (!pc->is_object()) {
      error("The value for the field 'ProcessorConfig' must be an OBJECT",
            ploc + "/ProcessorConfig");
    } else {
      check_object_fields(pc->as_object(), {"Mode", "ExecutionType"}, ploc + "/ProcessorConfig");
      check_enum(pc->as_object(), "Mode", {"INLINE", "DISTRIBUTED"}, ploc + "/ProcessorConfig");
      check_enum(pc->as_object(), "ExecutionType", {"STANDARD", "EXPRESS"},
                 ploc + "/ProcessorConfig");
    }
  }
  if (depth + 1 > limits::nesting_depth_max) {
    error("Parallel and Map states are nested deeper than " +
              std::to_string(limits::nesting_depth_max) + " levels",
          loc);
    return;
  }
  check_machine(p, ploc, depth + 1, {"Comment", "StartAt", "States", "ProcessorConfig"});
}

void Validator::check_map_options(const json::object& s, Lang lang, const std::string& loc) {
  if (lang == Lang::kJsonPath)
    check_path(s, "ItemsPath", jsonpath::PathKind::kReferencePath, loc, false);
  if (const auto* items = s.if_contains("Items"); items && lang == Lang::kJsonata) {
    if (!items->is_array() && !is_jsonata_expr(*items)) {
      error("The value for the field 'Items' must be an ARRAY or a JSONata expression",
            loc + "/Items");
    }
  }
  check_int(s, "MaxConcurrency", 0, limits::seconds_max, lang, loc);
  check_int(s, "ToleratedFailureCount", 0, INT64_MAX, lang, loc);
  check_exclusive(s, "MaxConcurrency", "MaxConcurrencyPath", loc);
  check_exclusive(s, "ToleratedFailureCount", "ToleratedFailureCountPath", loc);
  check_exclusive(s, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", loc);
  for (std::string_view f :
       {"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"}) {
    check_path(s, f, jsonpath::PathKind::kReferencePath, loc, false);
  }
  if (const auto* p = s.if_contains("ToleratedFailurePercentage")) {
    bool expr = lang == Lang::kJsonata && is_jsonata_expr(*p);
    if (!expr && (!json::is_number(*p) || json::as_double(*p) < 0 || json::as_double(*p) > 100)) {
      error(
          "The value for the field 'ToleratedFailurePercentage' must be a number between 0 "
          "and 100",
          loc + "/ToleratedFailurePercentage");
    }
  }
  if (const auto* r = s.if_contains("ItemReader")) {
    if (!r->is_object()) {
      error("The value for the field 'ItemReader' must be an OBJECT", loc + "/ItemReader");
    } else {
      check_object_fields(r->as_object(), {"Resource", "Parameters", "Arguments", "ReaderConfig"},
                          loc + "/ItemReader");
      if (!r->as_object().contains("Resource")) {
        error("These fields are required: [Resource]", loc + "/ItemReader");
      }
      check_nested_template(r->as_object(), "Parameters", lang, loc + "/ItemReader");
    }
  }
  if (const auto* b = s.if_contains("ItemBatcher")) {
    if (!b->is_object()) {
      error("The value for the field 'ItemBatcher' must be an OBJECT", loc + "/ItemBatcher");
    } else {
      const auto& o = b->as_object();
      check_object_fields(o,
                          {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                           "MaxInputBytesPerBatchPath", "BatchInput"},
                          loc + "/ItemBatcher");
      check_int(o, "MaxItemsPerBatch", 1, INT64_MAX, lang, loc + "/ItemBatcher");
      check_int(o, "MaxInputBytesPerBatch", 1, 256 * 1024, lang, loc + "/ItemBatcher");
      check_nested_template(o, "BatchInput", lang, loc + "/ItemBatcher");
    }
  }
  if (const auto* w = s.if_contains("ResultWriter")) {
    if (!w->is_object()) {
      error("The value for the field 'ResultWriter' must be an OBJECT", loc + "/ResultWriter");
    } else {
      check_object_fields(w->as_object(), {"Resource", "Parameters", "Arguments", "WriterConfig"},
                          loc + "/ResultWriter");
      check_nested_template(w->as_object(), "Parameters", lang, loc + "/ResultWriter");
    }
  }
  if (const auto* l = s.if_contains("Label")) check_label(*l, loc);
}

// The recorded Label errors carry their own wording, quoting the definition as Python writes
// JSON; the diagnostic keeps a short message and the full text for CreateStateMachine.
void Validator::check_label(const json::value& v, const std::string& loc) {
  if (!v.is_string()) {
    error("The value for the field 'Label' must be a STRING", loc + "/Label");
    return;
  }
  std::string_view label = v.as_string();
  std::string reason;
  if (label.empty()) {
    reason = "Label cannot be empty";
  } else if (utf8_length(label) > label_chars_max) {
    reason = "Label cannot exceed " + std::to_string(label_chars_max) + " characters";
  } else if (auto bad = bad_label_char(label)) {
    reason = "Label contains invalid character: '" + py_char_repr(bad->first, bad->second) + "'";
  } else {
    return;
  }
  std::string def;
  py_dump(definition_, def, 0);
  std::string full =
      "Error=ValueError Args=[" + py_str_repr(reason) + "] in definition '" + def + "'.";
  out_.push_back(Diagnostic{"ERROR", kSchema, reason, loc + "/Label", std::move(full)});
}

// ---- Retry / Catch -------------------------------------------------------------------------

void Validator::check_error_equals(const json::object& o, const std::string& loc, bool last) {
  const auto* ee = o.if_contains("ErrorEquals");
  if (!ee) {
    error("These fields are required: [ErrorEquals]", loc);
    return;
  }
  if (!ee->is_array() || ee->as_array().empty()) {
    error("The value for the field 'ErrorEquals' must be a non-empty ARRAY", loc + "/ErrorEquals");
    return;
  }
  const auto& arr = ee->as_array();
  for (const auto& e : arr) {
    if (!e.is_string()) {
      error("The value for the field 'ErrorEquals' must be an ARRAY of STRINGs",
            loc + "/ErrorEquals");
      return;
    }
    if (e.as_string() != "States.ALL") continue;
    if (arr.size() != 1) {
      error("'States.ALL' must appear alone in 'ErrorEquals'", loc + "/ErrorEquals");
    } else if (!last) {
      error("'States.ALL' must appear in the last element of the array", loc + "/ErrorEquals");
    }
  }
}

void Validator::check_retry(const json::value& v, const std::string& loc) {
  if (!v.is_array()) {
    error("The value for the field 'Retry' must be an ARRAY", loc);
    return;
  }
  const auto& arr = v.as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string rloc = loc + "[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      error("The value for the field 'Retry' must be an ARRAY of OBJECTs", rloc);
      continue;
    }
    const auto& r = arr[i].as_object();
    check_object_fields(r,
                        {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                         "MaxDelaySeconds", "JitterStrategy", "Comment"},
                        rloc);
    check_error_equals(r, rloc, i + 1 == arr.size());
    check_int(r, "IntervalSeconds", 1, limits::seconds_max, Lang::kJsonPath, rloc);
    check_int(r, "MaxAttempts", 0, limits::seconds_max, Lang::kJsonPath, rloc);
    check_int(r, "MaxDelaySeconds", 1, max_delay_seconds_max, Lang::kJsonPath, rloc);
    if (const auto* b = r.if_contains("BackoffRate")) {
      if (!json::is_number(*b) || json::as_double(*b) < 1.0) {
        error("The value for the field 'BackoffRate' must be a number no less than 1.0",
              rloc + "/BackoffRate");
      }
    }
    check_enum(r, "JitterStrategy", {"FULL", "NONE"}, rloc);
  }
}

void Validator::check_catch(const json::value& v, Lang lang, const std::string& name,
                            const std::string& loc, Block& block) {
  if (!v.is_array()) {
    error("The value for the field 'Catch' must be an ARRAY", loc);
    return;
  }
  const auto& arr = v.as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string cloc = loc + "[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      error("The value for the field 'Catch' must be an ARRAY of OBJECTs", cloc);
      continue;
    }
    const auto& c = arr[i].as_object();
    check_object_fields(c, {"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"},
                        cloc);
    check_error_equals(c, cloc, i + 1 == arr.size());
    const auto* next = c.if_contains("Next");
    if (!next) {
      error("These fields are required: [Next]", cloc);
    } else if (!next->is_string()) {
      error("The value for the field 'Next' must be a STRING", cloc + "/Next");
    } else {
      block.edges[name].push_back({std::string(next->as_string()), cloc + "/Next"});
    }
    if (lang == Lang::kJsonPath) {
      if (c.contains("Output")) language_error(lang, "Output", cloc);
      check_path(c, "ResultPath", jsonpath::PathKind::kReferencePath, cloc, true);
      if (const auto* a = c.if_contains("Assign")) check_template(*a, "Assign", cloc + "/Assign");
    } else {
      if (c.contains("ResultPath")) language_error(lang, "ResultPath", cloc);
      for (std::string_view f : {"Output", "Assign"}) {
        if (const auto* a = c.if_contains(f))
          check_jsonata_value(*a, cloc + "/" + std::string(f), 0);
      }
    }
  }
}

// ---- graph phase ---------------------------------------------------------------------------

void Validator::check_graph() {
  std::vector<Diagnostic> targets;
  std::vector<Diagnostic> tail;
  for (const Block& b : blocks_) {
    std::unordered_set<std::string> names(b.names.begin(), b.names.end());
    if (!names.contains(b.start_at)) {
      targets.push_back(Diagnostic{"ERROR",
                                   kMissingTarget,
                                   "Missing 'StartAt' target: " + b.start_at,
                                   b.location + "/StartAt",
                                   {}});
    }
    for (const auto& n : b.names) {
      auto it = b.edges.find(n);
      if (it == b.edges.end()) continue;
      for (const auto& t : it->second) {
        if (!names.contains(t.target)) {
          targets.push_back(Diagnostic{
              "ERROR", kMissingTarget, "Missing 'Next' target: " + t.target, t.location, {}});
        }
      }
    }
    if (b.terminal.empty()) {
      tail.push_back(
          Diagnostic{"ERROR", "MISSING_END_STATE", "Workflow has no terminal state", "", {}});
      continue;  // AWS skips the reachability walk for such a block
    }
    std::unordered_set<std::string> seen;
    std::vector<std::string> work;
    if (names.contains(b.start_at)) work.push_back(b.start_at);
    while (!work.empty()) {
      std::string cur = std::move(work.back());
      work.pop_back();
      if (!seen.insert(cur).second) continue;
      auto it = b.edges.find(cur);
      if (it == b.edges.end()) continue;
      for (const auto& t : it->second) {
        if (names.contains(t.target) && !seen.contains(t.target)) work.push_back(t.target);
      }
    }
    if (seen.empty()) continue;  // a missing StartAt was already reported
    for (const auto& n : b.names) {
      if (!seen.contains(n)) {
        targets.push_back(Diagnostic{"ERROR",
                                     kMissingTarget,
                                     "State \"" + n + "\" is not reachable.",
                                     b.location + "/States/" + n,
                                     {}});
      }
    }
  }
  for (auto& d : targets) out_.push_back(std::move(d));
  for (auto& d : tail) out_.push_back(std::move(d));
}

// ---- definitions that are not JSON ---------------------------------------------------------

// Jackson's "Source" excerpt and 1-based line/column of a byte offset.
std::string jackson_source(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  // Jackson quotes at most 500 characters of the source and says how many it left out.
  constexpr std::size_t snippet_chars_max = 500;
  std::string snippet(text.substr(0, snippet_chars_max));
  std::string more;
  if (text.size() > snippet_chars_max) {
    more = "[truncated " + std::to_string(text.size() - snippet_chars_max) + " chars]";
  }
  return "[Source: (String)\"" + snippet + "\"" + more + "; line: " + std::to_string(line) +
         ", column: " + std::to_string(col) + "]";
}

// Jackson's description of an unexpected character: "'}' (code 125)", "(CTRL-CHAR, code 10)".
std::string jackson_char(std::string_view text, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x20) return "(CTRL-CHAR, code " + std::to_string(c) + ")";
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  std::string ch(text.substr(i, len));
  std::uint32_t cp = c;
  if (len > 1 && i + len <= text.size()) {
    cp = c & (0xFFu >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (text[i + k] & 0x3Fu);
  }
  if (cp > 255) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", cp);
    return "'" + ch + "' (code " + std::to_string(cp) + " / 0x" + hex + ")";
  }
  return "'" + ch + "' (code " + std::to_string(cp) + ")";
}

struct JsonSyntaxError {
  std::string message;
  std::size_t offset;  // where Jackson reports it (just after what it read)
};

// Scans text the way Jackson reads it and words the first error as Jackson does. Returns
// nullopt when Jackson would read a complete value (trailing content is ignored, as its
// default ObjectMapper does) or when the input is beyond what this scanner models.
class JacksonScanner {
 public:
  explicit JacksonScanner(std::string_view text) : t_(text) {}
  std::optional<JsonSyntaxError> run();

 private:
  enum class Want { kValue, kValueOrClose, kKeyOrClose, kKey, kColon, kCommaOrClose, kDone };
  struct Frame {
    bool object;
    std::size_t start;
  };

  std::optional<JsonSyntaxError> unexpected(std::string_view expecting) const {
    return JsonSyntaxError{
        "Unexpected character (" + jackson_char(t_, i_) + "): " + std::string(expecting), i_ + 1};
  }
  void after_value() { want_ = stack_.empty() ? Want::kDone : Want::kCommaOrClose; }
  std::optional<JsonSyntaxError> end_of_input() const;
  std::optional<JsonSyntaxError> string();
  std::optional<JsonSyntaxError> value();
  std::optional<JsonSyntaxError> close(char c);

  static constexpr const char* kValidValues =
      "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
  std::string_view t_;
  std::size_t i_ = 0;
  Want want_ = Want::kValue;
  std::vector<Frame> stack_;
};

std::optional<JsonSyntaxError> JacksonScanner::end_of_input() const {
  if (stack_.empty()) return std::nullopt;
  const Frame& f = stack_.back();
  return JsonSyntaxError{std::string("Unexpected end-of-input: expected close marker for ") +
                             (f.object ? "Object" : "Array") + " (start marker at " +
                             jackson_source(t_, f.start) + ")",
                         t_.size()};
}

std::optional<JsonSyntaxError> JacksonScanner::string() {
  for (++i_; i_ < t_.size(); ++i_) {
    unsigned char c = static_cast<unsigned char>(t_[i_]);
    if (c == '\\') {
      ++i_;
    } else if (c == '"') {
      ++i_;
      return std::nullopt;
    } else if (c < 0x20) {
      return JsonSyntaxError{"Illegal unquoted character (" + jackson_char(t_, i_) +
                                 "): has to be escaped using backslash to be included in string "
                                 "value",
                             i_ + 1};
    }
  }
  return JsonSyntaxError{"Unexpected end-of-input: was expecting closing quote for a string value",
                         t_.size()};
}

std::optional<JsonSyntaxError> JacksonScanner::value() {
  char c = t_[i_];
  if (c == '{' || c == '[') {
    // Deeper than the parser accepts: stop here (returning no error without advancing would
    // loop forever).
    if (stack_.size() >= limits::json_depth_max) {
      return JsonSyntaxError{"Document nesting depth (" + std::to_string(stack_.size() + 1) +
                                 ") exceeds the maximum allowed (" +
                                 std::to_string(limits::json_depth_max) + ")",
                             i_ + 1};
    }
    stack_.push_back({c == '{', i_++});
    want_ = c == '{' ? Want::kKeyOrClose : Want::kValueOrClose;
    return std::nullopt;
  }
  if (c == '"') {
    auto err = string();
    if (!err) after_value();
    return err;
  }
  auto is_word = [](char w) {
    return (w >= 'a' && w <= 'z') || (w >= 'A' && w <= 'Z') || (w >= '0' && w <= '9') || w == '_' ||
           w == '-' || w == '+' || w == '.';
  };
  if (!is_word(c)) return unexpected(std::string("expected a valid value ") + kValidValues);
  std::size_t end = i_;
  while (end < t_.size() && is_word(t_[end])) ++end;
  std::string_view tok = t_.substr(i_, end - i_);
  bool number = c == '-' || (c >= '0' && c <= '9');
  if (!number && tok != "true" && tok != "false" && tok != "null") {
    return JsonSyntaxError{
        "Unrecognized token '" + std::string(tok) + "': was expecting " + kValidValues, end};
  }
  i_ = end;
  after_value();
  return std::nullopt;
}

std::optional<JsonSyntaxError> JacksonScanner::close(char c) {
  bool object = stack_.back().object;
  if (c == (object ? '}' : ']')) {
    stack_.pop_back();
    ++i_;
    after_value();
    return std::nullopt;
  }
  if (c == ',') {
    ++i_;
    want_ = object ? Want::kKey : Want::kValue;
    return std::nullopt;
  }
  return unexpected(object ? "was expecting comma to separate Object entries"
                           : "was expecting comma to separate Array entries");
}

std::optional<JsonSyntaxError> JacksonScanner::run() {
  while (want_ != Want::kDone) {
    while (i_ < t_.size() &&
           (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
      ++i_;
    }
    if (i_ >= t_.size()) return end_of_input();
    char c = t_[i_];
    std::optional<JsonSyntaxError> err;
    switch (want_) {
      case Want::kValueOrClose:
        if (c == ']') {
          stack_.pop_back();
          ++i_;
          after_value();
          break;
        }
        err = value();
        break;
      case Want::kValue:
        err = value();
        break;
      case Want::kKeyOrClose:
      case Want::kKey:
        if (c == '}' && want_ == Want::kKeyOrClose) {
          stack_.pop_back();
          ++i_;
          after_value();
        } else if (c == '"') {
          err = string();
          want_ = Want::kColon;
        } else {
          err = unexpected("was expecting double-quote to start field name");
        }
        break;
      case Want::kColon:
        if (c != ':') return unexpected("was expecting a colon to separate field name and value");
        ++i_;
        want_ = Want::kValue;
        break;
      case Want::kCommaOrClose:
        err = close(c);
        break;
      case Want::kDone:
        break;
    }
    if (err) return err;
  }
  return std::nullopt;
}

Diagnostic invalid_json(std::string_view text, const std::string& parser_message) {
  auto err = JacksonScanner(text).run();
  std::string message = err ? err->message : parser_message;
  std::string source = jackson_source(text, err ? err->offset : text.size());
  return Diagnostic{"ERROR", "INVALID_JSON_DESCRIPTION", message + "\n at " + source, source, {}};
}

}  // namespace

std::vector<Diagnostic> validate(const json::value& definition, const ValidateOptions& options) {
  try {
    return Validator(definition, options).run();
  } catch (const std::exception& e) {
    // Accessors are checked before use; this is a last guard so nothing escapes the module.
    return {Diagnostic{
        "ERROR", kSchema, std::string("Internal validation error: ") + e.what(), "/", {}}};
  }
}

std::vector<Diagnostic> validate(const json::value& definition) {
  return validate(definition, ValidateOptions{});
}

std::vector<Diagnostic> validate_text(std::string_view text, const ValidateOptions& options) {
  bool blank = std::all_of(text.begin(), text.end(),
                           [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  if (blank)
    return {Diagnostic{"ERROR", kSchema, "Definition must be a valid JSON object", "", {}}};
  auto parsed = json::parse(text);
  if (!parsed.ok()) return {invalid_json(text, parsed.error().cause)};
  return validate(*parsed, options);
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == "ERROR"; });
}

std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == "ERROR" && !d.create_message.empty()) return d.create_message;
  }
  std::string list;
  for (const auto& d : diagnostics) {
    if (d.severity != "ERROR") continue;
    if (!list.empty()) list += ", ";
    list += d.code + ": " + d.message + " at " + (d.location.empty() ? "null" : d.location);
  }
  return "Invalid State Machine Definition: '" + list + "'";
}

}  // namespace stepwise::asl
