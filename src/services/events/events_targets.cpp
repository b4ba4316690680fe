// Events' targets: PutTargets, RemoveTargets, ListTargetsByRule and ListRuleNamesByTarget, as
// AWS answers them, and the reading of one target (read_target: its input members through
// input_transformer.h's checks, SqsParameters, DeadLetterConfig and RetryPolicy).
#include <algorithm>
#include <utility>

#include "base/arn.h"
#include "services/common/json_request.h"
#include "services/events/events.h"
#include "services/events/events_internal.h"
#include "services/events/events_limits.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {
namespace {

TargetCheck bad(std::string why) { return TargetCheck{std::nullopt, std::move(why)}; }

// The target kinds delivery knows (events_delivery.h); others are refused per entry.
bool deliverable(const std::string& target_arn) {
  auto p = arn::parse(target_arn);
  if (!p) return false;
  if (p->service == "sqs" || p->service == "sns") return !p->resource.empty();
  if (p->service == "states") return p->resource.starts_with("stateMachine:");
  if (p->service == "lambda") return p->resource.starts_with("function:");
  if (p->service == "events") return p->resource.starts_with("event-bus/");
  return false;
}

// The object member `name` of `o`, when it is one; `wrong` when present and not an object.
const json::object* object_member(const json::object& o, std::string_view name, bool* wrong) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_object()) *wrong = true;
  return v->if_object();
}

// InputTransformer: InputPathsMap (strings) and InputTemplate (required).
std::optional<std::string> read_transformer(const json::object& it, Target& t) {
  bool wrong = false;
  auto templ = string_member(it, "InputTemplate", &wrong);
  if (wrong) return "InputTemplate must be a string.";
  if (!templ) return "InputTemplate is required for the InputTransformer of target " + t.id + ".";
  t.input.has_transformer = true;
  t.input.input_template = *templ;
  const json::object* paths = object_member(it, "InputPathsMap", &wrong);
  if (wrong) return "InputPathsMap must be a map of strings.";
  for (const auto& kv : paths ? *paths : json::object{}) {
    if (!kv.value().is_string()) return "InputPathsMap must be a map of strings.";
    t.input.paths_map.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return std::nullopt;
}

// RetryPolicy: MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86,400.
std::optional<std::string> read_retry(const json::object& rp, Target& t) {
  bool wrong = false;
  auto attempts = int_member(rp, "MaximumRetryAttempts", &wrong);
  auto age = int_member(rp, "MaximumEventAgeInSeconds", &wrong);
  if (wrong) return "MaximumRetryAttempts and MaximumEventAgeInSeconds are integers.";
  if (attempts && (*attempts < 0 || *attempts > events_limits::retry_attempts_max))
    return "1 validation error detected: Value at 'retryPolicy.maximumRetryAttempts' failed to "
           "satisfy constraint: Member must have value between 0 and 185";
  if (age &&
      (*age < events_limits::event_age_seconds_min || *age > events_limits::event_age_seconds_max))
    return "1 validation error detected: Value at 'retryPolicy.maximumEventAgeInSeconds' failed "
           "to satisfy constraint: Member must have value between 60 and 86400";
  t.retry_attempts = attempts.value_or(events_limits::retry_attempts_max);
  t.event_age_seconds = age.value_or(events_limits::event_age_seconds_max);
  return std::nullopt;
}

}  // namespace

TargetCheck read_target(const json::object& given) {
  Target t;
  t.given = given;
  bool wrong = false;
  auto id = string_member(given, "Id", &wrong);
  auto target_arn = string_member(given, "Arn", &wrong);
  auto role = string_member(given, "RoleArn", &wrong);
  t.input.input = string_member(given, "Input", &wrong);
  t.input.input_path = string_member(given, "InputPath", &wrong);
  if (wrong) return bad("Id, Arn, RoleArn, Input and InputPath are strings.");
  if (!id || !valid_name(*id, events_limits::target_id_bytes_max))
    return bad(
        "1 validation error detected: Value at 'targets.member.id' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "[\\.\\-_A-Za-z0-9]+ and have length between 1 and 64");
  t.id = *id;
  t.input.id = *id;
  if (!target_arn || target_arn->empty() || target_arn->size() > events_limits::arn_bytes_max)
    return bad(
        "1 validation error detected: Value at 'targets.member.arn' failed to satisfy "
        "constraint: Member must have length between 1 and 1600");
  t.arn = *target_arn;
  if (role && (role->empty() || role->size() > events_limits::role_arn_bytes_max))
    return bad("RoleArn of target " + t.id + " must have length between 1 and 1600.");
  if (t.input.input && t.input.input->size() > events_limits::input_bytes_max)
    return bad("Input of target " + t.id + " must have length less than or equal to 8192.");
  if (t.input.input && !json::parse(*t.input.input).ok())
    return bad("Input for target " + t.id + " is not valid JSON text.");
  if (t.input.input_path && t.input.input_path->size() > events_limits::input_path_bytes_max)
    return bad("InputPath of target " + t.id + " must have length less than or equal to 256.");
  if (const json::object* it = object_member(given, "InputTransformer", &wrong))
    if (auto e = read_transformer(*it, t)) return bad(*e);
  if (auto e = check_target_input(t.input)) return bad(*e);
  if (const json::object* sqs = object_member(given, "SqsParameters", &wrong))
    t.message_group_id = string_member(*sqs, "MessageGroupId", &wrong).value_or("");
  if (const json::object* dlq = object_member(given, "DeadLetterConfig", &wrong)) {
    t.dead_letter_arn = string_member(*dlq, "Arn", &wrong).value_or("");
    auto p = arn::parse(t.dead_letter_arn);
    if (!wrong && (!p || p->service != "sqs"))
      return bad("The dead-letter queue of target " + t.id + " must be an SQS queue's ARN.");
  }
  if (const json::object* rp = object_member(given, "RetryPolicy", &wrong))
    if (auto e = read_retry(*rp, t)) return bad(*e);
  if (wrong)
    return bad("InputTransformer, SqsParameters, DeadLetterConfig and RetryPolicy of target " +
               t.id + " are structures of the model's members.");
  auto p = arn::parse(t.arn);
  if (p && p->service == "sqs" && p->resource.ends_with(".fifo") && t.message_group_id.empty())
    return bad("Parameter(s) SqsParameters must be specified for target: " + t.id + ".");
  return TargetCheck{std::move(t), ""};
}

void Events::put_targets(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto rule_name = string_member(r, "Rule", &wrong);
  if (wrong) return reply(validation_error("Rule and EventBusName are strings."));
  if (!rule_name) return reply(constraint_error("rule", "not be null"));
  const auto* given = r.if_contains("Targets");
  if (given == nullptr || given->is_null())
    return reply(constraint_error("targets", "not be null"));
  if (!given->is_array())
    return reply(api::ApiError{"SerializationException", "Targets must be a list."});
  const auto& list = given->get_array();
  if (list.empty() || list.size() > events_limits::targets_per_request_max)
    return reply(constraint_error("targets", "have length between 1 and 100"));
  std::vector<Target> accepted;
  json::array failed;
  for (const auto& item : list) {
    if (!item.is_object())
      return reply(api::ApiError{"SerializationException", "A target must be an object."});
    TargetCheck c = read_target(item.get_object());
    if (!c.target) return reply(validation_error(c.error));
    // A kind this server cannot deliver to is refused for that entry, not accepted and
    // ignored: AWS answers such per-target problems in FailedEntries.
    if (!deliverable(c.target->arn)) {
      failed.push_back(json::object{
          {"TargetId", c.target->id},
          {"ErrorCode", "ValidationException"},
          {"ErrorMessage", "Target " + c.target->arn +
                               " is not a kind this server delivers to (SQS queues, SNS topics, "
                               "state machines, Lambda functions, event buses)."}});
      continue;
    }
    accepted.push_back(std::move(*c.target));
  }
  base::MutexLock lock(mu_);
  api::ApiError error;
  Rule* rule = named_rule(r, *rule_name, &error);
  if (rule == nullptr) return reply(error);
  // The rule's own bus as a target would put each event it matches back where it matches again,
  // without end (this server refuses it).
  const std::string own_bus = bus_arn(rule->bus);
  for (const auto& t : accepted)
    if (t.arn == own_bus)
      return reply(validation_error("Target " + t.id +
                                    " is the event bus the rule is on: its "
                                    "events would come back to the rule without end."));
  // A target whose Id the rule has already is replaced in place; new ones are added.
  std::vector<Target> merged = rule->targets;
  for (auto& t : accepted) {
    auto same =
        std::find_if(merged.begin(), merged.end(), [&](const Target& x) { return x.id == t.id; });
    if (same != merged.end()) {
      *same = std::move(t);
    } else {
      merged.push_back(std::move(t));
    }
  }
  if (merged.size() > events_limits::targets_per_rule_max)
    return reply(api::ApiError{"LimitExceededException",
                               "The requested resource exceeds the maximum number allowed."});
  rule->targets = std::move(merged);
  const auto failures = static_cast<std::int64_t>(failed.size());
  json::object answer{{"FailedEntryCount", failures}, {"FailedEntries", std::move(failed)}};
  persist({record_of(*rule)}, std::move(answer), std::move(reply));
}

void Events::remove_targets(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto rule_name = string_member(r, "Rule", &wrong);
  (void)bool_member(r, "Force", false, &wrong);
  if (wrong) return reply(validation_error("Rule and EventBusName are strings, Force a boolean."));
  if (!rule_name) return reply(constraint_error("rule", "not be null"));
  const auto* ids = r.if_contains("Ids");
  if (ids == nullptr || ids->is_null()) return reply(constraint_error("ids", "not be null"));
  if (!ids->is_array())
    return reply(api::ApiError{"SerializationException", "Ids must be a list."});
  if (ids->get_array().empty() || ids->get_array().size() > events_limits::targets_per_request_max)
    return reply(constraint_error("ids", "have length between 1 and 100"));
  std::vector<std::string> gone;
  for (const auto& id : ids->get_array()) {
    if (!id.is_string()) return reply(api::ApiError{"SerializationException", "Ids are strings."});
    gone.emplace_back(id.get_string());
  }
  base::MutexLock lock(mu_);
  api::ApiError error;
  Rule* rule = named_rule(r, *rule_name, &error);
  if (rule == nullptr) return reply(error);
  // Ids the rule does not have are not errors (AWS answers them as removed).
  std::erase_if(rule->targets, [&](const Target& t) {
    return std::find(gone.begin(), gone.end(), t.id) != gone.end();
  });
  json::object answer{{"FailedEntryCount", 0}, {"FailedEntries", json::array{}}};
  persist({record_of(*rule)}, std::move(answer), std::move(reply));
}

api::Response Events::list_targets_by_rule(const Json& r) {
  bool wrong = false;
  auto rule_name = string_member(r, "Rule", &wrong);
  if (wrong) return validation_error("Rule must be a string.");
  if (!rule_name) return constraint_error("rule", "not be null");
  const Paging page = read_paging(r);
  if (page.error) return *page.error;
  const auto& token = page.token;
  base::MutexLock lock(mu_);
  api::ApiError error;
  const Rule* rule = named_rule(r, *rule_name, &error);
  if (rule == nullptr) return error;
  // The token is the last Id answered (targets keep the order they were added in).
  std::size_t from = 0;
  if (token) {
    auto at = std::find_if(rule->targets.begin(), rule->targets.end(),
                           [&](const Target& t) { return t.id == *token; });
    if (at == rule->targets.end()) return validation_error("The NextToken is not valid.");
    from = static_cast<std::size_t>(at - rule->targets.begin()) + 1;
  }
  json::array list;
  std::string next;
  for (std::size_t i = from; i < rule->targets.size(); ++i) {
    if (list.size() == page.size) {
      next = rule->targets[i - 1].id;
      break;
    }
    list.push_back(rule->targets[i].given);
  }
  json::object out{{"Targets", std::move(list)}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

api::Response Events::list_rule_names_by_target(const Json& r) {
  bool wrong = false;
  auto target_arn = string_member(r, "TargetArn", &wrong);
  if (wrong) return validation_error("TargetArn must be a string.");
  if (!target_arn) return constraint_error("targetArn", "not be null");
  return list_rules_where(r, "RuleNames", [&](const Rule& rule) -> std::optional<json::value> {
    const auto& targets = rule.targets;
    if (std::none_of(targets.begin(), targets.end(),
                     [&](const Target& t) { return t.arn == *target_arn; }))
      return std::nullopt;
    return json::value(rule.name);
  });
}

}  // namespace stepwise::services::events
