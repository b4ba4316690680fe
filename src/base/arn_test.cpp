#include "base/arn.h"

#include <gtest/gtest.h>

namespace stepwise::arn {
namespace {

TEST(Arn, MakesEveryShapeTheServicesUse) {
  EXPECT_EQ(make("sqs", "eu-west-1", "111122223333", "q"), "arn:aws:sqs:eu-west-1:111122223333:q");
  EXPECT_EQ(make("lambda", "cn-north-1", "1", "function:f", "aws-cn"),
            "arn:aws-cn:lambda:cn-north-1:1:function:f");
  EXPECT_EQ(prefix("states", "us-east-1", "123456789012"),
            "arn:aws:states:us-east-1:123456789012:");
  EXPECT_EQ(iam_role("123456789012", "R"), "arn:aws:iam::123456789012:role/R");
  EXPECT_EQ(states_integration("lambda:invoke"), "arn:aws:states:::lambda:invoke");
  EXPECT_EQ(states_integration("sqs:sendMessage", "aws-us-gov"),
            "arn:aws-us-gov:states:::sqs:sendMessage");
}

TEST(Arn, ParseSplitsAtTheFirstFiveColons) {
  auto p = parse("arn:aws:states:us-east-1:123:execution:m:e");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->partition, "aws");
  EXPECT_EQ(p->service, "states");
  EXPECT_EQ(p->region, "us-east-1");
  EXPECT_EQ(p->account, "123");
  EXPECT_EQ(p->resource, "execution:m:e");
  auto empty = parse("arn:aws:states:::");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->region, "");
  EXPECT_EQ(empty->resource, "");
  // Round trip: what make writes, parse splits back.
  // (parse returns views into its text: keep the made string alive while they are read.)
  const std::string made = make("dynamodb", "r", "a", "table/t");
  auto round = parse(made);
  ASSERT_TRUE(round);
  EXPECT_EQ(round->resource, "table/t");
}

TEST(Arn, ParseRefusesTextThatIsNoArn) {
  EXPECT_FALSE(parse("").has_value());
  EXPECT_FALSE(parse("arn:aws:sqs:r:a").has_value());  // four colons
  EXPECT_FALSE(parse("urn:aws:sqs:r:a:q").has_value());
  EXPECT_FALSE(parse("ARN:aws:sqs:r:a:q").has_value());
}

}  // namespace
}  // namespace stepwise::arn
