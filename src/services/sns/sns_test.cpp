// The built-in SNS with a manual clock, manual timers, an in-memory SQS and recording delivery
// workers: topics, subscriptions, publishing and every delivery path, limits and errors.
#include "services/sns/sns.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>

#include "services/sqs/sqs.h"

namespace stepwise::services::sns {
namespace {

class RecordingWorkers final : public DeliveryWorkers {
 public:
  bool post(HttpDelivery d, std::function<void(bool)> done) override {
    posts.push_back(d);
    bool ok = results.empty() ? true : results.front();
    if (!results.empty()) results.pop_front();
    done(ok);
    return true;
  }
  void append_line(std::string line) override { lines.push_back(std::move(line)); }
  std::vector<HttpDelivery> posts;
  std::deque<bool> results;  // answers of the next posts (default: success)
  std::vector<std::string> lines;
};

std::string header(const HttpDelivery& d, std::string_view name) {
  for (const auto& [k, v] : d.headers)
    if (k == name) return v;
  return "";
}

class SnsTest : public ::testing::Test {
 protected:
  SnsTest() : clock_(1'700'000'000'000), timers_(&clock_) {}

  api::Response call(api::Dispatcher& d, std::string_view op, json::object request) {
    std::optional<api::Response> out;
    d.dispatch(op, json::value(std::move(request)), info_,
               [&](api::Response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << op << " did not answer at once";
    return out ? std::move(*out) : api::Response(api::ApiError::internal("no answer"));
  }
  json::object ok(std::string_view op, json::object request) {
    api::Response r = call(sns_, op, std::move(request));
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.is_error() ? r.error().message : "");
    return r.is_error() || !r.body().is_object() ? json::object{} : r.body().get_object();
  }
  api::ApiError error(std::string_view op, json::object request) {
    api::Response r = call(sns_, op, std::move(request));
    EXPECT_TRUE(r.is_error()) << op << " succeeded";
    return r.is_error() ? r.error() : api::ApiError{};
  }
  std::string topic(const std::string& name, json::object attrs = {}) {
    return std::string(
        ok("CreateTopic", {{"Name", name}, {"Attributes", attrs}})["TopicArn"].as_string());
  }
  // A queue and its ARN.
  std::string queue(const std::string& name, json::object attrs = {}) {
    call(sqs_, "CreateQueue", {{"QueueName", name}, {"Attributes", attrs}});
    return "arn:aws:sqs:us-east-1:123456789012:" + name;
  }
  json::array receive(const std::string& name) {
    auto r = call(sqs_, "ReceiveMessage",
                  {{"QueueUrl", "/123456789012/" + name},
                   {"MaxNumberOfMessages", 10},
                   {"MessageAttributeNames", json::array{"All"}}});
    if (r.is_error()) return {};
    auto* m = r.body().get_object().if_contains("Messages");
    return m ? m->as_array() : json::array{};
  }
  std::string subscribe(const std::string& topic_arn, const std::string& protocol,
                        const std::string& endpoint, json::object attrs = {}) {
    return std::string(ok("Subscribe", {{"TopicArn", topic_arn},
                                        {"Protocol", protocol},
                                        {"Endpoint", endpoint},
                                        {"Attributes", attrs},
                                        {"ReturnSubscriptionArn", true}})["SubscriptionArn"]
                           .as_string());
  }
  static json::object body_json(const json::value& m) {
    auto parsed = json::parse(m.at("Body").as_string());
    return parsed.ok() && parsed->is_object() ? parsed->get_object() : json::object{};
  }

  ManualClock clock_;
  ManualTimers timers_;
  MemoryRecordLog log_;
  RecordingWorkers workers_;
  Place place_{"us-east-1", "123456789012", "http://localhost:9"};
  sqs::Sqs sqs_{sqs::SqsOptions{
      .clock = clock_, .log = log_, .timers = timers_, .place = place_, .id_seed = 3}};
  Sns sns_{SnsOptions{.clock = clock_,
                      .log = log_,
                      .timers = timers_,
                      .workers = workers_,
                      .place = place_,
                      .id_seed = 7,
                      .sqs = &sqs_}};
  api::RequestInfo info_ = [] {
    api::RequestInfo i;
    i.request_id = "r";
    i.host = "localhost:9";
    return i;
  }();
};

TEST_F(SnsTest, CreateTopicIsIdempotentByName) {
  const std::string arn = topic("orders");
  EXPECT_EQ(arn, "arn:aws:sns:us-east-1:123456789012:orders");
  EXPECT_EQ(topic("orders"), arn);
  auto e = error("CreateTopic",
                 {{"Name", "orders"}, {"Attributes", json::object{{"DisplayName", "x"}}}});
  EXPECT_EQ(e.type, "InvalidParameter");
  EXPECT_EQ(e.message,
            "Invalid parameter: Attributes Reason: Topic already exists with "
            "different attributes");
}

TEST_F(SnsTest, TopicNameRules) {
  EXPECT_EQ(error("CreateTopic", {{"Name", "bad name"}}).message, "Invalid parameter: Topic Name");
  EXPECT_EQ(error("CreateTopic", {{"Name", std::string(257, 'a')}}).type, "InvalidParameter");
  EXPECT_EQ(error("CreateTopic", {{"Name", "t.fifo"}}).message, "Invalid parameter: Topic Name");
  EXPECT_NE(
      error("CreateTopic", {{"Name", "t"}, {"Attributes", json::object{{"FifoTopic", "true"}}}})
          .message.find("Fifo Topic names must end with .fifo"),
      std::string::npos);
  EXPECT_EQ(topic(std::string(256, 'a')).size(), 35u + 256u);
  EXPECT_EQ(
      error("CreateTopic", {{"Name", "t2"}, {"Attributes", json::object{{"Bogus", "1"}}}}).message,
      "Invalid parameter: AttributeName");
}

TEST_F(SnsTest, ListTopicsPages) {
  for (int i = 0; i < 150; ++i) topic("t" + std::to_string(1000 + i));
  auto first = ok("ListTopics", {});
  EXPECT_EQ(first["Topics"].as_array().size(), 100u);
  ASSERT_TRUE(first.contains("NextToken"));
  auto second = ok("ListTopics", {{"NextToken", first["NextToken"]}});
  EXPECT_EQ(second["Topics"].as_array().size(), 50u);
  EXPECT_FALSE(second.contains("NextToken"));
}

TEST_F(SnsTest, TopicAttributesAndTags) {
  const std::string arn = topic("t");
  ok("SetTopicAttributes",
     {{"TopicArn", arn}, {"AttributeName", "DisplayName"}, {"AttributeValue", "Orders"}});
  auto a = ok("GetTopicAttributes", {{"TopicArn", arn}})["Attributes"].as_object();
  EXPECT_EQ(a["DisplayName"], "Orders");
  EXPECT_EQ(a["TopicArn"], json::value(arn));
  EXPECT_EQ(a["SubscriptionsConfirmed"], "0");
  EXPECT_EQ(error("GetTopicAttributes", {{"TopicArn", arn + "x"}}).status, 404u);
  ok("TagResource",
     {{"ResourceArn", arn}, {"Tags", json::array{json::object{{"Key", "team"}, {"Value", "a"}}}}});
  auto tags = ok("ListTagsForResource", {{"ResourceArn", arn}})["Tags"].as_array();
  ASSERT_EQ(tags.size(), 1u);
  ok("UntagResource", {{"ResourceArn", arn}, {"TagKeys", json::array{"team"}}});
  EXPECT_TRUE(ok("ListTagsForResource", {{"ResourceArn", arn}})["Tags"].as_array().empty());
  EXPECT_EQ(error("ListTagsForResource", {{"ResourceArn", arn + "x"}}).type, "ResourceNotFound");
}

TEST_F(SnsTest, PublishToAMissingTopicIsNotFound) {
  auto e = error("Publish",
                 {{"TopicArn", "arn:aws:sns:us-east-1:123456789012:none"}, {"Message", "hi"}});
  EXPECT_EQ(e.type, "NotFound");
  EXPECT_EQ(e.message, "Topic does not exist");
  EXPECT_EQ(e.status, 404u);
}

TEST_F(SnsTest, SqsSubscriberGetsTheEnvelope) {
  const std::string t = topic("t");
  const std::string sub = subscribe(t, "sqs", queue("q"));
  auto out =
      ok("Publish",
         {{"TopicArn", t},
          {"Message", "hello"},
          {"Subject", "Hi"},
          {"MessageAttributes",
           json::object{{"color", json::object{{"DataType", "String"}, {"StringValue", "red"}}}}}});
  auto ms = receive("q");
  ASSERT_EQ(ms.size(), 1u);
  auto env = body_json(ms[0]);
  EXPECT_EQ(env["Type"], "Notification");
  EXPECT_EQ(env["MessageId"], out["MessageId"]);
  EXPECT_EQ(env["TopicArn"], json::value(t));
  EXPECT_EQ(env["Subject"], "Hi");
  EXPECT_EQ(env["Message"], "hello");
  EXPECT_EQ(env["SignatureVersion"], "1");
  EXPECT_EQ(env["Timestamp"], "2023-11-14T22:13:20.000Z");
  EXPECT_NE(std::string(env["SigningCertURL"].as_string()).find("/SimpleNotificationService-"),
            std::string::npos);
  EXPECT_EQ(env["UnsubscribeURL"],
            json::value("http://localhost:9/?Action=Unsubscribe&SubscriptionArn=" + sub));
  EXPECT_EQ(env["MessageAttributes"].at("color").at("Value"), "red");
  EXPECT_EQ(env["MessageAttributes"].at("color").at("Type"), "String");
  // AWS's layout: two-space indentation, " : " separators.
  EXPECT_EQ(std::string(ms[0].at("Body").as_string()).substr(0, 27),
            "{\n  \"Type\" : \"Notification\"");
}

TEST_F(SnsTest, RawDeliveryCarriesAttributesAsSqsAttributes) {
  const std::string t = topic("t");
  subscribe(t, "sqs", queue("q"), {{"RawMessageDelivery", "true"}});
  ok("Publish",
     {{"TopicArn", t},
      {"Message", "raw body"},
      {"MessageAttributes",
       json::object{{"n", json::object{{"DataType", "Number"}, {"StringValue", "5"}}}}}});
  auto ms = receive("q");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].at("Body"), "raw body");
  EXPECT_EQ(ms[0].at("MessageAttributes").at("n").at("DataType"), "Number");
  EXPECT_EQ(ms[0].at("MessageAttributes").at("n").at("StringValue"), "5");
}

TEST_F(SnsTest, FilterPoliciesSkipSubscribers) {
  const std::string t = topic("t");
  subscribe(t, "sqs", queue("red"), {{"FilterPolicy", R"({"color":["red"]})"}});
  subscribe(t, "sqs", queue("big"),
            {{"FilterPolicy", R"({"size":[{"numeric":[">",10]}]})"},
             {"FilterPolicyScope", "MessageBody"}});
  auto attr = [](const char* v) {
    return json::object{{"color", json::object{{"DataType", "String"}, {"StringValue", v}}}};
  };
  ok("Publish",
     {{"TopicArn", t}, {"Message", R"({"size":20})"}, {"MessageAttributes", attr("red")}});
  ok("Publish",
     {{"TopicArn", t}, {"Message", R"({"size":5})"}, {"MessageAttributes", attr("blue")}});
  EXPECT_EQ(receive("red").size(), 1u);
  EXPECT_EQ(receive("big").size(), 1u);
  EXPECT_EQ(sns_.stats().filtered, 2u);
  auto e = error("Subscribe", {{"TopicArn", t},
                               {"Protocol", "sqs"},
                               {"Endpoint", queue("x")},
                               {"Attributes", json::object{{"FilterPolicy", "{\"a\":[{}]}"}}}});
  EXPECT_EQ(e.message.rfind("Invalid parameter: FilterPolicy: ", 0), 0u) << e.message;
}

TEST_F(SnsTest, SubscriptionAttributes) {
  const std::string t = topic("t");
  const std::string sub = subscribe(t, "sqs", queue("q"));
  EXPECT_EQ(subscribe(t, "sqs", queue("q")), sub) << "same endpoint: same subscription";
  ok("SetSubscriptionAttributes", {{"SubscriptionArn", sub},
                                   {"AttributeName", "RawMessageDelivery"},
                                   {"AttributeValue", "true"}});
  auto a = ok("GetSubscriptionAttributes", {{"SubscriptionArn", sub}})["Attributes"].as_object();
  EXPECT_EQ(a["RawMessageDelivery"], "true");
  EXPECT_EQ(a["Protocol"], "sqs");
  EXPECT_EQ(a["PendingConfirmation"], "false");
  EXPECT_EQ(error("SetSubscriptionAttributes",
                  {{"SubscriptionArn", sub}, {"AttributeName", "Nope"}, {"AttributeValue", "1"}})
                .message,
            "Invalid parameter: AttributeName");
  auto listed = ok("ListSubscriptionsByTopic", {{"TopicArn", t}})["Subscriptions"].as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("SubscriptionArn"), json::value(sub));
  ok("Unsubscribe", {{"SubscriptionArn", sub}});
  EXPECT_EQ(error("GetSubscriptionAttributes", {{"SubscriptionArn", sub}}).type, "NotFound");
  EXPECT_TRUE(ok("ListSubscriptions", {})["Subscriptions"].as_array().empty());
}

TEST_F(SnsTest, ProtocolsAndEndpointsAreChecked) {
  const std::string t = topic("t");
  EXPECT_EQ(
      error("Subscribe", {{"TopicArn", t}, {"Protocol", "pigeon"}, {"Endpoint", "x"}}).message,
      "Invalid parameter: Amazon SNS does not support this protocol string: pigeon");
  EXPECT_EQ(error("Subscribe", {{"TopicArn", t}, {"Protocol", "sqs"}, {"Endpoint", "q"}}).message,
            "Invalid parameter: SQS endpoint ARN");
  EXPECT_EQ(error("Subscribe", {{"TopicArn", t}, {"Protocol", "http"}, {"Endpoint", "https://x"}})
                .message,
            "Invalid parameter: Endpoint must match the specified protocol");
  EXPECT_EQ(
      error("Subscribe", {{"TopicArn", t + "x"}, {"Protocol", "sqs"}, {"Endpoint", queue("q")}})
          .type,
      "NotFound");
}

TEST_F(SnsTest, HttpConfirmationThenNotificationsWithRetries) {
  const std::string t = topic("t");
  auto out =
      ok("Subscribe",
         {{"TopicArn", t},
          {"Protocol", "http"},
          {"Endpoint", "http://127.0.0.1:1/hook"},
          {"Attributes", json::object{{"DeliveryPolicy", R"({"healthyRetryPolicy":{"numRetries":2,)"
                                                         R"("minDelayTarget":1}})"}}}});
  EXPECT_EQ(out["SubscriptionArn"], "pending confirmation");
  ASSERT_EQ(workers_.posts.size(), 1u);
  const auto& confirm = workers_.posts[0];
  EXPECT_EQ(header(confirm, "x-amz-sns-message-type"), "SubscriptionConfirmation");
  auto env = json::parse(confirm.body)->get_object();
  EXPECT_NE(std::string(env["SubscribeURL"].as_string()).find("Action=ConfirmSubscription"),
            std::string::npos);
  // Nothing is delivered before the confirmation.
  ok("Publish", {{"TopicArn", t}, {"Message", "early"}});
  EXPECT_EQ(workers_.posts.size(), 1u);
  EXPECT_EQ(error("ConfirmSubscription", {{"TopicArn", t}, {"Token", "nope"}}).message,
            "Invalid parameter: Token");
  auto confirmed = ok("ConfirmSubscription", {{"TopicArn", t}, {"Token", env["Token"]}});
  const std::string sub(confirmed["SubscriptionArn"].as_string());
  workers_.results = {false, false, true};
  ok("Publish", {{"TopicArn", t}, {"Message", "hello"}});
  ASSERT_EQ(workers_.posts.size(), 2u);
  EXPECT_EQ(header(workers_.posts[1], "x-amz-sns-message-type"), "Notification");
  EXPECT_EQ(header(workers_.posts[1], "x-amz-sns-subscription-arn"), sub);
  EXPECT_EQ(header(workers_.posts[1], "x-amz-sns-topic-arn"), t);
  timers_.advance(999);
  EXPECT_EQ(workers_.posts.size(), 2u) << "retries wait minDelayTarget";
  timers_.advance(1);
  EXPECT_EQ(workers_.posts.size(), 3u);
  timers_.advance(1000);
  EXPECT_EQ(workers_.posts.size(), 4u);
  EXPECT_EQ(sns_.stats().delivered, 1u);
  workers_.results = {false, false, false};
  ok("Publish", {{"TopicArn", t}, {"Message", "doomed"}});
  timers_.advance(5000);
  EXPECT_EQ(workers_.posts.size(), 7u) << "1 attempt + numRetries 2";
  EXPECT_EQ(sns_.stats().failed, 1u);
}

TEST_F(SnsTest, EmailSubscriptionsWriteLines) {
  const std::string t = topic("t");
  ok("Subscribe", {{"TopicArn", t}, {"Protocol", "email"}, {"Endpoint", "ann@example.com"}});
  ASSERT_EQ(workers_.lines.size(), 1u);
  auto confirm = json::parse(workers_.lines[0])->get_object();
  EXPECT_EQ(confirm["Type"], "SubscriptionConfirmation");
  EXPECT_EQ(confirm["To"], "ann@example.com");
  ok("ConfirmSubscription", {{"TopicArn", t}, {"Token", confirm["Token"]}});
  ok("Publish", {{"TopicArn", t}, {"Message", "Approve order 7?"}, {"Subject", "Approval"}});
  ASSERT_EQ(workers_.lines.size(), 2u);
  auto line = json::parse(workers_.lines[1])->get_object();
  EXPECT_EQ(line["Body"], "Approve order 7?");
  EXPECT_EQ(line["Subject"], "Approval");
}

TEST_F(SnsTest, FifoTopicsNeedGroupsAndDeduplicate) {
  const std::string t = topic("t.fifo", {{"FifoTopic", "true"}});
  subscribe(t, "sqs", queue("q.fifo", {{"FifoQueue", "true"}}));
  EXPECT_EQ(error("Publish", {{"TopicArn", t}, {"Message", "m"}}).message,
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  EXPECT_EQ(error("Publish", {{"TopicArn", t}, {"Message", "m"}, {"MessageGroupId", "g"}}).message,
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
            "or MessageDeduplicationId provided explicitly");
  auto a = ok("Publish", {{"TopicArn", t},
                          {"Message", "m"},
                          {"MessageGroupId", "g"},
                          {"MessageDeduplicationId", "d1"}});
  auto b = ok("Publish", {{"TopicArn", t},
                          {"Message", "m"},
                          {"MessageGroupId", "g"},
                          {"MessageDeduplicationId", "d1"}});
  EXPECT_EQ(a["MessageId"], b["MessageId"]);
  EXPECT_EQ(a["SequenceNumber"], b["SequenceNumber"]);
  EXPECT_EQ(a["SequenceNumber"].as_string().size(), 20u);
  auto ms = receive("q.fifo");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(body_json(ms[0])["SequenceNumber"], a["SequenceNumber"]);
  EXPECT_EQ(error("Subscribe", {{"TopicArn", topic("std")},
                                {"Protocol", "sqs"},
                                {"Endpoint", "arn:aws:sqs:us-east-1:123456789012:q.fifo"}})
                .type,
            "InvalidParameter");
  EXPECT_EQ(error("Publish",
                  {{"TopicArn", topic("std")}, {"Message", "m"}, {"MessageDeduplicationId", "d"}})
                .type,
            "InvalidParameter");
}

TEST_F(SnsTest, PublishLimits) {
  const std::string t = topic("t");
  EXPECT_EQ(
      error("Publish", {{"TopicArn", t}, {"Message", std::string(256 * 1024 + 1, 'x')}}).message,
      "Invalid parameter: Message too long");
  ok("Publish", {{"TopicArn", t}, {"Message", std::string(256 * 1024, 'x')}});
  EXPECT_EQ(error("Publish", {{"TopicArn", t}, {"Message", ""}}).message,
            "Invalid parameter: Empty message");
  EXPECT_EQ(error("Publish", {{"TopicArn", t}, {"Message", "m"}, {"Subject", "a\nb"}}).message,
            "Invalid parameter: Subject");
  EXPECT_EQ(error("Publish", {{"Message", "m"}}).message,
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  EXPECT_EQ(error("Publish", {{"PhoneNumber", "12ab"}, {"Message", "m"}}).message,
            "Invalid parameter: PhoneNumber Reason: 12ab is not valid to publish to");
  EXPECT_EQ(
      error("Publish",
            {{"TopicArn", t},
             {"Message", "m"},
             {"MessageAttributes",
              json::object{{"n", json::object{{"DataType", "Number"}, {"StringValue", "x"}}}}}})
          .type,
      "InvalidParameterValue");
  EXPECT_EQ(
      error("Publish", {{"TopicArn", t}, {"Message", "{}"}, {"MessageStructure", "json"}}).message,
      "Invalid parameter: Message Structure - No default entry in JSON message body");
}

TEST_F(SnsTest, MessageStructureJsonPicksTheProtocol) {
  const std::string t = topic("t");
  subscribe(t, "sqs", queue("q"), {{"RawMessageDelivery", "true"}});
  ok("Publish", {{"TopicArn", t},
                 {"MessageStructure", "json"},
                 {"Message", R"({"default":"d","sqs":"for queues"})"}});
  auto ms = receive("q");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].at("Body"), "for queues");
}

TEST_F(SnsTest, PublishBatch) {
  const std::string t = topic("t");
  subscribe(t, "sqs", queue("q"), {{"RawMessageDelivery", "true"}});
  json::array entries;
  for (int i = 0; i < 3; ++i)
    entries.push_back(
        json::object{{"Id", "e" + std::to_string(i)}, {"Message", "m" + std::to_string(i)}});
  entries.push_back(json::object{{"Id", "bad"}, {"Message", ""}});
  auto out = ok("PublishBatch", {{"TopicArn", t}, {"PublishBatchRequestEntries", entries}});
  EXPECT_EQ(out["Successful"].as_array().size(), 3u);
  ASSERT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(out["Failed"].as_array()[0].at("Code"), "InvalidParameter");
  EXPECT_EQ(receive("q").size(), 3u);
  json::array eleven;
  for (int i = 0; i < 11; ++i)
    eleven.push_back(json::object{{"Id", "e" + std::to_string(i)}, {"Message", "m"}});
  EXPECT_EQ(error("PublishBatch", {{"TopicArn", t}, {"PublishBatchRequestEntries", eleven}}).type,
            "TooManyEntriesInBatchRequest");
  EXPECT_EQ(
      error("PublishBatch", {{"TopicArn", t}, {"PublishBatchRequestEntries", json::array{}}}).type,
      "EmptyBatchRequest");
  json::array same{json::object{{"Id", "a"}, {"Message", "m"}},
                   json::object{{"Id", "a"}, {"Message", "m"}}};
  EXPECT_EQ(error("PublishBatch", {{"TopicArn", t}, {"PublishBatchRequestEntries", same}}).type,
            "BatchEntryIdsNotDistinct");
  json::array bad_id{json::object{{"Id", "a b"}, {"Message", "m"}}};
  EXPECT_EQ(error("PublishBatch", {{"TopicArn", t}, {"PublishBatchRequestEntries", bad_id}}).type,
            "InvalidBatchEntryId");
}

TEST_F(SnsTest, TopicsAndSubscriptionsSurviveARestart) {
  const std::string t = topic("t", {{"DisplayName", "D"}});
  const std::string sub = subscribe(
      t, "sqs", queue("q"), {{"RawMessageDelivery", "true"}, {"FilterPolicy", R"({"k":["v"]})"}});
  RecordingWorkers workers;
  Sns again{SnsOptions{.clock = clock_,
                       .log = log_,
                       .timers = timers_,
                       .workers = workers,
                       .place = place_,
                       .id_seed = 9,
                       .sqs = &sqs_}};
  std::size_t damaged = 99;
  ASSERT_TRUE(again.load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  std::optional<api::Response> out;
  again.dispatch("GetSubscriptionAttributes", json::object{{"SubscriptionArn", sub}}, info_,
                 [&](api::Response r) { out = std::move(r); });
  ASSERT_TRUE(out && !out->is_error());
  EXPECT_EQ(out->body().at("Attributes").at("FilterPolicy"), R"({"k":["v"]})");
  again.dispatch(
      "Publish",
      json::object{{"TopicArn", t},
                   {"Message", "x"},
                   {"MessageAttributes", json::object{{"k", json::object{{"DataType", "String"},
                                                                         {"StringValue", "v"}}}}}},
      info_, [&](api::Response r) { out = std::move(r); });
  ASSERT_FALSE(out->is_error());
  auto ms = receive("q");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].at("Body"), "x");
}

TEST_F(SnsTest, DeleteTopicRemovesItsSubscriptions) {
  const std::string t = topic("t");
  subscribe(t, "sqs", queue("q"));
  ok("DeleteTopic", {{"TopicArn", t}});
  ok("DeleteTopic", {{"TopicArn", t}});  // AWS: no error for a topic that is gone
  EXPECT_TRUE(ok("ListSubscriptions", {})["Subscriptions"].as_array().empty());
  EXPECT_TRUE(ok("ListTopics", {})["Topics"].as_array().empty());
}

}  // namespace
}  // namespace stepwise::services::sns
