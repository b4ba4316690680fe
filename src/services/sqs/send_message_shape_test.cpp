// sqs:sendMessage's argument shapes: SendMessage takes MessageBody as text; Step Functions'
// optimized integration accepts any JSON there and sends what is not text as its JSON text
// (recorded: service_integrations__test_send_message* and the callbacks cases), leaves a null
// one out (SQS then answers MissingParameter), and fails a QueueUrl whose host cannot resolve
// before any call (recorded: LocalStack's error_handling test_task_service_sqs, AWS snapshots
// of test_send_message_empty_body and test_send_message_no_such_queue[_no_catch]).
#include <gtest/gtest.h>

#include <optional>

#include "base/clock.h"
#include "base/event_loop.h"
#include "services/common/record_log.h"
#include "services/common/recording_dispatcher.h"
#include "services/common/timers.h"
#include "services/sqs/sqs_service.h"
#include "services/sqs/sqs_test_support.h"
#include "tasks/integrations.h"

namespace stepwise::services::sqs {
namespace {

// The SendMessage request an sqs:sendMessage with `body` makes (null: no call was made).
std::optional<json::object> sent_request(json::value body) {
  RecordingDispatcher sqs(json::object{{"MessageId", "m"}, {"MD5OfMessageBody", "x"}});
  SendMessageRunner runner(sqs, 1);
  ManualClock clock(0);
  EventLoop loop(clock);
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::sqs:sendMessage";
  r.parameters = json::object{{"QueueUrl", "q"}, {"MessageBody", std::move(body)}};
  runner.start(r, loop, [](tasks::TaskOutcome) {});
  loop.run();
  EXPECT_EQ(sqs.calls.size(), 1u);
  if (sqs.calls.size() != 1) return std::nullopt;
  EXPECT_EQ(sqs.calls[0].first, "SendMessage");
  return sqs.calls[0].second.get_object();
}

std::string sent_body(json::value body) {
  auto request = sent_request(std::move(body));
  if (!request) return "<no call>";
  const json::value& b = request->at("MessageBody");
  return b.is_string() ? std::string(b.get_string()) : "<not text: " + json::dump(b) + ">";
}

TEST(SendMessageShape, TextIsSentAsItIs) {
  EXPECT_EQ(sent_body("plain"), "plain");
  EXPECT_EQ(sent_body(R"({"a":1})"), R"({"a":1})");  // text that looks like JSON stays text
}

TEST(SendMessageShape, AnythingElseIsSentAsItsJsonText) {
  EXPECT_EQ(sent_body(json::object{{"Context", json::object{{"k", 1}}}, {"T", "tok"}}),
            R"({"Context":{"k":1},"T":"tok"})");
  EXPECT_EQ(sent_body(json::array{1, "two"}), R"([1,"two"])");
  EXPECT_EQ(sent_body(42), "42");
  EXPECT_EQ(sent_body(true), "true");
}

TEST(SendMessageShape, NullIsLeftOut) {
  auto request = sent_request(nullptr);
  ASSERT_TRUE(request.has_value());
  EXPECT_FALSE(request->contains("MessageBody"));
}

// One sqs:sendMessage on the built-in SQS, which holds the queue "q".
tasks::TaskOutcome send_to_builtin(json::object params) {
  BuiltinSqs sqs;
  const std::string url = sqs.create_queue("q");
  if (!params.contains("QueueUrl")) params["QueueUrl"] = url;
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::sqs:sendMessage";
  r.parameters = std::move(params);
  EventLoop loop(sqs.clock);
  std::optional<tasks::TaskOutcome> out;
  sqs.registry.any_loop_runner(r)->start(r, loop,
                                         [&](tasks::TaskOutcome o) { out = std::move(o); });
  loop.run();
  EXPECT_TRUE(out.has_value());
  return out.value_or(tasks::TaskOutcome{});
}

TEST(SendMessageShape, NullBodyFailsAsAwsDoes) {
  tasks::TaskOutcome o = send_to_builtin(json::object{{"MessageBody", nullptr}});
  EXPECT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "SQS.AmazonSQSException");
  EXPECT_TRUE(
      o.cause.starts_with("The request must contain the parameter MessageBody. "
                          "(Service: AmazonSQS; Status Code: 400; "
                          "Error Code: MissingParameter; Request ID: "))
      << o.cause;
}

TEST(SendMessageShape, AQueueUrlWhoseHostCannotResolveFailsBeforeTheCall) {
  tasks::TaskOutcome o = send_to_builtin(
      json::object{{"QueueUrl", "http://no-such-queue-73e08fde"}, {"MessageBody", "m"}});
  EXPECT_FALSE(o.succeeded);
  EXPECT_EQ(o.error, "SQS.SdkClientException");
  EXPECT_EQ(o.cause,
            "Unable to execute HTTP request: no-such-queue-73e08fde: Name or service not known");
}

TEST(SendMessageShape, OtherUnknownQueueUrlsStayQueueDoesNotExist) {
  // A queue path on any host (an emulator's docker host name) and a dotted host reach SQS.
  for (const char* url : {"http://stepwise:8083/123456789012/nope",
                          "http://sqs.us-east-1.amazonaws.com", "http://localhost:9"}) {
    tasks::TaskOutcome o = send_to_builtin(json::object{{"QueueUrl", url}, {"MessageBody", "m"}});
    EXPECT_EQ(o.error, "SQS.QueueDoesNotExistException") << url;
  }
}

}  // namespace
}  // namespace stepwise::services::sqs
