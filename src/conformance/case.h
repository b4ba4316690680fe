// A conformance case: one recorded AWS answer (see /work/shared/conformance/README.md), loaded
// from its JSON file, with typed accessors for the fields the runner reads.
//
// Thread-safety: a loaded Case is immutable; share it freely between threads.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::conformance {

// A case file larger than this is not a recording from the corpus; it is refused unread.
inline constexpr std::size_t case_file_bytes_max = 16 * 1024 * 1024;

struct Case {
  std::string file;  // where it was read from
  std::string name;
  std::string category;
  std::string kind;  // execution, execution_sync, validate_definition, create_error, ...
  json::object doc;  // the whole case

  const json::object& expected() const;
  const json::object& normalisation() const;
  const json::object& names() const;               // names_used_when_traced ({} when absent)
  std::vector<std::string> requires_list() const;  // `requires`
  std::vector<std::string> strings(const json::object& o, const char* key) const;
  bool express() const;  // EXPRESS machine (or a StartSyncExecution case)
};

Result<Case> load_case(const std::string& path);

// The *.json files of a directory, sorted by name. Errors when the directory is unreadable.
Result<std::vector<std::string>> list_case_files(const std::string& dir);

// String field of an object, or "" when absent or not a string.
std::string string_of(const json::object& o, const char* key);
// Object field of an object, or an empty object.
const json::object& object_of(const json::object& o, const char* key);

}  // namespace stepwise::conformance
