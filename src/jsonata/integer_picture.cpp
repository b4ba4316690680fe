// Integer pictures ($formatInteger, $parseInteger, and the numeric components of date/time
// pictures), after XPath F&O 3.1 §4.6.1 the way the JSONata reference implements them:
// decimal digit groups in any Unicode digit family, letters, roman numerals and English words.
#include <re2/re2.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "jsonata/integer_picture.h"
#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {

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

}  // namespace

std::string ascii_case(std::string s, bool upper) {
  for (auto& c : s)
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                : std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

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

}  // namespace

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

namespace {

// Roman numerals and letters are produced digit by digit; larger values are refused.
constexpr double sequence_value_max = 1e9;

}  // namespace

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

std::string format_integer(double value, const std::string& picture) {
  return format_int(std::floor(value), analyse_integer_picture(picture));
}

Value parse_integer(const std::string& value, const std::string& picture) {
  IntFormat f = analyse_integer_picture(picture);
  if (f.primary == Primary::kSequence) fail_value("D3130", Value::string(f.token));
  return Value::number(integer_parse(f, value));
}

}  // namespace stepwise::jsonata
