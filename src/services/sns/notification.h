// What SNS delivers: a published message (PublishedMessage) turned into the texts each kind of
// subscriber receives, in AWS's shapes —
//  - the JSON notification envelope (SQS without RawMessageDelivery, HTTP/HTTPS, email-json):
//    Type, MessageId, [SequenceNumber], TopicArn, [Subject], Message, Timestamp,
//    SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, [MessageAttributes], written
//    as AWS writes it (two-space indentation, " : " separators);
//  - the SubscriptionConfirmation / UnsubscribeConfirmation envelopes (Token, SubscribeURL);
//  - the Lambda event ({"Records":[{"EventSource":"aws:sns",...,"Sns":{...}}]});
//  - a line of the e-mail file.
// Signatures: SNS signs with a private key and publishes its certificate; a local server has no
// such certificate, so Signature is an HMAC-SHA256 of AWS's canonical string (stable, but not
// verifiable with AWS's certificate; docs/SERVICES.md).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "json/json.h"

namespace stepwise::services::sns {

// A message attribute as published (BinaryValue kept as its base64 text).
struct MessageAttribute {
  std::string data_type;
  std::string value;
  bool binary = false;
};
using MessageAttributes = std::map<std::string, MessageAttribute>;

struct PublishedMessage {
  std::string message_id;
  std::string topic_arn;
  std::string subject;          // "" when none
  std::string message;          // the Message as published
  bool json_structure = false;  // MessageStructure=json: `message` is {"default":..,proto:..}
  MessageAttributes attributes;
  Millis timestamp = 0;
  // FIFO topics
  std::string group_id;
  std::string dedup_id;
  std::string sequence_number;
};

// The text a subscriber of `protocol` gets: with MessageStructure=json the member named after
// the protocol, else "default"; otherwise the message.
std::string message_for(const PublishedMessage& m, const std::string& protocol);

// Where URLs in envelopes point: the server's endpoint ("http://localhost:8083") and region.
struct EnvelopePlace {
  std::string endpoint;
  std::string region;
};

std::string notification_envelope(const PublishedMessage& m, const std::string& protocol,
                                  const std::string& subscription_arn, const EnvelopePlace& place);

// Type "SubscriptionConfirmation" or "UnsubscribeConfirmation".
std::string confirmation_envelope(const std::string& type, const std::string& message_id,
                                  const std::string& topic_arn, const std::string& token,
                                  Millis timestamp, const EnvelopePlace& place);

json::object lambda_event(const PublishedMessage& m, const std::string& subscription_arn,
                          const EnvelopePlace& place);

// The SubscribeURL of a pending subscription.
std::string subscribe_url(const std::string& topic_arn, const std::string& token,
                          const EnvelopePlace& place);

// AWS's JSON text layout for envelopes: {"\n  \"Type\" : \"Notification\",\n  ...\n}".
std::string aws_pretty_json(const json::object& o);

}  // namespace stepwise::services::sns
