// AWS's JSONPath for ASL: Paths, Reference Paths, payload templates and intrinsic functions.
//
// Everything here is compiled once (at CreateStateMachine) and evaluated many times: evaluation
// never re-parses text. Evaluation is pure: no clock, no I/O, no global state (States.UUID and
// States.MathRandom without a seed draw from the Random passed in EvalContext).
//
// Error names and causes are AWS's, as recorded in ../shared/conformance/cases:
//  - a template path that matches nothing: "States.Runtime" (that is what AWS records, not
//    States.ParameterPathFailure), cause "The JSONPath '$.x' specified for the field 'x.$' could
//    not be found in the input '<input JSON>'";
//  - a failing intrinsic: "States.IntrinsicFailure";
//  - a failing ResultPath: "States.ResultPathMatchFailure".
// Runtime causes come without AWS's prefix "An error occurred while executing the state 'S'
// (entered at the event id #N). ", which only the engine knows; it adds that prefix.
// Callers otherwise pass these errors on unchanged.
//
// Syntax (Jayway JsonPath, as AWS uses it): "$", "$.a.b", "$['a b']", "$.a[0]", "$.a[-1]",
// "$.a[*]", "$..a", "$.a[1:3]", "$.a[0,1]", "$['a','b']", "$.a[?(@.x > 1 && @.y == 'z')]",
// "$$.Execution.Id" (context object), "$var.x" (variable). An indefinite path (wildcard, scan,
// slice, union, filter) yields an array of its matches, possibly empty; a definite one the node.
//
// Thread-safety: compiled objects are immutable and may be shared across threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::jsonpath {

// Variables visible to a JSONPath state ("$name" in paths). Returns nullptr when undefined.
using VariableLookup = std::function<const json::value*(std::string_view name)>;

// Random numbers for States.UUID / States.MathRandom (injected so tests are deterministic).
using RandomSource = std::function<std::uint64_t()>;

struct EvalContext {
  const json::value* input = nullptr;    // what "$" means
  const json::value* context = nullptr;  // what "$$" means (the context object); may be null
  const VariableLookup* variables = nullptr;
  const RandomSource* random = nullptr;
};

enum class PathKind {
  kPath,           // may select many nodes (wildcards, slices, filters): InputPath, OutputPath...
  kReferencePath,  // a single node only: ResultPath, ItemsPath, *SecondsPath, ...
};

// A compiled JSONPath ("$.a.b[0]", "$$.Execution.Id", "$var.x", "$").
class Path {
 public:
  // Errors: "Path.Invalid" with a message saying what is wrong (the validator turns it into
  // AWS's diagnostic).
  static Result<Path> compile(std::string_view text, PathKind kind);

  // Selects from the input (or the context object for "$$", or a variable for "$name").
  // Returns std::nullopt when the path matches nothing (callers turn that into AWS's error for
  // their field); a definite path yields that node, an indefinite one an array of matches.
  // An indefinite path whose evaluation would take more than detail::path_eval_steps_max steps
  // (filters that scan the document at every node of a scan) selects nothing either.
  std::optional<json::value> select(const EvalContext& ctx) const;

  // The matched node itself, without a copy, for a definite path that names an existing node
  // (no merge of several names): the hot path of templates and Choice rules. nullptr when the
  // path matches nothing or cannot answer by reference (is_by_reference() false): then use
  // select(). The pointer is valid while the EvalContext's documents are unchanged.
  const json::value* find(const EvalContext& ctx) const;
  bool is_by_reference() const;  // find() can answer (definite, no multi-name merge)

  // select(), but a miss becomes AWS's error for InputPath/OutputPath/ItemsPath...: name
  // "States.Runtime", cause "Invalid path '$.x' : No results for path: $['x']" (Jayway's text).
  // Past the step budget the cause says so instead.
  // The engine prefixes "An error occurred while executing the state ...".
  Result<json::value> select_or_fail(const EvalContext& ctx) const;

  const std::string& text() const;
  bool is_context() const;                   // starts with "$$"
  bool is_variable() const;                  // starts with "$name"
  bool is_root() const;                      // exactly "$"
  bool is_definite() const;                  // can yield at most one node
  const std::string& variable_name() const;  // "x" for "$x.a"; empty unless is_variable()

  // For a reference path on "$" (ResultPath): writes value at this path inside doc, creating
  // missing objects along the way. Fails ("States.ResultPathMatchFailure", AWS's cause) when an
  // intermediate node is not an object (or array index out of range).
  Status assign(json::value& doc, json::value value) const;

  Path();
  ~Path();
  Path(const Path&);
  Path& operator=(const Path&);
  Path(Path&&) noexcept;
  Path& operator=(Path&&) noexcept;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// A compiled intrinsic function call: "States.Format('x{}', $.a)".
class Intrinsic {
 public:
  static Result<Intrinsic> compile(std::string_view text);
  // Errors: States.IntrinsicFailure with AWS's cause; a path argument that matches nothing is
  // reported as AWS reports it.
  Result<json::value> evaluate(const EvalContext& ctx) const;
  // The same, naming the template field ("x.$") in the cause of a path argument that matches
  // nothing, as AWS does.
  Result<json::value> evaluate(const EvalContext& ctx, std::string_view field) const;
  const std::string& text() const;

  Intrinsic();
  ~Intrinsic();
  Intrinsic(const Intrinsic&);
  Intrinsic& operator=(const Intrinsic&);
  Intrinsic(Intrinsic&&) noexcept;
  Intrinsic& operator=(Intrinsic&&) noexcept;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// A compiled payload template (Parameters, ResultSelector, ItemSelector, Arguments of
// ItemReader, Credentials, JSONPath Assign): keys ending ".$" evaluate a path ($ or $$ or
// $var) or an intrinsic; other values are copied as they are, recursively.
class Template {
 public:
  // field_name ("Parameters", "ResultSelector", ...) is used in error texts.
  static Result<Template> compile(const json::value& tmpl, std::string_view field_name);
  // Errors: States.Runtime (a path matching nothing) / States.IntrinsicFailure, AWS cause text.
  Result<json::value> evaluate(const EvalContext& ctx) const;

  Template();
  ~Template();
  Template(const Template&);
  Template& operator=(const Template&);
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace stepwise::jsonpath
