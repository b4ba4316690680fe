// JSON for Stepwise: Boost.JSON values, parsed with limits and serialised the way Step Functions
// writes JSON (compact, numbers as Java writes doubles), so outputs and causes match AWS's text.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace stepwise::json {

using value = boost::json::value;
using object = boost::json::object;
using array = boost::json::array;
using string = boost::json::string;

// Parses text; depth beyond limits::json_depth_max and malformed text give an Error whose name
// is "Json.ParseError" and whose cause says where.
Result<value> parse(std::string_view text);

// Compact serialisation: no spaces, keys in insertion order, doubles as Java's Double.toString
// ("1.5", "1.0E20"), integers as integers, strings escaped as Jackson escapes them.
std::string dump(const value& v);
void dump_to(const value& v, std::string& out);

// Serialised size in bytes (what AWS's 256 KiB payload quota measures).
std::size_t dumped_size(const value& v);

// How a JSON string literal escapes its text. Every style escapes `"`, `\` and the control
// characters (\b \f \n \r \t, the rest as \u00XX); they differ in hex case and non-ASCII:
//   kJackson     AWS's services (Jackson): \u001F upper-case, other bytes written as they are;
//                what dump writes.
//   kJavaScript  JSON.stringify (JSONata's $string): \u001f lower-case, other bytes as they are.
//   kPython      Python's json.dumps (ensure_ascii): lower-case, and everything outside
//                ' '..'~' as \uXXXX (UTF-16 surrogate pairs above U+FFFF); invalid UTF-8 bytes
//                read as U+FFFD, one byte at a time.
enum class QuoteStyle { kJackson, kJavaScript, kPython };

// A JSON string literal for s (with quotes), as dump would write it (or in another style).
std::string quote(std::string_view s, QuoteStyle style = QuoteStyle::kJackson);
void quote_to(std::string_view s, std::string& out, QuoteStyle style = QuoteStyle::kJackson);

// Decodes the UTF-8 sequence at s[*i] and moves *i past it; an invalid or truncated sequence
// decodes as U+FFFD and moves one byte.
std::uint32_t next_code_point(std::string_view s, std::size_t* i);

// Java's Double.toString for a finite double.
std::string format_double(double d);

// Numeric value of a number (int64, uint64 or double) as a double.
double as_double(const value& v);
bool is_number(const value& v);
bool is_integral_number(const value& v);  // an integer, or a double with no fraction

// Deep equality where numbers compare by value (1 == 1.0), as JSON semantics expect.
bool equal(const value& a, const value& b);

// "object", "array", "string", "number", "boolean", "null" (for messages).
const char* kind_name(const value& v);

}  // namespace stepwise::json
