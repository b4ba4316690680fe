#include "services/remote/credentials.h"

#include <filesystem>
#include <fstream>

#include "base/ascii.h"
#include "services/remote/remote_limits.h"

namespace stepwise::services::remote {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Error credentials_error(std::string why) { return Error{"Credentials", std::move(why)}; }

// The file's sections; an absent file (or no path) is an empty document.
Result<IniSections> read_ini(const std::string& path) {
  if (path.empty()) return IniSections{};
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return IniSections{};
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return credentials_error(path + ": cannot be read: " + ec.message());
  if (size > remote_limits::credentials_file_bytes_max) {
    return credentials_error(path + ": larger than " +
                             std::to_string(remote_limits::credentials_file_bytes_max) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return credentials_error(path + ": cannot be opened");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto parsed = parse_ini(text);
  if (!parsed) return credentials_error(path + ": " + parsed.error().cause);
  return parsed;
}

const std::map<std::string, std::string>* section(const IniSections& ini, const std::string& name) {
  auto it = ini.find(name);
  return it == ini.end() ? nullptr : &it->second;
}

std::string value_of(const std::map<std::string, std::string>* s, const char* key) {
  if (s == nullptr) return {};
  auto it = s->find(key);
  return it == s->end() ? std::string() : it->second;
}

}  // namespace

Result<IniSections> parse_ini(std::string_view text) {
  IniSections out;
  std::map<std::string, std::string>* current = nullptr;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) continue;  // nested
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) {
        return Error{"Credentials", "line " + std::to_string(line_no) + ": malformed section"};
      }
      current = &out[std::string(trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos || current == nullptr) continue;
    (*current)[ascii_lower(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  }
  return out;
}

Result<ResolvedCredentials> resolve_credentials(const CredentialSources& s) {
  ResolvedCredentials out;
  if (s.access_key_id.empty() != s.secret_access_key.empty()) {
    return credentials_error(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (one is missing)");
  }
  auto creds = read_ini(s.credentials_file);
  if (!creds) return creds.error();
  auto config = read_ini(s.config_file);
  if (!config) return config.error();
  const std::string profile = s.profile.empty() ? "default" : s.profile;
  const auto* in_creds = section(*creds, profile);
  const auto* in_config = section(*config, profile == "default" ? "default" : "profile " + profile);
  if (!s.profile.empty() && s.access_key_id.empty() && in_creds == nullptr &&
      in_config == nullptr) {
    return credentials_error("AWS_PROFILE names the profile '" + profile + "', which neither " +
                             s.credentials_file + " nor " + s.config_file + " holds");
  }
  if (!s.access_key_id.empty()) {
    out.credentials = {s.access_key_id, s.secret_access_key, s.session_token};
    out.source = "the environment (AWS_ACCESS_KEY_ID)";
  } else {
    for (const auto* from : {in_creds, in_config}) {
      std::string id = value_of(from, "aws_access_key_id");
      std::string secret = value_of(from, "aws_secret_access_key");
      if (id.empty() || secret.empty()) continue;
      out.credentials = {id, secret, value_of(from, "aws_session_token")};
      out.source =
          "profile '" + profile + "' of " + (from == in_creds ? s.credentials_file : s.config_file);
      break;
    }
  }
  out.region = s.region.empty() ? value_of(in_config, "region") : s.region;
  return out;
}

}  // namespace stepwise::services::remote
