// Resource tags as AWS's JSON-protocol services take them (the built-in EventBridge and
// DynamoDB): the shared limits (50 tags a resource, keys 1-128 and values 0-256 characters),
// reading the entries of a request's `Tags` ([{"Key", "Value"}]) and `TagKeys` (strings), the
// length and character checks, merging and removing, and the JSON a tag list is answered and
// recorded as. Each service words its own errors (their texts differ by service).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/json.h"

namespace stepwise::services {

namespace tag_limits {
// AWS's limits for EventBridge rules and buses and DynamoDB tables (the services' models and
// quotas): 50 user tags a resource; a key 1-128 characters, a value 0-256 (Unicode characters,
// not bytes).
inline constexpr std::size_t tags_per_resource_max = 50;
inline constexpr std::size_t key_chars_min = 1;
inline constexpr std::size_t key_chars_max = 128;
inline constexpr std::size_t value_chars_max = 256;
}  // namespace tag_limits

// A resource's tags, in the order their keys were first added; keys are unique.
using TagList = std::vector<std::pair<std::string, std::string>>;

// One entry of a `Tags` member as given: Key and Value, each absent (or null) or a string.
struct GivenTag {
  std::optional<std::string> key;
  std::optional<std::string> value;
};
// The entries of a `Tags` member (null or absent: none); nullopt when it is not a list of
// objects whose Key and Value are strings (or absent). The services word their own checks of
// each entry (EventBridge answers its model's constraint texts, DynamoDB its own).
std::optional<std::vector<GivenTag>> tag_entries(const json::value* given);
// The strings of a `TagKeys` member (null or absent: none); nullopt when it is not a list of
// strings.
std::optional<std::vector<std::string>> tag_keys(const json::value* given);

// Whether a key's or value's length is within tag_limits (in characters).
bool tag_key_length_ok(std::string_view key);
bool tag_value_length_ok(std::string_view value);
// AWS's tag character set, ^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$: ASCII letters, digits and spaces and
// those marks; every non-ASCII character is taken as a letter (this server does not classify
// them, so a non-ASCII symbol AWS refuses, an emoji, is accepted).
bool tag_chars_ok(std::string_view text);

// `add` into `into`: a key already there takes the new value, others are appended. False, with
// `into` part-merged (the caller drops it), as soon as `into` would hold more than `limit` tags:
// each key is looked up among at most `limit`, so a hostile list of a million distinct keys
// costs a linear pass, not a quadratic one.
bool merge_tags(TagList& into, const TagList& add,
                std::size_t limit = tag_limits::tags_per_resource_max);
// Removes the tags with these keys (a key not there is no error, as AWS answers).
void remove_tags(TagList& from, const std::vector<std::string>& keys);

// [{"Key", "Value"}...], as answered and as recorded; and back from a record (entries that are
// not {string, string} objects are skipped).
json::array tags_json(const TagList& tags);
TagList tags_from_json(const json::value* v);

// Characters (Unicode code points) of UTF-8 text: what AWS's length constraints count.
std::size_t utf8_chars(std::string_view s);

}  // namespace stepwise::services
