// Comparison of a normalised actual value with a recorded expectation, as compare.loose_equal
// does: placeholders left in expected strings ("<uuid:1>", "date", "snf_role_arn", and a case's
// `dynamic_placeholders`) are wildcards; numbers compare by value (1 == 1.0); booleans strictly.
//
// Also the two ways of setting parts of a document aside: strip_keys (SDK HTTP metadata, never
// reproducible) and remove_paths (a case's `localstack_skip_verify_paths`, compared softly).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "json/json.h"

namespace stepwise::conformance {

struct Difference {
  std::string path;      // e.g. "output.items[2].name" ("" for the root)
  std::string expected;  // short renderings of the two sides, or what is missing
  std::string actual;

  // "output.items[2].name: expected "a", got "b"" (long values cut short).
  std::string describe() const;
};

using Tokens = std::vector<std::string>;

// The first place (depth-first, expected's key order) where the values differ; nullopt if equal.
std::optional<Difference> first_difference(const json::value& expected, const json::value& actual,
                                           const Tokens& extra_tokens = {},
                                           const std::string& path = "");

inline bool loose_equal(const json::value& expected, const json::value& actual,
                        const Tokens& extra_tokens = {}) {
  return !first_difference(expected, actual, extra_tokens).has_value();
}

// True when `actual` matches the expected text with its placeholders as wildcards.
bool text_matches(const std::string& expected, const std::string& actual,
                  const Tokens& extra_tokens = {});

// A copy without the subtrees under any of these keys, at any depth.
json::value strip_keys(const json::value& v, const std::vector<std::string>& keys);

// The keys compare.check_execution ignores by default.
const std::vector<std::string>& sdk_metadata_keys();

// Removes what these JSONPaths select ("$..Key", "$..a.b", "$..events[4].previousEventId").
// Paths it cannot read are ignored.
void remove_paths(json::value& v, const std::vector<std::string>& paths);

// A short one-line rendering of a value for messages.
std::string brief(const json::value& v, std::size_t chars_max = 160);

}  // namespace stepwise::conformance
