#include "tasks/lambda_arn.h"

#include <gtest/gtest.h>

namespace stepwise::tasks {
namespace {

const AwsScope kScope{"aws", "eu-west-1", "111111111111"};

TEST(LambdaArn, FormsAreRecognisedFromTheResourceText) {
  EXPECT_EQ(lambda_form("arn:aws:lambda:us-east-1:123456789012:function:f"),
            LambdaForm::function_arn);
  EXPECT_EQ(lambda_form("arn:aws:lambda:us-east-1:123456789012:function:f:prod"),
            LambdaForm::function_arn);
  EXPECT_EQ(lambda_form("arn:aws:states:::lambda:invoke"), LambdaForm::invoke);
  EXPECT_EQ(lambda_form("arn:aws-cn:states:::lambda:invoke"), LambdaForm::invoke);
  EXPECT_EQ(lambda_form("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            LambdaForm::invoke_callback);
  EXPECT_EQ(lambda_form("arn:aws:states:::sqs:sendMessage"), LambdaForm::none);
  EXPECT_EQ(lambda_form("arn:aws:states:us-east-1:123456789012:activity:a"), LambdaForm::none);
  EXPECT_EQ(lambda_form("arn:aws:states:::lambda:invoke.sync"), LambdaForm::none);
  EXPECT_EQ(lambda_form(""), LambdaForm::none);
}

TEST(LambdaArn, BareNameResolvesInTheCallersScope) {
  auto t = parse_function_name("my-fn_1", kScope);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->name, "my-fn_1");
  EXPECT_EQ(t->qualifier, "");
  EXPECT_EQ(t->arn(), "arn:aws:lambda:eu-west-1:111111111111:function:my-fn_1");
  EXPECT_EQ(t->executed_version(), "$LATEST");
}

TEST(LambdaArn, NameWithQualifierKeepsIt) {
  auto alias = parse_function_name("f:prod", kScope);
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(alias->qualifier, "prod");
  EXPECT_EQ(alias->executed_version(), "$LATEST");
  auto version = parse_function_name("f:7", kScope);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->executed_version(), "7");
  auto latest = parse_function_name("f:$LATEST", kScope);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->qualifier, "");
}

TEST(LambdaArn, FullArnCarriesItsOwnRegionAndAccount) {
  auto t = parse_function_name("arn:aws:lambda:us-west-2:222222222222:function:g:3", kScope);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->name, "g");
  EXPECT_EQ(t->qualifier, "3");
  EXPECT_EQ(t->scope.region, "us-west-2");
  EXPECT_EQ(t->scope.account, "222222222222");
}

TEST(LambdaArn, PartialArnSetsTheAccount) {
  auto t = parse_function_name("333333333333:function:h", kScope);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->name, "h");
  EXPECT_EQ(t->scope.account, "333333333333");
  EXPECT_EQ(t->scope.region, "eu-west-1");
}

TEST(LambdaArn, MalformedNamesAreValidationErrors) {
  for (const char* bad : {"", "has space", "a:b:c", "arn:aws:lambda:us-east-1:12:function",
                          "arn:aws:s3:::bucket", "f:", "x/y"}) {
    auto t = parse_function_name(bad, kScope);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().name, "Lambda.AWSLambdaException") << bad;
  }
}

TEST(LambdaArn, ScopeComesFromAStatesArn) {
  auto s = scope_from_arn("arn:aws:states:ap-south-1:444444444444:execution:sm:run");
  EXPECT_EQ(s.region, "ap-south-1");
  EXPECT_EQ(s.account, "444444444444");
  EXPECT_EQ(scope_from_arn("not an arn", kScope).region, "eu-west-1");
}

}  // namespace
}  // namespace stepwise::tasks
