// DynamoDb's table operations (CreateTable, DescribeTable, ListTables, UpdateTable,
// DeleteTable; a table's tags go with its record) and the start-up reload of tables and items.
#include <algorithm>
#include <set>

#include "base/arn.h"
#include "json/clamp.h"
#include "services/dynamodb/ddb_internal.h"
#include "services/dynamodb/ddb_limits.h"

namespace stepwise::services::dynamodb {
namespace {

using Attrs = std::map<std::string, std::string>;

std::optional<std::string> parse_key_schema(const json::value* v, const Attrs& attrs,
                                            KeySchema& out, std::string_view index) {
  if (v == nullptr)
    return "1 validation error detected: Value null at 'keySchema' failed to "
           "satisfy constraint: Member must not be null";
  if (!v->is_array() || v->get_array().empty() || v->get_array().size() > 2)
    return "1 validation error detected: Value at 'keySchema' failed to satisfy constraint: "
           "Member must have length less than or equal to 2";
  const auto& a = v->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto* e = a[i].if_object();
    std::string name = e ? text_member(*e, "AttributeName") : "";
    std::string type = e ? text_member(*e, "KeyType") : "";
    if (name.empty() || name.size() > ddb_limits::key_attribute_name_bytes_max)
      return std::string(kInvalid) + "Invalid KeySchema: attribute name is missing or too long";
    if (type != "HASH" && type != "RANGE")
      return "1 validation error detected: Value '" + type + "' at 'keySchema." +
             std::to_string(i + 1) +
             ".member.keyType' failed to satisfy constraint: Member must satisfy enum value "
             "set: [HASH, RANGE]";
    if (i == 0 && type != "HASH")
      return std::string(kInvalid) +
             "Invalid KeySchema: The first KeySchemaElement is not a "
             "HASH key type";
    if (i == 1 && type != "RANGE")
      return std::string(kInvalid) +
             "Invalid KeySchema: The second KeySchemaElement is not a "
             "RANGE key type";
    if (i == 1 && name == out.hash)
      return std::string(kInvalid) +
             "Both the Hash Key and the Range Key element in the "
             "KeySchema have the same name";
    auto it = attrs.find(name);
    if (it == attrs.end())
      return std::string(kInvalid) +
             "Some index key attributes are not defined in AttributeDefinitions. Keys: [" + name +
             "], AttributeDefinitions: [" +
             [&] {
               std::string s;
               for (const auto& [n, t] : attrs) s += (s.empty() ? "" : ", ") + n;
               return s;
             }() +
             "]";
    (i == 0 ? out.hash : out.range) = name;
    (i == 0 ? out.hash_type : out.range_type) = it->second;
  }
  (void)index;
  return std::nullopt;
}

std::optional<std::string> read_throughput(const json::value* v, std::int64_t& rcu,
                                           std::int64_t& wcu) {
  const auto* o = v ? v->if_object() : nullptr;
  if (o == nullptr) return std::nullopt;
  auto num = [&](std::string_view n, std::int64_t& out) -> std::optional<std::string> {
    const json::value* x = member(*o, n);
    if (x == nullptr || !json::is_integral_number(*x))
      return "1 validation error detected: Value null at 'provisionedThroughput." +
             std::string(n == "ReadCapacityUnits" ? "readCapacityUnits" : "writeCapacityUnits") +
             "' failed to satisfy constraint: Member must not be null";
    out = json::as_int64_clamped(*x);
    if (out < ddb_limits::throughput_min || out > ddb_limits::throughput_max)
      return std::string(kInvalid) + n.data() +
             " must be within [1, 40000]; given: " + std::to_string(out);
    return std::nullopt;
  };
  if (auto e = num("ReadCapacityUnits", rcu)) return e;
  return num("WriteCapacityUnits", wcu);
}

std::optional<std::string> read_index(const json::value& v, bool global, const Attrs& attrs,
                                      const KeySchema& table, const std::string& billing,
                                      IndexDef& out) {
  const auto* o = v.if_object();
  if (o == nullptr) return std::string(kInvalid) + "Invalid index definition";
  out.global = global;
  out.name = text_member(*o, "IndexName");
  if (auto e = table_name_error(member(*o, "IndexName"), "indexName"))
    return "1 validation "
           "error detected: " +
           *e;
  if (out.name.empty())
    return "1 validation error detected: Value null at 'indexName' failed "
           "to satisfy constraint: Member must not be null";
  if (auto e = parse_key_schema(member(*o, "KeySchema"), attrs, out.key, out.name)) return e;
  if (!global) {
    if (table.range.empty())
      return std::string(kInvalid) +
             "Table KeySchema does not have a range key, which is "
             "required when specifying a LocalSecondaryIndex";
    if (out.key.hash != table.hash)
      return std::string(kInvalid) +
             "Index KeySchema does not have the same leading hash key "
             "as table KeySchema for index: " +
             out.name + ". index hash key: " + out.key.hash + ", table hash key: " + table.hash;
    if (out.key.range.empty())
      return std::string(kInvalid) +
             "Index KeySchema does not have a range key for index: " + out.name;
  }
  const auto* p = member(*o, "Projection");
  const auto* po = p ? p->if_object() : nullptr;
  if (po == nullptr)
    return "1 validation error detected: Value null at 'projection' failed to satisfy "
           "constraint: Member must not be null";
  out.projection = text_member(*po, "ProjectionType");
  if (out.projection.empty()) out.projection = "ALL";
  if (out.projection != "ALL" && out.projection != "KEYS_ONLY" && out.projection != "INCLUDE")
    return "1 validation error detected: Value '" + out.projection +
           "' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy "
           "enum value set: [ALL, INCLUDE, KEYS_ONLY]";
  if (const auto* nk = member(*po, "NonKeyAttributes"); nk && nk->is_array()) {
    if (out.projection != "INCLUDE")
      return std::string(kInvalid) + "ProjectionType is " + out.projection +
             ", but NonKeyAttributes is specified";
    for (const auto& n : nk->get_array())
      if (n.is_string()) out.non_key.emplace_back(n.get_string());
  } else if (out.projection == "INCLUDE") {
    return std::string(kInvalid) +
           "ProjectionType is INCLUDE, but NonKeyAttributes is not "
           "specified";
  }
  if (global) {
    const json::value* pt = member(*o, "ProvisionedThroughput");
    if (billing == "PROVISIONED" && pt == nullptr)
      return std::string(kInvalid) +
             "ProvisionedThroughput must be specified for index: " + out.name;
    if (billing == "PAY_PER_REQUEST" && pt != nullptr)
      return std::string(kInvalid) +
             "ProvisionedThroughput should not be specified for index: " + out.name +
             " when BillingMode is PAY_PER_REQUEST";
    if (auto e = read_throughput(pt, out.rcu, out.wcu)) return e;
  }
  return std::nullopt;
}

json::array key_schema_json(const KeySchema& k) {
  json::array a{json::object{{"AttributeName", k.hash}, {"KeyType", "HASH"}}};
  if (!k.range.empty()) a.push_back(json::object{{"AttributeName", k.range}, {"KeyType", "RANGE"}});
  return a;
}

json::object throughput_json(std::int64_t rcu, std::int64_t wcu) {
  return json::object{
      {"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", rcu}, {"WriteCapacityUnits", wcu}};
}

}  // namespace

std::optional<api::ApiError> build_table(const json::object& d, DynamoDb::Table& t) {
  Attrs attrs;
  t.attributes.clear();
  t.indexes.clear();
  const json::value* defs = member(d, "AttributeDefinitions");
  if (defs == nullptr || !defs->is_array())
    return validation(
        "1 validation error detected: Value null at 'attributeDefinitions' failed "
        "to satisfy constraint: Member must not be null");
  for (const auto& a : defs->get_array()) {
    const auto* o = a.if_object();
    std::string name = o ? text_member(*o, "AttributeName") : "";
    std::string type = o ? text_member(*o, "AttributeType") : "";
    if (type != "S" && type != "N" && type != "B")
      return validation("1 validation error detected: Value '" + type +
                        "' at 'attributeDefinitions.member.attributeType' failed to satisfy "
                        "constraint: Member must satisfy enum value set: [B, N, S]");
    if (name.empty())
      return validation(
          "1 validation error detected: Value null at "
          "'attributeDefinitions.member.attributeName' failed to satisfy "
          "constraint: Member must not be null");
    if (!attrs.emplace(name, type).second)
      return validation(std::string(kInvalid) +
                        "Duplicate AttributeName found in "
                        "AttributeDefinitions: " +
                        name);
    t.attributes.emplace_back(name, type);
  }
  if (auto e = parse_key_schema(member(d, "KeySchema"), attrs, t.key, "")) return validation(*e);
  t.billing = text_member(d, "BillingMode");
  if (t.billing.empty()) t.billing = "PROVISIONED";
  if (t.billing != "PROVISIONED" && t.billing != "PAY_PER_REQUEST")
    return validation("1 validation error detected: Value '" + t.billing +
                      "' at 'billingMode' failed to satisfy constraint: Member must satisfy "
                      "enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  const json::value* pt = member(d, "ProvisionedThroughput");
  if (t.billing == "PROVISIONED" && pt == nullptr)
    return validation(std::string(kInvalid) +
                      "ReadCapacityUnits and WriteCapacityUnits must "
                      "both be specified when BillingMode is "
                      "PROVISIONED");
  if (t.billing == "PAY_PER_REQUEST" && pt != nullptr)
    return validation(std::string(kInvalid) +
                      "Neither ReadCapacityUnits nor WriteCapacityUnits "
                      "can be specified when BillingMode is "
                      "PAY_PER_REQUEST");
  t.rcu = t.wcu = 0;
  if (auto e = read_throughput(pt, t.rcu, t.wcu)) return validation(*e);
  std::set<std::string> names;
  for (bool global : {false, true}) {
    const json::value* list =
        member(d, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    if (list == nullptr) continue;
    if (!list->is_array())
      return serialization(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    const std::size_t max = global ? ddb_limits::gsi_max : ddb_limits::lsi_max;
    if (list->get_array().size() > max)
      return validation(std::string(kInvalid) + "Number of " + (global ? "Global" : "Local") +
                        "SecondaryIndexes exceeds the limit of " + std::to_string(max));
    for (const auto& v : list->get_array()) {
      IndexDef ix;
      if (auto e = read_index(v, global, attrs, t.key, t.billing, ix)) return validation(*e);
      if (!names.insert(ix.name).second)
        return validation(std::string(kInvalid) + "Duplicate index name: " + ix.name);
      t.indexes.push_back(std::move(ix));
    }
  }
  std::set<std::string> used{t.key.hash, t.key.range};
  for (const auto& ix : t.indexes) used.insert({ix.key.hash, ix.key.range});
  used.erase("");
  if (used.size() != attrs.size())
    return validation(std::string(kInvalid) +
                      "Number of attributes in KeySchema does not "
                      "exactly match number of attributes defined in "
                      "AttributeDefinitions");
  const json::value* dp = member(d, "DeletionProtectionEnabled");
  t.deletion_protection = dp && dp->is_bool() && dp->get_bool();
  return std::nullopt;
}

json::object DynamoDb::describe(const Table& t, std::string_view status) const {
  json::array attrs;
  for (const auto& [n, ty] : t.attributes)
    attrs.push_back(json::object{{"AttributeName", n}, {"AttributeType", ty}});
  const double created = static_cast<double>(t.created_ms) / 1000.0;
  json::object o{{"AttributeDefinitions", std::move(attrs)},
                 {"TableName", t.name},
                 {"KeySchema", key_schema_json(t.key)},
                 {"TableStatus", status},
                 {"CreationDateTime", created},
                 {"ProvisionedThroughput", throughput_json(t.rcu, t.wcu)},
                 {"TableSizeBytes", t.bytes},
                 {"ItemCount", t.item_count},
                 {"TableArn", t.arn},
                 {"TableId", t.id}};
  if (t.billing == "PAY_PER_REQUEST")
    o["BillingModeSummary"] = json::object{{"BillingMode", "PAY_PER_REQUEST"},
                                           {"LastUpdateToPayPerRequestDateTime", created}};
  json::array gsis, lsis;
  for (const auto& ix : t.indexes) {
    json::object projection{{"ProjectionType", ix.projection}};
    if (!ix.non_key.empty()) {
      json::array nk;
      for (const auto& n : ix.non_key) nk.push_back(json::value(n));
      projection["NonKeyAttributes"] = std::move(nk);
    }
    json::object d{{"IndexName", ix.name},
                   {"KeySchema", key_schema_json(ix.key)},
                   {"Projection", std::move(projection)},
                   {"IndexSizeBytes", 0},
                   {"ItemCount", 0},
                   {"IndexArn", t.arn + "/index/" + ix.name}};
    if (ix.global) {
      d["IndexStatus"] = "ACTIVE";
      d["ProvisionedThroughput"] = throughput_json(ix.rcu, ix.wcu);
      gsis.push_back(std::move(d));
    } else {
      lsis.push_back(std::move(d));
    }
  }
  if (!gsis.empty()) o["GlobalSecondaryIndexes"] = std::move(gsis);
  if (!lsis.empty()) o["LocalSecondaryIndexes"] = std::move(lsis);
  if (const json::value* s = member(t.definition, "StreamSpecification"); s && s->is_object()) {
    const json::value* on = s->get_object().if_contains("StreamEnabled");
    if (on && on->is_bool() && on->get_bool()) o["StreamSpecification"] = *s;
  }
  o["DeletionProtectionEnabled"] = t.deletion_protection;
  return o;
}

DynamoDb::Outcome DynamoDb::create_table(Json& r) {
  if (auto e = check_required(r, {"AttributeDefinitions", "TableName", "KeySchema"}))
    return {*e, {}};
  TagList tags;
  if (auto e = read_tags(member(r, "Tags"), tags)) return {*e, {}};
  const std::string name = text_member(r, "TableName");
  if (tables_.count(name)) return {in_use("Table already exists: " + name), {}};
  if (tables_.size() >= ddb_limits::tables_max)
    return {api::ApiError{"LimitExceededException",
                          "Subscriber limit exceeded: The number of tables exceeds the limit"},
            {}};
  auto t = std::make_unique<Table>();
  static constexpr std::string_view kept[] = {"AttributeDefinitions",
                                              "KeySchema",
                                              "BillingMode",
                                              "ProvisionedThroughput",
                                              "GlobalSecondaryIndexes",
                                              "LocalSecondaryIndexes",
                                              "StreamSpecification",
                                              "DeletionProtectionEnabled",
                                              "TableClass"};
  for (auto k : kept)
    if (const json::value* v = member(r, k)) t->definition[k] = *v;
  if (auto e = build_table(t->definition, *t)) return {*e, {}};
  t->name = name;
  t->arn = arn::make("dynamodb", options_.place.region, options_.place.account, "table/" + name);
  t->id = ids_.uuid_v4();
  t->created_ms = options_.clock.now_ms();
  t->tags = std::move(tags);
  json::object answer{{"TableDescription", describe(*t, "ACTIVE")}};
  std::vector<Mutation> batch{table_record(*t)};
  tables_[name] = std::move(t);
  return {std::move(answer), std::move(batch)};
}

api::Response DynamoDb::describe_table(const Json& r) {
  if (auto e = check_required(r, {"TableName"})) return *e;
  auto it = tables_.find(text_member(r, "TableName"));
  if (it == tables_.end())
    return api::ApiError{
        "ResourceNotFoundException",
        "Requested resource not found: Table: " + text_member(r, "TableName") + " not found"};
  return json::object{{"Table", describe(*it->second, "ACTIVE")}};
}

api::Response DynamoDb::list_tables(const Json& r) {
  std::size_t limit = ddb_limits::list_tables_max;
  if (const json::value* l = member(r, "Limit")) {
    if (!json::is_integral_number(*l) || json::as_double(*l) < 1 ||
        json::as_double(*l) > static_cast<double>(ddb_limits::list_tables_max))
      return validation("1 validation error detected: Value '" + json::dump(*l) +
                        "' at 'limit' failed to satisfy constraint: Member must have value "
                        "less than or equal to 100");
    limit = static_cast<std::size_t>(json::as_double(*l));
  }
  const std::string start = text_member(r, "ExclusiveStartTableName");
  json::array names;
  auto it = start.empty() ? tables_.begin() : tables_.upper_bound(start);
  for (; it != tables_.end() && names.size() < limit; ++it) names.push_back(json::value(it->first));
  json::object out{{"TableNames", std::move(names)}};
  if (it != tables_.end() && !out["TableNames"].get_array().empty())
    out["LastEvaluatedTableName"] = out["TableNames"].get_array().back();
  return out;
}

DynamoDb::Outcome DynamoDb::update_table(Json& r) {
  if (auto e = check_required(r, {"TableName"})) return {*e, {}};
  api::ApiError err;
  Table* t = find_table(r, &err);
  if (t == nullptr) return {err, {}};
  json::object d = t->definition;
  if (const json::value* v = member(r, "BillingMode")) {
    d["BillingMode"] = *v;
    if (v->is_string() && v->get_string() == "PAY_PER_REQUEST") {
      d.erase("ProvisionedThroughput");
      if (auto* g = d.if_contains("GlobalSecondaryIndexes"); g && g->is_array())
        for (auto& ix : g->get_array())
          if (ix.is_object()) ix.get_object().erase("ProvisionedThroughput");
    }
  }
  if (const json::value* v = member(r, "ProvisionedThroughput")) d["ProvisionedThroughput"] = *v;
  if (const json::value* v = member(r, "StreamSpecification")) d["StreamSpecification"] = *v;
  if (const json::value* v = member(r, "DeletionProtectionEnabled"))
    d["DeletionProtectionEnabled"] = *v;
  if (const json::value* v = member(r, "AttributeDefinitions"); v && v->is_array()) {
    json::array merged;
    if (d["AttributeDefinitions"].is_array()) merged = d["AttributeDefinitions"].get_array();
    for (const auto& a : v->get_array()) {
      bool have = false;
      for (const auto& m : merged) have = have || json::equal(m, a);
      if (!have) merged.push_back(a);
    }
    d["AttributeDefinitions"] = std::move(merged);
  }
  if (const json::value* u = member(r, "GlobalSecondaryIndexUpdates"); u && u->is_array()) {
    json::array gsis =
        d.contains("GlobalSecondaryIndexes") && d["GlobalSecondaryIndexes"].is_array()
            ? d["GlobalSecondaryIndexes"].get_array()
            : json::array();
    for (const auto& upd : u->get_array()) {
      const auto* o = upd.if_object();
      if (o == nullptr) continue;
      if (const auto* c = member(*o, "Create")) gsis.push_back(*c);
      for (const char* kind : {"Delete", "Update"}) {
        const auto* x = member(*o, kind);
        if (x == nullptr || !x->is_object()) continue;
        const std::string name = text_member(x->get_object(), "IndexName");
        auto pos = std::find_if(gsis.begin(), gsis.end(), [&](const json::value& g) {
          return g.is_object() && text_member(g.get_object(), "IndexName") == name;
        });
        if (pos == gsis.end())
          return {validation(std::string(kInvalid) + "Cannot " +
                             (std::string(kind) == "Delete" ? "delete" : "update") +
                             " non-existent global secondary index: " + name),
                  {}};
        if (std::string(kind) == "Delete") {
          gsis.erase(pos);
        } else if (const auto* p = member(x->get_object(), "ProvisionedThroughput")) {
          pos->get_object()["ProvisionedThroughput"] = *p;
        }
      }
    }
    if (gsis.empty()) {
      d.erase("GlobalSecondaryIndexes");
    } else {
      d["GlobalSecondaryIndexes"] = std::move(gsis);
    }
    // AttributeDefinitions no index uses any more go with it.
    std::set<std::string> used;
    if (auto* ks = d.if_contains("KeySchema"); ks && ks->is_array())
      for (const auto& k : ks->get_array())
        if (k.is_object()) used.insert(text_member(k.get_object(), "AttributeName"));
    for (const char* list : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"})
      if (auto* l = d.if_contains(list); l && l->is_array())
        for (const auto& ix : l->get_array())
          if (const auto* ks = ix.is_object() ? ix.get_object().if_contains("KeySchema") : nullptr;
              ks && ks->is_array())
            for (const auto& k : ks->get_array())
              if (k.is_object()) used.insert(text_member(k.get_object(), "AttributeName"));
    json::array kept;
    for (const auto& a : d["AttributeDefinitions"].get_array())
      if (a.is_object() && used.count(text_member(a.get_object(), "AttributeName")))
        kept.push_back(a);
    d["AttributeDefinitions"] = std::move(kept);
  }
  Table updated;
  if (auto e = build_table(d, updated)) return {*e, {}};
  // A new index's key attributes must have the right types in the items already there.
  for (const auto& [h, part] : t->partitions)
    for (const auto& [k, item] : part) {
      KeyParts ignored;
      if (auto e = key_of_item(updated, item, ignored)) return {validation(*e), {}};
    }
  t->definition = std::move(d);
  build_table(t->definition, *t);
  std::vector<Mutation> batch{table_record(*t)};
  return {json::object{{"TableDescription", describe(*t, "ACTIVE")}}, std::move(batch)};
}

DynamoDb::Outcome DynamoDb::delete_table(const Json& r) {
  if (auto e = check_required(r, {"TableName"})) return {*e, {}};
  api::ApiError err;
  Table* t = find_table(r, &err);
  if (t == nullptr) return {err, {}};
  if (t->deletion_protection)
    return {validation("Resource cannot be deleted as it is currently protected against "
                       "deletion. Disable deletion protection first."),
            {}};
  json::object answer{{"TableDescription", describe(*t, "DELETING")}};
  std::vector<Mutation> batch{Mutation{kTablesNs, t->name, std::nullopt}};
  for (const auto& [h, part] : t->partitions)
    for (const auto& [k, item] : part)
      batch.push_back(item_record(*t, key_parts(t->key, item).code, nullptr));
  items_ -= t->item_count;
  tables_.erase(t->name);
  return {std::move(answer), std::move(batch)};
}

Status DynamoDb::load(std::size_t* damaged) {
  std::size_t bad = 0;
  base::MutexLock lock(mu_);
  std::map<std::string, Table*> by_id;
  // Each loader runs inside load_json_objects, while this function holds mu_.
  auto each_table = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto t = std::make_unique<Table>();
    const json::value* d = o.if_contains("definition");
    if (d == nullptr || !d->is_object()) return false;
    t->definition = d->get_object();
    if (build_table(t->definition, *t)) return false;
    t->name = rec.key;
    t->arn =
        arn::make("dynamodb", options_.place.region, options_.place.account, "table/" + t->name);
    t->id = text_member(o, "id");
    const json::value* c = o.if_contains("created");
    t->created_ms = c && json::is_number(*c) ? json::as_int64_clamped(*c) : 0;
    t->tags = tags_from_json(o.if_contains("tags"));
    by_id[t->id] = t.get();
    tables_[t->name] = std::move(t);
    return true;
  };
  if (auto st = load_json_objects(options_.log, kTablesNs, bad, each_table); !st.ok()) return st;
  auto each_item = [&](const Record& rec, const json::object& item) REQUIRES(mu_) {
    auto slash = rec.key.find('/');
    auto it = slash == std::string::npos ? by_id.end() : by_id.find(rec.key.substr(0, slash));
    if (it == by_id.end()) return false;
    Table& t = *it->second;
    KeyParts k = key_parts(t.key, item);
    if (k.hash_code.empty()) return false;
    auto& slot = t.partitions[k.hash_code][k.range];
    if (slot.empty()) {
      ++t.item_count;
      ++items_;
    }
    t.bytes += item_size(item);
    slot = item;
    return true;
  };
  if (auto st = load_json_objects(options_.log, kItemsNs, bad, each_item); !st.ok()) return st;
  if (damaged) *damaged = bad;
  return ok_status();
}

}  // namespace stepwise::services::dynamodb
