// Subscriptions: Subscribe (with the confirmation handshake for http/https/e-mail),
// ConfirmSubscription, Unsubscribe, the two lists, Get/SetSubscriptionAttributes.
#include <algorithm>
#include <charconv>

#include "base/arn.h"
#include "services/sns/sns_internal.h"

namespace stepwise::services::sns {
namespace {

constexpr std::string_view kPending = "pending confirmation";

bool known_protocol(const std::string& p) {
  static constexpr std::string_view names[] = {"http", "https",       "email",  "email-json", "sms",
                                               "sqs",  "application", "lambda", "firehose"};
  return std::find(std::begin(names), std::end(names), p) != std::end(names);
}

// http/https/email/email-json subscriptions wait for their endpoint's confirmation.
bool needs_confirmation(const std::string& p) {
  return p == "http" || p == "https" || p == "email" || p == "email-json";
}

std::optional<api::ApiError> check_endpoint(const std::string& protocol,
                                            const std::string& endpoint, bool fifo_topic) {
  if (endpoint.size() > sns_limits::endpoint_chars_max)
    return invalid_parameter("Endpoint Reason: too long");
  if (protocol == "sqs") {
    if (!endpoint.starts_with("arn:aws:sqs:") ||
        std::count(endpoint.begin(), endpoint.end(), ':') != 5)
      return invalid_parameter("SQS endpoint ARN");
    if (!fifo_topic && endpoint.ends_with(".fifo"))
      return invalid_parameter(
          "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
          "subscribed to standard SNS topics");
    return std::nullopt;
  }
  if (fifo_topic && protocol != "firehose")
    return invalid_parameter("Invalid protocol type: " + protocol);
  if (protocol == "http" || protocol == "https") {
    if (!endpoint.starts_with(protocol + "://") || endpoint.size() <= protocol.size() + 3)
      return invalid_parameter("Endpoint must match the specified protocol");
  } else if (protocol == "email" || protocol == "email-json") {
    auto at = endpoint.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == endpoint.size() ||
        endpoint.find_first_of(" \r\n\t") != std::string::npos)
      return invalid_parameter("Email address");
  } else if (protocol == "lambda") {
    if (!endpoint.starts_with("arn:aws:lambda:")) return invalid_parameter("Lambda endpoint ARN");
  } else if (protocol == "sms") {
    if (!valid_phone(endpoint)) return invalid_parameter("Invalid SMS endpoint: " + endpoint);
  } else if (endpoint.empty()) {
    return invalid_parameter("Endpoint");
  }
  return std::nullopt;
}

json::object listing(const Sns::Subscription& s) {
  return json::object{{"SubscriptionArn", s.confirmed ? s.arn : std::string("PendingConfirmation")},
                      {"Owner", s.owner},
                      {"Protocol", s.protocol},
                      {"Endpoint", s.endpoint},
                      {"TopicArn", s.topic_arn}};
}

}  // namespace

void Sns::subscribe(const Json& r, api::Reply reply) {
  const std::string topic_arn = text_field(r, "TopicArn");
  const std::string protocol = text_field(r, "Protocol");
  const std::string endpoint = text_field(r, "Endpoint");
  const bool return_arn = text_field(r, "ReturnSubscriptionArn") == "true";
  auto attrs = text_map(r, "Attributes");
  if (!attrs) return reply(invalid_parameter("Attributes"));
  if (topic_arn.empty() || !parse_topic_arn(topic_arn, nullptr, nullptr))
    return reply(invalid_parameter("TopicArn"));
  if (protocol.empty()) return reply(invalid_parameter("Protocol"));
  if (!known_protocol(protocol))
    return reply(
        invalid_parameter("Amazon SNS does not support this protocol string: " + protocol));
  std::string scope = "MessageAttributes";
  if (auto it = attrs->find("FilterPolicyScope"); it != attrs->end()) scope = it->second;
  for (const auto& [k, v] : *attrs)
    if (auto e = check_subscription_attribute(k, v, protocol, scope)) return reply(std::move(*e));

  std::vector<Mutation> batch;
  std::string arn;
  bool confirmed = false;
  std::shared_ptr<Subscription> pending_copy;
  {
    base::MutexLock lock(mu_);
    Topic* t = find_topic(topic_arn);
    if (t == nullptr) return reply(topic_not_found());
    if (auto e = check_endpoint(protocol, endpoint, t->fifo)) return reply(std::move(*e));
    for (const auto& [_, s] : subs_) {
      if (s->topic_arn != topic_arn || s->protocol != protocol || s->endpoint != endpoint) continue;
      for (const auto& [k, v] : *attrs)
        if (s->attribute(k) != v)
          return reply(invalid_parameter(
              "Attributes Reason: Subscription already exists with different attributes"));
      const bool show = s->confirmed || return_arn;
      return reply(json::object{{"SubscriptionArn", show ? s->arn : std::string(kPending)}});
    }
    if (subs_.size() >= sns_limits::subscriptions_max)
      return reply(sns_error("SubscriptionLimitExceeded", "Subscription limit exceeded"));
    auto s = std::make_unique<Subscription>();
    s->arn = topic_arn + ":" + ids_.uuid_v4();
    s->topic_arn = topic_arn;
    s->owner = t->account;
    s->protocol = protocol;
    s->endpoint = endpoint;
    s->attributes = std::move(*attrs);
    s->confirmed = !needs_confirmation(protocol);
    if (!s->confirmed) {
      std::string a = ids_.uuid_v4(), b = ids_.uuid_v4();
      std::erase(a, '-');
      std::erase(b, '-');
      s->token = a + b;
      pending_copy = std::make_shared<Subscription>(*s);
    }
    s->order = next_order_++;
    s->refresh();
    arn = s->arn;
    confirmed = s->confirmed;
    batch.push_back(record_of(*s));
    sub_order_[s->order] = arn;
    subs_[arn] = std::move(s);
  }
  json::object answer{{"SubscriptionArn", confirmed || return_arn ? arn : std::string(kPending)}};
  if (!pending_copy) return persist(std::move(batch), std::move(answer), std::move(reply));
  persist(std::move(batch), std::move(answer),
          [this, pending_copy, reply = std::move(reply)](api::Response r) {
            if (!r.is_error()) send_confirmation(*pending_copy);
            reply(std::move(r));
          });
}

void Sns::send_confirmation(const Subscription& s) {
  std::string message_id;
  {
    base::MutexLock lock(mu_);
    if (stopped_) return;
    message_id = ids_.uuid_v4();
  }
  const Millis now = options_.clock.now_ms();
  std::string body = confirmation_envelope("SubscriptionConfirmation", message_id, s.topic_arn,
                                           s.token, now, envelope_place_);
  auto d = std::make_shared<Delivery>();
  d->subscription_arn = s.arn;
  d->topic_arn = s.topic_arn;
  d->protocol = s.protocol;
  d->endpoint = s.endpoint;
  d->message_id = message_id;
  d->message_type = "SubscriptionConfirmation";
  if (s.protocol == "http" || s.protocol == "https") {
    d->body = std::move(body);
    std::tie(d->retries_left, d->delay_s) = retry_policy(s.attribute("DeliveryPolicy"));
    deliver_http(std::move(d));
    return;
  }
  // e-mail: a line a person (or a test) reads the SubscribeURL from.
  json::object line{{"Timestamp", format_iso8601_ms(now)},
                    {"Type", "SubscriptionConfirmation"},
                    {"Protocol", s.protocol},
                    {"To", s.endpoint},
                    {"TopicArn", s.topic_arn},
                    {"Subject", "AWS Notification - Subscription Confirmation"},
                    {"Token", s.token},
                    {"SubscribeURL", subscribe_url(s.topic_arn, s.token, envelope_place_)},
                    {"Body", std::move(body)}};
  options_.workers.append_line(json::dump(line));
}

void Sns::confirm_subscription(const Json& r, api::Reply reply) {
  const std::string topic_arn = text_field(r, "TopicArn");
  const std::string token = text_field(r, "Token");
  const bool authenticated = text_field(r, "AuthenticateOnUnsubscribe") == "true";
  if (topic_arn.empty() || !parse_topic_arn(topic_arn, nullptr, nullptr))
    return reply(invalid_parameter("TopicArn"));
  if (token.empty()) return reply(invalid_parameter("Token"));
  std::vector<Mutation> batch;
  std::string arn;
  {
    base::MutexLock lock(mu_);
    if (find_topic(topic_arn) == nullptr) return reply(topic_not_found());
    Subscription* found = nullptr;
    for (auto& [_, s] : subs_)
      if (s->topic_arn == topic_arn && !s->token.empty() && s->token == token) found = s.get();
    if (found == nullptr) return reply(invalid_parameter("Token"));
    arn = found->arn;
    if (found->confirmed) return reply(json::object{{"SubscriptionArn", arn}});
    found->confirmed = true;
    if (authenticated) found->attributes["ConfirmationWasAuthenticated"] = "true";
    batch.push_back(record_of(*found));
  }
  persist(std::move(batch), json::object{{"SubscriptionArn", arn}}, std::move(reply));
}

void Sns::unsubscribe(const Json& r, api::Reply reply) {
  const std::string arn = text_field(r, "SubscriptionArn");
  if (arn.empty()) return reply(invalid_parameter("SubscriptionArn"));
  std::vector<Mutation> batch;
  {
    base::MutexLock lock(mu_);
    auto it = subs_.find(arn);
    if (it == subs_.end()) {
      // A well-formed ARN of a subscription that is gone: AWS answers success.
      auto colon = arn.rfind(':');
      if (colon != std::string::npos && parse_topic_arn(arn.substr(0, colon), nullptr, nullptr))
        return reply(json::object{});
      return reply(invalid_parameter("SubscriptionArn"));
    }
    if (Topic* t = find_topic(it->second->topic_arn)) {
      ++t->subscriptions_deleted;
      batch.push_back(record_of(*t));
    }
    batch.push_back(Mutation{"sns.subscriptions", arn, std::nullopt});
    sub_order_.erase(it->second->order);
    subs_.erase(it);
  }
  persist(std::move(batch), json::object{}, std::move(reply));
}

api::Response Sns::list_subscriptions(const Json& r, const std::string* topic_arn) {
  const std::string token = text_field(r, "NextToken");
  std::uint64_t from = 0;
  if (!token.empty()) {
    auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), from);
    if (ec != std::errc() || p != token.data() + token.size())
      return invalid_parameter("NextToken");
  }
  base::MutexLock lock(mu_);
  if (topic_arn) {
    if (topic_arn->empty() || !parse_topic_arn(*topic_arn, nullptr, nullptr))
      return invalid_parameter("TopicArn");
    if (find_topic(*topic_arn) == nullptr) return topic_not_found();
  }
  json::array out;
  auto it = sub_order_.lower_bound(from);
  for (; it != sub_order_.end(); ++it) {
    const auto& s = *subs_.at(it->second);
    if (topic_arn && s.topic_arn != *topic_arn) continue;
    if (out.size() == sns_limits::subscriptions_page) break;
    out.push_back(listing(s));
  }
  json::object answer{{"Subscriptions", std::move(out)}};
  if (it != sub_order_.end()) answer["NextToken"] = std::to_string(it->first);
  return answer;
}

api::Response Sns::get_subscription_attributes(const Json& r) {
  const std::string arn = text_field(r, "SubscriptionArn");
  if (arn.empty()) return invalid_parameter("SubscriptionArn");
  base::MutexLock lock(mu_);
  auto it = subs_.find(arn);
  if (it == subs_.end()) return subscription_not_found();
  const auto& s = *it->second;
  json::object a;
  a["Owner"] = s.owner;
  a["RawMessageDelivery"] = "false";
  a["TopicArn"] = s.topic_arn;
  a["Endpoint"] = s.endpoint;
  a["Protocol"] = s.protocol;
  a["PendingConfirmation"] = s.confirmed ? "false" : "true";
  a["ConfirmationWasAuthenticated"] = s.confirmed ? "true" : "false";
  a["SubscriptionArn"] = s.arn;
  a["SubscriptionPrincipal"] = arn::make("iam", "", s.owner, "root");
  for (const auto& [k, v] : s.attributes) {
    if (k == "RawMessageDelivery") {
      a[k] = v == "true" || v == "True" ? "true" : "false";
    } else {
      a[k] = v;
    }
  }
  if (s.attributes.contains("FilterPolicy") && !s.attributes.contains("FilterPolicyScope"))
    a["FilterPolicyScope"] = "MessageAttributes";
  if (s.protocol == "http" || s.protocol == "https") {
    auto [retries, delay] = retry_policy(s.attribute("DeliveryPolicy"));
    a["EffectiveDeliveryPolicy"] = json::dump(
        json::object{{"healthyRetryPolicy", json::object{{"minDelayTarget", delay},
                                                         {"maxDelayTarget", delay},
                                                         {"numRetries", retries},
                                                         {"numMaxDelayRetries", 0},
                                                         {"numNoDelayRetries", 0},
                                                         {"numMinDelayRetries", 0},
                                                         {"backoffFunction", "linear"}}}});
  }
  return json::object{{"Attributes", std::move(a)}};
}

void Sns::set_subscription_attributes(const Json& r, api::Reply reply) {
  const std::string arn = text_field(r, "SubscriptionArn");
  const std::string name = text_field(r, "AttributeName");
  std::string value = text_field(r, "AttributeValue");
  if (arn.empty()) return reply(invalid_parameter("SubscriptionArn"));
  if (name.empty()) return reply(invalid_parameter("AttributeName"));
  std::vector<Mutation> batch;
  {
    base::MutexLock lock(mu_);
    auto it = subs_.find(arn);
    if (it == subs_.end()) return reply(subscription_not_found());
    auto& s = *it->second;
    std::string scope = s.attribute("FilterPolicyScope");
    if (name == "FilterPolicyScope") scope = value;
    if (auto e = check_subscription_attribute(name, value, s.protocol, scope))
      return reply(std::move(*e));
    // A new scope must still fit the policy already set.
    if (name == "FilterPolicyScope" && !s.attribute("FilterPolicy").empty())
      if (auto e = check_subscription_attribute("FilterPolicy", s.attribute("FilterPolicy"),
                                                s.protocol, scope))
        return reply(std::move(*e));
    if (name == "RawMessageDelivery") value = value == "true" || value == "True" ? "true" : "false";
    if (name == "FilterPolicy" && value.empty()) {
      s.attributes.erase(name);
    } else {
      s.attributes[name] = value;
    }
    s.refresh();
    batch.push_back(record_of(s));
  }
  persist(std::move(batch), json::object{}, std::move(reply));
}

}  // namespace stepwise::services::sns
