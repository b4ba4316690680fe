// Topics: CreateTopic (idempotent by name), DeleteTopic, ListTopics, Get/SetTopicAttributes,
// and the tag operations, with AWS's checks and texts.
#include <algorithm>

#include "base/arn.h"
#include "services/common/resource_tags.h"
#include "services/sns/sns_internal.h"

namespace stepwise::services::sns {
namespace {

std::string default_policy(const std::string& arn, const std::string& account) {
  json::object statement{
      {"Sid", "__default_statement_ID"},
      {"Effect", "Allow"},
      {"Principal", json::object{{"AWS", "*"}}},
      {"Action", json::array{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                             "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                             "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
      {"Resource", arn},
      {"Condition", json::object{{"StringEquals", json::object{{"AWS:SourceOwner", account}}}}}};
  return json::dump(json::object{{"Version", "2008-10-17"},
                                 {"Id", "__default_policy_ID"},
                                 {"Statement", json::array{std::move(statement)}}});
}

constexpr std::string_view kEffectiveDeliveryPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
    R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
    R"("backoffFunction":"linear"},"disableSubscriptionOverrides":false,)"
    R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

bool is_bool_text(const std::string& v) { return v == "true" || v == "false"; }

std::optional<api::ApiError> check_topic_attribute(const std::string& name,
                                                   const std::string& value, bool fifo,
                                                   bool creating) {
  if (!settable_topic_attribute(name, creating)) return invalid_parameter("AttributeName");
  if (value.size() > sns_limits::attribute_value_bytes_max)
    return invalid_parameter("Attributes Reason: " + name + " is too long");
  if (name == "FifoTopic" && !is_bool_text(value))
    return invalid_parameter("Attributes Reason: FifoTopic: Invalid value [" + value +
                             "]. Must be true or false.");
  if (name == "ContentBasedDeduplication") {
    if (!is_bool_text(value))
      return invalid_parameter("Attributes Reason: ContentBasedDeduplication: Invalid value [" +
                               value + "]. Must be true or false.");
    if (!fifo)
      return invalid_parameter(
          "Attributes Reason: Content-based deduplication can only be set "
          "for FIFO topics");
  }
  if (name == "FifoThroughputScope" && !fifo)
    return invalid_parameter(
        "Attributes Reason: FifoThroughputScope can only be set for FIFO "
        "topics");
  if (name == "SignatureVersion" && value != "1" && value != "2")
    return invalid_parameter("Attributes Reason: SignatureVersion: Invalid value [" + value +
                             "]. Must be 1 or 2.");
  if ((name == "Policy" || name == "DeliveryPolicy" || name == "DataProtectionPolicy" ||
       name == "ArchivePolicy") &&
      !value.empty()) {
    auto parsed = json::parse(value);
    if (!parsed.ok() || !parsed->is_object())
      return invalid_parameter("Attributes Reason: " + name + ": failed to parse JSON.");
  }
  return std::nullopt;
}

using Tags = std::vector<std::pair<std::string, std::string>>;

std::optional<api::ApiError> check_tags(const Tags& tags) {
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > sns_limits::tag_key_chars_max)
      return invalid_parameter("Tags Reason: Tag key must be between 1 and " +
                               std::to_string(sns_limits::tag_key_chars_max) + " characters");
    if (v.size() > sns_limits::tag_value_chars_max)
      return invalid_parameter("Tags Reason: Tag value must be at most " +
                               std::to_string(sns_limits::tag_value_chars_max) + " characters");
  }
  return std::nullopt;
}

api::ApiError tag_quota() {
  return sns_error("TagLimitExceeded",
                   "Could not complete request: tag quota of per resource exceeded");
}

}  // namespace

void Sns::create_topic(const Json& r, api::Reply reply) {
  const std::string name = text_field(r, "Name");
  auto attrs = text_map(r, "Attributes");
  if (!attrs) return reply(invalid_parameter("Attributes"));
  auto tags = tag_list(r, "Tags");
  if (!tags) return reply(invalid_parameter("Tags"));
  bool fifo = false;
  if (auto it = attrs->find("FifoTopic"); it != attrs->end()) {
    if (auto e = check_topic_attribute("FifoTopic", it->second, false, true)) return reply(*e);
    fifo = it->second == "true";
    if (!fifo) attrs->erase(it);
  }
  if (name.empty()) return reply(invalid_parameter("Topic Name"));
  if (fifo && !valid_topic_name(name, true))
    return reply(invalid_parameter(
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
        "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and "
        "256 characters long."));
  if (!fifo && !valid_topic_name(name, false)) return reply(invalid_parameter("Topic Name"));
  for (const auto& [k, v] : *attrs)
    if (auto e = check_topic_attribute(k, v, fifo, true)) return reply(*e);
  if (tags->size() > sns_limits::tags_max) return reply(tag_quota());
  if (auto e = check_tags(*tags)) return reply(*e);

  std::vector<Mutation> batch;
  std::string arn = arn::make("sns", options_.place.region, options_.place.account, name);
  {
    base::MutexLock lock(mu_);
    if (Topic* existing = find_topic(arn)) {
      for (const auto& [k, v] : *attrs) {
        auto it = existing->attributes.find(k);
        const bool same = k == "FifoTopic" ? existing->fifo == (v == "true")
                                           : it != existing->attributes.end() && it->second == v;
        if (!same)
          return reply(invalid_parameter(
              "Attributes Reason: Topic already exists with different attributes"));
      }
      for (const auto& [k, v] : *tags) {
        auto it = std::find_if(existing->tags.begin(), existing->tags.end(),
                               [&key = k](const auto& t) { return t.first == key; });
        if (it == existing->tags.end() || it->second != v)
          return reply(
              invalid_parameter("Tags Reason: Topic already exists with different "
                                "tags"));
      }
      return reply(json::object{{"TopicArn", arn}});
    }
    if (topics_.size() >= sns_limits::topics_max)
      return reply(sns_error("TopicLimitExceeded", "Topic limit exceeded"));
    auto t = std::make_unique<Topic>();
    t->arn = arn;
    t->name = name;
    t->account = options_.place.account;
    t->fifo = fifo;
    attrs->erase("FifoTopic");
    t->attributes = std::move(*attrs);
    t->tags = std::move(*tags);
    t->created_ms = options_.clock.now_ms();
    batch.push_back(record_of(*t));
    topics_[arn] = std::move(t);
  }
  persist(std::move(batch), json::object{{"TopicArn", arn}}, std::move(reply));
}

void Sns::delete_topic(const Json& r, api::Reply reply) {
  const std::string arn = text_field(r, "TopicArn");
  if (arn.empty()) return reply(invalid_parameter("TopicArn"));
  if (!parse_topic_arn(arn, nullptr, nullptr)) return reply(invalid_parameter("TopicArn"));
  std::vector<Mutation> batch;
  {
    base::MutexLock lock(mu_);
    auto it = topics_.find(arn);
    // AWS answers success for a topic that does not exist.
    if (it == topics_.end()) return reply(json::object{});
    for (auto s = subs_.begin(); s != subs_.end();) {
      if (s->second->topic_arn != arn) {
        ++s;
        continue;
      }
      batch.push_back(Mutation{"sns.subscriptions", s->first, std::nullopt});
      sub_order_.erase(s->second->order);
      s = subs_.erase(s);
    }
    batch.push_back(Mutation{"sns.topics", arn, std::nullopt});
    topics_.erase(it);
  }
  persist(std::move(batch), json::object{}, std::move(reply));
}

api::Response Sns::list_topics(const Json& r) {
  const std::string token = text_field(r, "NextToken");
  base::MutexLock lock(mu_);
  auto it = token.empty() ? topics_.begin() : topics_.upper_bound(token);
  if (!token.empty() && !parse_topic_arn(token, nullptr, nullptr))
    return invalid_parameter("NextToken");
  json::array topics;
  for (; it != topics_.end() && topics.size() < sns_limits::topics_page; ++it)
    topics.push_back(json::object{{"TopicArn", it->first}});
  json::object out{{"Topics", std::move(topics)}};
  if (it != topics_.end()) out["NextToken"] = std::prev(it)->first;
  return out;
}

api::Response Sns::get_topic_attributes(const Json& r) {
  const std::string arn = text_field(r, "TopicArn");
  if (arn.empty() || !parse_topic_arn(arn, nullptr, nullptr)) return invalid_parameter("TopicArn");
  base::MutexLock lock(mu_);
  Topic* t = find_topic(arn);
  if (t == nullptr) return topic_not_found();
  std::size_t confirmed = 0, pending = 0;
  for (const auto& [_, s] : subs_) {
    if (s->topic_arn != arn) continue;
    if (s->confirmed) {
      ++confirmed;
    } else {
      ++pending;
    }
  }
  json::object a;
  a["Policy"] = default_policy(arn, t->account);
  a["Owner"] = t->account;
  a["SubscriptionsPending"] = std::to_string(pending);
  a["TopicArn"] = arn;
  a["EffectiveDeliveryPolicy"] = std::string(kEffectiveDeliveryPolicy);
  a["SubscriptionsConfirmed"] = std::to_string(confirmed);
  a["DisplayName"] = "";
  a["SubscriptionsDeleted"] = std::to_string(t->subscriptions_deleted);
  if (t->fifo) {
    a["FifoTopic"] = "true";
    a["ContentBasedDeduplication"] = "false";
  }
  for (const auto& [k, v] : t->attributes) a[k] = v;
  return json::object{{"Attributes", std::move(a)}};
}

void Sns::set_topic_attributes(const Json& r, api::Reply reply) {
  const std::string arn = text_field(r, "TopicArn");
  const std::string name = text_field(r, "AttributeName");
  const std::string value = text_field(r, "AttributeValue");
  if (arn.empty() || !parse_topic_arn(arn, nullptr, nullptr))
    return reply(invalid_parameter("TopicArn"));
  if (name.empty()) return reply(invalid_parameter("AttributeName"));
  std::vector<Mutation> batch;
  {
    base::MutexLock lock(mu_);
    Topic* t = find_topic(arn);
    if (t == nullptr) return reply(topic_not_found());
    if (auto e = check_topic_attribute(name, value, t->fifo, false)) return reply(*e);
    t->attributes[name] = value;
    batch.push_back(record_of(*t));
  }
  persist(std::move(batch), json::object{}, std::move(reply));
}

void Sns::tag_resource(const Json& r, api::Reply reply, bool untag) {
  const std::string arn = text_field(r, "ResourceArn");
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> keys;
  if (untag) {
    const auto* v = r.if_contains("TagKeys");
    if (v == nullptr || !v->is_array()) return reply(invalid_parameter("TagKeys"));
    for (const auto& k : v->get_array())
      if (k.is_string()) keys.emplace_back(k.get_string());
  } else {
    auto t = tag_list(r, "Tags");
    if (!t) return reply(invalid_parameter("Tags"));
    if (auto e = check_tags(*t)) return reply(*e);
    tags = std::move(*t);
  }
  std::vector<Mutation> batch;
  {
    base::MutexLock lock(mu_);
    Topic* t = find_topic(arn);
    if (t == nullptr) return reply(sns_error("ResourceNotFound", "Resource does not exist", 404));
    if (untag) {
      std::erase_if(t->tags, [&](const auto& tag) {
        return std::find(keys.begin(), keys.end(), tag.first) != keys.end();
      });
    } else {
      auto merged = t->tags;
      if (!merge_tags(merged, tags, sns_limits::tags_max)) return reply(tag_quota());
      t->tags = std::move(merged);
    }
    batch.push_back(record_of(*t));
  }
  persist(std::move(batch), json::object{}, std::move(reply));
}

api::Response Sns::list_tags(const Json& r) {
  const std::string arn = text_field(r, "ResourceArn");
  base::MutexLock lock(mu_);
  Topic* t = find_topic(arn);
  if (t == nullptr) return sns_error("ResourceNotFound", "Resource does not exist", 404);
  json::array tags;
  for (const auto& [k, v] : t->tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  return json::object{{"Tags", std::move(tags)}};
}

}  // namespace stepwise::services::sns
