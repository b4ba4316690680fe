// The validator's checks of each state type: Task (and its Resource), Choice rules, Wait, Fail,
// Parallel, Map (ItemProcessor, ItemReader, Label, tolerances), Retry and Catch.
#include "asl/validator.h"

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

namespace stepwise::asl::validation {

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
    } else {
      check_jsonata_value(*c, loc + "/Credentials", 0);
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
      error("Express state machine does not support '.waitForTaskToken' service integration ", loc);
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
  } else {
    // The expression must compile too: the compiler rejects what the validator lets through
    // otherwise, and a machine that validates must create.
    check_jsonata_value(*cond, cloc + "/Condition", 0);
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
    } else {
      check_jsonata_value(*items, loc + "/Items", 0);
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
    if (expr) check_jsonata_value(*p, loc + "/ToleratedFailurePercentage", 0);
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
      check_s3_resource(r->as_object(), true, loc + "/ItemReader");
      check_reader_config(r->as_object(), lang, loc + "/ItemReader");
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
      check_batcher_paths(o, lang, loc + "/ItemBatcher");
    }
  }
  if (const auto* w = s.if_contains("ResultWriter")) {
    if (!w->is_object()) {
      error("The value for the field 'ResultWriter' must be an OBJECT", loc + "/ResultWriter");
    } else {
      check_object_fields(w->as_object(), {"Resource", "Parameters", "Arguments", "WriterConfig"},
                          loc + "/ResultWriter");
      check_nested_template(w->as_object(), "Parameters", lang, loc + "/ResultWriter");
      check_s3_resource(w->as_object(), false, loc + "/ResultWriter");
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

}  // namespace stepwise::asl::validation
