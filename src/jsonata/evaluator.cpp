// The JSONata evaluator: a tree walker over the processed AST, structured like the reference
// implementation so that sequence flattening, tuple streams and error codes behave the same.
#include <re2/re2.h>

#include <cmath>
#include <unordered_set>

#include "jsonata/internal.h"

namespace stepwise::jsonata {
namespace {

// Object constructors with up to this many keys find duplicates by scanning, not hashing.
constexpr std::size_t group_scan_max = 16;
// Wall-clock checks are amortised over this many node evaluations.

// The reference's createSequence(x) holds x even when x is undefined.
Value seq_of(const Value& v) { return make_sequence({v}); }

const std::vector<Value>& items_of(const Value& v) { return v.arr().items; }

// Collapses a sequence the way every node evaluation ends in the reference.
Value finish(const Node* expr, Value result) {
  if (result.is_array() && result.arr().sequence && !result.arr().tuple_stream) {
    if (expr->keep_array) result.arr().keep_singleton = true;
    auto& items = result.arr().items;
    if (items.empty()) return Value();
    if (items.size() == 1 && !result.arr().keep_singleton) return items[0];
  }
  return result;
}

FramePtr frame_from_tuple(const FramePtr& env, const Value& tuple) {
  auto frame = std::make_shared<Frame>();
  frame->parent = env;
  if (tuple.is_object())  // an empty group-by input gives an undefined "tuple"
    for (const auto& [k, v] : tuple.obj().entries) frame->vars.emplace_back(k, v);
  return frame;
}

const Value& tuple_focus(const Value& tuple) {
  static const Value none;
  if (!tuple.is_object()) return none;
  const Value* v = tuple.obj().find("@");
  return v ? *v : none;
}

class Evaluator {
 public:
  explicit Evaluator(Context& ctx) : ctx_(ctx) {}

  Value eval(const Node* expr, const Value& input, const FramePtr& env);

  Value apply(const Value& proc, std::vector<Value> args, const Value& input, const FramePtr& env) {
    Value result = apply_inner(proc, std::move(args), input, env);
    while (result.is_function() && result.fn().type == Function::Type::kLambda &&
           result.fn().thunk) {
      Function& th = result.fn();
      const Node* call = th.node->body;
      Value next = eval(call->procedure, th.input, th.env);
      std::vector<Value> evaluated;
      for (const Node* arg : call->arguments) evaluated.push_back(eval(arg, th.input, th.env));
      Value keep = result;  // holds the thunk's frame alive while its call runs
      result = apply_inner(next, std::move(evaluated), input, env);
    }
    return result;
  }

 private:
  Context& ctx_;

  Value apply_inner(const Value& proc, std::vector<Value> args, const Value& input,
                    const FramePtr& env);
  Value apply_procedure(const Function& fn, const std::vector<Value>& args);
  Value eval_path(const Node* expr, const Value& input, const FramePtr& env);
  bool simple_path(const Node* expr, const Value& input, const FramePtr& env, Value& out);
  Value eval_step(const Node* step, const Value& input, const FramePtr& env, bool last);
  Value eval_tuple_step(const Node* step, const Value& input, Value tuples, const FramePtr& env);
  Value eval_stages(const std::vector<Stage>& stages, Value input, const FramePtr& env);
  Value eval_filter(const Node* pred, const Value& input, const FramePtr& env);
  Value eval_binary(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_unary(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_group(const GroupBy& group, const Value& input, const FramePtr& env);
  Value eval_object(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_sort(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_function(const Node* expr, const Value& input, const FramePtr& env,
                      const Value* applyto);
  Value eval_partial(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_apply(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_transform_fn(const Node* expr, const FramePtr& env);
  Value eval_inner(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_name(const Node* expr, const Value& input, const FramePtr& env);
  Value eval_wildcard(const Value& input);
  Value eval_descendants(const Value& input);
  Value run_transform(const Function& fn, const Value& obj);
  void check_limits();
};

void Evaluator::check_limits() {
  if (ctx_.depth_max && ctx_.depth > ctx_.depth_max) {
    JError err{"U1001"};
    err.message =
        "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting "
        "as tail-recursive.";
    throw err;
  }
  if (ctx_.steps_max != 0 && ++ctx_.steps > ctx_.steps_max) {
    JError err{"U1001"};
    err.message = "Expression evaluation timeout: Check for infinite loop";
    throw err;
  }
}

struct DepthGuard {
  Context& ctx;
  explicit DepthGuard(Context& c) : ctx(c) { ++ctx.depth; }
  ~DepthGuard() { --ctx.depth; }
};

Value Evaluator::eval(const Node* expr, const Value& input, const FramePtr& env) {
  DepthGuard guard(ctx_);
  check_limits();
  Value result = eval_inner(expr, input, env);
  for (const auto& stage : expr->predicate) result = eval_filter(stage.expr, result, env);
  if (expr->type != NodeType::kPath && expr->group) result = eval_group(*expr->group, result, env);
  return finish(expr, std::move(result));
}

Value Evaluator::eval_inner(const Node* expr, const Value& input, const FramePtr& env) {
  switch (expr->type) {
    case NodeType::kPath:
      return eval_path(expr, input, env);
    case NodeType::kBinary:
      return eval_binary(expr, input, env);
    case NodeType::kUnary:
      return eval_unary(expr, input, env);
    case NodeType::kName:
      return eval_name(expr, input, env);
    case NodeType::kString:
      return Value::string(expr->value);
    case NodeType::kNumber:
      return Value::number(expr->number);
    case NodeType::kValue:
      return expr->literal;
    case NodeType::kWildcard:
      return eval_wildcard(input);
    case NodeType::kDescendant:
      return eval_descendants(input);
    case NodeType::kParent: {
      const Value* v = env->lookup(expr->slot->label);
      return v ? *v : Value();
    }
    case NodeType::kCondition: {
      Value cond = eval(expr->condition, input, env);
      if (truthy(cond)) return eval(expr->then, input, env);
      if (expr->otherwise) return eval(expr->otherwise, input, env);
      return Value();
    }
    case NodeType::kBlock: {
      auto frame = std::make_shared<Frame>();
      frame->parent = env;
      Value result;
      for (const Node* e : expr->expressions) result = eval(e, input, frame);
      return result;
    }
    case NodeType::kBind: {
      Value v = eval(expr->rhs, input, env);
      if (v.is_function() || v.is_array() || v.is_object()) {
        if (ctx_.bound_frames.empty() || ctx_.bound_frames.back().lock() != env)
          ctx_.bound_frames.push_back(env);
      }
      env->bind(expr->lhs->value, v);
      return v;
    }
    case NodeType::kRegex: {
      auto fn = std::make_shared<Function>();
      fn->type = Function::Type::kRegex;
      fn->regex = expr->regex;
      fn->source = expr->regex_source;
      return Value::function(fn);
    }
    case NodeType::kFunction:
      return eval_function(expr, input, env, nullptr);
    case NodeType::kVariable: {
      if (expr->value.empty()) {
        if (input.is_array() && input.arr().outer_wrapper && !input.arr().items.empty())
          return input.arr().items[0];
        return input;
      }
      const Value* v = env->lookup(expr->value);
      if (v) return *v;
      if (const Value* b = builtin_value(expr->value)) return *b;
      return Value();
    }
    case NodeType::kLambda: {
      auto fn = std::make_shared<Function>();
      fn->type = Function::Type::kLambda;
      fn->node = expr;
      fn->params = expr->params;
      fn->input = input;
      fn->env = env;
      fn->thunk = expr->thunk;
      return Value::function(fn);
    }
    case NodeType::kPartial:
      return eval_partial(expr, input, env);
    case NodeType::kApply:
      return eval_apply(expr, input, env);
    case NodeType::kTransform:
      return eval_transform_fn(expr, env);
    default:
      fail("S0206", expr->position);
  }
}

// Cases with bulky locals live outside eval_inner to keep the recursive frame small (each
// level of JSONata nesting costs one eval_inner frame).
[[gnu::noinline]] Value Evaluator::eval_name(const Node* expr, const Value& input,
                                             const FramePtr& env) {
  // lookup: objects give the field; arrays map and flatten one level.
  if (input.is_object()) {
    const Value* v = input.obj().find(expr->value);
    return v ? *v : Value();
  }
  if (!input.is_array()) return Value();
  auto out = std::make_shared<Array>();
  out->sequence = true;
  for (const auto& item : items_of(input)) {
    Value r;
    if (item.is_object()) {
      const Value* v = item.obj().find(expr->value);
      if (v) r = *v;
    } else if (item.is_array()) {
      r = eval_inner(expr, item, env);
    }
    if (r.undefined()) continue;
    if (r.is_array()) {
      for (const auto& x : items_of(r)) out->items.push_back(x);
    } else {
      out->items.push_back(r);
    }
  }
  return Value::array(out);
}

[[gnu::noinline]] Value Evaluator::eval_wildcard(const Value& input) {
  auto out = std::make_shared<Array>();
  out->sequence = true;
  Value in = input;
  if (in.is_array() && in.arr().outer_wrapper && !in.arr().items.empty()) in = in.arr().items[0];
  // A wildcard's values: each value, with arrays flattened into their items.
  std::function<void(const Value&)> flat = [&](const Value& x) {
    if (x.is_array()) {
      for (const auto& y : x.arr().items) flat(y);
    } else {
      out->items.push_back(x);
    }
  };
  auto add = [&](const Value& v) {
    if (v.is_array()) {
      flat(v);
      out->sequence = false;
    } else {
      out->items.push_back(v);
    }
  };
  if (in.is_object()) {
    for (const auto& [k, v] : in.obj().entries) add(v);
  } else if (in.is_array()) {
    // Arrays are objects in JavaScript: their wildcard values are the items.
    for (const auto& v : in.arr().items) add(v);
  }
  return Value::array(out);
}

[[gnu::noinline]] Value Evaluator::eval_descendants(const Value& input) {
  if (input.undefined()) return Value();
  auto out = std::make_shared<Array>();
  out->sequence = true;
  std::function<void(const Value&, int)> rec = [&](const Value& v, int depth) {
    if (depth > 10000) fail("U1001");
    if (!v.is_array()) out->items.push_back(v);
    if (v.is_array()) {
      for (const auto& x : v.arr().items) rec(x, depth + 1);
    } else if (v.is_object()) {
      for (const auto& [k, x] : v.obj().entries) rec(x, depth + 1);
    }
  };
  rec(input, 0);
  if (out->items.size() == 1) return out->items[0];
  return Value::array(out);
}

// A step that only looks a name up: nothing the general walk would bind, filter or keep.
bool plain_step(const Node* s) {
  return s->stages.empty() && s->predicate.empty() && !s->group && !s->tuple && !s->has_focus &&
         !s->has_index && !s->consarray && !s->keep_array && !s->ancestor;
}

// `$var.a.b` or `a.b` through single objects (most Step Functions expressions) is looked up
// directly, without a sequence per step. Returns false, having changed nothing, on whatever
// the general walk treats specially (arrays, non-objects, filters, bindings): lookups have no
// side effects, so the caller then simply starts over with the general walk.
bool Evaluator::simple_path(const Node* expr, const Value& input, const FramePtr& env, Value& out) {
  if (expr->keep_singleton_array || expr->keep_array || expr->group || expr->tuple ||
      !expr->predicate.empty()) {
    return false;
  }
  Value v;
  const auto& steps = expr->expressions;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Node* s = steps[i];
    if (!plain_step(s)) return false;
    if (i == 0 && s->type == NodeType::kVariable && !s->value.empty()) {
      const Value* p = env->lookup(s->value);
      if (p == nullptr) return false;
      v = *p;
      continue;
    }
    const Value& from = i == 0 ? input : v;
    if (s->type != NodeType::kName || !from.is_object()) return false;
    const Value* p = from.obj().find(s->value);
    if (p == nullptr) {
      out = Value();
      return true;
    }
    v = *p;
  }
  if (v.is_array() && v.arr().sequence) return false;
  out = std::move(v);
  return true;
}

Value Evaluator::eval_path(const Node* expr, const Value& input, const FramePtr& env) {
  if (Value fast; simple_path(expr, input, env, fast)) return fast;
  const auto& steps = expr->expressions;
  Value input_seq;
  if (input.is_array() && steps[0]->type != NodeType::kVariable) {
    input_seq = input;
  } else {
    input_seq = seq_of(input);
  }
  Value result;
  bool tuple_stream = false;
  Value tuples;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Node* step = steps[i];
    if (step->tuple) tuple_stream = true;
    if (i == 0 && step->consarray) {
      result = eval(step, input_seq, env);
    } else if (tuple_stream) {
      tuples = eval_tuple_step(step, input_seq, tuples, env);
    } else {
      result = eval_step(step, input_seq, env, i == steps.size() - 1);
    }
    if (!tuple_stream && (result.undefined() || (result.is_array() && result.arr().items.empty())))
      break;
    if (!step->has_focus) input_seq = result;
  }
  if (tuple_stream) {
    if (expr->tuple) {
      result = tuples;
    } else {
      auto out = std::make_shared<Array>();
      out->sequence = true;
      if (tuples.is_array())
        for (const auto& t : items_of(tuples)) out->items.push_back(tuple_focus(t));
      result = Value::array(out);
    }
  }
  if (expr->keep_singleton_array) {
    if (result.is_array() && result.arr().cons && !result.arr().sequence)
      result = make_sequence({result});
    if (result.undefined()) result = make_sequence();
    if (!result.is_array()) result = make_sequence({result});
    // The flag only matters on sequences; other arrays may belong to a shared input document.
    if (result.arr().sequence) result.arr().keep_singleton = true;
  }
  if (expr->group) result = eval_group(*expr->group, tuple_stream ? tuples : result, env);
  return result;
}

Value Evaluator::eval_step(const Node* step, const Value& input, const FramePtr& env, bool last) {
  if (step->type == NodeType::kSort) {
    Value result = eval_sort(step, input, env);
    if (!step->stages.empty()) result = eval_stages(step->stages, result, env);
    return result;
  }
  // Results are flattened into the output as they come (no intermediate vector: a path step
  // is the hottest allocation site). The first is held back: a lone plain array ending the
  // path is returned as it is, without copying its items.
  auto out = std::make_shared<Array>();
  out->sequence = true;
  auto add = [&out](Value res) {
    if (!res.is_array() || res.arr().cons) {
      out->items.push_back(std::move(res));
    } else {
      const auto& xs = res.arr().items;
      out->items.insert(out->items.end(), xs.begin(), xs.end());
    }
  };
  std::size_t count = 0;
  Value first;
  for (const auto& item : items_of(input)) {
    Value res = eval(step, item, env);
    for (const auto& stage : step->stages) res = eval_filter(stage.expr, res, env);
    if (res.undefined()) continue;
    if (++count == 1) {
      first = std::move(res);
      continue;
    }
    if (count == 2) add(std::move(first));
    add(std::move(res));
  }
  if (count == 1) {
    if (last && first.is_array() && !first.arr().sequence) return first;
    add(std::move(first));
  }
  return Value::array(out);
}

Value Evaluator::eval_stages(const std::vector<Stage>& stages, Value input, const FramePtr& env) {
  Value result = std::move(input);
  for (const auto& stage : stages) {
    if (!stage.is_index) {
      result = eval_filter(stage.expr, result, env);
    } else if (result.is_array()) {
      auto& items = result.arr().items;
      for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].is_object())
          items[i].obj().set(stage.index_var, Value::number(static_cast<double>(i)));
    }
  }
  return result;
}

Value Evaluator::eval_tuple_step(const Node* step, const Value& input, Value tuples,
                                 const FramePtr& env) {
  if (step->type == NodeType::kSort) {
    Value result;
    if (!tuples.undefined()) {
      result = eval_sort(step, tuples, env);
    } else {
      Value sorted = eval_sort(step, input, env);
      auto out = std::make_shared<Array>();
      out->sequence = true;
      out->tuple_stream = true;
      const auto& xs = items_of(sorted);
      for (std::size_t i = 0; i < xs.size(); ++i) {
        Value t = make_object();
        t.obj().set("@", xs[i]);
        if (step->has_index) t.obj().set(step->index, Value::number(static_cast<double>(i)));
        out->items.push_back(t);
      }
      result = Value::array(out);
    }
    if (!step->stages.empty()) result = eval_stages(step->stages, result, env);
    return result;
  }
  auto out = std::make_shared<Array>();
  out->sequence = true;
  out->tuple_stream = true;
  if (tuples.undefined()) {
    auto ts = std::make_shared<Array>();
    for (const auto& item : items_of(input)) {
      Value t = make_object();
      t.obj().set("@", item);
      ts->items.push_back(t);
    }
    tuples = Value::array(ts);
  }
  for (const auto& tuple : items_of(tuples)) {
    FramePtr step_env = frame_from_tuple(env, tuple);
    Value res = eval(step, tuple_focus(tuple), step_env);
    if (res.undefined()) continue;
    bool res_tuples = res.is_array() && res.arr().tuple_stream;
    std::vector<Value> rs = res.is_array() ? res.arr().items : std::vector<Value>{res};
    for (std::size_t b = 0; b < rs.size(); ++b) {
      auto t = std::make_shared<Object>(tuple.obj());
      if (res_tuples) {
        if (rs[b].is_object())
          for (const auto& [k, v] : rs[b].obj().entries) t->set(k, v);
      } else {
        if (step->has_focus) {
          t->set(step->focus, rs[b]);
          t->set("@", tuple_focus(tuple));
        } else {
          t->set("@", rs[b]);
        }
        if (step->has_index) t->set(step->index, Value::number(static_cast<double>(b)));
        if (step->ancestor) t->set(step->ancestor->label, tuple_focus(tuple));
      }
      out->items.push_back(Value::object(t));
    }
  }
  Value result = Value::array(out);
  if (!step->stages.empty()) result = eval_stages(step->stages, result, env);
  return result;
}

Value Evaluator::eval_filter(const Node* pred, const Value& input, const FramePtr& env) {
  auto out = std::make_shared<Array>();
  out->sequence = true;
  bool tuple_stream = input.is_array() && input.arr().tuple_stream;
  out->tuple_stream = tuple_stream;
  Value in = input.is_array() ? input : seq_of(input);
  const auto& items = items_of(in);
  auto size = static_cast<double>(items.size());
  if (pred->type == NodeType::kNumber) {
    double index = std::floor(pred->number);
    if (index < 0) index += size;
    if (index >= 0 && index < size) {
      const Value& item = items[static_cast<std::size_t>(index)];
      if (item.is_array()) return item;
      if (!item.undefined()) out->items.push_back(item);
    }
    return Value::array(out);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Value& item = items[i];
    Value res;
    if (tuple_stream) {
      res = eval(pred, tuple_focus(item), frame_from_tuple(env, item));
    } else {
      res = eval(pred, item, env);
    }
    if (is_numeric(res)) res = make_array({res});
    bool all_numbers = res.is_array() && !res.arr().items.empty();
    if (res.is_array())
      for (const auto& x : res.arr().items)
        if (!is_numeric(x)) all_numbers = false;
    if (all_numbers) {
      for (const auto& x : res.arr().items) {
        double ii = std::floor(x.num());
        if (ii < 0) ii += size;
        if (ii == static_cast<double>(i)) out->items.push_back(item);
      }
    } else if (res.is_array() && res.arr().items.empty() && false) {
    } else if (truthy(res)) {
      out->items.push_back(item);
    }
  }
  return Value::array(out);
}

Value numeric_op(const Value& lhs, const Value& rhs, const std::string& op) {
  if (!lhs.undefined() && !is_numeric(lhs)) fail_value("T2001", lhs);
  if (!rhs.undefined() && !is_numeric(rhs)) fail_value("T2002", rhs);
  if (lhs.undefined() || rhs.undefined()) return Value();
  double a = lhs.num(), b = rhs.num();
  switch (op[0]) {
    case '+':
      return Value::number(a + b);
    case '-':
      return Value::number(a - b);
    case '*':
      return Value::number(a * b);
    case '/':
      return Value::number(a / b);
    default:
      return Value::number(std::fmod(a, b));
  }
}

Value compare_op(const Value& lhs, const Value& rhs, const std::string& op) {
  auto comparable = [](const Value& v) { return v.undefined() || v.is_string() || v.is_number(); };
  if (!comparable(lhs) || !comparable(rhs)) fail_value("T2010", comparable(lhs) ? rhs : lhs);
  if (lhs.undefined() || rhs.undefined()) return Value();
  if (lhs.kind() != rhs.kind()) {
    JError err{"T2009"};
    err.value = lhs;
    err.value2 = rhs;
    throw err;
  }
  int c;
  if (lhs.is_number()) {
    double a = lhs.num(), b = rhs.num();
    if (op == "<") return Value::boolean(a < b);
    if (op == "<=") return Value::boolean(a <= b);
    if (op == ">") return Value::boolean(a > b);
    return Value::boolean(a >= b);
  }
  // JavaScript compares strings by UTF-16 code units; UTF-8 byte order agrees except for
  // astral vs. high-BMP characters, which do not occur in practice.
  c = lhs.str().compare(rhs.str());
  if (op == "<") return Value::boolean(c < 0);
  if (op == "<=") return Value::boolean(c <= 0);
  if (op == ">") return Value::boolean(c > 0);
  return Value::boolean(c >= 0);
}

bool is_integer(const Value& v) {
  return v.is_number() && std::isfinite(v.num()) && std::floor(v.num()) == v.num();
}

// The reference caps ranges at ten million items.
constexpr double range_items_max = 1e7;

Value range_op(const Value& lhs, const Value& rhs) {
  if (!lhs.undefined() && !is_integer(lhs)) fail_value("T2003", lhs);
  if (!rhs.undefined() && !is_integer(rhs)) fail_value("T2004", rhs);
  if (lhs.undefined() || rhs.undefined()) return Value();
  double a = lhs.num(), b = rhs.num();
  if (a > b) return Value();
  double size = b - a + 1;
  if (size > range_items_max) fail_value("D2014", Value::number(size));
  auto out = std::make_shared<Array>();
  out->sequence = true;
  out->items.reserve(static_cast<std::size_t>(size));
  for (double x = a; x <= b; x += 1) out->items.push_back(Value::number(x));
  return Value::array(out);
}

bool strict_equal(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.as_bool() == b.as_bool();
    case Kind::kNumber:
      return a.num() == b.num();
    case Kind::kString:
      return a.str() == b.str();
    default:
      return a.identity() == b.identity();
  }
}

Value Evaluator::eval_binary(const Node* expr, const Value& input, const FramePtr& env) {
  Value lhs = eval(expr->lhs, input, env);
  const std::string& op = expr->value;
  try {
    if (op == "and") return Value::boolean(truthy(lhs) && truthy(eval(expr->rhs, input, env)));
    if (op == "or") return Value::boolean(truthy(lhs) || truthy(eval(expr->rhs, input, env)));
  } catch (JError& err) {
    if (err.position < 0) err.position = expr->position;
    throw;
  }
  Value rhs = eval(expr->rhs, input, env);
  try {
    switch (op[0]) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return numeric_op(lhs, rhs, op);
      case '=':
        return Value::boolean(!lhs.undefined() && !rhs.undefined() && deep_equal(lhs, rhs));
      case '!':
        return Value::boolean(!lhs.undefined() && !rhs.undefined() && !deep_equal(lhs, rhs));
      case '<':
      case '>':
        return compare_op(lhs, rhs, op);
      case '&': {
        std::string out = lhs.undefined() ? "" : value_to_string(lhs);
        out += rhs.undefined() ? "" : value_to_string(rhs);
        return Value::string(std::move(out));
      }
      case '.':
        return range_op(lhs, rhs);
      case 'i': {
        if (lhs.undefined() || rhs.undefined()) return Value::boolean(false);
        if (!rhs.is_array()) return Value::boolean(strict_equal(lhs, rhs));
        for (const auto& x : rhs.arr().items)
          if (strict_equal(x, lhs)) return Value::boolean(true);
        return Value::boolean(false);
      }
      default:
        break;
    }
  } catch (JError& err) {
    if (err.position < 0) err.position = expr->position;
    if (!err.has_token) {
      err.token = op;
      err.has_token = true;
    }
    throw;
  }
  fail("S0201", expr->position);
}

Value Evaluator::eval_unary(const Node* expr, const Value& input, const FramePtr& env) {
  if (expr->value == "-") {
    Value v = eval(expr->expression, input, env);
    if (v.undefined()) return v;
    if (is_numeric(v)) return Value::number(-v.num());
    JError err{"D1002", expr->position};
    err.token = "-";
    err.has_token = true;
    err.value = v;
    throw err;
  }
  if (expr->value == "[") {
    auto out = std::make_shared<Array>();
    for (const Node* item : expr->expressions) {
      Value v = eval(item, input, env);
      if (v.undefined()) continue;
      if (item->type == NodeType::kUnary && item->value == "[") {
        out->items.push_back(v);
      } else if (v.is_array()) {
        const auto& xs = v.arr().items;
        out->items.insert(out->items.end(), xs.begin(), xs.end());
      } else {
        out->items.push_back(v);
      }
    }
    out->cons = expr->consarray;
    return Value::array(out);
  }
  return eval_object(expr, input, env);
}

Value Evaluator::eval_object(const Node* expr, const Value& input, const FramePtr& env) {
  GroupBy g;
  g.pairs = expr->pairs;
  g.position = expr->position;
  return eval_group(g, input, env);
}

Value reduce_tuple_stream(const Value& data) {
  if (!data.is_array())
    return data.is_object() ? Value::object(std::make_shared<Object>(data.obj())) : make_object();
  const auto& items = data.arr().items;
  if (items.empty() || !items[0].is_object()) return make_object();
  auto result = std::make_shared<Object>(items[0].obj());
  for (std::size_t i = 1; i < items.size(); ++i) {
    for (const auto& [k, v] : items[i].obj().entries) {
      const Value* prev = result->find(k);
      result->set(k, append(prev ? *prev : Value(), v));
    }
  }
  return Value::object(result);
}

Value Evaluator::eval_group(const GroupBy& group, const Value& input_in, const FramePtr& env) {
  bool reduce = input_in.is_array() && input_in.arr().tuple_stream;
  // A lone input (the usual `{...}` on one object) is not copied into a sequence first.
  std::vector<Value> lone;
  if (!input_in.is_array() || input_in.arr().items.empty())
    lone.push_back(input_in.is_array() ? Value() : input_in);
  const std::vector<Value>& items = lone.empty() ? input_in.arr().items : lone;
  struct Entry {
    Value data;
    std::size_t expr_index;
  };
  std::vector<std::pair<std::string, Entry>> groups;
  // Few keys are found by a linear scan; the hash index is built once there are more.
  std::unordered_map<std::string, std::size_t> where;
  auto find_group = [&](const std::string& k) -> std::size_t {
    if (groups.size() <= group_scan_max) {
      for (std::size_t g = 0; g < groups.size(); ++g)
        if (groups[g].first == k) return g;
      return groups.size();
    }
    if (where.empty())
      for (std::size_t g = 0; g < groups.size(); ++g) where.emplace(groups[g].first, g);
    auto it = where.find(k);
    return it == where.end() ? groups.size() : it->second;
  };
  for (const auto& item : items) {
    FramePtr item_env = reduce ? frame_from_tuple(env, item) : env;
    for (std::size_t p = 0; p < group.pairs.size(); ++p) {
      Value key = eval(group.pairs[p].first, reduce ? tuple_focus(item) : item, item_env);
      if (key.undefined()) continue;
      if (!key.is_string()) fail_value("T1003", key, group.position);
      std::size_t g = find_group(key.str());
      if (g == groups.size()) {
        if (!where.empty()) where.emplace(key.str(), g);
        groups.push_back({key.str(), Entry{item, p}});
      } else {
        Entry& e = groups[g].second;
        if (e.expr_index != p) fail_value("D1009", key, group.position);
        e.data = append(e.data, item);
      }
    }
  }
  auto result = std::make_shared<Object>();
  for (auto& [key, entry] : groups) {
    Value context = entry.data;
    FramePtr value_env = env;
    if (reduce) {
      Value tuple = reduce_tuple_stream(entry.data);
      const Value* focus = tuple.obj().find("@");
      context = focus ? *focus : Value();
      tuple.obj().erase("@");
      value_env = frame_from_tuple(env, tuple);
    }
    Value v = eval(group.pairs[entry.expr_index].second, context, value_env);
    if (!v.undefined()) result->set(key, std::move(v));
  }
  return Value::object(result);
}

Value Evaluator::eval_sort(const Node* expr, const Value& input, const FramePtr& env) {
  bool tuple_sort = input.is_array() && input.arr().tuple_stream;
  std::vector<Value> items = input.is_array() ? input.arr().items : std::vector<Value>{input};
  // Sort keys are evaluated once per item, then compared.
  std::vector<std::vector<Value>> keys(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (const auto& term : expr->terms) {
      if (tuple_sort) {
        keys[i].push_back(eval(term.expr, tuple_focus(items[i]), frame_from_tuple(env, items[i])));
      } else {
        keys[i].push_back(eval(term.expr, items[i], env));
      }
    }
  }
  auto compare = [&](std::size_t a, std::size_t b) {
    for (std::size_t t = 0; t < expr->terms.size(); ++t) {
      const Value& aa = keys[a][t];
      const Value& bb = keys[b][t];
      int comp;
      if (aa.undefined()) {
        comp = bb.undefined() ? 0 : 1;
        if (comp == 0) continue;
        return comp;
      }
      if (bb.undefined()) return -1;
      auto ok = [](const Value& v) { return v.is_string() || v.is_number(); };
      if (!ok(aa) || !ok(bb)) fail_value("T2008", ok(aa) ? bb : aa, expr->position);
      if (aa.kind() != bb.kind()) {
        JError err{"T2007", expr->position};
        err.value = aa;
        err.value2 = bb;
        throw err;
      }
      if (aa.is_number()) {
        comp = aa.num() == bb.num() ? 0 : (aa.num() < bb.num() ? -1 : 1);
      } else {
        int c = aa.str().compare(bb.str());
        comp = c == 0 ? 0 : (c < 0 ? -1 : 1);
      }
      if (expr->terms[t].descending) comp = -comp;
      if (comp != 0) return comp;
    }
    return 0;
  };
  std::vector<std::size_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return compare(a, b) < 0; });
  auto out = std::make_shared<Array>();
  out->sequence = true;
  out->tuple_stream = tuple_sort;
  for (auto i : order) out->items.push_back(items[i]);
  return Value::array(out);
}

std::string procedure_name(const Node* proc) {
  if (proc->type == NodeType::kPath && !proc->expressions.empty())
    return proc->expressions[0]->value;
  return proc->value;
}

Value Evaluator::eval_function(const Node* expr, const Value& input, const FramePtr& env,
                               const Value* applyto) {
  Value proc = eval(expr->procedure, input, env);
  if (proc.undefined() && expr->procedure->type == NodeType::kPath &&
      (env->lookup(expr->procedure->expressions[0]->value) ||
       find_builtin(expr->procedure->expressions[0]->value))) {
    JError err{"T1005", expr->position};
    err.token = expr->procedure->expressions[0]->value;
    err.has_token = true;
    throw err;
  }
  std::vector<Value> args;
  if (applyto) args.push_back(*applyto);
  for (const Node* arg : expr->arguments) args.push_back(eval(arg, input, env));
  try {
    return apply(proc, std::move(args), input, env);
  } catch (JError& err) {
    if (err.position < 0) err.position = expr->position;
    if (!err.has_token) {
      err.token = procedure_name(expr->procedure);
      err.has_token = true;
    }
    throw;
  }
}

Value Evaluator::apply_inner(const Value& proc, std::vector<Value> args, const Value& input,
                             const FramePtr& env) {
  if (!proc.is_function()) {
    JError err{"T1006"};
    throw err;
  }
  const Function& fn = proc.fn();
  switch (fn.type) {
    case Function::Type::kLambda: {
      if (fn.node->signature && !fn.partial) args = validate_args(*fn.node->signature, args, input);
      return apply_procedure(fn, args);
    }
    case Function::Type::kNative: {
      if (fn.builtin->sig) args = validate_args(*fn.builtin->sig, args, input);
      return fn.builtin->impl(ctx_, args, input, env);
    }
    case Function::Type::kPartial: {
      std::vector<Value> full;
      std::size_t next = 0;
      for (std::size_t i = 0; i < fn.bound.size(); ++i) {
        if (fn.holes[i]) {
          full.push_back(next < args.size() ? args[next] : Value());
          ++next;
        } else {
          full.push_back(fn.bound[i]);
        }
      }
      return apply(fn.target, std::move(full), input, env);
    }
    case Function::Type::kChain: {
      Value mid = apply(fn.target, {args.empty() ? Value() : args[0]}, input, env);
      return apply(fn.second, {mid}, input, env);
    }
    case Function::Type::kTransform: {
      static const auto sig = parse_signature("<(oa):o>");
      args = validate_args(*sig, args, input);
      return run_transform(fn, args.empty() ? Value() : args[0]);
    }
    case Function::Type::kRegex: {
      // A regex called directly returns its first match object.
      std::vector<Value> call_args{args.empty() ? Value() : args[0], proc};
      const Builtin* m = find_builtin("match");
      Value r = m->impl(ctx_, call_args, input, env);
      if (r.is_array() && !r.arr().items.empty()) return r.arr().items[0];
      return Value();
    }
    case Function::Type::kMatchNext:
      return Value();
  }
  return Value();
}

Value Evaluator::apply_procedure(const Function& fn, const std::vector<Value>& args) {
  auto frame = std::make_shared<Frame>();
  frame->parent = fn.env;
  for (std::size_t i = 0; i < fn.params.size(); ++i)
    frame->vars.emplace_back(fn.params[i], i < args.size() ? args[i] : Value());
  return eval(fn.node->body, fn.input, frame);
}

Value Evaluator::eval_partial(const Node* expr, const Value& input, const FramePtr& env) {
  auto fn = std::make_shared<Function>();
  fn->type = Function::Type::kPartial;
  for (const Node* arg : expr->arguments) {
    bool hole = arg->type == NodeType::kOperator && arg->value == "?";
    fn->holes.push_back(hole);
    fn->bound.push_back(hole ? Value() : eval(arg, input, env));
  }
  Value proc = eval(expr->procedure, input, env);
  if (proc.undefined() && expr->procedure->type == NodeType::kPath &&
      (env->lookup(expr->procedure->expressions[0]->value) ||
       find_builtin(expr->procedure->expressions[0]->value))) {
    JError err{"T1007", expr->position};
    err.token = expr->procedure->expressions[0]->value;
    err.has_token = true;
    throw err;
  }
  if (!proc.is_function()) {
    JError err{"T1008", expr->position};
    err.token = procedure_name(expr->procedure);
    err.has_token = true;
    throw err;
  }
  if (proc.fn().type == Function::Type::kLambda) {
    // Lambdas bind supplied arguments now; unsupplied trailing parameters become undefined.
    const Function& lambda = proc.fn();
    auto bound = std::make_shared<Function>(lambda);
    bound->env = std::make_shared<Frame>();
    bound->env->parent = lambda.env;
    bound->params.clear();
    bound->thunk = false;
    bound->partial = true;
    for (std::size_t i = 0; i < lambda.params.size(); ++i) {
      bool hole = i < fn->holes.size() && fn->holes[i];
      if (hole) {
        bound->params.push_back(lambda.params[i]);
      } else {
        bound->env->bind(lambda.params[i], i < fn->bound.size() ? fn->bound[i] : Value());
      }
    }
    // As in the reference, the partially applied lambda no longer checks its signature.
    return Value::function(bound);
  }
  fn->target = proc;
  return Value::function(fn);
}

Value Evaluator::eval_apply(const Node* expr, const Value& input, const FramePtr& env) {
  Value lhs = eval(expr->lhs, input, env);
  if (expr->rhs->type == NodeType::kFunction) return eval_function(expr->rhs, input, env, &lhs);
  Value func = eval(expr->rhs, input, env);
  if (!func.is_function()) fail_value("T2006", func, expr->position);
  if (lhs.is_function()) {
    auto chain = std::make_shared<Function>();
    chain->type = Function::Type::kChain;
    chain->target = lhs;
    chain->second = func;
    return Value::function(chain);
  }
  return apply(func, {lhs}, input, env);
}

Value Evaluator::eval_transform_fn(const Node* expr, const FramePtr& env) {
  auto fn = std::make_shared<Function>();
  fn->type = Function::Type::kTransform;
  fn->node = expr;
  fn->env = env;
  return Value::function(fn);
}

void collect_objects(const Value& v, std::unordered_set<const void*>& out, std::size_t depth) {
  if (depth > value_depth_max) fail("U1001");
  if (v.is_object()) {
    out.insert(v.identity());
    for (const auto& [k, x] : v.obj().entries) collect_objects(x, out, depth + 1);
  } else if (v.is_array()) {
    for (const auto& x : v.arr().items) collect_objects(x, out, depth + 1);
  }
}

Value Evaluator::run_transform(const Function& fn, const Value& obj) {
  if (obj.undefined()) return Value();
  const Node* expr = fn.node;
  Value result = deep_clone(obj);
  // Only objects inside the fresh clone are updated: anything else (say `$$.x`) may belong to a
  // document shared with other evaluations.
  std::unordered_set<const void*> owned;
  collect_objects(result, owned, 0);
  Value matches = eval(expr->pattern, result, fn.env);
  if (matches.undefined()) return result;
  std::vector<Value> ms = matches.is_array() ? matches.arr().items : std::vector<Value>{matches};
  for (const auto& match : ms) {
    Value update = eval(expr->update, match, fn.env);
    if (!update.undefined()) {
      if (!update.is_object()) fail_value("T2011", update, expr->update->position);
      if (match.is_object() && owned.count(match.identity()))
        for (const auto& [k, v] : update.obj().entries) match.obj().set(k, v);
    }
    if (expr->remove) {
      Value dels = eval(expr->remove, match, fn.env);
      if (dels.undefined()) continue;
      std::vector<Value> ds = dels.is_array() ? dels.arr().items : std::vector<Value>{dels};
      for (const auto& d : ds)
        if (!d.is_string()) fail_value("T2012", dels, expr->remove->position);
      if (match.is_object() && owned.count(match.identity()))
        for (const auto& d : ds) match.obj().erase(d.str());
    }
  }
  return result;
}

}  // namespace

int Function::arity() const {
  switch (type) {
    case Type::kLambda:
      return static_cast<int>(params.size());
    case Type::kNative:
      return builtin->arity;
    case Type::kPartial: {
      int n = 0;
      for (bool h : holes) n += h ? 1 : 0;
      return n;
    }
    case Type::kChain:
      return 1;
    case Type::kTransform:
      return 1;
    case Type::kRegex:
      return 1;
    default:
      return 0;
  }
}

void release_closures(Context& ctx) {
  for (auto& weak : ctx.bound_frames) {
    if (FramePtr frame = weak.lock()) {
      // Move the bindings out first: destroying them may free other frames of the list.
      auto vars = std::move(frame->vars);
      frame->vars.clear();
      frame->parent.reset();
    }
  }
  ctx.bound_frames.clear();
}

Value evaluate(Context& ctx, const Node* expr, const Value& input, const FramePtr& env) {
  Evaluator ev(ctx);
  return ev.eval(expr, input, env);
}

Value apply(Context& ctx, const Value& proc, std::vector<Value> args, const Value& input,
            const FramePtr& env) {
  Evaluator ev(ctx);
  return ev.apply(proc, std::move(args), input, env);
}

}  // namespace stepwise::jsonata
