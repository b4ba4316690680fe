// $formatNumber: XPath F&O 3.1 §4.7 decimal-format pictures, following the JSONata reference
// (validation codes D3080-D3093). Works on code points so non-ASCII symbols (‰) behave.
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {

using U = std::u32string;

U u(std::string_view s) {
  auto cps = to_code_points(s);
  return U(cps.begin(), cps.end());
}
std::string s8(const U& x) { return from_code_points(x.data(), x.size()); }

struct Props {
  char32_t decimal = '.', grouping = ',', exponent = 'e', minus = '-', percent = '%',
           permille = 0x2030, zero = '0', digit = '#', pattern = ';';
  U family;  // the ten decimal digits
  U active;  // digits and the active symbols
  bool is_digit(char32_t c) const { return family.find(c) != U::npos; }
  bool is_active(char32_t c) const { return active.find(c) != U::npos; }
};

struct SubPicture {
  U prefix, suffix, active, mantissa, integer, fractional, whole;
  bool has_exponent = false;
  U exponent;
};

struct Analysis {
  std::vector<int> integer_groups;
  int regular = 0;
  int min_integer = 0;
  int scaling = 0;
  U prefix, suffix, picture;
  std::vector<int> fraction_groups;
  int min_fraction = 0, max_fraction = 0, min_exponent = 0;
};

SubPicture split_parts(const U& sub, const Props& p) {
  SubPicture r;
  r.whole = sub;
  std::size_t first = sub.size(), last = sub.size();
  for (std::size_t i = 0; i < sub.size(); ++i)
    if (p.is_active(sub[i]) && sub[i] != p.exponent) {
      first = i;
      break;
    }
  for (std::size_t i = sub.size(); i-- > 0;)
    if (p.is_active(sub[i]) && sub[i] != p.exponent) {
      last = i;
      break;
    }
  r.prefix = sub.substr(0, first);
  r.suffix = last == sub.size() ? U() : sub.substr(last + 1);
  std::size_t active_len = sub.size() - r.prefix.size() - r.suffix.size();
  r.active = first <= sub.size() ? sub.substr(r.prefix.size(), active_len) : U();
  std::size_t exp_pos = sub.find(p.exponent, r.prefix.size());
  if (exp_pos == U::npos || exp_pos > sub.size() - r.suffix.size()) {
    r.mantissa = r.active;
  } else {
    r.mantissa = r.active.substr(0, std::min(exp_pos, r.active.size()));
    r.exponent = exp_pos + 1 <= r.active.size() ? r.active.substr(exp_pos + 1) : U();
    r.has_exponent = true;
  }
  std::size_t dp = r.mantissa.find(p.decimal);
  if (dp == U::npos) {
    r.integer = r.mantissa;
    r.fractional = r.suffix;
  } else {
    r.integer = r.mantissa.substr(0, dp);
    r.fractional = r.mantissa.substr(dp + 1);
  }
  return r;
}

void validate(const SubPicture& parts, const Props& p) {
  const U& sub = parts.whole;
  const char* error = nullptr;
  std::size_t dp = sub.find(p.decimal);
  if (dp != sub.rfind(p.decimal)) error = "D3081";
  if (sub.find(p.percent) != sub.rfind(p.percent)) error = "D3082";
  if (sub.find(p.permille) != sub.rfind(p.permille)) error = "D3083";
  if (sub.find(p.percent) != U::npos && sub.find(p.permille) != U::npos) error = "D3084";
  bool valid = false;
  for (char32_t c : parts.mantissa)
    if (p.is_digit(c) || c == p.digit) valid = true;
  if (!valid) error = "D3085";
  for (char32_t c : parts.active)
    if (!p.is_active(c)) error = "D3086";
  if (dp != U::npos) {
    if ((dp > 0 && sub[dp - 1] == p.grouping) || (dp + 1 < sub.size() && sub[dp + 1] == p.grouping))
      error = "D3087";
  } else if (!parts.integer.empty() && parts.integer.back() == p.grouping) {
    error = "D3088";
  }
  if (sub.find(U{p.grouping, p.grouping}) != U::npos) error = "D3089";
  std::size_t opt = parts.integer.find(p.digit);
  if (opt != U::npos)
    for (std::size_t i = 0; i < opt; ++i)
      if (p.is_digit(parts.integer[i])) error = "D3090";
  opt = parts.fractional.rfind(p.digit);
  if (opt != U::npos)
    for (std::size_t i = opt; i < parts.fractional.size(); ++i)
      if (p.is_digit(parts.fractional[i])) error = "D3091";
  if (parts.has_exponent && !parts.exponent.empty() &&
      (sub.find(p.percent) != U::npos || sub.find(p.permille) != U::npos))
    error = "D3092";
  if (parts.has_exponent) {
    bool bad = parts.exponent.empty();
    for (char32_t c : parts.exponent)
      if (!p.is_digit(c)) bad = true;
    if (bad) error = "D3093";
  }
  if (error) fail(error);
}

Analysis analyse(const SubPicture& parts, const Props& p) {
  Analysis a;
  auto grouping_positions = [&](const U& part, bool to_left) {
    std::vector<int> positions;
    std::size_t pos = part.find(p.grouping);
    while (pos != U::npos) {
      U side = to_left ? part.substr(0, pos) : part.substr(pos);
      int n = 0;
      for (char32_t c : side)
        if (p.is_digit(c) || c == p.digit) ++n;
      positions.push_back(n);
      pos = parts.integer.find(p.grouping, pos + 1);
    }
    return positions;
  };
  a.integer_groups = grouping_positions(parts.integer, false);
  if (!a.integer_groups.empty()) {
    int factor = 0;
    for (int x : a.integer_groups) factor = std::gcd(factor, x);
    a.regular = factor;
    for (std::size_t i = 1; i <= a.integer_groups.size(); ++i) {
      bool found = false;
      for (int x : a.integer_groups)
        if (x == static_cast<int>(i) * factor) found = true;
      if (!found) a.regular = 0;
    }
  }
  a.fraction_groups = grouping_positions(parts.fractional, true);
  for (char32_t c : parts.integer)
    if (p.is_digit(c)) ++a.min_integer;
  a.scaling = a.min_integer;
  for (char32_t c : parts.fractional) {
    if (p.is_digit(c)) ++a.min_fraction;
    if (p.is_digit(c) || c == p.digit) ++a.max_fraction;
  }
  if (a.min_integer == 0 && a.max_fraction == 0) {
    if (parts.has_exponent) {
      a.min_fraction = 1;
      a.max_fraction = 1;
    } else {
      a.min_integer = 1;
    }
  }
  if (parts.has_exponent && a.min_integer == 0 && parts.integer.find(p.digit) != U::npos)
    a.min_integer = 1;
  if (a.min_integer == 0 && a.min_fraction == 0) a.min_fraction = 1;
  if (parts.has_exponent)
    for (char32_t c : parts.exponent)
      if (p.is_digit(c)) ++a.min_exponent;
  a.prefix = parts.prefix;
  a.suffix = parts.suffix;
  a.picture = parts.whole;
  return a;
}

double round_half_even(double arg, int precision) {
  auto shift = [](double v, int by) {
    std::string s = number_to_string(v);
    auto e = s.find('e');
    double exp = (e == std::string::npos ? 0 : std::stod(s.substr(e + 1))) + by;
    return std::stod(s.substr(0, e) + "e" + number_to_string(exp));
  };
  if (precision) arg = shift(arg, precision);
  double result = std::floor(arg + 0.5);
  if (std::fabs(result - arg) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision) result = shift(result, -precision);
  return result == 0 ? 0 : result;
}

U make_string(double value, int dp, const Props& p) {
  std::vector<char> buf(400);
  std::snprintf(buf.data(), buf.size(), "%.*f", dp, std::fabs(value));
  U out = u(buf.data());
  if (p.zero != '0')
    for (auto& c : out)
      if (c >= '0' && c <= '9') c = p.family[c - '0'];
  return out;
}

char32_t prop(const Value& options, const char* name, char32_t def) {
  if (!options.is_object()) return def;
  const Value* v = options.obj().find(name);
  if (!v || !v->is_string() || v->str().empty()) return def;
  return to_code_points(v->str())[0];
}

std::string prop_string(const Value& options, const char* name, const char* def) {
  if (!options.is_object()) return def;
  const Value* v = options.obj().find(name);
  return v && v->is_string() ? v->str() : def;
}

}  // namespace

std::string format_number(double value, const std::string& picture, const Value& options) {
  if (!std::isfinite(value)) fail_value("D1001", Value::number(value));
  Props p;
  p.decimal = prop(options, "decimal-separator", p.decimal);
  p.grouping = prop(options, "grouping-separator", p.grouping);
  p.exponent = prop(options, "exponent-separator", p.exponent);
  p.minus = prop(options, "minus-sign", p.minus);
  p.percent = prop(options, "percent", p.percent);
  p.permille = prop(options, "per-mille", p.permille);
  p.zero = prop(options, "zero-digit", p.zero);
  p.digit = prop(options, "digit", p.digit);
  p.pattern = prop(options, "pattern-separator", p.pattern);
  for (char32_t c = p.zero; c < p.zero + 10; ++c) p.family += c;
  p.active = p.family + U{p.decimal, p.exponent, p.grouping, p.digit, p.pattern};
  U pic = u(picture);
  std::vector<U> subs;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= pic.size(); ++i) {
    if (i == pic.size() || pic[i] == p.pattern) {
      subs.push_back(pic.substr(start, i - start));
      start = i + 1;
    }
  }
  if (subs.size() > 2) fail("D3080");
  std::vector<SubPicture> parts;
  for (const auto& s : subs) parts.push_back(split_parts(s, p));
  for (const auto& part : parts) validate(part, p);
  std::vector<Analysis> vars;
  for (const auto& part : parts) vars.push_back(analyse(part, p));
  if (vars.size() == 1) {
    vars.push_back(vars[0]);
    vars[1].prefix = U{p.minus} + vars[1].prefix;
  }
  (void)prop_string;
  const Analysis& pic_a = value >= 0 ? vars[0] : vars[1];
  double adjusted = value;
  if (pic_a.picture.find(p.percent) != U::npos) {
    adjusted = value * 100;
  } else if (pic_a.picture.find(p.permille) != U::npos) {
    adjusted = value * 1000;
  }
  double mantissa = adjusted;
  bool has_exponent = pic_a.min_exponent != 0;
  int exponent = 0;
  if (has_exponent) {
    double max_m = std::pow(10, pic_a.scaling);
    double min_m = std::pow(10, pic_a.scaling - 1);
    // Bounded: a finite double needs at most ~650 decimal shifts either way.
    for (int guard = 0; mantissa != 0 && mantissa < min_m && guard < 700; ++guard) {
      mantissa *= 10;
      exponent -= 1;
    }
    for (int guard = 0; mantissa > max_m && guard < 700; ++guard) {
      mantissa /= 10;
      exponent += 1;
    }
  }
  double rounded = round_half_even(mantissa, pic_a.max_fraction);
  U sv = make_string(rounded, pic_a.max_fraction, p);
  std::size_t dot = sv.find('.');
  if (dot == U::npos) {
    sv += p.decimal;
  } else {
    sv[dot] = p.decimal;
  }
  while (!sv.empty() && sv.front() == p.zero) sv.erase(0, 1);
  while (!sv.empty() && sv.back() == p.zero) sv.pop_back();
  auto dpos = static_cast<long>(sv.find(p.decimal));
  long pad_left = pic_a.min_integer - dpos;
  long pad_right = pic_a.min_fraction - (static_cast<long>(sv.size()) - dpos - 1);
  if (pad_left > 0) sv = U(static_cast<std::size_t>(pad_left), p.zero) + sv;
  if (pad_right > 0) sv += U(static_cast<std::size_t>(pad_right), p.zero);
  dpos = static_cast<long>(sv.find(p.decimal));
  if (pic_a.regular > 0) {
    long groups = (dpos - 1) / pic_a.regular;
    for (long g = 1; g <= groups; ++g) {
      long at = dpos - g * pic_a.regular;
      sv.insert(static_cast<std::size_t>(at), 1, p.grouping);
    }
  } else {
    for (int pos : pic_a.integer_groups) {
      long at = dpos - pos;
      if (at >= 0) sv.insert(static_cast<std::size_t>(at), 1, p.grouping);
      ++dpos;
    }
  }
  dpos = static_cast<long>(sv.find(p.decimal));
  for (int pos : pic_a.fraction_groups) {
    std::size_t at = static_cast<std::size_t>(pos + dpos + 1);
    if (at <= sv.size()) sv.insert(at, 1, p.grouping);
  }
  dpos = static_cast<long>(sv.find(p.decimal));
  if (pic_a.min_fraction == 0 && dpos == static_cast<long>(sv.size()) - 1) sv.pop_back();
  if (has_exponent) {
    U se = make_string(exponent, 0, p);
    long pad = pic_a.min_exponent - static_cast<long>(se.size());
    if (pad > 0) se = U(static_cast<std::size_t>(pad), p.zero) + se;
    sv += p.exponent;
    if (exponent < 0) sv += p.minus;
    sv += se;
  }
  return s8(pic_a.prefix + sv + pic_a.suffix);
}

}  // namespace stepwise::jsonata
