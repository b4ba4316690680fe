// sqs:sendMessage's argument shapes: SendMessage takes MessageBody as text; Step Functions'
// optimized integration accepts any JSON there and sends what is not text as its JSON text
// (recorded: service_integrations__test_send_message* and the callbacks cases).
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/event_loop.h"
#include "services/common/recording_dispatcher.h"
#include "services/sqs/sqs_service.h"

namespace stepwise::services::sqs {
namespace {

std::string sent_body(json::value body) {
  RecordingDispatcher sqs(json::object{{"MessageId", "m"}, {"MD5OfMessageBody", "x"}});
  SendMessageRunner runner(sqs, 1);
  ManualClock clock(0);
  EventLoop loop(clock);
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::sqs:sendMessage";
  r.parameters = json::object{{"QueueUrl", "q"}, {"MessageBody", std::move(body)}};
  bool answered = false;
  runner.start(r, loop, [&](tasks::TaskOutcome o) { answered = o.succeeded; });
  loop.run();
  EXPECT_TRUE(answered);
  if (sqs.calls.size() != 1) return "<" + std::to_string(sqs.calls.size()) + " calls>";
  EXPECT_EQ(sqs.calls[0].first, "SendMessage");
  const json::value& b = sqs.calls[0].second.at("MessageBody");
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
  EXPECT_EQ(sent_body(nullptr), "null");
}

}  // namespace
}  // namespace stepwise::services::sqs
