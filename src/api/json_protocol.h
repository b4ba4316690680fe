// The AWS JSON 1.0 and 1.1 protocols (Step Functions, SQS, DynamoDB, EventBridge, Secrets
// Manager): `POST /` with `X-Amz-Target: <Prefix>.<Operation>` and a JSON object body. This file
// decodes the two parts the router hands a JSON service: the operation named by the target and
// the body. Both versions share the wire shape; they differ only in the Content-Type
// (application/x-amz-json-1.0 / 1.1) that the answer carries (answer.h encodes it).
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <optional>
#include <string_view>

#include "api/dispatcher.h"

namespace stepwise::api {

enum class JsonVersion : std::uint8_t { v1_0, v1_1 };
std::string_view json_content_type_of(JsonVersion v);

// Operation names are PascalCase identifiers (at most 128 characters, letters and digits).
bool is_operation_name(std::string_view s);

// The operation named by an X-Amz-Target value when it starts with `prefix` (which ends in the
// '.' separator, e.g. "AWSStepFunctions."); empty when the target belongs to another service.
// A view into `target`: no allocation.
std::string_view json_target_operation(std::string_view target, std::string_view prefix);

// The request body: an empty (or all-whitespace) body counts as `{}`; otherwise well-formed
// UTF-8 holding a JSON object. Errors are SerializationException (400) with AWS's wording.
struct JsonBody {
  std::optional<json::value> value;
  ApiError error;
  bool ok() const { return value.has_value(); }
};
JsonBody decode_json_body(std::string_view body);

}  // namespace stepwise::api
