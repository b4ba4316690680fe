// Integer pictures (XPath F&O 3.1 §4.6.1: decimal digits, letters, roman numerals, words),
// shared by $formatInteger/$parseInteger and the date/time pictures' numeric components
// (integer_picture.cpp). Internal to the JSONata module.
#pragma once
#include <string>
#include <vector>

namespace stepwise::jsonata {

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

// Upper- or lower-cases the ASCII letters of s (month and day names, words).
std::string ascii_case(std::string s, bool upper);

IntFormat analyse_integer_picture(const std::string& picture);
std::string format_int(double value, const IntFormat& f);

// s as a regular-expression literal: backslashes before the characters RE2 treats specially.
std::string regex_quote(const std::string& s);

// The regex fragment that matches one integer in this picture, and how to read it back.
std::string integer_regex(const IntFormat& f, bool fixed_width);
double integer_parse(const IntFormat& f, const std::string& text);

}  // namespace stepwise::jsonata
