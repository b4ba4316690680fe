// The SNS query protocol (what every SDK and the AWS CLI send to SNS): a form
// `Action=Publish&TopicArn=...&MessageAttributes.entry.1.Name=...` decoded into the JSON
// request the operations take, and a JSON answer written as the XML AWS sends — indented by two
// spaces with a final newline, byte for byte AWS's layout, so that the Content-Length an
// optimized integration reports (SdkHttpMetadata) is AWS's.
//
// Forms flatten lists as `<Member>.member.N[.<field>]` and maps as `<Member>.entry.N.key/value`
// (`Name`/`Value` for MessageAttributes), 1-based. Indexes past form_index_max are refused.
//
// The other direction, for the pass-through client (services/remote) that sends SNS calls to
// another endpoint: json_to_form() writes a JSON request as the form an SDK sends, and the
// member shapes below (SNS's service model: which members are maps, lists or booleans) let an
// XML answer be read back into the JSON this file's response_xml() writes.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// The form an SDK sends for a JSON request (without Action and Version): lists as
// `.member.N`, map members as `.entry.N.<key>/<value>`, booleans as true/false, other scalars as
// their text. Nested structures flatten by their member names.
std::vector<std::pair<std::string, std::string>> json_to_form(const json::object& request);

// SNS's map members and the element names of their entries' key and value
// (Attributes: key/value; MessageAttributes: Name/Value). nullopt for a member that is no map.
struct MapEntryNames {
  std::string_view key;
  std::string_view value;
};
std::optional<MapEntryNames> map_member(std::string_view name);
// Answer members that are lists (<Topics><member>...</member></Topics>, or <Topics/> empty).
bool list_member(std::string_view name);
// Answer members that are booleans (PublishBatch's SenderFault).
bool boolean_member(std::string_view name);

// The whole <{Action}Response> document for the operation's JSON answer.
std::string response_xml(std::string_view action, const json::object& answer,
                         std::string_view request_id);

}  // namespace stepwise::services::sns
