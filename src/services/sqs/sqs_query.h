// The SQS query protocol (what boto3 before 1.32 and AWS CLI 2.9 send): a form
// `Action=SendMessage&QueueUrl=...&MessageAttribute.1.Name=...` decoded into the JSON request
// the operations take, and a JSON answer written as the XML <{Action}Result> AWS sends.
//
// Forms flatten lists and maps with 1-based indexes: `Attribute.N.Name/Value` (Attributes),
// `MessageAttribute.N.Name` + `.Value.StringValue|BinaryValue|DataType` (MessageAttributes,
// likewise MessageSystemAttribute), `Tag.N.Key/Value`, `AttributeName.N` (lists),
// `<Op>RequestEntry.N.<member>` (batch Entries). Indexes past the limits are refused.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "api/query_protocol.h"
#include "json/json.h"

namespace stepwise::services::sqs {

inline constexpr std::string_view query_xmlns = "http://queue.amazonaws.com/doc/2012-11-05/";

// Highest index accepted in a flattened list or map (batches hold 10, attributes 10; AWS
// refuses more with its own errors, which the operations give for up to this many).
inline constexpr std::size_t form_index_max = 100;

struct FormRequest {
  json::object request;
  std::optional<api::ApiError> error;  // a malformed index
};
FormRequest form_to_json(std::string_view action, const api::Form& form);

// The inside of <{Action}Result> for the operation's JSON answer ("" for none).
std::string result_xml(std::string_view action, const json::object& answer);

}  // namespace stepwise::services::sqs
