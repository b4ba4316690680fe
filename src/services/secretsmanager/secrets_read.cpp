// SecretsManager's reads: GetSecretValue, DescribeSecret, ListSecrets (filters, paging),
// ListSecretVersionIds.
#include <algorithm>
#include <cctype>

#include "services/common/codec.h"
#include "services/common/json_request.h"
#include "services/secretsmanager/secrets.h"
#include "services/secretsmanager/secrets_internal.h"
#include "services/secretsmanager/secrets_limits.h"

namespace stepwise::services::secretsmanager {
namespace {

// MaxResults (1-100, default 100) and NextToken (base64 of the offset into the listing).
struct Page {
  std::size_t offset = 0;
  std::size_t size = secrets_limits::page_size_max;
};
std::optional<api::ApiError> read_page(const json::object& r, Page& page) {
  bool wrong = false;
  auto max = int_member(r, "MaxResults", &wrong);
  auto token = string_member(r, "NextToken", &wrong);
  if (wrong) return validation_error("MaxResults must be an integer and NextToken a string.");
  if (max && (*max < 1 || *max > secrets_limits::page_size_max))
    return constraint_error("maxResults", "have value between 1 and 100");
  if (max) page.size = static_cast<std::size_t>(*max);
  if (token) {
    auto text = base64_decode(*token);
    std::size_t n = 0;
    bool ok = text && !text->empty() && text->size() <= 12;
    for (char c : ok ? *text : std::string()) {
      if (c < '0' || c > '9') ok = false;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (!ok) return api::ApiError{"InvalidNextTokenException", "The NextToken value is invalid."};
    page.offset = n;
  }
  return std::nullopt;
}

std::string next_token(std::size_t offset) { return base64_encode(std::to_string(offset)); }

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

struct Filter {
  std::string key;
  std::vector<std::string> values;
};

// One filter value against a secret ("!" negates), as ListSecrets' prefix matches.
bool matches(const Secret& s, const std::string& key, std::string_view value) {
  const bool negate = value.starts_with('!');
  if (negate) value.remove_prefix(1);
  bool hit = false;
  auto any_tag = [&](bool keys, bool nocase) {
    for (const auto& [k, v] : s.tags) {
      std::string_view t = keys ? k : v;
      if (nocase ? starts_with_nocase(t, value) : t.starts_with(value)) return true;
    }
    return false;
  };
  if (key == "name") {
    hit = std::string_view(s.name).starts_with(value);
  } else if (key == "description") {
    hit = starts_with_nocase(s.description, value);
  } else if (key == "tag-key") {
    hit = any_tag(true, false);
  } else if (key == "tag-value") {
    hit = any_tag(false, false);
  } else if (key == "primary-region" || key == "owning-service") {
    hit = false;  // not replicated, not owned by a service
  } else {        // all
    hit = starts_with_nocase(s.name, value) || starts_with_nocase(s.description, value) ||
          any_tag(true, true) || any_tag(false, true);
  }
  return negate ? !hit : hit;
}

std::optional<api::ApiError> read_filters(const json::object& r, std::vector<Filter>& out) {
  const auto* f = r.if_contains("Filters");
  if (f == nullptr || f->is_null()) return std::nullopt;
  if (!f->is_array()) return validation_error("Filters must be a list.");
  if (f->get_array().size() > secrets_limits::filters_max)
    return constraint_error("filters", "have length less than or equal to 10");
  static constexpr std::string_view keys[] = {
      "description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"};
  for (const auto& item : f->get_array()) {
    const auto* o = item.if_object();
    auto key = o ? string_member(*o, "Key") : std::nullopt;
    if (!key || std::find(std::begin(keys), std::end(keys), *key) == std::end(keys))
      return constraint_error("filters.member.key",
                              "satisfy enum value set: [all, name, tag-key, description, "
                              "tag-value, primary-region, owning-service]");
    Filter filter{*key, {}};
    const auto* values = o->if_contains("Values");
    if (values && values->is_array()) {
      for (const auto& v : values->get_array()) {
        if (!v.is_string() || v.get_string().size() > secrets_limits::filter_value_bytes_max)
          return constraint_error("filters.member.values", "have length less than or equal to 512");
        filter.values.emplace_back(v.get_string());
      }
    }
    if (filter.values.size() > secrets_limits::filter_values_max)
      return constraint_error("filters.member.values", "have length less than or equal to 10");
    out.push_back(std::move(filter));
  }
  return std::nullopt;
}

}  // namespace

api::Response SecretsManager::get_secret_value(const Json& r) {
  bool wrong = false;
  auto version_id = string_member(r, "VersionId", &wrong);
  auto stage = string_member(r, "VersionStage", &wrong);
  if (wrong) return validation_error("VersionId and VersionStage must be strings.");
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, false);
  if (s == nullptr) return error;
  SecretVersion* v = nullptr;
  if (version_id) {
    auto it = s->versions.find(*version_id);
    if (it == s->versions.end())
      return api::ApiError{
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret value for VersionId: " + *version_id};
    v = &it->second;
    if (stage && std::find(v->stages.begin(), v->stages.end(), *stage) == v->stages.end())
      return invalid_request(
          "You provided a VersionStage that is not associated to the "
          "provided VersionId.");
  } else {
    const std::string wanted = stage.value_or(std::string(kCurrent));
    for (auto& [id, candidate] : s->versions)
      if (std::find(candidate.stages.begin(), candidate.stages.end(), wanted) !=
          candidate.stages.end())
        v = &candidate;
    if (v == nullptr)
      return api::ApiError{
          "ResourceNotFoundException",
          "Secrets Manager can't find the specified secret value for staging label: " + wanted};
  }
  // LastAccessedDate is a day; write it (without waiting) only when the day changes.
  const Millis day = options_.clock.now_ms() / kDayMs * kDayMs;
  if (s->accessed_ms != day || v->accessed_ms != day) {
    s->accessed_ms = v->accessed_ms = day;
    options_.log.write({record_of(*s), record_of(*s, *v)}, nullptr);
  }
  json::object out{{"ARN", s->arn}, {"Name", s->name}, {"VersionId", v->id}};
  if (v->string_value) out["SecretString"] = *v->string_value;
  if (v->binary_base64) out["SecretBinary"] = *v->binary_base64;
  json::array stages;
  for (const auto& st : v->stages) stages.push_back(json::value(st));
  out["VersionStages"] = std::move(stages);
  out["CreatedDate"] = epoch_seconds(v->created_ms);
  return out;
}

api::Response SecretsManager::describe_secret(const Json& r) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, true);
  if (s == nullptr) return error;
  return describe_json(*s);
}

api::Response SecretsManager::list_secrets(const Json& r) {
  Page page;
  if (auto e = read_page(r, page)) return *e;
  std::vector<Filter> filters;
  if (auto e = read_filters(r, filters)) return *e;
  bool wrong = false;
  const bool planned = bool_member(r, "IncludePlannedDeletion", false, &wrong);
  auto order = string_member(r, "SortOrder", &wrong);
  if (wrong) return validation_error("IncludePlannedDeletion must be a boolean.");
  if (order && *order != "asc" && *order != "desc")
    return constraint_error("sortOrder", "satisfy enum value set: [asc, desc]");
  base::MutexLock lock(mu_);
  purge_expired(options_.clock.now_ms());
  std::vector<const Secret*> listed;
  for (const auto& [name, s] : secrets_) {
    if (s->deleted_ms && !planned) continue;
    bool keep = true;
    for (const auto& f : filters) {
      bool any = f.values.empty();
      for (const auto& v : f.values) any = any || matches(*s, f.key, v);
      keep = keep && any;
    }
    if (keep) listed.push_back(s.get());
  }
  // By CreatedDate (then name, for secrets made in the same millisecond).
  std::sort(listed.begin(), listed.end(), [&](const Secret* a, const Secret* b) {
    auto ka = std::pair(a->created_ms, a->name), kb = std::pair(b->created_ms, b->name);
    return order == "desc" ? kb < ka : ka < kb;
  });
  json::array list;
  for (std::size_t i = page.offset; i < listed.size() && list.size() < page.size; ++i) {
    json::object o = describe_json(*listed[i]);
    o["SecretVersionsToStages"] = o["VersionIdsToStages"];
    o.erase("VersionIdsToStages");
    list.push_back(std::move(o));
  }
  json::object out{{"SecretList", std::move(list)}};
  if (page.offset + page.size < listed.size())
    out["NextToken"] = next_token(page.offset + page.size);
  return out;
}

api::Response SecretsManager::list_secret_version_ids(const Json& r) {
  Page page;
  if (auto e = read_page(r, page)) return *e;
  bool wrong = false;
  const bool deprecated = bool_member(r, "IncludeDeprecated", false, &wrong);
  if (wrong) return validation_error("IncludeDeprecated must be a boolean.");
  base::MutexLock lock(mu_);
  api::ApiError error;
  Secret* s = find(r, &error, true);
  if (s == nullptr) return error;
  std::vector<const SecretVersion*> versions;
  for (const auto& [id, v] : s->versions)
    if (deprecated || !v.stages.empty()) versions.push_back(&v);
  std::sort(versions.begin(), versions.end(),
            [](auto* a, auto* b) { return a->order > b->order; });  // newest first
  json::array list;
  for (std::size_t i = page.offset; i < versions.size() && list.size() < page.size; ++i) {
    const SecretVersion& v = *versions[i];
    json::array stages;
    for (const auto& st : v.stages) stages.push_back(json::value(st));
    json::object o{{"VersionId", v.id}, {"VersionStages", std::move(stages)}};
    if (v.accessed_ms) o["LastAccessedDate"] = epoch_seconds(v.accessed_ms);
    o["CreatedDate"] = epoch_seconds(v.created_ms);
    list.push_back(std::move(o));
  }
  json::object out{{"Versions", std::move(list)}, {"ARN", s->arn}, {"Name", s->name}};
  if (page.offset + page.size < versions.size())
    out["NextToken"] = next_token(page.offset + page.size);
  return out;
}

}  // namespace stepwise::services::secretsmanager
