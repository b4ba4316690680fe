// DynamoDB's AttributeValues as they travel on the wire ({"S": "x"}, {"N": "1.5"},
// {"M": {...}}, ...): checking and normalising them (numbers as DynamoDB keeps them: up to 38
// significant digits, written back without exponent or redundant zeros), comparing them, and
// measuring them as DynamoDB bills item size.
//
// An item is a json::object of attribute name → AttributeValue. Values inside the service are
// always normalised (check_value ran on them), so equality of sets and numbers is by value.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "json/json.h"

namespace stepwise::services::dynamodb {

using Item = json::object;

// A decimal number: digits × 10^exponent, digits without leading or trailing zeros ("" is 0).
struct Decimal {
  bool negative = false;
  std::string digits;
  int exponent = 0;

  bool is_zero() const { return digits.empty(); }
  // The exponent of the leading digit (1.5e3 → 3).
  int magnitude() const { return exponent + static_cast<int>(digits.size()) - 1; }
  // "-12.5", "100", "0.001"; past 38 digits written out, "1E+125".
  std::string text() const;
};

// nullopt when `text` is not a number; `error` then says why, in AWS's words ("A value provided
// cannot be converted into a number", "Attempting to store more than 38 significant digits...",
// "Number overflow...").
std::optional<Decimal> parse_decimal(std::string_view text, std::string* error);
// Checks a computed number against DynamoDB's range and precision (AWS's message or "").
std::string decimal_error(const Decimal& d);
int compare(const Decimal& a, const Decimal& b);
Decimal add(const Decimal& a, const Decimal& b);
Decimal negate(Decimal d);

// The type tag of a checked value: "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL".
std::string_view type_of(const json::value& av);
// DynamoDB's long names in operand type errors: "STRING", "NUMBER", "STRING SET", "MAP", ...
std::string_view long_type_name(std::string_view tag);

// Checks and normalises one AttributeValue in place. On error returns AWS's message (without
// the "One or more parameter values were invalid: " prefix the caller adds where AWS does).
// `depth` counts nesting (limit: ddb_limits::document_depth_max).
std::optional<std::string> check_value(json::value& av, std::size_t depth = 0);
// Checks every value of an item (or key, or ExpressionAttributeValues).
std::optional<std::string> check_item(json::value& item);

// Deep equality of normalised values (sets compare as sets).
bool equal_values(const json::value& a, const json::value& b);
// Ordering of two values of the same scalar type (S, N, B); nullopt for other types or mixed.
std::optional<int> compare_values(const json::value& a, const json::value& b);

// DynamoDB's size of a value and of an item (names included).
std::size_t value_size(const json::value& av);
std::size_t item_size(const Item& item);

// The decoded bytes of an S or B value (B is base64 on the wire), or the canonical text of N;
// what key encodings and begins_with compare.
std::string scalar_bytes(const json::value& av);

}  // namespace stepwise::services::dynamodb
