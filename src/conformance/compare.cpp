#include "conformance/compare.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>

#include "conformance/patterns.h"

namespace stepwise::conformance {
namespace {

// Compared documents are parsed JSON (json_depth_max deep at most); deeper hand-built values are
// reported as different rather than walked.
constexpr int compare_depth_max = 600;

const char* const bare_tokens[] = {"snf_role_arn", "sfn_role_arn"};

bool is_wild_token(const std::string& s, const Tokens& extra) {
  if (s == "date" || s == "timestamp" || s == "datetime") return true;
  if (std::find(extra.begin(), extra.end(), s) != extra.end()) return true;
  return RE2::FullMatch(s, patterns().placeholder);
}

// compare._wild_regex: every placeholder, bare token, extra token and the word "date" becomes a
// lazy wildcard; the rest is literal.
std::string wild_regex(const std::string& s, const Tokens& extra) {
  std::string alternatives = "<[A-Za-z0-9_:\\- .]+>";
  for (const char* t : bare_tokens) alternatives += "|" + RE2::QuoteMeta(t);
  for (const auto& t : extra) alternatives += "|" + RE2::QuoteMeta(t);
  alternatives += "|\\bdate\\b";
  RE2 tokens("(" + alternatives + ")");
  std::string out = "(?s)^";
  std::size_t pos = 0;
  re2::StringPiece input(s);
  while (pos <= s.size()) {
    re2::StringPiece m;
    if (!tokens.Match(input, pos, s.size(), RE2::UNANCHORED, &m, 1)) break;
    std::size_t start = static_cast<std::size_t>(m.data() - s.data());
    out += RE2::QuoteMeta(s.substr(pos, start - pos));
    out += ".*?";
    pos = start + m.size();
    if (m.empty()) ++pos;  // never loops on an empty match (the tokens cannot be empty)
  }
  if (pos < s.size()) out += RE2::QuoteMeta(s.substr(pos));
  out += "$";
  return out;
}

std::string key_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::optional<Difference> differ(const std::string& path, const json::value& e,
                                 const json::value& a) {
  return Difference{path, brief(e), brief(a)};
}

std::optional<Difference> compare_objects(const json::object& e, const json::object& a,
                                          const Tokens& extra, const std::string& path, int depth);

std::optional<Difference> compare(const json::value& e, const json::value& a, const Tokens& extra,
                                  const std::string& path, int depth) {
  if (depth > compare_depth_max) return Difference{path, "(too deep)", "(too deep)"};
  if (e.is_object()) {
    if (!a.is_object()) return differ(path, e, a);
    return compare_objects(e.get_object(), a.get_object(), extra, path, depth);
  }
  if (e.is_array()) {
    if (!a.is_array()) return differ(path, e, a);
    const auto& ea = e.get_array();
    const auto& aa = a.get_array();
    for (std::size_t i = 0; i < std::min(ea.size(), aa.size()); ++i) {
      if (auto d = compare(ea[i], aa[i], extra, path + "[" + std::to_string(i) + "]", depth + 1))
        return d;
    }
    if (ea.size() != aa.size())
      return Difference{path, std::to_string(ea.size()) + " items",
                        std::to_string(aa.size()) + " items"};
    return std::nullopt;
  }
  if (e.is_string()) {
    std::string es(e.get_string());
    if (a.is_string()) {
      if (text_matches(es, std::string(a.get_string()), extra)) return std::nullopt;
      return differ(path, e, a);
    }
    if (is_wild_token(es, extra)) return std::nullopt;
    return differ(path, e, a);
  }
  if (e.is_bool() || a.is_bool()) {
    if (e.is_bool() && a.is_bool() && e.get_bool() == a.get_bool()) return std::nullopt;
    return differ(path, e, a);
  }
  if (e.is_null() || a.is_null()) {
    if (e.is_null() && a.is_null()) return std::nullopt;
    return differ(path, e, a);
  }
  if (json::is_number(e) && json::is_number(a) && json::equal(e, a)) return std::nullopt;
  return differ(path, e, a);
}

std::optional<Difference> compare_objects(const json::object& e, const json::object& a,
                                          const Tokens& extra, const std::string& path, int depth) {
  for (const auto& kv : e) {
    auto* av = a.if_contains(kv.key());
    if (!av) return Difference{key_path(path, kv.key()), brief(kv.value()), "(missing)"};
    if (auto d = compare(kv.value(), *av, extra, key_path(path, kv.key()), depth + 1)) return d;
  }
  for (const auto& kv : a) {
    if (!e.contains(kv.key()))
      return Difference{key_path(path, kv.key()), "(absent)", brief(kv.value())};
  }
  return std::nullopt;
}

json::value strip(const json::value& v, const std::vector<std::string>& keys, int depth) {
  if (depth > compare_depth_max) return v;
  if (v.is_object()) {
    json::object out;
    for (const auto& kv : v.get_object()) {
      if (std::find(keys.begin(), keys.end(), std::string(kv.key())) != keys.end()) continue;
      out[kv.key()] = strip(kv.value(), keys, depth + 1);
    }
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& x : v.get_array()) out.push_back(strip(x, keys, depth + 1));
    return out;
  }
  return v;
}

// ---------------------------------------------------------------- soft paths

struct Segment {
  bool deep = false;
  std::string name;  // empty for an index segment
  long index = -1;
};

bool parse_path(const std::string& path, std::vector<Segment>* segs) {
  if (path.empty() || path[0] != '$') return false;
  std::size_t i = 1;
  while (i < path.size()) {
    Segment s;
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close == std::string::npos) return false;
      char* end = nullptr;
      std::string num = path.substr(i + 1, close - i - 1);
      s.index = std::strtol(num.c_str(), &end, 10);
      if (num.empty() || *end != '\0' || s.index < 0) return false;
      i = close + 1;
    } else if (path[i] == '.') {
      s.deep = i + 1 < path.size() && path[i + 1] == '.';
      i += s.deep ? 2 : 1;
      std::size_t end = path.find_first_of(".[", i);
      if (end == std::string::npos) end = path.size();
      if (end == i) return false;
      s.name = path.substr(i, end - i);
      i = end;
    } else {
      return false;
    }
    segs->push_back(std::move(s));
  }
  return !segs->empty();
}

void remove_at(json::value& v, const std::vector<Segment>& segs, std::size_t k, int depth);

// Applies segment k to v itself (not to its descendants).
void step(json::value& v, const std::vector<Segment>& segs, std::size_t k, int depth) {
  const Segment& s = segs[k];
  bool last = k + 1 == segs.size();
  if (s.index >= 0) {
    if (!v.is_array() || static_cast<std::size_t>(s.index) >= v.get_array().size()) return;
    json::value& x = v.get_array()[static_cast<std::size_t>(s.index)];
    // An array slot cannot be erased without shifting its neighbours: it becomes null.
    if (last)
      x = nullptr;
    else
      remove_at(x, segs, k + 1, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  auto& obj = v.get_object();
  auto it = obj.find(s.name);
  if (it == obj.end()) return;
  if (last)
    obj.erase(it);
  else
    remove_at(it->value(), segs, k + 1, depth + 1);
}

void remove_at(json::value& v, const std::vector<Segment>& segs, std::size_t k, int depth) {
  if (depth > compare_depth_max) return;
  if (segs[k].deep) {
    // `..name`: this node and every descendant.
    if (v.is_object()) {
      for (auto& kv : v.get_object()) remove_at(kv.value(), segs, k, depth + 1);
    } else if (v.is_array()) {
      for (auto& x : v.get_array()) remove_at(x, segs, k, depth + 1);
    }
  }
  step(v, segs, k, depth);
}

}  // namespace

std::string Difference::describe() const {
  std::string where = path.empty() ? "(root)" : path;
  return where + ": expected " + expected + ", got " + actual;
}

bool text_matches(const std::string& expected, const std::string& actual, const Tokens& extra) {
  if (expected == actual) return true;
  // Normalisation turned the actual value into a bare token (the case's own role ARN became
  // "snf_role_arn") while the recording kept a placeholder form of the same value
  // ("arn:<partition>:iam::111111111111:role/<resource:1>", from a transformer the case does
  // not reproduce): both say "the role", so they match.
  if (std::find(std::begin(bare_tokens), std::end(bare_tokens), actual) != std::end(bare_tokens) &&
      RE2::PartialMatch(expected, "<[A-Za-z0-9_:\\- .]+>"))
    return true;
  RE2 re(wild_regex(expected, extra), RE2::Quiet);
  return re.ok() && RE2::FullMatch(actual, re);
}

std::optional<Difference> first_difference(const json::value& expected, const json::value& actual,
                                           const Tokens& extra_tokens, const std::string& path) {
  return compare(expected, actual, extra_tokens, path, 0);
}

json::value strip_keys(const json::value& v, const std::vector<std::string>& keys) {
  return strip(v, keys, 0);
}

const std::vector<std::string>& sdk_metadata_keys() {
  static const std::vector<std::string> keys{"SdkHttpMetadata", "SdkResponseMetadata"};
  return keys;
}

void remove_paths(json::value& v, const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    std::vector<Segment> segs;
    if (parse_path(p, &segs)) remove_at(v, segs, 0, 0);
  }
}

std::string brief(const json::value& v, std::size_t chars_max) {
  std::string s = json::dump(v);
  if (s.size() > chars_max) s = s.substr(0, chars_max) + "...";
  return s;
}

}  // namespace stepwise::conformance
