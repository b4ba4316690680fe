// Internals shared by the JSONata parser, evaluator and built-in functions: the AST, the
// evaluation error (thrown inside this module only, converted to Result at the API), frames,
// function values and helpers. Not part of the public API.
// Thread-safety: an AST is immutable after compile; frames and values belong to one evaluation.
#pragma once

#include <atomic>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "jsonata/value.h"

namespace re2 {
class RE2;
}

namespace stepwise::jsonata {

// A JSONata error: code (e.g. "T2001") plus the fields its message template refers to.
struct JError {
  std::string code;
  int position = -1;
  std::string token{};
  bool has_token = false;
  Value value{};
  Value value2{};
  int index = -1;
  std::string type{};     // T0412's expected item type
  std::string message{};  // set for $error/$assert and U1001
};

// Nesting of values walked recursively (clone, compare, serialise); deeper values are refused
// with U1001 rather than risking the stack.
inline constexpr std::size_t value_depth_max = 2048;

[[noreturn]] void fail(std::string code, int position = -1);
[[noreturn]] void fail_value(std::string code, Value value, int position = -1);
std::string error_message(const JError& e);

struct Signature;
struct Node;

// Where a `%` parent reference finds its ancestor: shared by the nodes that resolve it.
struct Slot {
  std::string label;
  int level = 1;
  int index = 0;
};

enum class NodeType {
  kPath,
  kBinary,
  kUnary,
  kName,
  kString,
  kNumber,
  kValue,
  kWildcard,
  kDescendant,
  kParent,
  kCondition,
  kBlock,
  kBind,
  kRegex,
  kFunction,
  kPartial,
  kVariable,
  kLambda,
  kApply,
  kTransform,
  kSort,
  kOperator,
  kEnd
};

struct Stage {
  bool is_index = false;
  Node* expr = nullptr;
  std::string index_var;
  int position = 0;
};

struct SortTerm {
  bool descending = false;
  Node* expr = nullptr;
};

struct GroupBy {
  std::vector<std::pair<Node*, Node*>> pairs;
  int position = 0;
};

struct Node {
  NodeType type = NodeType::kEnd;
  std::string id;     // token id for the Pratt parser (operator text, "(name)", ...)
  std::string value;  // operator, name, variable or string literal text
  double number = 0;
  Value literal;  // for kValue (true/false/null)
  int position = 0;
  int lbp = 0;

  Node* lhs = nullptr;
  Node* rhs = nullptr;
  Node* expression = nullptr;
  std::vector<Node*> expressions;              // block, array constructor, path steps
  std::vector<std::pair<Node*, Node*>> pairs;  // object constructor (raw: `{` lhs)
  std::vector<SortTerm> terms;                 // order-by
  Node* procedure = nullptr;
  std::vector<Node*> arguments;
  std::vector<std::string> params;  // lambda parameter names
  std::shared_ptr<Signature> signature;
  Node* body = nullptr;
  Node* condition = nullptr;
  Node* then = nullptr;
  Node* otherwise = nullptr;
  Node* pattern = nullptr;
  Node* update = nullptr;
  Node* remove = nullptr;
  std::shared_ptr<re2::RE2> regex;
  std::string regex_source;

  std::vector<Stage> stages;     // filters/index binds inside a path step
  std::vector<Stage> predicate;  // filters on a non-path expression
  std::optional<GroupBy> group;
  bool keep_array = false;
  bool keep_singleton_array = false;
  bool consarray = false;
  bool tuple = false;
  bool thunk = false;
  std::string focus;  // `@$v`
  std::string index;  // `#$i`
  bool has_focus = false;
  bool has_index = false;
  std::shared_ptr<Slot> ancestor;
  std::shared_ptr<Slot> slot;
  std::vector<std::shared_ptr<Slot>> seeking_parent;
  bool has_seeking_parent = false;
};

// Owns every node of one compiled expression.
struct Ast {
  std::vector<std::unique_ptr<Node>> nodes;
  Node* root = nullptr;
  Node* make() {
    nodes.push_back(std::make_unique<Node>());
    return nodes.back().get();
  }
};

// Parses text into a processed AST; throws JError (S0xxx) on syntax errors.
void parse(std::string_view text, Ast& ast);
// The post-processing step of parse (parser_process.cpp): rewrites the parser's raw tree into
// the tree the evaluator walks and returns its root; throws JError (S02xx).
Node* process_ast(Node* raw, Ast& ast);
// Deeper nesting than this is rejected rather than recursed into (hostile input).
inline constexpr int parse_depth_max = 400;

// Function signatures (`<s-n?:s>`): validation and context substitution.
struct Signature {
  struct Param {
    char type = 0;
    std::string regex;
    bool context = false;
    std::string context_regex;
    std::string subtype;
    bool has_subtype = false;
  };
  std::string definition;
  std::vector<Param> params;
  std::shared_ptr<re2::RE2> regex;
};
std::shared_ptr<Signature> parse_signature(const std::string& text);  // throws S0401/S0402
std::vector<Value> validate_args(const Signature& sig, const std::vector<Value>& args,
                                 const Value& context);

struct Frame {
  Frame() { live_count().fetch_add(1, std::memory_order_relaxed); }
  ~Frame() { live_count().fetch_sub(1, std::memory_order_relaxed); }
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
  // Frames alive in the process: lets a test prove that evaluations free their closures.
  static std::atomic<std::int64_t>& live_count() {
    static std::atomic<std::int64_t> n{0};
    return n;
  }
  std::shared_ptr<Frame> parent;
  std::vector<std::pair<std::string, Value>> vars;
  void bind(const std::string& name, Value v) {
    for (auto& kv : vars)
      if (kv.first == name) {
        kv.second = std::move(v);
        return;
      }
    vars.emplace_back(name, std::move(v));
  }
  const Value* lookup(std::string_view name) const {
    for (const Frame* f = this; f; f = f->parent.get())
      for (const auto& kv : f->vars)
        if (kv.first == name) return &kv.second;
    return nullptr;
  }
};
using FramePtr = std::shared_ptr<Frame>;

struct Context;
using NativeImpl = Value (*)(Context& ctx, std::vector<Value>& args, const Value& input,
                             const FramePtr& env);

struct Builtin {
  const char* name;
  NativeImpl impl;
  const char* signature;
  int arity;
  std::shared_ptr<Signature> sig;
};

struct Function {
  enum class Type { kLambda, kNative, kPartial, kRegex, kTransform, kChain, kMatchNext };
  Type type = Type::kLambda;
  // kLambda
  const Node* node = nullptr;  // lambda node (body, signature) or transform node
  std::vector<std::string> params;
  Value input;
  FramePtr env;
  bool thunk = false;
  bool partial = false;  // partially applied lambda: its signature no longer applies
  // kNative
  const Builtin* builtin = nullptr;
  // kPartial: target with holes; kChain: f then g
  Value target;
  std::vector<Value> bound;
  std::vector<bool> holes;
  Value second;
  // kRegex
  std::shared_ptr<re2::RE2> regex;
  std::string source;
  int arity() const;
};

// Per-evaluation state: limits, clock, randomness.
struct Context {
  std::size_t depth = 0;
  std::size_t depth_max = 0;
  std::uint64_t steps = 0;
  std::uint64_t steps_max = 0;  // 0: no budget
  double now_millis = 0;
  SplitMix64 rng{0};
  bool rng_seeded = false;  // seeding costs a system call, so it happens on first use
  FramePtr root;
  // Frames that `:=` bound a function or container into. Such a binding can close a cycle
  // (the frame holds a lambda whose environment is that frame: `$f := function(){ $f() }`),
  // which reference counting never frees. No value of an evaluation outlives it (results leave
  // as JSON), so the evaluation's end clears these frames and the cycles fall apart.
  std::vector<std::weak_ptr<Frame>> bound_frames;
};

// Breaks the closure cycles of one evaluation (see Context::bound_frames). Call once the
// result has been converted.
void release_closures(Context& ctx);

// Evaluator entry points used by functions.
Value evaluate(Context& ctx, const Node* expr, const Value& input, const FramePtr& env);
Value apply(Context& ctx, const Value& proc, std::vector<Value> args, const Value& input,
            const FramePtr& env);
const Builtin* find_builtin(std::string_view name);
const Value* builtin_value(std::string_view name);  // shared function value of a built-in

// Helpers shared across files.
bool is_sequence(const Value& v);
bool truthy(const Value& v);       // $boolean, with undefined -> false
Value boolean_of(const Value& v);  // $boolean: may be undefined
bool deep_equal(const Value& a, const Value& b);
Value append(const Value& a, const Value& b);
Value deep_clone(const Value& v);
std::string number_to_string(double d);              // JS Number#toString
std::string stringify(const Value& v, bool pretty);  // $string of a non-string
std::string value_to_string(const Value& v);         // $string
bool is_numeric(const Value& v);                     // throws D1001 on non-finite
std::size_t utf8_length(std::string_view s);         // code points
std::vector<std::u32string::value_type> to_code_points(std::string_view s);
std::string from_code_points(const std::u32string::value_type* p, std::size_t n);
void append_utf8(std::string& out, char32_t cp);
std::string type_of(const Value& v);

// Date/time and integer formatting (datetime.cpp).
Value fn_from_millis(double millis, const Value& picture, const Value& tz);
Value fn_to_millis(const std::string& ts, const Value& picture, double now_millis);
std::string format_integer(double value, const std::string& picture);
Value parse_integer(const std::string& value, const std::string& picture);
std::string format_number(double value, const std::string& picture, const Value& options);

}  // namespace stepwise::jsonata
