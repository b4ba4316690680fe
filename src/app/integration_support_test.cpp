// Unsupported integrations: found at every nesting level, named with what is supported, refused
// at CreateStateMachine/UpdateStateMachine by the guard `stepwise serve` puts before the Service.
#include "app/integration_support.h"

#include <gtest/gtest.h>

#include <optional>

#include "app/builtin_services.h"
#include "asl/compile.h"
#include "base/clock.h"
#include "integrations/catalog.h"
#include "tasks/mock_config.h"

namespace stepwise::app {
namespace {

constexpr const char* kNested =
    R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[)"
    R"({"StartAt":"Send","States":{"Send":{"Type":"Task",)"
    R"("Resource":"arn:aws:states:::athena:startQueryExecution","End":true}}},)"
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
  EXPECT_EQ(found[0].integration, "athena:startQueryExecution");
  EXPECT_TRUE(unsupported_tasks(**machine, s.registry, {"Send"}).empty());
  const std::string supported = supported_integrations(s.registry);
  for (const char* name : {"lambda:invoke", "http:invoke", "batch:submitJob", "activity",
                           "states:startExecution", "aws-sdk:sfn:*"})
    EXPECT_NE(supported.find(name), std::string::npos) << name << " in " << supported;
  // The built-in services' integrations count, without the services running.
  for (const char* name : {"sqs:sendMessage", "aws-sdk:sqs:*", "sns:publish", "aws-sdk:sns:*"})
    EXPECT_NE(supported.find(name), std::string::npos) << name << " in " << supported;
  EXPECT_EQ(supported.find("athena:"), std::string::npos) << supported;
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
    EXPECT_EQ(
        r.error().message.rfind("Invalid State Machine Definition: 'UnsupportedIntegration:", 0),
        0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find("state 'Send' (athena:startQueryExecution"),
              std::string::npos);
    EXPECT_NE(r.error().message.find("Supported integrations: lambda:function"), std::string::npos);
    EXPECT_EQ(next.last, "");
  }
  // What it can run, anything else, and definitions the Service must judge pass through.
  EXPECT_FALSE(call(guard, "CreateStateMachine", {{"definition", kLambdaOnly}}).is_error());
  EXPECT_EQ(next.last, "CreateStateMachine");
  EXPECT_FALSE(call(guard, "StartExecution", {{"stateMachineArn", "x"}}).is_error());
  EXPECT_EQ(next.last, "StartExecution");
  EXPECT_FALSE(call(guard, "CreateStateMachine", {{"definition", "not json"}}).is_error());
}

// builtin_integration_names() is what validate/run/create count as supported without starting
// the services: it must be exactly what each running service registers.
TEST(BuiltinIntegrationNames, MatchWhatTheRunningServicesRegister) {
  ManualClock clock(1'700'000'000'000);
  BuiltinServicesOptions options{.clock = clock,
                                 .place = {"us-east-1", "123456789012", "http://localhost:1"},
                                 .database = {},  // in memory
                                 .enabled = builtin_service_names()};
  auto services = BuiltinServices::open(options);
  ASSERT_TRUE(services.ok()) << services.error().cause;
  tasks::IntegrationRegistry live;
  ASSERT_TRUE((*services)->add_integrations(live).ok());
  tasks::IntegrationRegistry named;
  tasks::MockRunner placeholder{tasks::MockTestCase{}, nullptr};
  for (const auto& service : builtin_service_names()) {
    for (const auto& name : builtin_integration_names(service)) {
      tasks::TaskRequest probe;  // aws-sdk:<service>:* answers for every action
      probe.resource = "arn:aws:states:::" +
                       (name.ends_with(":*") ? name.substr(0, name.size() - 1) + "probe" : name);
      EXPECT_NE(live.runner_for(probe), nullptr) << service << " does not register " << name;
      ASSERT_TRUE(named.add(name, &placeholder).ok()) << name;
    }
  }
  // Nothing registered live that the list leaves out (every optimized integration AWS has).
  for (const auto& entry : integrations::catalog()) {
    if (live.runner_named(entry.name) != nullptr) {
      EXPECT_NE(named.runner_named(entry.name), nullptr) << entry.name << " missing from the list";
    }
  }
  (*services)->stop();
}

}  // namespace
}  // namespace stepwise::app
