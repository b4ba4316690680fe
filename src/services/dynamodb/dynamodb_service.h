// DynamoDbService: the built-in DynamoDB as a BuiltinService — its operations on the router
// (AWS JSON 1.0, `DynamoDB_20120810.*`, SigV4 name `dynamodb`) and its integrations:
//
//   dynamodb:getItem|putItem|updateItem|deleteItem  optimized: the answer plus SdkHttpMetadata;
//       errors "DynamoDB.<Exception>" (the Java SDK v1's modelled exceptions, else
//       DynamoDB.AmazonDynamoDBException), cause "<message> (Service: AmazonDynamoDBv2; Status
//       Code: 400; Error Code: <code>; Request ID: <id>; Proxy: null)"
//   aws-sdk:dynamodb:<action>   every operation, as the SDK v2 calls it; errors
//       "DynamoDb.<Exception>" (unmodelled ones, ValidationException among them:
//       DynamoDb.DynamoDbException), cause "<message> (Service: DynamoDb, Status Code: 400,
//       Request ID: <id>)"
//
// Thread-safety: as BuiltinService.
#pragma once

#include <memory>
#include <unordered_map>

#include "services/common/builtin_service.h"
#include "services/common/sdk_runner.h"
#include "services/dynamodb/dynamodb.h"

namespace stepwise::services::dynamodb {

// The exception the AWS SDKs model for a DynamoDB error type ("" when unmodelled).
std::string_view modelled_exception(std::string_view type);

// CRC-32 (IEEE) of bytes: DynamoDB's x-amz-crc32 header.
std::uint32_t crc32(std::string_view bytes);

// dynamodb:getItem, putItem, updateItem, deleteItem. Started on any engine shard's loop, as
// DynamoDbSdkRunner below.
class OptimizedRunner final : public tasks::TaskRunner {
 public:
  OptimizedRunner(api::Dispatcher& ddb, std::uint64_t id_seed) : ddb_(ddb), ids_(id_seed) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override { return this; }

 private:
  api::Dispatcher& ddb_;
  LockedIds ids_;
};

// aws-sdk:dynamodb:*. Started on any engine shard's loop (the built-in DynamoDb is
// thread-safe); the pass-through endpoint has runners of its own (services/remote).
class DynamoDbSdkRunner final : public tasks::TaskRunner {
 public:
  DynamoDbSdkRunner(api::Dispatcher& ddb, std::uint64_t id_seed) : ddb_(ddb), ids_(id_seed) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override { return this; }

 private:
  api::Dispatcher& ddb_;
  LockedIds ids_;
  InFlightCalls in_flight_;
};

class DynamoDbService final : public BuiltinService {
 public:
  explicit DynamoDbService(DynamoDbOptions options);
  std::string_view name() const override { return "dynamodb"; }
  void add_routes(api::Router& router) override;
  Status add_integrations(tasks::IntegrationRegistry& registry) override;
  api::Dispatcher& operations() override { return ddb_; }
  DynamoDb& dynamodb() { return ddb_; }

  static const std::vector<std::string>& integration_names();

 private:
  DynamoDb ddb_;
  OptimizedRunner optimized_;
  DynamoDbSdkRunner sdk_;
};

}  // namespace stepwise::services::dynamodb
