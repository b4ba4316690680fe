// Date/time pictures ($fromMillis, $toMillis), after XPath F&O 3.1 §9.8 the way the JSONata
// reference implements them: the civil calendar, picture analysis, formatting and parsing.
// Numeric components use the integer pictures of integer_picture.cpp.
#include <re2/re2.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "jsonata/integer_picture.h"
#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {

constexpr double day_ms = 86400000.0;

// ---- civil calendar (proleptic Gregorian, UTC) ----

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  // Months outside 1..12 roll into neighbouring years, as Date.UTC allows.
  y += (m - 1) >= 0 ? (m - 1) / 12 : -((12 - m) / 12);
  m = ((m - 1) % 12 + 12) % 12 + 1;
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

double utc(double y, double m0, double d = 1, double h = 0, double mi = 0, double s = 0,
           double ms = 0) {
  auto days = static_cast<double>(
                  days_from_civil(static_cast<std::int64_t>(y), static_cast<int>(m0) + 1, 1)) +
              (d - 1);
  return days * day_ms + h * 3600000.0 + mi * 60000.0 + s * 1000.0 + ms;
}

struct Civil {
  std::int64_t year;
  int month;  // 0-based
  int day;
  int hour, minute, second, millis;
  int weekday;  // 0 = Sunday
  double time;  // millis since epoch
};

Civil civil(double millis) {
  double days_d = std::floor(millis / day_ms);
  auto z = static_cast<std::int64_t>(days_d);
  auto rem = static_cast<std::int64_t>(millis - days_d * day_ms);
  Civil c{};
  c.time = millis;
  c.weekday = static_cast<int>(((z % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  std::int64_t zz = z + 719468;
  const std::int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
  const auto doe = static_cast<unsigned>(zz - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = y + (m <= 2);
  c.month = m - 1;
  c.hour = static_cast<int>(rem / 3600000);
  c.minute = static_cast<int>(rem / 60000 % 60);
  c.second = static_cast<int>(rem / 1000 % 60);
  c.millis = static_cast<int>(rem % 1000);
  return c;
}

// ---- date/time pictures ----

struct Width {
  bool has_min = false, has_max = false;
  int min = 0, max = 0;
};

struct Part {
  bool literal = false;
  std::string value;  // literal text
  char component = 0;
  std::string presentation1, presentation2;
  bool has_names = false;
  Case names = Case::kLower;
  bool ordinal = false;
  bool has_width = false;
  Width width;
  bool has_int = false;
  IntFormat integer;
  int n = -1;
};

const std::map<char, std::string>& default_presentation() {
  static const std::map<char, std::string> m = {
      {'Y', "1"}, {'M', "1"},     {'D', "1"},     {'d', "1"}, {'F', "n"}, {'W', "1"},  {'w', "1"},
      {'X', "1"}, {'x', "1"},     {'H', "1"},     {'h', "1"}, {'P', "n"}, {'m', "01"}, {'s', "01"},
      {'f', "1"}, {'Z', "01:01"}, {'z', "01:01"}, {'C', "n"}, {'E', "n"}};
  return m;
}

Part analyse_marker(const std::string& raw) {
  std::string marker;
  for (char c : raw)
    if (!std::isspace(static_cast<unsigned char>(c))) marker += c;
  Part def;
  def.component = marker.empty() ? '\0' : marker[0];
  std::string pres;
  auto comma = marker.rfind(',');
  if (comma != std::string::npos) {
    std::string wm = marker.substr(comma + 1);
    auto dash = wm.find('-');
    std::string min = dash == std::string::npos ? wm : wm.substr(0, dash);
    std::string max = dash == std::string::npos ? "" : wm.substr(dash + 1);
    def.has_width = true;
    if (!min.empty() && min != "*") {
      def.width.has_min = true;
      def.width.min = std::atoi(min.c_str());
    }
    if (dash != std::string::npos && !max.empty() && max != "*") {
      def.width.has_max = true;
      def.width.max = std::atoi(max.c_str());
    }
    pres = marker.substr(1, comma - 1);
  } else {
    pres = marker.size() > 1 ? marker.substr(1) : "";
  }
  if (pres.size() == 1) {
    def.presentation1 = pres;
  } else if (pres.size() > 1) {
    char last = pres.back();
    if (std::string_view("atco").find(last) != std::string_view::npos) {
      def.presentation2 = std::string(1, last);
      if (last == 'o') def.ordinal = true;
      def.presentation1 = pres.substr(0, pres.size() - 1);
    } else {
      def.presentation1 = pres;
    }
  } else {
    auto it = default_presentation().find(def.component);
    if (it == default_presentation().end())
      fail_value("D3132", Value::string(std::string(1, def.component)));
    def.presentation1 = it->second;
  }
  if (def.presentation1[0] == 'n') {
    def.has_names = true;
    def.names = Case::kLower;
  } else if (def.presentation1[0] == 'N') {
    def.has_names = true;
    def.names =
        def.presentation1.size() > 1 && def.presentation1[1] == 'n' ? Case::kTitle : Case::kUpper;
  }
  if (!def.has_names && def.component != 'Z' && def.component != 'z' && def.component != 'P' &&
      def.component != 'C' && def.component != 'E') {
    std::string pattern = def.presentation1;
    if (!def.presentation2.empty()) pattern += ";" + def.presentation2;
    def.integer = analyse_integer_picture(pattern);
    def.has_int = true;
    def.integer.ordinal = def.ordinal;
    if (def.width.has_min && def.integer.mandatory < def.width.min)
      def.integer.mandatory = def.width.min;
    if (def.component == 'Y') {
      def.n = -1;
      if (def.width.has_max) {
        def.n = def.width.max;
        def.integer.mandatory = def.n;
      } else {
        int w = def.integer.mandatory + def.integer.optional;
        if (w >= 2) def.n = w;
      }
    }
  }
  if (def.component == 'Z' || def.component == 'z') {
    def.integer = analyse_integer_picture(def.presentation1);
    def.has_int = true;
  }
  return def;
}

std::vector<Part> analyse_datetime_picture(const std::string& picture) {
  std::vector<Part> spec;
  auto add_literal = [&](std::size_t start, std::size_t end) {
    if (end <= start) return;
    std::string lit = picture.substr(start, end - start);
    std::string out;
    for (std::size_t i = 0; i < lit.size(); ++i) {
      out += lit[i];
      if (lit[i] == ']' && i + 1 < lit.size() && lit[i + 1] == ']') ++i;
    }
    Part p;
    p.literal = true;
    p.value = out;
    spec.push_back(p);
  };
  std::size_t start = 0, pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] == '[') {
      if (pos + 1 < picture.size() && picture[pos + 1] == '[') {
        add_literal(start, pos);
        Part p;
        p.literal = true;
        p.value = "[";
        spec.push_back(p);
        pos += 2;
        start = pos;
        continue;
      }
      add_literal(start, pos);
      start = pos;
      pos = picture.find(']', start);
      if (pos == std::string::npos) fail("D3135");
      spec.push_back(analyse_marker(picture.substr(start + 1, pos - start - 1)));
      start = pos + 1;
    }
    ++pos;
  }
  add_literal(start, pos);
  return spec;
}

const char* month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};
const char* day_names[] = {"",         "Monday", "Tuesday",  "Wednesday",
                           "Thursday", "Friday", "Saturday", "Sunday"};

double start_of_first_week(std::int64_t year, int month) {
  // ISO 8601: week 1 contains the first Thursday (F&O applies the same rule to months).
  double first = utc(static_cast<double>(year), month);
  int dow = civil(first).weekday;
  if (dow == 0) dow = 7;
  return dow > 4 ? first + (8 - dow) * day_ms : first - (dow - 1) * day_ms;
}

void next_month(std::int64_t& y, int& m) {
  if (++m > 11) {
    m = 0;
    ++y;
  }
}
void previous_month(std::int64_t& y, int& m) {
  if (--m < 0) {
    m = 11;
    --y;
  }
}

Value fragment(const Civil& c, char component) {
  switch (component) {
    case 'Y':
      return Value::number(static_cast<double>(c.year));
    case 'M':
      return Value::number(c.month + 1);
    case 'D':
      return Value::number(c.day);
    case 'd': {
      double today = utc(static_cast<double>(c.year), c.month, c.day);
      double jan1 = utc(static_cast<double>(c.year), 0);
      return Value::number((today - jan1) / day_ms + 1);
    }
    case 'F':
      return Value::number(c.weekday == 0 ? 7 : c.weekday);
    case 'W': {
      double start = start_of_first_week(c.year, 0);
      double today = utc(static_cast<double>(c.year), c.month, c.day);
      double week = (today - start) / (day_ms * 7) + 1;
      if (week > 52) {
        if (today >= start_of_first_week(c.year + 1, 0)) week = 1;
      } else if (week < 1) {
        week = (today - start_of_first_week(c.year - 1, 0)) / (day_ms * 7) + 1;
      }
      return Value::number(std::floor(week));
    }
    case 'w': {
      double start = start_of_first_week(c.year, c.month);
      double today = utc(static_cast<double>(c.year), c.month, c.day);
      double week = (today - start) / (day_ms * 7) + 1;
      if (week > 4) {
        std::int64_t y = c.year;
        int m = c.month;
        next_month(y, m);
        if (today >= start_of_first_week(y, m)) week = 1;
      } else if (week < 1) {
        std::int64_t y = c.year;
        int m = c.month;
        previous_month(y, m);
        week = (today - start_of_first_week(y, m)) / (day_ms * 7) + 1;
      }
      return Value::number(std::floor(week));
    }
    case 'X': {
      double start = start_of_first_week(c.year, 0);
      double end = start_of_first_week(c.year + 1, 0);
      if (c.time < start) return Value::number(static_cast<double>(c.year - 1));
      if (c.time >= end) return Value::number(static_cast<double>(c.year + 1));
      return Value::number(static_cast<double>(c.year));
    }
    case 'x': {
      double start = start_of_first_week(c.year, c.month);
      std::int64_t ny = c.year;
      int nm = c.month;
      next_month(ny, nm);
      double end = start_of_first_week(ny, nm);
      if (c.time < start) {
        std::int64_t py = c.year;
        int pm = c.month;
        previous_month(py, pm);
        return Value::number(pm + 1);
      }
      if (c.time >= end) return Value::number(nm + 1);
      return Value::number(c.month + 1);
    }
    case 'H':
      return Value::number(c.hour);
    case 'h':
      return Value::number(c.hour % 12 == 0 ? 12 : c.hour % 12);
    case 'P':
      return Value::string(c.hour >= 12 ? "pm" : "am");
    case 'm':
      return Value::number(c.minute);
    case 's':
      return Value::number(c.second);
    case 'f':
      return Value::number(c.millis);
    case 'C':
    case 'E':
      return Value::string("ISO");
    default:
      return Value();
  }
}

std::string format_component(const Civil& c, const Part& part, int offset_hours,
                             int offset_minutes) {
  Value v = fragment(c, part.component);
  char comp = part.component;
  if (std::string_view("YMDdFWwXxHhms").find(comp) != std::string_view::npos) {
    double n = v.num();
    if (comp == 'Y' && part.n != -1) n = std::fmod(n, std::pow(10, part.n));
    if (part.has_names) {
      std::string name;
      if (comp == 'M' || comp == 'x') {
        name = month_names[static_cast<int>(n) - 1];
      } else if (comp == 'F') {
        name = day_names[static_cast<int>(n)];
      } else {
        fail_value("D3133", Value::string(std::string(1, comp)));
      }
      if (part.names == Case::kUpper) name = ascii_case(name, true);
      if (part.names == Case::kLower) name = ascii_case(name, false);
      if (part.width.has_max && static_cast<int>(name.size()) > part.width.max)
        name = name.substr(0, static_cast<std::size_t>(part.width.max));
      return name;
    }
    return format_int(n, part.integer);
  }
  if (comp == 'f') return format_int(v.num(), part.integer);
  if (comp == 'Z' || comp == 'z') {
    int offset = offset_hours * 100 + offset_minutes;
    std::string out;
    if (part.integer.regular) {
      out = format_int(offset, part.integer);
    } else {
      int digits = part.integer.mandatory;
      if (digits == 1 || digits == 2) {
        out = format_int(offset_hours, part.integer);
        if (offset_minutes != 0)
          out += ":" + format_int(offset_minutes, analyse_integer_picture("00"));
      } else if (digits == 3 || digits == 4) {
        out = format_int(offset, part.integer);
      } else {
        fail_value("D3134", Value::number(digits));
      }
    }
    if (offset >= 0) out = "+" + out;
    if (comp == 'z') out = "GMT" + out;
    if (offset == 0 && part.presentation2 == "t") out = "Z";
    return out;
  }
  if (comp == 'P') {
    std::string s = v.str();
    if (part.has_names && part.names == Case::kUpper) s = ascii_case(s, true);
    return s;
  }
  return v.is_string() ? v.str() : "";
}

}  // namespace

Value fn_from_millis(double millis, const Value& picture, const Value& tz) {
  if (!std::isfinite(millis) || std::fabs(millis) > 8.64e15)
    fail_value("D1001", Value::number(millis));
  int offset_hours = 0, offset_minutes = 0;
  if (tz.is_string()) {
    int offset = std::atoi(tz.str().c_str());
    offset_hours = static_cast<int>(std::floor(offset / 100.0));
    offset_minutes = offset % 100;
  }
  static const std::vector<Part> iso =
      analyse_datetime_picture("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
  std::vector<Part> custom;
  if (picture.is_string()) custom = analyse_datetime_picture(picture.str());
  const std::vector<Part>& spec = picture.is_string() ? custom : iso;
  double offset_ms = (60.0 * offset_hours + offset_minutes) * 60000.0;
  Civil c = civil(millis + offset_ms);
  std::string out;
  for (const auto& part : spec)
    out += part.literal ? part.value : format_component(c, part, offset_hours, offset_minutes);
  return Value::string(out);
}

namespace {

Value iso_to_millis(const std::string& ts) {
  static const re2::RE2 iso(
      "(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?)?)?)?"
      "(Z|[+-]\\d{2}:?\\d{2})?");
  std::string y, mo, d, h, mi, s, f, z;
  if (!re2::RE2::FullMatch(ts, iso, &y, &mo, &d, &h, &mi, &s, &f, &z))
    fail_value("D3110", Value::string(ts));
  auto num = [](const std::string& x, double def) {
    return x.empty() ? def : std::strtod(x.c_str(), nullptr);
  };
  double ms = f.empty() ? 0 : std::floor(std::strtod(("0." + f).c_str(), nullptr) * 1000 + 1e-9);
  double t = utc(num(y, 0), num(mo, 1) - 1, num(d, 1), num(h, 0), num(mi, 0), num(s, 0), ms);
  if (!z.empty() && z != "Z") {
    int sign = z[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : z.substr(1))
      if (c != ':') digits += c;
    double offset = std::strtod(digits.substr(0, 2).c_str(), nullptr) * 60 +
                    std::strtod(digits.substr(2).c_str(), nullptr);
    t -= sign * offset * 60000;
  }
  return Value::number(t);
}

struct MatchPart {
  std::string regex;
  const Part* part = nullptr;
};

double parse_component(const Part& part, const std::string& text) {
  char comp = part.component;
  if (comp == 'Z' || comp == 'z') {
    std::string v = comp == 'z' ? text.substr(3) : text;
    const Separator* sep = part.integer.regular ? &part.integer.regular_separator : nullptr;
    double hours = 0, minutes = 0;
    if (sep) {
      auto at = v.find(sep->character);
      hours = std::strtod(v.substr(0, at).c_str(), nullptr);
      minutes = std::strtod(v.substr(at + sep->character.size()).c_str(), nullptr);
    } else if (v.size() - 1 <= 2) {
      hours = std::strtod(v.c_str(), nullptr);
    } else {
      hours = std::strtod(v.substr(0, 3).c_str(), nullptr);
      minutes = std::strtod(v.substr(3).c_str(), nullptr);
    }
    return hours * 60 + minutes;
  }
  if (part.has_int) return integer_parse(part.integer, text);
  auto cut = [&](const char* name) {
    std::string s = name;
    return part.width.has_max ? s.substr(0, static_cast<std::size_t>(part.width.max)) : s;
  };
  if (comp == 'M' || comp == 'x') {
    for (int i = 0; i < 12; ++i)
      if (cut(month_names[i]) == text) return i + 1;
    return NAN;
  }
  if (comp == 'F') {
    for (int i = 1; i < 8; ++i)
      if (cut(day_names[i]) == text) return i;
    return NAN;
  }
  if (comp == 'P') {
    if (text == "am" || text == "AM") return 0;
    if (text == "pm" || text == "PM") return 1;
    return NAN;
  }
  fail_value("D3133", Value::string(std::string(1, comp)));
}

std::string part_regex(const Part& part) {
  char comp = part.component;
  if (comp == 'Z' || comp == 'z') {
    std::string re = comp == 'z' ? "GMT" : "";
    re += "[-+][0-9]+";
    if (part.integer.regular)
      re += regex_quote(part.integer.regular_separator.character) + "[0-9]+";
    return re;
  }
  if (part.has_int) return integer_regex(part.integer, true);
  if (comp == 'M' || comp == 'x' || comp == 'F' || comp == 'P') return "[a-zA-Z]+";
  fail_value("D3133", Value::string(std::string(1, comp)));
}

}  // namespace

Value fn_to_millis(const std::string& ts, const Value& picture, double now_millis) {
  if (!picture.is_string()) return iso_to_millis(ts);
  std::vector<Part> spec = analyse_datetime_picture(picture.str());
  std::string full = "^";
  for (const auto& p : spec) full += "(" + (p.literal ? regex_quote(p.value) : part_regex(p)) + ")";
  full += "$";
  re2::RE2::Options opts;
  opts.set_case_sensitive(false);
  opts.set_log_errors(false);
  re2::RE2 re(full, opts);
  int n = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<std::size_t>(n) + 1);
  if (!re.ok() || !re.Match(ts, 0, ts.size(), re2::RE2::ANCHOR_BOTH, groups.data(), n + 1))
    return Value();
  std::map<char, double> comps;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i].literal) continue;
    comps[spec[i].component] = parse_component(spec[i], std::string(groups[i + 1]));
  }
  if (comps.empty()) return Value();
  auto has = [&](char c) { return comps.count(c) > 0; };
  int mask = 0;
  for (char c : std::string("YXMxWwdD")) mask = (mask << 1) | (has(c) ? 1 : 0);
  auto is_type = [&](int type) { return !(~type & mask) && (type & mask); };
  bool date_a = is_type(161), date_b = !date_a && is_type(130);
  bool date_c = is_type(84), date_d = !date_c && is_type(72);
  mask = 0;
  for (char c : std::string("PHhmsf")) mask = (mask << 1) | (has(c) ? 1 : 0);
  bool time_a = is_type(23), time_b = !time_a && is_type(47);
  std::string date_comps = date_b ? "YD" : date_c ? "XxwF" : date_d ? "XWF" : "YMD";
  std::string time_comps = time_b ? "Phmsf" : "Hmsf";
  Civil now = civil(now_millis);
  bool start_specified = false, end_specified = false;
  for (char c : date_comps + time_comps) {
    if (!has(c)) {
      if (start_specified) {
        comps[c] = std::string_view("MDd").find(c) != std::string_view::npos ? 1 : 0;
        end_specified = true;
      } else {
        Value v = fragment(now, c);
        comps[c] = v.is_number() ? v.num() : 0;
      }
    } else {
      start_specified = true;
      if (end_specified) fail("D3136");
    }
  }
  comps['M'] = comps['M'] > 0 ? comps['M'] - 1 : 0;
  if (date_b) {
    Civil derived = civil(utc(comps['Y'], 0) + (comps['d'] - 1) * day_ms);
    comps['M'] = derived.month;
    comps['D'] = derived.day;
  }
  if (date_c || date_d) fail("D3136");
  if (time_b) {
    comps['H'] = comps['h'] == 12 ? 0 : comps['h'];
    if (comps['P'] == 1) comps['H'] += 12;
  }
  double millis =
      utc(comps['Y'], comps['M'], comps['D'], comps['H'], comps['m'], comps['s'], comps['f']);
  double tz = has('Z') ? comps['Z'] : has('z') ? comps['z'] : 0;
  millis -= tz * 60000;
  return Value::number(millis);
}

}  // namespace stepwise::jsonata
