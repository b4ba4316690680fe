// SecretsManager's internals shared by its .cpp files: AWS's error texts, name and value
// checks, and how a secret and its versions are written as JSON. Not part of the interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "json/json.h"
#include "services/secretsmanager/secrets.h"

namespace stepwise::services::secretsmanager {

inline constexpr Millis kDayMs = 86'400'000;

inline constexpr std::string_view kCurrent = "AWSCURRENT";
inline constexpr std::string_view kPrevious = "AWSPREVIOUS";

api::ApiError not_found();
api::ApiError marked_for_deletion();
api::ApiError invalid_parameter(std::string message);
api::ApiError invalid_request(std::string message);

// Secret names: 1-256 of [A-Za-z0-9/_+=.@-].
bool valid_name(std::string_view name);

// The value members of a request (SecretString / SecretBinary): both absent is no value.
struct ValueMembers {
  std::optional<std::string> string_value;
  std::optional<std::string> binary_base64;
  bool present() const { return string_value || binary_base64; }
};
// Errors: both given (InvalidParameterException), a wrong type, too long, bad base64.
std::optional<api::ApiError> read_value(const json::object& r, ValueMembers& out);

// The version id a write uses: ClientRequestToken (32-64 characters) or a new UUID.
std::optional<api::ApiError> read_token(const json::object& r, std::string& out);

// {"VersionId": ["AWSCURRENT", ...], ...} of the versions with labels (or all of them).
json::object versions_to_stages(const Secret& s, bool all);
// DescribeSecret's members (ListSecrets uses the same, VersionIdsToStages renamed).
json::object describe_json(const Secret& s);
json::array tags_json(const Secret& s);

// Records.
std::string secret_record(const Secret& s);
std::string version_record(const SecretVersion& v);
bool secret_from_record(const json::object& o, Secret& s);
bool version_from_record(const json::object& o, SecretVersion& v);

}  // namespace stepwise::services::secretsmanager
