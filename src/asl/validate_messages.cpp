// Definition values quoted as AWS's messages quote them: Python-style repr (the recorded Label
// errors show the definition this way), and the first character a Map Label may not hold.
#include "asl/validator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/limits.h"

namespace stepwise::asl::validation {

std::string py_float(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  auto e = s.find('e');
  if (e == std::string::npos) {
    if (s.find('.') == std::string::npos && s.find("inf") == std::string::npos &&
        s.find("nan") == std::string::npos) {
      s += ".0";
    }
    return s;
  }
  std::string mant = s.substr(0, e);
  std::string exp = s.substr(e + 1);
  std::string sign = "+";
  if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) {
    if (exp[0] == '-') sign = "-";
    exp = exp.substr(1);
  }
  if (exp.size() < 2) exp = "0" + exp;
  return mant + "e" + sign + exp;
}

void py_dump(const json::value& v, std::string& out, std::size_t depth) {
  if (depth > limits::json_depth_max) return;
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.as_object()) {
        if (!first) out += ", ";
        first = false;
        json::quote_to(kv.key(), out, json::QuoteStyle::kPython);
        out += ": ";
        py_dump(kv.value(), out, depth + 1);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        py_dump(e, out, depth + 1);
      }
      out += ']';
      return;
    }
    case boost::json::kind::string:
      json::quote_to(v.as_string(), out, json::QuoteStyle::kPython);
      return;
    case boost::json::kind::int64:
      out += std::to_string(v.as_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(v.as_uint64());
      return;
    case boost::json::kind::double_:
      out += py_float(v.as_double());
      return;
    case boost::json::kind::bool_:
      out += v.as_bool() ? "true" : "false";
      return;
    case boost::json::kind::null:
      out += "null";
      return;
  }
}

// Python's repr() of a one-character string's content (without quotes).
std::string py_char_repr(std::uint32_t cp, std::string_view utf8) {
  static const char* hex = "0123456789abcdef";
  if (cp == '\\') return "\\\\";
  if (cp == '\n') return "\\n";
  if (cp == '\r') return "\\r";
  if (cp == '\t') return "\\t";
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) {
    return std::string("\\x") + hex[(cp >> 4) & 0xF] + hex[cp & 0xF];
  }
  bool unicode_space = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x2028 ||
                       cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
  if (unicode_space) {
    std::string out = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xF];
    return out;
  }
  return std::string(utf8);
}

// Python's repr() of a str: single quotes unless the text has a single quote and no double.
std::string py_str_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == q || c == '\\') out += '\\';
    out += c;
  }
  out += q;
  return out;
}

// The first character AWS refuses in a Map Label, as (code point, its UTF-8 bytes).
std::optional<std::pair<std::uint32_t, std::string>> bad_label_char(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    len = std::min(len, s.size() - i);
    std::uint32_t cp = c;
    if (len == 2) cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
    if (len == 3) cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    if (len == 4) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
    }
    std::string_view bytes = s.substr(i, len);
    i += len;
    bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    bool space = cp == ' ' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                 cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    bool special =
        cp < 0x80 && std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(cp)) !=
                         std::string_view::npos;
    if (control || space || special) return std::make_pair(cp, std::string(bytes));
  }
  return std::nullopt;
}

}  // namespace stepwise::asl::validation
