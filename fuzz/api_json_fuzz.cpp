// Fuzz target: the AWS JSON 1.0/1.1 request decoder. Input "X-AMZ-TARGET\nBODY": the first line
// is the X-Amz-Target header of a `POST /` (Content-Type 1.0, or 1.1 when the target starts
// with "AWSEvents."), the rest the body. Routes it (Router::route), decodes the body
// (decode_json_body) and the legacy decode_call; they must agree, and a decoded body is always
// a JSON object.
#include <cstddef>
#include <cstdint>

#include "api/json_protocol.h"
#include "fuzz/api_fuzz_router.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  namespace http = boost::beast::http;
  std::string_view text = fuzz::as_text(data, size);
  std::size_t newline = text.find('\n');
  std::string_view target = text.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? "" : text.substr(newline + 1);
  api::HttpRequest request{http::verb::post, "/", 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::content_type, target.starts_with("AWSEvents.")
                                             ? "application/x-amz-json-1.1"
                                             : "application/x-amz-json-1.0");
  // Beast refuses header values with CR, LF or NUL; a client cannot send them either.
  if (target.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) return 0;
  request.set("X-Amz-Target", target);
  request.body() = std::string(body);
  api::Route route = fuzz::fuzz_router().route(request);
  if (!fuzz::route_is_sane(route)) fuzz::invariant_failed("json route without target", target);
  api::JsonBody decoded = api::decode_json_body(body);
  if (decoded.ok() && !decoded.value->is_object())
    fuzz::invariant_failed("decoded body is not an object", body);
  if (!decoded.ok() && decoded.error.type != "SerializationException")
    fuzz::invariant_failed("body error is not SerializationException", decoded.error.type);
  if (target.starts_with("AWSStepFunctions.")) {
    api::Decoded legacy = api::decode_call(request);
    if (legacy.ok() != (decoded.ok() && !route.error))
      fuzz::invariant_failed("decode_call and the router disagree", text);
  }
  return 0;
}
