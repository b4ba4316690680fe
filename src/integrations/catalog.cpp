#include "integrations/catalog.h"

#include <array>
#include <string>
#include <unordered_map>

namespace stepwise::integrations {
namespace {

using P = IntegrationPattern;
constexpr P kRR = P::kRequestResponse;
constexpr P kSync = P::kSync;
constexpr P kWait = P::kWaitForTaskToken;

// AWS's optimized integrations and their patterns for Standard workflows (Express ones accept
// request-response only; asl/validate.cpp says so). Source: "Integrating optimized services with
// Step Functions", https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
// (the pattern table per service), and each service's page under it for the action names
// (e.g. connect-ddb.html: getItem, putItem, updateItem, deleteItem; a recorded case,
// validation__test_invalid_integration, shows dynamodb:query refused). The patterns are the
// service's column of that table, given to each of its actions. HTTP Task: call-https-apis.html
// (request-response only). aws-sdk: "Over two hundred services | Standard & Express | Not
// supported | Standard" in the same table.
constexpr auto kCatalog = std::to_array<CatalogEntry>({
    // The three entries that are not SERVICE:ACTION, at kFunctionArnId, kActivityId, kAwsSdkId.
    {"lambda:function", {kRR}},
    {"activity", {kRR}},
    {"aws-sdk:*", {kRR, kWait}},
    {"apigateway:invoke", {kRR, kWait}},
    {"athena:startQueryExecution", {kRR, kSync}},
    {"athena:stopQueryExecution", {kRR}},
    {"athena:getQueryExecution", {kRR}},
    {"athena:getQueryResults", {kRR}},
    {"batch:submitJob", {kRR, kSync}},
    {"bedrock:invokeModel", {kRR}},
    {"bedrock:createModelCustomizationJob", {kRR, kSync, kWait}},
    {"codebuild:startBuild", {kRR, kSync}},
    {"codebuild:stopBuild", {kRR}},
    {"codebuild:batchDeleteBuilds", {kRR}},
    {"codebuild:batchGetReports", {kRR}},
    {"codebuild:startBuildBatch", {kRR, kSync}},
    {"codebuild:stopBuildBatch", {kRR}},
    {"codebuild:retryBuild", {kRR, kSync}},
    {"codebuild:retryBuildBatch", {kRR, kSync}},
    {"codebuild:deleteBuildBatch", {kRR}},
    {"dynamodb:getItem", {kRR}},
    {"dynamodb:putItem", {kRR}},
    {"dynamodb:updateItem", {kRR}},
    {"dynamodb:deleteItem", {kRR}},
    {"ecs:runTask", {kRR, kSync, kWait}},
    {"eks:createCluster", {kRR, kSync}},
    {"eks:deleteCluster", {kRR, kSync}},
    {"eks:createFargateProfile", {kRR, kSync}},
    {"eks:deleteFargateProfile", {kRR, kSync}},
    {"eks:createNodegroup", {kRR, kSync}},
    {"eks:deleteNodegroup", {kRR, kSync}},
    {"eks:runJob", {kRR, kSync}},
    {"eks:call", {kRR}},
    {"elasticmapreduce:createCluster", {kRR, kSync}},
    {"elasticmapreduce:terminateCluster", {kRR, kSync}},
    {"elasticmapreduce:addStep", {kRR, kSync}},
    {"elasticmapreduce:cancelStep", {kRR}},
    {"elasticmapreduce:setClusterTerminationProtection", {kRR}},
    {"elasticmapreduce:modifyInstanceFleetByName", {kRR}},
    {"elasticmapreduce:modifyInstanceGroupByName", {kRR}},
    {"emr-containers:createVirtualCluster", {kRR}},
    {"emr-containers:deleteVirtualCluster", {kRR, kSync}},
    {"emr-containers:startJobRun", {kRR, kSync}},
    {"emr-serverless:createApplication", {kRR, kSync}},
    {"emr-serverless:startApplication", {kRR, kSync}},
    {"emr-serverless:stopApplication", {kRR, kSync}},
    {"emr-serverless:deleteApplication", {kRR, kSync}},
    {"emr-serverless:startJobRun", {kRR, kSync}},
    {"emr-serverless:cancelJobRun", {kRR, kSync}},
    {"events:putEvents", {kRR, kWait}},
    {"glue:startJobRun", {kRR, kSync}},
    {"databrew:startJobRun", {kRR, kSync}},
    {"http:invoke", {kRR}},
    {"lambda:invoke", {kRR, kWait}},
    {"mediaconvert:createJob", {kRR, kSync}},
    {"sagemaker:createEndpoint", {kRR}},
    {"sagemaker:createEndpointConfig", {kRR}},
    {"sagemaker:createHyperParameterTuningJob", {kRR, kSync}},
    {"sagemaker:createLabelingJob", {kRR, kSync}},
    {"sagemaker:createModel", {kRR}},
    {"sagemaker:createProcessingJob", {kRR, kSync}},
    {"sagemaker:createTrainingJob", {kRR, kSync}},
    {"sagemaker:createTransformJob", {kRR, kSync}},
    {"sagemaker:updateEndpoint", {kRR}},
    {"sns:publish", {kRR, kWait}},
    {"sqs:sendMessage", {kRR, kWait}},
    {"states:startExecution", {kRR, kSync, P::kSync2, kWait}},
});

static_assert(kCatalog[kFunctionArnId].name == "lambda:function");
static_assert(kCatalog[kActivityId].name == "activity");
static_assert(kCatalog[kAwsSdkId].name == "aws-sdk:*");
static_assert(kCatalog.size() < kUnresolved);

}  // namespace

std::span<const CatalogEntry> catalog() { return kCatalog; }

std::optional<IntegrationId> find_integration(std::string_view name) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, IntegrationId>();
    for (std::size_t i = 0; i < kCatalog.size(); ++i)
      m->emplace(kCatalog[i].name, static_cast<IntegrationId>(i));
    return m;
  }();
  auto it = index->find(name);
  if (it == index->end()) return std::nullopt;
  return it->second;
}

std::string_view pattern_suffix(IntegrationPattern pattern) {
  switch (pattern) {
    case IntegrationPattern::kRequestResponse:
      return "";
    case IntegrationPattern::kSync:
      return ".sync";
    case IntegrationPattern::kSync2:
      return ".sync:2";
    case IntegrationPattern::kWaitForTaskToken:
      return ".waitForTaskToken";
  }
  return "";
}

std::string_view Integration::name() const {
  return resolved() && id < kCatalog.size() ? kCatalog[id].name : std::string_view();
}
bool Integration::function_arn() const { return id == kFunctionArnId; }
bool Integration::activity() const { return id == kActivityId; }
bool Integration::aws_sdk() const { return id == kAwsSdkId; }

}  // namespace stepwise::integrations
