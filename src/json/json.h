// JSON for Stepwise: Boost.JSON values, parsed with limits and serialised the way Step Functions
// writes JSON (compact, numbers as Java writes doubles), so outputs and causes match AWS's text.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <boost/json.hpp>
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

// A JSON string literal for s (with quotes), as dump would write it.
std::string quote(std::string_view s);

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
