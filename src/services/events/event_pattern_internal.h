// EventPattern's compiled form, shared by its reader (event_pattern.cpp) and its matcher
// (event_pattern_match.cpp). Not part of the interface.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "services/events/event_json.h"
#include "services/events/event_pattern.h"
#include "services/events/event_pattern_values.h"

namespace stepwise::services::events {

struct EventPattern::Matcher {
  enum class Kind {
    kExactString,  // text (ip: the address it spells, when it is one)
    kExactNumber,  // text, micros when comparable
    kLiteral,      // literal: kTrue, kFalse or kNull
    kPrefix,
    kPrefixIgnoreCase,  // text lowered
    kSuffix,
    kSuffixIgnoreCase,  // text lowered
    kEqualsIgnoreCase,  // text lowered
    kWildcard,          // wildcards[0]
    kAnythingBut,       // texts (strings) or numbers (comparable), never both
    kAnythingButPrefix,
    kAnythingButSuffix,
    kAnythingButIgnoreCase,  // texts lowered
    kAnythingButWildcard,    // wildcards
    kNumeric,                // low/high (nullopt: unbounded)
    kCidr,                   // ip
    kExists,
    kAbsent,
  };
  Kind kind = Kind::kExactString;
  std::string text;
  JsonToken literal = JsonToken::kNull;
  std::optional<std::int64_t> micros;
  std::vector<std::string> texts;
  std::vector<std::int64_t> numbers;
  std::vector<WildcardTokens> wildcards;
  std::optional<IpRange> ip;
  std::optional<std::int64_t> low, high;
  bool low_open = false, high_open = false;
};

struct EventPattern::Compiled {
  using Matchers = std::shared_ptr<const std::vector<Matcher>>;
  // One alternative: field path -> its conditions (any may match); every field must match.
  using Branch = std::map<std::string, Matchers>;
  std::vector<Branch> branches;
};

// Lower case as equals-ignore-case folds it (AWS's: Java's, for letters below U+0800).
std::string lowered(std::string_view s);

}  // namespace stepwise::services::events
