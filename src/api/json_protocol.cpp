#include "api/json_protocol.h"

#include <cctype>

#include "api/protocol.h"

namespace stepwise::api {

namespace {

constexpr std::size_t operation_name_bytes_max = 128;

JsonBody serialization(std::string message) {
  return JsonBody{std::nullopt, ApiError{"SerializationException", std::move(message), 400}};
}

}  // namespace

std::string_view json_content_type_of(JsonVersion v) {
  return v == JsonVersion::v1_1 ? std::string_view("application/x-amz-json-1.1")
                                : json_content_type;
}

bool is_operation_name(std::string_view s) {
  if (s.empty() || s.size() > operation_name_bytes_max) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c)) return false;
  return true;
}

std::string_view json_target_operation(std::string_view target, std::string_view prefix) {
  if (!target.starts_with(prefix)) return {};
  return target.substr(prefix.size());
}

JsonBody decode_json_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return JsonBody{json::value(json::object{}), {}};
  if (!is_valid_utf8(body)) return serialization("Request body is not valid UTF-8");
  auto parsed = json::parse(body);
  if (!parsed.ok()) return serialization("Request body is not valid JSON: " + parsed.error().cause);
  if (!parsed->is_object())
    return serialization(std::string("Start of ") + (parsed->is_array() ? "list" : "value") +
                         " found where a structure was expected");
  return JsonBody{std::move(*parsed), {}};
}

}  // namespace stepwise::api
