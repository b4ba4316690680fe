// DynamoDb's batches and transactions: BatchGetItem, BatchWriteItem, TransactGetItems and
// TransactWriteItems. A batch write or a transaction is applied under the one lock and its
// records go to the RecordLog as one atomic batch, so nothing is ever left half done
// (BatchWriteItem thus never returns UnprocessedItems).
#include <set>

#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"
#include "services/dynamodb/evaluator.h"

namespace stepwise::services::dynamodb {
namespace {

std::optional<api::ApiError> request_items(json::object& r, json::object*& out) {
  if (auto e = check_required(r, {"RequestItems"})) return e;
  json::value& v = r["RequestItems"];
  if (!v.is_object()) return serialization("RequestItems");
  if (v.get_object().empty())
    return validation(
        "1 validation error detected: Value '{}' at 'requestItems' failed to "
        "satisfy constraint: Member must have length greater than or equal to 1");
  out = &v.get_object();
  return std::nullopt;
}

std::optional<api::ApiError> transact_items(json::object& r, json::array*& out) {
  if (auto e = check_required(r, {"TransactItems"})) return e;
  json::value& v = r["TransactItems"];
  if (!v.is_array()) return serialization("TransactItems");
  const std::size_t n = v.get_array().size();
  if (n == 0 || n > ddb_limits::transact_items_max)
    return validation(
        "1 validation error detected: Value at 'transactItems' failed to satisfy "
        "constraint: Member must have length " +
        std::string(n == 0 ? "greater than or equal to 1" : "less than or equal to 100"));
  out = &v.get_array();
  return std::nullopt;
}

}  // namespace

api::Response DynamoDb::batch_get(Json& r) {
  json::object* tables = nullptr;
  if (auto e = request_items(r, tables)) return *e;
  std::size_t total = 0;
  for (auto& kv : *tables) {
    const auto* o = kv.value().if_object();
    const json::value* keys = o ? member(*o, "Keys") : nullptr;
    if (keys == nullptr || !keys->is_array()) return serialization("Keys");
    total += keys->get_array().size();
  }
  if (total > ddb_limits::batch_get_max)
    return validation("Too many items requested for the BatchGetItem call");
  json::object responses;
  for (auto& kv : *tables) {
    json::object get = kv.value().get_object();
    get["TableName"] = kv.key();
    if (auto e = table_name_error(&get["TableName"], "requestItems.key"))
      return validation("1 validation error detected: " + *e);
    api::ApiError err;
    Table* t = find_table(get, &err);
    if (t == nullptr) return err;
    json::array found;
    std::set<std::string> seen;
    json::array keys = get["Keys"].get_array();
    for (auto& key : keys) {
      json::object one = get;
      one.erase("Keys");
      one["Key"] = key;
      if (!key.is_object()) return serialization("Keys");
      json::value probe = key;
      if (auto e = check_item(probe)) return validation(*e);
      KeyParts k;
      if (auto e = key_of_request(*t, &probe, k)) return validation(*e);
      if (!seen.insert(k.code).second)
        return validation("Provided list of item keys contains duplicates");
      api::Response got = get_item(one);
      if (got.is_error()) return got;
      if (const auto* item = got.body().get_object().if_contains("Item")) found.push_back(*item);
    }
    responses[kv.key()] = std::move(found);
  }
  return json::object{{"Responses", std::move(responses)}, {"UnprocessedKeys", json::object{}}};
}

DynamoDb::Outcome DynamoDb::batch_write(Json& r) {
  json::object* tables = nullptr;
  if (auto e = request_items(r, tables)) return {*e, {}};
  std::size_t total = 0;
  for (auto& kv : *tables) {
    if (!kv.value().is_array()) return {serialization("RequestItems"), {}};
    total += kv.value().get_array().size();
  }
  if (total > ddb_limits::batch_write_max)
    return {validation("1 validation error detected: Value at 'requestItems' failed to satisfy "
                       "constraint: Map value must satisfy constraint: [Member must have length "
                       "less than or equal to 25, Member must have length greater than or equal "
                       "to 1]"),
            {}};
  std::vector<WriteOp> ops;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& kv : *tables) {
    for (auto& entry : kv.value().get_array()) {
      auto* e = entry.if_object();
      json::value* put = e ? e->if_contains("PutRequest") : nullptr;
      json::value* del = e ? e->if_contains("DeleteRequest") : nullptr;
      if ((put == nullptr) == (del == nullptr) || !(put ? put : del)->is_object())
        return {validation("Supplied AttributeValue has more than one datatypes set, must "
                           "contain exactly one of the supported datatypes"),
                {}};
      json::object req = (put ? put : del)->get_object();
      req["TableName"] = kv.key();
      WriteOp op;
      op.kind = put ? WriteOp::Kind::put : WriteOp::Kind::del;
      if (auto err = prepare(op, req)) return {*err, {}};
      if (!seen.insert({op.table->name, op.key.code}).second)
        return {validation("Provided list of item keys contains duplicates"), {}};
      ops.push_back(std::move(op));
    }
  }
  std::vector<Mutation> batch;
  for (auto& op : ops) {
    Effect e = evaluate(op);
    commit(op, e, batch);
  }
  return {json::object{{"UnprocessedItems", json::object{}}}, std::move(batch)};
}

api::Response DynamoDb::transact_get(Json& r) {
  json::array* items = nullptr;
  if (auto e = transact_items(r, items)) return *e;
  json::array responses;
  for (auto& entry : *items) {
    auto* e = entry.if_object();
    json::value* get = e ? e->if_contains("Get") : nullptr;
    if (get == nullptr || !get->is_object()) return serialization("Get");
    api::Response got = get_item(get->get_object());
    if (got.is_error()) return got;
    responses.push_back(got.body());
  }
  return json::object{{"Responses", std::move(responses)}};
}

DynamoDb::Outcome DynamoDb::transact_write(Json& r) {
  json::array* items = nullptr;
  if (auto e = transact_items(r, items)) return {*e, {}};
  std::vector<WriteOp> ops;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& entry : *items) {
    auto* e = entry.if_object();
    if (e == nullptr || e->size() != 1)
      return {validation("TransactItems can only contain one of Check, Put, Update or Delete"), {}};
    const std::string kind(e->begin()->key());
    json::value& body = e->begin()->value();
    if (!body.is_object()) return {serialization(kind), {}};
    WriteOp op;
    if (kind == "Put") {
      op.kind = WriteOp::Kind::put;
    } else if (kind == "Update") {
      op.kind = WriteOp::Kind::update;
      if (auto err = check_required(body.get_object(), {"UpdateExpression"})) return {*err, {}};
    } else if (kind == "Delete") {
      op.kind = WriteOp::Kind::del;
    } else if (kind == "ConditionCheck") {
      op.kind = WriteOp::Kind::check;
    } else {
      return {validation("TransactItems can only contain one of Check, Put, Update or Delete"), {}};
    }
    if (auto err = prepare(op, body.get_object())) return {*err, {}};
    if (!seen.insert({op.table->name, op.key.code}).second)
      return {validation("Transaction request cannot include multiple operations on one item"), {}};
    ops.push_back(std::move(op));
  }
  std::vector<Effect> effects;
  bool cancelled = false;
  for (const auto& op : ops) {
    effects.push_back(evaluate(op));
    cancelled = cancelled || effects.back().verdict != Effect::Verdict::ok;
  }
  if (cancelled) {
    json::array reasons;
    std::string codes;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Effect& e = effects[i];
      json::object reason;
      if (e.verdict == Effect::Verdict::condition_failed) {
        reason["Code"] = "ConditionalCheckFailed";
        reason["Message"] = "The conditional request failed";
        if (ops[i].old_on_failure && e.old) reason["Item"] = *e.old;
      } else if (e.verdict == Effect::Verdict::invalid) {
        reason["Code"] = "ValidationError";
        reason["Message"] = e.error;
      } else {
        reason["Code"] = "None";
      }
      codes += (i ? ", " : "") + std::string(reason["Code"].get_string());
      reasons.push_back(std::move(reason));
    }
    api::ApiError err{"TransactionCanceledException",
                      "Transaction cancelled, please refer cancellation reasons for specific "
                      "reasons [" +
                          codes + "]"};
    err.members["CancellationReasons"] = std::move(reasons);
    return {err, {}};
  }
  std::vector<Mutation> batch;
  for (std::size_t i = 0; i < ops.size(); ++i) commit(ops[i], effects[i], batch);
  return {json::object{}, std::move(batch)};
}

}  // namespace stepwise::services::dynamodb
