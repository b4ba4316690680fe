// The SQS message model: a message's attributes as the API carries them, AWS's MD5 digests of
// body and attributes, validation of attribute names and values, and the record a message is
// kept as (JSON in the service's RecordLog).
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "json/json.h"

namespace stepwise::services::sqs {

// One message attribute: DataType "String", "Number", "Binary" or one with a custom suffix
// ("String.uuid"); the value as text, or as bytes for Binary types.
struct AttributeValue {
  std::string data_type;
  std::string value;  // StringValue, or the decoded BinaryValue bytes
  bool binary = false;
};
// Sorted by name: AWS's MD5 walks the names in order.
using AttributeMap = std::map<std::string, AttributeValue>;

struct Message {
  std::uint64_t seq = 0;  // arrival order in the service (record key, standard ordering)
  std::string id;         // MessageId
  std::string body;
  AttributeMap attributes;
  AttributeMap system_attributes;  // AWSTraceHeader
  std::string md5_body;
  std::string md5_attributes;         // "" when no attributes
  std::string md5_system_attributes;  // "" when none
  Millis sent_ms = 0;
  Millis visible_ms = 0;        // not deliverable before (delay, visibility timeout)
  Millis first_receive_ms = 0;  // 0: never received
  std::int64_t receive_count = 0;
  std::uint64_t receipt = 0;  // nonce of the latest receive; 0: never received
  bool in_flight = false;     // received and its visibility timeout not yet over
  std::string sender_id;
  // FIFO
  std::string group_id;
  std::string dedup_id;
  std::string sequence_number;
  std::string dead_letter_source_arn;  // set when redriven to a dead-letter queue
};

// AWS's MD5 of message attributes: for each name in order, the name, data type and value, each
// as a 4-byte big-endian length and bytes, with a transport byte (1 text, 2 binary) before the
// value. "" for no attributes.
std::string attributes_md5(const AttributeMap& attributes);

// Parses the API's MessageAttributes / MessageSystemAttributes map ({"name": {"DataType",
// "StringValue" | "BinaryValue" (base64)}}). Errors: AWS's InvalidParameterValue texts.
// `system`: only AWSTraceHeader (String) is allowed.
std::optional<api::ApiError> parse_attributes(const json::value* v, bool system, AttributeMap& out);
// The map back in the API's shape (BinaryValue base64).
json::object attributes_json(const AttributeMap& attributes);
// What attributes add to a message's size: names, data types and values.
std::size_t attributes_size(const AttributeMap& attributes);

// True when every character is one SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF |
// #xE000-#xFFFD | #x10000-#x10FFFF, in well-formed UTF-8.
bool valid_message_characters(std::string_view text);

// The record a message is persisted as, and back (nullopt: a damaged record).
std::string message_record(const Message& m);
std::optional<Message> message_from_record(std::string_view text);

}  // namespace stepwise::services::sqs
