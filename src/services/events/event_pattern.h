// EventBridge event patterns: the JSON a rule's EventPattern holds, read once into an immutable
// matcher (with AWS's validation and its reasons, the text after "Event pattern is not valid.
// Reason: ") and matched against events as AWS's matcher, event-ruler, matches them.
//
// The language: an object whose keys name event fields (nested objects name nested fields, and
// a key "a.b" is the same field as {"a": {"b"}}); each leaf is an array of conditions, any one
// of which may match; every field must match, and "$or": [pattern, ...] adds alternatives.
// Conditions:
//   "text" 42 true null                       exact (a number also equals any spelling of it,
//                                             300 == 300.0, within +-5e9 and 6 decimals)
//   {"prefix": "x"} {"suffix": "x"}            strings; also {"prefix": {"equals-ignore-case":
//                                             "x"}}, and the same for suffix
//   {"equals-ignore-case": "x"} {"wildcard": "a*b"}
//   {"anything-but": v | [v...] | {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": x|[x...]}}
//                                             any value of the field that is not one of those
//                                             (other types, null included, are not excluded)
//   {"numeric": ["=", 5]} [">", 0, "<=", 10]   numbers
//   {"exists": true|false}                     a value (not an object or array) is, or is not,
//                                             at that path
//   {"cidr": "10.0.0.0/24"}                    IPv4 and IPv6 address strings
// An array in the event matches when any element does; fields matched from elements of the same
// array must come from the same element.
//
// Limits (events_limits.h): 4,096 bytes of pattern text, 1,000 levels of nesting, 256 "$or"
// alternatives, the wildcard complexity bound, and a step budget for events whose arrays make
// many combinations. Duplicate keys: the later one replaces the earlier at the same path.
//
// Thread-safety: an EventPattern is immutable and may be matched from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::services::events {

class EventPattern {
 public:
  // Reads `text`. On error, nullopt and `reason` holds AWS's reason (the text after
  // "Event pattern is not valid. Reason: ").
  static std::optional<EventPattern> parse(std::string_view text, std::string* reason);

  // `event`: the event's JSON text. An event that is not a JSON object matches nothing.
  bool matches(std::string_view event) const;

  struct Matcher;
  struct Compiled;

 private:
  std::shared_ptr<const Compiled> compiled_;
};

// TestEventPattern's check of its Event: a JSON object (nothing after it) with the members id,
// account, source, time, region and detail-type. False: AWS answers "Parameter Event is not
// valid.".
bool valid_test_event(std::string_view event);

// TestEventPattern's answer for its two strings: the Result, or the error AWS answers:
// ValidationException (a pattern over 4,096 bytes; an event valid_test_event refuses) or
// InvalidEventPatternException ("Event pattern is not valid. Reason: ...").
struct PatternTest {
  bool result = false;
  std::string error_code;  // empty: `result` holds
  std::string message;
};
PatternTest test_event_pattern(std::string_view pattern, std::string_view event);

}  // namespace stepwise::services::events
