// The SNS query protocol: forms (lists as .member.N, maps as .entry.N) into JSON, and answers
// written in AWS's indented XML layout.
#include "services/sns/sns_query.h"

#include <gtest/gtest.h>

namespace stepwise::services::sns {
namespace {

json::object decode(std::string_view text) {
  auto form = api::decode_form(text);
  EXPECT_TRUE(form.ok());
  auto out = form_to_json(*form.form);
  EXPECT_FALSE(out.error.has_value());
  return out.request;
}

TEST(SnsQuery, FormsBecomeJson) {
  auto r = decode(
      "Action=Publish&TopicArn=arn&Message=hi"
      "&MessageAttributes.entry.1.Name=color"
      "&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=red"
      "&MessageAttributes.entry.2.Name=n&MessageAttributes.entry.2.Value.DataType=Number"
      "&MessageAttributes.entry.2.Value.StringValue=5");
  EXPECT_EQ(r["TopicArn"], "arn");
  EXPECT_EQ(r["MessageAttributes"].at("color").at("StringValue"), "red");
  EXPECT_EQ(r["MessageAttributes"].at("n").at("DataType"), "Number");
  EXPECT_FALSE(r.contains("Action"));
  auto c = decode(
      "Action=CreateTopic&Name=t&Attributes.entry.1.key=FifoTopic"
      "&Attributes.entry.1.value=true&Tags.member.1.Key=k&Tags.member.1.Value=v");
  EXPECT_EQ(c["Attributes"].at("FifoTopic"), "true");
  EXPECT_EQ(c["Tags"].at(0).at("Key"), "k");
  auto b = decode(
      "Action=PublishBatch&TopicArn=a"
      "&PublishBatchRequestEntries.member.2.Id=two"
      "&PublishBatchRequestEntries.member.2.Message=m2"
      "&PublishBatchRequestEntries.member.1.Id=one"
      "&PublishBatchRequestEntries.member.1.Message=m1"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=a"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value."
      "DataType=String"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value."
      "StringValue=x");
  ASSERT_EQ(b["PublishBatchRequestEntries"].as_array().size(), 2u);
  EXPECT_EQ(b["PublishBatchRequestEntries"].at(0).at("Id"), "one");
  EXPECT_EQ(b["PublishBatchRequestEntries"].at(0).at("MessageAttributes").at("a").at("StringValue"),
            "x");
  auto k = decode("Action=UntagResource&ResourceArn=a&TagKeys.member.1=x&TagKeys.member.2=y");
  EXPECT_EQ(k["TagKeys"].as_array().size(), 2u);
}

TEST(SnsQuery, BadIndexesAreRefused) {
  for (std::string_view text : {"Tags.member.0.Key=a", "Tags.member.x.Key=a",
                                "Tags.member.101.Key=a", "a..b=1", "Tags.member.1.=a"}) {
    auto form = api::decode_form(text);
    ASSERT_TRUE(form.ok());
    EXPECT_TRUE(form_to_json(*form.form).error.has_value()) << text;
  }
}

TEST(SnsQuery, AnswersAreAwsIndentedXml) {
  const json::object answer{{"MessageId", "567910cd-659e-55d4-8ccb-5aaf14679dc0"}};
  std::string xml = response_xml("Publish", answer, "d74b8436-ae13-5ab4-a9ff-ce54dfea72a0");
  EXPECT_EQ(xml,
            "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <PublishResult>\n"
            "    <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId>\n"
            "  </PublishResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</PublishResponse>\n");
  std::string attrs = response_xml(
      "GetTopicAttributes", json::object{{"Attributes", json::object{{"Owner", "1<2"}}}}, "r");
  EXPECT_NE(attrs.find("<entry>\n        <key>Owner</key>\n        <value>1&lt;2</value>"),
            std::string::npos)
      << attrs;
  std::string list = response_xml(
      "ListTopics", json::object{{"Topics", json::array{json::object{{"TopicArn", "a"}}}}}, "r");
  EXPECT_NE(list.find("<Topics>\n      <member>\n        <TopicArn>a</TopicArn>"),
            std::string::npos)
      << list;
  EXPECT_EQ(response_xml("DeleteTopic", json::object{}, "r").find("Result"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::services::sns
