#include "services/sns/sns_query.h"

#include <charconv>
#include <map>
#include <vector>

#include "services/common/codec.h"

namespace stepwise::services::sns {
namespace {

// A parameter tree: "A.member.1.B" → A → member → 1 → B.
struct Tree {
  std::optional<std::string> text;
  std::map<std::string, Tree> children;
};

api::ApiError malformed(std::string_view name) {
  return api::ApiError{"MalformedQueryString", "Invalid parameter name " + std::string(name) + ".",
                       400};
}

std::optional<std::size_t> index_of(const std::string& s) {
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n == 0 || n > form_index_max)
    return std::nullopt;
  return n;
}

json::value convert(const Tree& t, std::optional<api::ApiError>& error);

// Children named by index, in numeric order.
std::vector<const Tree*> indexed(const Tree& t, std::optional<api::ApiError>& error) {
  std::map<std::size_t, const Tree*> byn;
  for (const auto& [k, child] : t.children) {
    auto n = index_of(k);
    if (!n) {
      error = malformed(k);
      return {};
    }
    byn[*n] = &child;
  }
  std::vector<const Tree*> out;
  for (const auto& [_, c] : byn) out.push_back(c);
  return out;
}

const Tree* child(const Tree& t, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    auto it = t.children.find(std::string(n));
    if (it != t.children.end()) return &it->second;
  }
  return nullptr;
}

json::value convert(const Tree& t, std::optional<api::ApiError>& error) {
  if (t.children.empty()) return json::value(t.text.value_or(""));
  if (t.children.size() == 1 && t.children.begin()->first == "member") {
    json::array out;
    for (const Tree* e : indexed(t.children.begin()->second, error))
      out.push_back(convert(*e, error));
    return out;
  }
  if (t.children.size() == 1 && t.children.begin()->first == "entry") {
    json::object out;
    for (const Tree* e : indexed(t.children.begin()->second, error)) {
      const Tree* k = child(*e, {"key", "Name", "Key"});
      const Tree* v = child(*e, {"value", "Value"});
      if (k == nullptr || !k->text) continue;
      out[*k->text] = v ? convert(*v, error) : json::value("");
    }
    return out;
  }
  json::object out;
  for (const auto& [k, c] : t.children) out[k] = convert(c, error);
  return out;
}

// ---- XML, as AWS indents it ----

struct Writer {
  std::string out;
  void line(int depth, std::string_view text) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += text;
    out += '\n';
  }
  void element(int depth, std::string_view name, std::string_view text) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += '<';
    out += name;
    out += '>';
    out += xml_text(text);
    out += "</";
    out += name;
    out += ">\n";
  }
};

std::string text_of(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return json::dump(v);
}

void write_value(Writer& w, int depth, std::string_view name, const json::value& v);

void write_members(Writer& w, int depth, const json::object& o) {
  for (const auto& kv : o) write_value(w, depth, std::string_view(kv.key()), kv.value());
}

void write_value(Writer& w, int depth, std::string_view name, const json::value& v) {
  const std::string n(name);
  if (v.is_null()) return;
  if (v.is_array()) {
    if (v.get_array().empty()) return w.line(depth, "<" + n + "/>");
    w.line(depth, "<" + n + ">");
    for (const auto& e : v.get_array()) {
      if (e.is_object()) {
        w.line(depth + 1, "<member>");
        write_members(w, depth + 2, e.get_object());
        w.line(depth + 1, "</member>");
      } else {
        w.element(depth + 1, "member", text_of(e));
      }
    }
    w.line(depth, "</" + n + ">");
    return;
  }
  if (v.is_object()) {
    w.line(depth, "<" + n + ">");
    if (auto names = map_member(name)) {
      for (const auto& kv : v.get_object()) {
        w.line(depth + 1, "<entry>");
        w.element(depth + 2, names->key, std::string_view(kv.key()));
        w.element(depth + 2, names->value, text_of(kv.value()));
        w.line(depth + 1, "</entry>");
      }
    } else {
      write_members(w, depth + 1, v.get_object());
    }
    w.line(depth, "</" + n + ">");
    return;
  }
  w.element(depth, name, text_of(v));
}

// Operations whose answer has no members: AWS sends no <{Action}Result>.
bool without_result(std::string_view action) {
  static constexpr std::string_view names[] = {"DeleteTopic", "SetTopicAttributes",
                                               "SetSubscriptionAttributes", "Unsubscribe"};
  for (auto n : names)
    if (n == action) return true;
  return false;
}

// json_to_form's walk: `prefix` is the parameter name so far ("" at the top).
void flatten(const std::string& prefix, std::string_view member, const json::value& v,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (v.is_null()) return;
  if (v.is_array()) {
    std::size_t n = 0;
    for (const auto& e : v.get_array())
      flatten(prefix + ".member." + std::to_string(++n), {}, e, out);
    return;
  }
  if (v.is_object()) {
    const auto names = map_member(member);
    std::size_t n = 0;
    for (const auto& kv : v.get_object()) {
      const std::string key(kv.key());
      if (names) {
        const std::string entry = prefix + ".entry." + std::to_string(++n) + ".";
        out.emplace_back(entry + std::string(names->key), key);
        flatten(entry + std::string(names->value), {}, kv.value(), out);
      } else {
        flatten(prefix.empty() ? key : prefix + "." + key, key, kv.value(), out);
      }
    }
    return;
  }
  out.emplace_back(prefix, text_of(v));
}

}  // namespace

std::optional<MapEntryNames> map_member(std::string_view name) {
  if (name == "Attributes") return MapEntryNames{"key", "value"};
  if (name == "MessageAttributes") return MapEntryNames{"Name", "Value"};
  return std::nullopt;
}

bool list_member(std::string_view name) {
  static constexpr std::string_view lists[] = {"Topics", "Subscriptions", "Successful", "Failed",
                                               "Tags"};
  for (auto l : lists)
    if (l == name) return true;
  return false;
}

bool boolean_member(std::string_view name) { return name == "SenderFault"; }

std::vector<std::pair<std::string, std::string>> json_to_form(const json::object& request) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : request) flatten(std::string(kv.key()), kv.key(), kv.value(), out);
  return out;
}

FormRequest form_to_json(const api::Form& form) {
  FormRequest out;
  Tree root;
  for (const auto& [name, value] : form.params) {
    if (name == "Action" || name == "Version") continue;
    Tree* at = &root;
    std::size_t start = 0, depth = 0;
    while (true) {
      auto dot = name.find('.', start);
      std::string seg =
          name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (seg.empty() || ++depth > form_depth_max) {
        out.error = malformed(name);
        return out;
      }
      at = &at->children[seg];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    at->text = value;
  }
  for (const auto& [k, c] : root.children) {
    out.request[k] = convert(c, out.error);
    if (out.error) return out;
  }
  return out;
}

std::string response_xml(std::string_view action, const json::object& answer,
                         std::string_view request_id) {
  Writer w;
  const std::string a(action);
  w.line(0, "<" + a + "Response xmlns=\"" + std::string(query_xmlns) + "\">");
  if (!without_result(action)) {
    if (answer.empty()) {
      w.line(1, "<" + a + "Result/>");
    } else {
      w.line(1, "<" + a + "Result>");
      write_members(w, 2, answer);
      w.line(1, "</" + a + "Result>");
    }
  }
  w.line(1, "<ResponseMetadata>");
  w.element(2, "RequestId", request_id);
  w.line(1, "</ResponseMetadata>");
  w.line(0, "</" + a + "Response>");
  return w.out;
}

}  // namespace stepwise::services::sns
