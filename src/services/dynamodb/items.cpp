// DynamoDb's single-item operations (PutItem, GetItem, UpdateItem, DeleteItem) and the
// prepare / evaluate / commit steps that transactions and batches share.
#include <algorithm>

#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"
#include "services/dynamodb/evaluator.h"

namespace stepwise::services::dynamodb {
namespace {

std::optional<api::ApiError> read_return_values(const json::object& r, DynamoDb::WriteOp& op) {
  const json::value* v = member(r, "ReturnValues");
  if (v != nullptr) {
    std::string rv = v->is_string() ? std::string(v->get_string()) : json::dump(*v);
    static constexpr std::string_view all[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                               "UPDATED_NEW"};
    if (std::find(std::begin(all), std::end(all), rv) == std::end(all))
      return validation("1 validation error detected: Value '" + rv +
                        "' at 'returnValues' failed to satisfy constraint: Member must satisfy "
                        "enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    if (op.kind != DynamoDb::WriteOp::Kind::update && rv != "NONE" && rv != "ALL_OLD")
      return validation("Return values set to invalid value");
    op.return_values = rv;
  }
  if (const json::value* f = member(r, "ReturnValuesOnConditionCheckFailure")) {
    std::string s = f->is_string() ? std::string(f->get_string()) : "";
    if (s != "ALL_OLD" && s != "NONE")
      return validation("1 validation error detected: Value '" + s +
                        "' at 'returnValuesOnConditionCheckFailure' failed to satisfy "
                        "constraint: Member must satisfy enum value set: [ALL_OLD, NONE]");
    op.old_on_failure = s == "ALL_OLD";
  }
  return std::nullopt;
}

}  // namespace

std::optional<api::ApiError> DynamoDb::prepare(WriteOp& op, Json& r) {
  using Kind = WriteOp::Kind;
  if (op.kind == Kind::put) {
    if (auto e = check_required(r, {"TableName", "Item"})) return e;
  } else if (op.kind == Kind::check) {
    if (auto e = check_required(r, {"TableName", "Key", "ConditionExpression"})) return e;
  } else {
    if (auto e = check_required(r, {"TableName", "Key"})) return e;
  }
  if (auto e = reject_legacy(r, {"Expected", "ConditionalOperator", "AttributeUpdates"})) return e;
  api::ApiError err;
  op.table = find_table(r, &err);
  if (op.table == nullptr) return err;
  if (op.kind == Kind::put) {
    json::value& item = r["Item"];
    if (!item.is_object()) return serialization("Item");
    if (auto e = check_item(item)) return validation(*e);
    op.item = item.get_object();
    if (auto e = key_of_item(*op.table, op.item, op.key)) return validation(*e);
    if (item_size(op.item) > ddb_limits::item_bytes_max)
      return validation("Item size has exceeded the maximum allowed size");
  } else {
    json::value& key = r["Key"];
    if (!key.is_object()) return serialization("Key");
    if (auto e = check_item(key)) return validation(*e);
    if (auto e = key_of_request(*op.table, &key, op.key)) return validation(*e);
  }
  Placeholders p;
  if (auto e = read_placeholders(r, p)) return e;
  bool any = false;
  if (const json::value* c = member(r, "ConditionExpression")) {
    if (!c->is_string()) return serialization("ConditionExpression");
    any = true;
    op.has_condition = true;
    if (auto e = parse_condition(std::string_view(c->get_string()), "ConditionExpression", p.ctx,
                                 op.condition))
      return validation(*e);
  }
  if (const json::value* u = member(r, "UpdateExpression"); u && op.kind == Kind::update) {
    if (!u->is_string()) return serialization("UpdateExpression");
    any = true;
    if (auto e = parse_update(std::string_view(u->get_string()), p.ctx, op.actions))
      return validation(*e);
    for (const auto& a : op.actions) {
      const std::string& top = a.path[0].name;
      if (top == op.table->key.hash || top == op.table->key.range)
        return validation(std::string(kInvalid) + "Cannot update attribute " + top +
                          ". This attribute is part of the key");
    }
  }
  if (auto e = finish_placeholders(p, any)) return e;
  return read_return_values(r, op);
}

DynamoDb::Effect DynamoDb::evaluate(const WriteOp& op) {
  Effect e;
  const Table& t = *op.table;
  if (auto part = t.partitions.find(op.key.hash_code); part != t.partitions.end())
    if (auto it = part->second.find(op.key.range); it != part->second.end()) e.old = it->second;
  static const Item empty;
  if (op.has_condition && !dynamodb::evaluate(op.condition, e.old ? *e.old : empty)) {
    e.verdict = Effect::Verdict::condition_failed;
    return e;
  }
  switch (op.kind) {
    case WriteOp::Kind::put:
      e.after = op.item;
      break;
    case WriteOp::Kind::check:
      e.after = e.old;
      break;
    case WriteOp::Kind::del:
      break;
    case WriteOp::Kind::update: {
      Item next = e.old ? *e.old : op.key.key;
      if (auto err = apply_update(next, op.actions)) {
        e.verdict = Effect::Verdict::invalid;
        e.error = *err;
        return e;
      }
      if (item_size(next) > ddb_limits::item_bytes_max) {
        e.verdict = Effect::Verdict::invalid;
        e.error = "Item size to update has exceeded the maximum allowed size";
        return e;
      }
      KeyParts ignored;
      if (auto err = key_of_item(t, next, ignored)) {
        e.verdict = Effect::Verdict::invalid;
        e.error = *err;
        return e;
      }
      e.after = std::move(next);
      break;
    }
  }
  return e;
}

void DynamoDb::commit(const WriteOp& op, Effect& e, std::vector<Mutation>& batch) {
  if (op.kind == WriteOp::Kind::check) return;
  Table& t = *op.table;
  if (e.old) t.bytes -= std::min(t.bytes, item_size(*e.old));
  if (e.after) {
    auto& part = t.partitions[op.key.hash_code];
    auto [it, inserted] = part.insert_or_assign(op.key.range, *e.after);
    if (inserted) {
      ++t.item_count;
      ++items_;
    }
    t.bytes += item_size(*e.after);
    batch.push_back(item_record(t, op.key.code, &it->second));
    return;
  }
  auto part = t.partitions.find(op.key.hash_code);
  if (part != t.partitions.end() && part->second.erase(op.key.range) > 0) {
    --t.item_count;
    --items_;
    if (part->second.empty()) t.partitions.erase(part);
  }
  batch.push_back(item_record(t, op.key.code, nullptr));
}

namespace {

api::ApiError failed_condition(const DynamoDb::WriteOp& op, const DynamoDb::Effect& e) {
  api::ApiError err = conditional_failed();
  if (op.old_on_failure && e.old) err.members["Item"] = *e.old;
  return err;
}

}  // namespace

DynamoDb::Outcome DynamoDb::put_item(Json& r) {
  if (items_ >= ddb_limits::items_max)
    return {api::ApiError{"LimitExceededException", "This server holds too many items"}, {}};
  return put_or_delete(true, r);
}

DynamoDb::Outcome DynamoDb::delete_item(Json& r) { return put_or_delete(false, r); }

DynamoDb::Outcome DynamoDb::put_or_delete(bool put, Json& r) {
  WriteOp op;
  op.kind = put ? WriteOp::Kind::put : WriteOp::Kind::del;
  if (auto e = prepare(op, r)) return {*e, {}};
  Effect e = evaluate(op);
  if (e.verdict == Effect::Verdict::condition_failed) return {failed_condition(op, e), {}};
  json::object out;
  if (op.return_values == "ALL_OLD" && e.old) out["Attributes"] = *e.old;
  std::vector<Mutation> batch;
  commit(op, e, batch);
  return {std::move(out), std::move(batch)};
}

DynamoDb::Outcome DynamoDb::update_item(Json& r) {
  WriteOp op;
  op.kind = WriteOp::Kind::update;
  if (auto e = prepare(op, r)) return {*e, {}};
  Effect e = evaluate(op);
  if (e.verdict == Effect::Verdict::condition_failed) return {failed_condition(op, e), {}};
  if (e.verdict == Effect::Verdict::invalid) return {validation(e.error), {}};
  json::object out;
  const std::string& rv = op.return_values;
  Item attrs;
  if (rv == "ALL_OLD" && e.old) attrs = *e.old;
  if (rv == "ALL_NEW") attrs = *e.after;
  if (rv == "UPDATED_OLD" && e.old) attrs = project(*e.old, updated_paths(op.actions));
  if (rv == "UPDATED_NEW") attrs = project(*e.after, updated_paths(op.actions));
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  std::vector<Mutation> batch;
  commit(op, e, batch);
  return {std::move(out), std::move(batch)};
}

api::Response DynamoDb::get_item(Json& r) {
  if (auto e = check_required(r, {"TableName", "Key"})) return *e;
  api::ApiError err;
  Table* t = find_table(r, &err);
  if (t == nullptr) return err;
  json::value& key = r["Key"];
  if (!key.is_object()) return serialization("Key");
  if (auto e = check_item(key)) return validation(*e);
  KeyParts k;
  if (auto e = key_of_request(*t, &key, k)) return validation(*e);
  Placeholders p;
  if (auto e = read_placeholders(r, p)) return *e;
  std::vector<Path> paths;
  const json::value* pe = member(r, "ProjectionExpression");
  const json::value* atg = member(r, "AttributesToGet");
  if (pe && atg)
    return validation(
        "Can not use both expression and non-expression parameters in the same "
        "request: Non-expression parameters: {AttributesToGet} Expression "
        "parameters: {ProjectionExpression}");
  if (pe) {
    if (!pe->is_string()) return serialization("ProjectionExpression");
    if (auto e = parse_projection(std::string_view(pe->get_string()), p.ctx, paths))
      return validation(*e);
  } else if (atg && atg->is_array()) {
    for (const auto& a : atg->get_array())
      if (a.is_string()) paths.push_back(Path{PathElem{std::string(a.get_string())}});
  }
  if (auto e = finish_placeholders(p, pe != nullptr)) return *e;
  json::object out;
  if (auto part = t->partitions.find(k.hash_code); part != t->partitions.end())
    if (auto it = part->second.find(k.range); it != part->second.end())
      out["Item"] = paths.empty() ? it->second : project(it->second, paths);
  return out;
}

}  // namespace stepwise::services::dynamodb
