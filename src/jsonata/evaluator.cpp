// The JSONata evaluator: a tree walker over the processed AST, structured like the reference
// implementation so that sequence flattening, tuple streams and error codes behave the same.
// This file holds the walk itself (limits, the dispatch on node type, names, wildcards,
// descendants) and the module's entry points; the other node kinds live in evaluator_paths.cpp
// (paths, steps, filters), evaluator_operators.cpp (operators, object constructors, group-by,
// order-by) and evaluator_functions.cpp (calls, partial application, ~>, transforms).
#include <functional>

#include "jsonata/evaluator_internal.h"

namespace stepwise::jsonata::evaluation {

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

namespace {

struct DepthGuard {
  Context& ctx;
  explicit DepthGuard(Context& c) : ctx(c) { ++ctx.depth; }
  ~DepthGuard() { --ctx.depth; }
};

}  // namespace

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

}  // namespace stepwise::jsonata::evaluation

namespace stepwise::jsonata {

using evaluation::Evaluator;

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
