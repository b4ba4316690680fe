// Sqs's internals shared by its .cpp files: the Queue and Waiter records, request field readers
// and AWS's error texts. Not part of the service's interface.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/common/timers.h"
#include "services/sqs/sqs.h"
#include "services/sqs/sqs_limits.h"

namespace stepwise::services::sqs {

// The store namespace holding queue records.
inline constexpr const char* kQueuesNs = "sqs.queues";

struct Sqs::Queue {
  std::string key;  // "account/name": the record key and the URL's path without '/'
  std::string name;
  std::string account;
  std::string arn;
  bool fifo = false;
  std::map<std::string, std::string> attributes;  // every settable attribute, defaults filled
  std::map<std::string, std::string> tags;
  Millis created_ms = 0;
  Millis modified_ms = 0;
  Millis last_purge_ms = -1;                              // -1: never purged
  std::map<std::uint64_t, Message> messages;              // by seq: arrival order
  std::set<std::pair<Millis, std::uint64_t>> by_visible;  // (visible_ms, seq) of every message
  struct Dedup {
    Millis expires_ms = 0;
    std::string message_id;
    std::string sequence_number;
  };
  std::map<std::string, Dedup> dedup;  // FIFO: dedup key → the first send's answer
  std::map<std::uint64_t, std::unique_ptr<Waiter>> waiters;  // long polls, oldest first
  Timers::Id wake_timer = 0;
  Millis wake_at_ms = 0;

  // Settings read from `attributes` (refresh() after a change).
  std::int64_t delay_s = 0;
  std::int64_t visibility_s = 30;
  std::int64_t retention_s = sqs_limits::retention_seconds_default;
  std::int64_t max_size = static_cast<std::int64_t>(sqs_limits::message_bytes_max);
  std::int64_t wait_s = 0;
  std::string dlq_arn;
  std::int64_t max_receive = 0;  // 0: no redrive
  bool content_dedup = false;
  bool dedup_per_group = false;
  void refresh();
};

struct Sqs::Waiter {
  std::uint64_t id = 0;
  std::size_t max = 1;
  std::optional<std::int64_t> visibility_s;
  std::vector<std::string> system_names;     // AttributeNames + MessageSystemAttributeNames
  std::vector<std::string> attribute_names;  // MessageAttributeNames
  std::string sender_id;
  api::Reply reply;
  Timers::Id timer = 0;
  std::shared_ptr<const std::atomic<bool>> gone;
};

struct Sqs::SendEntry {
  std::string body;
  AttributeMap attributes;
  AttributeMap system_attributes;
  std::int64_t delay_s = 0;
  std::string group_id;
  std::string dedup_id;
  std::string sender_id;
};

// ---- request fields ----

const json::value* field(const json::object& r, std::string_view name);
// A string member; "" when absent. A number given where text is expected is written out.
std::string text_field(const json::object& r, std::string_view name);
// An integer member (a JSON integer, or text holding one, as the query protocol sends);
// nullopt when absent; an error when not an integer.
struct IntField {
  std::optional<std::int64_t> value;
  std::optional<api::ApiError> error;
};
IntField int_field(const json::object& r, std::string_view name);
// A list of strings (AttributeNames, ...); non-strings are skipped.
std::vector<std::string> list_field(const json::object& r, std::string_view name);

// ---- AWS's errors ----

api::ApiError sqs_error(std::string type, std::string message, std::string query_code = {},
                        unsigned status = 400);
api::ApiError no_such_queue();
api::ApiError missing(std::string_view parameter);
api::ApiError invalid_value(std::string_view parameter, std::string_view value,
                            std::string_view reason);
api::ApiError invalid_attribute_name(std::string_view name);

// ---- queue settings ----

bool valid_queue_name(std::string_view name, bool fifo);
// Checks one settable attribute; `creating` allows FifoQueue.
std::optional<api::ApiError> check_attribute(const std::string& name, const std::string& value,
                                             bool fifo, bool creating);
// The settable attributes with AWS's defaults.
std::map<std::string, std::string> default_attributes(bool fifo);
// Attribute values as text (JSON numbers and booleans written out).
std::map<std::string, std::string> attribute_map(const json::value* v, api::ApiError* error);

// Batch entry ids: letters, digits, '-', '_', at most 80.
bool valid_batch_id(std::string_view id);

// Receipt handles: base64 of "<queue key>\n<seq>\n<nonce>".
std::string receipt_handle(const std::string& queue_key, std::uint64_t seq, std::uint64_t nonce);
struct Receipt {
  std::string queue_key;
  std::uint64_t seq = 0;
  std::uint64_t nonce = 0;
};
std::optional<Receipt> parse_receipt(std::string_view handle);

std::string seq_key(const std::string& queue_key, std::uint64_t seq);

}  // namespace stepwise::services::sqs
