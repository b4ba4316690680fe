// The ASL validator: checks a definition (raw JSON) the way AWS does and says what is wrong in
// AWS's words.
//
// Two outputs, from one set of checks:
//  - diagnostics in the shape of ValidateStateMachineDefinition (code, message, location such as
//    "/States/Check/Next", severity ERROR or WARNING);
//  - the InvalidDefinition message CreateStateMachine answers with, where the recorded cases show
//    AWS's text ("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/X'").
//
// Checks run in two phases, as AWS's answers show: the schema (fields, types, ranges, paths,
// query languages, per state type) and then the graph (transition targets, a terminal state,
// reachability). Graph diagnostics are only computed for a definition whose schema is valid.
//
// Pure; never recurses without a bound on hostile input (limits::nesting_depth_max for
// Parallel/Map nesting, limits::states_max states, limits::json_depth_max inside templates).
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"

namespace stepwise::asl {

struct Diagnostic {
  std::string severity = "ERROR";  // ERROR | WARNING
  std::string code;                // e.g. "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET"
  std::string message;
  std::string location;  // e.g. "/States/Check/Next"; empty: AWS gives none
  // When set, CreateStateMachine answers with exactly this text instead of the usual
  // "Invalid State Machine Definition: ..." list (the recorded Map Label errors have their own
  // wording, which quotes the whole definition).
  std::string create_message;
};

struct ValidateOptions {
  // EXPRESS machines reject activities, ".sync" and ".waitForTaskToken" integrations.
  bool express = false;
  // Skip the graph phase (targets, terminal state, reachability): for TestState, where one
  // state is checked on its own and its Next names a state that is not there.
  bool schema_only = false;
};

// All diagnostics for a parsed definition (empty: valid).
std::vector<Diagnostic> validate(const json::value& definition);
std::vector<Diagnostic> validate(const json::value& definition, const ValidateOptions& options);

// As validate, from the definition's text: text that is not JSON gives AWS's
// INVALID_JSON_DESCRIPTION diagnostic, text that is not an object (or blank) AWS's
// "Definition must be a valid JSON object".
std::vector<Diagnostic> validate_text(std::string_view text, const ValidateOptions& options = {});

// Jackson's words for JSON text that does not parse, without the " at [Source: ...]" tail:
// what AWS quotes in InvalidExecutionInput for an execution's (or a TestState's) input.
// `fallback` when the scanner cannot place the error.
std::string json_syntax_message(std::string_view text, const std::string& fallback);

// True when any diagnostic is an ERROR.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

// CreateStateMachine's InvalidDefinition message for these diagnostics (errors only):
// "Invalid State Machine Definition: 'CODE: message at location, CODE: message at location'".
std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics);

}  // namespace stepwise::asl
