// The AWS JSON 1.0 protocol as Step Functions speaks it: decoding `POST /` with
// `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON object body, and encoding answers
// (200 with JSON, or an error status with {"__type", "message"}, `x-amzn-RequestId` on every
// response and `x-amzn-ErrorType` on errors). Pure functions over Beast message types: no I/O.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/result.h"

namespace stepwise::api {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

inline constexpr std::string_view target_prefix = "AWSStepFunctions.";
inline constexpr std::string_view json_content_type = "application/x-amz-json-1.0";

// A decoded call: the operation name (without prefix) and its JSON object input.
struct ApiCall {
  std::string operation;
  json::value input;
};

// Checks method, path, X-Amz-Target and body. Errors come back as ApiError with AWS's types:
// UnknownOperationException (wrong method, path or target) and SerializationException (body
// not UTF-8, not JSON, or not an object). An empty body counts as `{}`.
struct Decoded {
  std::optional<ApiCall> call;
  ApiError error;
  bool ok() const { return call.has_value(); }
};
Decoded decode_call(const HttpRequest& request);

// The full HTTP answer to a request; keep_alive says whether the connection stays open.
HttpResponse encode_response(const Response& response, std::string_view request_id,
                             unsigned http_version, bool keep_alive);

// Transport-level errors the server answers itself.
ApiError entity_too_large(std::size_t body_bytes_max);
ApiError request_timeout();
ApiError malformed_request(std::string_view why);
ApiError service_unavailable(std::string_view why);

// True when bytes are well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view bytes);
// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), 0 when malformed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// AWS's timestamp shape in JSON 1.0 bodies: epoch seconds as a number (millisecond fraction).
json::value epoch_seconds(Millis t);

}  // namespace stepwise::api
