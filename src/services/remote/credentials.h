// The credentials and region a pass-through client signs with, found as the AWS SDKs and CLI
// find them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the profile
// (AWS_PROFILE, else "default") of the shared credentials file (~/.aws/credentials), else of
// the config file (~/.aws/config, sections `[profile NAME]` and `[default]`). The region:
// AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in the config file, else the caller's.
//
// src/app reads the environment and hands the values in (CredentialSources): nothing here reads
// the environment, so tests give any combination. Credential processes, SSO and instance
// metadata are not consulted (docs/SERVICES.md).
//
// Thread-safety: pure functions (the files are read when resolve_credentials() runs).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace stepwise::services::remote {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials: sent as X-Amz-Security-Token
  bool empty() const { return access_key_id.empty(); }
};

// What the environment says, as src/app read it. Empty strings stand for unset variables.
struct CredentialSources {
  std::string access_key_id;      // AWS_ACCESS_KEY_ID
  std::string secret_access_key;  // AWS_SECRET_ACCESS_KEY
  std::string session_token;      // AWS_SESSION_TOKEN
  std::string profile;            // AWS_PROFILE; empty: "default"
  std::string region;             // AWS_REGION, else AWS_DEFAULT_REGION
  std::string credentials_file;   // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
  std::string config_file;        // AWS_CONFIG_FILE, else ~/.aws/config
};

struct ResolvedCredentials {
  Credentials credentials;  // empty when none was found: requests go unsigned
  std::string region;       // empty when none was found
  std::string source;       // where the credentials came from, for the start-up line
};

// Errors ("Credentials"): only half of a key pair in the environment; a profile named by
// AWS_PROFILE that neither file has; a file that exists but cannot be read or is too large.
// Missing files are not errors.
Result<ResolvedCredentials> resolve_credentials(const CredentialSources& sources);

// An INI document as the AWS files write it: `[section]` headers, `key = value` lines, `#` and
// `;` comments; keys lowercased, values trimmed. Indented lines (nested settings such as
// `s3 =\n  max_concurrent_requests = 10`) are skipped. Errors: a malformed section header.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
Result<IniSections> parse_ini(std::string_view text);

}  // namespace stepwise::services::remote
