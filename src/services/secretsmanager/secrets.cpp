#include "services/secretsmanager/secrets.h"

#include <utility>

#include "base/arn.h"
#include "services/common/json_request.h"
#include "services/secretsmanager/secrets_internal.h"
#include "services/secretsmanager/secrets_limits.h"

namespace stepwise::services::secretsmanager {
namespace {

constexpr const char* kSecretsNs = "secretsmanager.secrets";
constexpr const char* kVersionsNs = "secretsmanager.versions";

// The name part of an ARN "arn:aws:secretsmanager:R:A:secret:NAME[-XXXXXX]"; "" otherwise.
std::string_view arn_tail(std::string_view id) {
  if (!id.starts_with("arn:")) return {};
  auto pos = id.find(":secret:");
  return pos == std::string_view::npos ? std::string_view() : id.substr(pos + 8);
}

}  // namespace

SecretsManager::SecretsManager(SecretsOptions options)
    : options_(std::move(options)), ids_(options_.id_seed) {}

const std::vector<std::string>& SecretsManager::operation_names() {
  static const std::vector<std::string> names = {
      "CreateSecret",   "GetSecretValue", "PutSecretValue",       "UpdateSecret",
      "DescribeSecret", "ListSecrets",    "ListSecretVersionIds", "DeleteSecret",
      "RestoreSecret",  "TagResource",    "UntagResource",        "UpdateSecretVersionStage"};
  return names;
}

const std::vector<std::string>& SecretsManager::modelled_errors() {
  static const std::vector<std::string> names = {
      "DecryptionFailure",           "EncryptionFailure",
      "InternalServiceError",        "InvalidNextTokenException",
      "InvalidParameterException",   "InvalidRequestException",
      "LimitExceededException",      "MalformedPolicyDocumentException",
      "PreconditionNotMetException", "PublicPolicyException",
      "ResourceExistsException",     "ResourceNotFoundException"};
  return names;
}

void SecretsManager::dispatch(std::string_view op, json::value request,
                              const api::RequestInfo& /*info*/, api::Reply reply) {
  if (request.is_null()) request = json::object();
  if (!request.is_object()) {
    reply(api::ApiError{"SerializationException", "The request body must be a JSON object."});
    return;
  }
  const Json& r = request.get_object();
  if (op == "GetSecretValue") return reply(get_secret_value(r));
  if (op == "CreateSecret") return create_secret(r, std::move(reply));
  if (op == "PutSecretValue") return put_secret_value(r, std::move(reply));
  if (op == "UpdateSecret") return update_secret(r, std::move(reply));
  if (op == "DescribeSecret") return reply(describe_secret(r));
  if (op == "ListSecrets") return reply(list_secrets(r));
  if (op == "ListSecretVersionIds") return reply(list_secret_version_ids(r));
  if (op == "DeleteSecret") return delete_secret(r, std::move(reply));
  if (op == "RestoreSecret") return restore_secret(r, std::move(reply));
  if (op == "TagResource") return tag_resource(r, std::move(reply), false);
  if (op == "UntagResource") return tag_resource(r, std::move(reply), true);
  if (op == "UpdateSecretVersionStage") return update_secret_version_stage(r, std::move(reply));
  reply(api::unknown_operation(op));
}

void SecretsManager::persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply) {
  auto shared = std::make_shared<api::Response>(std::move(answer));
  options_.log.write(std::move(batch), [shared, reply = std::move(reply)](Status s) {
    if (!s.ok()) {
      reply(api::ApiError{"InternalServiceError",
                          "The write could not be made durable: " + s.error().cause, 500});
      return;
    }
    reply(std::move(*shared));
  });
}

Mutation SecretsManager::record_of(const Secret& s) const {
  return Mutation{kSecretsNs, s.name, secret_record(s)};
}

Mutation SecretsManager::record_of(const Secret& s, const SecretVersion& v) const {
  return Mutation{kVersionsNs, s.name + "\n" + v.id, version_record(v)};
}

void SecretsManager::erase(Secret& s, std::vector<Mutation>& batch) {
  const std::string name = s.name;  // s is destroyed below
  for (const auto& [id, v] : s.versions)
    batch.push_back(Mutation{kVersionsNs, s.name + "\n" + id, std::nullopt});
  batch.push_back(Mutation{kSecretsNs, s.name, std::nullopt});
  unschedule(s);
  secrets_.erase(name);
}

void SecretsManager::unschedule(const Secret& s) {
  if (!s.deletion_ms) return;
  auto range = deletions_.equal_range(*s.deletion_ms);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second == s.name) {
      deletions_.erase(it);
      return;
    }
  }
}

void SecretsManager::purge_expired(Millis now) {
  std::vector<Mutation> batch;
  while (!deletions_.empty() && deletions_.begin()->first <= now) {
    auto it = secrets_.find(deletions_.begin()->second);
    if (it == secrets_.end()) {
      deletions_.erase(deletions_.begin());
      continue;
    }
    erase(*it->second, batch);
  }
  if (!batch.empty()) options_.log.write(std::move(batch), nullptr);
}

Secret* SecretsManager::find_id(const std::string& id) {
  if (auto it = secrets_.find(id); it != secrets_.end()) return it->second.get();
  std::string_view tail = arn_tail(id);
  if (tail.empty()) return nullptr;
  // A full ARN names the secret with that exact ARN; a partial one (no suffix) its name.
  if (auto it = secrets_.find(std::string(tail)); it != secrets_.end()) return it->second.get();
  auto dash = tail.rfind('-');
  if (dash == std::string_view::npos) return nullptr;
  auto it = secrets_.find(std::string(tail.substr(0, dash)));
  return it != secrets_.end() && it->second->arn == id ? it->second.get() : nullptr;
}

Secret* SecretsManager::find(const Json& r, api::ApiError* error, bool allow_deleted) {
  bool wrong = false;
  auto id = string_member(r, "SecretId", &wrong);
  if (wrong) {
    *error = validation_error("Start of structure or map found where not expected.");
    return nullptr;
  }
  if (!id || id->empty()) {
    *error = invalid_parameter("You must specify a SecretId.");
    return nullptr;
  }
  if (id->size() > secrets_limits::secret_id_bytes_max) {
    *error = constraint_error("secretId", "have length less than or equal to 2048");
    return nullptr;
  }
  purge_expired(options_.clock.now_ms());
  Secret* s = find_id(*id);
  if (s == nullptr) {
    *error = not_found();
    return nullptr;
  }
  if (s->deleted_ms && !allow_deleted) {
    *error = marked_for_deletion();
    return nullptr;
  }
  return s;
}

std::string SecretsManager::new_arn(const std::string& name) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  for (int i = 0; i < 6; ++i) suffix += alphabet[ids_.next_u64() % alphabet.size()];
  return arn::make("secretsmanager", options_.place.region, options_.place.account,
                   "secret:" + name + "-" + suffix);
}

std::optional<SecretValue> SecretsManager::current_value(const std::string& secret_id) {
  base::MutexLock lock(mu_);
  purge_expired(options_.clock.now_ms());
  Secret* s = find_id(secret_id);
  if (s == nullptr || s->deleted_ms) return std::nullopt;
  for (const auto& [id, v] : s->versions)
    for (const auto& stage : v.stages)
      if (stage == kCurrent) return SecretValue{s->arn, v.string_value};
  return std::nullopt;
}

std::size_t SecretsManager::secret_count() const {
  base::MutexLock lock(mu_);
  return secrets_.size();
}

Status SecretsManager::load(std::size_t* damaged) {
  std::size_t bad = 0;
  base::MutexLock lock(mu_);
  // Each loader runs inside load_json_objects, while this function holds mu_.
  auto each_secret = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto s = std::make_unique<Secret>();
    if (!secret_from_record(o, *s) || s->name != rec.key) return false;
    if (s->deletion_ms) deletions_.emplace(*s->deletion_ms, s->name);
    secrets_[s->name] = std::move(s);
    return true;
  };
  if (auto st = load_json_objects(options_.log, kSecretsNs, bad, each_secret); !st.ok()) return st;
  auto each_version = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto nl = rec.key.find('\n');
    if (nl == std::string::npos) return false;
    auto it = secrets_.find(rec.key.substr(0, nl));
    SecretVersion v;
    if (it == secrets_.end() || !version_from_record(o, v)) return false;
    it->second->next_order = std::max(it->second->next_order, v.order + 1);
    it->second->versions[v.id] = std::move(v);
    return true;
  };
  if (auto st = load_json_objects(options_.log, kVersionsNs, bad, each_version); !st.ok())
    return st;
  if (damaged) *damaged = bad;
  return ok_status();
}

}  // namespace stepwise::services::secretsmanager
