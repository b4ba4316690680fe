#include "integrations/resource.h"

#include <gtest/gtest.h>

#include "integrations/catalog.h"

namespace stepwise::integrations {
namespace {

using P = IntegrationPattern;

Integration of(std::string_view arn) { return integration_of(arn); }

TEST(Resolve, ServiceIntegrationsByNameAndPattern) {
  EXPECT_EQ(of("arn:aws:states:::lambda:invoke").name(), "lambda:invoke");
  EXPECT_EQ(of("arn:aws:states:::lambda:invoke.waitForTaskToken").pattern, P::kWaitForTaskToken);
  EXPECT_EQ(of("arn:aws-cn:states:::lambda:invoke").name(), "lambda:invoke");
  EXPECT_EQ(of("arn:aws:states:::states:startExecution.sync").pattern, P::kSync);
  EXPECT_EQ(of("arn:aws:states:::states:startExecution.sync:2").pattern, P::kSync2);
  EXPECT_EQ(of("arn:aws:states:::batch:submitJob.sync").name(), "batch:submitJob");
  EXPECT_EQ(of("arn:aws:states:::sqs:sendMessage").name(), "sqs:sendMessage");
  EXPECT_EQ(of("arn:aws:states:::dynamodb:putItem").name(), "dynamodb:putItem");
  EXPECT_EQ(of("arn:aws:states:::http:invoke").name(), "http:invoke");
}

TEST(Resolve, FunctionActivityAndAwsSdkForms) {
  EXPECT_TRUE(of("arn:aws:lambda:us-east-1:123456789012:function:f").function_arn());
  EXPECT_TRUE(of("arn:aws:lambda:us-east-1:123456789012:function:f:prod").function_arn());
  EXPECT_TRUE(of("arn:aws:lambda:your-region:your-account-id:function:f").function_arn());
  EXPECT_TRUE(of("arn:aws:states:us-east-1:1:activity:a").activity());
  Integration sdk = of("arn:aws:states:::aws-sdk:s3:getObject");
  EXPECT_TRUE(sdk.aws_sdk());
  EXPECT_EQ(sdk.name(), "aws-sdk:*");
  EXPECT_EQ(aws_sdk_service("arn:aws:states:::aws-sdk:sfn:startExecution"), "sfn");
  EXPECT_EQ(aws_sdk_service("arn:aws:states:::lambda:invoke"), "");
  auto r = resolve("arn:aws:states:::aws-sdk:sfn:sendTaskSuccess.waitForTaskToken");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, "aws-sdk:sfn");
  EXPECT_EQ(r->action, "sendTaskSuccess.waitForTaskToken");
  EXPECT_EQ(r->integration.pattern, P::kWaitForTaskToken);
}

TEST(Resolve, WhatAwsDoesNotKnowIsRefusedWithItsMessage) {
  for (const char* arn :
       {"arn:aws:states:::dynamodb:query", "arn:aws:states:::http:invoke.sync",
        "arn:aws:states:::lambda:invoke.sync", "arn:aws:states:::dynamodb:putItem.waitForTaskToken",
        "arn:aws:states:::aws-sdk:s3:getObject.sync", "arn:aws:states:::nothing",
        "arn:aws:states:::aws-sdk:s3", "arn:aws:states:::foo:bar", "hello", "",
        "arn:aws:lambda:us-east-1:1:function:", "arn:aws:states:::batch:submitJob.sync:2"}) {
    auto r = resolve(arn);
    ASSERT_FALSE(r.ok()) << arn;
    EXPECT_EQ(r.error().name, "SCHEMA_VALIDATION_FAILED");
    EXPECT_EQ(r.error().cause, "The resource provided " + std::string(arn) +
                                   " is not recognized. The value is not a valid resource ARN, or "
                                   "the resource is not available in this region.");
  }
}

TEST(Catalog, NamesAreUniqueAndEveryEntryHasPatterns) {
  for (std::size_t i = 0; i < catalog().size(); ++i) {
    EXPECT_FALSE(catalog()[i].patterns.empty()) << catalog()[i].name;
    EXPECT_EQ(find_integration(catalog()[i].name), std::optional<IntegrationId>(i))
        << catalog()[i].name;
  }
  EXPECT_FALSE(find_integration("dynamodb:query").has_value());
}

}  // namespace
}  // namespace stepwise::integrations
