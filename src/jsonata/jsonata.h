// JSONata 2.0.6 for Stepwise: compile an expression once, evaluate it many times.
//
// Errors carry JSONata's own codes as Error::name ("S0201", "T2001", "D3010", "U1001", ...)
// and the reference implementation's message as Error::cause.
// Thread-safety: an Expression is immutable after compile and may be evaluated from many
// threads at once; each evaluation owns its own state.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::jsonata {

// Variables visible to the expression, by name without the `$` (e.g. "states").
using Bindings = std::map<std::string, json::value, std::less<>>;

struct EvalOptions {
  // Nested evaluation depth (the reference counts one per AST node being evaluated; tail
  // calls do not add). Deeper evaluation fails with U1001 instead of exhausting the stack.
  // Each unit costs about 1-1.5 KB of C++ stack (several times more under ASan).
  std::size_t depth_max = 500;
  // Budget for one evaluation in evaluation steps (AST nodes evaluated); zero means none. Steps,
  // not wall time, so the same expression on the same input fails or succeeds the same way on
  // every machine (journal replay depends on it). Exceeding it fails with U1001.
  std::uint64_t steps_max = 0;
  // Value of $now()/$millis() (milliseconds since the epoch); negative means the real clock
  // (base::RealClock), for callers outside an execution (tools, tests).
  double now_millis = -1;
  // Seed for $random()/$shuffle()/$uuid(); zero means a seed from base::entropy_seed().
  std::uint64_t random_seed = 0;
  // A function is no JSON value: by default it converts to null (as JSON.stringify drops it);
  // with this set, a function result fails with function_result_error instead, so that a caller
  // (Step Functions) can say "returned an unsupported result type".
  bool reject_function_result = false;
};

inline constexpr const char* function_result_error = "Stepwise.FunctionResult";

// Undefined (no value) is std::nullopt; JSON null is a value.
using Outcome = std::optional<json::value>;

struct Ast;
struct DocumentData;

// A JSON value converted once into the evaluator's representation. Evaluations only read it,
// so one Document may serve many evaluations, concurrently too: convert a state's input once
// and evaluate every JSONata field of the state against it.
class Document {
 public:
  static Result<Document> from_json(const json::value& v);  // fails (U1001) only if too deep

 private:
  friend class Expression;
  explicit Document(std::shared_ptr<const DocumentData> data) : data_(std::move(data)) {}
  std::shared_ptr<const DocumentData> data_;
};

using DocumentBindings = std::map<std::string, Document, std::less<>>;

class Expression {
 public:
  static Result<Expression> compile(std::string_view text);

  // Converts input and bindings for this one evaluation.
  Result<Outcome> evaluate(const json::value* input, const Bindings& vars = {},
                           const EvalOptions& options = {}) const;
  // Evaluates against already converted documents (no copying of the inputs).
  Result<Outcome> evaluate_documents(const Document* input, const DocumentBindings& vars,
                                     const EvalOptions& options = {}) const;

 private:
  explicit Expression(std::shared_ptr<const Ast> ast) : ast_(std::move(ast)) {}
  std::shared_ptr<const Ast> ast_;
};

}  // namespace stepwise::jsonata
