// What the control plane says about a definition before any execution: the
// ValidateStateMachineDefinition response for a definition text, and CreateStateMachine's
// InvalidDefinition error. Shared by the conformance runner and `stepwise validate`.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "json/json.h"

namespace stepwise::conformance {

// {"result": "OK"|"FAIL", "diagnostics": [{"code","message","location"?,"severity"}],
//  "truncated": false}, as ValidateStateMachineDefinition answers (text that is not a JSON
// object gets AWS's SCHEMA_VALIDATION_FAILED / INVALID_JSON_DESCRIPTION diagnostics).
json::value validation_response(std::string_view definition_text, bool express = false);

// CreateStateMachine's InvalidDefinition message for this definition, or nullopt when AWS would
// accept it (validator first, then the compiler when it is built in).
// `express`: an EXPRESS machine (which rejects activities, .sync and .waitForTaskToken).
std::optional<std::string> create_error_message(const json::value& definition,
                                                bool express = false);
std::optional<std::string> create_error_message_text(std::string_view definition_text,
                                                     bool express = false);

}  // namespace stepwise::conformance
