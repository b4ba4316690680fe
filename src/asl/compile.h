// asl::compile: a definition (parsed JSON) to an immutable, validated StateMachine.
//
// Runs asl::validate first; any ERROR diagnostic becomes Error{"InvalidDefinition",
// invalid_definition_message(...)}, AWS's CreateStateMachine wording. Then every path, template,
// intrinsic and choice rule is compiled once, and names become state indices.
//
// Pure; bounded by limits::nesting_depth_max and limits::states_max. Thread-safe (no state).
#pragma once

#include <memory>
#include <string_view>

#include "asl/model.h"
#include "base/result.h"
#include "json/json.h"

namespace stepwise::asl {

Result<std::shared_ptr<const StateMachine>> compile(const json::value& definition);

// Parses JSON text (errors: "InvalidDefinition" with the parser's message) and compiles it.
Result<std::shared_ptr<const StateMachine>> compile_text(std::string_view text);

}  // namespace stepwise::asl
