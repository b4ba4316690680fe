// Registry: activities, tags and ValidateStateMachineDefinition.
#include <algorithm>

#include "api/protocol.h"
#include "asl/validate.h"
#include "sfn/registry_impl.h"

namespace stepwise::sfn {

using api::ApiError;
using api::Response;

namespace {

json::object diagnostic_json(const asl::Diagnostic& d) {
  json::object o{{"code", d.code}};
  if (!d.location.empty()) o["location"] = d.location;
  o["message"] = d.message;
  o["severity"] = d.severity;
  return o;
}

}  // namespace

// --- activities ---

Response Registry::Impl::create_activity(const json::value& r) {
  REGISTRY_TRY(name, rules::string_field(r, "name"));
  REGISTRY_TRY(encryption, rules::object_field(r, "encryptionConfiguration"));
  if (!*name) return missing_field("name");
  if (auto e = rules::name_error(**name)) return *e;
  std::string arn = activity_arn(**name);
  REGISTRY_TRY(tags, rules::parse_tags(r, arn));
  // Idempotent by name: a second create answers the first one's ARN and date (tags ignored).
  REGISTRY_READ(existing, store.get_activity(arn));
  if (existing)
    return json::object{{"activityArn", arn},
                        {"creationDate", api::epoch_seconds(existing->created_ms)}};
  REGISTRY_READ(activities, all_activities());
  if (activities.size() >= activities_max)
    return ApiError{"ActivityLimitExceeded",
                    "Activity Limit Exceeded: '" + std::to_string(activities_max) + "'"};
  store::ActivityRecord a;
  a.arn = arn;
  a.name = **name;
  a.created_ms = clock.now_ms();
  a.encryption_configuration = *encryption ? **encryption : json::value(nullptr);
  REGISTRY_TRY(put, store.put_activity(a));
  if (!tags->empty()) {
    REGISTRY_TRY(tagged, store.put_tags(arn, *tags));
  }
  return json::object{{"activityArn", arn}, {"creationDate", api::epoch_seconds(a.created_ms)}};
}

Response Registry::Impl::describe_activity(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "activityArn", "activity"));
  REGISTRY_READ(a, store.get_activity(arn->text));
  if (!a) return activity_missing(arn->text);
  json::object out{{"activityArn", a->arn},
                   {"name", a->name},
                   {"creationDate", api::epoch_seconds(a->created_ms)}};
  if (!a->encryption_configuration.is_null())
    out["encryptionConfiguration"] = a->encryption_configuration;
  return out;
}

Response Registry::Impl::delete_activity(const json::value& r) {
  REGISTRY_TRY(arn, arn_field(r, "activityArn", "activity"));
  REGISTRY_READ(a, store.get_activity(arn->text));
  if (!a) return json::object{};  // deleting twice is fine
  REGISTRY_TRY(deleted, store.delete_activity(arn->text));
  (void)store.put_tags(arn->text, {});
  return json::object{};
}

Response Registry::Impl::list_activities(const json::value& r) {
  REGISTRY_TRY(page, rules::parse_page(r));
  REGISTRY_READ(activities, all_activities());
  std::vector<std::string> keys;
  for (const auto& a : activities) keys.push_back(a.arn);
  REGISTRY_TRY(slice, rules::page_slice("ListActivities", keys, *page));
  json::array items;
  for (std::size_t i = slice->begin; i < slice->end; ++i)
    items.push_back(json::object{{"activityArn", activities[i].arn},
                                 {"name", activities[i].name},
                                 {"creationDate", api::epoch_seconds(activities[i].created_ms)}});
  json::object out{{"activities", std::move(items)}};
  if (!slice->next_token.empty()) out["nextToken"] = slice->next_token;
  return out;
}

// --- tags ---

Result<std::string> Registry::Impl::taggable(const json::value& r) {
  auto text = rules::string_field(r, "resourceArn");
  if (!text.ok()) return text.error();
  if (!*text) return err(missing_field("resourceArn"));
  auto arn = rules::parse_arn(**text);
  if (!arn.ok()) return arn.error();
  // Versions and aliases carry no tags of their own: AWS answers ResourceNotFound for them.
  if (arn->type == "stateMachine") {
    if (!arn->qualifier.empty()) return err(resource_missing(arn->text));
    REGISTRY_READ_OR_ERROR(m, machine_record(arn->text));
    if (!m) return err(resource_missing(arn->text));
  } else if (arn->type == "activity") {
    if (!arn->qualifier.empty()) return err(resource_missing(arn->text));
    REGISTRY_READ_OR_ERROR(a, store.get_activity(arn->text));
    if (!a) return err(resource_missing(arn->text));
  } else {
    return err(rules::wrong_resource_type(*arn));
  }
  return arn->text;
}

Response Registry::Impl::tag_resource(const json::value& r) {
  REGISTRY_TRY(arn, taggable(r));
  REGISTRY_TRY(list, rules::array_field(r, "tags"));
  if (!*list) return missing_field("tags");
  REGISTRY_TRY(added, rules::parse_tags(r, *arn));
  REGISTRY_READ(current, store.get_tags(*arn));
  REGISTRY_TRY(merged, rules::merge_tags(current, *added, *arn));
  REGISTRY_TRY(put, store.put_tags(*arn, *merged));
  return json::object{};
}

Response Registry::Impl::untag_resource(const json::value& r) {
  REGISTRY_TRY(arn, taggable(r));
  REGISTRY_TRY(list, rules::array_field(r, "tagKeys"));
  if (!*list) return missing_field("tagKeys");
  std::vector<std::string> keys;
  for (const auto& k : (*list)->get_array()) {
    if (!k.is_string())
      return ApiError{"SerializationException", "Unexpected value for 'tagKeys': expected strings"};
    keys.emplace_back(k.get_string());
  }
  REGISTRY_READ(tags, store.get_tags(*arn));
  std::erase_if(tags, [&](const auto& t) {
    return std::find(keys.begin(), keys.end(), t.first) != keys.end();
  });
  REGISTRY_TRY(put, store.put_tags(*arn, tags));
  return json::object{};
}

Response Registry::Impl::list_tags_for_resource(const json::value& r) {
  REGISTRY_TRY(arn, taggable(r));
  REGISTRY_READ(tags, store.get_tags(*arn));
  return json::object{{"tags", rules::tags_json(tags)}};
}

// --- ValidateStateMachineDefinition ---

Response Registry::Impl::validate_state_machine_definition(const json::value& r) {
  REGISTRY_TRY(definition, rules::string_field(r, "definition"));
  REGISTRY_TRY(type_field, rules::string_field(r, "type"));
  REGISTRY_TRY(severity_field, rules::string_field(r, "severity"));
  REGISTRY_TRY(max, rules::integer_field(r, "maxResults"));
  rules::Violations violations;
  if (!*definition)
    violations.add("definition", std::nullopt, "Member must not be null", true);
  else if (definition->value().size() > limits::definition_bytes_max)
    violations.add("definition", std::nullopt,
                   "Member must have length less than or equal to 1048576", true);
  std::string type = type_field->value_or("STANDARD");
  if (type != "STANDARD" && type != "EXPRESS")
    violations.add("type", type, "Member must satisfy enum value set: [STANDARD, EXPRESS]");
  // Default ERROR: only errors; WARNING asks for warnings too.
  std::string severity = severity_field->value_or("ERROR");
  if (severity != "ERROR" && severity != "WARNING")
    violations.add("severity", severity, "Member must satisfy enum value set: [ERROR, WARNING]");
  std::size_t limit = rules::validate_diagnostics_max;
  if (*max && (**max < 0 || **max > static_cast<std::int64_t>(rules::validate_diagnostics_max)))
    violations.add("maxResults", std::to_string(**max),
                   **max < 0 ? "Member must have value greater than or equal to 0"
                             : "Member must have value less than or equal to 100");
  else if (*max && **max > 0)
    limit = static_cast<std::size_t>(**max);
  if (!violations.empty()) return violations.error();

  asl::ValidateOptions options;
  options.express = type == "EXPRESS";
  auto diagnostics = asl::validate_text(**definition, options);
  bool failed = asl::has_errors(diagnostics);
  json::array list;
  bool truncated = false;
  for (const auto& d : diagnostics) {
    if (severity == "ERROR" && d.severity != "ERROR") continue;
    if (list.size() == limit) {
      truncated = true;
      break;
    }
    list.push_back(diagnostic_json(d));
  }
  return json::object{{"result", failed ? "FAIL" : "OK"},
                      {"diagnostics", std::move(list)},
                      {"truncated", truncated}};
}

}  // namespace stepwise::sfn
