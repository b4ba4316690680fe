// Small helpers of the validator and its schema table: which fields each state type accepts,
// and which belong to one query language only.
#include "asl/validator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/limits.h"

namespace stepwise::asl::validation {

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_jsonata_expr(const json::value& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.as_string();
  return s.size() >= 4 && s.substr(0, 2) == "{%" && s.substr(s.size() - 2) == "%}";
}

// A JSON integer (or a double with no fraction, as Jackson accepts 5.0 for an int field).
std::optional<std::int64_t> as_integer(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return INT64_MAX;
    return static_cast<std::int64_t>(v.as_uint64());
  }
  return std::nullopt;
}

bool in_list(std::string_view key, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// Which fields each state type accepts (the union over both query languages).
const std::unordered_map<std::string_view, std::vector<std::string_view>>& state_fields() {
  static const auto* table =
      new std::unordered_map<std::string_view, std::vector<std::string_view>>{
          {"Pass",
           {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result",
            "Assign", "Output"}},
          {"Task",
           {"Next", "End", "Resource", "InputPath", "OutputPath", "ResultPath", "Parameters",
            "ResultSelector", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath",
            "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign", "Arguments",
            "Output"}},
          {"Choice", {"Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"}},
          {"Wait",
           {"Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath",
            "OutputPath", "Assign", "Output"}},
          {"Succeed", {"InputPath", "OutputPath", "Output"}},
          {"Fail", {"Error", "ErrorPath", "Cause", "CausePath"}},
          {"Parallel",
           {"Next", "End", "Branches", "InputPath", "OutputPath", "ResultPath", "Parameters",
            "ResultSelector", "Retry", "Catch", "Assign", "Arguments", "Output"}},
          {"Map",
           {"Next",
            "End",
            "Iterator",
            "ItemProcessor",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Assign",
            "Output"}},
      };
  return *table;
}

bool jsonpath_only(std::string_view f) {
  return in_list(f, {"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
                     "Result", "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                     "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
                     "ToleratedFailurePercentagePath", "ToleratedFailureCountPath"});
}

bool jsonata_only(std::string_view f) { return in_list(f, {"Output", "Arguments", "Items"}); }

}  // namespace stepwise::asl::validation
