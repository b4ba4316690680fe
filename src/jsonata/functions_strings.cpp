// JSONata's string built-in functions ($substring, $trim, $pad...) and those taking a regular
// expression or matcher function ($match, $contains, $replace, $split), plus $join.
#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#include "jsonata/functions_internal.h"

namespace stepwise::jsonata::builtins {
namespace {

// ---- strings ----

Value f_string(Context&, Args& a, const Value&, const FramePtr&) {
  const Value& v = arg(a, 0);
  if (v.undefined()) return Value();
  bool pretty = arg(a, 1).is_bool() && arg(a, 1).as_bool();
  if (v.is_string()) return v;
  if (v.is_function()) return Value::string("");
  if (v.is_number() && !std::isfinite(v.num())) fail_value("D3001", v);
  const Value& target =
      v.is_array() && v.arr().outer_wrapper && !items(v).empty() ? items(v)[0] : v;
  return Value::string(stringify(target, pretty));
}

// JavaScript's Array#slice on code points (negative indexes count from the end).
std::string slice(const std::vector<char32_t>& cps, double start, double end) {
  auto n = static_cast<double>(cps.size());
  auto norm = [&](double x) {
    if (std::isnan(x)) x = 0;
    x = std::trunc(x);
    if (x < 0) x = std::max(0.0, n + x);
    return std::min(x, n);
  };
  double s = norm(start), e = norm(end);
  if (e <= s) return "";
  return from_code_points(cps.data() + static_cast<std::size_t>(s),
                          static_cast<std::size_t>(e - s));
}

Value f_substring(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  auto cps = to_code_points(a[0].str());
  auto len = static_cast<double>(cps.size());
  double start = arg(a, 1).num();
  if (len + start < 0) start = 0;
  if (!arg(a, 2).undefined()) {
    double length = a[2].num();
    if (length <= 0) return Value::string("");
    double end = start >= 0 ? start + length : len + start + length;
    return Value::string(slice(cps, start, end));
  }
  return Value::string(slice(cps, start, len));
}

Value f_substring_before(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  auto pos = s.find(text(arg(a, 1)));
  return pos == std::string::npos ? a[0] : Value::string(s.substr(0, pos));
}

Value f_substring_after(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  const std::string& chars = text(arg(a, 1));
  auto pos = s.find(chars);
  return pos == std::string::npos ? a[0] : Value::string(s.substr(pos + chars.size()));
}

Value change_case(const Args& a, bool upper) {
  if (arg(a, 0).undefined()) return Value();
  auto cps = to_code_points(a[0].str());
  for (auto& c : cps) {
    if (upper) {
      if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) c -= 32;
    } else {
      if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) c += 32;
    }
  }
  return Value::string(from_code_points(cps.data(), cps.size()));
}
Value f_lowercase(Context&, Args& a, const Value&, const FramePtr&) {
  return change_case(a, false);
}
Value f_uppercase(Context&, Args& a, const Value&, const FramePtr&) { return change_case(a, true); }

Value f_length(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return Value::number(static_cast<double>(utf8_length(a[0].str())));
}

Value f_trim(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string out;
  bool in_space = false;
  for (char c : a[0].str()) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!in_space) out += ' ';
      in_space = true;
    } else {
      out += c;
      in_space = false;
    }
  }
  if (!out.empty() && out.front() == ' ') out.erase(0, 1);
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return Value::string(out);
}

// Padding beyond this many characters is refused instead of exhausting memory.
constexpr double pad_chars_max = 1e7;

Value f_pad(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string ch = arg(a, 2).is_string() && !text(a[2]).empty() ? text(a[2]) : " ";
  double width = arg(a, 1).num();
  double pad = std::floor(std::fabs(width)) - static_cast<double>(utf8_length(a[0].str()));
  if (pad <= 0) return a[0];
  if (pad > pad_chars_max) fail_value("D3001", arg(a, 1));
  auto ch_cps = to_code_points(ch);
  std::vector<char32_t> padding;
  for (std::size_t i = 0; i < static_cast<std::size_t>(pad); ++i)
    padding.push_back(ch_cps[i % ch_cps.size()]);
  std::string p = from_code_points(padding.data(), padding.size());
  return Value::string(width > 0 ? a[0].str() + p : p + a[0].str());
}

// ---- regular expressions ----

struct RegexMatch {
  std::size_t start = 0;  // byte offsets
  std::size_t end = 0;
  std::string text;
  std::vector<std::string> groups;
};

std::size_t byte_offset(const std::string& s, double cp_index) {
  std::size_t i = 0;
  for (double n = 0; i < s.size() && n < cp_index; ++n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

// Runs a JSONata matcher over s the way the reference iterates. A regex must give non-empty
// matches after the first (D1004) and stops at the end of the string; a user-defined matcher
// function returns {match, start, end, groups, next} objects and is followed through `next`.
class Matcher {
 public:
  Matcher(Context& ctx, const FramePtr& env, const Value& pattern, const std::string& s)
      : ctx_(ctx), env_(env), pattern_(pattern), s_(s) {
    if (!pattern.is_function()) fail("T1010");
  }

  std::optional<RegexMatch> first() {
    if (pattern_.fn().type == Function::Type::kRegex) return exec(0);
    return from_object(call(ctx_, pattern_, {Value::string(s_)}, env_));
  }
  std::optional<RegexMatch> next() {
    if (pattern_.fn().type != Function::Type::kRegex) {
      if (!next_.is_function()) return std::nullopt;
      Value fn = next_;
      return from_object(call(ctx_, fn, {}, env_));
    }
    if (last_ >= s_.size()) return std::nullopt;
    auto m = exec(last_);
    if (m && m->text.empty()) fail("D1004");
    return m;
  }

 private:
  Context& ctx_;
  const FramePtr& env_;
  Value pattern_;
  const std::string& s_;
  std::size_t last_ = 0;
  Value next_;

  std::optional<RegexMatch> from_object(const Value& r) {
    if (r.undefined()) return std::nullopt;
    const Value* start = r.is_object() ? r.obj().find("start") : nullptr;
    const Value* end = r.is_object() ? r.obj().find("end") : nullptr;
    const Value* groups = r.is_object() ? r.obj().find("groups") : nullptr;
    const Value* next = r.is_object() ? r.obj().find("next") : nullptr;
    bool ok = (start && start->is_number()) || (groups && groups->is_array()) ||
              (next && next->is_function());
    if (!ok) fail("T1010");
    RegexMatch m;
    const Value* text = r.obj().find("match");
    m.text = text && text->is_string() ? text->str() : "";
    m.start = byte_offset(s_, start && start->is_number() ? start->num() : 0);
    m.end = end && end->is_number() ? byte_offset(s_, end->num()) : m.start + m.text.size();
    if (groups && groups->is_array())
      for (const auto& g : groups->arr().items) m.groups.push_back(g.is_string() ? g.str() : "");
    next_ = next ? *next : Value();
    return m;
  }

  std::optional<RegexMatch> exec(std::size_t from) {
    const re2::RE2& re = *pattern_.fn().regex;
    int n = re.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(n));
    if (!re.Match(s_, from, s_.size(), re2::RE2::UNANCHORED, groups.data(), n)) {
      last_ = 0;
      return std::nullopt;
    }
    RegexMatch m;
    m.start = static_cast<std::size_t>(groups[0].data() - s_.data());
    m.end = m.start + groups[0].size();
    m.text = std::string(groups[0]);
    for (int i = 1; i < n; ++i)
      m.groups.emplace_back(groups[i].data() ? std::string(groups[i]) : "");
    last_ = m.end;
    return m;
  }
};

Value cp_index(const std::string& s, std::size_t byte) {
  return Value::number(static_cast<double>(utf8_length(std::string_view(s).substr(0, byte))));
}

Value match_object(const std::string& s, const RegexMatch& m, bool with_index) {
  Value o = make_object();
  o.obj().set("match", Value::string(m.text));
  if (with_index) {
    o.obj().set("index", cp_index(s, m.start));
  } else {
    o.obj().set("start", cp_index(s, m.start));
    o.obj().set("end", cp_index(s, m.end));
  }
  auto groups = std::make_shared<Array>();
  for (const auto& g : m.groups) groups->items.push_back(Value::string(g));
  o.obj().set("groups", Value::array(groups));
  return o;
}

Value f_match(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  const Value& limit = arg(a, 2);
  if (!limit.undefined() && limit.num() < 0) fail_value("D3040", limit);
  Value result = seq();
  if (!limit.undefined() && limit.num() <= 0) return result;
  Matcher m(ctx, env, arg(a, 1), s);
  auto cur = m.first();
  double count = 0;
  while (cur && (limit.undefined() || count < limit.num())) {
    result.arr().items.push_back(match_object(s, *cur, true));
    cur = m.next();
    ++count;
  }
  return result;
}

Value f_contains(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  if (arg(a, 1).is_string()) return Value::boolean(s.find(text(a[1])) != std::string::npos);
  Matcher m(ctx, env, arg(a, 1), s);
  return Value::boolean(m.first().has_value());
}

std::string substitute(const std::string& repl, const RegexMatch& m) {
  std::string out;
  std::size_t pos = 0;
  std::size_t idx = repl.find('$', pos);
  while (idx != std::string::npos && pos < repl.size()) {
    out += repl.substr(pos, idx - pos);
    pos = idx + 1;
    char d = pos < repl.size() ? repl[pos] : '\0';
    if (d == '$') {
      out += '$';
      ++pos;
    } else if (d == '0') {
      out += m.text;
      ++pos;
    } else {
      std::size_t ngroups = m.groups.size();
      std::size_t max_digits =
          ngroups == 0
              ? 1
              : static_cast<std::size_t>(std::floor(std::log10(static_cast<double>(ngroups)))) + 1;
      auto parse = [&](std::size_t digits) -> long {
        std::string t = repl.substr(pos, digits);
        std::size_t k = 0;
        while (k < t.size() && std::isdigit(static_cast<unsigned char>(t[k]))) ++k;
        if (k == 0) return -1;
        return std::stol(t.substr(0, k));
      };
      long index = parse(max_digits);
      if (max_digits > 1 && index > static_cast<long>(ngroups)) index = parse(max_digits - 1);
      if (index >= 0) {
        if (ngroups > 0 && index >= 1 && static_cast<std::size_t>(index) <= ngroups)
          out += m.groups[index - 1];
        pos += std::to_string(index).size();
      } else {
        out += '$';
      }
    }
    idx = repl.find('$', pos);
  }
  if (pos < repl.size()) out += repl.substr(pos);
  return out;
}

Value f_replace(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  const Value& pattern = arg(a, 1);
  const Value& repl = arg(a, 2);
  const Value& limit = arg(a, 3);
  if (pattern.is_string() && pattern.str().empty()) {
    JError err{"D3010"};
    err.value = pattern;
    err.index = 2;
    throw err;
  }
  if (!limit.undefined() && limit.num() < 0) {
    JError err{"D3011"};
    err.value = limit;
    err.index = 4;
    throw err;
  }
  if (!limit.undefined() && limit.num() <= 0) return a[0];
  std::string out;
  double count = 0;
  if (pattern.is_string()) {
    const std::string& p = pattern.str();
    std::size_t pos = 0;
    std::size_t idx = s.find(p, pos);
    while (idx != std::string::npos && (limit.undefined() || count < limit.num())) {
      out += s.substr(pos, idx - pos);
      out += repl.is_string() ? repl.str() : "";
      pos = idx + p.size();
      ++count;
      idx = s.find(p, pos);
    }
    out += s.substr(pos);
    return Value::string(out);
  }
  Matcher m(ctx, env, pattern, s);
  auto cur = m.first();
  if (!cur) return a[0];
  std::size_t pos = 0;
  while (cur && (limit.undefined() || count < limit.num())) {
    out += s.substr(pos, cur->start - pos);
    if (repl.is_string()) {
      out += substitute(repl.str(), *cur);
    } else {
      Value r = call(ctx, repl, {match_object(s, *cur, false)}, env);
      if (!r.is_string()) fail_value("D3012", r);
      out += r.str();
    }
    pos = cur->end;
    ++count;
    cur = m.next();
  }
  out += s.substr(pos);
  return Value::string(out);
}

Value f_split(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  const Value& sep = arg(a, 1);
  const Value& limit = arg(a, 2);
  if (!limit.undefined() && limit.num() < 0) fail_value("D3020", limit);
  Value result = make_array();
  auto& out = result.arr().items;
  if (!limit.undefined() && limit.num() <= 0) return result;
  if (sep.is_string()) {
    // String#split truncates its limit to an integer.
    double max = limit.undefined() ? 1e300 : std::floor(limit.num());
    auto room = [&] { return static_cast<double>(out.size()) < max; };
    const std::string& p = sep.str();
    if (p.empty()) {
      auto cps = to_code_points(s);
      for (std::size_t i = 0; i < cps.size() && room(); ++i)
        out.push_back(Value::string(from_code_points(&cps[i], 1)));
      return result;
    }
    std::size_t pos = 0;
    for (;;) {
      if (!room()) break;
      std::size_t idx = s.find(p, pos);
      if (idx == std::string::npos) {
        out.push_back(Value::string(s.substr(pos)));
        break;
      }
      out.push_back(Value::string(s.substr(pos, idx - pos)));
      pos = idx + p.size();
    }
    return result;
  }
  Matcher m(ctx, env, sep, s);
  auto cur = m.first();
  if (!cur) {
    out.push_back(a[0]);
    return result;
  }
  std::size_t start = 0;
  double count = 0;
  while (cur && (limit.undefined() || count < limit.num())) {
    out.push_back(Value::string(s.substr(start, cur->start - start)));
    start = cur->end;
    cur = m.next();
    ++count;
  }
  if (limit.undefined() || count < limit.num()) out.push_back(Value::string(s.substr(start)));
  return result;
}

Value f_join(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string sep = arg(a, 1).is_string() ? text(a[1]) : "";
  std::string out;
  bool first = true;
  for (const auto& x : items(a[0])) {
    if (!first) out += sep;
    first = false;
    out += x.str();
  }
  return Value::string(out);
}

}  // namespace

std::vector<Builtin> strings() {
  return {
      {"string", f_string, "<x-b?:s>", 1, nullptr},
      {"substring", f_substring, "<s-nn?:s>", 3, nullptr},
      {"substringBefore", f_substring_before, "<s-s:s>", 2, nullptr},
      {"substringAfter", f_substring_after, "<s-s:s>", 2, nullptr},
      {"lowercase", f_lowercase, "<s-:s>", 1, nullptr},
      {"uppercase", f_uppercase, "<s-:s>", 1, nullptr},
      {"length", f_length, "<s-:n>", 1, nullptr},
      {"trim", f_trim, "<s-:s>", 1, nullptr},
      {"pad", f_pad, "<s-ns?:s>", 3, nullptr},
      {"match", f_match, "<s-f<s:o>n?:a<o>>", 3, nullptr},
      {"contains", f_contains, "<s-(sf):b>", 2, nullptr},
      {"replace", f_replace, "<s-(sf)(sf)n?:s>", 4, nullptr},
      {"split", f_split, "<s-(sf)n?:a<s>>", 3, nullptr},
      {"join", f_join, "<a<s>s?:s>", 2, nullptr},
  };
}

}  // namespace stepwise::jsonata::builtins
