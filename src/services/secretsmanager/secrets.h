// SecretsManager: the built-in AWS Secrets Manager — secrets, their versions and staging labels,
// every operation at the JSON level (AWS JSON 1.1, `secretsmanager.<Operation>`), durable
// through a RecordLog.
//
// As AWS: ARNs `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random
// characters>`; a SecretId is the name, the full ARN or the ARN without its suffix; versions are
// identified by their ClientRequestToken (the SDKs send a UUID) and carry staging labels —
// AWSCURRENT moves to each new value and the version that held it becomes AWSPREVIOUS;
// AWSPENDING and custom labels move with UpdateSecretVersionStage / PutSecretValue; versions
// without a label are deprecated (kept, at most versions_per_secret_max in all). DeleteSecret
// schedules deletion after a recovery window (7-30 days) or deletes at once
// (ForceDeleteWithoutRecovery); until then the secret answers InvalidRequestException to
// anything but Describe, Restore and List (IncludePlannedDeletion); when the window ends the
// secret is removed (checked on each request, against the injected clock).
//
// Durability: a secret's metadata is a record ("secretsmanager.secrets", key: name), each
// version another ("secretsmanager.versions", key: name "\n" version id); every write answers
// once its records are durable. LastAccessedDate (a day) is written without waiting.
//
// Threading: one mutex guards all state; replies run outside it (the RecordLog's writer thread
// or the caller's).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"

namespace stepwise::services::secretsmanager {

struct SecretsOptions {
  Clock& clock;
  RecordLog& log;
  Place place = {};
  std::uint64_t id_seed = 0;  // 0: unpredictable ARN suffixes and version ids
};

struct SecretVersion {
  std::string id;
  std::optional<std::string> string_value;
  std::optional<std::string> binary_base64;  // SecretBinary as the JSON protocol carries it
  Millis created_ms = 0;
  Millis accessed_ms = 0;   // 0: never read
  std::uint64_t order = 0;  // creation order within the secret
  std::vector<std::string> stages;
};

struct Secret {
  std::string name;
  std::string arn;
  std::string description;
  std::string kms_key_id;
  std::vector<std::pair<std::string, std::string>> tags;  // in the order given
  Millis created_ms = 0;
  Millis changed_ms = 0;
  Millis accessed_ms = 0;             // 0: never read (a day: AWS keeps the date only)
  std::optional<Millis> deleted_ms;   // DeletedDate while scheduled for deletion
  std::optional<Millis> deletion_ms;  // when it goes
  std::map<std::string, SecretVersion> versions;
  std::uint64_t next_order = 1;
};

// What a secret's value is for an in-process reader (the HTTP task's connections).
struct SecretValue {
  std::string arn;
  std::optional<std::string> string_value;
};

class SecretsManager final : public api::Dispatcher {
 public:
  explicit SecretsManager(SecretsOptions options);

  // Reads the records back (before serving). Errors: the RecordLog's; a damaged record is
  // skipped and counted in `damaged`.
  Status load(std::size_t* damaged = nullptr);

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

  static const std::vector<std::string>& operation_names();
  // The error types the AWS SDKs model for Secrets Manager (others are SecretsManagerException
  // to an aws-sdk:secretsmanager integration).
  static const std::vector<std::string>& modelled_errors();

  // The AWSCURRENT value of a secret (by name or ARN), for in-process readers; nullopt when
  // there is none (missing, deleted, no value).
  std::optional<SecretValue> current_value(const std::string& secret_id);

  std::size_t secret_count() const;

 private:
  using Json = json::object;

  void persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply) REQUIRES(mu_);
  Mutation record_of(const Secret& s) const REQUIRES(mu_);
  Mutation record_of(const Secret& s, const SecretVersion& v) const REQUIRES(mu_);
  void purge_expired(Millis now) REQUIRES(mu_);
  void erase(Secret& s, std::vector<Mutation>& batch) REQUIRES(mu_);
  void unschedule(const Secret& s) REQUIRES(mu_);  // out of deletions_

  // Lookups (under mu_). `error` is set when null is returned.
  Secret* find(const Json& r, api::ApiError* error, bool allow_deleted) REQUIRES(mu_);
  Secret* find_id(const std::string& id) REQUIRES(mu_);

  // Operations (secrets_ops.cpp, secrets_versions.cpp).
  void create_secret(const Json& r, api::Reply reply);
  void put_secret_value(const Json& r, api::Reply reply);
  void update_secret(const Json& r, api::Reply reply);
  api::Response get_secret_value(const Json& r);
  api::Response describe_secret(const Json& r);
  api::Response list_secrets(const Json& r);
  api::Response list_secret_version_ids(const Json& r);
  void delete_secret(const Json& r, api::Reply reply);
  void restore_secret(const Json& r, api::Reply reply);
  void tag_resource(const Json& r, api::Reply reply, bool untag);
  void update_secret_version_stage(const Json& r, api::Reply reply);

  // Adds a version with `stages` (moving them off other versions; AWSCURRENT's old holder
  // becomes AWSPREVIOUS), prunes deprecated versions, and appends the records.
  void add_version(Secret& s, SecretVersion v, std::vector<std::string> stages,
                   std::vector<Mutation>& batch) REQUIRES(mu_);
  void move_stage(Secret& s, const std::string& stage, const std::string& to,
                  std::set<std::string>& touched) REQUIRES(mu_);
  std::string new_arn(const std::string& name) REQUIRES(mu_);

  SecretsOptions options_;
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Secret>> secrets_ GUARDED_BY(mu_);  // by name
  std::multimap<Millis, std::string> deletions_ GUARDED_BY(mu_);  // deletion time → name
};

}  // namespace stepwise::services::secretsmanager
