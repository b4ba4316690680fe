#include "api/protocol.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cmath>

#include "api/answer.h"
#include "api/json_protocol.h"

namespace stepwise::api {

namespace http = boost::beast::http;

namespace {

ApiError unknown_operation_error(std::string message) {
  return ApiError{"UnknownOperationException", std::move(message), 400};
}

Decoded failed(ApiError e) { return Decoded{std::nullopt, std::move(e)}; }

}  // namespace

Decoded decode_call(const HttpRequest& request) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::post || path != "/")
    return failed(unknown_operation_error("Only POST / is served (AWS JSON 1.0 protocol); got " +
                                          std::string(request.method_string()) + " " +
                                          std::string(path.substr(0, 200))));
  auto it = request.find("X-Amz-Target");
  if (it == request.end()) return failed(unknown_operation_error("Missing X-Amz-Target header"));
  std::string_view operation = json_target_operation(it->value(), target_prefix);
  if (!is_operation_name(operation))
    return failed(
        unknown_operation_error("Unknown X-Amz-Target: expected AWSStepFunctions.<Operation>"));
  JsonBody body = decode_json_body(request.body());
  if (!body.ok()) return failed(std::move(body.error));
  return Decoded{ApiCall{std::string(operation), std::move(*body.value)}, {}};
}

HttpResponse encode_response(const Response& response, std::string_view request_id,
                             unsigned http_version, bool keep_alive) {
  return encode_answer(Encoding{}, response, request_id, http_version, keep_alive);
}

ApiError entity_too_large(std::size_t body_bytes_max) {
  return ApiError{
      "RequestEntityTooLargeException",
      "Request body is larger than the limit of " + std::to_string(body_bytes_max) + " bytes", 413};
}

ApiError request_timeout() {
  return ApiError{"RequestTimeoutException", "Timed out reading the request", 408};
}

ApiError malformed_request(std::string_view why) {
  return ApiError{"MalformedHttpRequestException", "Malformed HTTP request: " + std::string(why),
                  400};
}

ApiError service_unavailable(std::string_view why) {
  return ApiError{"ServiceUnavailable", std::string(why), 503};
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t len;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlongs
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // no overlongs
    if (c == 0xF4) hi = 0x8F;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  auto second = static_cast<unsigned char>(s[i + 1]);
  if (second < lo || second > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t len = utf8_sequence_length(bytes, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

json::value epoch_seconds(Millis t) {
  if (t % 1000 == 0) return json::value(static_cast<std::int64_t>(t / 1000));
  return json::value(static_cast<double>(t) / 1000.0);
}

}  // namespace stepwise::api
