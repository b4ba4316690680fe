// DynamoDb's internals shared by its .cpp files: tables and their storage, item keys, prepared
// writes, request readers and AWS's error texts. Not part of the service's interface.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/common/resource_tags.h"
#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/dynamodb.h"
#include "services/dynamodb/expression.h"

namespace stepwise::services::dynamodb {

// The store namespaces of table descriptions and of items.
inline constexpr const char* kTablesNs = "dynamodb.tables";
inline constexpr const char* kItemsNs = "dynamodb.items";
// The prefix of DynamoDB's ValidationException texts about parameter values.
inline constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// A range key's value as its partition orders it: numbers by value, S and B by bytes.
struct SortKey {
  bool number = false;
  std::string bytes;
  Decimal value;
};
struct SortLess {
  bool operator()(const SortKey& a, const SortKey& b) const {
    if (a.number && b.number) return compare(a.value, b.value) < 0;
    return a.bytes < b.bytes;
  }
};
using Partition = std::map<SortKey, Item, SortLess>;

struct KeySchema {
  std::string hash, hash_type;
  std::string range, range_type;  // empty: no range key
};

struct IndexDef {
  std::string name;
  bool global = true;
  KeySchema key;
  std::string projection = "ALL";  // ALL, KEYS_ONLY, INCLUDE
  std::vector<std::string> non_key;
  std::int64_t rcu = 0, wcu = 0;
};

struct DynamoDb::Table {
  json::object definition;  // the CreateTable members it was made from, as updated since
  std::string name, arn, id;
  Millis created_ms = 0;
  KeySchema key;
  std::vector<std::pair<std::string, std::string>> attributes;  // AttributeDefinitions
  std::vector<IndexDef> indexes;
  std::string billing = "PROVISIONED";
  std::int64_t rcu = 0, wcu = 0;
  bool deletion_protection = false;
  std::map<std::string, Partition> partitions;  // by hash key code
  std::size_t item_count = 0;
  std::size_t bytes = 0;
  TagList tags;  // kept in the table's record

  const IndexDef* index(std::string_view index_name) const {
    for (const auto& i : indexes)
      if (i.name == index_name) return &i;
    return nullptr;
  }
};

// An item's primary key, worked out.
struct KeyParts {
  std::string hash_code;  // type tag + ':' + bytes: the partition's name
  SortKey range;
  std::string code;  // hash and range codes: what the record key hashes
  Item key;          // the key attributes alone
};

struct DynamoDb::WriteOp {
  enum class Kind { put, update, del, check };
  Kind kind = Kind::put;
  Table* table = nullptr;
  KeyParts key;
  Item item;                          // put: the new item
  std::vector<UpdateAction> actions;  // update
  bool has_condition = false;
  Condition condition;
  std::string return_values = "NONE";
  bool old_on_failure = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};

struct DynamoDb::Effect {
  enum class Verdict { ok, condition_failed, invalid };
  Verdict verdict = Verdict::ok;
  std::optional<Item> old;    // the stored item before
  std::optional<Item> after;  // the item after (nullopt: none, deleted or never there)
  std::string error;          // invalid: AWS's message
};

// ---- keys ----

// The key of a whole item (PutItem): AWS's messages for a missing, mistyped, empty or too
// large key attribute, then index key attributes of the wrong type.
std::optional<std::string> key_of_item(const DynamoDb::Table& t, const Item& item, KeyParts& out);
// The key of a Key member: exactly the key attributes ("The provided key element does not
// match the schema").
std::optional<std::string> key_of_request(const DynamoDb::Table& t, const json::value* key,
                                          KeyParts& out);
KeyParts key_parts(const KeySchema& schema, const Item& item);
SortKey sort_key(const json::value* av);
std::string key_code(const json::value& av);

// ---- requests ----

const json::value* member(const json::object& r, std::string_view name);
std::string text_member(const json::object& r, std::string_view name);
// Members that must be there, and TableName's constraints when `table` names it: AWS's
// "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must
// not be null" (all errors, joined with "; ").
std::optional<api::ApiError> check_required(const json::object& r,
                                            std::initializer_list<std::string_view> members);
std::optional<std::string> table_name_error(const json::value* name, std::string_view wire);

// ExpressionAttributeNames/Values of one request, checked, and what its expressions used.
struct Placeholders {
  json::object names, values;
  bool has_names = false, has_values = false;
  ExpressionContext ctx;
};
std::optional<api::ApiError> read_placeholders(const json::object& r, Placeholders& p);
// After every expression of the request was parsed: unused placeholders, or placeholders in
// a request without expressions.
std::optional<api::ApiError> finish_placeholders(const Placeholders& p, bool any_expression);

// The legacy parameters this server does not take, named in a ValidationException.
std::optional<api::ApiError> reject_legacy(const json::object& r,
                                           std::initializer_list<std::string_view> names);

// ---- tags (tags.cpp) ----

// CreateTable's or TagResource's Tags read into `out` with DynamoDB's checks and texts ("The Tag
// Key provided is invalid, Key: ...", a key given twice, "aws:" keys, and too_many_tags() past
// tag_limits::tags_per_resource_max).
std::optional<api::ApiError> read_tags(const json::value* given, TagList& out);
api::ApiError too_many_tags();

// ---- errors ----

api::ApiError validation(std::string message);
api::ApiError not_found();
api::ApiError in_use(std::string message);
api::ApiError conditional_failed();
api::ApiError serialization(std::string_view member_name);

}  // namespace stepwise::services::dynamodb

namespace stepwise::services::dynamodb {

// A table's settings from its definition (CreateTable's members, as UpdateTable changed them):
// keys, attribute definitions, indexes, billing. AWS's ValidationException on a bad one.
std::optional<api::ApiError> build_table(const json::object& definition, DynamoDb::Table& t);

}  // namespace stepwise::services::dynamodb
