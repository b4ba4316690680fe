// Registry rules: the pure checks behind the Registry's operations — resource names, ARNs,
// AWS's "N validation errors detected" messages, request field access, tags and pagination
// tokens — each answering with AWS's error type and wording where the recorded cases show it.
//
// Kept apart from registry.cpp so the rules can be tested without a store, and so the Service's
// other operations (executions, activities) can reuse the same ARN and name checks.
//
// Thread-safety: free functions and plain values, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/dispatcher.h"
#include "base/limits.h"
#include "base/result.h"
#include "json/json.h"
#include "store/store.h"

namespace stepwise::sfn::rules {

// AWS quotas the Registry enforces (service-quotas page; API reference length constraints).
inline constexpr std::size_t tags_max = 50;
inline constexpr std::size_t tag_key_chars_max = 128;
inline constexpr std::size_t tag_value_chars_max = 256;
inline constexpr std::size_t versions_max = 1000;  // per state machine
inline constexpr std::size_t aliases_max = 100;    // per state machine
inline constexpr std::size_t routes_max = 2;       // versions one alias routes to
inline constexpr std::int64_t route_weight_max = 100;
inline constexpr std::size_t description_chars_max = 256;  // version and alias descriptions
inline constexpr std::size_t arn_chars_max = 2048;
inline constexpr std::size_t role_arn_chars_max = 256;
inline constexpr std::int64_t list_results_max = 1000;     // maxResults of every List* call
inline constexpr std::int64_t list_results_default = 100;  // maxResults 0 or absent
inline constexpr std::size_t next_token_chars_max = 1024;
inline constexpr std::size_t validate_diagnostics_max = 100;  // ValidateStateMachineDefinition

// Characters (code points) of UTF-8 text: AWS's length limits count characters, not bytes.
std::size_t code_points(std::string_view utf8);

// State machine, activity and execution names: 1..80 characters, none of whitespace,
// < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / or control characters (U+0000-001F, U+007F-009F).
bool is_valid_resource_name(std::string_view name);
// The error CreateStateMachine and CreateActivity answer for a bad name, or nullopt: the length
// (1..80) is checked as a constraint first (ValidationException), then the characters
// (InvalidName "Invalid Name: '<name>'").
std::optional<api::ApiError> name_error(std::string_view name);
// Alias names: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$ (a run of digits would read as a version).
bool is_valid_alias_name(std::string_view name);
inline constexpr std::string_view alias_name_pattern = "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$";

// Collects constraint violations and renders them as AWS's ValidationException:
// "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must
// ..." — several joined with "; " under "N validation errors detected: ".
class Violations {
 public:
  // value: the offending value as text; nullopt renders "Value null"; `sensitive` omits it
  // ("Value at 'definition'"), as AWS does for definitions.
  void add(std::string field, std::optional<std::string> value, std::string constraint,
           bool sensitive = false);
  bool empty() const { return items_.empty(); }
  api::ApiError error() const;

 private:
  std::vector<std::string> items_;
};

api::ApiError validation_error(std::string message);

// A parsed Step Functions ARN:
// arn:<partition>:states:<region>:<account>:<type>:<name>[:<qualifier>].
struct Arn {
  std::string partition;
  std::string region;
  std::string account;
  std::string type;  // stateMachine, activity, execution, express, mapRun, ...
  std::string name;
  std::string qualifier;            // version number, alias name or execution name; "" when absent
  std::string text;                 // the whole ARN as given
  std::string unqualified() const;  // without ":<qualifier>"
  bool is_version() const;          // qualifier is all digits
};

// InvalidArn "Invalid Arn: 'Invalid ARN prefix: <arn>'" for text that is not an ARN, or
// "Invalid Arn: '<arn>'" for a malformed one.
Result<Arn> parse_arn(std::string_view text);
// InvalidArn "Invalid Arn: 'Resource type not valid in this context: <type>'".
api::ApiError wrong_resource_type(const Arn& arn);
// An Error as the API answers it; store failures ("Store.*") become InternalFailure (500).
api::ApiError to_api_error(const Error& e);

// Request fields. Absent or null → nullopt; a value of the wrong JSON type → the error AWS's
// JSON protocol answers (SerializationException).
Result<std::optional<std::string>> string_field(const json::value& request, std::string_view key);
Result<std::optional<std::int64_t>> integer_field(const json::value& request, std::string_view key);
Result<std::optional<bool>> bool_field(const json::value& request, std::string_view key);
Result<const json::value*> object_field(const json::value& request, std::string_view key);
Result<const json::value*> array_field(const json::value& request, std::string_view key);

// Tags as requests carry them ([{"key","value"}]), validated: count, key 1..128, value 0..256.
// Errors: ValidationException for lengths, TooManyTags over the 50-tag quota.
Result<store::Tags> parse_tags(const json::value& request, std::string_view resource_arn);
json::array tags_json(const store::Tags& tags);
// Adds or replaces keys; TooManyTags when the result passes the quota.
Result<store::Tags> merge_tags(store::Tags current, const store::Tags& added,
                               std::string_view resource_arn);
api::ApiError too_many_tags(std::string_view resource_arn);

// maxResults (0..1000, 0 → default) and nextToken (1..1024 characters) of a List* request.
struct Page {
  std::size_t limit = list_results_default;
  std::optional<std::string> token;
};
Result<Page> parse_page(const json::value& request);

// Opaque pagination tokens: they name the list they belong to and where the next page starts
// (the key of the last item given, and its position as a fallback when that item is gone).
// A token for another list, or text that is no token → InvalidToken.
std::string encode_token(std::string_view list, std::string_view after_key, std::size_t position);
struct TokenPosition {
  std::string after_key;
  std::size_t position = 0;
};
Result<TokenPosition> decode_token(std::string_view list, std::string_view token);

// One page of `keys` (in list order) starting after the token's position; the next token or "".
struct Slice {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string next_token;
};
Result<Slice> page_slice(std::string_view list, const std::vector<std::string>& keys,
                         const Page& page);

}  // namespace stepwise::sfn::rules
