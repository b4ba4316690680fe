// Sns's internals shared by its .cpp files: the Topic, Subscription and delivery records,
// request field readers and AWS's error texts. Not part of the service's interface.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/sns/filter_policy.h"
#include "services/sns/sns.h"
#include "services/sns/sns_limits.h"

namespace stepwise::services::sns {

// An E.164 phone number (SMS subscriptions, Publish's PhoneNumber): an optional '+', then 1 to 15
// digits, the first not 0.
inline bool valid_phone(std::string_view n) {
  if (n.starts_with('+')) n.remove_prefix(1);
  if (n.empty() || n.size() > 15 || n[0] == '0') return false;
  for (char c : n)
    if (c < '0' || c > '9') return false;
  return true;
}

struct Sns::Topic {
  std::string arn;
  std::string name;
  std::string account;
  bool fifo = false;
  std::map<std::string, std::string> attributes;          // the settable ones that were set
  std::vector<std::pair<std::string, std::string>> tags;  // in the order added
  Millis created_ms = 0;
  std::uint64_t subscriptions_deleted = 0;
  struct Dedup {
    Millis expires_ms = 0;
    std::string message_id;
    std::string sequence_number;
  };
  std::map<std::string, Dedup> dedup;  // FIFO: dedup id → the first publish's answer
  bool content_dedup() const;
};

struct Sns::Subscription {
  std::string arn;
  std::string topic_arn;
  std::string owner;
  std::string protocol;
  std::string endpoint;
  std::map<std::string, std::string> attributes;  // the settable ones that were set
  bool confirmed = false;
  std::string token;  // pending confirmation
  std::uint64_t order = 0;
  std::optional<FilterPolicy> filter;  // from FilterPolicy + FilterPolicyScope
  bool raw() const;
  std::string attribute(const std::string& name) const;
  // Rebuilds `filter` (a stored policy was checked when set).
  void refresh();
};

// One subscriber's share of a published message.
struct Sns::Delivery {
  std::string subscription_arn;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::string message_id;
  std::string message_type = "Notification";
  std::string body;  // what is sent (envelope, raw message, or e-mail line)
  bool raw = false;
  json::object sqs_request;  // sqs: the SendMessage request
  json::value event;         // lambda: the event
  std::int64_t retries_left = 0;
  std::int64_t delay_s = 0;
};

struct Sns::Prepared {
  PublishedMessage message;
  std::string batch_id;
  bool duplicate = false;  // FIFO: a repeat within the deduplication window
  std::vector<std::shared_ptr<Delivery>> deliveries;
  std::size_t filtered = 0;
};

// ---- request fields ----

// A string member ("" when absent); numbers and booleans are written out.
std::string text_field(const json::object& r, std::string_view name);
bool has_field(const json::object& r, std::string_view name);
// A map of text values ({"DisplayName": "x"}); nullopt when the member is not an object.
std::optional<std::map<std::string, std::string>> text_map(const json::object& r,
                                                           std::string_view name);
// Tags: [{"Key","Value"}...]; nullopt when malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> tag_list(const json::object& r,
                                                                         std::string_view name);

// ---- AWS's errors ----

api::ApiError sns_error(std::string code, std::string message, unsigned status = 400);
// "Invalid parameter: <what>" (InvalidParameter, 400).
api::ApiError invalid_parameter(std::string_view what);
api::ApiError topic_not_found();
api::ApiError subscription_not_found();

// ---- names and ARNs ----

bool valid_topic_name(std::string_view name, bool fifo);
// "arn:aws:sns:<region>:<account>:<name>" → true and its parts.
bool parse_topic_arn(std::string_view arn, std::string* account, std::string* name);
bool valid_batch_id(std::string_view id);

// The topic attributes SetTopicAttributes (and CreateTopic) accept.
bool settable_topic_attribute(std::string_view name, bool creating);
bool settable_subscription_attribute(std::string_view name);
// Checks a subscription attribute's value for `protocol`; the error when wrong.
std::optional<api::ApiError> check_subscription_attribute(const std::string& name,
                                                          const std::string& value,
                                                          const std::string& protocol,
                                                          const std::string& scope);

// The HTTP retry policy for a subscription: (retries, delay seconds).
std::pair<std::int64_t, std::int64_t> retry_policy(const std::string& delivery_policy);

}  // namespace stepwise::services::sns
