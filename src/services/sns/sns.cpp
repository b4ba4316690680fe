#include "services/sns/sns.h"

#include <algorithm>
#include <utility>

#include "base/arn.h"
#include "json/clamp.h"
#include "services/sns/sns_internal.h"

namespace stepwise::services::sns {
namespace {

constexpr const char* kTopicsNs = "sns.topics";
constexpr const char* kSubscriptionsNs = "sns.subscriptions";

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

json::object string_map_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::map<std::string, std::string> string_map_of(const json::value* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& kv : v->get_object())
    if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
  return out;
}

}  // namespace

// ---- records ----

bool Sns::Topic::content_dedup() const {
  auto it = attributes.find("ContentBasedDeduplication");
  return it != attributes.end() && it->second == "true";
}

bool Sns::Subscription::raw() const { return attribute("RawMessageDelivery") == "true"; }

std::string Sns::Subscription::attribute(const std::string& name) const {
  auto it = attributes.find(name);
  return it == attributes.end() ? std::string() : it->second;
}

void Sns::Subscription::refresh() {
  filter.reset();
  std::string policy = attribute("FilterPolicy");
  if (policy.empty()) return;
  auto scope = attribute("FilterPolicyScope") == "MessageBody" ? FilterPolicy::Scope::kBody
                                                               : FilterPolicy::Scope::kAttributes;
  filter = FilterPolicy::parse(policy, scope, nullptr);
}

// ---- fields ----

std::string text_field(const json::object& r, std::string_view name) {
  const auto* v = r.if_contains(name);
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  return json::dump(*v);
}

bool has_field(const json::object& r, std::string_view name) {
  const auto* v = r.if_contains(name);
  return v != nullptr && !v->is_null();
}

std::optional<std::map<std::string, std::string>> text_map(const json::object& r,
                                                           std::string_view name) {
  std::map<std::string, std::string> out;
  const auto* v = r.if_contains(name);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_object()) return std::nullopt;
  for (const auto& kv : v->get_object()) {
    const auto& x = kv.value();
    out[std::string(kv.key())] = x.is_string() ? std::string(x.get_string())
                                 : x.is_bool() ? (x.get_bool() ? "true" : "false")
                                 : x.is_null() ? ""
                                               : json::dump(x);
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> tag_list(const json::object& r,
                                                                         std::string_view name) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto* v = r.if_contains(name);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) return std::nullopt;
  for (const auto& t : v->get_array()) {
    if (!t.is_object()) return std::nullopt;
    out.emplace_back(text_field(t.get_object(), "Key"), text_field(t.get_object(), "Value"));
  }
  return out;
}

// ---- errors ----

api::ApiError sns_error(std::string code, std::string message, unsigned status) {
  return api::ApiError{std::move(code), std::move(message), status};
}

api::ApiError invalid_parameter(std::string_view what) {
  return sns_error("InvalidParameter", "Invalid parameter: " + std::string(what));
}

api::ApiError topic_not_found() { return sns_error("NotFound", "Topic does not exist", 404); }

api::ApiError subscription_not_found() {
  return sns_error("NotFound", "Subscription does not exist", 404);
}

// ---- names ----

bool valid_topic_name(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > sns_limits::topic_name_chars_max) return false;
  std::string_view stem = name;
  if (fifo) {
    if (!name.ends_with(".fifo")) return false;
    stem.remove_suffix(5);
    if (stem.empty()) return false;
  }
  return std::all_of(stem.begin(), stem.end(), is_word_char);
}

bool parse_topic_arn(std::string_view arn, std::string* account, std::string* name) {
  auto p = arn::parse(arn);
  if (!p || p->partition != "aws" || p->service != "sns") return false;
  if (p->account.empty() || p->resource.empty() || p->resource.find(':') != std::string_view::npos)
    return false;
  if (account) *account = std::string(p->account);
  if (name) *name = std::string(p->resource);
  return true;
}

bool valid_batch_id(std::string_view id) {
  return !id.empty() && id.size() <= sns_limits::batch_id_chars_max &&
         std::all_of(id.begin(), id.end(), is_word_char);
}

bool settable_topic_attribute(std::string_view name, bool creating) {
  static constexpr std::string_view names[] = {"DisplayName",
                                               "Policy",
                                               "DeliveryPolicy",
                                               "KmsMasterKeyId",
                                               "TracingConfig",
                                               "SignatureVersion",
                                               "ContentBasedDeduplication",
                                               "ArchivePolicy",
                                               "DataProtectionPolicy",
                                               "FifoThroughputScope",
                                               "HTTPSuccessFeedbackRoleArn",
                                               "HTTPSuccessFeedbackSampleRate",
                                               "HTTPFailureFeedbackRoleArn",
                                               "LambdaSuccessFeedbackRoleArn",
                                               "LambdaSuccessFeedbackSampleRate",
                                               "LambdaFailureFeedbackRoleArn",
                                               "SQSSuccessFeedbackRoleArn",
                                               "SQSSuccessFeedbackSampleRate",
                                               "SQSFailureFeedbackRoleArn",
                                               "FirehoseSuccessFeedbackRoleArn",
                                               "FirehoseSuccessFeedbackSampleRate",
                                               "FirehoseFailureFeedbackRoleArn",
                                               "ApplicationSuccessFeedbackRoleArn",
                                               "ApplicationSuccessFeedbackSampleRate",
                                               "ApplicationFailureFeedbackRoleArn"};
  if (creating && name == "FifoTopic") return true;
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

bool settable_subscription_attribute(std::string_view name) {
  static constexpr std::string_view names[] = {
      "DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope", "RawMessageDelivery",
      "RedrivePolicy",  "SubscriptionRoleArn", "ReplayPolicy"};
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

std::optional<api::ApiError> check_subscription_attribute(const std::string& name,
                                                          const std::string& value,
                                                          const std::string& protocol,
                                                          const std::string& scope) {
  if (!settable_subscription_attribute(name)) return invalid_parameter("AttributeName");
  if (value.size() > sns_limits::attribute_value_bytes_max)
    return invalid_parameter("Attributes Reason: " + name + " is too long");
  if (name == "RawMessageDelivery") {
    if (value != "true" && value != "false" && value != "True" && value != "False")
      return invalid_parameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value +
                               "]. Must be true or false.");
    if (protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose")
      return invalid_parameter("Attributes Reason: Delivery protocol [" + protocol +
                               "] does not support raw message delivery.");
  } else if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody")
      return invalid_parameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value +
                               "]. Please use either MessageBody or MessageAttributes");
  } else if (name == "FilterPolicy" && !value.empty()) {
    std::string why;
    auto s = scope == "MessageBody" ? FilterPolicy::Scope::kBody : FilterPolicy::Scope::kAttributes;
    if (!FilterPolicy::parse(value, s, &why)) return invalid_parameter("FilterPolicy: " + why);
  } else if ((name == "DeliveryPolicy" || name == "RedrivePolicy") && !value.empty()) {
    auto parsed = json::parse(value);
    if (!parsed.ok() || !parsed->is_object())
      return invalid_parameter(name + ": failed to parse JSON.");
  }
  return std::nullopt;
}

std::pair<std::int64_t, std::int64_t> retry_policy(const std::string& delivery_policy) {
  std::int64_t retries = sns_limits::http_retries_default;
  std::int64_t delay = sns_limits::http_delay_s_default;
  auto parsed = json::parse(delivery_policy);
  if (!parsed.ok() || !parsed->is_object()) return {retries, delay};
  const json::value* healthy = nullptr;
  if (const auto* http = parsed->get_object().if_contains("http"); http && http->is_object())
    healthy = http->get_object().if_contains("defaultHealthyRetryPolicy");
  if (healthy == nullptr) healthy = parsed->get_object().if_contains("healthyRetryPolicy");
  if (healthy == nullptr || !healthy->is_object()) return {retries, delay};
  const auto& h = healthy->get_object();
  if (const auto* n = h.if_contains("numRetries"); n && json::is_number(*n))
    retries = std::clamp<std::int64_t>(json::as_int64_clamped(*n), 0, sns_limits::http_retries_max);
  if (const auto* d = h.if_contains("minDelayTarget"); d && json::is_number(*d))
    delay = std::clamp<std::int64_t>(json::as_int64_clamped(*d), 1, sns_limits::http_delay_s_max);
  return {retries, delay};
}

// ---- the service ----

Sns::Sns(SnsOptions options)
    : options_(std::move(options)),
      envelope_place_{options_.place.endpoint, options_.place.region},
      ids_(options_.id_seed),
      invoke_function_(options_.invoke_function) {}

Sns::~Sns() { stop(); }

void Sns::set_function_invoker(FunctionInvoker invoke) {
  base::MutexLock lock(mu_);
  invoke_function_ = std::move(invoke);
}

const std::vector<std::string>& Sns::operation_names() {
  static const std::vector<std::string> names = {"CreateTopic",
                                                 "DeleteTopic",
                                                 "ListTopics",
                                                 "GetTopicAttributes",
                                                 "SetTopicAttributes",
                                                 "Subscribe",
                                                 "ConfirmSubscription",
                                                 "Unsubscribe",
                                                 "ListSubscriptions",
                                                 "ListSubscriptionsByTopic",
                                                 "GetSubscriptionAttributes",
                                                 "SetSubscriptionAttributes",
                                                 "Publish",
                                                 "PublishBatch",
                                                 "TagResource",
                                                 "UntagResource",
                                                 "ListTagsForResource"};
  return names;
}

void Sns::dispatch(std::string_view op, json::value request, const api::RequestInfo& info,
                   api::Reply reply) {
  (void)info;
  if (request.is_null()) request = json::object();
  if (!request.is_object()) {
    reply(sns_error("InvalidParameter", "Invalid parameter: the request must be an object"));
    return;
  }
  const Json& r = request.get_object();
  if (op == "Publish") return publish(r, std::move(reply));
  if (op == "PublishBatch") return publish_batch(r, std::move(reply));
  if (op == "CreateTopic") return create_topic(r, std::move(reply));
  if (op == "DeleteTopic") return delete_topic(r, std::move(reply));
  if (op == "ListTopics") return reply(list_topics(r));
  if (op == "GetTopicAttributes") return reply(get_topic_attributes(r));
  if (op == "SetTopicAttributes") return set_topic_attributes(r, std::move(reply));
  if (op == "Subscribe") return subscribe(r, std::move(reply));
  if (op == "ConfirmSubscription") return confirm_subscription(r, std::move(reply));
  if (op == "Unsubscribe") return unsubscribe(r, std::move(reply));
  if (op == "ListSubscriptions") return reply(list_subscriptions(r, nullptr));
  if (op == "ListSubscriptionsByTopic") {
    std::string arn = text_field(r, "TopicArn");
    return reply(list_subscriptions(r, &arn));
  }
  if (op == "GetSubscriptionAttributes") return reply(get_subscription_attributes(r));
  if (op == "SetSubscriptionAttributes") return set_subscription_attributes(r, std::move(reply));
  if (op == "TagResource") return tag_resource(r, std::move(reply), false);
  if (op == "UntagResource") return tag_resource(r, std::move(reply), true);
  if (op == "ListTagsForResource") return reply(list_tags(r));
  reply(sns_error("InvalidAction", "The action " + std::string(op) +
                                       " is not valid for this "
                                       "endpoint."));
}

void Sns::persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply) {
  auto shared = std::make_shared<api::Response>(std::move(answer));
  options_.log.write(std::move(batch), [shared, reply = std::move(reply)](Status s) {
    if (!s.ok()) {
      reply(sns_error("InternalError", "The write could not be made durable: " + s.error().cause,
                      500));
      return;
    }
    reply(std::move(*shared));
  });
}

Mutation Sns::record_of(const Topic& t) const {
  json::array tags;
  for (const auto& [k, v] : t.tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  json::object o{{"name", t.name},
                 {"account", t.account},
                 {"fifo", t.fifo},
                 {"attributes", string_map_json(t.attributes)},
                 {"tags", std::move(tags)},
                 {"created", t.created_ms},
                 {"deleted_subscriptions", t.subscriptions_deleted}};
  return Mutation{kTopicsNs, t.arn, json::dump(o)};
}

Mutation Sns::record_of(const Subscription& s) const {
  json::object o{{"topic", s.topic_arn},
                 {"owner", s.owner},
                 {"protocol", s.protocol},
                 {"endpoint", s.endpoint},
                 {"attributes", string_map_json(s.attributes)},
                 {"confirmed", s.confirmed},
                 {"token", s.token},
                 {"order", s.order}};
  return Mutation{kSubscriptionsNs, s.arn, json::dump(o)};
}

Sns::Topic* Sns::find_topic(const std::string& arn) {
  auto it = topics_.find(arn);
  return it == topics_.end() ? nullptr : it->second.get();
}

Status Sns::load(std::size_t* damaged) {
  std::size_t bad = 0;
  base::MutexLock lock(mu_);
  // Each loader runs inside load_json_objects, while this function holds mu_.
  auto each_topic = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto t = std::make_unique<Topic>();
    t->arn = rec.key;
    t->name = text_field(o, "name");
    t->account = text_field(o, "account");
    t->fifo = text_field(o, "fifo") == "true";
    t->attributes = string_map_of(o.if_contains("attributes"));
    if (auto tags = tag_list(o, "tags")) t->tags = std::move(*tags);
    if (const auto* c = o.if_contains("created"); c && json::is_number(*c))
      t->created_ms = json::as_int64_clamped(*c);
    if (const auto* d = o.if_contains("deleted_subscriptions"); d && json::is_number(*d))
      t->subscriptions_deleted =
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, json::as_int64_clamped(*d)));
    topics_[t->arn] = std::move(t);
    return true;
  };
  auto each_subscription = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto s = std::make_unique<Subscription>();
    s->arn = rec.key;
    s->topic_arn = text_field(o, "topic");
    s->owner = text_field(o, "owner");
    s->protocol = text_field(o, "protocol");
    s->endpoint = text_field(o, "endpoint");
    s->attributes = string_map_of(o.if_contains("attributes"));
    s->confirmed = text_field(o, "confirmed") == "true";
    s->token = text_field(o, "token");
    if (const auto* n = o.if_contains("order"); n && json::is_number(*n))
      s->order = static_cast<std::uint64_t>(std::max<std::int64_t>(0, json::as_int64_clamped(*n)));
    if (!topics_.contains(s->topic_arn) || s->order == 0 || sub_order_.contains(s->order)) {
      return false;
    }
    s->refresh();
    next_order_ = std::max(next_order_, s->order + 1);
    sub_order_[s->order] = s->arn;
    subs_[s->arn] = std::move(s);
    return true;
  };
  // Topics first: a subscription names its topic.
  if (auto st = load_json_objects(options_.log, kTopicsNs, bad, each_topic); !st.ok()) return st;
  if (auto st = load_json_objects(options_.log, kSubscriptionsNs, bad, each_subscription); !st.ok())
    return st;
  if (damaged) *damaged = bad;
  return ok_status();
}

void Sns::stop() {
  std::vector<Timers::Id> timers;
  {
    base::MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (const auto& [id, _] : retry_timers_) timers.push_back(id);
    retry_timers_.clear();
  }
  for (auto id : timers) options_.timers.cancel(id);
  options_.workers.stop();
}

SnsStats Sns::stats() const {
  base::MutexLock lock(mu_);
  return stats_;
}

void Sns::count(bool ok) {
  base::MutexLock lock(mu_);
  if (ok) {
    ++stats_.delivered;
  } else {
    ++stats_.failed;
  }
}

}  // namespace stepwise::services::sns
