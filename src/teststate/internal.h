// Internals of the TestState library shared by its .cpp files (not part of its interface).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/json.h"
#include "teststate/request.h"

namespace stepwise::teststate::detail {

// Nested machines (Map processors, Parallel branches) searched for `stateName`.
inline constexpr std::size_t state_search_depth_max = 64;  // AWS's own nesting limit is lower

// The state under test, found in the request's definition.
struct Target {
  std::string name;            // its name ("StateName" for a lone state definition)
  json::object state;          // its definition
  std::string query_language;  // its own, else the enclosing machine's, else "JSONPath"
  std::string type;            // Type
};

// Finds the state: the lone state, or `stateName` in a machine (nested machines included).
Result<Target> locate(const Request& req);

// Python's json.dumps text (", " and ": "): the way TestState writes its JSON text fields.
std::string spaced_dump(const json::value& v, std::size_t depth = 0);

// Error-name matching of Retry/Catch (States.ALL; States.TaskFailed except States.Timeout).
bool error_matches(const json::value& error_equals, const std::string& error);

}  // namespace stepwise::teststate::detail
