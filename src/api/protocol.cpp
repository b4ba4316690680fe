#include "api/protocol.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cmath>

namespace stepwise::api {

namespace http = boost::beast::http;

namespace {

ApiError unknown_operation_error(std::string message) {
  return ApiError{"UnknownOperationException", std::move(message), 400};
}

ApiError serialization(std::string message) {
  return ApiError{"SerializationException", std::move(message), 400};
}

// Operation names are PascalCase identifiers; anything else cannot name an operation.
bool is_operation_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c)) return false;
  return true;
}

Decoded failed(ApiError e) { return Decoded{std::nullopt, std::move(e)}; }

}  // namespace

Decoded decode_call(const HttpRequest& request) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::post || path != "/")
    return failed(unknown_operation_error(
        "Only POST / is served (AWS JSON 1.0 protocol); got " +
        std::string(request.method_string()) + " " + std::string(path.substr(0, 200))));
  auto it = request.find("X-Amz-Target");
  if (it == request.end())
    return failed(unknown_operation_error("Missing X-Amz-Target header"));
  std::string_view amz_target = it->value();
  if (amz_target.substr(0, target_prefix.size()) != target_prefix ||
      !is_operation_name(amz_target.substr(target_prefix.size())))
    return failed(unknown_operation_error(
        "Unknown X-Amz-Target: expected AWSStepFunctions.<Operation>"));
  std::string operation(amz_target.substr(target_prefix.size()));

  const std::string& body = request.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return Decoded{ApiCall{std::move(operation), json::object{}}, {}};
  if (!is_valid_utf8(body)) return failed(serialization("Request body is not valid UTF-8"));
  auto parsed = json::parse(body);
  if (!parsed.ok())
    return failed(serialization("Request body is not valid JSON: " + parsed.error().cause));
  if (!parsed->is_object())
    return failed(serialization(std::string("Start of ") +
                                (parsed->is_array() ? "list" : "value") +
                                " found where a structure was expected"));
  return Decoded{ApiCall{std::move(operation), std::move(*parsed)}, {}};
}

HttpResponse encode_response(const Response& response, std::string_view request_id,
                             unsigned http_version, bool keep_alive) {
  HttpResponse res;
  res.version(http_version);
  res.set(http::field::content_type, json_content_type);
  res.set("x-amzn-RequestId", request_id);
  if (response.is_error()) {
    const ApiError& e = response.error();
    res.result(static_cast<http::status>(e.status));
    res.set("x-amzn-ErrorType", e.type);
    json::object body;
    body["__type"] = e.type;
    body["message"] = e.message;
    res.body() = json::dump(body);
  } else {
    res.result(http::status::ok);
    res.body() = json::dump(response.body());
  }
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

ApiError entity_too_large(std::size_t body_bytes_max) {
  return ApiError{"RequestEntityTooLargeException",
                  "Request body is larger than the limit of " + std::to_string(body_bytes_max) +
                      " bytes",
                  413};
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

bool is_valid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
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
      return false;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return false;
    for (std::size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    i += len;
  }
  return true;
}

json::value epoch_seconds(Millis t) {
  if (t % 1000 == 0) return json::value(static_cast<std::int64_t>(t / 1000));
  return json::value(static_cast<double>(t) / 1000.0);
}

}  // namespace stepwise::api
