// Choice rules (JSONPath mode): a compiled rule tree (And/Or/Not, every comparison operator and
// its *Path form, the Is* type tests, StringMatches) and its evaluation against a state's input.
//
// Compiled once at CreateStateMachine; evaluation is pure. AWS semantics: a type mismatch is
// simply false; a missing Variable path is a runtime error (States.Runtime, AWS's cause text)
// except for IsPresent; a *Path operand that is missing is likewise AWS's runtime error.
//
// Thread-safety: immutable after compile.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/json.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::asl {

// And/Or/Not nesting accepted in one rule: far above real workflows, low enough that compiling
// and evaluating a hostile rule never exhausts the stack.
inline constexpr std::size_t choice_rule_depth_max = 64;

class ChoiceRule {
 public:
  // `rule` is one element of Choices (its Next/Assign/Output/Comment are ignored here) or a
  // nested rule inside And/Or/Not. Errors name what is wrong (the validator reports it to
  // users): Error{"SCHEMA_VALIDATION_FAILED", message}.
  static Result<ChoiceRule> compile(const json::value& rule);
  // As above; on error *error_location receives where inside the rule the problem is, relative
  // to the rule ("" for the rule itself, "/And[1]/Variable", ...).
  static Result<ChoiceRule> compile(const json::value& rule, std::string* error_location);
  // True when the rule matches. ctx.input is the state's effective input.
  Result<bool> evaluate(const jsonpath::EvalContext& ctx) const;

  ChoiceRule();
  ~ChoiceRule();
  ChoiceRule(const ChoiceRule&);
  ChoiceRule& operator=(const ChoiceRule&);
  ChoiceRule(ChoiceRule&&) noexcept;
  ChoiceRule& operator=(ChoiceRule&&) noexcept;

  // Public only so choice.cpp's helpers can name it; defined (and used) in choice.cpp alone.
  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

// AWS's States.Runtime cause for a path that matched nothing in `doc`, the way the Java
// JSONPath library words it: "Invalid path '$.a.b' : Missing property in path $['a']" or
// "Invalid path '$.x' : No results for path: $['x']".
std::string missing_path_cause(const std::string& path_text, const json::value* doc);

}  // namespace stepwise::asl
