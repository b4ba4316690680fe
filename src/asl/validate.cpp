// The ASL validator. One Validator walks the definition once (schema phase), collecting each
// States block's transitions; the graph phase then checks targets, terminal states and
// reachability per block. Texts are AWS's as recorded (see validate_test.cpp). This file holds
// the walk itself (top level, each state's common fields, paths, templates) and the public
// functions; validator.h lists the other files.
#include "asl/validate.h"
#include "asl/validator.h"
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
#include "base/limits.h"
#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::asl {
namespace validation {

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
        out_.push_back(Diagnostic{"ERROR",
                                  "INVALID_JSONATA_EXPRESSION",
                                  compiled.error().name + ": " + compiled.error().cause,
                                  loc,
                                  {}});
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
  if (lang == Lang::kJsonata && is_jsonata_expr(*v)) {
    // An expression's value is checked when it runs; its text must parse now, as the compiler
    // parses it at create time too.
    check_jsonata_value(*v, loc + "/" + std::string(field), 0);
    return;
  }
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

}  // namespace validation

using validation::invalid_json;
using validation::kSchema;
using validation::Validator;

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
