// Events' rules and targets as kept in memory and in records: what PutRule and PutTargets
// accepted, read once (the pattern compiled, each target's input members and delivery settings
// parsed) so that matching and delivery never re-read a request. Not part of the interface.
//
// Records: one per rule ("events.rules", key: bus "\n" name), holding the rule, its targets
// as PutTargets gave them and its tags; PutTargets, RemoveTargets and the tag operations
// rewrite it. A rule and its targets are
// written in one record so that a restart never finds targets without their rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "json/json.h"
#include "services/common/resource_tags.h"
#include "services/common/timers.h"
#include "services/events/event_pattern.h"
#include "services/events/events_limits.h"
#include "services/events/events_schedule.h"
#include "services/events/input_transformer.h"

namespace stepwise::services::events {

inline constexpr const char* kRulesNs = "events.rules";

// One target of a rule.
struct Target {
  json::object given;  // the target's members as PutTargets took them (ListTargetsByRule)
  std::string id;
  std::string arn;
  TargetInputSpec input;
  std::string message_group_id;  // SqsParameters.MessageGroupId (FIFO queues)
  std::string dead_letter_arn;   // DeadLetterConfig.Arn: an SQS queue; empty: none
  std::int64_t retry_attempts = events_limits::retry_attempts_max;
  std::int64_t event_age_seconds = events_limits::event_age_seconds_max;
};

struct Rule {
  std::string bus;
  std::string name;
  std::string arn;
  std::string pattern_text;  // EventPattern as given; empty: none
  std::optional<EventPattern> pattern;
  std::string schedule_text;  // ScheduleExpression as given; empty: none
  std::optional<Schedule> schedule;
  Millis schedule_anchor_ms = 0;  // when the schedule was set: rate() counts from it
  Timers::Id timer = 0;           // the armed firing of the schedule (0: none)
  std::uint64_t armed = 0;        // which arming `timer` belongs to (a stale firing is ignored)
  std::string state = "ENABLED";
  std::string description;
  std::string role_arn;
  std::vector<Target> targets;  // in the order PutTargets added them
  TagList tags;
};

// "<bus>\n<name>": rules sort by bus, then name.
inline std::string rule_key(const std::string& bus, const std::string& name) {
  return bus + "\n" + name;
}

// One PutTargets entry read and checked: the target, or AWS's ValidationException message.
struct TargetCheck {
  std::optional<Target> target;
  std::string error;
};
TargetCheck read_target(const json::object& given);

// The rule's record text, and a rule read back from one (nullopt: damaged).
std::string rule_record(const Rule& r);
std::optional<Rule> rule_from_record(const json::object& o);

}  // namespace stepwise::services::events
