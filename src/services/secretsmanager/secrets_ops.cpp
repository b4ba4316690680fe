// SecretsManager's writes: CreateSecret, PutSecretValue, UpdateSecret, DeleteSecret,
// RestoreSecret, TagResource/UntagResource, UpdateSecretVersionStage, and how versions and
// staging labels move.
#include <algorithm>

#include "services/common/json_request.h"
#include "services/secretsmanager/secrets.h"
#include "services/secretsmanager/secrets_internal.h"
#include "services/secretsmanager/secrets_limits.h"

namespace stepwise::services::secretsmanager {
namespace {

bool has_stage(const SecretVersion& v, std::string_view stage) {
  return std::find(v.stages.begin(), v.stages.end(), stage) != v.stages.end();
}

void drop_stage(SecretVersion& v, std::string_view stage) {
  v.stages.erase(std::remove(v.stages.begin(), v.stages.end(), stage), v.stages.end());
}

// Tags: [{Key, Value}] into `out` (replacing keys already there).
std::optional<api::ApiError> read_tags(const json::value* v,
                                       std::vector<std::pair<std::string, std::string>>& out) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_array()) return validation_error("Tags must be a list of {Key, Value}.");
  for (const auto& t : v->get_array()) {
    const auto* o = t.if_object();
    bool wrong = false;
    auto key = o ? string_member(*o, "Key", &wrong) : std::nullopt;
    auto value = o ? string_member(*o, "Value", &wrong) : std::nullopt;
    if (o == nullptr || wrong) return validation_error("Tags must be a list of {Key, Value}.");
    if (!key || key->empty() || key->size() > secrets_limits::tag_key_bytes_max)
      return constraint_error("tags.member.key", "have length between 1 and 128");
    if (value && value->size() > secrets_limits::tag_value_bytes_max)
      return constraint_error("tags.member.value", "have length less than or equal to 256");
    auto it = std::find_if(out.begin(), out.end(), [&](auto& kv) { return kv.first == *key; });
    if (it != out.end()) {
      it->second = value.value_or("");
    } else {
      out.emplace_back(*key, value.value_or(""));
    }
  }
  if (out.size() > secrets_limits::tags_per_secret_max)
    return validation_error("Number of tags exceeds the limit of 50 tags per secret.");
  return std::nullopt;
}

std::optional<api::ApiError> read_description(const json::object& r,
                                              std::optional<std::string>& out) {
  bool wrong = false;
  out = string_member(r, "Description", &wrong);
  if (wrong) return validation_error("Description must be a string.");
  if (out && out->size() > secrets_limits::description_bytes_max)
    return constraint_error("description", "have length less than or equal to 2048");
  return std::nullopt;
}

json::array stages_json(const SecretVersion& v) {
  json::array a;
  for (const auto& s : v.stages) a.push_back(json::value(s));
  return a;
}

bool same_value(const SecretVersion& v, const ValueMembers& m) {
  return v.string_value == m.string_value && v.binary_base64 == m.binary_base64;
}

SecretVersion version_of(const std::string& id, const ValueMembers& m) {
  SecretVersion v;
  v.id = id;
  v.string_value = m.string_value;
  v.binary_base64 = m.binary_base64;
  return v;
}

// A ClientRequestToken already used, with another value.
api::ApiError version_exists() {
  return api::ApiError{"ResourceExistsException",
                       "You can't modify an existing version, you can only create a new "
                       "version."};
}

}  // namespace

void SecretsManager::move_stage(Secret& s, const std::string& stage, const std::string& to,
                                std::set<std::string>& touched) {
  for (auto& [id, v] : s.versions) {
    if (id == to || !has_stage(v, stage)) continue;
    drop_stage(v, stage);
    touched.insert(id);
    if (stage == kCurrent) {
      // The version that held AWSCURRENT becomes AWSPREVIOUS, which leaves its old holder.
      for (auto& [pid, p] : s.versions) {
        if (pid != id && has_stage(p, kPrevious)) {
          drop_stage(p, kPrevious);
          touched.insert(pid);
        }
      }
      if (!has_stage(v, kPrevious)) v.stages.emplace_back(kPrevious);
    }
  }
  auto& target = s.versions[to];
  if (stage == kCurrent) drop_stage(target, kPrevious);
  if (!has_stage(target, stage)) target.stages.push_back(stage);
  touched.insert(to);
}

void SecretsManager::add_version(Secret& s, SecretVersion v, std::vector<std::string> stages,
                                 std::vector<Mutation>& batch) {
  const Millis now = options_.clock.now_ms();
  v.order = s.next_order++;
  v.created_ms = now;
  const std::string id = v.id;
  s.versions[id] = std::move(v);
  std::set<std::string> touched = {id};
  for (const auto& stage : stages) move_stage(s, stage, id, touched);
  // Deprecated versions (no label) beyond the limit go, oldest first.
  while (s.versions.size() > secrets_limits::versions_per_secret_max) {
    auto oldest = s.versions.end();
    for (auto it = s.versions.begin(); it != s.versions.end(); ++it)
      if (it->second.stages.empty() &&
          (oldest == s.versions.end() || it->second.order < oldest->second.order))
        oldest = it;
    if (oldest == s.versions.end()) break;
    batch.push_back(
        Mutation{"secretsmanager.versions", s.name + "\n" + oldest->first, std::nullopt});
    touched.erase(oldest->first);
    s.versions.erase(oldest);
  }
  s.changed_ms = now;
  batch.push_back(record_of(s));
  for (const auto& t : touched) batch.push_back(record_of(s, s.versions[t]));
}

void SecretsManager::create_secret(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto name = string_member(r, "Name", &wrong);
  if (wrong || !name) return reply(constraint_error("name", "not be null"));
  if (!valid_name(*name))
    return reply(validation_error(
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the "
        "following: -/_+=.@!"));
  ValueMembers value;
  if (auto e = read_value(r, value)) return reply(*e);
  std::optional<std::string> description;
  if (auto e = read_description(r, description)) return reply(*e);
  auto kms = string_member(r, "KmsKeyId", &wrong);
  if (wrong) return reply(validation_error("KmsKeyId must be a string."));
  std::vector<std::pair<std::string, std::string>> tags;
  if (auto e = read_tags(r.if_contains("Tags"), tags)) return reply(*e);
  std::string token;
  if (auto e = read_token(r, token)) return reply(*e);

  base::MutexLock lock(mu_);
  const Millis now = options_.clock.now_ms();
  purge_expired(now);
  if (auto it = secrets_.find(*name); it != secrets_.end()) {
    if (it->second->deleted_ms)
      return reply(invalid_request(
          "You can't create this secret because a secret with this name is already scheduled "
          "for deletion."));
    return reply(
        api::ApiError{"ResourceExistsException",
                      "The operation failed because the secret " + *name + " already exists."});
  }
  if (secrets_.size() >= secrets_limits::secrets_max)
    return reply(api::ApiError{"LimitExceededException",
                               "You have exceeded the maximum number of secrets."});
  auto s = std::make_unique<Secret>();
  s->name = *name;
  s->arn = new_arn(*name);
  s->description = description.value_or("");
  s->kms_key_id = kms.value_or("");
  s->tags = std::move(tags);
  s->created_ms = s->changed_ms = now;
  std::vector<Mutation> batch;
  json::object answer{{"ARN", s->arn}, {"Name", s->name}};
  if (value.present()) {
    if (token.empty()) token = ids_.uuid_v4();
    add_version(*s, version_of(token, value), {std::string(kCurrent)}, batch);
    answer["VersionId"] = token;
  } else {
    batch.push_back(record_of(*s));
  }
  secrets_[*name] = std::move(s);
  persist(std::move(batch), std::move(answer), std::move(reply));
}

void SecretsManager::put_secret_value(const Json& r, api::Reply reply) {
  ValueMembers value;
  if (auto e = read_value(r, value)) return reply(*e);
  std::string token;
  if (auto e = read_token(r, token)) return reply(*e);
  std::vector<std::string> stages = {std::string(kCurrent)};
  if (const auto* st = r.if_contains("VersionStages"); st && !st->is_null()) {
    if (!st->is_array()) return reply(validation_error("VersionStages must be a list."));
    stages.clear();
    for (const auto& x : st->get_array()) {
      if (!x.is_string() || x.get_string().empty() ||
          x.get_string().size() > secrets_limits::stage_bytes_max)
        return reply(constraint_error("versionStages", "have length between 1 and 256"));
      stages.emplace_back(x.get_string());
    }
    if (stages.size() > secrets_limits::stages_per_version_max)
      return reply(constraint_error("versionStages", "have length less than or equal to 20"));
  }
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, false);
  if (s == nullptr) return reply(error);
  if (!value.present())
    return reply(invalid_request("You must provide either SecretString or SecretBinary."));
  if (token.empty()) token = ids_.uuid_v4();
  if (auto it = s->versions.find(token); it != s->versions.end()) {
    if (!same_value(it->second, value)) return reply(version_exists());
    // A retry of the same call: the version as it is.
    return reply(json::object{{"ARN", s->arn},
                              {"Name", s->name},
                              {"VersionId", token},
                              {"VersionStages", stages_json(it->second)}});
  }
  std::vector<Mutation> batch;
  add_version(*s, version_of(token, value), stages, batch);
  json::object answer{{"ARN", s->arn},
                      {"Name", s->name},
                      {"VersionId", token},
                      {"VersionStages", stages_json(s->versions[token])}};
  persist(std::move(batch), std::move(answer), std::move(reply));
}

void SecretsManager::update_secret(const Json& r, api::Reply reply) {
  ValueMembers value;
  if (auto e = read_value(r, value)) return reply(*e);
  std::optional<std::string> description;
  if (auto e = read_description(r, description)) return reply(*e);
  bool wrong = false;
  auto kms = string_member(r, "KmsKeyId", &wrong);
  if (wrong) return reply(validation_error("KmsKeyId must be a string."));
  std::string token;
  if (auto e = read_token(r, token)) return reply(*e);
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, false);
  if (s == nullptr) return reply(error);
  if (description) s->description = *description;
  if (kms) s->kms_key_id = *kms;
  s->changed_ms = options_.clock.now_ms();
  std::vector<Mutation> batch;
  json::object answer{{"ARN", s->arn}, {"Name", s->name}};
  if (value.present()) {
    if (token.empty()) token = ids_.uuid_v4();
    if (auto it = s->versions.find(token); it != s->versions.end()) {
      if (!same_value(it->second, value)) return reply(version_exists());
    } else {
      add_version(*s, version_of(token, value), {std::string(kCurrent)}, batch);
    }
    answer["VersionId"] = token;
  }
  batch.push_back(record_of(*s));
  persist(std::move(batch), std::move(answer), std::move(reply));
}

void SecretsManager::delete_secret(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto days = int_member(r, "RecoveryWindowInDays", &wrong);
  const bool force = bool_member(r, "ForceDeleteWithoutRecovery", false, &wrong);
  if (wrong)
    return reply(validation_error(
        "RecoveryWindowInDays must be an integer and ForceDeleteWithoutRecovery a boolean."));
  if (force && days)
    return reply(invalid_parameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."));
  if (days &&
      (*days < secrets_limits::recovery_days_min || *days > secrets_limits::recovery_days_max))
    return reply(invalid_parameter(
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."));
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, true);
  if (s == nullptr) return reply(error);
  if (s->deleted_ms)
    return reply(invalid_request(
        "You tried to perform the operation on a secret that's currently marked deleted."));
  const Millis now = options_.clock.now_ms();
  json::object answer{{"ARN", s->arn}, {"Name", s->name}};
  std::vector<Mutation> batch;
  if (force) {
    answer["DeletionDate"] = epoch_seconds(now);
    erase(*s, batch);
  } else {
    s->deleted_ms = now;
    s->deletion_ms = now + days.value_or(secrets_limits::recovery_days_default) * kDayMs;
    deletions_.emplace(*s->deletion_ms, s->name);
    answer["DeletionDate"] = epoch_seconds(*s->deletion_ms);
    batch.push_back(record_of(*s));
  }
  persist(std::move(batch), std::move(answer), std::move(reply));
}

void SecretsManager::restore_secret(const Json& r, api::Reply reply) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, true);
  if (s == nullptr) return reply(error);
  unschedule(*s);
  s->deleted_ms.reset();
  s->deletion_ms.reset();
  persist({record_of(*s)}, json::object{{"ARN", s->arn}, {"Name", s->name}}, std::move(reply));
}

void SecretsManager::tag_resource(const Json& r, api::Reply reply, bool untag) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, false);
  if (s == nullptr) return reply(error);
  auto tags = s->tags;
  if (untag) {
    const auto* keys = r.if_contains("TagKeys");
    if (keys == nullptr || !keys->is_array())
      return reply(constraint_error("tagKeys", "not be null"));
    for (const auto& k : keys->get_array()) {
      if (!k.is_string()) return reply(validation_error("TagKeys must be strings."));
      std::erase_if(tags, [&](auto& kv) { return kv.first == k.get_string(); });
    }
  } else {
    const auto* given = r.if_contains("Tags");
    if (given == nullptr || given->is_null()) return reply(constraint_error("tags", "not be null"));
    if (auto e = read_tags(given, tags)) return reply(*e);
  }
  s->tags = std::move(tags);
  persist({record_of(*s)}, json::object{}, std::move(reply));
}

void SecretsManager::update_secret_version_stage(const Json& r, api::Reply reply) {
  bool wrong = false;
  auto stage = string_member(r, "VersionStage", &wrong);
  auto from = string_member(r, "RemoveFromVersionId", &wrong);
  auto to = string_member(r, "MoveToVersionId", &wrong);
  if (wrong) return reply(validation_error("Version ids and VersionStage must be strings."));
  if (!stage || stage->empty() || stage->size() > secrets_limits::stage_bytes_max)
    return reply(constraint_error("versionStage", "have length between 1 and 256"));
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, false);
  if (s == nullptr) return reply(error);
  for (const auto* id : {&from, &to})
    if (*id && !s->versions.contains(**id))
      return reply(api::ApiError{"ResourceNotFoundException",
                                 "Secrets Manager can't find the specified secret value for "
                                 "VersionId: " +
                                     **id});
  std::string holder;
  for (const auto& [id, v] : s->versions)
    if (has_stage(v, *stage)) holder = id;
  if (!holder.empty() && holder != to.value_or("") && holder != from.value_or(""))
    return reply(invalid_parameter("The staging label " + *stage +
                                   " is currently attached to version " + holder +
                                   ". You must specify that version ID in RemoveFromVersionId."));
  if (from && holder != *from)
    return reply(invalid_parameter("The staging label " + *stage + " is not attached to version " +
                                   *from + "."));
  std::set<std::string> touched;
  if (to) {
    move_stage(*s, *stage, *to, touched);
  } else if (from) {
    if (*stage == kCurrent)
      return reply(invalid_parameter(
          "You can only move staging label AWSCURRENT to a different secret version. It can't "
          "be completely removed."));
    drop_stage(s->versions[*from], *stage);
    touched.insert(*from);
  }
  s->changed_ms = options_.clock.now_ms();
  std::vector<Mutation> batch = {record_of(*s)};
  for (const auto& t : touched) batch.push_back(record_of(*s, s->versions[t]));
  persist(std::move(batch), json::object{{"ARN", s->arn}, {"Name", s->name}}, std::move(reply));
}

}  // namespace stepwise::services::secretsmanager
