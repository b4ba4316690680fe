// What an EventBridge target receives for an event: the event itself, a constant Input, the part
// of the event an InputPath selects, or an InputTransformer's template filled from the event
// (InputPathsMap's JSON paths, and AWS's predefined <aws.events.*> variables) — with PutTargets'
// checks of those members and AWS's "not delivered" rule (a template whose result is not JSON is
// silently dropped). Pure functions: the rules and targets work uses them when it delivers.
//
// Filling a template, as AWS does:
//   - a template that is a JSON object or array ("{...}", "[...]"): outside a JSON string a
//     value is inserted as JSON (a string quoted); inside one a string is inserted as its text
//     and anything else as JSON (so an object there breaks the JSON: not delivered);
//   - any other template (a quoted string): strings as their text, other values as JSON with
//     the quotes removed ({"a":"b"} -> {a:b});
//   - a path the event does not have: nothing inside a string or a string template, an empty
//     JSON string ("") elsewhere (AWS delivers {"command": ""} for {"command": <command>}; its
//     value is never null).
// Paths: "$", then ".name", "[index]" or "['name']" steps (AWS asks for dot notation).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json/json.h"

namespace stepwise::services::events {

// A target's input members, as PutTargets gives them.
struct TargetInputSpec {
  std::string id;                         // the target's Id (it names the target in errors)
  std::optional<std::string> input;       // Input: JSON text delivered as is
  std::optional<std::string> input_path;  // InputPath
  bool has_transformer = false;           // InputTransformer given
  std::vector<std::pair<std::string, std::string>> paths_map;  // InputPathsMap, in order
  std::string input_template;                                  // InputTransformer.InputTemplate
};

// The values of the predefined variables for one delivery.
struct DeliveryContext {
  std::string rule_arn;        // <aws.events.rule-arn>
  std::string rule_name;       // <aws.events.rule-name>
  std::string ingestion_time;  // <aws.events.event.ingestion-time>, as the event's time is
};

// PutTargets' checks of one target's input members: nullopt when they are valid, else the
// ValidationException message AWS answers.
std::optional<std::string> check_target_input(const TargetInputSpec& target);

// What the target receives for `event` (the event as EventBridge delivers it, StoredEvent's
// to_json): JSON text, or a string template's text. nullopt: nothing is delivered (a
// transformed input that is not valid JSON, or an InputPath the event does not have).
std::optional<std::string> target_input(const TargetInputSpec& target, const json::value& event,
                                        const DeliveryContext& context);

}  // namespace stepwise::services::events
