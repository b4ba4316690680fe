// EventBridge (minimal) with a manual clock and an in-memory RecordLog: buses, PutEvents'
// entry checks as AWS answers them, the per-bus event log (seq, read, subscribers), records
// read back, and the parameters events:putEvents sends.
#include "services/events/events.h"

#include <gtest/gtest.h>

#include <optional>

#include "services/events/events_service.h"
#include "services/events/events_test_support.h"

namespace stepwise::services::events {
namespace {

using test_support::call;

json::object entry(std::string detail, std::string source = "app.orders",
                   std::string type = "OrderPlaced") {
  json::object e{{"Detail", std::move(detail)}};
  if (!source.empty()) e["Source"] = std::move(source);
  if (!type.empty()) e["DetailType"] = std::move(type);
  return e;
}

class EventsTest : public ::testing::Test {
 protected:
  EventsTest() { EXPECT_TRUE(events_.load().ok()); }
  json::object ok(std::string_view op, json::object request) {
    return test_support::ok(events_, op, std::move(request));
  }
  api::ApiError error(std::string_view op, json::object request) {
    return test_support::error(events_, op, std::move(request));
  }
  json::object put(json::array entries) { return ok("PutEvents", {{"Entries", entries}}); }

  ManualClock clock_{1'700'000'000'000};
  MemoryRecordLog log_;
  Events events_{EventsOptions{.clock = clock_, .log = log_, .id_seed = 3}};
};

TEST_F(EventsTest, DefaultBusAndCustomBuses) {
  auto d = ok("DescribeEventBus", {});
  EXPECT_EQ(d["Name"].as_string(), "default");
  EXPECT_EQ(d["Arn"].as_string(), "arn:aws:events:us-east-1:123456789012:event-bus/default");
  auto created = ok("CreateEventBus", {{"Name", "orders"}, {"Description", "all orders"}});
  EXPECT_EQ(created["EventBusArn"].as_string(),
            "arn:aws:events:us-east-1:123456789012:event-bus/orders");
  EXPECT_EQ(error("CreateEventBus", {{"Name", "orders"}}).type, "ResourceAlreadyExistsException");
  EXPECT_EQ(error("CreateEventBus", {{"Name", "default"}}).type, "ResourceAlreadyExistsException");
  EXPECT_EQ(error("CreateEventBus", {{"Name", "bad/name"}}).type, "ValidationException");
  EXPECT_EQ(ok("DescribeEventBus",
               {{"Name", std::string(created["EventBusArn"].as_string())}})["Description"]
                .as_string(),
            "all orders");
  ok("CreateEventBus", {{"Name", "audit"}});
  auto page = ok("ListEventBuses", {{"Limit", 2}});
  ASSERT_EQ(page["EventBuses"].as_array().size(), 2u);
  EXPECT_EQ(page["EventBuses"].as_array()[0].at("Name").as_string(), "audit");
  auto rest = ok("ListEventBuses", {{"Limit", 2}, {"NextToken", page["NextToken"]}});
  ASSERT_EQ(rest["EventBuses"].as_array().size(), 1u);
  EXPECT_EQ(rest["EventBuses"].as_array()[0].at("Name").as_string(), "orders");
  EXPECT_EQ(ok("ListEventBuses", {{"NamePrefix", "or"}})["EventBuses"].as_array().size(), 1u);
  EXPECT_EQ(error("DeleteEventBus", {{"Name", "default"}}).type, "ValidationException");
  ok("DeleteEventBus", {{"Name", "orders"}});
  ok("DeleteEventBus", {{"Name", "orders"}});  // gone already: no error, as AWS
  EXPECT_EQ(error("DescribeEventBus", {{"Name", "orders"}}).type, "ResourceNotFoundException");
}

TEST_F(EventsTest, PutEventsChecksEachEntry) {
  auto out = put(json::array{entry(R"({"id": 1})"), entry(R"("jsonstring")"),
                             entry(R"({"a":1})", ""), entry(R"({"a":1})", "s", ""),
                             json::object{{"Source", "s"}, {"DetailType", "t"}}, entry("{not json"),
                             entry("{}", "aws.s3")});
  EXPECT_EQ(out["FailedEntryCount"].as_int64(), 6);
  const auto& e = out["Entries"].as_array();
  ASSERT_EQ(e.size(), 7u);
  EXPECT_TRUE(e[0].as_object().contains("EventId"));
  EXPECT_EQ(e[1].at("ErrorCode").as_string(), "MalformedDetail");
  EXPECT_EQ(e[1].at("ErrorMessage").as_string(), "Detail is malformed.");
  EXPECT_EQ(e[2].at("ErrorMessage").as_string(),
            "Parameter Source is not valid. Reason: Source is a required argument.");
  EXPECT_EQ(e[3].at("ErrorMessage").as_string(),
            "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
  EXPECT_EQ(e[4].at("ErrorCode").as_string(), "InvalidArgument");
  EXPECT_EQ(e[5].at("ErrorCode").as_string(), "MalformedDetail");
  EXPECT_EQ(e[6].at("ErrorCode").as_string(), "NotAuthorizedForSourceException");
  auto missing_bus = entry("{}");
  missing_bus["EventBusName"] = "nope";
  EXPECT_EQ(put(json::array{missing_bus})["Entries"].as_array()[0].at("ErrorCode").as_string(),
            "ResourceNotFoundException");
  // Request-level limits: 1-10 entries, 256 KiB in all.
  EXPECT_EQ(error("PutEvents", {{"Entries", json::array{}}}).type, "ValidationException");
  json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(entry("{}"));
  EXPECT_EQ(error("PutEvents", {{"Entries", eleven}}).type, "ValidationException");
  const std::string big = R"({"x":")" + std::string(130 * 1024, 'a') + R"("})";
  EXPECT_EQ(error("PutEvents", {{"Entries", json::array{entry(big), entry(big)}}}).type,
            "ValidationException");
  EXPECT_EQ(put(json::array{entry(big)})["FailedEntryCount"].as_int64(), 0);
  EXPECT_EQ(error("PutEvents", {}).type, "ValidationException");
}

// Found by fuzz_events_request: a Time in epoch seconds past int64's milliseconds overflowed a
// cast. A number outside the years 0001-9999 is refused like any unreadable Time.
TEST_F(EventsTest, PutEventsRefusesATimeOutsideTheYearsATimestampCanSpell) {
  json::array entries;
  for (double t : {3.2e42, -3.2e42, 253402300800.0, 1.6e9}) {
    auto e = entry("{}");
    e["Time"] = t;
    entries.push_back(e);
  }
  auto out = put(entries);
  EXPECT_EQ(out["FailedEntryCount"].as_int64(), 3);
  const auto& e = out["Entries"].as_array();
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(e[i].at("ErrorCode").as_string(), "InvalidArgument") << i;
  EXPECT_TRUE(e[3].as_object().contains("EventId"));
}

TEST_F(EventsTest, AcceptedEventsAreLoggedAndPublished) {
  std::vector<StoredEvent> seen;
  const auto id = events_.subscribe([&](const std::vector<StoredEvent>& batch) {
    for (const auto& e : batch) seen.push_back(e);
  });
  ASSERT_NE(id, 0u);
  ok("CreateEventBus", {{"Name", "orders"}});
  auto on_orders = entry(R"({"n":2})");
  on_orders["EventBusName"] = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
  on_orders["Resources"] = json::array{"arn:aws:s3:::b"};
  on_orders["Time"] = 1'600'000'000;
  auto out = put(json::array{entry(R"({"n":1})"), on_orders, entry(R"({"n":3})")});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].bus, "default");
  EXPECT_EQ(seen[0].seq, 1u);
  EXPECT_EQ(seen[1].bus, "orders");
  EXPECT_EQ(seen[1].seq, 1u);
  EXPECT_EQ(seen[2].seq, 2u);
  EXPECT_EQ(seen[0].id, out["Entries"].as_array()[0].at("EventId").as_string());
  auto event = seen[1].to_json();
  EXPECT_EQ(event["time"].as_string(), "2020-09-13T12:26:40Z");
  EXPECT_EQ(event["detail"].at("n").as_int64(), 2);
  EXPECT_EQ(event["resources"].as_array()[0].as_string(), "arn:aws:s3:::b");
  EXPECT_EQ(event["detail-type"].as_string(), "OrderPlaced");
  EXPECT_EQ(event["account"].as_string(), "123456789012");
  auto after_first = events_.read("default", 1, 10);
  ASSERT_EQ(after_first.size(), 1u);
  EXPECT_EQ(after_first[0].detail, R"({"n":3})");
  EXPECT_EQ(events_.last_seq("default"), 2u);
  events_.unsubscribe(id);
  put(json::array{entry("{}")});
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(events_.last_seq("default"), 3u);

  // Read back: buses, the log and the numbering carry on.
  Events again(EventsOptions{.clock = clock_, .log = log_, .id_seed = 4});
  std::size_t damaged = 9;
  ASSERT_TRUE(again.load(&damaged).ok());
  EXPECT_EQ(damaged, 0u);
  EXPECT_EQ(again.last_seq("default"), 3u);
  EXPECT_EQ(again.read("orders", 0, 10).size(), 1u);
  EXPECT_EQ(again.read("default", 0, 10)[1].detail, R"({"n":3})");
}

TEST_F(EventsTest, PutEventsParametersAsStepFunctionsSendsThem) {
  tasks::TaskRequest request;
  request.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
  request.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  request.parameters =
      json::object{{"Entries", json::array{json::object{{"Detail", json::object{{"Message", "hi"}}},
                                                        {"Source", "s"},
                                                        {"DetailType", "t"}}}}};
  auto params = put_events_parameters(request);
  const auto& e = params.at("Entries").as_array()[0].as_object();
  EXPECT_EQ(e.at("Detail").as_string(), R"({"Message":"hi"})");
  ASSERT_EQ(e.at("Resources").as_array().size(), 2u);
  EXPECT_EQ(e.at("Resources").as_array()[1].as_string(), request.execution_arn);
}

TEST_F(EventsTest, TestEventPatternAnswersResultOrAwsErrors) {
  const std::string event =
      R"({"id": "1", "source": "order", "detail-type": "Test", "account": "123456789012",)"
      R"( "region": "us-east-1", "time": "2022-07-13T13:48:01Z", "detail": {"n": 300.0}})";
  auto yes =
      ok("TestEventPattern",
         {{"EventPattern", R"({"source": ["order"], "detail": {"n": [300]}})"}, {"Event", event}});
  EXPECT_EQ(yes["Result"], json::value(true));
  auto no = ok("TestEventPattern", {{"EventPattern", R"({"source": ["ship"]})"}, {"Event", event}});
  EXPECT_EQ(no["Result"], json::value(false));

  auto bad = error("TestEventPattern", {{"EventPattern", R"({"a": 42})"}, {"Event", event}});
  EXPECT_EQ(bad.type, "InvalidEventPatternException");
  EXPECT_EQ(bad.message, "Event pattern is not valid. Reason: \"a\" must be an object or an array");
  auto bad_event =
      error("TestEventPattern", {{"EventPattern", R"({"a": [1]})"}, {"Event", R"({"id": "1"})"}});
  EXPECT_EQ(bad_event.type, "ValidationException");
  EXPECT_EQ(bad_event.message, "Parameter Event is not valid.");
  EXPECT_EQ(error("TestEventPattern", {{"Event", event}}).type, "ValidationException");
  EXPECT_EQ(error("TestEventPattern", {{"EventPattern", 1}, {"Event", event}}).type,
            "ValidationException");
  auto too_long =
      error("TestEventPattern", {{"EventPattern", std::string(4097, ' ')}, {"Event", event}});
  EXPECT_NE(too_long.message.find("length less than or equal to 4096"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::services::events
