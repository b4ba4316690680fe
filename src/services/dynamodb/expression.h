// DynamoDB's expression languages, parsed: condition expressions (ConditionExpression,
// FilterExpression, KeyConditionExpression), update expressions (SET/REMOVE/ADD/DELETE) and
// projection expressions, with their #name and :value placeholders resolved while parsing.
//
// Grammar (the DynamoDB Developer Guide's "Comparison operator and function reference" and
// "Update expressions"); keywords are case-insensitive, function names are not:
//   condition := or;  or := and (OR and)*;  and := not (AND not)*;  not := NOT not | primary
//   primary   := '(' condition ')' | function '(' operands ')' | operand comparator operand
//              | operand BETWEEN operand AND operand | operand IN '(' operand, ... ')'
//   operand   := path | :value | size '(' path ')'
//   path      := (name | #name) ('.' (name | #name) | '[' digits ']')*
//   update    := (SET action, ... | REMOVE path, ... | ADD path :v, ... | DELETE path :v, ...)+
//   action    := path '=' value [('+' | '-') value];  value := operand | if_not_exists(path, v)
//              | list_append(v, v)
// Errors carry AWS's ValidationException messages: "Invalid UpdateExpression: Syntax error;
// token: \"=\", near: \"SET =\"", "... An expression attribute value used in expression is not
// defined; attribute value: :v", "... Attribute name is a reserved keyword; reserved keyword:
// data", and so on.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"

namespace stepwise::services::dynamodb {

struct PathElem {
  std::string name;
  std::int64_t index = -1;  // >= 0: a list index
  bool is_index() const { return index >= 0; }
};
using Path = std::vector<PathElem>;
// "[a, b, [1]]": how AWS names paths in its messages.
std::string path_text(const Path& p);

struct Operand {
  enum class Kind { path, value, size, if_not_exists, list_append, plus, minus };
  Kind kind = Kind::path;
  Path path;
  json::value value;          // Kind::value: the AttributeValue
  std::string placeholder;    // Kind::value: ":v"
  std::vector<Operand> args;  // functions and + / -
};

struct Condition {
  enum class Kind { compare, between, in, and_, or_, not_, function };
  Kind kind = Kind::compare;
  std::string op;  // "=", "<>", "<", "<=", ">", ">=", or the function's name
  std::vector<Operand> operands;
  std::vector<Condition> children;
};

struct UpdateAction {
  enum class Kind { set, remove, add, del };
  Kind kind = Kind::set;
  Path path;
  Operand value;  // not for remove
};

// The placeholders a request defines and which of them its expressions used.
struct ExpressionContext {
  const json::object* names = nullptr;   // ExpressionAttributeNames
  const json::object* values = nullptr;  // ExpressionAttributeValues (checked, normalised)
  std::set<std::string> used_names;
  std::set<std::string> used_values;
};

// Each returns nullopt when parsed, else AWS's whole message. `kind` names the parameter in
// messages ("ConditionExpression", "FilterExpression", "KeyConditionExpression").
std::optional<std::string> parse_condition(std::string_view text, std::string_view kind,
                                           ExpressionContext& ctx, Condition& out);
std::optional<std::string> parse_update(std::string_view text, ExpressionContext& ctx,
                                        std::vector<UpdateAction>& out);
std::optional<std::string> parse_projection(std::string_view text, ExpressionContext& ctx,
                                            std::vector<Path>& out);

// "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}" (values are
// checked first, as AWS does), or nullopt when every placeholder was used.
std::optional<std::string> unused_placeholders(const ExpressionContext& ctx);

// The placeholder maps themselves: keys' syntax, values' AttributeValues (normalised in place).
std::optional<std::string> check_placeholders(json::object* names, json::object* values);

// DynamoDB's reserved words (case-insensitive; the Developer Guide's list).
bool is_reserved_word(std::string_view word);

}  // namespace stepwise::services::dynamodb
