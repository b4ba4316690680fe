#include "app/pass_through.h"

#include <algorithm>
#include <cstdlib>

namespace stepwise::app {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string first_env(std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto v = env(n); !v.empty()) return v;
  return {};
}

services::remote::CredentialSources credential_sources() {
  services::remote::CredentialSources s;
  s.access_key_id = env("AWS_ACCESS_KEY_ID");
  s.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  s.session_token = env("AWS_SESSION_TOKEN");
  s.profile = first_env({"AWS_PROFILE", "AWS_DEFAULT_PROFILE"});
  s.region = first_env({"AWS_REGION", "AWS_DEFAULT_REGION"});
  const std::string home = env("HOME");
  s.credentials_file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (s.credentials_file.empty() && !home.empty()) s.credentials_file = home + "/.aws/credentials";
  s.config_file = env("AWS_CONFIG_FILE");
  if (s.config_file.empty() && !home.empty()) s.config_file = home + "/.aws/config";
  return s;
}

void write_routes(const services::remote::RemoteServices& remote, const std::string& source,
                  const std::string& command, std::ostream& out) {
  const std::string how = remote.signs() ? "signed with the credentials of " + source
                                         : std::string("unsigned (no AWS credentials found)");
  for (const auto& [service, url] : remote.routes())
    out << command << ": " << service << " integrations go to " << url << ", " << how << "\n";
}

}  // namespace

std::vector<services::remote::EndpointSetting> endpoint_settings(
    const std::vector<tasks::EndpointSpec>& from_config) {
  std::vector<services::remote::EndpointSetting> out;
  for (const auto& e : from_config) out.push_back({e.service, e.url, e.region});
  for (const auto& service : services::remote::service_names()) {
    std::string url = env(services::remote::endpoint_variable(service).c_str());
    if (url.empty()) continue;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& s) { return s.service == service; });
    if (it != out.end()) {
      it->url = url;
    } else {
      out.push_back({service, url, ""});
    }
  }
  return out;
}

Result<std::unique_ptr<services::remote::RemoteServices>> open_pass_through(
    const std::vector<services::remote::EndpointSetting>& settings, Clock& clock,
    const std::string& region, const std::string& command, std::ostream& out) {
  if (settings.empty()) return std::unique_ptr<services::remote::RemoteServices>();
  auto resolved = services::remote::resolve_credentials(credential_sources());
  if (!resolved) return resolved.error();
  auto remote = services::remote::RemoteServices::open(
      {.clock = clock,
       .credentials = resolved->credentials,
       .region = resolved->region.empty() ? region : resolved->region,
       .endpoints = settings});
  if (!remote) return remote.error();
  write_routes(**remote, resolved->source, command, out);
  return remote;
}

Status reload_pass_through(services::remote::RemoteServices* remote,
                           const std::vector<services::remote::EndpointSetting>& settings,
                           const std::string& region, const std::string& command,
                           std::ostream& out) {
  if (remote == nullptr) {
    if (settings.empty()) return ok_status();
    return Error{"Usage", settings.front().service +
                              " has no endpoint since the start; routing it needs a restart "
                              "(its built-in service runs)"};
  }
  auto resolved = services::remote::resolve_credentials(credential_sources());
  if (!resolved) return resolved.error();
  if (auto s = remote->reload(resolved->credentials,
                              resolved->region.empty() ? region : resolved->region, settings);
      !s) {
    return s;
  }
  write_routes(*remote, resolved->source, command, out);
  return ok_status();
}

std::vector<std::string> without_routed(std::vector<std::string> enabled,
                                        const std::vector<services::remote::EndpointSetting>& s) {
  std::erase_if(enabled, [&](const std::string& name) {
    return std::any_of(s.begin(), s.end(), [&](const auto& e) { return e.service == name; });
  });
  return enabled;
}

}  // namespace stepwise::app
