#include "services/dynamodb/evaluator.h"

#include <algorithm>
#include <map>
#include <set>

#include "services/common/codec.h"

namespace stepwise::services::dynamodb {
namespace {

constexpr const char* kNoAttribute =
    "The provided expression refers to an attribute that does not exist in the item";
constexpr const char* kBadType = "An operand in the update expression has an incorrect data type";
constexpr const char* kBadPath =
    "The document path provided in the update expression is invalid for update";

const json::value* child(const json::value& av, const PathElem& e) {
  auto tag = type_of(av);
  const json::value& inner = av.get_object().begin()->value();
  if (e.is_index()) {
    if (tag != "L") return nullptr;
    const auto& a = inner.get_array();
    return static_cast<std::size_t>(e.index) < a.size() ? &a[static_cast<std::size_t>(e.index)]
                                                        : nullptr;
  }
  if (tag != "M") return nullptr;
  return inner.get_object().if_contains(e.name);
}

json::value* child(json::value& av, const PathElem& e) {
  return const_cast<json::value*>(child(static_cast<const json::value&>(av), e));
}

std::optional<json::value> operand_value(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::value:
      return o.value;
    case Operand::Kind::path: {
      const json::value* v = resolve(item, o.path);
      return v ? std::optional<json::value>(*v) : std::nullopt;
    }
    case Operand::Kind::size: {
      const json::value* v = resolve(item, o.args[0].path);
      if (v == nullptr) return std::nullopt;
      auto tag = type_of(*v);
      const json::value& inner = v->get_object().begin()->value();
      std::size_t n = 0;
      if (tag == "S" || tag == "B") {
        n = scalar_bytes(*v).size();
      } else if (tag == "SS" || tag == "NS" || tag == "BS" || tag == "L") {
        n = inner.get_array().size();
      } else if (tag == "M") {
        n = inner.get_object().size();
      } else {
        return std::nullopt;  // size of N, BOOL or NULL: the condition is false
      }
      return json::value(json::object{{"N", std::to_string(n)}});
    }
    default:
      return std::nullopt;
  }
}

bool set_contains(const json::value& set, const json::value& element) {
  auto tag = type_of(set);
  auto et = type_of(element);
  if (std::string(et) + "S" != std::string(tag)) return false;
  for (const auto& e : set.get_object().begin()->value().get_array()) {
    json::value wrapped = json::object{{std::string(et), e}};
    if (equal_values(wrapped, element)) return true;
  }
  return false;
}

bool call_function(const Condition& c, const Item& item) {
  const std::string& fn = c.op;
  if (fn == "attribute_exists") return resolve(item, c.operands[0].path) != nullptr;
  if (fn == "attribute_not_exists") return resolve(item, c.operands[0].path) == nullptr;
  auto a = operand_value(c.operands[0], item);
  auto b = operand_value(c.operands[1], item);
  if (!a || !b) return false;
  if (fn == "attribute_type") return type_of(*a) == scalar_bytes(*b);
  auto ta = type_of(*a), tb = type_of(*b);
  if (fn == "begins_with") {
    if (ta != tb || (ta != "S" && ta != "B")) return false;
    return scalar_bytes(*a).starts_with(scalar_bytes(*b));
  }
  // contains
  if (ta == "S" && tb == "S") return scalar_bytes(*a).find(scalar_bytes(*b)) != std::string::npos;
  if (ta == "SS" || ta == "NS" || ta == "BS") return set_contains(*a, *b);
  if (ta == "L") {
    for (const auto& e : a->get_object().begin()->value().get_array())
      if (equal_values(e, *b)) return true;
  }
  return false;
}

bool compare_op(const std::string& op, const std::optional<json::value>& a,
                const std::optional<json::value>& b) {
  if (op == "<>") return !a || !b || !equal_values(*a, *b);
  if (!a || !b) return false;
  if (op == "=") return equal_values(*a, *b);
  auto c = compare_values(*a, *b);
  if (!c) return false;
  if (op == "<") return *c < 0;
  if (op == "<=") return *c <= 0;
  if (op == ">") return *c > 0;
  return *c >= 0;  // ">="
}

// ---- updates ----

std::optional<std::string> update_value(const Operand& o, const Item& before, json::value& out) {
  switch (o.kind) {
    case Operand::Kind::value:
      out = o.value;
      return std::nullopt;
    case Operand::Kind::path: {
      const json::value* v = resolve(before, o.path);
      if (v == nullptr) return std::string(kNoAttribute);
      out = *v;
      return std::nullopt;
    }
    case Operand::Kind::if_not_exists: {
      if (const json::value* v = resolve(before, o.args[0].path)) {
        out = *v;
        return std::nullopt;
      }
      return update_value(o.args[1], before, out);
    }
    case Operand::Kind::list_append: {
      json::value a, b;
      if (auto e = update_value(o.args[0], before, a)) return e;
      if (auto e = update_value(o.args[1], before, b)) return e;
      if (type_of(a) != "L" || type_of(b) != "L") return std::string(kBadType);
      json::array joined = a.get_object().begin()->value().get_array();
      for (const auto& e : b.get_object().begin()->value().get_array()) joined.push_back(e);
      out = json::object{{"L", std::move(joined)}};
      return std::nullopt;
    }
    case Operand::Kind::plus:
    case Operand::Kind::minus: {
      json::value a, b;
      if (auto e = update_value(o.args[0], before, a)) return e;
      if (auto e = update_value(o.args[1], before, b)) return e;
      if (type_of(a) != "N" || type_of(b) != "N") return std::string(kBadType);
      std::string err;
      auto x = parse_decimal(scalar_bytes(a), &err);
      auto y = parse_decimal(scalar_bytes(b), &err);
      if (!x || !y) return err;
      Decimal r = add(*x, o.kind == Operand::Kind::plus ? *y : negate(*y));
      if (auto e = decimal_error(r); !e.empty()) return e;
      out = json::object{{"N", r.text()}};
      return std::nullopt;
    }
    case Operand::Kind::size:
      break;
  }
  return std::string(kBadType);
}

// The container that holds the last element of `p` (null when it does not exist).
json::value* parent_of(Item& item, const Path& p) {
  json::value* cur = item.if_contains(p[0].name);
  for (std::size_t i = 1; cur != nullptr && i + 1 < p.size(); ++i) cur = child(*cur, p[i]);
  return cur;
}

// The container of `p`'s last element, checked to be of the kind that element needs (a map
// for a name, a list for an index); null when it is not there or of the wrong kind.
json::value* container_of(Item& item, const Path& p) {
  json::value* parent = parent_of(item, p);
  if (parent == nullptr) return nullptr;
  return type_of(*parent) == (p.back().is_index() ? "L" : "M") ? parent : nullptr;
}

std::optional<std::string> set_at(Item& item, const Path& p, json::value v) {
  if (p.size() == 1) {
    item[p[0].name] = std::move(v);
    return std::nullopt;
  }
  json::value* parent = container_of(item, p);
  if (parent == nullptr) return std::string(kBadPath);
  json::value& inner = parent->get_object().begin()->value();
  const PathElem& last = p.back();
  if (!last.is_index()) {
    inner.get_object()[last.name] = std::move(v);
    return std::nullopt;
  }
  auto& a = inner.get_array();
  if (static_cast<std::size_t>(last.index) < a.size()) {
    a[static_cast<std::size_t>(last.index)] = std::move(v);
  } else {
    a.push_back(std::move(v));
  }
  return std::nullopt;
}

std::optional<std::string> remove_at(Item& item, const Path& p) {
  if (p.size() == 1) {
    item.erase(p[0].name);
    return std::nullopt;
  }
  json::value* parent = container_of(item, p);
  if (parent == nullptr) return std::string(kBadPath);
  json::value& inner = parent->get_object().begin()->value();
  const PathElem& last = p.back();
  if (!last.is_index()) {
    inner.get_object().erase(last.name);
    return std::nullopt;
  }
  auto& a = inner.get_array();
  if (static_cast<std::size_t>(last.index) < a.size())
    a.erase(a.begin() + static_cast<std::ptrdiff_t>(last.index));
  return std::nullopt;
}

// ADD (adding = true) or DELETE of `v` to the value `cur` (null: absent). nullopt result with
// `remove` set: the attribute goes (a set emptied by DELETE).
std::optional<std::string> add_or_delete(const json::value* cur, const json::value& v, bool adding,
                                         json::value& out, bool& remove) {
  auto tv = type_of(v);
  if (cur == nullptr) {
    if (!adding) {
      remove = true;  // nothing to delete from; AWS leaves the item as it is
      return std::nullopt;
    }
    out = v;
    return std::nullopt;
  }
  auto tc = type_of(*cur);
  if (tc != tv) return std::string(kBadType);
  if (tv == "N") {
    std::string err;
    auto x = parse_decimal(scalar_bytes(*cur), &err);
    auto y = parse_decimal(scalar_bytes(v), &err);
    if (!x || !y) return err;
    Decimal r = add(*x, *y);
    if (auto e = decimal_error(r); !e.empty()) return e;
    out = json::object{{"N", r.text()}};
    return std::nullopt;
  }
  std::string elem_tag(tv.substr(0, 1));
  json::array result;
  const auto& have = cur->get_object().begin()->value().get_array();
  const auto& given = v.get_object().begin()->value().get_array();
  auto in = [&](const json::array& list, const json::value& e) {
    json::value w = json::object{{elem_tag, e}};
    for (const auto& x : list)
      if (equal_values(json::object{{elem_tag, x}}, w)) return true;
    return false;
  };
  if (adding) {
    result = have;
    for (const auto& e : given)
      if (!in(result, e)) result.push_back(e);
  } else {
    for (const auto& e : have)
      if (!in(given, e)) result.push_back(e);
  }
  if (result.empty()) {
    remove = true;
    return std::nullopt;
  }
  out = json::object{{std::string(tv), std::move(result)}};
  return std::nullopt;
}

// REMOVE of list elements goes from the highest index down, so that every index names an
// element of the list as it was.
bool remove_order(const Path& a, const Path& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i].index != b[i].index) return a[i].index > b[i].index;
    if (a[i].name != b[i].name) return a[i].name < b[i].name;
  }
  return a.size() > b.size();
}

struct Node {
  bool whole = false;
  std::map<std::string, Node> fields;
  std::map<std::int64_t, Node> elems;
};

std::optional<json::value> render(const json::value& av, const Node& n) {
  if (n.whole) return av;
  auto tag = type_of(av);
  const json::value& inner = av.get_object().begin()->value();
  if (tag == "M" && !n.fields.empty()) {
    json::object out;
    for (const auto& [name, sub] : n.fields)
      if (const auto* v = inner.get_object().if_contains(name))
        if (auto r = render(*v, sub)) out[name] = std::move(*r);
    if (out.empty()) return std::nullopt;
    return json::value(json::object{{"M", std::move(out)}});
  }
  if (tag == "L" && !n.elems.empty()) {
    json::array out;
    const auto& a = inner.get_array();
    for (const auto& [i, sub] : n.elems)
      if (static_cast<std::size_t>(i) < a.size())
        if (auto r = render(a[static_cast<std::size_t>(i)], sub)) out.push_back(std::move(*r));
    if (out.empty()) return std::nullopt;
    return json::value(json::object{{"L", std::move(out)}});
  }
  return std::nullopt;
}

}  // namespace

const json::value* resolve(const Item& item, const Path& p) {
  if (p.empty() || p[0].is_index()) return nullptr;
  const json::value* cur = item.if_contains(p[0].name);
  for (std::size_t i = 1; cur != nullptr && i < p.size(); ++i) cur = child(*cur, p[i]);
  return cur;
}

bool evaluate(const Condition& c, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::and_:
      return evaluate(c.children[0], item) && evaluate(c.children[1], item);
    case Condition::Kind::or_:
      return evaluate(c.children[0], item) || evaluate(c.children[1], item);
    case Condition::Kind::not_:
      return !evaluate(c.children[0], item);
    case Condition::Kind::function:
      return call_function(c, item);
    case Condition::Kind::compare:
      return compare_op(c.op, operand_value(c.operands[0], item),
                        operand_value(c.operands[1], item));
    case Condition::Kind::between: {
      auto a = operand_value(c.operands[0], item);
      auto lo = operand_value(c.operands[1], item);
      auto hi = operand_value(c.operands[2], item);
      return compare_op(">=", a, lo) && compare_op("<=", a, hi);
    }
    case Condition::Kind::in: {
      auto a = operand_value(c.operands[0], item);
      if (!a) return false;
      for (std::size_t i = 1; i < c.operands.size(); ++i) {
        auto b = operand_value(c.operands[i], item);
        if (b && equal_values(*a, *b)) return true;
      }
      return false;
    }
  }
  return false;
}

std::optional<std::string> apply_update(Item& item, const std::vector<UpdateAction>& actions) {
  const Item before = item;
  std::vector<std::pair<const UpdateAction*, json::value>> sets;
  for (const auto& a : actions) {
    if (a.kind != UpdateAction::Kind::set) continue;
    json::value v;
    if (auto e = update_value(a.value, before, v)) return e;
    sets.emplace_back(&a, std::move(v));
  }
  for (auto& [a, v] : sets)
    if (auto e = set_at(item, a->path, std::move(v))) return e;
  std::vector<const Path*> removes;
  for (const auto& a : actions)
    if (a.kind == UpdateAction::Kind::remove) removes.push_back(&a.path);
  std::sort(removes.begin(), removes.end(),
            [](const Path* x, const Path* y) { return remove_order(*x, *y); });
  for (const Path* p : removes)
    if (auto e = remove_at(item, *p)) return e;
  for (const auto& a : actions) {
    if (a.kind != UpdateAction::Kind::add && a.kind != UpdateAction::Kind::del) continue;
    json::value out;
    bool remove = false;
    if (auto e = add_or_delete(resolve(item, a.path), a.value.value,
                               a.kind == UpdateAction::Kind::add, out, remove))
      return e;
    if (remove) {
      if (resolve(item, a.path) != nullptr)
        if (auto e = remove_at(item, a.path)) return e;
      continue;
    }
    if (auto e = set_at(item, a.path, std::move(out))) return e;
  }
  return std::nullopt;
}

Item project(const Item& item, const std::vector<Path>& paths) {
  Node root;
  for (const auto& p : paths) {
    Node* n = &root;
    for (const auto& e : p) n = e.is_index() ? &n->elems[e.index] : &n->fields[e.name];
    n->whole = true;
  }
  Item out;
  for (const auto& kv : item) {
    auto it = root.fields.find(std::string(kv.key()));
    if (it == root.fields.end()) continue;
    if (auto r = render(kv.value(), it->second)) out[kv.key()] = std::move(*r);
  }
  return out;
}

std::vector<Path> updated_paths(const std::vector<UpdateAction>& actions) {
  std::vector<Path> out;
  for (const auto& a : actions) out.push_back(a.path);
  return out;
}

}  // namespace stepwise::services::dynamodb
