// sns:publish's argument shapes: Publish takes Message as text; Step Functions' optimized
// integration accepts any JSON there and publishes what is not text as its JSON text
// (recorded: service_integrations__test_publish_message_attributes[~7b~7d] and siblings).
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/event_loop.h"
#include "services/common/recording_dispatcher.h"
#include "services/sns/sns_service.h"

namespace stepwise::services::sns {
namespace {

std::string published(json::value message) {
  RecordingDispatcher sns(json::object{{"MessageId", "m"}});
  PublishRunner runner(sns, 1);
  ManualClock clock(0);
  EventLoop loop(clock);
  tasks::TaskRequest r;
  r.resource = "arn:aws:states:::sns:publish";
  r.parameters = json::object{{"TopicArn", "arn:aws:sns:us-east-1:111111111111:t"},
                              {"Message", std::move(message)}};
  bool answered = false;
  runner.start(r, loop, [&](tasks::TaskOutcome o) { answered = o.succeeded; });
  loop.run();
  EXPECT_TRUE(answered);
  if (sns.calls.size() != 1) return "<" + std::to_string(sns.calls.size()) + " calls>";
  EXPECT_EQ(sns.calls[0].first, "Publish");
  const json::value& m = sns.calls[0].second.at("Message");
  return m.is_string() ? std::string(m.get_string()) : "<not text: " + json::dump(m) + ">";
}

TEST(PublishShape, TextIsPublishedAsItIs) {
  EXPECT_EQ(published("HelloWorld"), "HelloWorld");
  EXPECT_EQ(published("{}"), "{}");
}

TEST(PublishShape, AnythingElseIsPublishedAsItsJsonText) {
  EXPECT_EQ(published(json::object{}), "{}");
  EXPECT_EQ(published(json::object{{"x", json::array{1, 2}}}), R"({"x":[1,2]})");
  EXPECT_EQ(published(1.5), "1.5");
  EXPECT_EQ(published(false), "false");
}

}  // namespace
}  // namespace stepwise::services::sns
