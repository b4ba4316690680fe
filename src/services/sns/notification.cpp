#include "services/sns/notification.h"

#include "api/sigv4.h"
#include "services/common/codec.h"
#include "tasks/http_client.h"

namespace stepwise::services::sns {
namespace {

// The key SNS's stand-in signatures are made with: signatures only need to be stable.
constexpr std::string_view kSigningKey = "stepwise-sns-local-signing";

std::string signing_cert_url(const EnvelopePlace& place) {
  // AWS: https://sns.<region>.amazonaws.com/SimpleNotificationService-<hash>.pem
  return "https://sns." + place.region + ".amazonaws.com/SimpleNotificationService-" +
         md5_hex(place.region + "stepwise") + ".pem";
}

// AWS's canonical string: "Key\nValue\n" for the signed keys in order, those present only.
std::string signature(const json::object& o, bool notification) {
  static constexpr std::string_view notification_keys[] = {"Message",   "MessageId", "Subject",
                                                           "Timestamp", "TopicArn",  "Type"};
  static constexpr std::string_view confirmation_keys[] = {
      "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};
  std::string canonical;
  auto add = [&](std::string_view k) {
    const auto* v = o.if_contains(k);
    if (v == nullptr || !v->is_string()) return;
    canonical += k;
    canonical += '\n';
    canonical += v->get_string();
    canonical += '\n';
  };
  if (notification) {
    for (auto k : notification_keys) add(k);
  } else {
    for (auto k : confirmation_keys) add(k);
  }
  return base64_encode(api::sigv4::hmac_sha256(kSigningKey, canonical));
}

json::object attributes_envelope(const MessageAttributes& attributes) {
  json::object out;
  for (const auto& [name, a] : attributes)
    out[name] = json::object{{"Type", a.data_type}, {"Value", a.value}};
  return out;
}

void pretty(const json::value& v, int indent, std::string& out) {
  if (v.is_object() && !v.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& kv : v.get_object()) {
      if (!first) out += ",\n";
      first = false;
      out.append(static_cast<std::size_t>(indent + 2), ' ');
      out += json::quote(std::string_view(kv.key()));
      out += " : ";
      pretty(kv.value(), indent + 2, out);
    }
    out += '\n';
    out.append(static_cast<std::size_t>(indent), ' ');
    out += '}';
    return;
  }
  out += json::dump(v);
}

}  // namespace

std::string message_for(const PublishedMessage& m, const std::string& protocol) {
  if (!m.json_structure) return m.message;
  auto parsed = json::parse(m.message);
  if (!parsed.ok() || !parsed->is_object()) return m.message;
  const auto& o = parsed->get_object();
  if (const auto* v = o.if_contains(protocol); v && v->is_string())
    return std::string(v->get_string());
  if (const auto* v = o.if_contains("default"); v && v->is_string())
    return std::string(v->get_string());
  return m.message;
}

std::string aws_pretty_json(const json::object& o) {
  std::string out;
  pretty(json::value(o), 0, out);
  return out;
}

std::string notification_envelope(const PublishedMessage& m, const std::string& protocol,
                                  const std::string& subscription_arn, const EnvelopePlace& place) {
  json::object o;
  o["Type"] = "Notification";
  o["MessageId"] = m.message_id;
  if (!m.sequence_number.empty()) o["SequenceNumber"] = m.sequence_number;
  o["TopicArn"] = m.topic_arn;
  if (!m.subject.empty()) o["Subject"] = m.subject;
  o["Message"] = message_for(m, protocol);
  o["Timestamp"] = format_iso8601_ms(m.timestamp);
  o["SignatureVersion"] = "1";
  o["Signature"] = signature(o, true);
  o["SigningCertURL"] = signing_cert_url(place);
  o["UnsubscribeURL"] = place.endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + subscription_arn;
  if (!m.attributes.empty()) o["MessageAttributes"] = attributes_envelope(m.attributes);
  return aws_pretty_json(o);
}

std::string subscribe_url(const std::string& topic_arn, const std::string& token,
                          const EnvelopePlace& place) {
  return place.endpoint + "/?Action=ConfirmSubscription&TopicArn=" + tasks::url_encode(topic_arn) +
         "&Token=" + tasks::url_encode(token);
}

std::string confirmation_envelope(const std::string& type, const std::string& message_id,
                                  const std::string& topic_arn, const std::string& token,
                                  Millis timestamp, const EnvelopePlace& place) {
  const bool subscribing = type == "SubscriptionConfirmation";
  json::object o;
  o["Type"] = type;
  o["MessageId"] = message_id;
  o["Token"] = token;
  o["TopicArn"] = topic_arn;
  o["Message"] = subscribing
                     ? "You have chosen to subscribe to the topic " + topic_arn +
                           ".\nTo confirm the subscription, visit the SubscribeURL included in "
                           "this message."
                     : "You have chosen to deactivate subscription " + topic_arn +
                           ".\nTo cancel this operation and restore the subscription, visit the "
                           "SubscribeURL included in this message.";
  o["SubscribeURL"] = subscribe_url(topic_arn, token, place);
  o["Timestamp"] = format_iso8601_ms(timestamp);
  o["SignatureVersion"] = "1";
  o["Signature"] = signature(o, false);
  o["SigningCertURL"] = signing_cert_url(place);
  return aws_pretty_json(o);
}

json::object lambda_event(const PublishedMessage& m, const std::string& subscription_arn,
                          const EnvelopePlace& place) {
  json::object sns;
  sns["Type"] = "Notification";
  sns["MessageId"] = m.message_id;
  sns["TopicArn"] = m.topic_arn;
  sns["Subject"] = m.subject.empty() ? json::value(nullptr) : json::value(m.subject);
  sns["Message"] = message_for(m, "lambda");
  sns["Timestamp"] = format_iso8601_ms(m.timestamp);
  sns["SignatureVersion"] = "1";
  sns["Signature"] = signature(sns, true);
  sns["SigningCertUrl"] = signing_cert_url(place);
  sns["UnsubscribeUrl"] =
      place.endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + subscription_arn;
  sns["MessageAttributes"] = attributes_envelope(m.attributes);
  json::object record{{"EventSource", "aws:sns"},
                      {"EventVersion", "1.0"},
                      {"EventSubscriptionArn", subscription_arn},
                      {"Sns", std::move(sns)}};
  return json::object{{"Records", json::array{std::move(record)}}};
}

}  // namespace stepwise::services::sns
