#include "services/common/resource_tags.h"

#include <algorithm>

namespace stepwise::services {

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::vector<GivenTag>> tag_entries(const json::value* given) {
  std::vector<GivenTag> out;
  if (given == nullptr || given->is_null()) return out;
  if (!given->is_array()) return std::nullopt;
  for (const auto& t : given->get_array()) {
    const auto* o = t.if_object();
    if (o == nullptr) return std::nullopt;
    GivenTag g;
    for (auto [name, slot] : {std::pair{"Key", &g.key}, std::pair{"Value", &g.value}}) {
      const json::value* v = o->if_contains(name);
      if (v == nullptr || v->is_null()) continue;
      if (!v->is_string()) return std::nullopt;
      *slot = std::string(v->get_string());
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::optional<std::vector<std::string>> tag_keys(const json::value* given) {
  std::vector<std::string> out;
  if (given == nullptr || given->is_null()) return out;
  if (!given->is_array()) return std::nullopt;
  for (const auto& k : given->get_array()) {
    if (!k.is_string()) return std::nullopt;
    out.emplace_back(k.get_string());
  }
  return out;
}

bool tag_key_length_ok(std::string_view key) {
  const std::size_t n = utf8_chars(key);
  return n >= tag_limits::key_chars_min && n <= tag_limits::key_chars_max;
}

bool tag_value_length_ok(std::string_view value) {
  return utf8_chars(value) <= tag_limits::value_chars_max;
}

bool tag_chars_ok(std::string_view text) {
  constexpr std::string_view marks = " _.:/=+-@";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) continue;  // part of a non-ASCII character: taken as a letter
    const bool alnum = (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z');
    if (!alnum && marks.find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool merge_tags(TagList& into, const TagList& add, std::size_t limit) {
  for (const auto& [k, v] : add) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&key = k](const auto& t) { return t.first == key; });
    if (it != into.end()) {
      it->second = v;
    } else {
      if (into.size() >= limit) return false;
      into.emplace_back(k, v);
    }
  }
  return true;
}

void remove_tags(TagList& from, const std::vector<std::string>& keys) {
  std::erase_if(from, [&](const auto& t) {
    return std::find(keys.begin(), keys.end(), t.first) != keys.end();
  });
}

json::array tags_json(const TagList& tags) {
  json::array a;
  for (const auto& [k, v] : tags) a.push_back(json::object{{"Key", k}, {"Value", v}});
  return a;
}

TagList tags_from_json(const json::value* v) {
  TagList out;
  auto entries = tag_entries(v);
  if (!entries) return out;
  // A record holds what was accepted, within the limit; a longer one (a damaged file) is cut.
  for (const auto& e : *entries)
    if (e.key && e.value && !merge_tags(out, {{*e.key, *e.value}})) break;
  return out;
}

}  // namespace stepwise::services
