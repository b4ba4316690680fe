// The TestState request, read and checked: every field typed, every message AWS's own.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::teststate {

enum class Level { kInfo, kDebug, kTrace };
enum class FieldValidation { kStrict, kPresent, kNone };

struct Mock {
  std::optional<json::value> result;  // mock.result, parsed
  std::string result_text;            // as sent
  std::optional<std::string> error;   // mock.errorOutput.error
  std::optional<std::string> cause;   // mock.errorOutput.cause
  FieldValidation validation = FieldValidation::kStrict;
  bool is_error() const { return error.has_value(); }
};

struct StateConfiguration {
  std::optional<std::int64_t> retrier_retry_count;
  std::optional<std::int64_t> map_iteration_failure_count;
  std::optional<std::string> error_caused_by_state;
  std::optional<std::string> map_item_reader_data;  // JSON text
};

struct Request {
  json::value definition;  // parsed definition (a state or a whole machine)
  std::string role_arn;
  json::value input;  // parsed input ({} when absent)
  std::string input_text;
  Level level = Level::kInfo;
  bool reveal_secrets = false;
  json::object variables;  // parsed `variables`
  bool has_variables = false;
  std::optional<std::string> state_name;
  std::optional<Mock> mock;
  std::optional<json::object> context;  // parsed `context`
  StateConfiguration config;
};

// AWS's quotas on the request's text fields.
inline constexpr std::size_t definition_bytes_max = 1024 * 1024;
inline constexpr std::size_t payload_text_bytes_max = 256 * 1024;

// Reads the request body. Errors: ValidationException / InvalidDefinition /
// InvalidExecutionInput with AWS's messages.
Result<Request> parse_request(const json::value& body);

}  // namespace stepwise::teststate
