#include "tasks/mock_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/clock.h"
#include "base/event_loop.h"

namespace stepwise::tasks {
namespace {

const char* kConfig = R"({
  "StateMachines": {
    "LambdaSQSIntegration": {
      "TestCases": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
        "RetryPath": {"LambdaState": "MockedLambdaRetry"}
      }
    }
  },
  "MockedResponses": {
    "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "hi"}}}},
    "MockedSQSSuccess": {"0": {"Return": {"MessageId": "m-1"}}},
    "MockedLambdaRetry": {
      "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
      "1-2": {"Throw": {"Error": "Lambda.TimeoutException"}},
      "3": {"Return": {"StatusCode": 200, "Payload": "done"}}
    }
  }
})";

// A fallback that records what reached it.
class Recorder : public TaskRunner {
 public:
  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override {
    seen.push_back(request.state_name);
    loop.post([done] { done(TaskOutcome::success(json::value("real"))); });
  }
  std::vector<std::string> seen;
};

MockTestCase test_case(const std::string& name) {
  auto config = parse_mock_config(kConfig);
  EXPECT_TRUE(config.ok()) << config.error().cause;
  auto tc = config->test_case("LambdaSQSIntegration", name);
  EXPECT_TRUE(tc.ok()) << tc.error().cause;
  return tc.value();
}

TaskOutcome call(TaskRunner& runner, const std::string& state, const std::string& resource,
                 const std::string& execution = "exec-1") {
  ManualClock clock(0);
  EventLoop loop(clock);
  TaskRequest r;
  r.state_name = state;
  r.resource = resource;
  r.execution_arn = execution;
  TaskOutcome out = TaskOutcome::failure("none", "");
  int calls = 0;
  runner.start(r, loop, [&](TaskOutcome o) {
    out = std::move(o);
    ++calls;
  });
  EXPECT_EQ(calls, 0) << "done must not run inside start()";
  loop.run();
  EXPECT_EQ(calls, 1);
  return out;
}

const char* kInvoke = "arn:aws:states:::lambda:invoke";
const char* kFnArn = "arn:aws:lambda:us-east-1:111111111111:function:f";

TEST(MockConfig, LambdaInvokeGetsTheWholeMockedResponse) {
  MockRunner runner(test_case("HappyPath"), nullptr);
  auto o = call(runner, "LambdaState", kInvoke);
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(json::dump(o.output), R"({"StatusCode":200,"Payload":{"body":"hi"}})");
}

TEST(MockConfig, FunctionArnGetsThePayloadOnly) {
  MockRunner runner(test_case("HappyPath"), nullptr);
  auto o = call(runner, "LambdaState", kFnArn);
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(json::dump(o.output), R"({"body":"hi"})");
}

TEST(MockConfig, SyncAndCallbackResourcesTakeReturnAtOnce) {
  MockRunner runner(test_case("HappyPath"), nullptr);
  auto o = call(runner, "SQSState", "arn:aws:states:::sqs:sendMessage.waitForTaskToken");
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(json::dump(o.output), R"({"MessageId":"m-1"})");
}

TEST(MockConfig, RangesFollowTheInvocationCounterAndTheLastRepeats) {
  MockRunner runner(test_case("RetryPath"), nullptr);
  std::vector<std::string> got;
  for (int i = 0; i < 6; ++i) {
    auto o = call(runner, "LambdaState", kInvoke);
    got.push_back(o.succeeded ? json::dump(o.output.at("Payload")) : o.error);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"Lambda.ResourceNotReadyException",
                                           "Lambda.TimeoutException", "Lambda.TimeoutException",
                                           "\"done\"", "\"done\"", "\"done\""}));
}

TEST(MockConfig, ThrowCauseIsOptional) {
  MockRunner runner(test_case("RetryPath"), nullptr);
  auto first = call(runner, "LambdaState", kInvoke);
  EXPECT_TRUE(first.has_cause);
  EXPECT_EQ(first.cause, "not ready");
  auto second = call(runner, "LambdaState", kInvoke);
  EXPECT_FALSE(second.has_cause);
}

TEST(MockConfig, CountersArePerExecution) {
  MockRunner runner(test_case("RetryPath"), nullptr);
  EXPECT_EQ(call(runner, "LambdaState", kInvoke, "a").error, "Lambda.ResourceNotReadyException");
  EXPECT_EQ(call(runner, "LambdaState", kInvoke, "b").error, "Lambda.ResourceNotReadyException");
  EXPECT_EQ(call(runner, "LambdaState", kInvoke, "a").error, "Lambda.TimeoutException");
  runner.forget_execution("a");
  EXPECT_EQ(call(runner, "LambdaState", kInvoke, "a").error, "Lambda.ResourceNotReadyException");
}

TEST(MockConfig, UnmockedStatesRunOnTheFallback) {
  Recorder real;
  MockRunner runner(test_case("RetryPath"), &real);
  auto o = call(runner, "SQSState", "arn:aws:states:::sqs:sendMessage");
  ASSERT_TRUE(o.succeeded);
  EXPECT_EQ(o.output.as_string(), "real");
  EXPECT_EQ(real.seen, std::vector<std::string>{"SQSState"});
}

TEST(MockConfig, UnknownMachineOrTestCaseIsAnError) {
  auto config = parse_mock_config(kConfig).value();
  EXPECT_FALSE(config.test_case("Nope", "HappyPath").ok());
  auto tc = config.test_case("LambdaSQSIntegration", "Nope");
  ASSERT_FALSE(tc.ok());
  EXPECT_NE(tc.error().cause.find("'Nope'"), std::string::npos);
}

TEST(MockConfig, MalformedConfigsAreRejectedWithWhere) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c : std::initializer_list<Case>{
           {R"({"MockedResponses": {"R": {"x": {"Return": 1}}}})", "MockedResponses.R.x"},
           {R"({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {}}}}})", "R.0"},
           {R"({"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}})", "R.0.Throw"},
           {R"({"MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 2}}}})",
            "consecutive"},
           {R"({"MockedResponses": {"R": {"2-1": {"Return": 1}}}})", "R.2-1"},
           {R"({"StateMachines": {"M": {"TestCases": {"T": {"S": 3}}}}})", "T.S"},
           {R"([1])", "top level"},
           {R"({"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}}})", nullptr},
       }) {
    auto config = parse_mock_config(c.text);
    if (c.where == nullptr) {
      ASSERT_TRUE(config.ok());
      auto tc = config->test_case("M", "T");
      ASSERT_FALSE(tc.ok());
      EXPECT_NE(tc.error().cause.find("undefined mocked response 'Missing'"), std::string::npos);
      continue;
    }
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().name, "MockConfig");
    EXPECT_NE(config.error().cause.find(c.where), std::string::npos) << config.error().cause;
  }
}

TEST(MockConfig, LoadsATestCaseFromAFile) {
  auto path = std::filesystem::temp_directory_path() / "stepwise_mock_config_test.json";
  std::ofstream(path) << kConfig;
  auto tc = load_mock_test_case(path.string(), "LambdaSQSIntegration", "HappyPath");
  ASSERT_TRUE(tc.ok()) << tc.error().cause;
  EXPECT_EQ(tc->states.size(), 2u);
  auto missing = load_mock_test_case(path.string(), "Other", "HappyPath");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().cause.find(path.string()), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace stepwise::tasks
