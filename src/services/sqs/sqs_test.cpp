// Queue semantics with a manual clock and manual timers: visibility, delays, FIFO, dead
// letters, long polls, limits and errors — fast and deterministic.
#include "services/sqs/sqs.h"

#include <gtest/gtest.h>

#include <optional>

#include "services/common/codec.h"
#include "services/sqs/message.h"

namespace stepwise::services::sqs {
namespace {

class SqsTest : public ::testing::Test {
 protected:
  SqsTest() : clock_(1'700'000'000'000), timers_(&clock_) {}

  api::Response call(std::string_view op, json::object request) {
    std::optional<api::Response> out;
    sqs_.dispatch(op, json::value(std::move(request)), info_,
                  [&](api::Response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << op << " did not answer at once";
    return out ? std::move(*out) : api::Response(api::ApiError::internal("no answer"));
  }
  json::object ok(std::string_view op, json::object request) {
    api::Response r = call(op, std::move(request));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.is_error() ? r.error().message : "");
    return r.is_error() || !r.body().is_object() ? json::object{} : r.body().get_object();
  }
  std::string error_of(std::string_view op, json::object request) {
    api::Response r = call(op, std::move(request));
    return r.is_error() ? r.error().type : "";
  }
  std::string create(const std::string& name, json::object attrs = {}) {
    auto out = ok("CreateQueue", {{"QueueName", name}, {"Attributes", attrs}});
    return std::string(out["QueueUrl"].as_string());
  }
  void send(const std::string& url, const std::string& body, json::object extra = {}) {
    extra["QueueUrl"] = url;
    extra["MessageBody"] = body;
    ok("SendMessage", std::move(extra));
  }
  json::array receive(const std::string& url, json::object extra = {}) {
    extra["QueueUrl"] = url;
    auto out = ok("ReceiveMessage", std::move(extra));
    auto* m = out.if_contains("Messages");
    return m ? m->as_array() : json::array{};
  }
  static std::string body(const json::value& m) { return std::string(m.at("Body").as_string()); }

  ManualClock clock_;
  ManualTimers timers_;
  MemoryRecordLog log_;
  Sqs sqs_{SqsOptions{.clock = clock_,
                      .log = log_,
                      .timers = timers_,
                      .place = {"us-east-1", "123456789012", "http://localhost:9"},
                      .id_seed = 7}};
  api::RequestInfo info_ = [] {
    api::RequestInfo i;
    i.request_id = "r";
    i.host = "127.0.0.1:8083";
    return i;
  }();
};

TEST_F(SqsTest, QueueUrlUsesTheRequestHostAndAccount) {
  EXPECT_EQ(create("q1"), "http://127.0.0.1:8083/123456789012/q1");
  auto out = ok("GetQueueUrl", {{"QueueName", "q1"}});
  EXPECT_EQ(out["QueueUrl"], "http://127.0.0.1:8083/123456789012/q1");
  EXPECT_EQ(error_of("GetQueueUrl", {{"QueueName", "nope"}}), "QueueDoesNotExist");
}

TEST_F(SqsTest, AnyHostNamingTheQueuePathReachesIt) {
  create("q1");
  send("http://sqs.us-east-1.localhost:4566/123456789012/q1", "hi");
  EXPECT_EQ(receive("/123456789012/q1").size(), 1u);
}

TEST_F(SqsTest, QueueNamesFollowAwsRules) {
  EXPECT_EQ(error_of("CreateQueue", {{"QueueName", "bad name"}}), "InvalidParameterValue");
  EXPECT_EQ(error_of("CreateQueue", {{"QueueName", std::string(81, 'a')}}),
            "InvalidParameterValue");
  EXPECT_EQ(error_of("CreateQueue", {{"QueueName", "x.fifo"}}), "InvalidParameterValue");
  EXPECT_EQ(
      error_of("CreateQueue", {{"QueueName", "plain"}, {"Attributes", {{"FifoQueue", "true"}}}}),
      "InvalidParameterValue");
  EXPECT_EQ(error_of("CreateQueue", {{"QueueName", "q"}, {"Attributes", {{"Bogus", "1"}}}}),
            "InvalidAttributeName");
  EXPECT_EQ(error_of("CreateQueue",
                     {{"QueueName", "q"}, {"Attributes", {{"VisibilityTimeout", "43201"}}}}),
            "InvalidAttributeValue");
}

TEST_F(SqsTest, CreateIsIdempotentUnlessAttributesDiffer) {
  create("q", {{"VisibilityTimeout", "10"}});
  create("q", {{"VisibilityTimeout", "10"}});
  auto r = call("CreateQueue", {{"QueueName", "q"}, {"Attributes", {{"VisibilityTimeout", "5"}}}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "QueueNameExists");
  EXPECT_EQ(r.error().query_code, "QueueAlreadyExists");
}

TEST_F(SqsTest, DeletedNameIsTakenForSixtySeconds) {
  std::string url = create("q");
  ok("DeleteQueue", {{"QueueUrl", url}});
  EXPECT_EQ(error_of("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}}),
            "QueueDoesNotExist");
  EXPECT_EQ(error_of("CreateQueue", {{"QueueName", "q"}}), "QueueDeletedRecently");
  clock_.advance_by(60'000);
  create("q");
}

TEST_F(SqsTest, Md5sAreAwsDigests) {
  std::string url = create("q");
  auto out = ok("SendMessage",
                {{"QueueUrl", url},
                 {"MessageBody", "test_message_body"},
                 {"MessageAttributes",
                  {{"my_attribute_no_1", {{"DataType", "String"}, {"StringValue", "Hello"}}},
                   {"my_attribute_no_2", {{"DataType", "String"}, {"StringValue", "World"}}}}}});
  EXPECT_EQ(out["MD5OfMessageBody"], json::value(md5_hex("test_message_body")));
  // Name, type, transport byte 1 and value, each length-prefixed, names in order.
  std::string bytes;
  auto put = [&](std::string_view s) {
    bytes += std::string{'\0', '\0', '\0', static_cast<char>(s.size())};
    bytes += s;
  };
  put("my_attribute_no_1"), put("String"), bytes += '\1', put("Hello");
  put("my_attribute_no_2"), put("String"), bytes += '\1', put("World");
  EXPECT_EQ(out["MD5OfMessageAttributes"], json::value(md5_hex(bytes)));
  auto got = receive(url, {{"MessageAttributeNames", json::array{"All"}}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("MD5OfMessageAttributes"), out["MD5OfMessageAttributes"]);
  EXPECT_EQ(got[0].at("MessageAttributes").at("my_attribute_no_1").at("StringValue"), "Hello");
}

TEST_F(SqsTest, AttributeSelectionByPrefix) {
  std::string url = create("q");
  send(url, "b",
       {{"MessageAttributes",
         {{"a.one", {{"DataType", "Number"}, {"StringValue", "1"}}},
          {"b", {{"DataType", "String"}, {"StringValue", "x"}}}}}});
  auto got = receive(url, {{"MessageAttributeNames", json::array{"a.*"}}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("MessageAttributes").as_object().size(), 1u);
}

TEST_F(SqsTest, BinaryAttributesRoundTripAsBase64) {
  std::string url = create("q");
  std::string b64 = base64_encode(std::string("\x00\x01\xff", 3));
  send(url, "b",
       {{"MessageAttributes", {{"bin", {{"DataType", "Binary"}, {"BinaryValue", b64}}}}}});
  auto got = receive(url, {{"MessageAttributeNames", json::array{"All"}}});
  EXPECT_EQ(got[0].at("MessageAttributes").at("bin").at("BinaryValue"), json::value(b64));
}

TEST_F(SqsTest, ReceivedMessageIsHiddenForTheVisibilityTimeout) {
  std::string url = create("q", {{"VisibilityTimeout", "10"}});
  send(url, "m");
  ASSERT_EQ(receive(url).size(), 1u);
  EXPECT_TRUE(receive(url).empty());
  clock_.advance_by(9'999);
  EXPECT_TRUE(receive(url).empty());
  clock_.advance_by(1);
  auto again = receive(url, {{"AttributeNames", json::array{"ApproximateReceiveCount"}}});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].at("Attributes").at("ApproximateReceiveCount"), "2");
}

TEST_F(SqsTest, DeleteNeedsTheLatestReceipt) {
  std::string url = create("q");
  send(url, "m");
  auto first = receive(url, {{"VisibilityTimeout", 0}});
  auto second = receive(url);
  ASSERT_EQ(second.size(), 1u);
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", first[0].at("ReceiptHandle")}});
  EXPECT_EQ(sqs_.message_count(), 1u);  // an older receipt deletes nothing
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", second[0].at("ReceiptHandle")}});
  EXPECT_EQ(sqs_.message_count(), 0u);
  EXPECT_EQ(error_of("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", "garbage"}}),
            "ReceiptHandleIsInvalid");
}

TEST_F(SqsTest, ChangeVisibilityToZeroMakesItVisible) {
  std::string url = create("q");
  send(url, "m");
  auto got = receive(url);
  ok("ChangeMessageVisibility",
     {{"QueueUrl", url}, {"ReceiptHandle", got[0].at("ReceiptHandle")}, {"VisibilityTimeout", 0}});
  EXPECT_EQ(receive(url).size(), 1u);
  EXPECT_EQ(error_of("ChangeMessageVisibility", {{"QueueUrl", url},
                                                 {"ReceiptHandle", got[0].at("ReceiptHandle")},
                                                 {"VisibilityTimeout", 5}}),
            "MessageNotInflight");
}

TEST_F(SqsTest, DelaySecondsHoldsMessages) {
  std::string url = create("q", {{"DelaySeconds", "5"}});
  send(url, "queue delay");
  send(url, "own delay", {{"DelaySeconds", 1}});
  EXPECT_TRUE(receive(url).empty());
  auto attrs =
      ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", json::array{"All"}}});
  EXPECT_EQ(attrs["Attributes"].at("ApproximateNumberOfMessagesDelayed"), "2");
  clock_.advance_by(1'000);
  auto got = receive(url, {{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(body(got[0]), "own delay");
  clock_.advance_by(4'000);
  EXPECT_EQ(receive(url).size(), 1u);
}

TEST_F(SqsTest, RetentionDropsOldMessages) {
  std::string url = create("q", {{"MessageRetentionPeriod", "60"}});
  send(url, "m");
  clock_.advance_by(60'000);
  EXPECT_TRUE(receive(url).empty());
  EXPECT_EQ(sqs_.message_count(), 0u);
}

TEST_F(SqsTest, FifoKeepsGroupOrderAndBlocksAGroupInFlight) {
  std::string url =
      create("q.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send(url, "a1", {{"MessageGroupId", "a"}});
  send(url, "a2", {{"MessageGroupId", "a"}});
  send(url, "b1", {{"MessageGroupId", "b"}});
  auto first = receive(url);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(body(first[0]), "a1");
  auto next = receive(url);  // group a is held while a1 is in flight
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(body(next[0]), "b1");
  EXPECT_TRUE(receive(url).empty());
  ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", first[0].at("ReceiptHandle")}});
  auto last = receive(url);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(body(last[0]), "a2");
}

TEST_F(SqsTest, FifoDeduplicatesForFiveMinutes) {
  std::string url = create("q.fifo", {{"FifoQueue", "true"}});
  EXPECT_EQ(
      error_of("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "g"}}),
      "InvalidParameterValue");
  EXPECT_EQ(error_of("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}}), "MissingParameter");
  auto one = ok("SendMessage", {{"QueueUrl", url},
                                {"MessageBody", "x"},
                                {"MessageGroupId", "g"},
                                {"MessageDeduplicationId", "d"}});
  auto two = ok("SendMessage", {{"QueueUrl", url},
                                {"MessageBody", "y"},
                                {"MessageGroupId", "g"},
                                {"MessageDeduplicationId", "d"}});
  EXPECT_EQ(one["MessageId"], two["MessageId"]);
  EXPECT_EQ(one["SequenceNumber"], two["SequenceNumber"]);
  EXPECT_EQ(sqs_.message_count(), 1u);
  clock_.advance_by(5 * 60'000);
  auto three = ok("SendMessage", {{"QueueUrl", url},
                                  {"MessageBody", "z"},
                                  {"MessageGroupId", "g"},
                                  {"MessageDeduplicationId", "d"}});
  EXPECT_NE(three["MessageId"], one["MessageId"]);
  EXPECT_GT(std::string(three["SequenceNumber"].as_string()),
            std::string(one["SequenceNumber"].as_string()));
  EXPECT_EQ(
      error_of(
          "SendMessage",
          {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "g"}, {"DelaySeconds", 3}}),
      "InvalidParameterValue");
}

TEST_F(SqsTest, RedrivePolicyMovesAfterMaxReceiveCount) {
  std::string dlq = create("dlq");
  auto arn =
      ok("GetQueueAttributes", {{"QueueUrl", dlq}, {"AttributeNames", json::array{"QueueArn"}}});
  std::string policy = "{\"deadLetterTargetArn\":\"" +
                       std::string(arn["Attributes"].at("QueueArn").as_string()) +
                       "\",\"maxReceiveCount\":2}";
  std::string url = create("src", {{"RedrivePolicy", policy}});
  send(url, "poison");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(receive(url, {{"VisibilityTimeout", 0}}).size(), 1u);
  EXPECT_TRUE(receive(url).empty());  // the third receive moves it
  auto moved = receive(dlq, {{"AttributeNames", json::array{"All"}}});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(body(moved[0]), "poison");
  EXPECT_NE(moved[0].at("Attributes").as_object().if_contains("DeadLetterQueueSourceArn"), nullptr);
  auto sources = ok("ListDeadLetterSourceQueues", {{"QueueUrl", dlq}});
  EXPECT_EQ(sources["queueUrls"].as_array().size(), 1u);
}

TEST_F(SqsTest, LongPollAnswersWhenAMessageArrives) {
  std::string url = create("q");
  std::optional<api::Response> answer;
  sqs_.dispatch("ReceiveMessage", json::object{{"QueueUrl", url}, {"WaitTimeSeconds", 20}}, info_,
                [&](api::Response r) { answer = std::move(r); });
  EXPECT_FALSE(answer.has_value());
  timers_.advance(5'000);
  EXPECT_FALSE(answer.has_value());
  send(url, "late");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body().at("Messages").as_array().size(), 1u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(SqsTest, LongPollEndsEmptyAfterTheWait) {
  std::string url = create("q", {{"ReceiveMessageWaitTimeSeconds", "3"}});
  std::optional<api::Response> answer;
  sqs_.dispatch("ReceiveMessage", json::object{{"QueueUrl", url}}, info_,
                [&](api::Response r) { answer = std::move(r); });
  timers_.advance(2'999);
  EXPECT_FALSE(answer.has_value());
  timers_.advance(1);
  ASSERT_TRUE(answer.has_value());
  EXPECT_FALSE(answer->body().as_object().contains("Messages"));
}

TEST_F(SqsTest, LongPollWakesWhenADelayedMessageBecomesVisible) {
  std::string url = create("q");
  send(url, "later", {{"DelaySeconds", 2}});
  std::optional<api::Response> answer;
  sqs_.dispatch("ReceiveMessage", json::object{{"QueueUrl", url}, {"WaitTimeSeconds", 10}}, info_,
                [&](api::Response r) { answer = std::move(r); });
  timers_.advance(1'999);
  EXPECT_FALSE(answer.has_value());
  timers_.advance(1);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body().at("Messages").as_array().size(), 1u);
}

TEST_F(SqsTest, LimitsGiveAwsErrors) {
  std::string url = create("q");
  EXPECT_EQ(
      error_of("SendMessage", {{"QueueUrl", url}, {"MessageBody", std::string(262'145, 'x')}}),
      "InvalidParameterValue");
  EXPECT_EQ(error_of("SendMessage", {{"QueueUrl", url}, {"MessageBody", std::string("a\x01")}}),
            "InvalidMessageContents");
  EXPECT_EQ(error_of("ReceiveMessage", {{"QueueUrl", url}, {"MaxNumberOfMessages", 11}}),
            "InvalidParameterValue");
  EXPECT_EQ(error_of("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 21}}),
            "InvalidParameterValue");
  json::array eleven;
  for (int i = 0; i < 11; ++i)
    eleven.push_back(json::object{{"Id", std::to_string(i)}, {"MessageBody", "x"}});
  EXPECT_EQ(error_of("SendMessageBatch", {{"QueueUrl", url}, {"Entries", eleven}}),
            "TooManyEntriesInBatchRequest");
  EXPECT_EQ(error_of("SendMessageBatch", {{"QueueUrl", url}, {"Entries", json::array{}}}),
            "EmptyBatchRequest");
  json::array twins{json::object{{"Id", "a"}, {"MessageBody", "x"}},
                    json::object{{"Id", "a"}, {"MessageBody", "y"}}};
  EXPECT_EQ(error_of("SendMessageBatch", {{"QueueUrl", url}, {"Entries", twins}}),
            "BatchEntryIdsNotDistinct");
  json::array big{json::object{{"Id", "a"}, {"MessageBody", std::string(200'000, 'x')}},
                  json::object{{"Id", "b"}, {"MessageBody", std::string(200'000, 'y')}}};
  EXPECT_EQ(error_of("SendMessageBatch", {{"QueueUrl", url}, {"Entries", big}}),
            "BatchRequestTooLong");
  json::object eleven_attrs;
  for (int i = 0; i < 11; ++i)
    eleven_attrs["a" + std::to_string(i)] =
        json::object{{"DataType", "String"}, {"StringValue", "v"}};
  EXPECT_EQ(
      error_of("SendMessage",
               {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageAttributes", eleven_attrs}}),
      "InvalidParameterValue");
}

TEST_F(SqsTest, BatchesReportEachEntry) {
  std::string url = create("q");
  json::array entries{json::object{{"Id", "good"}, {"MessageBody", "x"}},
                      json::object{{"Id", "bad"}, {"MessageBody", ""}}};
  auto out = ok("SendMessageBatch", {{"QueueUrl", url}, {"Entries", entries}});
  EXPECT_EQ(out["Successful"].as_array().size(), 1u);
  ASSERT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(out["Failed"].as_array()[0].at("Id"), "bad");
  auto got = receive(url);
  json::array dels{json::object{{"Id", "d1"}, {"ReceiptHandle", got[0].at("ReceiptHandle")}}};
  auto del = ok("DeleteMessageBatch", {{"QueueUrl", url}, {"Entries", dels}});
  EXPECT_EQ(del["Successful"].as_array().size(), 1u);
  EXPECT_EQ(sqs_.message_count(), 0u);
}

TEST_F(SqsTest, PurgeOncePerMinute) {
  std::string url = create("q");
  send(url, "m");
  ok("PurgeQueue", {{"QueueUrl", url}});
  EXPECT_EQ(sqs_.message_count(), 0u);
  EXPECT_EQ(error_of("PurgeQueue", {{"QueueUrl", url}}), "PurgeQueueInProgress");
}

TEST_F(SqsTest, ListQueuesPagesAndFilters) {
  for (const char* n : {"a1", "a2", "a3", "b1"}) create(n);
  auto all = ok("ListQueues", {{"QueueNamePrefix", "a"}});
  EXPECT_EQ(all["QueueUrls"].as_array().size(), 3u);
  auto page = ok("ListQueues", {{"QueueNamePrefix", "a"}, {"MaxResults", 2}});
  EXPECT_EQ(page["QueueUrls"].as_array().size(), 2u);
  auto rest = ok("ListQueues",
                 {{"QueueNamePrefix", "a"}, {"MaxResults", 2}, {"NextToken", page["NextToken"]}});
  EXPECT_EQ(rest["QueueUrls"].as_array().size(), 1u);
  EXPECT_FALSE(rest.contains("NextToken"));
}

TEST_F(SqsTest, StateSurvivesAReload) {
  std::string url =
      create("q.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send(url, "kept",
       {{"MessageGroupId", "g"},
        {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}});
  ok("TagQueue", {{"QueueUrl", url}, {"Tags", {{"team", "x"}}}});
  Sqs reloaded(SqsOptions{.clock = clock_,
                          .log = log_,
                          .timers = timers_,
                          .place = {"us-east-1", "123456789012", "http://localhost:9"}});
  std::size_t damaged = 99;
  ASSERT_TRUE(reloaded.load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  EXPECT_EQ(reloaded.message_count(), 1u);
  std::optional<api::Response> got;
  reloaded.dispatch("ReceiveMessage",
                    json::object{{"QueueUrl", url}, {"MessageAttributeNames", json::array{"All"}}},
                    info_, [&](api::Response r) { got = std::move(r); });
  ASSERT_TRUE(got && !got->is_error());
  EXPECT_EQ(got->body().at("Messages").as_array()[0].at("Body"), "kept");
  std::optional<api::Response> tags;
  reloaded.dispatch("ListQueueTags", json::object{{"QueueUrl", url}}, info_,
                    [&](api::Response r) { tags = std::move(r); });
  EXPECT_EQ(tags->body().at("Tags").at("team"), "x");
}

TEST_F(SqsTest, UnknownOperationAndBadBodies) {
  EXPECT_EQ(error_of("Frobnicate", {}), "UnknownOperationException");
  std::optional<api::Response> r;
  sqs_.dispatch("SendMessage", json::value("text"), info_, [&](api::Response x) { r = x; });
  ASSERT_TRUE(r && r->is_error());
  EXPECT_EQ(error_of("SendMessage", {{"MessageBody", "x"}}), "MissingParameter");
}

}  // namespace
}  // namespace stepwise::services::sqs
