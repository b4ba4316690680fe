// Reading the members of a JSON-protocol request (AWS JSON 1.1 services: Secrets Manager,
// EventBridge) and the validation errors AWS answers for them. Header-only helpers.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/dispatcher.h"
#include "json/json.h"

namespace stepwise::services {

// A string member; nullopt when absent or null. `wrong` is set when present but not a string.
inline std::optional<std::string> string_member(const json::object& r, std::string_view name,
                                                bool* wrong = nullptr) {
  const json::value* v = r.if_contains(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    if (wrong) *wrong = true;
    return std::nullopt;
  }
  return std::string(v->get_string());
}

// An integer member; nullopt when absent. `wrong` is set when present but not an integer.
inline std::optional<std::int64_t> int_member(const json::object& r, std::string_view name,
                                              bool* wrong = nullptr) {
  const json::value* v = r.if_contains(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!json::is_integral_number(*v) || json::as_double(*v) > 9.2e18 ||
      json::as_double(*v) < -9.2e18) {
    if (wrong) *wrong = true;
    return std::nullopt;
  }
  return static_cast<std::int64_t>(json::as_double(*v));
}

// A boolean member; `fallback` when absent. `wrong` is set when present but not a boolean.
inline bool bool_member(const json::object& r, std::string_view name, bool fallback,
                        bool* wrong = nullptr) {
  const json::value* v = r.if_contains(name);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) {
    if (wrong) *wrong = true;
    return fallback;
  }
  return v->get_bool();
}

// "ValidationException" as AWS's JSON services answer a request that breaks the model.
inline api::ApiError validation_error(std::string message) {
  return api::ApiError{"ValidationException", std::move(message)};
}

// AWS's model-constraint message: "1 validation error detected: Value at 'name' failed to
// satisfy constraint: Member must ...".
inline api::ApiError constraint_error(std::string_view member, std::string_view constraint) {
  return validation_error("1 validation error detected: Value at '" + std::string(member) +
                          "' failed to satisfy constraint: Member must " + std::string(constraint));
}

// Epoch seconds as the JSON protocols write timestamps (fractional when there are ms).
inline json::value epoch_seconds(std::int64_t ms) {
  if (ms % 1000 == 0) return json::value(ms / 1000);
  return json::value(static_cast<double>(ms) / 1000.0);
}

}  // namespace stepwise::services
