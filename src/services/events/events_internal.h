// Events' internals shared by its .cpp files: record names and shapes, the bus name rule, and
// PutEvents' entry checks. Not part of the interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "json/json.h"
#include "services/events/events.h"

namespace stepwise::services::events {

inline constexpr const char* kBusesNs = "events.buses";
inline constexpr const char* kLogNs = "events.log";

// "<bus>\n<seq as 20 digits>": keys sort in log order within a bus.
std::string log_key(const std::string& bus, std::uint64_t seq);
std::string event_record(const StoredEvent& e);
std::optional<StoredEvent> event_from_record(const json::object& o);
// What an event counts against retained_bytes_per_bus.
std::size_t stored_size(const StoredEvent& e);

// Names of buses, rules and target ids: 1 to bytes_max of [.-_A-Za-z0-9].
bool valid_name(const std::string& name, std::size_t bytes_max);
// Event bus names: 1-256 of [.-_A-Za-z0-9] (ValidationException otherwise).
std::optional<api::ApiError> check_bus_name(const std::string& name);
// Rule names: 1-64 of [.-_A-Za-z0-9] (ValidationException otherwise).
std::optional<api::ApiError> check_rule_name(const std::string& name);

// Tags (events_tags.cpp): a Tags member read into `out` (a key given twice: the later value)
// with AWS's texts (SerializationException when it is not a list of {Key, Value} strings, the
// model's constraint texts for a missing or bad key or value, and too_many_tags_error() past
// tag_limits::tags_per_resource_max); that ValidationException again for a rule's or bus's
// merged tags.
std::optional<api::ApiError> read_tags(const json::value* given, TagList& out);
api::ApiError too_many_tags_error();

// A List operation's NextToken and Limit (1-100, page_size_max when none); `error` set when
// they break the model.
struct Paging {
  std::optional<std::string> token;
  std::size_t size = 0;
  std::optional<api::ApiError> error;
};
Paging read_paging(const json::object& r);

// One PutEvents entry, checked as AWS checks it. On success `event` holds everything but the
// bus's seq and the id; `bus` the EventBusName given ("default" when none).
struct EntryCheck {
  std::optional<StoredEvent> event;
  std::string bus;
  std::string error_code;  // set when the entry fails
  std::string error_message;
  std::size_t size = 0;  // AWS's entry size
};
EntryCheck check_entry(const json::object& entry, Millis now);

}  // namespace stepwise::services::events
