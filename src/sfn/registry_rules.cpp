#include "sfn/registry_rules.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace stepwise::sfn::rules {
namespace {

constexpr std::string_view forbidden_name_chars = " <>{}[]?*\"#%\\^|~`$&,;:/";

// Decodes one UTF-8 code point at text[i] (input is valid UTF-8: the API checked it); advances i.
std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
  std::uint32_t cp = extra == 0   ? c
                     : extra == 1 ? (c & 0x1F)
                     : extra == 2 ? (c & 0x0F)
                                  : (c & 0x07);
  ++i;
  for (int k = 0; k < extra && i < text.size(); ++k, ++i) cp = (cp << 6) | (byte(i) & 0x3F);
  return cp;
}

bool is_forbidden_code_point(std::uint32_t cp) {
  if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F)) return true;  // control characters
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
      (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
      cp == 0x205F || cp == 0x3000)
    return true;  // whitespace
  return cp < 0x80 && forbidden_name_chars.find(static_cast<char>(cp)) != std::string_view::npos;
}

bool is_alias_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto at = text.find(sep, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

api::ApiError invalid_arn(std::string detail) {
  return {"InvalidArn", "Invalid Arn: '" + detail + "'"};
}

api::ApiError serialization(std::string_view key, std::string_view expected) {
  return {"SerializationException",
          "Unexpected value for '" + std::string(key) + "': expected " + std::string(expected)};
}

Error as_error(const api::ApiError& e) { return Error{e.type, e.message}; }

const json::value* member(const json::value& request, std::string_view key) {
  const auto* o = request.if_object();
  if (!o) return nullptr;
  const auto* v = o->if_contains(key);
  return (v && !v->is_null()) ? v : nullptr;
}

// --- base64url, for opaque tokens ---
constexpr std::string_view b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) out += b64[(acc >> (bits -= 6)) & 0x3F];
  }
  if (bits > 0) out += b64[(acc << (6 - bits)) & 0x3F];
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    auto v = b64.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) out += static_cast<char>((acc >> (bits -= 8)) & 0xFF);
  }
  return out;
}

// FNV-1a: not a secret, only a guard so a mangled token is refused rather than misread.
std::string checksum(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 0; i < 8; ++i) out[i] = hex[(h >> (60 - 4 * i)) & 0xF];
  return out;
}

// Every InvalidToken answer words its reason, not the token (as the recorded SendTask* answer
// "Invalid Token: 'Invalid token'" does); a mangled, foreign or stale page token is one case.
api::ApiError invalid_token() { return {"InvalidToken", "Invalid Token: 'Invalid token'"}; }

}  // namespace

std::size_t code_points(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_valid_resource_name(std::string_view name) {
  if (name.empty() || code_points(name) > limits::name_chars_max) return false;
  for (std::size_t i = 0; i < name.size();)
    if (is_forbidden_code_point(next_code_point(name, i))) return false;
  return true;
}

std::optional<api::ApiError> name_error(std::string_view name) {
  std::size_t chars = code_points(name);
  if (chars == 0 || chars > limits::name_chars_max) {
    Violations v;
    v.add("name", std::string(name),
          chars == 0 ? "Member must have length greater than or equal to 1"
                     : "Member must have length less than or equal to 80");
    return v.error();
  }
  if (!is_valid_resource_name(name))
    return api::ApiError{"InvalidName", "Invalid Name: '" + std::string(name) + "'"};
  return std::nullopt;
}

bool is_valid_alias_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_alias_char) && !all_digits(name);
}

void Violations::add(std::string field, std::optional<std::string> value, std::string constraint,
                     bool sensitive) {
  std::string v = sensitive ? "Value" : value ? "Value '" + *value + "'" : "Value null";
  items_.push_back(v + " at '" + field + "' failed to satisfy constraint: " + constraint);
}

api::ApiError Violations::error() const {
  std::string message =
      std::to_string(items_.size()) +
      (items_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (std::size_t i = 0; i < items_.size(); ++i) message += (i ? "; " : "") + items_[i];
  return validation_error(std::move(message));
}

api::ApiError validation_error(std::string message) {
  return {"ValidationException", std::move(message)};
}

std::string Arn::unqualified() const {
  if (qualifier.empty()) return text;
  return text.substr(0, text.size() - qualifier.size() - 1);
}

bool Arn::is_version() const { return all_digits(qualifier); }

Result<Arn> parse_arn(std::string_view text) {
  if (text.substr(0, 4) != "arn:")
    return as_error(invalid_arn("Invalid ARN prefix: " + std::string(text)));
  if (text.size() > arn_chars_max) return as_error(invalid_arn(std::string(text)));
  auto parts = split(text, ':');
  if (parts.size() < 7 || parts.size() > 9 || parts[1].empty() || parts[2] != "states" ||
      parts[5].empty() || parts[6].empty())
    return as_error(invalid_arn(std::string(text)));
  Arn arn;
  arn.partition = parts[1];
  arn.region = parts[3];
  arn.account = parts[4];
  arn.type = parts[5];
  arn.name = parts[6];
  arn.text = std::string(text);
  if (parts.size() >= 8) {
    // Express execution ARNs carry two names after the machine's; keep the rest as qualifier.
    arn.qualifier = parts[7];
    if (parts.size() == 9) arn.qualifier += ":" + parts[8];
    if (arn.qualifier.empty()) return as_error(invalid_arn(std::string(text)));
  }
  return arn;
}

api::ApiError wrong_resource_type(const Arn& arn) {
  return invalid_arn("Resource type not valid in this context: " + arn.type);
}

api::ApiError to_api_error(const Error& e) {
  // A store failure (disk full, I/O) is the server's fault, not the request's.
  if (e.name.rfind("Store.", 0) == 0) return api::ApiError::internal(e.cause);
  return {e.name, e.cause};
}

Result<std::optional<std::string>> string_field(const json::value& request, std::string_view key) {
  const auto* v = member(request, key);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string()) return as_error(serialization(key, "a string"));
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<std::int64_t>> integer_field(const json::value& request,
                                                  std::string_view key) {
  const auto* v = member(request, key);
  if (!v) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  if (v->is_uint64()) {
    auto u = v->get_uint64();
    return std::optional<std::int64_t>(u > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(u));
  }
  if (v->is_double() && json::is_integral_number(*v) && v->get_double() >= -9.2e18 &&
      v->get_double() <= 9.2e18)
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_double()));
  return as_error(serialization(key, "an integer"));
}

Result<std::optional<bool>> bool_field(const json::value& request, std::string_view key) {
  const auto* v = member(request, key);
  if (!v) return std::optional<bool>{};
  if (!v->is_bool()) return as_error(serialization(key, "a boolean"));
  return std::optional<bool>(v->get_bool());
}

Result<const json::value*> object_field(const json::value& request, std::string_view key) {
  const auto* v = member(request, key);
  if (v && !v->is_object()) return as_error(serialization(key, "an object"));
  return v;
}

Result<const json::value*> array_field(const json::value& request, std::string_view key) {
  const auto* v = member(request, key);
  if (v && !v->is_array()) return as_error(serialization(key, "a list"));
  return v;
}

api::ApiError too_many_tags(std::string_view resource_arn) {
  return {"TooManyTags", "Too many tags for resource '" + std::string(resource_arn) +
                             "': at most " + std::to_string(tags_max) + " tags are allowed"};
}

Result<store::Tags> parse_tags(const json::value& request, std::string_view resource_arn) {
  auto list = array_field(request, "tags");
  if (!list.ok()) return list.error();
  store::Tags tags;
  if (!*list) return tags;
  const auto& items = (*list)->get_array();
  if (items.size() > tags_max) return as_error(too_many_tags(resource_arn));
  Violations violations;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto key = string_field(items[i], "key");
    auto value = string_field(items[i], "value");
    if (!items[i].is_object() || !key.ok() || !value.ok())
      return as_error(serialization("tags", "a list of {key, value}"));
    std::string at = "tags." + std::to_string(i + 1) + ".member.";
    if (!*key)
      violations.add(at + "key", std::nullopt, "Member must not be null");
    else if (key->value().empty())
      violations.add(at + "key", **key, "Member must have length greater than or equal to 1");
    else if (code_points(**key) > tag_key_chars_max)
      violations.add(at + "key", **key, "Member must have length less than or equal to 128");
    if (*value && code_points(**value) > tag_value_chars_max)
      violations.add(at + "value", **value, "Member must have length less than or equal to 256");
    if (violations.empty()) tags.emplace_back(key->value_or(""), value->value_or(""));
  }
  if (!violations.empty()) return as_error(violations.error());
  return tags;
}

json::array tags_json(const store::Tags& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"key", k}, {"value", v}});
  return out;
}

Result<store::Tags> merge_tags(store::Tags current, const store::Tags& added,
                               std::string_view resource_arn) {
  for (const auto& [k, v] : added) {
    auto it = std::find_if(current.begin(), current.end(),
                           [&key = k](const auto& t) { return t.first == key; });
    if (it != current.end())
      it->second = v;
    else
      current.emplace_back(k, v);
  }
  if (current.size() > tags_max) return as_error(too_many_tags(resource_arn));
  return current;
}

Result<Page> parse_page(const json::value& request) {
  auto max = integer_field(request, "maxResults");
  if (!max.ok()) return max.error();
  auto token = string_field(request, "nextToken");
  if (!token.ok()) return token.error();
  Violations violations;
  Page page;
  if (*max) {
    if (**max > list_results_max)
      violations.add("maxResults", std::to_string(**max),
                     "Member must have value less than or equal to 1000");
    else if (**max < 0)
      violations.add("maxResults", std::to_string(**max),
                     "Member must have value greater than or equal to 0");
    else if (**max > 0)
      page.limit = static_cast<std::size_t>(**max);
  }
  if (*token) {
    if (token->value().empty())
      violations.add("nextToken", "", "Member must have length greater than or equal to 1");
    else if (code_points(**token) > next_token_chars_max)
      violations.add("nextToken", **token, "Member must have length less than or equal to 1024");
    page.token = **token;
  }
  if (!violations.empty()) return as_error(violations.error());
  return page;
}

std::string encode_token(std::string_view list, std::string_view after_key, std::size_t position) {
  std::string payload =
      std::string(list) + "\n" + std::to_string(position) + "\n" + std::string(after_key);
  return checksum(payload) + base64url(payload);
}

Result<TokenPosition> decode_token(std::string_view list, std::string_view token) {
  if (token.size() < 8) return as_error(invalid_token());
  auto payload = unbase64url(token.substr(8));
  if (!payload || checksum(*payload) != token.substr(0, 8)) return as_error(invalid_token());
  auto parts = split(*payload, '\n');
  if (parts.size() != 3 || parts[0] != list || !all_digits(parts[1]) || parts[1].size() > 9)
    return as_error(invalid_token());
  return TokenPosition{parts[2], static_cast<std::size_t>(std::stoul(parts[1]))};
}

Result<Slice> page_slice(std::string_view list, const std::vector<std::string>& keys,
                         const Page& page) {
  Slice slice;
  if (page.token) {
    auto at = decode_token(list, *page.token);
    if (!at.ok()) return at.error();
    auto it = std::find(keys.begin(), keys.end(), at->after_key);
    // The last item given may be gone (deleted meanwhile): resume at its old position.
    slice.begin = it != keys.end() ? static_cast<std::size_t>(it - keys.begin()) + 1
                                   : std::min(at->position, keys.size());
  }
  slice.end = std::min(keys.size(), slice.begin + page.limit);
  if (slice.end < keys.size() && slice.end > slice.begin)
    slice.next_token = encode_token(list, keys[slice.end - 1], slice.end);
  return slice;
}

}  // namespace stepwise::sfn::rules
