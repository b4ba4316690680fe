// SNS subscription filter policies: the JSON a subscription's FilterPolicy holds, parsed once
// (with AWS's limits and error texts) and matched against each published message — its message
// attributes (FilterPolicyScope MessageAttributes, the default) or its JSON body
// (MessageBody).
//
// The language, as AWS documents it: a policy is an object whose keys name attributes (or, on
// the body, nested keys) and whose leaves are arrays of conditions, any one of which may match;
// every key must match ("AND"), and `"$or": [policy, ...]` adds alternatives. Conditions:
//   "text" / 42 / true / null                  exact (strings to String attributes, numbers to
//                                              Number ones, numerically)
//   {"prefix": "x"} {"suffix": "x"}            strings
//   {"equals-ignore-case": "x"}
//   {"anything-but": v | [v...] | {"prefix"|"suffix"|"equals-ignore-case": "x"}}
//   {"numeric": ["=", 5]} / [">", 0, "<=", 10]  numbers
//   {"exists": true|false}
// A String.Array attribute (or a JSON array in the body) matches when any element does.
// Binary attributes never match. A body that is not a JSON object matches no body policy.
//
// Thread-safety: a parsed FilterPolicy is immutable and may be matched from many threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "json/json.h"

namespace stepwise::services::sns {

// A message attribute as filtering sees it.
struct FilterAttribute {
  std::string data_type;  // "String", "Number", "String.Array", "Binary" (+ custom suffix)
  std::string value;      // StringValue (Binary: ignored)
};
using FilterAttributes = std::map<std::string, FilterAttribute>;

class FilterPolicy {
 public:
  enum class Scope { kAttributes, kBody };

  // Parses `text` for `scope`. On error, nullopt and `error` holds AWS's message after
  // "Invalid parameter: FilterPolicy: " (the caller adds that prefix).
  static std::optional<FilterPolicy> parse(std::string_view text, Scope scope, std::string* error);

  bool matches_attributes(const FilterAttributes& attributes) const;
  // `body`: the published message's text (for its subscriber's protocol).
  bool matches_body(std::string_view body) const;

  struct Condition;
  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  Scope scope_ = Scope::kAttributes;
};

}  // namespace stepwise::services::sns
