// The query protocol's forms and XML answers.
#include "services/sqs/sqs_query.h"

#include <gtest/gtest.h>

namespace stepwise::services::sqs {
namespace {

api::Form form(std::string_view text) {
  auto d = api::decode_form(text);
  EXPECT_TRUE(d.ok());
  return d.ok() ? *d.form : api::Form{};
}

TEST(SqsQuery, FlattenedMapsListsAndEntries) {
  auto r = form_to_json(
      "SendMessageBatch",
      form("Action=SendMessageBatch&Version=2012-11-05&QueueUrl=u"
           "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
           "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k"
           "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
           "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v"
           "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y"
           "&SendMessageBatchRequestEntry.2.DelaySeconds=3"));
  ASSERT_FALSE(r.error);
  EXPECT_EQ(json::dump(r.request),
            R"({"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x","MessageAttributes":)"
            R"({"k":{"DataType":"String","StringValue":"v"}}},)"
            R"({"Id":"b","MessageBody":"y","DelaySeconds":"3"}]})");
  auto c = form_to_json("CreateQueue", form("Action=CreateQueue&QueueName=q"
                                            "&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5"
                                            "&Tag.1.Key=t&Tag.1.Value=v"));
  EXPECT_EQ(json::dump(c.request),
            R"({"QueueName":"q","Attributes":{"DelaySeconds":"5"},"tags":{"t":"v"}})");
  auto g = form_to_json("ReceiveMessage", form("AttributeName.1=All&MessageAttributeName.2=b"
                                               "&MessageAttributeName.1=a"));
  EXPECT_EQ(json::dump(g.request),
            R"({"AttributeNames":["All"],"MessageAttributeNames":["a","b"]})");
}

TEST(SqsQuery, BadIndexesAreMalformed) {
  EXPECT_TRUE(form_to_json("SendMessage", form("MessageAttribute.x.Name=a")).error);
  EXPECT_TRUE(form_to_json("SendMessage", form("MessageAttribute.0.Name=a")).error);
  EXPECT_TRUE(form_to_json("SendMessage", form("MessageAttribute.101.Name=a")).error);
}

TEST(SqsQuery, ReceiveAnswerAsXml) {
  json::object answer{
      {"Messages",
       json::array{json::object{
           {"MessageId", "m"},
           {"ReceiptHandle", "r"},
           {"MD5OfBody", "d"},
           {"Body", "a\r\n<b>"},
           {"Attributes", {{"SentTimestamp", "1"}}},
           {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}}}}};
  EXPECT_EQ(result_xml("ReceiveMessage", answer),
            "<Message><MessageId>m</MessageId><ReceiptHandle>r</ReceiptHandle><MD5OfBody>d"
            "</MD5OfBody><Body>a&#xD;\n&lt;b&gt;</Body><Attribute><Name>SentTimestamp</Name>"
            "<Value>1</Value></Attribute><MessageAttribute><Name>k</Name><Value><DataType>"
            "String</DataType><StringValue>v</StringValue></Value></MessageAttribute>"
            "</Message>");
  json::object batch{
      {"Successful", json::array{json::object{{"Id", "a"}}}},
      {"Failed", json::array{json::object{
                     {"Id", "b"}, {"SenderFault", true}, {"Code", "c"}, {"Message", "m"}}}}};
  EXPECT_EQ(result_xml("DeleteMessageBatch", batch),
            "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"
            "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>c</Code>"
            "<Message>m</Message></BatchResultErrorEntry>");
}

}  // namespace
}  // namespace stepwise::services::sqs
