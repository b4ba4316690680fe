// The SNS query protocol (what every SDK and the AWS CLI send to SNS): a form
// `Action=Publish&TopicArn=...&MessageAttributes.entry.1.Name=...` decoded into the JSON
// request the operations take, and a JSON answer written as the XML AWS sends — indented by two
// spaces with a final newline, byte for byte AWS's layout, so that the Content-Length an
// optimized integration reports (SdkHttpMetadata) is AWS's.
//
// Forms flatten lists as `<Member>.member.N[.<field>]` and maps as `<Member>.entry.N.key/value`
// (`Name`/`Value` for MessageAttributes), 1-based. Indexes past form_index_max are refused.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "api/query_protocol.h"
#include "json/json.h"

namespace stepwise::services::sns {

inline constexpr std::string_view query_xmlns = "http://sns.amazonaws.com/doc/2010-03-31/";

// Highest index accepted in a flattened list or map (batches hold 10, attributes 10; the
// operations refuse more with AWS's own errors, for up to this many).
inline constexpr std::size_t form_index_max = 100;
// Dotted segments in one parameter name (the deepest SNS form has 7).
inline constexpr std::size_t form_depth_max = 10;

struct FormRequest {
  json::object request;
  std::optional<api::ApiError> error;  // a malformed name or index
};
FormRequest form_to_json(const api::Form& form);

// The whole <{Action}Response> document for the operation's JSON answer.
std::string response_xml(std::string_view action, const json::object& answer,
                         std::string_view request_id);

}  // namespace stepwise::services::sns
