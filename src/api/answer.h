// Answers and how each protocol encodes them. JSON services answer a `Response` (a JSON body or
// an ApiError); the query, REST and plain GET routes answer a `RawResponse` (status, content
// type, headers and body bytes the service built, or an ApiError). `Encoding` says, for the
// request being answered, how an ApiError looks on the wire:
//   JSON 1.0/1.1   {"__type","message"}, x-amzn-ErrorType (+ x-amzn-query-error when the
//                  service is awsQueryCompatible)
//   query          <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error>
//                  <RequestId/></ErrorResponse>, text/xml
//   REST-XML       the same <ErrorResponse>, or S3's <Error><Code/><Message/><Resource/>
//                  <RequestId/></Error>
//   REST-JSON      {"__type","message"} with x-amzn-ErrorType
//   plain          {"__type","message"} as JSON (GET routes: /health, /metrics, static files)
// Every answer carries x-amzn-RequestId (S3-style answers also x-amz-request-id).
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/protocol.h"

namespace stepwise::api {

enum class Protocol : std::uint8_t { json, query, rest_xml, rest_json, plain };
std::string_view protocol_name(Protocol p);

inline constexpr std::string_view json_1_1_content_type = "application/x-amz-json-1.1";

// A non-JSON answer as the service built it.
struct RawAnswer {
  unsigned status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // For HEAD: the Content-Length a GET would have; the body stays empty.
  std::optional<std::size_t> head_length = std::nullopt;
};

class RawResponse {
 public:
  RawResponse(RawAnswer answer) : answer_(std::move(answer)) {}  // NOLINT: implicit by design
  RawResponse(ApiError error) : error_(std::move(error)) {}      // NOLINT: implicit by design

  bool is_error() const { return error_.has_value(); }
  const RawAnswer& answer() const { return answer_; }
  const ApiError& error() const { return *error_; }
  unsigned status() const { return error_ ? error_->status : answer_.status; }

 private:
  RawAnswer answer_;
  std::optional<ApiError> error_;
};

// Same contract as Reply: call once, from any thread; dropped uncalled answers InternalFailure.
using RawReply = std::function<void(RawResponse)>;

// How the answer to one request is encoded. The views point into Router-owned strings.
struct Encoding {
  Protocol protocol = Protocol::json;
  std::string_view json_content_type = stepwise::api::json_content_type;
  bool query_compatible = false;  // JSON service with awsQueryCompatible (SQS)
  bool s3_errors = false;         // REST-XML errors in S3's <Error> shape
  std::string_view xmlns;         // query: the service's namespace on <ErrorResponse>
};

// The encoded answer. `resource` is S3's <Resource> (the request path) for S3-style errors.
HttpResponse encode_answer(const Encoding& encoding, const Response& response,
                           std::string_view request_id, unsigned http_version, bool keep_alive);
HttpResponse encode_raw(const Encoding& encoding, const RawResponse& response,
                        std::string_view request_id, unsigned http_version, bool keep_alive,
                        std::string_view resource = {});

// The error bodies, exposed for services that build answers themselves.
std::string query_error_body(const ApiError& e, std::string_view request_id,
                             std::string_view xmlns);
std::string rest_xml_error_body(const ApiError& e, std::string_view request_id,
                                std::string_view resource, bool s3_style);
// "Sender" for a client error, "Receiver" for a server error (5xx), as AWS writes <Type>.
std::string_view error_fault(const ApiError& e);

}  // namespace stepwise::api
