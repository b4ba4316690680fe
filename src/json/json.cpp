#include "json/json.h"

#include <boost/json/basic_parser_impl.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/limits.h"

namespace stepwise::json {

namespace {

// Boost.JSON 1.81 converts some 17-digit decimals one ulp off (it has no precise mode until
// 1.83). AWS round-trips numbers exactly, so doubles are re-read from their text with
// std::from_chars, which is correctly rounded. Everything else is Boost's own value building.
class PreciseHandler {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  boost::json::value_stack st;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
    number_.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
    number_.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view s, boost::system::error_code& ec) {
    number_.append(s.data(), s.size());
    double exact = d;
    auto r = std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    // Out-of-range text keeps Boost's value (zero for an underflow).
    if (r.ec != std::errc()) exact = d;
    number_.clear();
    // A number past the double range (1e400) would be infinity, which JSON cannot write back:
    // the text is refused rather than turned into a value no output could carry.
    if (!std::isfinite(exact)) {
      ec = boost::json::error::exponent_overflow;
      return false;
    }
    st.push_double(exact);
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  std::string number_;
};

}  // namespace

Result<value> parse(std::string_view text) {
  boost::json::parse_options opts;
  opts.max_depth = limits::json_depth_max;
  opts.allow_invalid_utf8 = false;
  boost::json::basic_parser<PreciseHandler> p(opts);
  p.handler().st.reset();
  boost::system::error_code ec;
  std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (ec) return Error{"Json.ParseError", ec.message()};
  return p.handler().st.release();
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then laid out as Java does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // e.g. "-1.2345e+20"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t epos = sci.find('e');
  std::string mant = sci.substr(0, epos);
  int exp = std::stoi(sci.substr(epos + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  double ad = std::fabs(d);
  if (ad >= 1e-3 && ad < 1e7) {
    if (exp >= 0) {
      std::string ip = digits.substr(0, std::min(digits.size(), static_cast<size_t>(exp + 1)));
      while (ip.size() < static_cast<size_t>(exp + 1)) ip += '0';
      std::string fp = digits.size() > static_cast<size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out += ip + "." + fp;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
  } else {
    out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
           std::to_string(exp);
  }
  return out;
}

namespace {

// The escape Jackson writes for byte c, or nullptr when c is written as it is.
const char* short_escape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    default:
      return nullptr;
  }
}

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_unit(std::uint32_t unit, bool upper, std::string& out) {
  static constexpr char lower_hex[] = "0123456789abcdef";
  static constexpr char upper_hex[] = "0123456789ABCDEF";
  const char* hex = upper ? upper_hex : lower_hex;
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 0xF];
}

// Appends runs of plain bytes in one go: most strings need no escaping at all.
void quote_bytes(std::string_view s, bool upper, std::string& out) {
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (const char* e = short_escape(c)) {
      out += e;
    } else {
      append_unit(c, upper, out);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// Python's ensure_ascii: only ' '..'~' is written as it is.
void quote_ascii(std::string_view s, std::string& out) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = next_code_point(s, &i);
    if (cp < 0x80 && needs_escape(static_cast<unsigned char>(cp))) {
      const char* e = short_escape(static_cast<unsigned char>(cp));
      if (e) {
        out += e;
      } else {
        append_unit(cp, false, out);
      }
    } else if (cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      append_unit(0xD800 + (cp >> 10), false, out);
      append_unit(0xDC00 + (cp & 0x3FF), false, out);
    } else {
      append_unit(cp, false, out);
    }
  }
  out += '"';
}

// What quote_bytes would append, counted without writing.
std::size_t string_size(std::string_view s) {
  std::size_t n = s.size() + 2;
  for (unsigned char c : s) {
    if (!needs_escape(c)) continue;
    n += short_escape(c) != nullptr ? 1 : 5;  // "\\n" adds one byte, "\\u00XX" five
  }
  return n;
}

template <typename Int>
std::size_t integer_size(Int i) {
  char buf[32];
  return static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, i).ptr - buf);
}

}  // namespace

void dump_to(const value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      break;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case boost::json::kind::int64: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_int64());
      out.append(buf, r.ptr);
      break;
    }
    case boost::json::kind::uint64: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      out.append(buf, r.ptr);
      break;
    }
    case boost::json::kind::double_:
      out += format_double(v.get_double());
      break;
    case boost::json::kind::string:
      quote_bytes(v.get_string(), true, out);
      break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        dump_to(e, out);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        quote_bytes(kv.key(), true, out);
        out += ':';
        dump_to(kv.value(), out);
      }
      out += '}';
      break;
    }
  }
}

namespace {
constexpr std::size_t size_depth_max = 4096;

std::size_t dumped_size_at(const value& v, std::size_t depth) {
  if (depth > size_depth_max) return dump(v).size();
  switch (v.kind()) {
    case boost::json::kind::null:
      return 4;
    case boost::json::kind::bool_:
      return v.get_bool() ? 4 : 5;
    case boost::json::kind::int64:
      return integer_size(v.get_int64());
    case boost::json::kind::uint64:
      return integer_size(v.get_uint64());
    case boost::json::kind::double_:
      return format_double(v.get_double()).size();
    case boost::json::kind::string:
      return string_size(v.get_string());
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      std::size_t n = 2 + (a.empty() ? 0 : a.size() - 1);
      for (const auto& e : a) n += dumped_size_at(e, depth + 1);
      return n;
    }
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      std::size_t n = 2 + (o.empty() ? 0 : o.size() - 1);
      for (const auto& kv : o)
        n += string_size(kv.key()) + 1 + dumped_size_at(kv.value(), depth + 1);
      return n;
    }
  }
  return 0;
}
}  // namespace

std::string dump(const value& v) {
  std::string out;
  dump_to(v, out);
  return out;
}

// Walks the value like dump_to but only counts (no text is built); depth is bounded by the
// parser's limit for parsed values, and by this guard for values built in memory.
std::size_t dumped_size(const value& v) { return dumped_size_at(v, 0); }

std::string quote(std::string_view s, QuoteStyle style) {
  std::string out;
  quote_to(s, out, style);
  return out;
}

void quote_to(std::string_view s, std::string& out, QuoteStyle style) {
  switch (style) {
    case QuoteStyle::kJackson:
      return quote_bytes(s, true, out);
    case QuoteStyle::kJavaScript:
      return quote_bytes(s, false, out);
    case QuoteStyle::kPython:
      return quote_ascii(s, out);
  }
}

std::uint32_t next_code_point(std::string_view s, std::size_t* i) {
  auto b = static_cast<unsigned char>(s[*i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  std::uint32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[*i + k]);
    if ((c >> 6) != 0x2) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  *i += len;
  return cp;
}

bool is_number(const value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double as_double(const value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return 0;
}

bool is_integral_number(const value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (v.is_double()) {
    double d = v.get_double();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool equal(const value& a, const value& b) {
  if (is_number(a) && is_number(b)) {
    if (a.is_double() || b.is_double()) return as_double(a) == as_double(b);
    if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
    if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
    const value& s = a.is_int64() ? a : b;
    const value& u = a.is_int64() ? b : a;
    return s.get_int64() >= 0 && static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!equal(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (it == y.end() || !equal(kv.value(), it->value())) return false;
    }
    return true;
  }
  return a == b;
}

const char* kind_name(const value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
    default:
      return "number";
  }
}

}  // namespace stepwise::json
