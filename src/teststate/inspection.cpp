#include "teststate/inspection.h"

#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::teststate {
namespace {

using json::object;
using json::value;

// Evaluates the state's JSONPath fields against the request's input, context and variables.
class Evaluator {
 public:
  explicit Evaluator(const InspectionInput& in) : in_(in) {
    lookup_ = [this](std::string_view name) -> const value* {
      auto it = in_.req->variables.find(name);
      return it == in_.req->variables.end() ? nullptr : &it->value();
    };
  }

  const value* field(std::string_view key) const {
    auto it = in_.target->state.find(key);
    return it == in_.target->state.end() ? nullptr : &it->value();
  }

  std::optional<value> select(std::string_view key, const value& doc) const {
    const value* f = field(key);
    if (f == nullptr) return doc;
    if (f->is_null()) return value(object{});
    if (!f->is_string()) return std::nullopt;
    auto path =
        jsonpath::Path::compile(std::string_view(f->get_string().data(), f->get_string().size()),
                                jsonpath::PathKind::kPath);
    if (!path) return std::nullopt;
    auto ctx = context(&doc);
    auto r = path->select_or_fail(ctx);
    if (!r) return std::nullopt;
    return std::move(r).value();
  }

  std::optional<value> apply_template(std::string_view key, const value& doc) const {
    const value* f = field(key);
    if (f == nullptr) return doc;
    auto t = jsonpath::Template::compile(*f, key);
    if (!t) return std::nullopt;
    auto ctx = context(&doc);
    auto r = t->evaluate(ctx);
    if (!r) return std::nullopt;
    return std::move(r).value();
  }

  // ItemSelector (or a Map's legacy Parameters) for one item: "$" is the Map's effective input,
  // $$.Map.Item the item and its index.
  std::optional<value> item_selector(const value& effective, const value& item,
                                     std::size_t index) const {
    const value* f = field("ItemSelector");
    const char* name = "ItemSelector";
    if (f == nullptr) {
      f = field("Parameters");
      name = "Parameters";
    }
    if (f == nullptr) return item;
    auto t = jsonpath::Template::compile(*f, name);
    if (!t) return std::nullopt;
    value ctx_obj =
        in_.context != nullptr && in_.context->is_object() ? *in_.context : value(object{});
    ctx_obj.get_object()["Map"] =
        object{{"Item", object{{"Index", static_cast<std::int64_t>(index)}, {"Value", item}}}};
    jsonpath::EvalContext ctx = context(&effective);
    ctx.context = &ctx_obj;
    auto r = t->evaluate(ctx);
    if (!r) return std::nullopt;
    return std::move(r).value();
  }

  std::optional<value> result_path(const value& input, const value& result) const {
    const value* f = field("ResultPath");
    if (f == nullptr) return result;
    if (f->is_null()) return input;
    if (!f->is_string()) return std::nullopt;
    auto path =
        jsonpath::Path::compile(std::string_view(f->get_string().data(), f->get_string().size()),
                                jsonpath::PathKind::kReferencePath);
    if (!path) return std::nullopt;
    if (path->is_root()) return result;
    value doc = input;
    if (!path->assign(doc, result)) return std::nullopt;
    return doc;
  }

 private:
  jsonpath::EvalContext context(const value* doc) const {
    jsonpath::EvalContext ctx;
    ctx.input = doc;
    ctx.context = in_.context;
    ctx.variables = &lookup_;
    return ctx;
  }

  const InspectionInput& in_;
  jsonpath::VariableLookup lookup_;
};

void put(object& data, const char* key, const std::optional<value>& v) {
  if (v) data[key] = detail::spaced_dump(*v);
}

std::optional<value> task_result(const InspectionInput& in) {
  if (!in.outcome || !in.outcome->succeeded) return std::nullopt;
  return in.outcome->output;
}

// ResultSelector and ResultPath once the state has its result.
void result_steps(const Evaluator& ev, const InspectionInput& in, object& data,
                  const value& result) {
  auto selected = ev.apply_template("ResultSelector", result);
  put(data, "afterResultSelector", selected);
  if (selected) put(data, "afterResultPath", ev.result_path(in.req->input, *selected));
}

// A JSONata field's value: the literal, or what its "{% %}" expression gives with $states
// (input and context) and the request's variables.
std::optional<value> jsonata_value(const InspectionInput& in, const value& field) {
  if (!field.is_string()) return field;
  std::string_view text(field.get_string().data(), field.get_string().size());
  if (text.size() < 4 || !text.starts_with("{%") || !text.ends_with("%}")) return field;
  auto expr = jsonata::Expression::compile(text.substr(2, text.size() - 4));
  if (!expr) return std::nullopt;
  jsonata::Bindings vars;
  for (const auto& kv : in.req->variables) vars.emplace(std::string(kv.key()), kv.value());
  vars["states"] =
      object{{"input", in.req->input}, {"context", in.context ? *in.context : value(object{})}};
  auto r = expr->evaluate(nullptr, vars);
  if (!r || !r->has_value()) return std::nullopt;
  return **r;
}

// MaxConcurrency and the tolerated failures as the Map would use them: a literal, a JSONata
// expression, or (JSONPath) the value at its *Path in the effective input.
void map_settings(const InspectionInput& in, const Evaluator* ev, const value* effective,
                  object& data) {
  const object& state = in.target->state;
  auto setting = [&](const char* field, const char* key, bool always) {
    std::optional<value> v;
    if (auto it = state.find(field); it != state.end()) {
      v = jsonata_value(in, it->value());
    } else if (ev != nullptr && effective != nullptr &&
               state.contains(std::string(field) + "Path")) {
      v = ev->select(std::string(field) + "Path", *effective);
    } else if (always) {
      v = value(0);
    }
    if (v && json::is_number(*v)) data[key] = *v;
  };
  setting("MaxConcurrency", "maxConcurrency", true);
  setting("ToleratedFailureCount", "toleratedFailureCount", false);
  setting("ToleratedFailurePercentage", "toleratedFailurePercentage", false);
}

void jsonpath_steps(const InspectionInput& in, object& data) {
  Evaluator ev(in);
  const std::string& type = in.target->type;
  const value& input = in.req->input;
  if (type == "Parallel") {
    if (in.succeeded && in.req->mock && in.req->mock->result)
      result_steps(ev, in, data, *in.req->mock->result);
    return;
  }
  if (type == "Pass" && ev.field("Result") != nullptr) {
    put(data, "result", *ev.field("Result"));
    put(data, "afterResultSelector", *ev.field("Result"));
    put(data, "afterResultPath", ev.result_path(input, *ev.field("Result")));
    return;
  }
  auto after_input = ev.select("InputPath", input);
  put(data, "afterInputPath", after_input);
  if (!after_input) return;
  if (type == "Pass") {
    auto params = ev.apply_template("Parameters", *after_input);
    put(data, "afterParameters", params);
    if (params) result_steps(ev, in, data, *params);
  } else if (type == "Task") {
    put(data, "afterParameters",
        in.parameters ? in.parameters : ev.apply_template("Parameters", *after_input));
    if (auto result = task_result(in)) {
      put(data, "result", result);
      result_steps(ev, in, data, *result);
    }
  } else if (type == "Map") {
    if (ev.field("ItemsPath") != nullptr) {
      auto items = ev.select("ItemsPath", *after_input);
      if (!items || !items->is_array()) return;  // the Map failed there
      put(data, "afterItemsPath", items);
      if (ev.field("ItemSelector") != nullptr || ev.field("Parameters") != nullptr) {
        json::array selected;
        const json::array& list = items->get_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
          auto one = ev.item_selector(*after_input, list[i], i);
          if (!one) return;  // the Map failed there
          selected.push_back(std::move(*one));
        }
        put(data, "afterItemSelector", value(std::move(selected)));
      }
    }
    map_settings(in, &ev, &*after_input, data);
    if (in.succeeded && in.req->mock && in.req->mock->result)
      result_steps(ev, in, data, *in.req->mock->result);
  }
}

void jsonata_steps(const InspectionInput& in, object& data) {
  const std::string& type = in.target->type;
  if (type == "Task") {
    put(data, "afterArguments", in.parameters);
    put(data, "result", task_result(in));
  } else if (type == "Map") {
    map_settings(in, nullptr, nullptr, data);
  }
}

}  // namespace

object inspection_data(const InspectionInput& in) {
  object data;
  data["input"] = detail::spaced_dump(in.req->input);
  if (in.target->query_language == "JSONata") {
    jsonata_steps(in, data);
  } else {
    jsonpath_steps(in, data);
  }
  const json::object& vars = in.variables != nullptr ? *in.variables : in.req->variables;
  if (!vars.empty()) data["variables"] = detail::spaced_dump(value(vars));
  return data;
}

}  // namespace stepwise::teststate
