// SecretsManager's shared helpers: AWS's error texts, name/value/token checks, the JSON a
// secret is described with, and its records.
#include <algorithm>

#include "services/common/codec.h"
#include "services/common/json_request.h"
#include "services/secretsmanager/secrets_internal.h"
#include "services/secretsmanager/secrets_limits.h"

namespace stepwise::services::secretsmanager {

api::ApiError not_found() {
  return api::ApiError{"ResourceNotFoundException",
                       "Secrets Manager can't find the specified secret."};
}

api::ApiError marked_for_deletion() {
  return invalid_request(
      "You can't perform this operation on the secret because it was marked for deletion.");
}

api::ApiError invalid_parameter(std::string message) {
  return api::ApiError{"InvalidParameterException", std::move(message)};
}

api::ApiError invalid_request(std::string message) {
  return api::ApiError{"InvalidRequestException", std::move(message)};
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > secrets_limits::name_bytes_max) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("/_+=.@-").find(c) != std::string_view::npos;
  });
}

std::optional<api::ApiError> read_value(const json::object& r, ValueMembers& out) {
  bool wrong = false;
  out.string_value = string_member(r, "SecretString", &wrong);
  out.binary_base64 = string_member(r, "SecretBinary", &wrong);
  if (wrong) return validation_error("SecretString and SecretBinary must be strings.");
  if (out.string_value && out.binary_base64)
    return invalid_parameter(
        "You can't specify both a binary secret value and a string secret value in the same "
        "secret.");
  if (out.string_value) {
    if (out.string_value->empty())
      return constraint_error("secretString", "have length greater than or equal to 1");
    if (out.string_value->size() > secrets_limits::value_bytes_max)
      return constraint_error("secretString", "have length less than or equal to 65536");
  }
  if (out.binary_base64) {
    auto bytes = base64_decode(*out.binary_base64);
    if (!bytes) return invalid_parameter("SecretBinary is not valid base64.");
    if (bytes->empty())
      return constraint_error("secretBinary", "have length greater than or equal to 1");
    if (bytes->size() > secrets_limits::value_bytes_max)
      return constraint_error("secretBinary", "have length less than or equal to 65536");
  }
  return std::nullopt;
}

std::optional<api::ApiError> read_token(const json::object& r, std::string& out) {
  bool wrong = false;
  auto token = string_member(r, "ClientRequestToken", &wrong);
  if (wrong) return validation_error("ClientRequestToken must be a string.");
  if (!token) return std::nullopt;  // the caller makes a UUID
  if (token->size() < secrets_limits::token_bytes_min)
    return constraint_error("clientRequestToken", "have length greater than or equal to 32");
  if (token->size() > secrets_limits::token_bytes_max)
    return constraint_error("clientRequestToken", "have length less than or equal to 64");
  out = *token;
  return std::nullopt;
}

json::object versions_to_stages(const Secret& s, bool all) {
  json::object out;
  for (const auto& [id, v] : s.versions) {
    if (v.stages.empty() && !all) continue;
    json::array stages;
    for (const auto& st : v.stages) stages.push_back(json::value(st));
    out[id] = std::move(stages);
  }
  return out;
}

json::array tags_json(const Secret& s) {
  json::array tags;
  for (const auto& [k, v] : s.tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  return tags;
}

json::object describe_json(const Secret& s) {
  json::object o{{"ARN", s.arn}, {"Name", s.name}};
  if (!s.description.empty()) o["Description"] = s.description;
  if (!s.kms_key_id.empty()) o["KmsKeyId"] = s.kms_key_id;
  o["LastChangedDate"] = epoch_seconds(s.changed_ms);
  if (s.accessed_ms) o["LastAccessedDate"] = epoch_seconds(s.accessed_ms);
  if (s.deleted_ms) o["DeletedDate"] = epoch_seconds(*s.deleted_ms);
  if (!s.tags.empty()) o["Tags"] = tags_json(s);
  o["VersionIdsToStages"] = versions_to_stages(s, false);
  o["CreatedDate"] = epoch_seconds(s.created_ms);
  return o;
}

std::string secret_record(const Secret& s) {
  json::object o{{"name", s.name},
                 {"arn", s.arn},
                 {"description", s.description},
                 {"kms", s.kms_key_id},
                 {"tags", tags_json(s)},
                 {"created", s.created_ms},
                 {"changed", s.changed_ms},
                 {"accessed", s.accessed_ms}};
  if (s.deleted_ms) o["deleted"] = *s.deleted_ms;
  if (s.deletion_ms) o["deletion"] = *s.deletion_ms;
  return json::dump(o);
}

std::string version_record(const SecretVersion& v) {
  json::array stages;
  for (const auto& st : v.stages) stages.push_back(json::value(st));
  json::object o{{"id", v.id},
                 {"created", v.created_ms},
                 {"accessed", v.accessed_ms},
                 {"order", v.order},
                 {"stages", std::move(stages)}};
  if (v.string_value) o["string"] = *v.string_value;
  if (v.binary_base64) o["binary"] = *v.binary_base64;
  return json::dump(o);
}

namespace {
Millis millis_of(const json::object& o, std::string_view key) {
  return int_member(o, key).value_or(0);
}
}  // namespace

bool secret_from_record(const json::object& o, Secret& s) {
  s.name = string_member(o, "name").value_or("");
  s.arn = string_member(o, "arn").value_or("");
  if (s.name.empty() || s.arn.empty()) return false;
  s.description = string_member(o, "description").value_or("");
  s.kms_key_id = string_member(o, "kms").value_or("");
  if (const auto* tags = o.if_contains("tags"); tags && tags->is_array()) {
    for (const auto& t : tags->get_array()) {
      const auto* to = t.if_object();
      if (to == nullptr) return false;
      s.tags.emplace_back(string_member(*to, "Key").value_or(""),
                          string_member(*to, "Value").value_or(""));
    }
  }
  s.created_ms = millis_of(o, "created");
  s.changed_ms = millis_of(o, "changed");
  s.accessed_ms = millis_of(o, "accessed");
  if (auto d = int_member(o, "deleted")) s.deleted_ms = *d;
  if (auto d = int_member(o, "deletion")) s.deletion_ms = *d;
  return true;
}

bool version_from_record(const json::object& o, SecretVersion& v) {
  v.id = string_member(o, "id").value_or("");
  if (v.id.empty()) return false;
  v.created_ms = millis_of(o, "created");
  v.accessed_ms = millis_of(o, "accessed");
  v.order = static_cast<std::uint64_t>(int_member(o, "order").value_or(0));
  v.string_value = string_member(o, "string");
  v.binary_base64 = string_member(o, "binary");
  if (const auto* st = o.if_contains("stages"); st && st->is_array())
    for (const auto& x : st->get_array())
      if (x.is_string()) v.stages.emplace_back(x.get_string());
  return true;
}

}  // namespace stepwise::services::secretsmanager
