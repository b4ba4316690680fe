// The idempotency key of a call reaches every kind of local function and job, and runners say
// whether a re-dispatch after a crash may repeat an effect (redispatch_has_effects).
#include <gtest/gtest.h>

#include <optional>

#include "base/clock.h"
#include "base/event_loop.h"
#include "tasks/functions.h"
#include "tasks/integrations.h"
#include "tasks/job_runner.h"
#include "tasks/mock_config.h"
#include "tasks/test_http_server.h"
#include "tasks/test_run.h"

namespace stepwise::tasks {
namespace {

const char* kKey = "arn:aws:states:us-east-1:111111111111:execution:sm:run:2:1";

TaskRequest invoke(const std::string& name) {
  TaskRequest r;
  r.resource = "arn:aws:states:::lambda:invoke";
  r.parameters = json::object{{"FunctionName", name}, {"Payload", json::object{{"x", 1}}}};
  r.execution_arn = "arn:aws:states:us-east-1:111111111111:execution:sm:run";
  r.state_name = "S";
  r.idempotency_key = kKey;
  return r;
}

using testing::run_one;

std::string payload_text(const TaskOutcome& o) {
  if (!o.succeeded) return "failed: " + o.error + " " + o.cause;
  return json::dump(o.output.at("Payload"));
}

TEST(IdempotencyKey, CommandFunctionSeesItInItsEnvironment) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "cmd";
  s.argv = {"/bin/sh", "-c", "printf '\"%s\"' \"$STEPWISE_IDEMPOTENCY_KEY\""};
  // A configured variable of the same name does not hide the call's key.
  s.env = {{"STEPWISE_IDEMPOTENCY_KEY", "configured"}};
  ASSERT_TRUE(runner.add(s).ok());
  EXPECT_EQ(payload_text(run_one(runner, invoke("cmd"))), json::quote(kKey));
}

TEST(IdempotencyKey, CommandFunctionWithoutKeyHasNoVariable) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "cmd";
  s.argv = {"/bin/sh", "-c", "printf '\"%s\"' \"${STEPWISE_IDEMPOTENCY_KEY-unset}\""};
  ASSERT_TRUE(runner.add(s).ok());
  TaskRequest r = invoke("cmd");
  r.idempotency_key.clear();
  EXPECT_EQ(payload_text(run_one(runner, r)), "\"unset\"");
}

TEST(IdempotencyKey, WorkerFunctionGetsItInTheRequestLine) {
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "w";
  s.kind = FunctionKind::worker;
  s.argv = {"python3", "-u", "-c", R"(
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    print(json.dumps({"id": req["id"], "result": req.get("idempotencyKey")}), flush=True)
)"};
  s.timeout_ms = 5000;
  ASSERT_TRUE(runner.add(s).ok());
  EXPECT_EQ(payload_text(run_one(runner, invoke("w"))), json::quote(kKey));
}

TEST(IdempotencyKey, UrlFunctionGetsAnIdempotencyKeyHeader) {
  testing::TestHttpServer server([](const testing::TestRequest& req) {
    testing::TestResponse r;
    auto it = req.headers.find("idempotency-key");
    r.body = json::quote(it == req.headers.end() ? "none" : it->second);
    return r;
  });
  FunctionRunner runner;
  FunctionSpec s;
  s.name = "remote";
  s.kind = FunctionKind::url;
  s.url = server.url("/fn");
  ASSERT_TRUE(runner.add(s).ok());
  EXPECT_EQ(payload_text(run_one(runner, invoke("remote"))), json::quote(kKey));
}

// A runner that says nothing about re-dispatch: TaskRunner's default.
struct Plain final : TaskRunner {
  void start(const TaskRequest&, EventLoop&, TaskDone) override {}
};
struct NoEffects final : TaskRunner {
  void start(const TaskRequest&, EventLoop&, TaskDone) override {}
  bool redispatch_has_effects(const TaskRequest&) const override { return false; }
};

TEST(IdempotencyKey, RegistryAnswersForTheRegisteredRunnerAndNoRunnerHasNoEffect) {
  Plain functions;
  NoEffects activities;
  IntegrationRegistry router;
  ASSERT_TRUE(router.add("lambda:invoke", &functions).ok());
  ASSERT_TRUE(router.add("activity", &activities).ok());
  EXPECT_TRUE(router.redispatch_has_effects(invoke("f")));
  TaskRequest act;
  act.resource = "arn:aws:states:us-east-1:111111111111:activity:a";
  EXPECT_FALSE(router.redispatch_has_effects(act));
  TaskRequest http;
  http.resource = "arn:aws:states:::http:invoke";  // not routed: it would only fail
  EXPECT_FALSE(router.redispatch_has_effects(http));
}

TEST(IdempotencyKey, MockedStatesHaveNoEffectUnmockedOnesAskTheFallback) {
  auto config = parse_mock_config(R"({
    "StateMachines": {"m": {"TestCases": {"t": {"Mocked": "R"}}}},
    "MockedResponses": {"R": {"0": {"Return": {"ok": 1}}}}})");
  ASSERT_TRUE(config.ok()) << config.error().cause;
  auto tc = config->test_case("m", "t");
  ASSERT_TRUE(tc.ok()) << tc.error().cause;
  Plain fallback;
  MockRunner mocks(*tc, &fallback);
  TaskRequest mocked = invoke("f");
  mocked.state_name = "Mocked";
  EXPECT_FALSE(mocks.redispatch_has_effects(mocked));
  EXPECT_TRUE(mocks.redispatch_has_effects(invoke("f")));
  MockRunner alone(*tc, nullptr);
  EXPECT_FALSE(alone.redispatch_has_effects(invoke("f")));
}

}  // namespace
}  // namespace stepwise::tasks
