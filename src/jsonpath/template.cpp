// Payload templates: compiled to a tree whose static subtrees are kept as ready JSON values, so
// evaluation only walks the dynamic parts.
#include <optional>
#include <unordered_set>

#include "jsonpath/jsonpath.h"

namespace stepwise::jsonpath {
namespace {

// Templates come from parsed definitions (already depth-bounded); this guards values built in
// memory.
constexpr std::size_t template_depth_max = 512;

struct Field;

struct Node {
  enum class Kind { kLiteral, kObject, kArray, kPath, kIntrinsic } kind = Kind::kLiteral;
  json::value literal;        // kLiteral
  std::vector<Field> fields;  // kObject: output key -> node
  std::vector<Node> items;    // kArray
  Path path;                  // kPath
  Intrinsic fn;               // kIntrinsic
  std::string field;          // the key as written ("x.$"), for messages
};

// Not std::pair<std::string, Node>: clang rejects that pair while Node is still incomplete.
struct Field {
  std::string first;
  Node second;
};

Node literal_node(const json::value& v) {
  Node n;
  n.literal = v;
  return n;
}

bool is_static(const Node& n) { return n.kind == Node::Kind::kLiteral; }

Result<Node> compile_node(const json::value& v, std::size_t depth);

Result<Node> compile_dynamic(std::string_view key, const json::value& v) {
  Node n;
  n.field = std::string(key);
  const json::string* s = v.if_string();
  if (s == nullptr) {
    return Error{"Template.Invalid", "The value for the field '" + n.field +
                                         "' must be a STRING that contains a JSONPath but was " +
                                         json::kind_name(v)};
  }
  if (s->starts_with("$")) {
    auto p = Path::compile(*s, PathKind::kPath);
    if (!p) return std::move(p).error();
    n.kind = Node::Kind::kPath;
    n.path = std::move(p).value();
  } else {
    auto f = Intrinsic::compile(*s);
    if (!f) return std::move(f).error();
    n.kind = Node::Kind::kIntrinsic;
    n.fn = std::move(f).value();
  }
  return n;
}

Result<Node> compile_object(const json::object& obj, std::size_t depth) {
  Node n;
  n.kind = Node::Kind::kObject;
  std::unordered_set<std::string_view> seen;
  bool all_static = true;
  for (const auto& kv : obj) {
    std::string_view key = kv.key();
    bool dynamic = key.size() > 2 && key.ends_with(".$");
    std::string out_key(dynamic ? key.substr(0, key.size() - 2) : key);
    auto child = dynamic ? compile_dynamic(key, kv.value()) : compile_node(kv.value(), depth + 1);
    if (!child) return std::move(child).error();
    all_static &= is_static(*child);
    n.fields.push_back(Field{std::move(out_key), std::move(child).value()});
  }
  for (const auto& f : n.fields) {
    if (!seen.insert(f.first).second) {
      return Error{"Template.Invalid", "The field '" + f.first + "' is defined more than once"};
    }
  }
  if (all_static) return literal_node(json::value(obj));
  return n;
}

Result<Node> compile_node(const json::value& v, std::size_t depth) {
  if (depth > template_depth_max) return Error{"Template.Invalid", "template nested too deeply"};
  if (const json::object* obj = v.if_object()) return compile_object(*obj, depth);
  const json::array* arr = v.if_array();
  if (arr == nullptr) return literal_node(v);
  Node n;
  n.kind = Node::Kind::kArray;
  bool all_static = true;
  for (const auto& item : *arr) {
    auto child = compile_node(item, depth + 1);
    if (!child) return std::move(child).error();
    all_static &= is_static(*child);
    n.items.push_back(std::move(child).value());
  }
  if (all_static) return literal_node(v);
  return n;
}

// Evaluation writes each result straight into its slot of the output (the object is reserved
// up front, so slots never move): no temporary value or Result per field, no re-copy when
// nesting. The hot path of every Parameters/ResultSelector, so it stays allocation-lean.
using Failure = std::optional<Error>;

Failure eval_into(const Node& n, const EvalContext& ctx, json::value& out);

Failure path_not_found(const Node& n, const EvalContext& ctx) {
  std::string input = ctx.input != nullptr ? json::dump(*ctx.input) : "null";
  return Error{"States.Runtime", "The JSONPath '" + n.path.text() + "' specified for the field '" +
                                     n.field + "' could not be found in the input '" + input + "'"};
}

// Scalars are set in place; the generic copy builds a temporary and swaps it in.
void copy_into(const json::value& from, json::value& to) {
  switch (from.kind()) {
    case boost::json::kind::int64:
      to.emplace_int64() = from.get_int64();
      return;
    case boost::json::kind::uint64:
      to.emplace_uint64() = from.get_uint64();
      return;
    case boost::json::kind::double_:
      to.emplace_double() = from.get_double();
      return;
    case boost::json::kind::bool_:
      to.emplace_bool() = from.get_bool();
      return;
    case boost::json::kind::null:
      to.emplace_null();
      return;
    default:
      to = from;
  }
}

Failure eval_path_into(const Node& n, const EvalContext& ctx, json::value& out) {
  if (n.path.is_by_reference()) {
    const json::value* v = n.path.find(ctx);  // copy the node once, straight into place
    if (v == nullptr) return path_not_found(n, ctx);
    copy_into(*v, out);
    return std::nullopt;
  }
  auto v = n.path.select(ctx);
  if (!v) return path_not_found(n, ctx);
  out = std::move(*v);
  return std::nullopt;
}

Failure eval_object_into(const Node& n, const EvalContext& ctx, json::value& out) {
  json::object& obj = out.emplace_object();
  obj.reserve(n.fields.size());
  for (const auto& [key, child] : n.fields) {
    // Keys are unique (checked at compile), so this always inserts a fresh null slot.
    json::value& slot = obj.emplace(key, nullptr).first->value();
    if (auto bad = eval_into(child, ctx, slot)) return bad;
  }
  return std::nullopt;
}

Failure eval_array_into(const Node& n, const EvalContext& ctx, json::value& out) {
  json::array& arr = out.emplace_array();
  arr.reserve(n.items.size());
  for (const Node& item : n.items) {
    if (auto bad = eval_into(item, ctx, arr.emplace_back(nullptr))) return bad;
  }
  return std::nullopt;
}

Failure eval_into(const Node& n, const EvalContext& ctx, json::value& out) {
  switch (n.kind) {
    case Node::Kind::kLiteral:
      copy_into(n.literal, out);
      return std::nullopt;
    case Node::Kind::kPath:
      return eval_path_into(n, ctx, out);
    case Node::Kind::kIntrinsic: {
      auto v = n.fn.evaluate(ctx, n.field);
      if (!v) return std::move(v).error();
      out = std::move(v).value();
      return std::nullopt;
    }
    case Node::Kind::kArray:
      return eval_array_into(n, ctx, out);
    case Node::Kind::kObject:
      return eval_object_into(n, ctx, out);
  }
  return std::nullopt;
}

}  // namespace

struct Template::Impl {
  Node root;
};

Result<Template> Template::compile(const json::value& tmpl, std::string_view field_name) {
  auto root = compile_node(tmpl, 0);
  if (!root) return std::move(root).error();
  Template t;
  t.impl_ = std::make_shared<Impl>(Impl{std::move(root).value()});
  return t;
}

Result<json::value> Template::evaluate(const EvalContext& ctx) const {
  json::value out;
  if (auto bad = eval_into(impl_->root, ctx, out)) return std::move(*bad);
  return out;
}

Template::Template() : impl_(std::make_shared<Impl>()) {}
Template::~Template() = default;
Template::Template(const Template&) = default;
Template& Template::operator=(const Template&) = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

}  // namespace stepwise::jsonpath
