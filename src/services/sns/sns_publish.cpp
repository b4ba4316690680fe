// Publishing: Publish and PublishBatch (checks, FIFO deduplication and sequence numbers), the
// deliveries each message makes (filter policies applied) and the HTTP retries.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <set>

#include "api/sigv4.h"
#include "base/arn.h"
#include "services/common/codec.h"
#include "services/sns/sns_internal.h"

namespace stepwise::services::sns {
namespace {

bool valid_attribute_name(std::string_view n) {
  if (n.empty() || n.size() > sns_limits::attribute_name_chars_max) return false;
  if (n.front() == '.' || n.back() == '.' || n.find("..") != std::string_view::npos) return false;
  if (n.starts_with("AWS.") || n.starts_with("Amazon.")) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

api::ApiError bad_value(std::string message) {
  return sns_error("InvalidParameterValue", std::move(message));
}

std::optional<api::ApiError> parse_attributes(const json::value* v, MessageAttributes& out,
                                              std::size_t& size) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_object()) return invalid_parameter("MessageAttributes");
  const auto& o = v->get_object();
  if (o.size() > sns_limits::message_attributes_max)
    return invalid_parameter("MessageAttributes Reason: Number of message attributes [" +
                             std::to_string(o.size()) + "] exceeds the allowed maximum [" +
                             std::to_string(sns_limits::message_attributes_max) + "].");
  for (const auto& kv : o) {
    std::string name(kv.key());
    if (!valid_attribute_name(name))
      return bad_value("The message attribute name '" + name + "' is invalid.");
    if (!kv.value().is_object())
      return bad_value("The message attribute '" + name +
                       "' must contain non-empty message attribute type.");
    const auto& a = kv.value().get_object();
    MessageAttribute attr;
    attr.data_type = text_field(a, "DataType");
    if (attr.data_type.empty())
      return bad_value("The message attribute '" + name +
                       "' must contain non-empty message attribute type.");
    const bool is_string = attr.data_type == "String" || attr.data_type.starts_with("String.");
    const bool is_number = attr.data_type == "Number" || attr.data_type.starts_with("Number.");
    const bool is_binary = attr.data_type == "Binary" || attr.data_type.starts_with("Binary.");
    if (!is_string && !is_number && !is_binary)
      return bad_value("The message attribute '" + name +
                       "' has an invalid message attribute type, the set of supported type "
                       "prefixes is Binary, Number, and String.");
    const std::string member = is_binary ? "BinaryValue" : "StringValue";
    if (!has_field(a, member) || text_field(a, member).empty())
      return bad_value("The message attribute '" + name +
                       "' must contain non-empty message attribute value for message "
                       "attribute type '" +
                       attr.data_type + "'.");
    attr.value = text_field(a, member);
    attr.binary = is_binary;
    if (is_binary && !base64_decode(attr.value))
      return bad_value("The message attribute '" + name + "' has an invalid binary value.");
    if (is_number) {
      auto n = json::parse(attr.value);
      if (!n.ok() || !json::is_number(*n))
        return bad_value("Could not cast message attribute '" + name + "' value to number.");
    }
    if (attr.data_type.starts_with("String.Array")) {
      auto arr = json::parse(attr.value);
      if (!arr.ok() || !arr->is_array())
        return invalid_parameter("MessageAttributes Reason: The message attribute '" + name +
                                 "' with type 'String.Array' must be a JSON array.");
    }
    size += name.size() + attr.data_type.size() + attr.value.size();
    out[name] = std::move(attr);
  }
  return std::nullopt;
}

bool valid_subject(std::string_view s) {
  if (s.empty() || s.size() > sns_limits::subject_chars_max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool valid_group_id(std::string_view s) {
  if (s.empty() || s.size() > sns_limits::group_id_chars_max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 33 && c <= 126; });
}

std::string sequence_text(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu",
                static_cast<unsigned long long>(10'000'000'000'000'000'000ULL + n));
  return buf;
}

// Subscribe checked the endpoint's shape (check_endpoint: exactly five colons).
std::string queue_url(const std::string& queue_arn, const std::string& endpoint) {
  auto p = arn::parse(queue_arn);
  return p ? services::queue_url(*p, endpoint) : std::string();
}

FilterAttributes filter_view(const MessageAttributes& attributes) {
  FilterAttributes out;
  for (const auto& [k, a] : attributes) out[k] = FilterAttribute{a.data_type, a.value};
  return out;
}

json::object sqs_attributes(const MessageAttributes& attributes) {
  json::object out;
  for (const auto& [k, a] : attributes)
    out[k] = json::object{{"DataType", a.data_type},
                          {a.binary ? "BinaryValue" : "StringValue", a.value}};
  return out;
}

}  // namespace

std::optional<api::ApiError> Sns::prepare(const Json& r, Topic* topic, Prepared& out) {
  auto& m = out.message;
  if (!has_field(r, "Message") || text_field(r, "Message").empty())
    return invalid_parameter("Empty message");
  m.message = text_field(r, "Message");
  std::size_t size = m.message.size();
  if (has_field(r, "Subject")) {
    m.subject = text_field(r, "Subject");
    if (!valid_subject(m.subject)) return invalid_parameter("Subject");
  }
  if (has_field(r, "MessageStructure")) {
    if (text_field(r, "MessageStructure") != "json") return invalid_parameter("MessageStructure");
    auto parsed = json::parse(m.message);
    if (!parsed.ok() || !parsed->is_object())
      return invalid_parameter("Message Structure - JSON message body failed to parse");
    const auto* d = parsed->get_object().if_contains("default");
    if (d == nullptr || !d->is_string())
      return invalid_parameter("Message Structure - No default entry in JSON message body");
    m.json_structure = true;
  }
  if (auto e = parse_attributes(r.if_contains("MessageAttributes"), m.attributes, size)) return e;
  if (size > sns_limits::message_bytes_max) return invalid_parameter("Message too long");
  const std::string group = text_field(r, "MessageGroupId");
  const std::string dedup = text_field(r, "MessageDeduplicationId");
  if (topic != nullptr && topic->fifo) {
    if (group.empty())
      return invalid_parameter("The MessageGroupId parameter is required for FIFO topics");
    if (!valid_group_id(group))
      return invalid_parameter(
          "MessageGroupId Reason: MessageGroupId can only contain "
          "alphanumeric characters and punctuation, up to 128 characters");
    if (dedup.empty() && !topic->content_dedup())
      return invalid_parameter(
          "The topic should either have ContentBasedDeduplication enabled "
          "or MessageDeduplicationId provided explicitly");
    if (!dedup.empty() && !valid_group_id(dedup))
      return invalid_parameter(
          "MessageDeduplicationId Reason: MessageDeduplicationId can only "
          "contain alphanumeric characters and punctuation, up to 128 "
          "characters");
    m.group_id = group;
    m.dedup_id = dedup.empty() ? api::sigv4::sha256_hex(m.message) : dedup;
  } else {
    if (!dedup.empty())
      return invalid_parameter(
          "MessageDeduplicationId Reason: The request includes "
          "MessageDeduplicationId parameter that is not valid for this "
          "topic type");
    if (!group.empty())
      return invalid_parameter(
          "MessageGroupId Reason: The request includes MessageGroupId "
          "parameter that is not valid for this topic type");
  }
  return std::nullopt;
}

void Sns::plan(const Topic& t, Prepared& p) {
  auto& m = p.message;
  m.topic_arn = t.arn;
  m.timestamp = options_.clock.now_ms();
  if (t.fifo) {
    const Millis now = m.timestamp;
    auto& dedup = const_cast<Topic&>(t).dedup;
    std::erase_if(dedup, [now](const auto& kv) { return kv.second.expires_ms <= now; });
    if (auto it = dedup.find(m.dedup_id); it != dedup.end()) {
      m.message_id = it->second.message_id;
      m.sequence_number = it->second.sequence_number;
      p.duplicate = true;
      return;
    }
    m.message_id = ids_.uuid_v4();
    m.sequence_number = sequence_text(++last_sequence_);
    dedup[m.dedup_id] =
        Topic::Dedup{now + sns_limits::dedup_window_ms, m.message_id, m.sequence_number};
  } else {
    m.message_id = ids_.uuid_v4();
  }
  const std::string topic_delivery_policy = [&] {
    auto it = t.attributes.find("DeliveryPolicy");
    return it == t.attributes.end() ? std::string() : it->second;
  }();
  FilterAttributes view;
  bool have_view = false;
  for (const auto& [order, arn] : sub_order_) {
    const Subscription& s = *subs_.at(arn);
    if (s.topic_arn != t.arn || !s.confirmed) continue;
    const std::string text = message_for(m, s.protocol);
    if (s.filter) {
      bool pass = false;
      if (s.attribute("FilterPolicyScope") == "MessageBody") {
        pass = s.filter->matches_body(text);
      } else {
        if (!have_view) view = filter_view(m.attributes);
        have_view = true;
        pass = s.filter->matches_attributes(view);
      }
      if (!pass) {
        ++p.filtered;
        continue;
      }
    }
    auto d = std::make_shared<Delivery>();
    d->subscription_arn = s.arn;
    d->topic_arn = t.arn;
    d->protocol = s.protocol;
    d->endpoint = s.endpoint;
    d->message_id = m.message_id;
    d->raw = s.raw();
    const bool envelope = !d->raw && s.protocol != "email";
    if (s.protocol == "sqs") {
      json::object req{
          {"QueueUrl", queue_url(s.endpoint, endpoint_or(options_.sqs_url, options_.place))}};
      req["MessageBody"] =
          envelope ? notification_envelope(m, s.protocol, s.arn, envelope_place_) : text;
      if (d->raw && !m.attributes.empty()) req["MessageAttributes"] = sqs_attributes(m.attributes);
      if (t.fifo && s.endpoint.ends_with(".fifo")) {
        req["MessageGroupId"] = m.group_id;
        req["MessageDeduplicationId"] = m.dedup_id;
      }
      d->sqs_request = std::move(req);
    } else if (s.protocol == "lambda") {
      d->event = lambda_event(m, s.arn, envelope_place_);
    } else if (s.protocol == "http" || s.protocol == "https") {
      d->body = envelope ? notification_envelope(m, s.protocol, s.arn, envelope_place_) : text;
      std::string policy = s.attribute("DeliveryPolicy");
      std::tie(d->retries_left, d->delay_s) =
          retry_policy(policy.empty() ? topic_delivery_policy : policy);
    } else {
      // email, email-json, sms: a line of the e-mail file.
      json::object line{{"Timestamp", format_iso8601_ms(m.timestamp)},
                        {"Type", s.protocol == "sms" ? "SMS" : "Notification"},
                        {"Protocol", s.protocol},
                        {"To", s.endpoint},
                        {"TopicArn", t.arn},
                        {"SubscriptionArn", s.arn},
                        {"MessageId", m.message_id}};
      if (!m.subject.empty()) line["Subject"] = m.subject;
      line["Body"] = s.protocol == "email-json"
                         ? notification_envelope(m, s.protocol, s.arn, envelope_place_)
                         : text;
      d->body = json::dump(line);
    }
    p.deliveries.push_back(std::move(d));
  }
  stats_.filtered += p.filtered;
}

void Sns::deliver(std::shared_ptr<Prepared> p, std::function<void()> durable) {
  // The SQS sends first: the publish is acknowledged once they are all durable.
  std::vector<std::shared_ptr<Delivery>> sqs;
  for (const auto& d : p->deliveries)
    if (d->protocol == "sqs") sqs.push_back(d);
  if (options_.sqs == nullptr) {
    for (std::size_t i = 0; i < sqs.size(); ++i) count(false);
    sqs.clear();
  }
  struct Pending {
    std::atomic<std::size_t> left;
    std::function<void()> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = sqs.size() + 1;  // +1: released after every send was started
  pending->done = std::move(durable);
  auto release = [pending] {
    if (pending->left.fetch_sub(1) == 1) pending->done();
  };
  api::RequestInfo info;
  info.request_id = p->message.message_id;
  for (const auto& d : sqs) {
    options_.sqs->dispatch("SendMessage", json::value(d->sqs_request), info,
                           [this, release](api::Response r) {
                             count(!r.is_error());
                             release();
                           });
  }
  release();
  for (const auto& d : p->deliveries) {
    if (d->protocol == "sqs") continue;
    if (d->protocol == "http" || d->protocol == "https") {
      deliver_http(d);
    } else if (d->protocol == "lambda") {
      FunctionInvoker invoke;
      {
        base::MutexLock lock(mu_);
        invoke = invoke_function_;
      }
      if (!invoke) {
        count(false);
        continue;
      }
      invoke(d->endpoint, d->event, [this](bool ok) { count(ok); });
    } else if (d->protocol == "email" || d->protocol == "email-json" || d->protocol == "sms") {
      options_.workers.append_line(d->body);
      count(true);
    } else {
      count(false);  // application (mobile push), firehose: not built in
    }
  }
}

void Sns::deliver_http(std::shared_ptr<Delivery> d) {
  HttpDelivery h;
  h.url = d->endpoint;
  h.body = d->body;
  h.headers = {{"x-amz-sns-message-type", d->message_type},
               {"x-amz-sns-message-id", d->message_id},
               {"x-amz-sns-topic-arn", d->topic_arn},
               {"Content-Type", "text/plain; charset=UTF-8"},
               {"User-Agent", "Amazon Simple Notification Service Agent"}};
  if (d->message_type == "Notification")
    h.headers.emplace_back("x-amz-sns-subscription-arn", d->subscription_arn);
  if (d->raw) h.headers.emplace_back("x-amz-sns-rawdelivery", "true");
  // Confirmations are retried alike but are not message deliveries in the counts.
  const bool notification = d->message_type == "Notification";
  const bool queued = options_.workers.post(std::move(h), [this, d, notification](bool ok) {
    if (ok) {
      if (notification) count(true);
      return;
    }
    base::MutexLock lock(mu_);
    if (stopped_ || d->retries_left <= 0) {
      if (notification) ++stats_.failed;
      return;
    }
    --d->retries_left;
    // Under mu_: the callback takes mu_ first, so it always finds its id registered.
    auto id = std::make_shared<Timers::Id>(0);
    *id = options_.timers.after(d->delay_s * 1000, [this, d, id] {
      {
        base::MutexLock inner(mu_);
        retry_timers_.erase(*id);
        if (stopped_) return;
      }
      deliver_http(d);
    });
    retry_timers_[*id] = true;
  });
  if (!queued && notification) count(false);
}

void Sns::publish(const Json& r, api::Reply reply) {
  std::string topic_arn = text_field(r, "TopicArn");
  const std::string target_arn = text_field(r, "TargetArn");
  const std::string phone = text_field(r, "PhoneNumber");
  const int given = !topic_arn.empty() + !target_arn.empty() + !phone.empty();
  if (given == 0)
    return reply(
        invalid_parameter("TopicArn or TargetArn Reason: no value for required "
                          "parameter"));
  if (given > 1)
    return reply(
        invalid_parameter("TopicArn or TargetArn Reason: Only one of TopicArn, "
                          "TargetArn or PhoneNumber may be specified"));
  if (!phone.empty()) {
    if (!valid_phone(phone))
      return reply(
          invalid_parameter("PhoneNumber Reason: " + phone + " is not valid to publish to"));
    Prepared p;
    if (auto e = prepare(r, nullptr, p)) return reply(std::move(*e));
    std::string id;
    {
      base::MutexLock lock(mu_);
      id = ids_.uuid_v4();
    }
    json::object line{{"Timestamp", format_iso8601_ms(options_.clock.now_ms())},
                      {"Type", "SMS"},
                      {"Protocol", "sms"},
                      {"To", phone},
                      {"MessageId", id},
                      {"Body", p.message.message}};
    options_.workers.append_line(json::dump(line));
    return reply(json::object{{"MessageId", id}});
  }
  if (!target_arn.empty()) {
    if (!parse_topic_arn(target_arn, nullptr, nullptr)) {
      if (target_arn.starts_with("arn:aws:sns:") &&
          target_arn.find(":endpoint/") != std::string::npos)
        return reply(sns_error("NotFound", "Endpoint does not exist", 404));
      return reply(invalid_parameter("TargetArn Reason: >" + target_arn +
                                     "< is not a valid ARN to publish to"));
    }
    topic_arn = target_arn;
  }
  if (!parse_topic_arn(topic_arn, nullptr, nullptr))
    return reply(
        invalid_parameter("TopicArn Reason: An ARN must have at least 6 elements, "
                          "not " +
                          std::to_string(std::count(topic_arn.begin(), topic_arn.end(), ':') + 1)));
  auto p = std::make_shared<Prepared>();
  {
    base::MutexLock lock(mu_);
    Topic* t = find_topic(topic_arn);
    if (t == nullptr) return reply(topic_not_found());
    if (auto e = prepare(r, t, *p)) return reply(std::move(*e));
    plan(*t, *p);
  }
  json::object answer{{"MessageId", p->message.message_id}};
  if (!p->message.sequence_number.empty()) answer["SequenceNumber"] = p->message.sequence_number;
  auto shared_reply = std::make_shared<api::Reply>(std::move(reply));
  deliver(p, [shared_reply, answer = std::move(answer)] { (*shared_reply)(answer); });
}

void Sns::publish_batch(const Json& r, api::Reply reply) {
  const std::string topic_arn = text_field(r, "TopicArn");
  if (topic_arn.empty() || !parse_topic_arn(topic_arn, nullptr, nullptr))
    return reply(invalid_parameter("TopicArn"));
  const auto* v = r.if_contains("PublishBatchRequestEntries");
  if (v != nullptr && !v->is_null() && !v->is_array())
    return reply(invalid_parameter("PublishBatchRequestEntries"));
  const json::array empty;
  const json::array& entries = v && v->is_array() ? v->get_array() : empty;
  if (entries.empty())
    return reply(sns_error("EmptyBatchRequest", "The batch request doesn't contain any entries"));
  if (entries.size() > sns_limits::batch_entries_max)
    return reply(sns_error("TooManyEntriesInBatchRequest",
                           "The batch request contains more entries than permissible."));
  std::set<std::string> ids;
  std::size_t total = 0;
  for (const auto& e : entries) {
    if (!e.is_object()) return reply(invalid_parameter("PublishBatchRequestEntries"));
    const std::string id = text_field(e.get_object(), "Id");
    if (!valid_batch_id(id))
      return reply(sns_error("InvalidBatchEntryId",
                             "A batch entry id can only contain alphanumeric characters, "
                             "hyphens and underscores. It can be at most 80 letters long."));
    if (!ids.insert(id).second)
      return reply(sns_error("BatchEntryIdsNotDistinct",
                             "Two or more batch entries in the request have the same Id."));
    total += text_field(e.get_object(), "Message").size();
  }
  if (total > sns_limits::batch_bytes_max)
    return reply(sns_error("BatchRequestTooLong",
                           "The length of all the messages put together is more than the "
                           "limit."));
  std::vector<std::shared_ptr<Prepared>> ready;
  json::array successful, failed;
  {
    base::MutexLock lock(mu_);
    Topic* t = find_topic(topic_arn);
    if (t == nullptr) return reply(topic_not_found());
    for (const auto& e : entries) {
      const auto& o = e.get_object();
      auto p = std::make_shared<Prepared>();
      p->batch_id = text_field(o, "Id");
      if (auto err = prepare(o, t, *p)) {
        failed.push_back(json::object{{"Id", p->batch_id},
                                      {"Code", err->type},
                                      {"Message", err->message},
                                      {"SenderFault", true}});
        continue;
      }
      plan(*t, *p);
      json::object ok{{"Id", p->batch_id}, {"MessageId", p->message.message_id}};
      if (!p->message.sequence_number.empty()) ok["SequenceNumber"] = p->message.sequence_number;
      successful.push_back(std::move(ok));
      ready.push_back(std::move(p));
    }
  }
  auto answer = std::make_shared<json::object>(
      json::object{{"Successful", std::move(successful)}, {"Failed", std::move(failed)}});
  auto left = std::make_shared<std::atomic<std::size_t>>(ready.size() + 1);
  auto shared_reply = std::make_shared<api::Reply>(std::move(reply));
  auto release = [left, answer, shared_reply] {
    if (left->fetch_sub(1) == 1) (*shared_reply)(*answer);
  };
  for (auto& p : ready) deliver(p, release);
  release();
}

}  // namespace stepwise::services::sns
