// JSONata's higher-order built-in functions ($map, $filter, $reduce, $sift...) and those over
// objects and arrays ($keys, $lookup, $merge, $sort, $distinct...), plus $error/$assert/$type.
#include <algorithm>

#include "jsonata/functions_internal.h"

namespace stepwise::jsonata::builtins {
namespace {

// ---- higher-order ----

Value f_map(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = seq();
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Value r =
        call(ctx, a[1], hof_args(a[1], xs[i], Value::number(static_cast<double>(i)), a[0]), env);
    if (!r.undefined()) out.arr().items.push_back(r);
  }
  return out;
}

Value f_filter(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = seq();
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Value r =
        call(ctx, a[1], hof_args(a[1], xs[i], Value::number(static_cast<double>(i)), a[0]), env);
    if (truthy(r)) out.arr().items.push_back(xs[i]);
  }
  return out;
}

Value f_single(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  bool found = false;
  Value result;
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    bool positive = true;
    if (!arg(a, 1).undefined()) {
      Value r =
          call(ctx, a[1], hof_args(a[1], xs[i], Value::number(static_cast<double>(i)), a[0]), env);
      positive = truthy(r);
    }
    if (positive) {
      if (found) fail("D3138");
      result = xs[i];
      found = true;
    }
  }
  if (!found) fail("D3139");
  return result;
}

Value f_reduce(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  if (!arg(a, 1).is_function()) fail("T1006");
  int arity = a[1].fn().arity();
  if (arity < 2) {
    JError err{"D3050"};
    err.index = 1;
    throw err;
  }
  const auto& xs = items(a[0]);
  std::size_t index = 0;
  Value result;
  if (arg(a, 2).undefined() && !xs.empty()) {
    result = xs[0];
    index = 1;
  } else {
    result = arg(a, 2);
  }
  for (; index < xs.size(); ++index) {
    Args args{result, xs[index]};
    if (arity >= 3) args.push_back(Value::number(static_cast<double>(index)));
    if (arity >= 4) args.push_back(a[0]);
    result = call(ctx, a[1], std::move(args), env);
  }
  return result;
}

Value f_sift(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = make_object();
  for (const auto& [k, v] : a[0].obj().entries) {
    Value r = call(ctx, a[1], hof_args(a[1], v, Value::string(k), a[0]), env);
    if (truthy(r)) out.obj().set(k, v);
  }
  if (out.obj().size() == 0) return Value();
  return out;
}

Value f_each(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  Value out = seq();
  for (const auto& [k, v] : a[0].obj().entries) {
    Value r = call(ctx, a[1], hof_args(a[1], v, Value::string(k), a[0]), env);
    if (!r.undefined()) out.arr().items.push_back(r);
  }
  return out;
}

Value f_zip(Context&, Args& a, const Value&, const FramePtr&) {
  std::size_t n = SIZE_MAX;
  for (const auto& x : a) n = std::min(n, x.is_array() ? items(x).size() : std::size_t{0});
  if (a.empty()) n = 0;
  Value out = make_array();
  for (std::size_t i = 0; i < n; ++i) {
    Value tuple = make_array();
    for (const auto& x : a) tuple.arr().items.push_back(items(x)[i]);
    out.arr().items.push_back(tuple);
  }
  return out;
}

// ---- objects and arrays ----

void collect_keys(const Value& v, Value& out, std::vector<std::string>& seen) {
  if (v.is_array()) {
    for (const auto& x : items(v)) collect_keys(x, out, seen);
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.obj().entries) {
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      out.arr().items.push_back(Value::string(k));
    }
  }
}

Value f_keys(Context&, Args& a, const Value&, const FramePtr&) {
  Value out = seq();
  std::vector<std::string> seen;
  collect_keys(arg(a, 0), out, seen);
  return out;
}

Value lookup(const Value& input, const std::string& key) {
  if (input.is_array()) {
    Value out = seq();
    for (const auto& x : items(input)) {
      Value r = lookup(x, key);
      if (r.undefined()) continue;
      if (r.is_array()) {
        for (const auto& y : items(r)) out.arr().items.push_back(y);
      } else {
        out.arr().items.push_back(r);
      }
    }
    return out;
  }
  if (input.is_object()) {
    const Value* v = input.obj().find(key);
    return v ? *v : Value();
  }
  return Value();
}

Value f_lookup(Context&, Args& a, const Value&, const FramePtr&) {
  return lookup(arg(a, 0), arg(a, 1).is_string() ? text(a[1]) : "");
}

Value f_append(Context&, Args& a, const Value&, const FramePtr&) {
  return append(arg(a, 0), arg(a, 1));
}

Value spread(const Value& v) {
  if (v.is_array()) {
    Value out = seq();
    for (const auto& x : items(v)) out = append(out, spread(x));
    return out;
  }
  if (v.is_object()) {
    Value out = seq();
    for (const auto& [k, x] : v.obj().entries) {
      Value o = make_object();
      o.obj().set(k, x);
      out.arr().items.push_back(o);
    }
    return out;
  }
  return v;
}

Value f_spread(Context&, Args& a, const Value&, const FramePtr&) { return spread(arg(a, 0)); }

Value f_merge(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  Value out = make_object();
  for (const auto& x : items(a[0]))
    if (x.is_object())
      for (const auto& [k, v] : x.obj().entries) out.obj().set(k, v);
  return out;
}

Value f_reverse(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  if (items(a[0]).size() <= 1) return a[0];
  std::vector<Value> xs = items(a[0]);
  std::reverse(xs.begin(), xs.end());
  return make_array(std::move(xs));
}

Value f_error(Context&, Args& a, const Value&, const FramePtr&) {
  JError err{"D3137"};
  err.message = arg(a, 0).is_string() ? a[0].str() : "$error() function evaluated";
  throw err;
}

Value f_assert(Context&, Args& a, const Value&, const FramePtr&) {
  if (!arg(a, 0).as_bool()) {
    JError err{"D3141"};
    err.message = arg(a, 1).is_string() ? text(a[1]) : "$assert() statement failed";
    throw err;
  }
  return Value();
}

Value f_type(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return Value::string(type_of(a[0]));
}

Value f_sort(Context& ctx, Args& a, const Value&, const FramePtr& env) {
  if (arg(a, 0).undefined()) return Value();
  std::vector<Value> xs = items(a[0]);
  if (xs.size() <= 1) return a[0];
  const Value& cmp = arg(a, 1);
  if (cmp.undefined()) {
    bool nums = true, strs = true;
    for (const auto& x : xs) {
      if (!is_numeric(x)) nums = false;
      if (!x.is_string()) strs = false;
    }
    if (!nums && !strs) {
      JError err{"D3070"};
      err.index = 1;
      throw err;
    }
  }
  auto swap = [&](const Value& l, const Value& r) {
    if (cmp.undefined()) return l.is_number() ? l.num() > r.num() : l.str() > r.str();
    return js_truthy(call(ctx, cmp, {l, r}, env));
  };
  // Bottom-up merge sort: stable, and the comparator sees the same pairs as the reference.
  std::vector<Value> tmp(xs.size());
  for (std::size_t width = 1; width < xs.size(); width *= 2) {
    for (std::size_t lo = 0; lo < xs.size(); lo += 2 * width) {
      std::size_t mid = std::min(lo + width, xs.size()), hi = std::min(lo + 2 * width, xs.size());
      std::size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = swap(xs[i], xs[j]) ? xs[j++] : xs[i++];
      while (i < mid) tmp[k++] = xs[i++];
      while (j < hi) tmp[k++] = xs[j++];
    }
    xs.swap(tmp);
  }
  return make_array(std::move(xs));
}

Value f_shuffle(Context& ctx, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::vector<Value> xs = items(a[0]);
  for (std::size_t i = xs.size(); i > 1; --i) {
    auto j = static_cast<std::size_t>(next_random(ctx) * static_cast<double>(i));
    std::swap(xs[i - 1], xs[std::min(j, i - 1)]);
  }
  return make_array(std::move(xs));
}

Value f_distinct(Context&, Args& a, const Value&, const FramePtr&) {
  const Value& v = arg(a, 0);
  if (!v.is_array() || items(v).size() <= 1) return v;
  // The reference keeps the kind of its input: a sequence in, a sequence out (a singleton
  // collapses); an array in ($distinct([1,1]), a field holding an array), an array out.
  Value out = v.arr().sequence ? seq() : make_array();
  for (const auto& x : items(v)) {
    bool dup = false;
    for (const auto& y : out.arr().items)
      if (deep_equal(x, y)) {
        dup = true;
        break;
      }
    if (!dup) out.arr().items.push_back(x);
  }
  return out;
}

Value f_clone(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  return deep_clone(a[0]);
}

}  // namespace

std::vector<Builtin> arrays() {
  return {
      {"map", f_map, "<af>", 2, nullptr},
      {"zip", f_zip, "<a+>", 0, nullptr},
      {"filter", f_filter, "<af>", 2, nullptr},
      {"single", f_single, "<af?>", 2, nullptr},
      {"reduce", f_reduce, "<afj?:j>", 3, nullptr},
      {"sift", f_sift, "<o-f?:o>", 2, nullptr},
      {"keys", f_keys, "<x-:a<s>>", 1, nullptr},
      {"lookup", f_lookup, "<x-s:x>", 2, nullptr},
      {"append", f_append, "<xx:a>", 2, nullptr},
      {"spread", f_spread, "<x-:a<o>>", 1, nullptr},
      {"merge", f_merge, "<a<o>:o>", 1, nullptr},
      {"reverse", f_reverse, "<a:a>", 1, nullptr},
      {"each", f_each, "<o-f:a>", 2, nullptr},
      {"error", f_error, "<s?:x>", 1, nullptr},
      {"assert", f_assert, "<bs?:x>", 2, nullptr},
      {"type", f_type, "<x:s>", 1, nullptr},
      {"sort", f_sort, "<af?:a>", 2, nullptr},
      {"shuffle", f_shuffle, "<a:a>", 1, nullptr},
      {"distinct", f_distinct, "<x:x>", 1, nullptr},
      {"clone", f_clone, "<(oa)-:o>", 1, nullptr},
  };
}

}  // namespace stepwise::jsonata::builtins
