// Create-time checks of workflow variables (Assign), as the AWS developer guide states them
// ("Passing data between states with variables"):
//  - a variable name follows the Unicode identifier rules (ID_Start then ID_Continue; `_` and
//    `$`-free), is at most 80 characters, and is not the reserved name `states`;
// AWS's guide also says an inner scope (Parallel branch, Map iteration) must not assign a name
// an outer scope assigns, but AWS does not enforce it statically: it ran a definition whose
// branch and whose outer Catcher both assign `inputVar`
// (error_handling__test_parallel_catch_error[PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING]), so
// neither do we.
// A reference to a name that nothing assigns is NOT an error here: AWS accepts such a
// definition and the execution fails at run time with States.QueryEvaluationError (recorded in
// variables__test_undefined_reference).
//
// Pure; recursion is bounded by the caller's nesting limit (limits::nesting_depth_max).
// Thread-safety: free function, no shared state.
#pragma once

#include <string_view>
#include <vector>

#include "asl/validate.h"
#include "json/json.h"

namespace stepwise::asl {

// Appends a SCHEMA_VALIDATION_FAILED diagnostic for each violation in a definition whose shape
// is otherwise valid (fields of the wrong type are skipped: the schema checks report them).
void check_variables(const json::object& machine, std::vector<Diagnostic>& out);

// True for a name AWS accepts as a variable name.
bool valid_variable_name(std::string_view name);

}  // namespace stepwise::asl
