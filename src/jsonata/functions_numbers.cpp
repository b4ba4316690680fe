// JSONata's aggregation ($sum, $max, $average...), numeric ($round, $number, $power, $random,
// $formatNumber...) and boolean ($boolean, $not, $exists) built-in functions.
#include <re2/re2.h>

#include <cmath>

#include "base/random.h"

#include "jsonata/functions_internal.h"

namespace stepwise::jsonata::builtins {
namespace {

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

}  // namespace

double next_random(Context& ctx) {
  if (!ctx.rng_seeded) {
    ctx.rng = SplitMix64(entropy_seed());
    ctx.rng_seeded = true;
  }
  // Deterministic per evaluation seed.
  return ctx.rng.next_unit();
}

namespace {

Value f_random(Context& ctx, Args& a, const Value&, const FramePtr&) {
  if (!arg(a, 0).undefined()) {
    // AWS: $random(seed) is reproducible for a given seed.
    Context seeded;
    seeded.rng_seeded = true;
    seeded.rng = SplitMix64(static_cast<std::uint64_t>(static_cast<std::int64_t>(a[0].num())));
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

}  // namespace

std::vector<Builtin> numbers() {
  return {
      {"sum", f_sum, "<a<n>:n>", 1, nullptr},
      {"count", f_count, "<a:n>", 1, nullptr},
      {"max", f_max, "<a<n>:n>", 1, nullptr},
      {"min", f_min, "<a<n>:n>", 1, nullptr},
      {"average", f_average, "<a<n>:n>", 1, nullptr},
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
      {"exists", f_exists, "<x:b>", 1, nullptr},
  };
}

}  // namespace stepwise::jsonata::builtins
