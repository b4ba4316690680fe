// The ASL validator: checks a definition (raw JSON) the way AWS does and says what is wrong in
// AWS's words.
//
// Two outputs, from one set of checks:
//  - diagnostics in the shape of ValidateStateMachineDefinition (code, message, location such as
//    "/States/Check/Next", severity ERROR or WARNING);
//  - the InvalidDefinition message CreateStateMachine answers with, where the recorded cases show
//    AWS's text ("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/X'").
//
// Pure; never recurses without a bound on hostile input.
#pragma once

#include <string>
#include <vector>

#include "json/json.h"

namespace stepwise::asl {

struct Diagnostic {
  std::string severity = "ERROR";  // ERROR | WARNING
  std::string code;                // e.g. "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET"
  std::string message;
  std::string location;            // e.g. "/States/Check/Next"
};

// All diagnostics for a parsed definition (empty: valid).
std::vector<Diagnostic> validate(const json::value& definition);

// CreateStateMachine's InvalidDefinition message for these diagnostics (errors only).
std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics);

}  // namespace stepwise::asl
