// DynamoDb: the built-in Amazon DynamoDB — tables (hash and range keys, global and local
// secondary indexes; ACTIVE at once) and their items, every operation at the JSON level (AWS
// JSON 1.0, `DynamoDB_20120810.<Operation>`), durable through a RecordLog.
//
// Operations: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable; PutItem,
// GetItem, UpdateItem, DeleteItem; Query, Scan; BatchGetItem, BatchWriteItem;
// TransactGetItems, TransactWriteItems; tags on tables (Tags on CreateTable, TagResource,
// UntagResource, ListTagsOfResource: tags.cpp). Expressions (expression.h) with their placeholders;
// ReturnValues; ReturnValuesOnConditionCheckFailure; AWS's limits and ValidationException
// messages. Not served: streams, TTL, backups, PartiQL, the legacy non-expression parameters
// other than AttributesToGet (docs/SERVICES.md).
//
// Durability: a table's definition and tags are a record ("dynamodb.tables", by name) and so is
// each item ("dynamodb.items", "<table id>/<md5 of its key>"). A write is answered only once its
// records are durable; a transaction's or BatchWriteItem's records go in one atomic batch.
//
// Threading: one mutex guards all state; records are handed to the RecordLog under it, so
// they reach the log in the order the writes were applied. Replies may run under it (a
// synchronous RecordLog answers at once), so a Reply must not call back into DynamoDb
// synchronously.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"

namespace stepwise::services::dynamodb {

struct DynamoDbOptions {
  Clock& clock;
  RecordLog& log;
  Place place = {};
  std::uint64_t id_seed = 0;  // 0: unpredictable
};

class DynamoDb final : public api::Dispatcher {
 public:
  explicit DynamoDb(DynamoDbOptions options);
  ~DynamoDb() override;

  // Reads the records back (before serving). Errors: the RecordLog's; a damaged record (or an
  // item of a table that is gone) is skipped and counted in `damaged`.
  Status load(std::size_t* damaged = nullptr) EXCLUDES(mu_);

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) EXCLUDES(mu_) override;

  static const std::vector<std::string>& operation_names();

  // Items in every table (tests, metrics).
  std::size_t item_count() const EXCLUDES(mu_);

  struct Table;
  struct WriteOp;
  struct Effect;

 private:
  using Json = json::object;
  // What an operation answers and the records that must be durable first.
  struct Outcome {
    api::Response answer;
    std::vector<Mutation> batch;
  };
  Outcome run(std::string_view op, Json& r) REQUIRES(mu_);

  // Tables (tables.cpp).
  Outcome create_table(Json& r) REQUIRES(mu_);
  Outcome update_table(Json& r) REQUIRES(mu_);
  Outcome delete_table(const Json& r) REQUIRES(mu_);
  api::Response describe_table(const Json& r) REQUIRES(mu_);
  api::Response list_tables(const Json& r) REQUIRES(mu_);
  json::object describe(const Table& t, std::string_view status) const REQUIRES(mu_);
  Mutation table_record(const Table& t) const REQUIRES(mu_);

  // Tags (tags.cpp).
  Table* table_by_arn(const Json& r, api::ApiError* error) REQUIRES(mu_);
  Outcome tag_resource(const Json& r) REQUIRES(mu_);
  Outcome untag_resource(const Json& r) REQUIRES(mu_);
  api::Response list_tags_of_resource(const Json& r) REQUIRES(mu_);

  // Items (items.cpp).
  Outcome put_item(Json& r) REQUIRES(mu_);
  Outcome update_item(Json& r) REQUIRES(mu_);
  Outcome delete_item(Json& r) REQUIRES(mu_);
  Outcome put_or_delete(bool put, Json& r) REQUIRES(mu_);  // PutItem (put) or DeleteItem
  api::Response get_item(Json& r) REQUIRES(mu_);
  // Prepares one write from its request members; checks everything that does not depend on
  // the stored item. `where`: "" for the single-item operations, else the TransactItems entry.
  std::optional<api::ApiError> prepare(WriteOp& op, Json& r) REQUIRES(mu_);
  // Reads the stored item and works out the write (condition, update) without storing it.
  Effect evaluate(const WriteOp& op) REQUIRES(mu_);
  void commit(const WriteOp& op, Effect& e, std::vector<Mutation>& batch) REQUIRES(mu_);

  // Query and Scan (query_scan.cpp).
  api::Response query(Json& r) REQUIRES(mu_);
  api::Response scan(Json& r) REQUIRES(mu_);

  // Batches and transactions (batch.cpp).
  api::Response batch_get(Json& r) REQUIRES(mu_);
  Outcome batch_write(Json& r) REQUIRES(mu_);
  api::Response transact_get(Json& r) REQUIRES(mu_);
  Outcome transact_write(Json& r) REQUIRES(mu_);

  // Storage helpers (dynamodb.cpp).
  Table* find_table(const Json& r, api::ApiError* error) REQUIRES(mu_);
  Mutation item_record(const Table& t, const std::string& key_code, const json::object* item) const
      REQUIRES(mu_);

  DynamoDbOptions options_;
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Table>> tables_ GUARDED_BY(mu_);  // by name
  std::size_t items_ GUARDED_BY(mu_) = 0;
};

}  // namespace stepwise::services::dynamodb
