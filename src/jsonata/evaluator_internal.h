// Internals shared by the files of the JSONata evaluator (evaluator*.cpp): the Evaluator class
// (one per evaluation call; its methods are spread over the files by the kind of node they
// evaluate) and the sequence helpers they all use. Not part of the module's interface.
#pragma once
#include <memory>
#include <vector>

#include "jsonata/internal.h"

namespace stepwise::jsonata::evaluation {

// The reference's createSequence(x) holds x even when x is undefined.
inline Value seq_of(const Value& v) { return make_sequence({v}); }

inline const std::vector<Value>& items_of(const Value& v) { return v.arr().items; }

// Collapses a sequence the way every node evaluation ends in the reference.
inline Value finish(const Node* expr, Value result) {
  if (result.is_array() && result.arr().sequence && !result.arr().tuple_stream) {
    if (expr->keep_array) result.arr().keep_singleton = true;
    auto& items = result.arr().items;
    if (items.empty()) return Value();
    if (items.size() == 1 && !result.arr().keep_singleton) return items[0];
  }
  return result;
}

inline FramePtr frame_from_tuple(const FramePtr& env, const Value& tuple) {
  auto frame = std::make_shared<Frame>();
  frame->parent = env;
  if (tuple.is_object())  // an empty group-by input gives an undefined "tuple"
    for (const auto& [k, v] : tuple.obj().entries) frame->vars.emplace_back(k, v);
  return frame;
}

inline const Value& tuple_focus(const Value& tuple) {
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

}  // namespace stepwise::jsonata::evaluation
