// Unsupported integrations: found at every nesting level, named with what is supported, refused
// at CreateStateMachine/UpdateStateMachine by the guard `stepwise serve` puts before the Service.
#include "app/integration_support.h"

#include <gtest/gtest.h>

#include <optional>

#include "asl/compile.h"
#include "tasks/mock_config.h"

namespace stepwise::app {
namespace {

constexpr const char* kNested =
    R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[)"
    R"({"StartAt":"Send","States":{"Send":{"Type":"Task",)"
    R"("Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}},)"
    R"({"StartAt":"Fn","States":{"Fn":{"Type":"Task",)"
    R"("Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}]}}})";

constexpr const char* kLambdaOnly =
    R"({"StartAt":"Fn","States":{"Fn":{"Type":"Task",)"
    R"("Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}})";

struct Server {
  tasks::IntegrationRegistry registry;
  tasks::MockRunner placeholder{tasks::MockTestCase{}, nullptr};
  Server() { EXPECT_TRUE(register_server_integrations(registry, &placeholder).ok()); }
};

TEST(IntegrationSupport, FindsUnsupportedTasksInBranchesAndSkipsMockedOnes) {
  Server s;
  auto machine = asl::compile_text(kNested);
  ASSERT_TRUE(machine.ok()) << machine.error().cause;
  auto found = unsupported_tasks(**machine, s.registry);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].state, "Send");
  EXPECT_EQ(found[0].integration, "sqs:sendMessage.waitForTaskToken");
  EXPECT_TRUE(unsupported_tasks(**machine, s.registry, {"Send"}).empty());
  const std::string supported = supported_integrations(s.registry);
  for (const char* name : {"lambda:invoke", "http:invoke", "batch:submitJob", "activity",
                           "states:startExecution", "aws-sdk:sfn:*"})
    EXPECT_NE(supported.find(name), std::string::npos) << name << " in " << supported;
  EXPECT_EQ(supported.find("sqs:"), std::string::npos) << supported;
}

// What the guard passes on: a table that records the calls it got.
class Recorder final : public api::Dispatcher {
 public:
  void dispatch(std::string_view operation, json::value, const api::RequestInfo&,
                api::Reply reply) override {
    last = std::string(operation);
    reply(json::object{{"ok", true}});
  }
  std::string last;
};

api::Response call(api::Dispatcher& d, const char* operation, json::object request) {
  std::optional<api::Response> answer;
  d.dispatch(operation, json::value(std::move(request)), api::RequestInfo{},
             [&](api::Response r) { answer = std::move(r); });
  return std::move(*answer);
}

TEST(UnsupportedIntegrationGuard, RefusesCreateAndUpdateNamingWhatIsSupported) {
  Server s;
  Recorder next;
  UnsupportedIntegrationGuard guard(next, s.registry);
  for (const char* op : {"CreateStateMachine", "UpdateStateMachine"}) {
    api::Response r = call(guard, op, json::object{{"name", "m"}, {"definition", kNested}});
    ASSERT_TRUE(r.is_error()) << op;
    EXPECT_EQ(r.error().type, "InvalidDefinition");
    EXPECT_EQ(r.error().message.rfind("Invalid State Machine Definition: 'UnsupportedIntegration:",
                                      0),
              0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find("state 'Send' (sqs:sendMessage.waitForTaskToken"),
              std::string::npos);
    EXPECT_NE(r.error().message.find("Supported integrations: lambda:function"),
              std::string::npos);
    EXPECT_EQ(next.last, "");
  }
  // What it can run, anything else, and definitions the Service must judge pass through.
  EXPECT_FALSE(call(guard, "CreateStateMachine", {{"definition", kLambdaOnly}}).is_error());
  EXPECT_EQ(next.last, "CreateStateMachine");
  EXPECT_FALSE(call(guard, "StartExecution", {{"stateMachineArn", "x"}}).is_error());
  EXPECT_EQ(next.last, "StartExecution");
  EXPECT_FALSE(call(guard, "CreateStateMachine", {{"definition", "not json"}}).is_error());
}

}  // namespace
}  // namespace stepwise::app
