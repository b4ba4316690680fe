// Internal: JSON values printed the way Java's toString prints AWS's in-memory JSON (Maps and
// Lists), which is what States.Format and Jayway's error texts show: {k=v, k2=[1, x]}.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>

#include "json/json.h"

namespace stepwise::jsonpath::detail {

// Appends v to out: strings raw (no quotes), numbers/booleans/null as JSON writes them, objects
// as {k=v, ...}, arrays as [a, b]. Nesting deeper than limits::json_depth_max is cut off.
void append_java_string(const json::value& v, std::string& out);

}  // namespace stepwise::jsonpath::detail
