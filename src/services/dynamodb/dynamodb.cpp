// DynamoDb's dispatch, durability (records and their reload) and the helpers its operations
// share: keys, request members, placeholders, AWS's errors.
#include "services/dynamodb/dynamodb.h"

#include <cctype>
#include <utility>

#include "services/common/codec.h"
#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"

namespace stepwise::services::dynamodb {
namespace {

std::string wire_name(std::string_view m) {
  std::string out(m);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

// ---- errors ----

api::ApiError validation(std::string message) {
  return api::ApiError{"ValidationException", std::move(message)};
}
api::ApiError not_found() {
  return api::ApiError{"ResourceNotFoundException", "Requested resource not found"};
}
api::ApiError in_use(std::string message) {
  return api::ApiError{"ResourceInUseException", std::move(message)};
}
api::ApiError conditional_failed() {
  return api::ApiError{"ConditionalCheckFailedException", "The conditional request failed"};
}
api::ApiError serialization(std::string_view member_name) {
  return api::ApiError{"SerializationException",
                       "Unexpected value type in payload for member " + std::string(member_name)};
}

// ---- requests ----

const json::value* member(const json::object& r, std::string_view name) {
  const json::value* v = r.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

std::string text_member(const json::object& r, std::string_view name) {
  const json::value* v = member(r, name);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::optional<std::string> table_name_error(const json::value* name, std::string_view wire) {
  if (name == nullptr) return std::nullopt;
  if (!name->is_string()) return "Value at '" + std::string(wire) + "' must be a string";
  std::string_view n(name->get_string());
  const std::string head = "Value '" + std::string(n) + "' at '" + std::string(wire) +
                           "' failed to satisfy constraint: ";
  if (n.size() < ddb_limits::table_name_min)
    return head + "Member must have length greater than or equal to 3";
  if (n.size() > ddb_limits::table_name_max)
    return head + "Member must have length less than or equal to 255";
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return head + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
  return std::nullopt;
}

std::optional<api::ApiError> check_required(const json::object& r,
                                            std::initializer_list<std::string_view> members) {
  std::vector<std::string> errors;
  for (auto m : members) {
    const json::value* v = member(r, m);
    const std::string wire = wire_name(m);
    if (v == nullptr) {
      errors.push_back("Value null at '" + wire +
                       "' failed to satisfy constraint: Member must not be null");
    } else if (m == "TableName" || m == "IndexName") {
      if (auto e = table_name_error(v, wire)) errors.push_back(*e);
    }
  }
  if (errors.empty()) return std::nullopt;
  std::string msg = std::to_string(errors.size()) + " validation error" +
                    (errors.size() > 1 ? "s" : "") + " detected: ";
  for (std::size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
  return validation(msg);
}

std::optional<api::ApiError> read_placeholders(const json::object& r, Placeholders& p) {
  if (const json::value* n = member(r, "ExpressionAttributeNames")) {
    if (!n->is_object()) return serialization("ExpressionAttributeNames");
    p.names = n->get_object();
    p.has_names = true;
  }
  if (const json::value* v = member(r, "ExpressionAttributeValues")) {
    if (!v->is_object()) return serialization("ExpressionAttributeValues");
    p.values = v->get_object();
    p.has_values = true;
  }
  if (auto e =
          check_placeholders(p.has_names ? &p.names : nullptr, p.has_values ? &p.values : nullptr))
    return validation(*e);
  p.ctx.names = p.has_names ? &p.names : nullptr;
  p.ctx.values = p.has_values ? &p.values : nullptr;
  return std::nullopt;
}

std::optional<api::ApiError> finish_placeholders(const Placeholders& p, bool any_expression) {
  if (!any_expression) {
    if (p.has_names)
      return validation("ExpressionAttributeNames can only be specified when using expressions");
    if (p.has_values)
      return validation("ExpressionAttributeValues can only be specified when using expressions");
    return std::nullopt;
  }
  if (auto e = unused_placeholders(p.ctx)) return validation(*e);
  return std::nullopt;
}

std::optional<api::ApiError> reject_legacy(const json::object& r,
                                           std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (member(r, n))
      return validation("The legacy parameter " + std::string(n) +
                        " is not supported by this server; use expressions instead");
  return std::nullopt;
}

// ---- keys ----

std::string key_code(const json::value& av) {
  return std::string(type_of(av)) + ":" + scalar_bytes(av);
}

SortKey sort_key(const json::value* av) {
  SortKey k;
  if (av == nullptr) return k;
  if (type_of(*av) == "N") {
    std::string err;
    k.number = true;
    k.value = parse_decimal(scalar_bytes(*av), &err).value_or(Decimal{});
    return k;
  }
  k.bytes = scalar_bytes(*av);
  return k;
}

KeyParts key_parts(const KeySchema& schema, const Item& item) {
  KeyParts k;
  const json::value* h = item.if_contains(schema.hash);
  if (h) {
    k.hash_code = key_code(*h);
    k.key[schema.hash] = *h;
  }
  k.code = k.hash_code;
  if (!schema.range.empty()) {
    const json::value* r = item.if_contains(schema.range);
    k.range = sort_key(r);
    if (r) {
      k.key[schema.range] = *r;
      k.code += std::string(1, '\0') + key_code(*r);
    }
  }
  return k;
}

std::optional<std::string> key_of_item(const DynamoDb::Table& t, const Item& item, KeyParts& out) {
  auto check = [&](const std::string& name, const std::string& type, std::size_t max_bytes,
                   bool hash) -> std::optional<std::string> {
    const json::value* v = item.if_contains(name);
    if (v == nullptr) return std::string(kInvalid) + "Missing the key " + name + " in the item";
    auto tag = type_of(*v);
    if (tag != type)
      return std::string(kInvalid) + "Type mismatch for key " + name + " expected: " + type +
             " actual: " + std::string(tag);
    std::string bytes = scalar_bytes(*v);
    if (bytes.empty() && tag != "N")
      return "One or more parameter values are not valid. The AttributeValue for a key "
             "attribute cannot contain an empty " +
             std::string(tag == "S" ? "string" : "binary") + " value. Key: " + name;
    if (bytes.size() > max_bytes)
      return std::string(kInvalid) +
             (hash ? "Size of hashkey has exceeded the maximum size limit of 2048 bytes"
                   : "Aggregated size of all range keys has exceeded the size limit of 1024 "
                     "bytes");
    return std::nullopt;
  };
  if (auto e = check(t.key.hash, t.key.hash_type, ddb_limits::hash_key_bytes_max, true)) return e;
  if (!t.key.range.empty())
    if (auto e = check(t.key.range, t.key.range_type, ddb_limits::range_key_bytes_max, false))
      return e;
  for (const auto& ix : t.indexes) {
    for (const auto& [name, type] :
         {std::pair{ix.key.hash, ix.key.hash_type}, std::pair{ix.key.range, ix.key.range_type}}) {
      if (name.empty()) continue;
      const json::value* v = item.if_contains(name);
      if (v == nullptr) continue;
      auto tag = type_of(*v);
      if (tag != type)
        return std::string(kInvalid) + "Type mismatch for Index Key " + name +
               " Expected: " + type + " Actual: " + std::string(tag) + " IndexName: " + ix.name;
      if (scalar_bytes(*v).empty() && tag != "N")
        return std::string(kInvalid) +
               "One or more parameter values are not valid. A value specified for a secondary "
               "index key is not supported. The AttributeValue for a key attribute cannot "
               "contain an empty string value. IndexName: " +
               ix.name + ", IndexKey: " + name;
    }
  }
  out = key_parts(t.key, item);
  return std::nullopt;
}

std::optional<std::string> key_of_request(const DynamoDb::Table& t, const json::value* key,
                                          KeyParts& out) {
  const std::string mismatch = "The provided key element does not match the schema";
  if (key == nullptr || !key->is_object()) return mismatch;
  const Item& k = key->get_object();
  const std::size_t want = t.key.range.empty() ? 1 : 2;
  if (k.size() != want) return mismatch;
  for (const auto& [name, type] :
       {std::pair{t.key.hash, t.key.hash_type}, std::pair{t.key.range, t.key.range_type}}) {
    if (name.empty()) continue;
    const json::value* v = k.if_contains(name);
    if (v == nullptr || type_of(*v) != type) return mismatch;
    if (scalar_bytes(*v).empty() && type != "N")
      return "One or more parameter values are not valid. The AttributeValue for a key "
             "attribute cannot contain an empty " +
             std::string(type == "S" ? "string" : "binary") + " value. Key: " + name;
  }
  out = key_parts(t.key, k);
  return std::nullopt;
}

// ---- the service ----

DynamoDb::DynamoDb(DynamoDbOptions options)
    : options_(std::move(options)), ids_(options_.id_seed) {}

DynamoDb::~DynamoDb() = default;

const std::vector<std::string>& DynamoDb::operation_names() {
  static const std::vector<std::string> names = {
      "CreateTable", "DescribeTable", "ListTables",        "UpdateTable",      "DeleteTable",
      "PutItem",     "GetItem",       "UpdateItem",        "DeleteItem",       "Query",
      "Scan",        "BatchGetItem",  "BatchWriteItem",    "TransactGetItems", "TransactWriteItems",
      "TagResource", "UntagResource", "ListTagsOfResource"};
  return names;
}

DynamoDb::Outcome DynamoDb::run(std::string_view op, Json& r) {
  if (op == "GetItem") return {get_item(r), {}};
  if (op == "PutItem") return put_item(r);
  if (op == "UpdateItem") return update_item(r);
  if (op == "DeleteItem") return delete_item(r);
  if (op == "Query") return {query(r), {}};
  if (op == "Scan") return {scan(r), {}};
  if (op == "BatchGetItem") return {batch_get(r), {}};
  if (op == "BatchWriteItem") return batch_write(r);
  if (op == "TransactGetItems") return {transact_get(r), {}};
  if (op == "TransactWriteItems") return transact_write(r);
  if (op == "CreateTable") return create_table(r);
  if (op == "DescribeTable") return {describe_table(r), {}};
  if (op == "ListTables") return {list_tables(r), {}};
  if (op == "UpdateTable") return update_table(r);
  if (op == "DeleteTable") return delete_table(r);
  if (op == "TagResource") return tag_resource(r);
  if (op == "UntagResource") return untag_resource(r);
  if (op == "ListTagsOfResource") return {list_tags_of_resource(r), {}};
  return {api::unknown_operation(op), {}};
}

void DynamoDb::dispatch(std::string_view op, json::value request, const api::RequestInfo&,
                        api::Reply reply) {
  if (request.is_null()) request = json::object();
  if (!request.is_object()) {
    reply(api::ApiError{"SerializationException", "The request body must be a JSON object."});
    return;
  }
  std::optional<api::Response> now;
  {
    base::MutexLock lock(mu_);
    Outcome o = run(op, request.get_object());
    if (o.batch.empty() || o.answer.is_error()) {
      now = std::move(o.answer);
    } else {
      auto answer = std::make_shared<api::Response>(std::move(o.answer));
      options_.log.write(std::move(o.batch), [answer, reply](Status s) {
        if (!s.ok()) {
          reply(api::ApiError::internal("The write could not be made durable: " + s.error().cause));
          return;
        }
        reply(std::move(*answer));
      });
    }
  }
  if (now) reply(std::move(*now));
}

DynamoDb::Table* DynamoDb::find_table(const Json& r, api::ApiError* error) {
  auto it = tables_.find(text_member(r, "TableName"));
  if (it == tables_.end()) {
    *error = not_found();
    return nullptr;
  }
  return it->second.get();
}

Mutation DynamoDb::item_record(const Table& t, const std::string& code,
                               const json::object* item) const {
  std::string key = t.id + "/" + md5_hex(code);
  if (item == nullptr) return Mutation{kItemsNs, std::move(key), std::nullopt};
  return Mutation{kItemsNs, std::move(key), json::dump(*item)};
}

Mutation DynamoDb::table_record(const Table& t) const {
  json::object o{{"definition", t.definition},
                 {"id", t.id},
                 {"created", t.created_ms},
                 {"tags", tags_json(t.tags)}};
  return Mutation{kTablesNs, t.name, json::dump(o)};
}

std::size_t DynamoDb::item_count() const {
  base::MutexLock lock(mu_);
  return items_;
}

}  // namespace stepwise::services::dynamodb
