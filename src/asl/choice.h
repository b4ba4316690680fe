// Choice rules (JSONPath mode): a compiled rule tree (And/Or/Not, every comparison operator and
// its *Path form, the Is* type tests, StringMatches) and its evaluation against a state's input.
//
// Compiled once at CreateStateMachine; evaluation is pure. AWS semantics: a type mismatch is
// simply false; a missing Variable path is a runtime error (States.Runtime, AWS's cause text)
// except for IsPresent; a *Path operand that is missing is likewise AWS's runtime error.
//
// Thread-safety: immutable after compile.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/json.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::asl {

class ChoiceRule {
 public:
  // `rule` is one element of Choices (its Next/Assign/Output are ignored here) or a nested
  // rule inside And/Or/Not. Errors name what is wrong (the validator reports it to users).
  static Result<ChoiceRule> compile(const json::value& rule);
  // True when the rule matches. ctx.input is the state's effective input.
  Result<bool> evaluate(const jsonpath::EvalContext& ctx) const;

  ChoiceRule();
  ~ChoiceRule();
  ChoiceRule(const ChoiceRule&);
  ChoiceRule& operator=(const ChoiceRule&);
  ChoiceRule(ChoiceRule&&) noexcept;
  ChoiceRule& operator=(ChoiceRule&&) noexcept;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace stepwise::asl
