// Internals shared by the files of JSONata's built-in functions (functions*.cpp): the helpers
// every group of functions uses, and each group's part of the table of built-ins. Not part of
// the module's interface; everything here lives in jsonata::builtins so that these names never
// meet the evaluator's.
#pragma once

#include <cmath>
#include <vector>

#include "jsonata/internal.h"

namespace stepwise::jsonata::builtins {

using Args = std::vector<Value>;

inline const Value& arg(const Args& a, std::size_t i) {
  static const Value none;
  return i < a.size() ? a[i] : none;
}

// The text of an optional string argument; an absent argument reads as empty text.
inline const std::string& text(const Value& v) {
  static const std::string empty;
  return v.is_string() ? v.str() : empty;
}

inline bool js_truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.as_bool();
    case Kind::kNumber:
      return v.num() != 0 && !std::isnan(v.num());
    case Kind::kString:
      return !v.str().empty();
    default:
      return true;
  }
}

inline Value seq(std::vector<Value> items = {}) { return make_sequence(std::move(items)); }

inline Value call(Context& ctx, const Value& fn, Args args, const FramePtr& env) {
  return apply(ctx, fn, std::move(args), Value::null(), env);
}

// The value, index and array arguments a callback can take, as many as it declares.
inline Args hof_args(const Value& fn, Value a, Value b, Value c) {
  if (!fn.is_function()) fail("T1006");
  Args out{std::move(a)};
  int n = fn.fn().arity();
  if (n >= 2) out.push_back(std::move(b));
  if (n >= 3) out.push_back(std::move(c));
  return out;
}

inline const std::vector<Value>& items(const Value& v) { return v.arr().items; }

// A uniform number in [0, 1) from the evaluation's seeded generator ($random, $shuffle, $uuid).
double next_random(Context& ctx);

// Each group's entries of the table of built-ins (name, implementation, signature, arity).
std::vector<Builtin> numbers();   // functions_numbers.cpp
std::vector<Builtin> strings();   // functions_strings.cpp
std::vector<Builtin> arrays();    // functions_arrays.cpp
std::vector<Builtin> encoding();  // functions_encoding.cpp
std::vector<Builtin> aws();       // functions_aws.cpp

}  // namespace stepwise::jsonata::builtins
