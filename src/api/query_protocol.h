// The AWS query protocol (SNS; SQS from older clients such as boto3 1.26 and AWS CLI 2.9):
// `POST /` with an application/x-www-form-urlencoded body `Action=<Op>&Version=<date>&...`
// (or the same parameters in the URL's query string). This file decodes forms with limits and
// builds the XML answers (the <Op>Response envelope; errors are in answer.h).
//
// Thread-safety: free functions and value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dispatcher.h"

namespace stepwise::api {

namespace query_limits {
// Parameters in one form. SQS SendMessageBatch with 10 entries of 10 attributes each needs ~500.
inline constexpr std::size_t params_max = 4096;
// One parameter name (AWS's are under 100 bytes: "SendMessageBatchRequestEntry.10.Message...").
inline constexpr std::size_t name_bytes_max = 1024;
}  // namespace query_limits

// A decoded form, parameters in the order sent (names may repeat; find() gives the first).
struct Form {
  std::vector<std::pair<std::string, std::string>> params;
  const std::string* find(std::string_view name) const;
};

// application/x-www-form-urlencoded: '&'-separated name=value pairs, '+' is a space, %XX a byte.
// Errors (400): MalformedQueryString for a bad %-escape, an empty or oversized name, or more
// than params_max parameters. Empty items ("a=1&&b=2") are skipped, as servers do.
struct FormDecoded {
  std::optional<Form> form;
  ApiError error;
  bool ok() const { return form.has_value(); }
};
FormDecoded decode_form(std::string_view text);

// Percent-decoding into `out` (appended); false on a malformed escape.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

// True for a Content-Type of application/x-www-form-urlencoded (any case, any parameters).
bool is_form_content_type(std::string_view content_type);

// The success envelope: <{Action}Response xmlns="..."><{Action}Result>result_xml</..Result>
// <ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></{Action}Response>.
// result_xml is inserted as is (build it with XmlWriter); empty: no Result element.
std::string query_response_body(std::string_view action, std::string_view xmlns,
                                std::string_view result_xml, std::string_view request_id);

// Query errors the router answers itself.
ApiError missing_action();
ApiError invalid_action(std::string_view action);

}  // namespace stepwise::api
