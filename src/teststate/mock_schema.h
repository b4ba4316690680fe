// Mock result validation (fieldValidationMode): a mocked `result` for a service integration is
// checked against the shape of that API's response, as AWS does, so that a test cannot pass
// with a response the real service would never send.
//
// Only the integrations listed in mock_schema.cpp have a shape; others are not checked (as with
// NONE). STRICT also requires the API's required fields; PRESENT checks only fields present.
//
// Thread-safety: pure functions over immutable tables; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "json/json.h"
#include "teststate/request.h"

namespace stepwise::teststate {

// Deeper mocks than this are not walked further (json::parse bounds them anyway).
inline constexpr std::size_t mock_schema_depth_max = 64;

// The message ("Mock result schema validation error: Field 'X' must be a string") for the
// first field that breaks the shape of `resource`'s response, or nullopt when it conforms.
std::optional<std::string> check_mock_result(const std::string& resource, const json::value& result,
                                             FieldValidation mode);

}  // namespace stepwise::teststate
