// Every limit of the built-in Secrets Manager, with AWS's value where AWS has one
// (docs/SERVICES.md lists them with their errors).
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::services::secretsmanager::secrets_limits {

// Name: 1-256 of ASCII letters, digits and /_+=.@- (the API model's SecretNameType).
inline constexpr std::size_t name_bytes_max = 256;
// SecretId (a name or an ARN): 1-2048.
inline constexpr std::size_t secret_id_bytes_max = 2048;
// SecretString, and SecretBinary once decoded: 65,536 bytes.
inline constexpr std::size_t value_bytes_max = 65'536;
// Description: 2,048 characters.
inline constexpr std::size_t description_bytes_max = 2'048;
// ClientRequestToken (the version id): 32-64 characters.
inline constexpr std::size_t token_bytes_min = 32;
inline constexpr std::size_t token_bytes_max = 64;
// Staging labels: 1-256 characters, at most 20 on one version.
inline constexpr std::size_t stage_bytes_max = 256;
inline constexpr std::size_t stages_per_version_max = 20;
// Versions kept per secret: beyond this, the oldest versions without a staging label
// (deprecated) are removed, as AWS does.
inline constexpr std::size_t versions_per_secret_max = 100;
// Tags: 50 per secret, key 1-128, value 0-256.
inline constexpr std::size_t tags_per_secret_max = 50;
inline constexpr std::size_t tag_key_bytes_max = 128;
inline constexpr std::size_t tag_value_bytes_max = 256;
// ListSecrets / ListSecretVersionIds MaxResults: 1-100; filters 10, values 10 per filter.
inline constexpr std::int64_t page_size_max = 100;
inline constexpr std::size_t filters_max = 10;
inline constexpr std::size_t filter_values_max = 10;
inline constexpr std::size_t filter_value_bytes_max = 512;
// RecoveryWindowInDays: 7-30 (default 30).
inline constexpr std::int64_t recovery_days_min = 7;
inline constexpr std::int64_t recovery_days_max = 30;
inline constexpr std::int64_t recovery_days_default = 30;
// Secrets in the server (AWS's quota is 500,000 per region): LimitExceededException beyond.
inline constexpr std::size_t secrets_max = 500'000;

}  // namespace stepwise::services::secretsmanager::secrets_limits
