// JSONata's built-in functions (and AWS's additions), with the reference's signatures,
// argument rules and error codes.
#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "base/random.h"
#include "json/json.h"
#include "jsonata/internal.h"

namespace stepwise::jsonata {
namespace {

using Args = std::vector<Value>;

const Value& arg(const Args& a, std::size_t i) {
  static const Value none;
  return i < a.size() ? a[i] : none;
}

// The text of an optional string argument; an absent argument reads as empty text.
const std::string& text(const Value& v) {
  static const std::string empty;
  return v.is_string() ? v.str() : empty;
}

bool js_truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.as_bool();
    case Kind::kNumber:
      return v.num() != 0 && !std::isnan(v.num());
    case Kind::kString:
      return !v.str().empty();
    default:
      return true;
  }
}

Value seq(std::vector<Value> items = {}) { return make_sequence(std::move(items)); }

Value call(Context& ctx, const Value& fn, Args args, const FramePtr& env) {
  return apply(ctx, fn, std::move(args), Value::null(), env);
}

// The value, index and array arguments a callback can take, as many as it declares.
Args hof_args(const Value& fn, Value a, Value b, Value c) {
  if (!fn.is_function()) fail("T1006");
  Args out{std::move(a)};
  int n = fn.fn().arity();
  if (n >= 2) out.push_back(std::move(b));
  if (n >= 3) out.push_back(std::move(c));
  return out;
}

const std::vector<Value>& items(const Value& v) { return v.arr().items; }

// ---- aggregation ----

Value f_sum(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  double total = 0;
  for (const auto& x : items(a[0])) total += x.num();
  return Value::number(total);
}

Value f_count(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value::number(0);
  return Value::number(static_cast<double>(items(a[0]).size()));
}

Value extreme(const Args& a, bool max) {
  if (arg(a, 0).undefined() || items(a[0]).empty()) return Value();
  double best = max ? -INFINITY : INFINITY;
  for (const auto& x : items(a[0])) best = max ? std::max(best, x.num()) : std::min(best, x.num());
  return Value::number(best);
}
Value f_max(Context&, Args& a, const Value&, const FramePtr&) { return extreme(a, true); }
Value f_min(Context&, Args& a, const Value&, const FramePtr&) { return extreme(a, false); }

Value f_average(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined() || items(a[0]).empty()) return Value();
  double total = 0;
  for (const auto& x : items(a[0])) total += x.num();
  return Value::number(total / static_cast<double>(items(a[0]).size()));
}

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

// ---- numbers ----

double js_round(double x) { return std::floor(x + 0.5); }

double round_half_even(double arg, double precision) {
  if (precision != 0) {
    std::string s = number_to_string(arg);
    auto e = s.find('e');
    double exp = e == std::string::npos ? precision : std::stod(s.substr(e + 1)) + precision;
    arg = std::stod(s.substr(0, e) + "e" + number_to_string(exp));
  }
  double result = js_round(arg);
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) {
    std::string s = number_to_string(result);
    auto e = s.find('e');
    double exp = e == std::string::npos ? -precision : std::stod(s.substr(e + 1)) - precision;
    result = std::stod(s.substr(0, e) + "e" + number_to_string(exp));
  }
  if (result == 0) result = 0;  // no -0 in JSON
  return result;
}

Value f_round(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  double precision = arg(a, 1).undefined() ? 0 : a[1].num();
  return Value::number(round_half_even(a[0].num(), precision));
}

Value f_number(Context&, Args& a, const Value&, const FramePtr&) {
  const Value& v = arg(a, 0);
  if (v.undefined()) return Value();
  if (v.is_number()) return v;
  if (v.is_bool()) return Value::number(v.as_bool() ? 1 : 0);
  if (v.is_string()) {
    const std::string& s = v.str();
    static const re2::RE2 decimal("-?[0-9]+(\\.[0-9]+)?([Ee][-+]?[0-9]+)?");
    static const re2::RE2 based("0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+");
    if (re2::RE2::FullMatch(s, decimal)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Value::number(d);
    } else if (re2::RE2::FullMatch(s, based)) {
      int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
      double d = 0;
      for (std::size_t i = 2; i < s.size(); ++i) {
        char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
        d = d * base + (c >= 'a' ? c - 'a' + 10 : c - '0');
      }
      return Value::number(d);
    }
  }
  JError err{"D3030"};
  err.value = v;
  err.index = 1;
  throw err;
}

template <double (*F)(double)>
Value unary_math(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return Value::number(F(a[0].num()));
}
double do_floor(double x) { return std::floor(x); }
double do_ceil(double x) { return std::ceil(x); }
double do_abs(double x) { return std::fabs(x); }

Value f_sqrt(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  if (a[0].num() < 0) fail_value("D3060", a[0]);
  return Value::number(std::sqrt(a[0].num()));
}

Value f_power(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  double r = std::pow(a[0].num(), arg(a, 1).num());
  if (!std::isfinite(r)) {
    JError err{"D3061"};
    err.value = a[0];
    err.value2 = arg(a, 1);
    throw err;
  }
  return Value::number(r);
}

double next_random(Context& ctx) {
  if (!ctx.rng_seeded) {
    ctx.rng_state = entropy_seed();
    ctx.rng_seeded = true;
  }
  // SplitMix64 over the context's state: deterministic per evaluation seed.
  SplitMix64 rng(ctx.rng_state);
  double r = rng.next_unit();
  ctx.rng_state += 0x9E3779B97F4A7C15ULL;  // the state the generator advanced to
  return r;
}

Value f_random(Context& ctx, Args& a, const Value&, const FramePtr&) {
  if (!arg(a, 0).undefined()) {
    // AWS: $random(seed) is reproducible for a given seed.
    Context seeded;
    seeded.rng_seeded = true;
    seeded.rng_state = static_cast<std::uint64_t>(static_cast<std::int64_t>(a[0].num()));
    return Value::number(next_random(seeded));
  }
  return Value::number(next_random(ctx));
}

std::string to_radix(double value, int radix) {
  bool neg = value < 0;
  double v = std::fabs(value);
  std::string out;
  if (v == 0) out = "0";
  while (v >= 1) {
    int d = static_cast<int>(std::fmod(v, radix));
    out += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    v = std::floor(v / radix);
  }
  if (neg) out += '-';
  std::reverse(out.begin(), out.end());
  return out;
}

Value f_format_base(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  double value = round_half_even(a[0].num(), 0);
  double radix = arg(a, 1).undefined() ? 10 : round_half_even(a[1].num(), 0);
  if (radix < 2 || radix > 36) fail_value("D3100", Value::number(radix));
  return Value::string(to_radix(value, static_cast<int>(radix)));
}

Value f_format_number(Context&, Args& a, const Value&, const FramePtr&) {
  // An undefined picture passes the signature check; str() on it would dereference null.
  if (arg(a, 0).undefined() || !arg(a, 1).is_string()) return Value();
  return Value::string(format_number(a[0].num(), text(arg(a, 1)), arg(a, 2)));
}

Value f_format_integer(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined() || !arg(a, 1).is_string()) return Value();  // as f_format_number
  return Value::string(format_integer(a[0].num(), text(arg(a, 1))));
}

Value f_parse_integer(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined() || !arg(a, 1).is_string()) return Value();  // as f_format_number
  return parse_integer(a[0].str(), text(arg(a, 1)));
}

// ---- booleans ----

Value f_boolean(Context&, Args& a, const Value&, const FramePtr&) { return boolean_of(arg(a, 0)); }
Value f_not(Context&, Args& a, const Value&, const FramePtr&) {
  Value b = boolean_of(arg(a, 0));
  return b.undefined() ? b : Value::boolean(!b.as_bool());
}
Value f_exists(Context&, Args& a, const Value&, const FramePtr&) {
  return Value::boolean(!arg(a, 0).undefined());
}

// ---- higher-order ----

Value f_map(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = seq();
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Value r =
        call(ctx, a[1], hof_args(a[1], xs[i], Value::number(static_cast<double>(i)), a[0]), env);
    if (!r.undefined()) out.arr().items.push_back(r);
  }
  return out;
}

Value f_filter(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = seq();
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Value r =
        call(ctx, a[1], hof_args(a[1], xs[i], Value::number(static_cast<double>(i)), a[0]), env);
    if (truthy(r)) out.arr().items.push_back(xs[i]);
  }
  return out;
}

Value f_single(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  bool found = false;
  Value result;
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    bool positive = true;
    if (!arg(a, 1).undefined()) {
      Value r =
          call(ctx, a[1], hof_args(a[1], xs[i], Value::number(static_cast<double>(i)), a[0]), env);
      positive = truthy(r);
    }
    if (positive) {
      if (found) fail("D3138");
      result = xs[i];
      found = true;
    }
  }
  if (!found) fail("D3139");
  return result;
}

Value f_reduce(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  if (!arg(a, 1).is_function()) fail("T1006");
  int arity = a[1].fn().arity();
  if (arity < 2) {
    JError err{"D3050"};
    err.index = 1;
    throw err;
  }
  const auto& xs = items(a[0]);
  std::size_t index = 0;
  Value result;
  if (arg(a, 2).undefined() && !xs.empty()) {
    result = xs[0];
    index = 1;
  } else {
    result = arg(a, 2);
  }
  for (; index < xs.size(); ++index) {
    Args args{result, xs[index]};
    if (arity >= 3) args.push_back(Value::number(static_cast<double>(index)));
    if (arity >= 4) args.push_back(a[0]);
    result = call(ctx, a[1], std::move(args), env);
  }
  return result;
}

Value f_sift(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = make_object();
  for (const auto& [k, v] : a[0].obj().entries) {
    Value r = call(ctx, a[1], hof_args(a[1], v, Value::string(k), a[0]), env);
    if (truthy(r)) out.obj().set(k, v);
  }
  if (out.obj().size() == 0) return Value();
  return out;
}

Value f_each(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = seq();
  for (const auto& [k, v] : a[0].obj().entries) {
    Value r = call(ctx, a[1], hof_args(a[1], v, Value::string(k), a[0]), env);
    if (!r.undefined()) out.arr().items.push_back(r);
  }
  return out;
}

Value f_zip(Context&, Args& a, const Value&, const FramePtr&) {
  std::size_t n = SIZE_MAX;
  for (const auto& x : a) n = std::min(n, x.is_array() ? items(x).size() : std::size_t{0});
  if (a.empty()) n = 0;
  Value out = make_array();
  for (std::size_t i = 0; i < n; ++i) {
    Value tuple = make_array();
    for (const auto& x : a) tuple.arr().items.push_back(items(x)[i]);
    out.arr().items.push_back(tuple);
  }
  return out;
}

// ---- objects and arrays ----

void collect_keys(const Value& v, Value& out, std::vector<std::string>& seen) {
  if (v.is_array()) {
    for (const auto& x : items(v)) collect_keys(x, out, seen);
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.obj().entries) {
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      out.arr().items.push_back(Value::string(k));
    }
  }
}

Value f_keys(Context&, Args& a, const Value&, const FramePtr&) {
  Value out = seq();
  std::vector<std::string> seen;
  collect_keys(arg(a, 0), out, seen);
  return out;
}

Value lookup(const Value& input, const std::string& key) {
  if (input.is_array()) {
    Value out = seq();
    for (const auto& x : items(input)) {
      Value r = lookup(x, key);
      if (r.undefined()) continue;
      if (r.is_array()) {
        for (const auto& y : items(r)) out.arr().items.push_back(y);
      } else {
        out.arr().items.push_back(r);
      }
    }
    return out;
  }
  if (input.is_object()) {
    const Value* v = input.obj().find(key);
    return v ? *v : Value();
  }
  return Value();
}

Value f_lookup(Context&, Args& a, const Value&, const FramePtr&) {
  return lookup(arg(a, 0), arg(a, 1).is_string() ? text(a[1]) : "");
}

Value f_append(Context&, Args& a, const Value&, const FramePtr&) {
  return append(arg(a, 0), arg(a, 1));
}

Value spread(const Value& v) {
  if (v.is_array()) {
    Value out = seq();
    for (const auto& x : items(v)) out = append(out, spread(x));
    return out;
  }
  if (v.is_object()) {
    Value out = seq();
    for (const auto& [k, x] : v.obj().entries) {
      Value o = make_object();
      o.obj().set(k, x);
      out.arr().items.push_back(o);
    }
    return out;
  }
  return v;
}

Value f_spread(Context&, Args& a, const Value&, const FramePtr&) { return spread(arg(a, 0)); }

Value f_merge(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  Value out = make_object();
  for (const auto& x : items(a[0]))
    if (x.is_object())
      for (const auto& [k, v] : x.obj().entries) out.obj().set(k, v);
  return out;
}

Value f_reverse(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  if (items(a[0]).size() <= 1) return a[0];
  std::vector<Value> xs = items(a[0]);
  std::reverse(xs.begin(), xs.end());
  return make_array(std::move(xs));
}

Value f_error(Context&, Args& a, const Value&, const FramePtr&) {
  JError err{"D3137"};
  err.message = arg(a, 0).is_string() ? a[0].str() : "$error() function evaluated";
  throw err;
}

Value f_assert(Context&, Args& a, const Value&, const FramePtr&) {
  if (!arg(a, 0).as_bool()) {
    JError err{"D3141"};
    err.message = arg(a, 1).is_string() ? text(a[1]) : "$assert() statement failed";
    throw err;
  }
  return Value();
}

Value f_type(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return Value::string(type_of(a[0]));
}

Value f_sort(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  std::vector<Value> xs = items(a[0]);
  if (xs.size() <= 1) return a[0];
  const Value& cmp = arg(a, 1);
  if (cmp.undefined()) {
    bool nums = true, strs = true;
    for (const auto& x : xs) {
      if (!is_numeric(x)) nums = false;
      if (!x.is_string()) strs = false;
    }
    if (!nums && !strs) {
      JError err{"D3070"};
      err.index = 1;
      throw err;
    }
  }
  auto swap = [&](const Value& l, const Value& r) {
    if (cmp.undefined()) return l.is_number() ? l.num() > r.num() : l.str() > r.str();
    return js_truthy(call(ctx, cmp, {l, r}, env));
  };
  // Bottom-up merge sort: stable, and the comparator sees the same pairs as the reference.
  std::vector<Value> tmp(xs.size());
  for (std::size_t width = 1; width < xs.size(); width *= 2) {
    for (std::size_t lo = 0; lo < xs.size(); lo += 2 * width) {
      std::size_t mid = std::min(lo + width, xs.size()), hi = std::min(lo + 2 * width, xs.size());
      std::size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = swap(xs[i], xs[j]) ? xs[j++] : xs[i++];
      while (i < mid) tmp[k++] = xs[i++];
      while (j < hi) tmp[k++] = xs[j++];
    }
    xs.swap(tmp);
  }
  return make_array(std::move(xs));
}

Value f_shuffle(Context& ctx, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::vector<Value> xs = items(a[0]);
  for (std::size_t i = xs.size(); i > 1; --i) {
    auto j = static_cast<std::size_t>(next_random(ctx) * static_cast<double>(i));
    std::swap(xs[i - 1], xs[std::min(j, i - 1)]);
  }
  return make_array(std::move(xs));
}

Value f_distinct(Context&, Args& a, const Value&, const FramePtr&) {
  const Value& v = arg(a, 0);
  if (!v.is_array() || items(v).size() <= 1) return v;
  // The reference keeps the kind of its input: a sequence in, a sequence out (a singleton
  // collapses); an array in ($distinct([1,1]), a field holding an array), an array out.
  Value out = v.arr().sequence ? seq() : make_array();
  for (const auto& x : items(v)) {
    bool dup = false;
    for (const auto& y : out.arr().items)
      if (deep_equal(x, y)) {
        dup = true;
        break;
      }
    if (!dup) out.arr().items.push_back(x);
  }
  return out;
}

Value f_clone(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return deep_clone(a[0]);
}

// ---- encoding ----

const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Value f_base64encode(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  // The reference encodes the string's code units as Latin-1 bytes.
  auto cps = to_code_points(a[0].str());
  std::string bytes;
  for (auto c : cps) bytes += static_cast<char>(c & 0xFF);
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += b64[(n >> 6) & 63];
    out += b64[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? b64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return Value::string(out);
}

Value f_base64decode(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : a[0].str()) {
    const char* p = std::strchr(b64, c);
    if (!p || c == '\0') continue;
    buf = (buf << 6) | static_cast<unsigned>(p - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      append_utf8(out, static_cast<char32_t>((buf >> bits) & 0xFF));
    }
  }
  return Value::string(out);
}

Value encode_uri(const Args& a, const char* keep) {
  if (arg(a, 0).undefined()) return Value();
  std::string out;
  for (unsigned char c : a[0].str()) {
    if (std::isalnum(c) || std::strchr(keep, c)) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return Value::string(out);
}

Value f_encode_url_component(Context&, Args& a, const Value&, const FramePtr&) {
  return encode_uri(a, "-_.!~*'()");
}
Value f_encode_url(Context&, Args& a, const Value&, const FramePtr&) {
  return encode_uri(a, "-_.!~*'();/?:@&=+$,#");
}

Value decode_uri(const Args& a, const char* reserved, const char* name) {
  if (arg(a, 0).undefined()) return Value();
  const std::string& s = a[0].str();
  std::string out;
  auto hex = [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c))
               ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                              : (std::tolower(c) - 'a' + 10))
               : -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
      JError err{"D3140"};
      err.value = a[0];
      err.token = name;
      err.has_token = true;
      throw err;
    }
    char c = static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    if (static_cast<unsigned char>(c) < 0x80 && std::strchr(reserved, c) && c != '\0') {
      out += s.substr(i, 3);
    } else {
      out += c;
    }
    i += 2;
  }
  // A decoded byte sequence must be valid UTF-8 (JavaScript throws URIError otherwise).
  for (std::size_t i = 0; i < out.size();) {
    auto c = static_cast<unsigned char>(out[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= out.size();
    for (int k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(out[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      JError err{"D3140"};
      err.value = a[0];
      err.token = name;
      err.has_token = true;
      throw err;
    }
    i += len;
  }
  return Value::string(out);
}

Value f_decode_url_component(Context&, Args& a, const Value&, const FramePtr&) {
  return decode_uri(a, "", "decodeUrlComponent");
}
Value f_decode_url(Context&, Args& a, const Value&, const FramePtr&) {
  return decode_uri(a, ";/?:@&=+$,#", "decodeUrl");
}

// ---- date/time ----

Value f_now(Context& ctx, Args& a, const Value&, const FramePtr&) {
  return fn_from_millis(ctx.now_millis, arg(a, 0), arg(a, 1));
}
Value f_millis(Context& ctx, Args&, const Value&, const FramePtr&) {
  return Value::number(ctx.now_millis);
}
Value f_from_millis(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return fn_from_millis(a[0].num(), arg(a, 1), arg(a, 2));
}
Value f_to_millis(Context& ctx, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return fn_to_millis(a[0].str(), arg(a, 1), ctx.now_millis);
}

// ---- AWS additions ----

Value f_partition(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  double size = arg(a, 1).num();
  if (!(size >= 1)) fail_value("D3030", arg(a, 1));
  auto n = static_cast<std::size_t>(size);
  Value out = make_array();
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); i += n) {
    std::vector<Value> chunk(xs.begin() + static_cast<std::ptrdiff_t>(i),
                             xs.begin() + static_cast<std::ptrdiff_t>(std::min(i + n, xs.size())));
    out.arr().items.push_back(make_array(std::move(chunk)));
  }
  return out;
}

// AWS caps generated ranges; the same cap as the range operator keeps memory bounded.
constexpr double aws_range_items_max = 1e7;

Value f_range(Context&, Args& a, const Value&, const FramePtr&) {
  double start = arg(a, 0).num(), end = arg(a, 1).num();
  double step = arg(a, 2).undefined() ? 1 : a[2].num();
  if (step == 0 || !std::isfinite(step)) fail_value("D3030", arg(a, 2));
  Value out = make_array();
  double count = 0;
  for (double x = start; step > 0 ? x <= end : x >= end; x += step) {
    if (++count > aws_range_items_max) fail_value("D2014", Value::number(count));
    out.arr().items.push_back(Value::number(x));
  }
  return out;
}

Value f_hash(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string algo = arg(a, 1).is_string() ? text(a[1]) : "SHA-256";
  const EVP_MD* md = algo == "MD5"       ? EVP_md5()
                     : algo == "SHA-1"   ? EVP_sha1()
                     : algo == "SHA-256" ? EVP_sha256()
                     : algo == "SHA-384" ? EVP_sha384()
                     : algo == "SHA-512" ? EVP_sha512()
                                         : nullptr;
  if (!md) fail_value("D3030", arg(a, 1));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  const std::string& s = a[0].str();
  EVP_Digest(s.data(), s.size(), digest, &len, md, nullptr);
  std::string out;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    out += buf;
  }
  return Value::string(out);
}

Value f_uuid(Context& ctx, Args&, const Value&, const FramePtr&) {
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(next_random(ctx) * 256);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  std::string out;
  char buf[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    out += buf;
  }
  return Value::string(out);
}

}  // namespace

Value from_json_value(const json::value& v, std::size_t depth);

namespace {

Value f_parse(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  auto parsed = json::parse(a[0].str());
  if (!parsed.ok()) {
    JError err{"D3030"};
    err.value = a[0];
    throw err;
  }
  return from_json_value(*parsed, 0);
}

std::vector<Builtin> make_builtins() {
  std::vector<Builtin> b = {
      {"sum", f_sum, "<a<n>:n>", 1, nullptr},
      {"count", f_count, "<a:n>", 1, nullptr},
      {"max", f_max, "<a<n>:n>", 1, nullptr},
      {"min", f_min, "<a<n>:n>", 1, nullptr},
      {"average", f_average, "<a<n>:n>", 1, nullptr},
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
      {"formatNumber", f_format_number, "<n-so?:s>", 3, nullptr},
      {"formatBase", f_format_base, "<n-n?:s>", 2, nullptr},
      {"formatInteger", f_format_integer, "<n-s:s>", 2, nullptr},
      {"parseInteger", f_parse_integer, "<s-s:n>", 2, nullptr},
      {"number", f_number, "<(nsb)-:n>", 1, nullptr},
      {"floor", unary_math<do_floor>, "<n-:n>", 1, nullptr},
      {"ceil", unary_math<do_ceil>, "<n-:n>", 1, nullptr},
      {"round", f_round, "<n-n?:n>", 2, nullptr},
      {"abs", unary_math<do_abs>, "<n-:n>", 1, nullptr},
      {"sqrt", f_sqrt, "<n-:n>", 1, nullptr},
      {"power", f_power, "<n-n:n>", 2, nullptr},
      {"random", f_random, "<n?:n>", 0, nullptr},
      {"boolean", f_boolean, "<x-:b>", 1, nullptr},
      {"not", f_not, "<x-:b>", 1, nullptr},
      {"map", f_map, "<af>", 2, nullptr},
      {"zip", f_zip, "<a+>", 0, nullptr},
      {"filter", f_filter, "<af>", 2, nullptr},
      {"single", f_single, "<af?>", 2, nullptr},
      {"reduce", f_reduce, "<afj?:j>", 3, nullptr},
      {"sift", f_sift, "<o-f?:o>", 2, nullptr},
      {"keys", f_keys, "<x-:a<s>>", 1, nullptr},
      {"lookup", f_lookup, "<x-s:x>", 2, nullptr},
      {"append", f_append, "<xx:a>", 2, nullptr},
      {"exists", f_exists, "<x:b>", 1, nullptr},
      {"spread", f_spread, "<x-:a<o>>", 1, nullptr},
      {"merge", f_merge, "<a<o>:o>", 1, nullptr},
      {"reverse", f_reverse, "<a:a>", 1, nullptr},
      {"each", f_each, "<o-f:a>", 2, nullptr},
      {"error", f_error, "<s?:x>", 1, nullptr},
      {"assert", f_assert, "<bs?:x>", 2, nullptr},
      {"type", f_type, "<x:s>", 1, nullptr},
      {"sort", f_sort, "<af?:a>", 2, nullptr},
      {"shuffle", f_shuffle, "<a:a>", 1, nullptr},
      {"distinct", f_distinct, "<x:x>", 1, nullptr},
      {"base64encode", f_base64encode, "<s-:s>", 1, nullptr},
      {"base64decode", f_base64decode, "<s-:s>", 1, nullptr},
      {"encodeUrlComponent", f_encode_url_component, "<s-:s>", 1, nullptr},
      {"encodeUrl", f_encode_url, "<s-:s>", 1, nullptr},
      {"decodeUrlComponent", f_decode_url_component, "<s-:s>", 1, nullptr},
      {"decodeUrl", f_decode_url, "<s-:s>", 1, nullptr},
      {"toMillis", f_to_millis, "<s-s?:n>", 2, nullptr},
      {"fromMillis", f_from_millis, "<n-s?s?:s>", 3, nullptr},
      {"clone", f_clone, "<(oa)-:o>", 1, nullptr},
      {"now", f_now, "<s?s?:s>", 2, nullptr},
      {"millis", f_millis, "<:n>", 0, nullptr},
      {"partition", f_partition, "<an:a>", 2, nullptr},
      {"range", f_range, "<nnn?:a>", 3, nullptr},
      {"hash", f_hash, "<s-s?:s>", 2, nullptr},
      {"uuid", f_uuid, "<:s>", 0, nullptr},
      {"parse", f_parse, "<s-:j>", 1, nullptr},
  };
  for (auto& f : b) f.sig = parse_signature(f.signature);
  return b;
}

}  // namespace

const Builtin* find_builtin(std::string_view name) {
  static const std::vector<Builtin> builtins = make_builtins();
  static const std::map<std::string, const Builtin*, std::less<>> index = [] {
    std::map<std::string, const Builtin*, std::less<>> m;
    for (const auto& b : builtins) m[b.name] = &b;
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

const Value* builtin_value(std::string_view name) {
  // Built-in function values are immutable, so one shared value per built-in serves every
  // evaluation (and thread).
  static const std::map<std::string, Value, std::less<>> values = [] {
    std::map<std::string, Value, std::less<>> m;
    for (const char* n : {"sum",
                          "count",
                          "max",
                          "min",
                          "average",
                          "string",
                          "substring",
                          "substringBefore",
                          "substringAfter",
                          "lowercase",
                          "uppercase",
                          "length",
                          "trim",
                          "pad",
                          "match",
                          "contains",
                          "replace",
                          "split",
                          "join",
                          "formatNumber",
                          "formatBase",
                          "formatInteger",
                          "parseInteger",
                          "number",
                          "floor",
                          "ceil",
                          "round",
                          "abs",
                          "sqrt",
                          "power",
                          "random",
                          "boolean",
                          "not",
                          "map",
                          "zip",
                          "filter",
                          "single",
                          "reduce",
                          "sift",
                          "keys",
                          "lookup",
                          "append",
                          "exists",
                          "spread",
                          "merge",
                          "reverse",
                          "each",
                          "error",
                          "assert",
                          "type",
                          "sort",
                          "shuffle",
                          "distinct",
                          "base64encode",
                          "base64decode",
                          "encodeUrlComponent",
                          "encodeUrl",
                          "decodeUrlComponent",
                          "decodeUrl",
                          "toMillis",
                          "fromMillis",
                          "clone",
                          "now",
                          "millis",
                          "partition",
                          "range",
                          "hash",
                          "uuid",
                          "parse"}) {
      auto fn = std::make_shared<Function>();
      fn->type = Function::Type::kNative;
      fn->builtin = find_builtin(n);
      m[n] = Value::function(fn);
    }
    return m;
  }();
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

}  // namespace stepwise::jsonata
