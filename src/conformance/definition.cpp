#include "conformance/definition.h"

#include "asl/compile.h"
#include "asl/validate.h"

namespace stepwise::conformance {
namespace {

json::object diagnostic_json(const asl::Diagnostic& d) {
  json::object o;
  o["code"] = d.code;
  if (!d.location.empty()) o["location"] = d.location;
  o["message"] = d.message;
  o["severity"] = d.severity;
  return o;
}

}  // namespace

json::value validation_response(std::string_view definition_text, bool express) {
  asl::ValidateOptions options;
  options.express = express;
  auto diagnostics = asl::validate_text(definition_text, options);
  json::array list;
  for (const auto& d : diagnostics) list.push_back(diagnostic_json(d));
  return json::object{{"diagnostics", std::move(list)},
                      {"result", asl::has_errors(diagnostics) ? "FAIL" : "OK"},
                      {"truncated", false}};
}

std::optional<std::string> create_error_message(const json::value& definition, bool express) {
  asl::ValidateOptions options;
  options.express = express;
  std::vector<asl::Diagnostic> errors;
  for (auto& d : asl::validate(definition, options))
    if (d.severity == "ERROR") errors.push_back(std::move(d));
  if (!errors.empty()) {
    for (const auto& d : errors)
      if (!d.create_message.empty()) return d.create_message;
    return asl::invalid_definition_message(errors);
  }
  auto compiled = asl::compile(definition);
  if (!compiled.ok()) return compiled.error().cause;
  return std::nullopt;
}

std::optional<std::string> create_error_message_text(std::string_view definition_text,
                                                     bool express) {
  asl::ValidateOptions options;
  options.express = express;
  auto diagnostics = asl::validate_text(definition_text, options);
  if (asl::has_errors(diagnostics)) {
    auto p = json::parse(definition_text);
    if (p.ok() && p->is_object()) return create_error_message(*p, express);
    return asl::invalid_definition_message(diagnostics);
  }
  auto p = json::parse(definition_text);
  if (p.ok()) return create_error_message(*p, express);
  return std::nullopt;
}

}  // namespace stepwise::conformance
