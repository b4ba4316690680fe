// Path evaluation (Jayway semantics): a definite path walks pointers; an indefinite one collects
// pointers to every match, then copies them into one array. ResultPath assignment lives here too.
#include <algorithm>
#include <cstdint>
#include <list>

#include "jsonpath/java_text.h"
#include "jsonpath/jsonpath.h"
#include "jsonpath/path_ast.h"

namespace stepwise::jsonpath {

struct Path::Impl {
  std::string text;
  detail::CompiledPath path;
};

namespace detail {
namespace {

using Matches = std::vector<const json::value*>;

// Up to this many members, a straight scan beats hashing the name (and stays inline).
constexpr std::size_t member_scan_max = 8;

const json::value* member(const json::value& node, std::string_view name) {
  const json::object* obj = node.if_object();
  if (obj == nullptr) return nullptr;
  if (obj->size() <= member_scan_max) {
    for (const auto& kv : *obj)
      if (kv.key() == name) return &kv.value();  // keys are unique within an object
    return nullptr;
  }
  auto it = obj->find(name);
  return it == obj->end() ? nullptr : &it->value();
}

const json::value* element(const json::value& node, std::int64_t index) {
  const json::array* arr = node.if_array();
  if (arr == nullptr) return nullptr;
  auto size = static_cast<std::int64_t>(arr->size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return nullptr;
  return &(*arr)[static_cast<std::size_t>(index)];
}

const json::value* root_of(const CompiledPath& p, const EvalContext& ctx) {
  switch (p.root) {
    case Root::kInput:
      return ctx.input;
    case Root::kContext:
      return ctx.context;
    case Root::kVariable:
      return ctx.variables != nullptr && *ctx.variables ? (*ctx.variables)(p.variable) : nullptr;
    case Root::kCurrent:
      return nullptr;
  }
  return nullptr;
}

// The definite fast path: a few pointer hops over the first `count` segments, no allocation.
const json::value* walk_definite(const CompiledPath& p, const json::value* node,
                                 std::size_t count) {
  for (std::size_t i = 0; i < count && node != nullptr; ++i) {
    const Segment& s = p.segments[i];
    node = s.kind == SegKind::kName ? member(*node, s.names[0]) : element(*node, s.indexes[0]);
  }
  return node;
}

// Jayway's multi-name merge: the listed members present in node, in the order listed.
json::value merge_names(const Segment& s, const json::object& node) {
  json::object out;
  for (const auto& name : s.names) {
    auto it = node.find(name);
    if (it != node.end()) out[name] = it->value();
  }
  return out;
}

std::optional<json::value> select_definite(const CompiledPath& p, const json::value* root) {
  if (!p.merge_leaf) {
    const json::value* v = walk_definite(p, root, p.segments.size());
    if (v == nullptr) return std::nullopt;
    return *v;
  }
  const json::value* v = walk_definite(p, root, p.segments.size() - 1);
  if (v == nullptr || !v->is_object()) return std::nullopt;
  return merge_names(p.segments.back(), v->get_object());
}

// What is left of path_eval_steps_max for one evaluation, shared by the collectors of its
// filter operands.
class Budget {
 public:
  bool take(std::size_t n) {
    if (n > left_) {
      left_ = 0;
      spent_ = true;
      return false;
    }
    left_ -= n;
    return true;
  }
  bool spent() const { return spent_; }

  // Charges one step per node of v (walked without recursion); false once the budget is spent,
  // so a caller copies v only when it could afford it.
  bool take_nodes(const json::value& v) {
    if (!v.is_object() && !v.is_array()) return take(1);
    std::vector<const json::value*> todo{&v};
    while (!todo.empty()) {
      if (!take(1)) return false;
      const json::value* n = todo.back();
      todo.pop_back();
      if (const json::object* o = n->if_object()) {
        for (const auto& kv : *o) todo.push_back(&kv.value());
      } else if (const json::array* a = n->if_array()) {
        for (const auto& e : *a) todo.push_back(&e);
      }
    }
    return true;
  }

 private:
  std::size_t left_ = path_eval_steps_max;
  bool spent_ = false;
};

class Collector {
 public:
  Collector(const CompiledPath& p, const json::value* root, std::list<json::value>& owned,
            Budget& budget)
      : p_(p), root_(root), owned_(owned), budget_(budget) {}

  void run(const json::value& node, std::size_t i, std::size_t depth, Matches& out) const {
    if (!budget_.take(1)) return;
    if (i == p_.segments.size()) {
      out.push_back(&node);
      return;
    }
    const Segment& s = p_.segments[i];
    switch (s.kind) {
      case SegKind::kNames:
        if (i + 1 == p_.segments.size()) {
          if (const json::object* o = node.if_object())
            out.push_back(&owned_.emplace_back(merge_names(s, *o)));
          break;
        }
        [[fallthrough]];
      case SegKind::kName:
        for (const auto& name : s.names)
          if (const json::value* v = member(node, name)) run(*v, i + 1, depth, out);
        break;
      case SegKind::kIndex:
      case SegKind::kIndexes:
        for (std::int64_t idx : s.indexes)
          if (const json::value* v = element(node, idx)) run(*v, i + 1, depth, out);
        break;
      case SegKind::kSlice:
        slice(node, s, i, depth, out);
        break;
      case SegKind::kWildcard:
        for_each_child(node, [&](const json::value& c) { run(c, i + 1, depth, out); });
        break;
      case SegKind::kScan:
        scan(node, i + 1, depth, out);
        break;
      case SegKind::kFilter:
        filter(node, s, i, depth, out);
        break;
    }
  }

 private:
  const CompiledPath& p_;
  const json::value* root_;
  std::list<json::value>& owned_;  // values built during the walk (merged names)
  Budget& budget_;

  template <typename F>
  static void for_each_child(const json::value& node, F&& f) {
    if (const json::object* o = node.if_object()) {
      for (const auto& kv : *o) f(kv.value());
    } else if (const json::array* a = node.if_array()) {
      for (const auto& v : *a) f(v);
    }
  }

  // "..": apply the next segment here, then at every descendant, pre-order (Jayway's order).
  void scan(const json::value& node, std::size_t next, std::size_t depth, Matches& out) const {
    if (depth > scan_depth_max || budget_.spent()) return;
    run(node, next, depth + 1, out);
    for_each_child(node, [&](const json::value& c) { scan(c, next, depth + 1, out); });
  }

  void slice(const json::value& node, const Segment& s, std::size_t i, std::size_t depth,
             Matches& out) const {
    const json::array* a = node.if_array();
    if (a == nullptr) return;
    auto len = static_cast<std::int64_t>(a->size());
    std::int64_t from = s.from.value_or(0);
    std::int64_t to = s.to.value_or(len);
    if (from < 0) from = std::max<std::int64_t>(0, len + from);
    if (to < 0) to = len + to;
    to = std::min(to, len);
    for (std::int64_t k = from; k < to; ++k)
      run((*a)[static_cast<std::size_t>(k)], i + 1, depth, out);
  }

  // On an array, keeps the elements the expression accepts; on an object, tests the object.
  void filter(const json::value& node, const Segment& s, std::size_t i, std::size_t depth,
              Matches& out) const {
    if (const json::array* a = node.if_array()) {
      for (const auto& v : *a)
        if (accepts(*s.filter, v, depth)) run(v, i + 1, depth, out);
    } else if (node.is_object() && accepts(*s.filter, node, depth)) {
      run(node, i + 1, depth, out);
    }
  }

  bool accepts(const FilterExpr& e, const json::value& current, std::size_t depth) const;
  std::optional<json::value> operand(const Operand& o, const json::value& current,
                                     std::size_t depth) const;
};

std::optional<json::value> Collector::operand(const Operand& o, const json::value& current,
                                              std::size_t depth) const {
  if (o.kind == Operand::Kind::kLiteral) return o.literal;
  const json::value* start = o.path.root == Root::kCurrent ? &current : root_;
  if (start == nullptr) return std::nullopt;
  if (o.path.definite) {
    // Copied, so charged: "@" on a large node, tested at every node of a scan, costs its size.
    auto v = select_definite(o.path, start);
    if (v && !budget_.take_nodes(*v)) return std::nullopt;
    return v;
  }
  Matches m;
  std::list<json::value> owned;
  Collector(o.path, root_, owned, budget_).run(*start, 0, depth + 1, m);
  json::array arr;
  for (const json::value* v : m) {
    if (!budget_.take_nodes(*v)) return std::nullopt;
    arr.push_back(*v);
  }
  return json::value(std::move(arr));
}

bool compare(const json::value& a, CmpOp op, const json::value& b) {
  if (op == CmpOp::kEq) return json::equal(a, b);
  if (op == CmpOp::kNe) return !json::equal(a, b);
  int c = 0;
  if (json::is_number(a) && json::is_number(b)) {
    double x = json::as_double(a), y = json::as_double(b);
    c = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_string() && b.is_string()) {
    int r = a.get_string().subview().compare(b.get_string().subview());
    c = r < 0 ? -1 : (r > 0 ? 1 : 0);
  } else {
    return false;  // Jayway: ordering across kinds never holds
  }
  switch (op) {
    case CmpOp::kLt:
      return c < 0;
    case CmpOp::kLe:
      return c <= 0;
    case CmpOp::kGt:
      return c > 0;
    case CmpOp::kGe:
      return c >= 0;
    default:
      return false;
  }
}

bool Collector::accepts(const FilterExpr& e, const json::value& current, std::size_t depth) const {
  if (!budget_.take(1)) return false;
  switch (e.kind) {
    case FilterExpr::Kind::kOr:
      return accepts(*e.lhs, current, depth) || accepts(*e.rhs, current, depth);
    case FilterExpr::Kind::kAnd:
      return accepts(*e.lhs, current, depth) && accepts(*e.rhs, current, depth);
    case FilterExpr::Kind::kNot:
      return !accepts(*e.lhs, current, depth);
    case FilterExpr::Kind::kExists: {
      auto v = operand(e.a, current, depth);
      return v.has_value() && (e.a.path.definite || !v->get_array().empty());
    }
    case FilterExpr::Kind::kCompare: {
      auto a = operand(e.a, current, depth);
      auto b = operand(e.b, current, depth);
      return a && b && compare(*a, e.op, *b);
    }
  }
  return false;
}

// Java class names Jayway prints for a non-object found mid-path. AWS holds JSON as Java maps
// and lists (States.Format prints objects as "{k=v}"), so these are Jackson's plain types.
const char* java_class(const json::value& v) {
  if (v.is_string()) return "java.lang.String";
  if (v.is_int64() && v.get_int64() >= INT32_MIN && v.get_int64() <= INT32_MAX) {
    return "java.lang.Integer";
  }
  if (v.is_int64() || v.is_uint64()) return "java.lang.Long";
  if (v.is_double()) return "java.lang.Double";
  if (v.is_bool()) return "java.lang.Boolean";
  if (v.is_array()) return "java.util.ArrayList";
  return "null";
}

// Jayway's PathNotFoundException text for a definite path that matched nothing.
std::string not_found_message(const CompiledPath& p, const json::value* node) {
  const std::size_t n = p.segments.size() - (p.merge_leaf ? 1 : 0);
  for (std::size_t i = 0; i < n && node != nullptr; ++i) {
    const Segment& s = p.segments[i];
    const json::value* next = nullptr;
    if (s.kind == SegKind::kName) {
      if (!node->is_object()) {
        return "Expected to find an object with property ['" + s.names[0] + "'] in path " +
               bracket_form(p.segments, i) + " but found '" + java_class(*node) +
               "'. This is not a json object according to the JsonProvider: "
               "'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.";
      }
      next = member(*node, s.names[0]);
      if (next == nullptr && i + 1 < n)
        return "Missing property in path " + bracket_form(p.segments, i + 1);
    } else {
      if (node->is_null()) return "The path " + bracket_form(p.segments, i) + " is null";
      if (!node->is_array()) {
        std::string msg = "Filter: [" + std::to_string(s.indexes[0]) +
                          "] can only be applied to arrays. Current context is: ";
        append_java_string(*node, msg);
        return msg;
      }
      next = element(*node, s.indexes[0]);
    }
    node = next;
  }
  return "No results for path: " + bracket_form(p.segments, n);
}

}  // namespace

// Whether assign() can succeed: every step lands on an object (names) or an in-range array
// element (indexes); once a member is missing, the rest is created, which only names allow.
bool can_assign(const std::vector<Segment>& segs, const json::value& doc) {
  const json::value* node = &doc;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (node == nullptr) {
      if (segs[i].kind != SegKind::kName) return false;
      continue;
    }
    if (segs[i].kind == SegKind::kName) {
      if (!node->is_object()) return false;
      node = member(*node, segs[i].names[0]);
    } else {
      node = element(*node, segs[i].indexes[0]);
      if (node == nullptr) return false;
    }
  }
  return true;
}

}  // namespace detail

Result<Path> Path::compile(std::string_view text, PathKind kind) {
  auto parsed = detail::parse_path(text);
  if (!parsed) return std::move(parsed).error();
  if (kind == PathKind::kReferencePath && (!parsed->definite || parsed->merge_leaf)) {
    return Error{"Path.Invalid", "The value for the field must be a valid Reference Path: '" +
                                     std::string(text) + "' may select more than one node"};
  }
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  impl->path = std::move(parsed).value();
  Path p;
  p.impl_ = std::move(impl);
  return p;
}

namespace detail {
namespace {

// select(), and whether the evaluation ran out of path_eval_steps_max (then nothing is selected).
std::optional<json::value> select_within_budget(const CompiledPath& p, const EvalContext& ctx,
                                                bool& spent) {
  spent = false;
  const json::value* root = root_of(p, ctx);
  if (p.definite) return select_definite(p, root);
  json::array out;
  if (root != nullptr) {
    Matches m;
    std::list<json::value> owned;
    Budget budget;
    Collector(p, ctx.input, owned, budget).run(*root, 0, 0, m);
    out.reserve(m.size());
    for (const json::value* v : m) {
      if (!budget.take_nodes(*v)) break;
      out.push_back(*v);
    }
    if (budget.spent()) {
      spent = true;
      return std::nullopt;
    }
  }
  return json::value(std::move(out));
}

}  // namespace
}  // namespace detail

std::optional<json::value> Path::select(const EvalContext& ctx) const {
  bool spent = false;
  return detail::select_within_budget(impl_->path, ctx, spent);
}

const json::value* Path::find(const EvalContext& ctx) const {
  const detail::CompiledPath& p = impl_->path;
  if (!p.definite || p.merge_leaf) return nullptr;
  return detail::walk_definite(p, detail::root_of(p, ctx), p.segments.size());
}

bool Path::is_by_reference() const { return impl_->path.definite && !impl_->path.merge_leaf; }

Result<json::value> Path::select_or_fail(const EvalContext& ctx) const {
  bool spent = false;
  if (auto v = detail::select_within_budget(impl_->path, ctx, spent)) return std::move(*v);
  if (spent) {
    return Error{"States.Runtime", "Invalid path '" + impl_->text +
                                       "' : evaluating it took more than " +
                                       std::to_string(detail::path_eval_steps_max) + " steps"};
  }
  const json::value* root = detail::root_of(impl_->path, ctx);
  std::string why =
      root == nullptr ? "No results for path: $" : detail::not_found_message(impl_->path, root);
  return Error{"States.Runtime", "Invalid path '" + impl_->text + "' : " + why};
}

const std::string& Path::text() const { return impl_->text; }
bool Path::is_context() const { return impl_->path.root == detail::Root::kContext; }
bool Path::is_variable() const { return impl_->path.root == detail::Root::kVariable; }
bool Path::is_root() const {
  return impl_->path.root == detail::Root::kInput && impl_->path.segments.empty();
}
bool Path::is_definite() const { return impl_->path.definite; }
const std::string& Path::variable_name() const { return impl_->path.variable; }

Status Path::assign(json::value& doc, json::value value) const {
  const auto& segs = impl_->path.segments;
  auto fail = [&]() -> Status {
    // AWS's wording (from memory of real errors, no recorded case): the input as JSON text.
    return Error{"States.ResultPathMatchFailure",
                 "Unable to apply ReferencePath " + impl_->text + " to input " + json::dump(doc)};
  };
  const auto& p = impl_->path;
  if (p.root != detail::Root::kInput || !p.definite || p.merge_leaf) return fail();
  if (!detail::can_assign(segs, doc)) return fail();  // check first: never leave doc half-built
  json::value* node = &doc;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const bool last = i + 1 == segs.size();
    const detail::Segment& s = segs[i];
    if (s.kind == detail::SegKind::kName) {
      json::object* obj = node->if_object();
      if (obj == nullptr) return fail();
      auto it = obj->find(s.names[0]);
      if (it == obj->end()) {
        node = &(*obj)[s.names[0]];
        if (!last) *node = json::object();
      } else {
        node = &it->value();
      }
    } else {
      json::array* arr = node->if_array();
      if (arr == nullptr) return fail();
      auto size = static_cast<std::int64_t>(arr->size());
      std::int64_t idx = s.indexes[0] < 0 ? s.indexes[0] + size : s.indexes[0];
      if (idx < 0 || idx >= size) return fail();
      node = &(*arr)[static_cast<std::size_t>(idx)];
    }
  }
  *node = std::move(value);
  return ok_status();
}

Path::Path() : impl_(std::make_shared<Impl>(Impl{"$", {}})) {}
Path::~Path() = default;
Path::Path(const Path&) = default;
Path& Path::operator=(const Path&) = default;
Path::Path(Path&&) noexcept = default;
Path& Path::operator=(Path&&) noexcept = default;

}  // namespace stepwise::jsonpath
