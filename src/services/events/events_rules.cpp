// Events' rules: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule and DisableRule, as
// AWS answers them, and the rule records (events_rules.h).
#include <utility>

#include "base/arn.h"
#include "services/common/json_request.h"
#include "services/events/events.h"
#include "services/events/events_delivery.h"
#include "services/events/events_internal.h"
#include "services/events/events_limits.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {
namespace {

bool known_state(const std::string& s) {
  return s == "ENABLED" || s == "DISABLED" || s == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
}

// ListRules' and DescribeRule's members of a rule.
json::object rule_json(const Rule& r, const std::string& account, bool describe) {
  json::object o{{"Name", r.name}, {"Arn", r.arn}};
  if (!r.pattern_text.empty()) o["EventPattern"] = r.pattern_text;
  if (!r.schedule_text.empty()) o["ScheduleExpression"] = r.schedule_text;
  o["State"] = r.state;
  if (!r.description.empty()) o["Description"] = r.description;
  if (!r.role_arn.empty()) o["RoleArn"] = r.role_arn;
  o["EventBusName"] = r.bus;
  if (describe) o["CreatedBy"] = account;
  return o;
}

}  // namespace

std::string rule_record(const Rule& r) {
  json::array targets;
  for (const auto& t : r.targets) targets.push_back(t.given);
  json::object o{{"bus", r.bus},
                 {"name", r.name},
                 {"pattern", r.pattern_text},
                 {"schedule", r.schedule_text},
                 {"anchor", r.schedule_anchor_ms},
                 {"state", r.state},
                 {"description", r.description},
                 {"role_arn", r.role_arn},
                 {"targets", std::move(targets)},
                 {"tags", tags_json(r.tags)}};
  return json::dump(o);
}

std::optional<Rule> rule_from_record(const json::object& o) {
  Rule r;
  r.bus = string_member(o, "bus").value_or("");
  r.name = string_member(o, "name").value_or("");
  if (r.bus.empty() || r.name.empty()) return std::nullopt;
  r.pattern_text = string_member(o, "pattern").value_or("");
  if (!r.pattern_text.empty()) {
    std::string reason;
    r.pattern = EventPattern::parse(r.pattern_text, &reason);
    if (!r.pattern) return std::nullopt;
  }
  r.schedule_text = string_member(o, "schedule").value_or("");
  r.schedule_anchor_ms = int_member(o, "anchor").value_or(0);
  if (!r.schedule_text.empty()) {
    std::string reason;
    r.schedule = Schedule::parse(r.schedule_text, &reason);
    if (!r.schedule) return std::nullopt;
  }
  r.state = string_member(o, "state").value_or("ENABLED");
  r.description = string_member(o, "description").value_or("");
  r.role_arn = string_member(o, "role_arn").value_or("");
  if (const auto* ts = o.if_contains("targets"); ts && ts->is_array()) {
    for (const auto& t : ts->get_array()) {
      if (!t.is_object()) return std::nullopt;
      auto read = read_target(t.get_object());
      if (!read.target) return std::nullopt;
      r.targets.push_back(std::move(*read.target));
    }
  }
  r.tags = tags_from_json(o.if_contains("tags"));
  return r;
}

std::string Events::rule_arn(const std::string& bus, const std::string& name) const {
  // AWS names the bus in the ARN of a rule that is not on the default bus.
  const std::string resource = bus == "default" ? "rule/" + name : "rule/" + bus + "/" + name;
  return arn::make("events", options_.place.region, options_.place.account, resource);
}

Events::Bus* Events::rule_bus(const Json& r, api::ApiError* error) {
  bool wrong = false;
  const std::string name = string_member(r, "EventBusName", &wrong).value_or("default");
  if (wrong) {
    *error = validation_error("EventBusName must be a string.");
    return nullptr;
  }
  Bus* b = find_bus(name);
  if (b == nullptr)
    *error = api::ApiError{"ResourceNotFoundException", "Event bus " + name + " does not exist."};
  return b;
}

Rule* Events::find_rule(const std::string& bus, const std::string& name) {
  auto it = rules_.find(rule_key(bus, name));
  return it == rules_.end() ? nullptr : it->second.get();
}

Rule* Events::named_rule(const Json& r, const std::string& name, api::ApiError* error) {
  Bus* b = rule_bus(r, error);
  if (b == nullptr) return nullptr;
  Rule* rule = find_rule(b->name, name);
  if (rule == nullptr)
    *error = api::ApiError{"ResourceNotFoundException",
                           "Rule " + name + " does not exist on EventBus " + b->name + "."};
  return rule;
}

Mutation Events::record_of(const Rule& rule) const {
  return Mutation{kRulesNs, rule_key(rule.bus, rule.name), rule_record(rule)};
}

void Events::put_rule(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  auto schedule = string_member(r, "ScheduleExpression", &wrong);
  auto pattern = string_member(r, "EventPattern", &wrong);
  auto state = string_member(r, "State", &wrong);
  auto description = string_member(r, "Description", &wrong);
  auto role = string_member(r, "RoleArn", &wrong);
  if (wrong)
    return reply(validation_error(
        "Name, ScheduleExpression, EventPattern, State, Description, RoleArn and EventBusName "
        "are strings."));
  if (!name) return reply(constraint_error("name", "not be null"));
  if (auto e = check_rule_name(*name)) return reply(*e);
  if (schedule && schedule->size() > events_limits::schedule_bytes_max)
    return reply(constraint_error("scheduleExpression", "have length less than or equal to 256"));
  // An empty ScheduleExpression is no schedule (AWS's SDK fixtures send one).
  const std::string schedule_text = schedule.value_or("");
  std::optional<Schedule> compiled_schedule;
  if (!schedule_text.empty()) {
    std::string reason;
    compiled_schedule = Schedule::parse(schedule_text, &reason);
    if (!compiled_schedule) return reply(validation_error(reason));
  }
  const std::string pattern_text = pattern.value_or("");
  if (pattern_text.empty() && schedule_text.empty())
    return reply(
        validation_error("Parameter(s) EventPattern or ScheduleExpression must be specified."));
  if (pattern_text.size() > events_limits::pattern_bytes_max)
    return reply(constraint_error("eventPattern", "have length less than or equal to 4096"));
  if (state && !known_state(*state))
    return reply(constraint_error("state",
                                  "satisfy enum value set: [ENABLED, DISABLED, "
                                  "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"));
  if (description && description->size() > events_limits::description_bytes_max)
    return reply(constraint_error("description", "have length less than or equal to 512"));
  if (role && (role->empty() || role->size() > events_limits::role_arn_bytes_max))
    return reply(constraint_error("roleArn", "have length between 1 and 1600"));
  TagList tags;
  if (auto e = read_tags(r.if_contains("Tags"), tags)) return reply(*e);
  std::optional<EventPattern> compiled;
  if (!pattern_text.empty()) {
    std::string reason;
    compiled = EventPattern::parse(pattern_text, &reason);
    if (!compiled)
      return reply(api::ApiError{"InvalidEventPatternException",
                                 "Event pattern is not valid. Reason: " + reason});
  }
  base::MutexLock lock(mu_);
  api::ApiError error;
  Bus* b = rule_bus(r, &error);
  if (b == nullptr) return reply(error);
  if (compiled_schedule && b->name != "default")
    return reply(
        validation_error("ScheduleExpression is supported only on the default event bus."));
  Rule* rule = find_rule(b->name, *name);
  // Tags given for an existing rule are added to its own (those not given stay, as a tool
  // that updates a rule, then its tags, expects).
  TagList merged_tags = rule ? rule->tags : TagList{};
  if (!merge_tags(merged_tags, tags)) return reply(too_many_tags_error());
  if (rule == nullptr) {
    std::size_t on_bus = 0;
    const std::string prefix = b->name + "\n";
    for (auto it = rules_.lower_bound(prefix); it != rules_.end() && it->first.starts_with(prefix);
         ++it)
      ++on_bus;
    if (on_bus >= events_limits::rules_per_bus_max)
      return reply(api::ApiError{"LimitExceededException",
                                 "The requested resource exceeds the maximum number allowed."});
    auto fresh = std::make_unique<Rule>();
    fresh->bus = b->name;
    fresh->name = *name;
    fresh->arn = rule_arn(b->name, *name);
    rule = fresh.get();
    rules_[rule_key(b->name, *name)] = std::move(fresh);
  }
  // PutRule replaces the rule's settings and keeps its targets, as AWS does.
  rule->pattern_text = pattern_text;
  rule->pattern = std::move(compiled);
  // A schedule set or changed counts its rate from now; an unchanged one keeps its rhythm.
  if (schedule_text != rule->schedule_text) rule->schedule_anchor_ms = options_.clock.now_ms();
  rule->schedule_text = schedule_text;
  rule->schedule = std::move(compiled_schedule);
  rule->state = state.value_or("ENABLED");
  rule->description = description.value_or("");
  rule->role_arn = role.value_or("");
  rule->tags = std::move(merged_tags);
  arm(*rule);
  Mutation m = record_of(*rule);
  json::object answer{{"RuleArn", rule->arn}};
  // Under mu_, as every write here: records reach the log in the order the state changed.
  persist({std::move(m)}, std::move(answer), std::move(reply));
}

api::Response Events::describe_rule(const Json& r) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  if (wrong) return validation_error("Name and EventBusName are strings.");
  if (!name) return constraint_error("name", "not be null");
  base::MutexLock lock(mu_);
  api::ApiError error;
  const Rule* rule = named_rule(r, *name, &error);
  if (rule == nullptr) return error;
  return rule_json(*rule, options_.place.account, true);
}

api::Response Events::list_rules(const Json& r) {
  bool wrong = false;
  auto prefix = string_member(r, "NamePrefix", &wrong).value_or("");
  if (wrong) return validation_error("NamePrefix must be a string.");
  const std::string account = options_.place.account;
  return list_rules_where(r, "Rules", [&](const Rule& rule) -> std::optional<json::value> {
    if (!rule.name.starts_with(prefix)) return std::nullopt;
    return rule_json(rule, account, false);
  });
}

api::Response Events::list_rules_where(const Json& r, const char* member, const RuleItem& item_of) {
  const Paging page = read_paging(r);
  if (page.error) return *page.error;
  base::MutexLock lock(mu_);
  api::ApiError error;
  Bus* b = rule_bus(r, &error);
  if (b == nullptr) return error;
  // Names in order; the token is the last rule's name answered.
  const std::string start = rule_key(b->name, page.token.value_or(""));
  const std::string bus_prefix = b->name + "\n";
  json::array list;
  std::string last, next;
  for (auto it = page.token ? rules_.upper_bound(start) : rules_.lower_bound(start);
       it != rules_.end() && it->first.starts_with(bus_prefix); ++it) {
    auto item = item_of(*it->second);
    if (!item) continue;
    if (list.size() == page.size) {
      next = last;
      break;
    }
    list.push_back(std::move(*item));
    last = it->second->name;
  }
  json::object out{{member, std::move(list)}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

void Events::delete_rule(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  (void)bool_member(r, "Force", false, &wrong);
  if (wrong) return reply(validation_error("Name and EventBusName are strings, Force a boolean."));
  if (!name) return reply(constraint_error("name", "not be null"));
  base::MutexLock lock(mu_);
  api::ApiError error;
  Bus* b = rule_bus(r, &error);
  if (b == nullptr) return reply(error);
  auto it = rules_.find(rule_key(b->name, *name));
  if (it == rules_.end()) return reply(json::object{});  // AWS: deleting no rule succeeds
  if (!it->second->targets.empty())
    return reply(validation_error("Rule can't be deleted since it has targets."));
  Mutation m{kRulesNs, it->first, std::nullopt};
  if (it->second->timer != 0) delivery_->cancel(it->second->timer);
  rules_.erase(it);
  persist({std::move(m)}, json::object{}, std::move(reply));
}

void Events::set_rule_state(const Json& r, const char* state, api::Reply reply) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  if (wrong) return reply(validation_error("Name and EventBusName are strings."));
  if (!name) return reply(constraint_error("name", "not be null"));
  base::MutexLock lock(mu_);
  api::ApiError error;
  Rule* rule = named_rule(r, *name, &error);
  if (rule == nullptr) return reply(error);
  rule->state = state;
  arm(*rule);
  Mutation m = record_of(*rule);
  persist({std::move(m)}, json::object{}, std::move(reply));
}

}  // namespace stepwise::services::events
