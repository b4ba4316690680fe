#include "conformance/normalise.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "conformance/patterns.h"

namespace stepwise::conformance {
namespace {

// Normalised documents are parsed JSON (json_depth_max deep at most); walks stop at this depth
// all the same so that a hand-built value can never exhaust the stack.
constexpr int walk_depth_max = 600;

// ---------------------------------------------------------------- Python-compatible dumping

void dump_py_double(double d, std::string& out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  // Python writes a float with a fraction or exponent marker ("1.0", "1e+20").
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  out += s;
}

void dump_py(const json::value& v, std::string& out, int depth, bool sort_keys) {
  if (depth > walk_depth_max) {
    out += "null";
    return;
  }
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      break;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case boost::json::kind::double_:
      dump_py_double(v.get_double(), out);
      break;
    case boost::json::kind::string:
      json::quote_to(v.get_string(), out, json::QuoteStyle::kPython);
      break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        dump_py(x, out, depth + 1, sort_keys);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      std::vector<std::pair<std::string_view, const json::value*>> items;
      for (const auto& kv : v.get_object()) items.emplace_back(kv.key(), &kv.value());
      if (sort_keys) {
        std::sort(items.begin(), items.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
      }
      out += '{';
      bool first = true;
      for (const auto& [k, x] : items) {
        if (!first) out += ", ";
        first = false;
        json::quote_to(k, out, json::QuoteStyle::kPython);
        out += ": ";
        dump_py(*x, out, depth + 1, sort_keys);
      }
      out += '}';
      break;
    }
  }
}

// ---------------------------------------------------------------- step 1: JSON-text fields

json::value parse_object_strings(const json::value& v, int depth);

json::value parse_object_text(const json::value& v) {
  const auto& s = v.get_string();
  if (s.empty() || s[0] != '{') return v;
  auto parsed = json::parse(std::string_view(s.data(), s.size()));
  return parsed.ok() ? std::move(parsed).value() : v;
}

// As compare.parse_json_object_strings: dict values, and dicts directly inside lists.
json::value parse_object_strings(const json::value& v, int depth) {
  if (depth > walk_depth_max) return v;
  if (v.is_array()) {
    json::array out;
    for (const auto& x : v.get_array())
      out.push_back(x.is_object() ? parse_object_strings(x, depth + 1) : x);
    return out;
  }
  if (!v.is_object()) return v;
  json::object out;
  for (const auto& kv : v.get_object()) {
    const json::value& x = kv.value();
    if (x.is_object() || x.is_array()) {
      out[kv.key()] = parse_object_strings(x, depth + 1);
    } else if (x.is_string()) {
      out[kv.key()] = parse_object_text(x);
    } else {
      out[kv.key()] = x;
    }
  }
  return out;
}

// ---------------------------------------------------------------- step 2: path rules

struct Slot {
  json::object* parent;
  std::string key;
};

// compare.jsonpath_find: `$` followed by `.name` / `..name` segments only.
bool parse_dot_path(const std::string& path, std::vector<std::pair<bool, std::string>>* segs) {
  if (path.empty() || path[0] != '$') return false;
  std::size_t i = 1;
  while (i < path.size()) {
    if (path[i] != '.') return false;
    bool deep = i + 1 < path.size() && path[i + 1] == '.';
    i += deep ? 2 : 1;
    std::size_t end = path.find_first_of(".[]", i);
    if (end == std::string::npos) end = path.size();
    if (end == i || (end < path.size() && path[end] != '.')) return false;
    segs->emplace_back(deep, path.substr(i, end - i));
    i = end;
  }
  return true;
}

void descendants(json::value& v, std::vector<json::value*>& out, int depth) {
  if (depth > walk_depth_max) return;
  out.push_back(&v);
  if (v.is_object()) {
    for (auto& kv : v.get_object()) descendants(kv.value(), out, depth + 1);
  } else if (v.is_array()) {
    for (auto& x : v.get_array()) descendants(x, out, depth + 1);
  }
}

std::vector<Slot> jsonpath_find(json::value& root, const std::string& path) {
  std::vector<std::pair<bool, std::string>> segs;
  if (!parse_dot_path(path, &segs)) return {};
  std::vector<Slot> cur;
  std::vector<json::value*> values{&root};
  for (const auto& [deep, name] : segs) {
    std::vector<json::value*> cands;
    for (json::value* v : values) {
      if (deep)
        descendants(*v, cands, 0);
      else
        cands.push_back(v);
    }
    cur.clear();
    values.clear();
    for (json::value* c : cands) {
      if (!c->is_object()) continue;
      auto it = c->get_object().find(name);
      if (it == c->get_object().end()) continue;
      cur.push_back({&c->get_object(), name});
      values.push_back(&it->value());
    }
  }
  return cur;
}

// compare._key_values: sorted keys, not descending into a matched value.
void key_values(json::value& v, const std::string& key, std::vector<Slot>& acc, int depth) {
  if (depth > walk_depth_max) return;
  if (v.is_array()) {
    for (auto& x : v.get_array())
      if (x.is_object()) key_values(x, key, acc, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  auto& obj = v.get_object();
  std::vector<std::string> keys;
  for (const auto& kv : obj) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) {
    json::value& x = obj[k];
    bool empty = x.is_null() || (x.is_string() && x.get_string().empty());
    if (k == key && !empty) {
      acc.push_back({&obj, k});
    } else if (x.is_object() || x.is_array()) {
      key_values(x, key, acc, depth + 1);
    }
  }
}

struct References {
  std::vector<std::pair<std::string, std::string>> refs;  // (value, "<name:N>")
  std::map<std::string, int> counters;

  void add(const json::value& v, const std::string& name) {
    if (!v.is_string()) return;
    std::string s(v.get_string());
    for (const auto& r : refs)
      if (r.first == s) return;
    int n = ++counters[name];
    refs.emplace_back(s, "<" + name + ":" + std::to_string(n) + ">");
  }
};

void apply_rule(const std::vector<Slot>& slots, const json::object& rule, References& refs) {
  std::string replacement;
  if (auto* r = rule.if_contains("replacement"); r && r->is_string()) replacement = r->get_string();
  bool by_reference = true;
  if (auto* r = rule.if_contains("replace_reference"); r && r->is_bool())
    by_reference = r->get_bool();
  for (const auto& slot : slots) {
    auto it = slot.parent->find(slot.key);
    if (it == slot.parent->end()) continue;
    if (by_reference)
      refs.add(it->value(), replacement);
    else
      it->value() = json::string(replacement);
  }
}

const json::array& array_field(const json::object& o, const char* key) {
  static const json::array empty;
  auto* v = o.if_contains(key);
  return v && v->is_array() ? v->get_array() : empty;
}

std::string string_field(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void apply_path_rules(json::value& obj, const json::object& norm, References& refs) {
  static const char* const defaults[][2] = {
      {"$..SdkHttpMetadata..Date", "date"},
      {"$..SdkResponseMetadata..RequestId", "RequestId"},
      {"$..X-Amzn-Trace-Id", "X-Amzn-Trace-Id"},
      {"$..x-amz-crc32", "x-amz-crc32"},
      {"$..x-amzn-RequestId", "x-amzn-RequestId"},
      {"$..x-amzn-requestid", "x-amzn-requestid"},
  };
  for (const auto& d : defaults) {
    json::object rule{{"replacement", d[1]}, {"replace_reference", false}};
    apply_rule(jsonpath_find(obj, d[0]), rule, refs);
  }
  for (const auto& r : array_field(norm, "jsonpath_replacements")) {
    if (!r.is_object()) continue;
    apply_rule(jsonpath_find(obj, string_field(r.get_object(), "jsonpath")), r.get_object(), refs);
  }
  for (const auto& r : array_field(norm, "key_value_replacements")) {
    if (!r.is_object()) continue;
    std::vector<Slot> slots;
    key_values(obj, string_field(r.get_object(), "key"), slots, 0);
    apply_rule(slots, r.get_object(), refs);
  }
}

// The Step Functions default: the JSON quoted in a cause ("... '{json}'") is a reference.
void cause_json_inputs(const json::value& v, References& refs, int depth) {
  if (depth > walk_depth_max) return;
  if (v.is_array()) {
    for (const auto& x : v.get_array()) cause_json_inputs(x, refs, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& kv : v.get_object()) {
    const json::value& x = kv.value();
    if (kv.key() == "cause" && x.is_string()) {
      std::string quoted;
      if (RE2::PartialMatch(std::string(x.get_string()), patterns().cause_json, &quoted) &&
          json::parse(quoted).ok()) {
        refs.add(json::value(quoted), "json-input");
      }
    } else if (x.is_object() || x.is_array()) {
      cause_json_inputs(x, refs, depth + 1);
    }
  }
}

// ---------------------------------------------------------------- steps 3 and 5

bool is_timestamp_key(std::string_view k) {
  if (k == "creationTime" || k == "ingestionTime") return true;
  std::string lower(k);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower.find("timestamp") != std::string::npos;
}

void timestamp_keys(json::value& v, int depth) {
  if (depth > walk_depth_max || !v.is_object()) return;
  for (auto& kv : v.get_object()) {
    json::value& x = kv.value();
    bool iso =
        x.is_string() && RE2::PartialMatch(std::string(x.get_string()), patterns().iso8601_prefix);
    if (is_timestamp_key(kv.key()) && !iso) {
      x = "timestamp";
    } else if (x.is_object()) {
      timestamp_keys(x, depth + 1);
    } else if (x.is_array()) {
      for (auto& y : x.get_array())
        if (y.is_object()) timestamp_keys(y, depth + 1);
    }
  }
}

bool ends_with_id(std::string_view k) {
  if (k.size() < 2) return false;
  auto a = static_cast<char>(std::tolower(static_cast<unsigned char>(k[k.size() - 2])));
  auto b = static_cast<char>(std::tolower(static_cast<unsigned char>(k[k.size() - 1])));
  return a == 'i' && b == 'd';
}

void collect_uuids(const json::value& v, std::vector<std::string>& acc, int depth) {
  if (depth > walk_depth_max || !v.is_object()) return;
  std::vector<std::pair<std::string_view, const json::value*>> items;
  for (const auto& kv : v.get_object()) items.emplace_back(kv.key(), &kv.value());
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, x] : items) {
    if (x->is_string() && ends_with_id(k) &&
        RE2::PartialMatch(std::string(x->get_string()), patterns().uuid_prefix)) {
      std::string s(x->get_string());
      if (std::find(acc.begin(), acc.end(), s) == acc.end()) acc.push_back(s);
    } else if (x->is_object()) {
      collect_uuids(*x, acc, depth + 1);
    } else if (x->is_array()) {
      for (const auto& y : x->get_array())
        if (y.is_object()) collect_uuids(y, acc, depth + 1);
    }
  }
}

// ---------------------------------------------------------------- step 4: text rewriting

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t hit = text.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(text, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  if (pos == 0) return;
  out.append(text, pos, std::string::npos);
  text = std::move(out);
}

// Python's re.sub with the replacement taken literally; a pattern RE2 cannot compile falls back
// to a plain text replacement, as compare.py does on re.error.
void apply_regex(std::string& text, const std::string& pattern, const std::string& replacement,
                 bool regex) {
  if (pattern.empty()) return;
  if (regex) {
    RE2 re(pattern, RE2::Quiet);
    if (re.ok()) {
      std::string rewrite;
      for (char c : replacement) {
        if (c == '\\') rewrite += '\\';
        rewrite += c;
      }
      RE2::GlobalReplace(&text, re, rewrite);
      return;
    }
  }
  replace_all(text, pattern, replacement);
}

void apply_replacements(std::string& text, const json::object& norm) {
  bool has_region = false;
  for (const auto& r : array_field(norm, "replacements")) {
    if (!r.is_object()) continue;
    std::string repl = string_field(r.get_object(), "replacement");
    if (repl == "date") continue;
    if (repl == "<region>") has_region = true;
    bool regex = true;
    if (auto* f = r.get_object().if_contains("regex"); f && f->is_bool()) regex = f->get_bool();
    apply_regex(text, string_field(r.get_object(), "pattern"), repl, regex);
  }
  if (!has_region) {
    apply_regex(text, "111111111111", "111111111111", true);
    apply_regex(text, "us\\-east\\-1", "<region>", true);
    apply_regex(text, "arn:aws:", "arn:<partition>:", true);
  }
}

std::string escape_reference(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string python_dumps_sorted(const json::value& v) {
  std::string out;
  dump_py(v, out, 0, true);
  return out;
}

std::string python_dumps(const json::value& v) {
  std::string out;
  dump_py(v, out, 0, false);
  return out;
}

json::value normalise_envelope(const json::value& envelope, const json::object& norm) {
  json::value obj = parse_object_strings(envelope, 0);
  References refs;
  apply_path_rules(obj, norm, refs);
  cause_json_inputs(obj, refs, 0);
  timestamp_keys(obj, 0);
  std::vector<std::string> uuids;
  collect_uuids(obj, uuids, 0);
  std::string text = python_dumps_sorted(obj);
  for (const auto& [value, repl] : refs.refs) {
    // Python's str.replace("", x) puts x between every character: the text no longer parses,
    // and compare.py's normalise answers None. Same answer here, without the detour.
    if (value.empty()) return nullptr;
    replace_all(text, escape_reference(value), repl);
  }
  apply_replacements(text, norm);
  for (std::size_t i = 0; i < uuids.size(); ++i)
    replace_all(text, uuids[i], "<uuid:" + std::to_string(i + 1) + ">");
  RE2::GlobalReplace(&text, patterns().iso8601, "date");
  auto parsed = json::parse(text);
  return parsed.ok() ? std::move(parsed).value() : json::value(nullptr);
}

json::value normalise_field(const json::value& value, const json::object& norm,
                            const std::string& field) {
  std::string details = field == "output"  ? "executionSucceededEventDetails"
                        : field == "input" ? "executionStartedEventDetails"
                                           : "executionFailedEventDetails";
  json::object event;
  event[details] = json::object{{field, value}};
  json::value env = json::object{{"events", json::array{event}}};
  json::value out = normalise_envelope(env, norm);
  // Walk back down the same envelope: events[0][details][field].
  if (!out.is_object()) return nullptr;
  auto* events = out.get_object().if_contains("events");
  if (!events || !events->is_array() || events->get_array().empty()) return nullptr;
  const auto& e = events->get_array()[0];
  if (!e.is_object()) return nullptr;
  auto* d = e.get_object().if_contains(details);
  if (!d || !d->is_object()) return nullptr;
  auto* f = d->get_object().if_contains(field);
  return f ? *f : json::value(nullptr);
}

json::value decode_text(const json::value& v) {
  if (!v.is_string()) return v;
  auto parsed = json::parse(std::string_view(v.get_string().data(), v.get_string().size()));
  return parsed.ok() ? std::move(parsed).value() : v;
}

}  // namespace stepwise::conformance
