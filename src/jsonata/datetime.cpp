// Date/time pictures ($fromMillis, $toMillis), integer pictures ($formatInteger,
// $parseInteger), after XPath F&O 3.1 §9.8 the way the JSONata reference implements them.
#include <re2/re2.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

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

// ---- integer pictures ----

enum class Primary { kDecimal, kLetters, kRoman, kWords, kSequence };
enum class Case { kUpper, kLower, kTitle };

struct Separator {
  int position = 0;
  std::string character;
};

struct IntFormat {
  Primary primary = Primary::kDecimal;
  Case tcase = Case::kLower;
  bool ordinal = false;
  char32_t zero = 0x30;
  int mandatory = 0;
  int optional = 0;
  bool regular = false;
  std::vector<Separator> separators;
  Separator regular_separator;
  std::string token;
};

const char* few[] = {"Zero",    "One",     "Two",       "Three",    "Four",
                     "Five",    "Six",     "Seven",     "Eight",    "Nine",
                     "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                     "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
const char* ordinals[] = {"Zeroth",    "First",     "Second",      "Third",      "Fourth",
                          "Fifth",     "Sixth",     "Seventh",     "Eighth",     "Ninth",
                          "Tenth",     "Eleventh",  "Twelfth",     "Thirteenth", "Fourteenth",
                          "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
const char* decades[] = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                         "Seventy", "Eighty", "Ninety", "Hundred"};
const char* magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

std::string words_lookup(double num, bool prev, bool ord) {
  std::string words;
  if (num <= 19) {
    words = std::string(prev ? " and " : "") +
            (ord ? ordinals[static_cast<int>(num)] : few[static_cast<int>(num)]);
  } else if (num < 100) {
    int tens = static_cast<int>(num / 10);
    int remainder = static_cast<int>(std::fmod(num, 10));
    words = std::string(prev ? " and " : "") + decades[tens - 2];
    if (remainder > 0) {
      words += "-" + words_lookup(remainder, false, ord);
    } else if (ord) {
      words = words.substr(0, words.size() - 1) + "ieth";
    }
  } else if (num < 1000) {
    int hundreds = static_cast<int>(num / 100);
    double remainder = std::fmod(num, 100);
    words = std::string(prev ? ", " : "") + few[hundreds] + " Hundred";
    if (remainder > 0) {
      words += words_lookup(remainder, true, ord);
    } else if (ord) {
      words += "th";
    }
  } else {
    int mag = static_cast<int>(std::floor(std::log10(num) / 3));
    if (mag > 4) mag = 4;
    double factor = std::pow(10, mag * 3);
    double mant = std::floor(num / factor);
    double remainder = num - mant * factor;
    words = std::string(prev ? ", " : "") + words_lookup(mant, false, false) + " " +
            magnitudes[mag - 1];
    if (remainder > 0) {
      words += words_lookup(remainder, true, ord);
    } else if (ord) {
      words += "th";
    }
  }
  return words;
}

std::string ascii_case(std::string s, bool upper) {
  for (auto& c : s)
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                : std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::map<std::string, double>& word_values() {
  static const std::map<std::string, double> values = [] {
    std::map<std::string, double> m;
    for (int i = 0; i < 20; ++i) {
      m[ascii_case(few[i], false)] = i;
      m[ascii_case(ordinals[i], false)] = i;
    }
    for (int i = 0; i < 9; ++i) {
      std::string w = ascii_case(decades[i], false);
      m[w] = (i + 2) * 10;
      m[w.substr(0, w.size() - 1) + "ieth"] = (i + 2) * 10;
    }
    m["hundredth"] = 100;
    for (int i = 0; i < 4; ++i) {
      std::string w = ascii_case(magnitudes[i], false);
      m[w] = std::pow(10, (i + 1) * 3);
      m[w + "th"] = std::pow(10, (i + 1) * 3);
    }
    return m;
  }();
  return values;
}

double words_to_number(const std::string& text) {
  static const re2::RE2 splitter(",\\s|\\sand\\s|[\\s\\-]");
  std::vector<std::string> parts;
  re2::StringPiece input(text);
  re2::StringPiece match;
  std::size_t start = 0;
  while (!input.empty()) {
    std::size_t offset = static_cast<std::size_t>(input.data() - text.data());
    if (!splitter.Match(text, offset, text.size(), re2::RE2::UNANCHORED, &match, 1)) break;
    auto mstart = static_cast<std::size_t>(match.data() - text.data());
    parts.push_back(text.substr(start, mstart - start));
    start = mstart + match.size();
    input = re2::StringPiece(text.data() + start, text.size() - start);
    if (match.empty()) break;
  }
  parts.push_back(text.substr(start));
  std::vector<double> segs{0};
  for (const auto& part : parts) {
    auto it = word_values().find(part);
    double value = it == word_values().end() ? NAN : it->second;
    if (value < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + value);
    } else {
      double top = segs.back();
      segs.pop_back();
      segs.push_back(top * value);
    }
  }
  return std::accumulate(segs.begin(), segs.end(), 0.0);
}

std::string to_roman(double value) {
  static const std::pair<int, const char*> numerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  std::string out;
  for (const auto& [n, s] : numerals) {
    while (value >= n) {
      out += s;
      value -= n;
    }
  }
  return out;
}

double from_roman(const std::string& roman) {
  static const std::map<char, int> values = {{'M', 1000}, {'D', 500}, {'C', 100}, {'L', 50},
                                             {'X', 10},   {'V', 5},   {'I', 1}};
  double decimal = 0;
  int max = 1;
  for (auto it = roman.rbegin(); it != roman.rend(); ++it) {
    auto v = values.find(*it);
    int value = v == values.end() ? 0 : v->second;
    if (value < max) {
      decimal -= value;
    } else {
      max = value;
      decimal += value;
    }
  }
  return decimal;
}

std::string to_letters(double value, char a) {
  std::string out;
  while (value > 0) {
    out.insert(out.begin(), static_cast<char>(std::fmod(value - 1, 26) + a));
    value = std::floor((value - 1) / 26);
  }
  return out;
}

double from_letters(const std::string& letters, char a) {
  double decimal = 0;
  for (std::size_t i = 0; i < letters.size(); ++i)
    decimal += (letters[letters.size() - i - 1] - a + 1) * std::pow(26, static_cast<double>(i));
  return decimal;
}

const char32_t decimal_groups[] = {0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                   0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
                                   0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
                                   0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
                                   0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

int regular_repeat(const std::vector<Separator>& seps) {
  if (seps.empty()) return 0;
  for (const auto& s : seps)
    if (s.character != seps[0].character) return 0;
  int factor = 0;
  for (const auto& s : seps) factor = std::gcd(factor, s.position);
  if (factor == 0) return 0;
  for (std::size_t i = 1; i <= seps.size(); ++i) {
    bool found = false;
    for (const auto& s : seps)
      if (s.position == static_cast<int>(i) * factor) found = true;
    if (!found) return 0;
  }
  return factor;
}

IntFormat analyse_integer_picture(const std::string& picture) {
  IntFormat f;
  std::string primary = picture;
  auto semicolon = picture.rfind(';');
  if (semicolon != std::string::npos) {
    primary = picture.substr(0, semicolon);
    std::string modifier = picture.substr(semicolon + 1);
    if (!modifier.empty() && modifier[0] == 'o') f.ordinal = true;
  }
  if (primary == "A" || primary == "a") {
    f.primary = Primary::kLetters;
    if (primary == "A") f.tcase = Case::kUpper;
    return f;
  }
  if (primary == "I" || primary == "i") {
    f.primary = Primary::kRoman;
    if (primary == "I") f.tcase = Case::kUpper;
    return f;
  }
  if (primary == "W" || primary == "Ww" || primary == "w") {
    f.primary = Primary::kWords;
    f.tcase = primary == "W" ? Case::kUpper : primary == "Ww" ? Case::kTitle : Case::kLower;
    return f;
  }
  auto cps = to_code_points(primary);
  std::reverse(cps.begin(), cps.end());
  bool have_zero = false;
  int position = 0;
  for (char32_t cp : cps) {
    bool digit = false;
    for (char32_t group : decimal_groups) {
      if (cp >= group && cp <= group + 9) {
        digit = true;
        ++f.mandatory;
        ++position;
        if (!have_zero) {
          f.zero = group;
          have_zero = true;
        } else if (group != f.zero) {
          fail("D3131");
        }
        break;
      }
    }
    if (digit) continue;
    if (cp == '#') {
      ++position;
      ++f.optional;
    } else {
      Separator s;
      s.position = position;
      append_utf8(s.character, cp);
      f.separators.push_back(s);
    }
  }
  if (f.mandatory > 0) {
    f.primary = Primary::kDecimal;
    int repeat = regular_repeat(f.separators);
    if (repeat > 0) {
      f.regular = true;
      f.regular_separator = Separator{repeat, f.separators[0].character};
    }
  } else {
    f.primary = Primary::kSequence;
    f.token = primary;
  }
  return f;
}

// Roman numerals and letters are produced digit by digit; larger values are refused.
constexpr double sequence_value_max = 1e9;

std::string format_int(double value, const IntFormat& f) {
  if (!std::isfinite(value)) fail_value("D1001", Value::number(value));
  if ((f.primary == Primary::kRoman || f.primary == Primary::kLetters) &&
      std::fabs(value) > sequence_value_max)
    fail_value("D1001", Value::number(value));
  bool negative = value < 0;
  value = std::fabs(value);
  std::string out;
  switch (f.primary) {
    case Primary::kLetters:
      out = to_letters(value, f.tcase == Case::kUpper ? 'A' : 'a');
      break;
    case Primary::kRoman:
      out = to_roman(value);
      if (f.tcase == Case::kUpper) out = ascii_case(out, true);
      break;
    case Primary::kWords:
      out = words_lookup(value, false, f.ordinal);
      if (f.tcase == Case::kUpper) out = ascii_case(out, true);
      if (f.tcase == Case::kLower) out = ascii_case(out, false);
      break;
    case Primary::kDecimal: {
      out = number_to_string(value);
      int pad = f.mandatory - static_cast<int>(out.size());
      if (pad > 0) out = std::string(static_cast<std::size_t>(pad), '0') + out;
      auto cps = to_code_points(out);
      if (f.zero != 0x30)
        for (auto& c : cps) c = c + f.zero - 0x30;
      std::vector<std::string> chars;
      for (auto c : cps) {
        std::string s;
        append_utf8(s, c);
        chars.push_back(s);
      }
      if (f.regular) {
        int n = (static_cast<int>(chars.size()) - 1) / f.regular_separator.position;
        for (int i = n; i > 0; --i) {
          int pos = static_cast<int>(chars.size()) - i * f.regular_separator.position;
          chars.insert(chars.begin() + pos, f.regular_separator.character);
        }
      } else {
        for (auto it = f.separators.rbegin(); it != f.separators.rend(); ++it) {
          int pos = static_cast<int>(chars.size()) - it->position;
          if (pos < 0) pos = 0;
          chars.insert(chars.begin() + pos, it->character);
        }
      }
      out.clear();
      for (const auto& s : chars) out += s;
      if (f.ordinal) {
        char last = out.empty() ? '0' : out.back();
        const char* suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (out.size() > 1 && out[out.size() - 2] == '1') suffix = "th";
        out += suffix;
      }
      break;
    }
    case Primary::kSequence:
      fail_value("D3130", Value::string(f.token));
  }
  return negative ? "-" + out : out;
}

std::string regex_quote(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".*+?^${}()|[]\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// The regex fragment that matches one integer in this picture, and how to read it back.
std::string integer_regex(const IntFormat& f, bool fixed_width) {
  switch (f.primary) {
    case Primary::kLetters:
      return f.tcase == Case::kUpper ? "[A-Z]+" : "[a-z]+";
    case Primary::kRoman:
      return f.tcase == Case::kUpper ? "[MDCLXVI]+" : "[mdclxvi]+";
    case Primary::kWords: {
      std::string re = "(?:";
      bool first = true;
      for (const auto& [w, v] : word_values()) {
        if (!first) re += "|";
        first = false;
        re += w;
      }
      return re + "|and|[\\-, ])+";
    }
    case Primary::kDecimal: {
      std::string re = fixed_width && f.mandatory > 1 && f.optional == 0
                           ? "[0-9]{" + std::to_string(f.mandatory) + "}"
                           : "[0-9]+";
      if (f.ordinal) re += "(?:th|st|nd|rd)";
      return re;
    }
    case Primary::kSequence:
      fail_value("D3130", Value::string(f.token));
  }
  return "";
}

double integer_parse(const IntFormat& f, const std::string& text) {
  switch (f.primary) {
    case Primary::kLetters:
      return from_letters(text, f.tcase == Case::kUpper ? 'A' : 'a');
    case Primary::kRoman:
      return from_roman(ascii_case(text, true));
    case Primary::kWords:
      return words_to_number(ascii_case(text, false));
    case Primary::kDecimal: {
      std::string digits = f.ordinal && text.size() >= 2 ? text.substr(0, text.size() - 2) : text;
      std::string cleaned;
      if (f.regular) {
        for (char c : digits)
          if (c != ',') cleaned += c;
      } else {
        cleaned = digits;
        for (const auto& sep : f.separators) {
          std::string next;
          for (std::size_t i = 0; i < cleaned.size();) {
            if (!sep.character.empty() &&
                cleaned.compare(i, sep.character.size(), sep.character) == 0) {
              i += sep.character.size();
            } else {
              next += cleaned[i++];
            }
          }
          cleaned = next;
        }
      }
      if (f.zero != 0x30) {
        auto cps = to_code_points(cleaned);
        for (auto& c : cps) c = c - f.zero + 0x30;
        cleaned = from_code_points(cps.data(), cps.size());
      }
      std::size_t k = 0;
      while (k < cleaned.size() && std::isdigit(static_cast<unsigned char>(cleaned[k]))) ++k;
      if (k == 0) return NAN;
      return std::strtod(cleaned.substr(0, k).c_str(), nullptr);
    }
    case Primary::kSequence:
      fail_value("D3130", Value::string(f.token));
  }
  return NAN;
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

std::string format_integer(double value, const std::string& picture) {
  return format_int(std::floor(value), analyse_integer_picture(picture));
}

Value parse_integer(const std::string& value, const std::string& picture) {
  IntFormat f = analyse_integer_picture(picture);
  if (f.primary == Primary::kSequence) fail_value("D3130", Value::string(f.token));
  return Value::number(integer_parse(f, value));
}

}  // namespace stepwise::jsonata
