// The JSONata evaluator's operators (arithmetic, comparison, range, `in`, `and`/`or`, `&`,
// unary minus and array constructors), object constructors with group-by, and order-by.
#include <algorithm>
#include <cmath>

#include "jsonata/evaluator_internal.h"

namespace stepwise::jsonata::evaluation {

namespace {

// Object constructors with up to this many keys find duplicates by scanning, not hashing.
constexpr std::size_t group_scan_max = 16;

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace stepwise::jsonata::evaluation
