// DynamoDb's Query and Scan: key conditions, index reads, filters, projections, Select, Limit
// and paging (ExclusiveStartKey / LastEvaluatedKey), parallel scan segments.
#include <algorithm>
#include <set>

#include "json/clamp.h"
#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"
#include "services/dynamodb/evaluator.h"

namespace stepwise::services::dynamodb {
namespace {

// Where an item stands in a read's order: (hash code, range) of the table, or of the index
// followed by the table's.
struct Position {
  std::string h1;
  SortKey r1;
  std::string h2;
  SortKey r2;
};
bool before(const Position& a, const Position& b) {
  SortLess less;
  if (a.h1 != b.h1) return a.h1 < b.h1;
  if (less(a.r1, b.r1)) return true;
  if (less(b.r1, a.r1)) return false;
  if (a.h2 != b.h2) return a.h2 < b.h2;
  return less(a.r2, b.r2);
}

Position position_of(const DynamoDb::Table& t, const IndexDef* ix, const Item& item) {
  KeyParts base = key_parts(t.key, item);
  if (ix == nullptr) return Position{base.hash_code, base.range, "", {}};
  KeyParts ik = key_parts(ix->key, item);
  return Position{ik.hash_code, ik.range, base.hash_code, base.range};
}

// The read's settings, from the request.
struct Read {
  DynamoDb::Table* table = nullptr;
  const IndexDef* index = nullptr;
  Placeholders p;
  bool has_filter = false;
  Condition filter;
  std::vector<Path> projection;
  std::string select;
  std::size_t limit = 0;  // 0: none
  bool has_start = false;
  Position start;
};

std::optional<api::ApiError> read_common(DynamoDb::Table* t, json::object& r, Read& rd,
                                         bool query) {
  rd.table = t;
  if (const json::value* ix = member(r, "IndexName")) {
    if (auto e = check_required(r, {"IndexName"})) return e;
    rd.index = t->index(std::string_view(ix->get_string()));
    if (rd.index == nullptr)
      return validation("The table does not have the specified index: " +
                        std::string(ix->get_string()));
    const json::value* cr = member(r, "ConsistentRead");
    if (rd.index->global && cr && cr->is_bool() && cr->get_bool())
      return validation("Consistent reads are not supported on global secondary indexes");
  }
  if (auto e =
          reject_legacy(r, {"ScanFilter", "QueryFilter", "KeyConditions", "ConditionalOperator"}))
    return e;
  if (const json::value* l = member(r, "Limit")) {
    if (!json::is_integral_number(*l) || json::as_double(*l) < 1)
      return validation("1 validation error detected: Value '" + json::dump(*l) +
                        "' at 'limit' failed to satisfy constraint: Member must have value "
                        "greater than or equal to 1");
    rd.limit =
        static_cast<std::size_t>(std::min<std::int64_t>(json::as_int64_clamped(*l), 1000000000000));
  }
  rd.select = text_member(r, "Select");
  static constexpr std::string_view selects[] = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                                 "SPECIFIC_ATTRIBUTES", "COUNT"};
  if (!rd.select.empty() &&
      std::find(std::begin(selects), std::end(selects), rd.select) == std::end(selects))
    return validation("1 validation error detected: Value '" + rd.select +
                      "' at 'select' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                      "ALL_PROJECTED_ATTRIBUTES]");
  if (rd.select == "ALL_PROJECTED_ATTRIBUTES" && rd.index == nullptr)
    return validation(
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
        "IndexName");
  if (rd.select == "ALL_ATTRIBUTES" && rd.index && rd.index->global &&
      rd.index->projection != "ALL")
    return validation(std::string(kInvalid) +
                      "Select type ALL_ATTRIBUTES is not supported for "
                      "global secondary index " +
                      rd.index->name + " because its projection type is not ALL");
  if (auto e = read_placeholders(r, rd.p)) return e;
  if (const json::value* f = member(r, "FilterExpression")) {
    if (!f->is_string()) return serialization("FilterExpression");
    rd.has_filter = true;
    if (auto e = parse_condition(std::string_view(f->get_string()), "FilterExpression", rd.p.ctx,
                                 rd.filter))
      return validation(*e);
  }
  const json::value* pe = member(r, "ProjectionExpression");
  if (pe) {
    if (!pe->is_string()) return serialization("ProjectionExpression");
    if (!rd.select.empty() && rd.select != "SPECIFIC_ATTRIBUTES")
      return validation(std::string(kInvalid) +
                        "Cannot specify the ProjectionExpression when "
                        "choosing to get " +
                        rd.select);
    if (auto e = parse_projection(std::string_view(pe->get_string()), rd.p.ctx, rd.projection))
      return validation(*e);
  } else if (const json::value* atg = member(r, "AttributesToGet"); atg && atg->is_array()) {
    for (const auto& a : atg->get_array())
      if (a.is_string()) rd.projection.push_back(Path{PathElem{std::string(a.get_string())}});
  }
  if (json::value* s = r.if_contains("ExclusiveStartKey"); s && !s->is_null()) {
    if (auto e = check_item(*s)) return validation(*e);
    const Item& k = s->get_object();
    KeyParts ignored;
    Item table_key;
    for (const auto& n : {t->key.hash, t->key.range})
      if (!n.empty() && k.contains(n)) table_key[n] = k.at(n);
    const json::value tk(std::move(table_key));
    if (key_of_request(*t, &tk, ignored))
      return validation(
          "The provided starting key is invalid: The provided key element does "
          "not match the schema");
    rd.has_start = true;
    rd.start = position_of(*t, rd.index, k);
  }
  (void)query;
  return std::nullopt;
}

// The top-level attribute names a condition reads.
void names_in(const Condition& c, std::set<std::string>& out) {
  for (const auto& o : c.operands) {
    if (o.kind == Operand::Kind::path) out.insert(o.path[0].name);
    for (const auto& a : o.args)
      if (a.kind == Operand::Kind::path) out.insert(a.path[0].name);
  }
  for (const auto& ch : c.children) names_in(ch, out);
}

// Checks a KeyConditionExpression against the key schema; fills the hash key's value.
std::optional<std::string> check_key_condition(const Condition& c, const KeySchema& k,
                                               json::value& hash_value) {
  std::vector<const Condition*> parts;
  std::vector<const Condition*> todo{&c};
  while (!todo.empty()) {
    const Condition* x = todo.back();
    todo.pop_back();
    if (x->kind == Condition::Kind::and_) {
      todo.push_back(&x->children[1]);
      todo.push_back(&x->children[0]);
      continue;
    }
    if (x->kind == Condition::Kind::or_)
      return "Invalid operator used in KeyConditionExpression: OR";
    if (x->kind == Condition::Kind::not_)
      return "Invalid operator used in KeyConditionExpression: NOT";
    if (x->kind == Condition::Kind::in)
      return "Invalid operator used in KeyConditionExpression: IN";
    if (x->kind == Condition::Kind::function && x->op != "begins_with")
      return "Invalid operator used in KeyConditionExpression: " + x->op;
    if (x->kind == Condition::Kind::compare && x->op == "<>")
      return "Invalid operator used in KeyConditionExpression: <>";
    parts.push_back(x);
  }
  if (parts.size() > 2) return "Conditions can be of length 1 or 2 only";
  bool have_hash = false;
  std::set<std::string> seen;
  for (const Condition* x : parts) {
    const Operand& left = x->operands[0];
    if (left.kind != Operand::Kind::path || left.path.size() != 1)
      return "Query key condition not supported";
    const std::string& name = left.path[0].name;
    if (!seen.insert(name).second)
      return "KeyConditionExpressions must only contain one condition per key";
    for (std::size_t i = 1; i < x->operands.size(); ++i)
      if (x->operands[i].kind != Operand::Kind::value) return "Query key condition not supported";
    const bool is_hash = name == k.hash;
    if (!is_hash && name != k.range) return "Query key condition not supported";
    const std::string& type = is_hash ? k.hash_type : k.range_type;
    for (std::size_t i = 1; i < x->operands.size(); ++i)
      if (type_of(x->operands[i].value) != type)
        return std::string(kInvalid) + "Condition parameter type does not match schema type";
    if (is_hash) {
      if (x->kind != Condition::Kind::compare || x->op != "=")
        return "Query key condition not supported";
      have_hash = true;
      hash_value = x->operands[1].value;
    } else if (x->kind == Condition::Kind::function && type == "N") {
      return "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
             "operator or function: begins_with, operand type: N";
    }
  }
  if (!have_hash) return "Query condition missed key schema element: " + k.hash;
  return std::nullopt;
}

// The item as the read returns it: the index's projection, then ProjectionExpression.
Item shaped(const Read& rd, const Item& item) {
  const Item* base = &item;
  Item cut;
  if (rd.index && rd.index->projection != "ALL" && rd.select != "ALL_ATTRIBUTES") {
    std::vector<Path> keep;
    for (const auto& n :
         {rd.table->key.hash, rd.table->key.range, rd.index->key.hash, rd.index->key.range})
      if (!n.empty()) keep.push_back(Path{PathElem{n}});
    for (const auto& n : rd.index->non_key) keep.push_back(Path{PathElem{n}});
    cut = project(item, keep);
    base = &cut;
  }
  return rd.projection.empty() ? *base : project(*base, rd.projection);
}

Item last_key(const Read& rd, const Item& item) {
  Item k;
  for (const auto& n : {rd.table->key.hash, rd.table->key.range})
    if (!n.empty() && item.contains(n)) k[n] = item.at(n);
  if (rd.index)
    for (const auto& n : {rd.index->key.hash, rd.index->key.range})
      if (!n.empty() && item.contains(n)) k[n] = item.at(n);
  return k;
}

using Candidates = std::vector<std::pair<Position, const Item*>>;

// Runs the read over candidates in order, from after ExclusiveStartKey.
json::object page(const Read& rd, Candidates& all, bool forward, const Condition* key_cond) {
  json::array items;
  std::size_t scanned = 0, count = 0, bytes = 0;
  const Item* last = nullptr;
  bool stopped = false;
  auto consider = [&](const Item& item) {
    if (key_cond && !evaluate(*key_cond, item)) return true;
    ++scanned;
    bytes += item_size(item);
    last = &item;
    if (!rd.has_filter || evaluate(rd.filter, item)) {
      ++count;
      if (rd.select != "COUNT") items.push_back(shaped(rd, item));
    }
    if ((rd.limit && scanned >= rd.limit) || bytes >= ddb_limits::page_bytes_max) {
      stopped = true;
      return false;
    }
    return true;
  };
  if (forward) {
    for (auto& [pos, item] : all) {
      if (rd.has_start && !before(rd.start, pos)) continue;
      if (!consider(*item)) break;
    }
  } else {
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (rd.has_start && !before(it->first, rd.start)) continue;
      if (!consider(*it->second)) break;
    }
  }
  json::object out;
  if (rd.select != "COUNT") out["Items"] = std::move(items);
  out["Count"] = count;
  out["ScannedCount"] = scanned;
  if (stopped && last) out["LastEvaluatedKey"] = last_key(rd, *last);
  return out;
}

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

api::Response DynamoDb::query(Json& r) {
  if (auto e = check_required(r, {"TableName"})) return *e;
  api::ApiError err;
  Table* t = find_table(r, &err);
  if (t == nullptr) return err;
  Read rd;
  if (auto e = read_common(t, r, rd, true)) return *e;
  const json::value* kce = member(r, "KeyConditionExpression");
  if (kce == nullptr)
    return validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be "
        "specified in the request.");
  if (!kce->is_string()) return serialization("KeyConditionExpression");
  Condition kc;
  if (auto e = parse_condition(std::string_view(kce->get_string()), "KeyConditionExpression",
                               rd.p.ctx, kc))
    return validation(*e);
  if (auto e = finish_placeholders(rd.p, true)) return *e;
  const KeySchema& schema = rd.index ? rd.index->key : t->key;
  json::value hash_value;
  if (auto e = check_key_condition(kc, schema, hash_value)) return validation(*e);
  if (rd.has_filter) {
    std::set<std::string> used;
    names_in(rd.filter, used);
    for (const auto& n : {schema.hash, schema.range, t->key.hash, t->key.range})
      if (!n.empty() && used.count(n))
        return validation(
            "Filter Expression can only contain non-primary key attributes: "
            "Primary key attribute: " +
            n);
  }
  const json::value* fwd = member(r, "ScanIndexForward");
  const bool forward = fwd == nullptr || !fwd->is_bool() || fwd->get_bool();
  Candidates all;
  const std::string code = key_code(hash_value);
  if (rd.index == nullptr) {
    if (auto part = t->partitions.find(code); part != t->partitions.end())
      for (const auto& [k, item] : part->second) all.emplace_back(Position{code, k, "", {}}, &item);
  } else {
    for (const auto& [h, part] : t->partitions)
      for (const auto& [k, item] : part) {
        const json::value* hv = item.if_contains(schema.hash);
        if (hv == nullptr || key_code(*hv) != code) continue;
        if (!schema.range.empty() && !item.contains(schema.range)) continue;
        all.emplace_back(position_of(*t, rd.index, item), &item);
      }
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return before(a.first, b.first); });
  }
  return page(rd, all, forward, &kc);
}

api::Response DynamoDb::scan(Json& r) {
  if (auto e = check_required(r, {"TableName"})) return *e;
  api::ApiError err;
  Table* t = find_table(r, &err);
  if (t == nullptr) return err;
  Read rd;
  if (auto e = read_common(t, r, rd, false)) return *e;
  if (auto e = finish_placeholders(rd.p, rd.has_filter || member(r, "ProjectionExpression")))
    return *e;
  const json::value* seg = member(r, "Segment");
  const json::value* total = member(r, "TotalSegments");
  std::uint32_t segment = 0, segments = 1;
  if ((seg == nullptr) != (total == nullptr))
    return validation(
        "The TotalSegments parameter is required but was not present in the "
        "request when Segment parameter is present");
  if (seg) {
    if (!json::is_integral_number(*total) || json::as_double(*total) < 1 ||
        json::as_double(*total) > 1'000'000)
      return validation("1 validation error detected: Value '" + json::dump(*total) +
                        "' at 'totalSegments' failed to satisfy constraint: Member must have "
                        "value less than or equal to 1000000");
    segments = static_cast<std::uint32_t>(json::as_double(*total));
    if (!json::is_integral_number(*seg) || json::as_double(*seg) < 0 ||
        json::as_double(*seg) >= segments)
      return validation(
          "The Segment parameter is zero-based and must be less than parameter "
          "TotalSegments: Segment: " +
          json::dump(*seg) + " is not less than TotalSegments: " + json::dump(*total));
    segment = static_cast<std::uint32_t>(json::as_double(*seg));
  }
  Candidates all;
  for (const auto& [h, part] : t->partitions) {
    if (segments > 1 && fnv1a(h) % segments != segment) continue;
    for (const auto& [k, item] : part) {
      if (rd.index) {
        if (!item.contains(rd.index->key.hash)) continue;
        if (!rd.index->key.range.empty() && !item.contains(rd.index->key.range)) continue;
      }
      all.emplace_back(position_of(*t, rd.index, item), &item);
    }
  }
  if (rd.index)
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return before(a.first, b.first); });
  return page(rd, all, true, nullptr);
}

}  // namespace stepwise::services::dynamodb
