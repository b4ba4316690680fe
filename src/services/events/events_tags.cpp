// Events' tags: TagResource, UntagResource and ListTagsForResource on rule and event-bus ARNs,
// as AWS answers them (services/common/resource_tags.h reads and checks the tags). A rule's
// tags live in its record and a bus's in its own, so they are as durable as the resource and
// go with it.
#include <string_view>
#include <utility>

#include "base/arn.h"
#include "services/common/json_request.h"
#include "services/events/events.h"
#include "services/events/events_internal.h"
#include "services/events/events_limits.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {
namespace {

api::ApiError invalid_arn() {
  return validation_error(
      "Parameter ResourceARN is not valid. Reason: Provided Arn is not in correct format.");
}

// The request's ResourceARN, or its error.
std::optional<std::string> resource_arn(const json::object& r, api::ApiError* error) {
  bool wrong = false;
  auto arn = string_member(r, "ResourceARN", &wrong);
  if (wrong) {
    *error = validation_error("ResourceARN must be a string.");
    return std::nullopt;
  }
  if (!arn) {
    *error = constraint_error("resourceARN", "not be null");
    return std::nullopt;
  }
  if (arn->empty() || arn->size() > events_limits::arn_bytes_max) {
    *error = constraint_error("resourceARN", "have length between 1 and 1600");
    return std::nullopt;
  }
  return arn;
}

// AWS's model-constraint text with the value: "1 validation error detected: Value 'v' at
// 'tags.1.member.key' failed to satisfy constraint: Member must ..." (Value null when absent).
api::ApiError constraint(const std::optional<std::string>& value, const std::string& at,
                         std::string_view rule) {
  return validation_error("1 validation error detected: Value " +
                          (value ? "'" + *value + "'" : std::string("null")) + " at '" + at +
                          "' failed to satisfy constraint: " + std::string(rule));
}

constexpr std::string_view kTooShort = "Member must have length greater than or equal to 1";
constexpr std::string_view kKeyTooLong = "Member must have length less than or equal to 128";
constexpr std::string_view kValueTooLong = "Member must have length less than or equal to 256";

api::ApiError shape_error() {
  return api::ApiError{"SerializationException",
                       "Tags must be a list of {Key, Value} objects with string members, "
                       "TagKeys a list of strings."};
}

}  // namespace

std::optional<api::ApiError> read_tags(const json::value* given, TagList& out) {
  auto entries = tag_entries(given);
  if (!entries) return shape_error();
  std::size_t index = 0;
  for (const auto& e : *entries) {
    const std::string at = "tags." + std::to_string(++index) + ".member.";
    if (!e.key) return constraint(std::nullopt, at + "key", "Member must not be null");
    if (!e.value) return constraint(std::nullopt, at + "value", "Member must not be null");
    if (!tag_key_length_ok(*e.key))
      return constraint(*e.key, at + "key", e.key->empty() ? kTooShort : kKeyTooLong);
    if (!tag_value_length_ok(*e.value)) return constraint(*e.value, at + "value", kValueTooLong);
    if (!merge_tags(out, {{*e.key, *e.value}})) return too_many_tags_error();
  }
  return std::nullopt;
}

api::ApiError too_many_tags_error() {
  return validation_error("Number of tags exceeds the limit of " +
                          std::to_string(tag_limits::tags_per_resource_max) +
                          " tags per resource.");
}

Events::Tagged Events::tagged(const std::string& arn_text, api::ApiError* error) {
  auto p = arn::parse(arn_text);
  if (!p || p->service != "events") {
    *error = invalid_arn();
    return {};
  }
  // Another region's or account's resource is not here: not found, as AWS answers for one it
  // does not have.
  const bool here = p->region == options_.place.region && p->account == options_.place.account;
  std::string_view resource = p->resource;
  if (resource.starts_with("event-bus/")) {
    const std::string name(resource.substr(10));
    auto it = here ? buses_.find(name) : buses_.end();
    if (it == buses_.end()) {
      *error = api::ApiError{"ResourceNotFoundException", "Event bus " + name + " does not exist."};
      return {};
    }
    return Tagged{it->second.get(), nullptr};
  }
  if (resource.starts_with("rule/")) {
    // rule/NAME on the default bus, rule/BUS/NAME on another.
    std::string_view path = resource.substr(5);
    std::string bus = "default";
    std::string name(path);
    if (auto slash = path.rfind('/'); slash != std::string_view::npos) {
      bus = std::string(path.substr(0, slash));
      name = std::string(path.substr(slash + 1));
    }
    Rule* rule = here ? find_rule(bus, name) : nullptr;
    if (rule == nullptr) {
      *error = api::ApiError{"ResourceNotFoundException",
                             "Rule " + name + " does not exist on EventBus " + bus + "."};
      return {};
    }
    return Tagged{nullptr, rule};
  }
  *error = invalid_arn();
  return {};
}

void Events::tag_resource(const Json& r, api::Reply reply) {
  api::ApiError error;
  auto arn = resource_arn(r, &error);
  if (!arn) return reply(error);
  const json::value* given = r.if_contains("Tags");
  if (given == nullptr || given->is_null()) return reply(constraint_error("tags", "not be null"));
  TagList tags;
  if (auto e = read_tags(given, tags)) return reply(*e);
  base::MutexLock lock(mu_);
  Tagged t = tagged(*arn, &error);
  if (t.bus == nullptr && t.rule == nullptr) return reply(error);
  TagList& own = t.bus ? t.bus->tags : t.rule->tags;
  TagList merged = own;
  if (!merge_tags(merged, tags)) return reply(too_many_tags_error());
  own = std::move(merged);
  Mutation m = t.bus ? record_of(*t.bus) : record_of(*t.rule);
  persist({std::move(m)}, json::object{}, std::move(reply));
}

void Events::untag_resource(const Json& r, api::Reply reply) {
  api::ApiError error;
  auto arn = resource_arn(r, &error);
  if (!arn) return reply(error);
  const json::value* given = r.if_contains("TagKeys");
  if (given == nullptr || given->is_null())
    return reply(constraint_error("tagKeys", "not be null"));
  auto keys = tag_keys(given);
  if (!keys) return reply(shape_error());
  for (const auto& k : *keys) {
    if (tag_key_length_ok(k)) continue;
    std::string list;
    for (const auto& each : *keys) list += (list.empty() ? "" : ", ") + each;
    return reply(constraint("[" + list + "]", "tagKeys",
                            "Member must satisfy constraint: [" +
                                std::string(k.empty() ? kTooShort : kKeyTooLong) + "]"));
  }
  base::MutexLock lock(mu_);
  Tagged t = tagged(*arn, &error);
  if (t.bus == nullptr && t.rule == nullptr) return reply(error);
  remove_tags(t.bus ? t.bus->tags : t.rule->tags, *keys);
  Mutation m = t.bus ? record_of(*t.bus) : record_of(*t.rule);
  persist({std::move(m)}, json::object{}, std::move(reply));
}

api::Response Events::list_tags_for_resource(const Json& r) {
  api::ApiError error;
  auto arn = resource_arn(r, &error);
  if (!arn) return error;
  base::MutexLock lock(mu_);
  Tagged t = tagged(*arn, &error);
  if (t.bus == nullptr && t.rule == nullptr) return error;
  return json::object{{"Tags", tags_json(t.bus ? t.bus->tags : t.rule->tags)}};
}

}  // namespace stepwise::services::events
