// The JSONata evaluator's paths: the fast lookup of plain `a.b.c` paths, steps with their
// tuple streams (`@`, `#` bindings), stages and predicate filters.
#include <cmath>

#include "jsonata/evaluator_internal.h"

namespace stepwise::jsonata::evaluation {

namespace {

// A step that only looks a name up: nothing the general walk would bind, filter or keep.
bool plain_step(const Node* s) {
  return s->stages.empty() && s->predicate.empty() && !s->group && !s->tuple && !s->has_focus &&
         !s->has_index && !s->consarray && !s->keep_array && !s->ancestor;
}

}  // namespace

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

}  // namespace stepwise::jsonata::evaluation
