// The JSONata evaluator's function calls: calling a procedure (lambdas, built-ins, partial
// applications, chains, regexes, transforms), partial application `f(?, x)`, the chain
// operator `~>` and the transform operator `| pattern | update, remove |`.
#include <re2/re2.h>

#include <unordered_set>

#include "jsonata/evaluator_internal.h"

namespace stepwise::jsonata::evaluation {

namespace {

std::string procedure_name(const Node* proc) {
  if (proc->type == NodeType::kPath && !proc->expressions.empty())
    return proc->expressions[0]->value;
  return proc->value;
}

}  // namespace

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
      // Only $match's signature keeps a number or a boolean from reaching it as a string
      // (`/a/(false)`, found by fuzz_jsonata): check it here too, as a call of $match would.
      if (!call_args[0].undefined() && !call_args[0].is_string() && m->sig) {
        call_args = validate_args(*m->sig, call_args, input);
      }
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

namespace {

void collect_objects(const Value& v, std::unordered_set<const void*>& out, std::size_t depth) {
  if (depth > value_depth_max) fail("U1001");
  if (v.is_object()) {
    out.insert(v.identity());
    for (const auto& [k, x] : v.obj().entries) collect_objects(x, out, depth + 1);
  } else if (v.is_array()) {
    for (const auto& x : v.arr().items) collect_objects(x, out, depth + 1);
  }
}

}  // namespace

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

}  // namespace stepwise::jsonata::evaluation
