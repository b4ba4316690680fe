// Test helpers for the built-in EventBridge's unit tests: one operation through the dispatcher,
// answered at once (the in-memory RecordLog commits inside write()).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

#include "api/dispatcher.h"

namespace stepwise::services::events::test_support {

inline api::Response call(api::Dispatcher& d, std::string_view op, json::object request) {
  std::optional<api::Response> out;
  d.dispatch(op, json::value(std::move(request)), api::RequestInfo{},
             [&](api::Response r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << op << " did not answer at once";
  return out ? std::move(*out) : api::Response(api::ApiError::internal("no answer"));
}

// The answer's body; a failure of the test when the operation answers an error.
inline json::object ok(api::Dispatcher& d, std::string_view op, json::object request) {
  api::Response r = call(d, op, std::move(request));
  EXPECT_FALSE(r.is_error()) << op << ": " << (r.is_error() ? r.error().message : "");
  return r.is_error() || !r.body().is_object() ? json::object{} : r.body().get_object();
}

// The error answered; a failure of the test when the operation succeeds.
inline api::ApiError error(api::Dispatcher& d, std::string_view op, json::object request) {
  api::Response r = call(d, op, std::move(request));
  EXPECT_TRUE(r.is_error()) << op << " succeeded";
  return r.is_error() ? r.error() : api::ApiError{};
}

}  // namespace stepwise::services::events::test_support
