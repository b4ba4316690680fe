// The public API: compiles to an AST, converts JSON in and out, and turns the module's
// internal JError exceptions into Result errors so that nothing throws past this file.
#include "jsonata/jsonata.h"

#include <cmath>

#include "base/clock.h"
#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {
// Converting deeper JSON than this is refused (hostile bindings; parsed input is shallower).
constexpr std::size_t convert_depth_max = 2048;
// Integers beyond 2^53 are not exact doubles; they are written as doubles.
constexpr double exact_integer_max = 9007199254740992.0;

Error to_error(const JError& e) { return Error{e.code, error_message(e)}; }

void to_json(const Value& v, json::value& out, std::size_t depth) {
  if (depth > convert_depth_max) fail("U1001");
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
    case Kind::kFunction:
      out = nullptr;
      return;
    case Kind::kBool:
      out = v.as_bool();
      return;
    case Kind::kNumber: {
      double d = v.num();
      if (!std::isfinite(d)) {
        out = nullptr;
      } else if (std::floor(d) == d && std::fabs(d) < exact_integer_max) {
        out = static_cast<std::int64_t>(d);
      } else {
        out = d;
      }
      return;
    }
    case Kind::kString:
      out = json::string(v.str());
      return;
    case Kind::kArray: {
      json::array& arr = out.emplace_array();
      arr.reserve(v.arr().items.size());
      for (const auto& x : v.arr().items) {
        to_json(x, arr.emplace_back(nullptr), depth + 1);
      }
      return;
    }
    case Kind::kObject: {
      json::object& obj = out.emplace_object();
      obj.reserve(v.obj().size());
      for (const auto& [k, x] : v.obj().entries) {
        if (x.undefined()) continue;
        json::value item;
        to_json(x, item, depth + 1);
        obj.emplace(k, std::move(item));
      }
      return;
    }
  }
}

double clock_millis() {
  static const RealClock clock;
  return static_cast<double>(clock.now_ms());
}

}  // namespace

Value from_json_value(const json::value& v, std::size_t depth) {
  if (depth > convert_depth_max) fail("U1001");
  switch (v.kind()) {
    case boost::json::kind::null:
      return Value::null();
    case boost::json::kind::bool_:
      return Value::boolean(v.get_bool());
    case boost::json::kind::int64:
      return Value::number(static_cast<double>(v.get_int64()));
    case boost::json::kind::uint64:
      return Value::number(static_cast<double>(v.get_uint64()));
    case boost::json::kind::double_:
      return Value::number(v.get_double());
    case boost::json::kind::string:
      return Value::string(std::string(v.get_string()));
    case boost::json::kind::array: {
      auto arr = std::make_shared<Array>();
      arr->items.reserve(v.get_array().size());
      for (const auto& x : v.get_array()) arr->items.push_back(from_json_value(x, depth + 1));
      return Value::array(std::move(arr));
    }
    case boost::json::kind::object: {
      // JSON objects parsed by Boost have unique keys, so entries are appended directly.
      auto obj = std::make_shared<Object>();
      obj->entries.reserve(v.get_object().size());
      for (const auto& kv : v.get_object())
        obj->entries.emplace_back(std::string(kv.key()), from_json_value(kv.value(), depth + 1));
      obj->finish_building();
      return Value::object(std::move(obj));
    }
  }
  return Value();
}

Result<Expression> Expression::compile(std::string_view text) {
  auto ast = std::make_shared<Ast>();
  try {
    parse(text, *ast);
  } catch (const JError& e) {
    return to_error(e);
  } catch (const std::exception& e) {
    return Error{"S0500", e.what()};
  }
  return Expression(std::move(ast));
}

struct DocumentData {
  Value value;
};

Result<Document> Document::from_json(const json::value& v) {
  try {
    auto data = std::make_shared<DocumentData>();
    data->value = from_json_value(v, 0);
    return Document(std::move(data));
  } catch (const JError& e) {
    return to_error(e);
  }
}

namespace {

Result<Outcome> run(const Ast& ast, const Value& input,
                    const std::vector<std::pair<std::string, Value>>& vars,
                    const EvalOptions& options) {
  Context ctx;
  ctx.depth_max = options.depth_max;
  ctx.steps_max = options.steps_max;
  ctx.now_millis = options.now_millis >= 0 ? options.now_millis : clock_millis();
  ctx.rng = SplitMix64(options.random_seed);
  ctx.rng_seeded = options.random_seed != 0;
  // Runs last, after the result has become JSON (declared before it, destroyed after it).
  struct Release {
    Context& ctx;
    ~Release() { release_closures(ctx); }
  } release{ctx};
  try {
    auto env = std::make_shared<Frame>();
    for (const auto& [name, value] : vars) env->bind(name, value);
    env->bind("$", input);
    Value in = input;
    if (in.is_array()) {
      // An input array is wrapped so that paths treat it as one document.
      in = make_sequence({in});
      in.arr().outer_wrapper = true;
    }
    Value result = jsonata::evaluate(ctx, ast.root, in, env);
    if (result.undefined()) return Outcome{};
    if (options.reject_function_result && result.kind() == Kind::kFunction)
      return Error{function_result_error, "the expression returned a function"};
    json::value out;
    to_json(result, out, 0);
    return Outcome{std::move(out)};
  } catch (const JError& e) {
    return to_error(e);
  } catch (const std::bad_alloc&) {
    return Error{"U1001", "Out of memory while evaluating the expression"};
  } catch (const std::exception& e) {
    return Error{"U1001", e.what()};
  }
}

}  // namespace

Result<Outcome> Expression::evaluate_documents(const Document* input, const DocumentBindings& vars,
                                               const EvalOptions& options) const {
  std::vector<std::pair<std::string, Value>> bound;
  for (const auto& [name, doc] : vars) bound.emplace_back(name, doc.data_->value);
  return run(*ast_, input ? input->data_->value : Value(), bound, options);
}

Result<Outcome> Expression::evaluate(const json::value* input, const Bindings& vars,
                                     const EvalOptions& options) const {
  std::vector<std::pair<std::string, Value>> bound;
  Value in;
  try {
    for (const auto& [name, value] : vars) bound.emplace_back(name, from_json_value(value, 0));
    if (input) in = from_json_value(*input, 0);
  } catch (const JError& e) {
    return to_error(e);
  }
  return run(*ast_, in, bound, options);
}

}  // namespace stepwise::jsonata
