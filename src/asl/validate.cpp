// Placeholder until the validator lands: accepts everything.
#include "asl/validate.h"

namespace stepwise::asl {

std::vector<Diagnostic> validate(const json::value& definition) {
  (void)definition;
  return {};
}

std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics) {
  std::string out = "Invalid State Machine Definition: ";
  for (const auto& d : diagnostics) out += "'" + d.code + ": " + d.message + " at " + d.location + "'";
  return out;
}

}  // namespace stepwise::asl
