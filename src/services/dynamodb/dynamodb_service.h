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

// dynamodb:getItem, putItem, updateItem, deleteItem. `any_loop`: `ddb` may be called from any
// thread (the built-in DynamoDb, which the HTTP threads call too), so the runner may be started
// on any engine shard's loop; a pass-through endpoint's client (services/remote) may not.
class OptimizedRunner final : public tasks::TaskRunner {
 public:
  OptimizedRunner(api::Dispatcher& ddb, std::uint64_t id_seed, bool any_loop = false)
      : ddb_(ddb), ids_(id_seed), any_loop_(any_loop) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override {
    return any_loop_ ? this : nullptr;
  }

 private:
  api::Dispatcher& ddb_;
  LockedIds ids_;
  const bool any_loop_;
};

// aws-sdk:dynamodb:*, with DynamoDB's modelled exception names. `any_loop` as above; the
// pass-through endpoint uses it too, so both name errors alike.
class DynamoDbSdkRunner final : public tasks::TaskRunner {
 public:
  DynamoDbSdkRunner(api::Dispatcher& ddb, std::uint64_t id_seed, bool any_loop = false)
      : ddb_(ddb), ids_(id_seed), any_loop_(any_loop) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override {
    return any_loop_ ? this : nullptr;
  }

 private:
  api::Dispatcher& ddb_;
  LockedIds ids_;
  InFlightCalls in_flight_;
  const bool any_loop_;
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
