// Engine behaviour: every state type, I/O processing, retry/catch, timers on a ManualClock,
// Parallel/Map, and the history shapes AWS records.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "asl/compile.h"
#include "engine/failure_limits.h"
#include "engine/run.h"
#include "engine/run_text_for_tests.h"

namespace stepwise::engine {
namespace {

// A TaskRunner answering from a table of handlers, optionally after a (virtual) delay.
class FakeRunner : public tasks::TaskRunner {
 public:
  using Handler = std::function<tasks::TaskOutcome(const tasks::TaskRequest&)>;
  void on(const std::string& resource, Handler h, Millis delay_ms = 0) {
    handlers_[resource] = {std::move(h), delay_ms};
  }
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override {
    requests.push_back(request);
    auto it = handlers_.find(request.resource);
    if (it == handlers_.end()) {
      done(tasks::TaskOutcome::failure("States.TaskFailed", "no handler"));
      return;
    }
    tasks::TaskOutcome out = it->second.first(request);
    if (it->second.second == 0) {
      done(std::move(out));
      return;
    }
    loop.schedule_at(loop.clock().now_ms() + it->second.second,
                     [done, out]() mutable { done(std::move(out)); });
  }
  void cancel(const tasks::TaskRequest&) override { ++cancelled; }

  std::vector<tasks::TaskRequest> requests;
  int cancelled = 0;

 private:
  std::map<std::string, std::pair<Handler, Millis>> handlers_;
};

constexpr Millis kStart = 1700000000000;
const char* kLambda = "arn:aws:lambda:us-east-1:123456789012:function:fn";
const char* kInvoke = "arn:aws:states:::lambda:invoke";

struct Harness {
  ManualClock clock{kStart};
  IdGenerator ids{42};
  FakeRunner runner;
  RunOptions opts;
  Harness() {
    opts.clock = &clock;
    opts.ids = &ids;
    opts.tasks = &runner;
    opts.execution_name = "exec";
    opts.state_machine_name = "sm";
  }
  RunResult run(const std::string& definition, const std::string& input = "{}") {
    return run_text(definition, input, opts);
  }
};

std::vector<std::string> types(const RunResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.history) out.push_back(e.type);
  return out;
}

std::string out_text(const RunResult& r) { return r.output ? json::dump(*r.output) : "<none>"; }

TEST(Engine, PassChainWritesAwsHistory) {
  Harness h;
  auto r = h.run(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                     "B":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","End":true}}})",
                 R"({"in":true})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"in":true,"r":{"x":1}})");
  std::vector<std::string> want = {"ExecutionStarted", "PassStateEntered", "PassStateExited",
                                   "PassStateEntered", "PassStateExited",  "ExecutionSucceeded"};
  EXPECT_EQ(types(r), want);
  // AWS: the first state's entry points at 0, every other event at its predecessor.
  std::vector<std::int64_t> prev = {0, 0, 2, 3, 4, 5};
  for (std::size_t i = 0; i < r.history.size(); ++i) {
    EXPECT_EQ(r.history[i].id, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(r.history[i].previous_event_id, prev[i]) << i;
  }
  EXPECT_EQ(json::dump(r.history[1].details),
            R"({"input":"{\"in\":true}","inputDetails":{"truncated":false},"name":"A"})");
  EXPECT_EQ(r.history[2].details.at("output").as_string(), R"({"in":true})");
}

TEST(Engine, NullPathFormsFollowTheSpec) {
  Harness h;
  auto r = h.run(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","InputPath":null,"Result":"x","ResultPath":null,"Next":"B"},
      "B":{"Type":"Pass","OutputPath":null,"End":true}}})",
                 R"({"a":1})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), "{}");
}

TEST(Engine, InputPathParametersResultPathOutputPathOrder) {
  Harness h;
  auto r = h.run(R"({"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.in",
      "Parameters":{"v.$":"$.v","c":"k"},"ResultPath":"$.res","OutputPath":"$.res","End":true}}})",
                 R"({"in":{"v":5},"other":1})");
  EXPECT_EQ(out_text(r), R"({"v":5,"c":"k"})");
}

TEST(Engine, ContextObjectHasExecutionAndState) {
  Harness h;
  auto r = h.run(R"({"StartAt":"S","States":{"S":{"Type":"Pass",
      "Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.State.Name","sm.$":"$$.StateMachine.Name",
                    "in.$":"$$.Execution.Input.a"},"End":true}}})",
                 R"({"a":7})");
  EXPECT_EQ(
      out_text(r),
      R"({"id":"arn:aws:states:us-east-1:123456789012:execution:sm:exec","name":"S","sm":"sm","in":7})");
}

TEST(Engine, MissingOutputPathIsAnUncatchableRuntimeError) {
  Harness h;
  auto r =
      h.run(R"({"StartAt":"p","States":{"p":{"Type":"Pass","OutputPath":"$.nope","End":true}}})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.Runtime");
  EXPECT_EQ(r.cause.value_or(""),
            "An error occurred while executing the state 'p' (entered at the event id #2). "
            "Invalid path '$.nope' : No results for path: $['nope']");
  std::vector<std::string> want = {"ExecutionStarted", "PassStateEntered", "ExecutionFailed"};
  EXPECT_EQ(types(r), want);
}

TEST(Engine, ChoiceTakesFirstMatchThenDefaultThenFails) {
  const char* def = R"({"StartAt":"C","States":{
      "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],
           "Default":"Small"},
      "Big":{"Type":"Pass","Result":"big","End":true},
      "Small":{"Type":"Pass","Result":"small","End":true}}})";
  Harness h;
  EXPECT_EQ(out_text(h.run(def, R"({"n":9})")), R"("big")");
  EXPECT_EQ(out_text(h.run(def, R"({"n":1})")), R"("small")");
  Harness h2;
  auto r = h2.run(R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
      {"Variable":"$.n","NumericEquals":1,"Next":"E"}]},"E":{"Type":"Succeed"}}})",
                  R"({"n":2})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.NoChoiceMatched");
}

TEST(Engine, WaitSecondsRunsOnTheManualClock) {
  Harness h;
  auto r = h.run(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(r.stop_ms - r.start_ms, 3600 * 1000);
  std::vector<std::string> want = {"ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                                   "ExecutionSucceeded"};
  EXPECT_EQ(types(r), want);
}

TEST(Engine, WaitTimestampPathWaitsUntilThatTime) {
  Harness h;
  auto r =
      h.run(R"({"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.t","End":true}}})",
            R"({"t":"2023-11-14T22:23:20Z"})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(r.stop_ms, 1700000600000);
}

TEST(Engine, WaitSecondsPathRejectsFractionsAndNegatives) {
  const char* def =
      R"({"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}})";
  Harness h;
  auto r = h.run(def, R"({"s":1.5})");
  EXPECT_EQ(r.error.value_or(""), "States.Runtime");
  EXPECT_EQ(r.cause.value_or(""),
            "An error occurred while executing the state 'W' (entered at the event id #2). The "
            "SecondsPath parameter cannot be parsed as a long value: $.s == 1.5");
  r = h.run(def, R"({"s":-1})");
  EXPECT_EQ(r.cause.value_or(""),
            "An error occurred while executing the state 'W' (entered at the event id #2). The "
            "SecondsPath parameter references a negative value: $.s == -1");
}

TEST(Engine, FailStateUsesErrorAndCauseOrTheirPaths) {
  Harness h;
  auto r = h.run(R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "E");
  EXPECT_FALSE(r.cause.has_value());
  r = h.run(R"({"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}}})",
            R"({"e":"Boom","c":"why"})");
  EXPECT_EQ(r.error.value_or(""), "Boom");
  EXPECT_EQ(r.cause.value_or(""), "why");
  std::vector<std::string> want = {"ExecutionStarted", "FailStateEntered", "ExecutionFailed"};
  EXPECT_EQ(types(r), want);
}

// A cause quoting a payload is cut to AWS's 32,768 characters, in the history and the result.
TEST(Engine, CauseFromAPayloadIsCappedAtAwsLimitInCharacters) {
  Harness h;
  // Two-byte characters: the cap counts characters, not bytes, and never splits one.
  std::string big;
  for (int i = 0; i < 40000; ++i) big += "\xC3\xA9";
  auto r = h.run(R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","CausePath":"$.c"}}})",
                 json::dump(json::object{{"c", big}}));
  ASSERT_TRUE(r.cause.has_value());
  EXPECT_EQ(r.cause->size(), 2 * failure_limits::cause_chars_max);
  EXPECT_EQ(*r.cause, big.substr(0, 2 * failure_limits::cause_chars_max));
  EXPECT_EQ(r.history.back().details.at("cause").as_string().size(), r.cause->size());
  // A short cause is left alone.
  r = h.run(R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"short"}}})");
  EXPECT_EQ(r.cause.value_or(""), "short");
}

TEST(Engine, TaskFailureCauseIsCappedInTheFailedEventAndTheCatcherOutput) {
  Harness h;
  const std::string huge(100000, 'x');
  h.runner.on(kLambda,
              [&](const tasks::TaskRequest&) { return tasks::TaskOutcome::failure("Boom", huge); });
  auto r =
      h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") + kLambda +
            R"(","Catch":[{"ErrorEquals":["States.ALL"],"Next":"P"}],"Next":"P"},)"
            R"("P":{"Type":"Pass","End":true}}})");
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(r.output->at("Cause").as_string(), huge.substr(0, failure_limits::cause_chars_max));
  bool seen = false;
  for (const auto& e : r.history) {
    if (e.type != "LambdaFunctionFailed") continue;
    seen = true;
    EXPECT_EQ(e.details.at("cause").as_string().size(), failure_limits::cause_chars_max);
  }
  EXPECT_TRUE(seen);
}

TEST(Engine, SucceedStateEndsTheExecution) {
  Harness h;
  auto r = h.run(R"({"StartAt":"S","States":{"S":{"Type":"Succeed","OutputPath":"$.a"}}})",
                 R"({"a":[1]})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), "[1]");
}

TEST(Engine, LambdaArnTaskWritesLambdaFunctionEvents) {
  Harness h;
  h.runner.on(kLambda, [](const tasks::TaskRequest& req) {
    return tasks::TaskOutcome::success(req.parameters);
  });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                     kLambda + R"(","TimeoutSeconds":30,"End":true}}})",
                 R"({"a":1})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"a":1})");
  std::vector<std::string> want = {"ExecutionStarted",        "TaskStateEntered",
                                   "LambdaFunctionScheduled", "LambdaFunctionStarted",
                                   "LambdaFunctionSucceeded", "TaskStateExited",
                                   "ExecutionSucceeded"};
  EXPECT_EQ(types(r), want);
  const auto& sched = r.history[2].details;
  EXPECT_EQ(sched.at("resource").as_string(), kLambda);
  EXPECT_EQ(sched.at("timeoutInSeconds").as_int64(), 30);
  EXPECT_EQ(sched.at("input").as_string(), R"({"a":1})");
  EXPECT_EQ(r.history[3].details_key, "");
}

TEST(Engine, ServiceIntegrationTaskWritesTaskEvents) {
  Harness h;
  h.runner.on(kInvoke, [](const tasks::TaskRequest& req) {
    return tasks::TaskOutcome::success(json::object{{"Payload", req.parameters.at("Payload")}});
  });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                     kInvoke + R"(","Parameters":{"FunctionName":"f","Payload.$":"$"},
                     "ResultSelector":{"p.$":"$.Payload"},"ResultPath":"$.out","End":true}}})",
                 R"({"a":1})");
  EXPECT_EQ(out_text(r), R"({"a":1,"out":{"p":{"a":1}}})");
  ASSERT_GE(r.history.size(), 5u);
  EXPECT_EQ(r.history[2].type, "TaskScheduled");
  EXPECT_EQ(
      json::dump(r.history[2].details),
      R"({"resourceType":"lambda","resource":"invoke","region":"us-east-1","parameters":"{\"FunctionName\":\"f\",\"Payload\":{\"a\":1}}"})");
  EXPECT_EQ(json::dump(r.history[3].details), R"({"resourceType":"lambda","resource":"invoke"})");
  EXPECT_EQ(r.history[4].type, "TaskSucceeded");
  EXPECT_EQ(r.history[4].details.at("resource").as_string(), "invoke");
  ASSERT_EQ(h.runner.requests.size(), 1u);
  EXPECT_EQ(h.runner.requests[0].state_name, "T");
  EXPECT_EQ(h.runner.requests[0].execution_name, "exec");
}

TEST(Engine, RetryBacksOffAndCountsAttempts) {
  Harness h;
  int calls = 0;
  h.runner.on(kLambda, [&](const tasks::TaskRequest& req) {
    ++calls;
    if (calls < 3) return tasks::TaskOutcome::failure("Flaky", "try again");
    return tasks::TaskOutcome::success(json::value(req.attempt));
  });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                 kLambda + R"(","Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,
                 "BackoffRate":3,"MaxAttempts":5}],"End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), "2");
  EXPECT_EQ(r.stop_ms - r.start_ms, (2 + 6) * 1000);
  EXPECT_EQ(calls, 3);
}

TEST(Engine, RetryMaxDelayCapsTheInterval) {
  Harness h;
  h.runner.on(kLambda,
              [](const tasks::TaskRequest&) { return tasks::TaskOutcome::failure("E", "c"); });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                 kLambda + R"(","Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,
                 "BackoffRate":2,"MaxAttempts":3,"MaxDelaySeconds":15}],"End":true}}})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.stop_ms - r.start_ms, (10 + 15 + 15) * 1000);
  EXPECT_EQ(h.runner.requests.size(), 4u);
}

TEST(Engine, RetryCountersArePerRetrierAcrossTheState) {
  Harness h;
  std::vector<std::string> errors = {"A", "B", "A", "B"};
  std::size_t i = 0;
  h.runner.on(kLambda, [&](const tasks::TaskRequest&) {
    return tasks::TaskOutcome::failure(errors[std::min(i++, errors.size() - 1)], "");
  });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                 kLambda + R"(","Retry":[{"ErrorEquals":["A"],"MaxAttempts":1,"IntervalSeconds":1},
                 {"ErrorEquals":["B"],"MaxAttempts":5,"IntervalSeconds":1}],"End":true}}})");
  // A (retry 1 of A), B (retry 1 of B), A (A exhausted): fails with A after three calls.
  EXPECT_EQ(r.error.value_or(""), "A");
  EXPECT_EQ(h.runner.requests.size(), 3u);
}

TEST(Engine, MaxAttemptsZeroNeverRetries) {
  Harness h;
  h.runner.on(kLambda,
              [](const tasks::TaskRequest&) { return tasks::TaskOutcome::failure("E", "c"); });
  auto r =
      h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") + kLambda +
            R"(","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"End":true}}})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(h.runner.requests.size(), 1u);
}

TEST(Engine, CatchPutsErrorOutputAtResultPath) {
  Harness h;
  h.runner.on(kLambda,
              [](const tasks::TaskRequest&) { return tasks::TaskOutcome::failure("Oops", "bad"); });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                     kLambda + R"(","Catch":[{"ErrorEquals":["Other"],"Next":"X"},
                 {"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"H"}],"End":true},
                 "X":{"Type":"Fail","Error":"wrong"},"H":{"Type":"Pass","End":true}}})",
                 R"({"k":1})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"k":1,"err":{"Error":"Oops","Cause":"bad"}})");
  std::vector<std::string> want = {
      "ExecutionStarted",      "TaskStateEntered",     "LambdaFunctionScheduled",
      "LambdaFunctionStarted", "LambdaFunctionFailed", "TaskStateExited",
      "PassStateEntered",      "PassStateExited",      "ExecutionSucceeded"};
  EXPECT_EQ(types(r), want);
}

TEST(Engine, StatesRuntimeIsNeverCaught) {
  Harness h;
  h.runner.on(kLambda, [](const tasks::TaskRequest&) {
    return tasks::TaskOutcome::success(json::object());
  });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                 kLambda + R"(","OutputPath":"$.a.b","Catch":[{"ErrorEquals":["States.Runtime"],
                 "Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.Runtime");
}

TEST(Engine, TaskTimeoutFiresOnTheManualClock) {
  Harness h;
  h.runner.on(
      kInvoke, [](const tasks::TaskRequest&) { return tasks::TaskOutcome::success(1); }, 60 * 1000);
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                     kInvoke + R"(","TimeoutSecondsPath":"$.t","End":true}}})",
                 R"({"t":5})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.Timeout");
  EXPECT_EQ(r.stop_ms - r.start_ms, 5000);
  EXPECT_EQ(h.runner.cancelled, 1);
  std::vector<std::string> want = {"ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                   "TaskStarted",      "TaskTimedOut",     "ExecutionFailed"};
  EXPECT_EQ(types(r), want);
  EXPECT_EQ(r.history[2].details.at("timeoutInSeconds").as_int64(), 5);
}

TEST(Engine, ExecutionTimeoutEndsTimedOut) {
  Harness h;
  auto r = h.run(
      R"({"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})");
  EXPECT_EQ(r.status, "TIMED_OUT");
  EXPECT_EQ(r.stop_ms - r.start_ms, 5000);
  EXPECT_EQ(r.history.back().type, "ExecutionTimedOut");
}

TEST(Engine, ParallelCollectsBranchOutputsInOrder) {
  Harness h;
  auto r = h.run(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"A"},"A":{"Type":"Pass","Result":1,"End":true}}},
      {"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}]}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), "[1,2]");
  auto t = types(r);
  EXPECT_EQ(t[1], "ParallelStateEntered");
  EXPECT_EQ(t[2], "ParallelStateStarted");
  EXPECT_EQ(t[t.size() - 3], "ParallelStateSucceeded");
  EXPECT_EQ(t[t.size() - 2], "ParallelStateExited");
  // Succeeded and Exited point at the same predecessor, as AWS records them.
  EXPECT_EQ(r.history[t.size() - 3].previous_event_id, r.history[t.size() - 2].previous_event_id);
}

TEST(Engine, ParallelBranchFailureFailsTheStateAndIsCaught) {
  Harness h;
  auto r = h.run(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done","Branches":[
      {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}},
      {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"BranchErr","Cause":"c"}}}],
      "Catch":[{"ErrorEquals":["BranchErr"],"Next":"Caught"}]},
      "Done":{"Type":"Pass","End":true},"Caught":{"Type":"Pass","End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"Error":"BranchErr","Cause":"c"})");
  EXPECT_LT(r.stop_ms - r.start_ms, 100 * 1000);  // the waiting branch was stopped
  auto t = types(r);
  EXPECT_NE(std::find(t.begin(), t.end(), "ParallelStateFailed"), t.end());
}

TEST(Engine, MapRunsItemsWithItemSelectorAndContext) {
  Harness h;
  auto r =
      h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":1,
      "ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
            R"({"xs":["a","b"],"k":0})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"([{"i":0,"v":"a","k":0},{"i":1,"v":"b","k":0}])");
  std::vector<std::string> want = {
      "ExecutionStarted", "MapStateEntered",   "MapStateStarted",       "MapIterationStarted",
      "PassStateEntered", "PassStateExited",   "MapIterationSucceeded", "MapIterationStarted",
      "PassStateEntered", "PassStateExited",   "MapIterationSucceeded", "MapStateSucceeded",
      "MapStateExited",   "ExecutionSucceeded"};
  EXPECT_EQ(types(r), want);
  EXPECT_EQ(r.history[2].details.at("length").as_int64(), 2);
}

TEST(Engine, MapLegacyIteratorAndParameters) {
  Harness h;
  auto r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "Parameters":{"x.$":"$$.Map.Item.Value"},
      "Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                 R"([1,2,3])");
  EXPECT_EQ(out_text(r), R"([{"x":1},{"x":2},{"x":3}])");
}

TEST(Engine, MapIterationFailureBeyondToleranceFailsTheState) {
  const char* def = R"({"StartAt":"M","States":{"M":{"Type":"Map",%TOL%
      "ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"P"},
        "F":{"Type":"Fail","Error":"Two"},"P":{"Type":"Pass","End":true}}},"End":true}}})";
  auto with = [&](const std::string& tol) {
    std::string d = def;
    d.replace(d.find("%TOL%"), 5, tol);
    return d;
  };
  Harness h;
  auto r = h.run(with(""), "[1,2,3]");
  EXPECT_EQ(r.error.value_or(""), "Two");
  r = h.run(with(R"("ToleratedFailureCount":1,)"), "[1,2,3]");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"([1,{"Error":"Two"},3])");
  r = h.run(with(R"("ToleratedFailurePercentage":10,)"), "[1,2,3]");
  EXPECT_EQ(r.error.value_or(""), "States.ExceedToleratedFailureThreshold");
  EXPECT_EQ(r.cause.value_or(""), "The specified tolerated failure threshold was exceeded");
}

// A Map whose result is discarded (ResultPath null) does not keep its iterations' outputs, but
// Assign and ResultSelector still read them first; a tolerated failure counts the same either way.
TEST(Engine, MapWithResultPathNullStillFeedsAssignAndResultSelector) {
  Harness h;
  auto r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs",
      "ItemSelector":{"v.$":"$$.Map.Item.Value"},"ResultPath":null,
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                 R"({"xs":[1,2,3],"keep":true})");
  EXPECT_EQ(out_text(r), R"({"xs":[1,2,3],"keep":true})");
  r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map","ResultPath":null,
      "Assign":{"all.$":"$"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Next":"Z"},
      "Z":{"Type":"Pass","Parameters":{"all.$":"$all"},"End":true}}})",
            "[1,2,3]");
  EXPECT_EQ(out_text(r), R"({"all":[1,2,3]})");
  r = h.run(R"j({"StartAt":"M","States":{"M":{"Type":"Map","ResultPath":null,
      "ResultSelector":{"n.$":"States.ArrayLength($)","first.$":"$[0]"},"Assign":{"sel.$":"$"},
      "ToleratedFailureCount":1,
      "ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
        {"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"P"},
        "F":{"Type":"Fail","Error":"Two"},"P":{"Type":"Pass","End":true}}},"Next":"Z"},
      "Z":{"Type":"Pass","Parameters":{"sel.$":"$sel","in.$":"$"},"End":true}}})j",
            "[1,2,3]");
  EXPECT_EQ(out_text(r), R"({"sel":{"n":3,"first":1},"in":[1,2,3]})");
  r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map","ResultPath":null,
      "ToleratedFailureCount":1,
      "ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}},"End":true}}})",
            "[1,2]");
  EXPECT_EQ(r.error.value_or(""), "States.ExceedToleratedFailureThreshold");
}

TEST(Engine, MapMaxConcurrencyPathMustBeAnInteger) {
  Harness h;
  auto r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrencyPath":"$.c",
      "ItemsPath":"$.v","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
      "End":true}}})",
                 R"({"c":"NoNumber","v":[1]})");
  EXPECT_EQ(
      r.cause.value_or(""),
      "An error occurred while executing the state 'M' (entered at the event id #2). The "
      "MaxConcurrencyPath field refers to value \"NoNumber\" which is not a valid integer: $.c");
}

TEST(Engine, MapInputMustBeAnArray) {
  Harness h;
  auto r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                 R"({"a":1})");
  EXPECT_EQ(r.error.value_or(""), "States.Runtime");
}

TEST(Engine, DistributedMapWritesMapRunEventsOnly) {
  Harness h;
  auto r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{
      "ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})",
                 R"(["a","b"])");
  EXPECT_EQ(out_text(r), R"(["a","b"])");
  std::vector<std::string> want = {"ExecutionStarted", "MapStateEntered",   "MapStateStarted",
                                   "MapRunStarted",    "MapRunSucceeded",   "MapStateSucceeded",
                                   "MapStateExited",   "ExecutionSucceeded"};
  EXPECT_EQ(types(r), want);
}

TEST(Engine, MapRetryRestartsTheWholeState) {
  Harness h;
  auto r = h.run(R"({"StartAt":"M","States":{"M":{"Type":"Map",
      "ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}},
      "Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":1}],"End":true}}})",
                 "[1]");
  EXPECT_EQ(r.error.value_or(""), "E");
  auto t = types(r);
  EXPECT_EQ(std::count(t.begin(), t.end(), "MapStateStarted"), 2);
  EXPECT_EQ(std::count(t.begin(), t.end(), "MapStateEntered"), 1);
  EXPECT_EQ(std::count(t.begin(), t.end(), "MapStateFailed"), 1);
}

TEST(Engine, OversizedStateOutputIsDataLimitExceeded) {
  Harness h;
  std::string big(300 * 1024, 'a');
  auto r = h.run(R"({"StartAt":"S","States":{"S":{"Type":"Pass","Result":")" + big +
                 R"(","End":true}}})");
  EXPECT_EQ(r.error.value_or(""), "States.DataLimitExceeded");
  EXPECT_EQ(r.cause.value_or(""),
            "The state/task 'S' returned a result with a size exceeding the maximum number of "
            "bytes service limit.");
}

TEST(Engine, OversizedTaskResultCanBeCaught) {
  Harness h;
  h.runner.on(kInvoke, [](const tasks::TaskRequest&) {
    return tasks::TaskOutcome::success(json::string(std::string(300 * 1024, 'x')));
  });
  auto r = h.run(std::string(R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")") +
                 kInvoke + R"(","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},
                 "H":{"Type":"Pass","End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(
      out_text(r),
      R"({"Error":"States.DataLimitExceeded","Cause":"The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit."})");
}

const HistoryEvent* find_event(const RunResult& r, const std::string& type) {
  for (const auto& e : r.history) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

TEST(Jsonata, PassOutputSeesStatesInputAndContext) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
      "Output":{"sum":"{% $states.input.a + 1 %}","name":"{% $states.context.State.Name %}",
      "lit":[1,"x"]},"End":true}}})",
                 R"({"a":41})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"sum":42,"name":"S","lit":[1,"x"]})");
}

TEST(Jsonata, NowUsesTheEngineClock) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
      "Output":"{% $millis() %}","End":true}}})");
  EXPECT_EQ(out_text(r), std::to_string(kStart));
}

TEST(Jsonata, AssignSeesValuesAtStateEntryAndOutputDoesNotSeeNewValues) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},
      "B":{"Type":"Pass","Assign":{"x":42,"old":"{% $x %}"},"Output":"{% $x %}","Next":"C"},
      "C":{"Type":"Pass","Output":{"x":"{% $x %}","old":"{% $old %}"},"End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"({"x":42,"old":1})");
  const HistoryEvent* b = nullptr;
  for (const auto& e : r.history) {
    if (e.type == "PassStateExited" && e.details.at("name") == "B") b = &e;
  }
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(json::dump(b->details.at("output")), R"("1")");
  EXPECT_EQ(json::dump(b->details.at("assignedVariables")), R"({"x":"42","old":"1"})");
}

TEST(Jsonata, UndefinedResultIsAQueryEvaluationErrorWithAnEvaluationFailedEvent) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
      "Output":{"result":"{% $nope %}"},"End":true}}})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.QueryEvaluationError");
  EXPECT_EQ(r.cause.value_or(""),
            "An error occurred while executing the state 'S' (entered at the event id #2). The "
            "JSONata expression '$nope' specified for the field 'Output/result' returned nothing "
            "(undefined).");
  EXPECT_EQ(types(r), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                "EvaluationFailed", "ExecutionFailed"}));
  const HistoryEvent* ev = find_event(r, "EvaluationFailed");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->details.at("location"), "Output/result");
  EXPECT_EQ(ev->details.at("state"), "S");
}

TEST(Jsonata, EvaluationErrorsCarryJsonataCodes) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
      "Output":"{% $nofn(1) %}","End":true}}})");
  EXPECT_EQ(r.error.value_or(""), "States.QueryEvaluationError");
  EXPECT_NE(r.cause.value_or("").find("threw an error during evaluation. T1006: "),
            std::string::npos)
      << r.cause.value_or("");
}

TEST(Jsonata, TaskArgumentsOutputAndCatcher) {
  Harness h;
  h.runner.on(kInvoke, [](const tasks::TaskRequest& req) {
    if (req.parameters.at("Payload").at("fail").as_bool()) {
      return tasks::TaskOutcome::failure("Boom", "bad");
    }
    return tasks::TaskOutcome::success(json::value{{"Payload", 7}});
  });
  const char* def = R"({"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f",
      "Payload":{"fail":"{% $states.input.fail %}"}},
      "Output":{"r":"{% $states.result.Payload %}","in":"{% $states.input.fail %}"},
      "TimeoutSeconds":"{% 5 %}",
      "Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"e":"{% $states.errorOutput.Error %}"},
                "Output":{"caught":"{% $states.errorOutput.Cause %}"},"Next":"C"}],"End":true},
      "C":{"Type":"Pass","Output":{"e":"{% $e %}","o":"{% $states.input.caught %}"},"End":true}}})";
  auto ok = h.run(def, R"({"fail":false})");
  EXPECT_EQ(out_text(ok), R"({"r":7,"in":false})");
  ASSERT_FALSE(h.runner.requests.empty());
  EXPECT_EQ(h.runner.requests.back().timeout_seconds.value_or(0), 5);
  auto caught = h.run(def, R"({"fail":true})");
  EXPECT_EQ(out_text(caught), R"({"e":"Boom","o":"bad"})");
}

TEST(Jsonata, ChoiceConditionPicksRuleOutputOrDefaultOutput) {
  Harness h;
  const char* def = R"({"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice",
      "Choices":[{"Condition":"{% $states.input.n > 5 %}","Output":"big","Assign":{"k":"r"},
                  "Next":"E"}],
      "Default":"E","Output":"{% 'small' %}"},
      "E":{"Type":"Succeed"}}})";
  EXPECT_EQ(out_text(h.run(def, R"({"n":9})")), R"("big")");
  EXPECT_EQ(out_text(h.run(def, R"({"n":1})")), R"("small")");
}

TEST(Jsonata, ChoiceConditionMustBeBoolean) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice",
      "Choices":[{"Condition":"{% 1 %}","Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}})");
  EXPECT_EQ(r.error.value_or(""), "States.QueryEvaluationError");
}

TEST(Jsonata, MapItemsItemSelectorAndWrongItemsType) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
      "Items":"{% $states.input.xs %}","MaxConcurrency":"{% 1 %}",
      "ItemSelector":{"v":"{% $states.context.Map.Item.Value %}",
                      "i":"{% $states.context.Map.Item.Index %}"},
      "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
      "Output":"{% $states.result.v %}","End":true}}})",
                 R"({"xs":["a","b"]})");
  EXPECT_EQ(out_text(r), R"(["a","b"])");
  auto bad = h.run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
      "Items":"{% 1 %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
      "End":true}}})");
  EXPECT_EQ(bad.error.value_or(""), "States.QueryEvaluationError");
  EXPECT_NE(
      bad.cause.value_or("").find(
          "returned an unexpected result type. Expected 'array', but was 'number' for value: 1"),
      std::string::npos);
  EXPECT_EQ(types(bad),
            (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "EvaluationFailed",
                                      "MapStateFailed", "ExecutionFailed"}));
}

TEST(Jsonata, InnerScopesReadOuterVariablesAndDoNotLeak) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Assign":{"x":2},"Next":"P"},
      "P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass",
           "Assign":{"inner":"{% $x * 10 %}"},"Output":"{% $x %}","End":true}}}],"Next":"Z"},
      "Z":{"Type":"Pass","Output":"{% $exists($inner) %}","End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), "false");
}

TEST(Jsonata, WaitTimestampExpressionMustBeIso8601) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait",
      "Timestamp":"{% $states.input.t %}","End":true}}})",
                 R"({"t":"2016-12-05 21:29:29Z"})");
  EXPECT_EQ(r.error.value_or(""), "States.QueryEvaluationError");
  EXPECT_NE(r.cause.value_or("").find("cannot be parsed as an ISO-8601"), std::string::npos);
  auto ok = h.run(R"({"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait",
      "Seconds":"{% $states.input.s %}","End":true}}})",
                  R"({"s":3})");
  EXPECT_EQ(ok.status, "SUCCEEDED");
  EXPECT_EQ(ok.stop_ms - ok.start_ms, 3000);
}

TEST(Jsonata, FailErrorAndCauseFromExpressions) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"F","States":{"F":{"Type":"Fail",
      "Error":"{% 'E' & $states.input.n %}","Cause":"{% 'c' %}"}}})",
                 R"({"n":1})");
  EXPECT_EQ(r.error.value_or(""), "E1");
  EXPECT_EQ(r.cause.value_or(""), "c");
}

TEST(Jsonata, QueryEvaluationErrorCanBeCaught) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
      "Items":"{% 'x' %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
      "Catch":[{"ErrorEquals":["States.QueryEvaluationError"],"Next":"H"}],"End":true},
      "H":{"Type":"Pass","Output":"{% $states.input.Error %}","End":true}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"("States.QueryEvaluationError")");
}

TEST(Jsonata, EvaluationFailedFollowsTheEventBeforeTheStateEntry) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Pass","Next":"B"},
      "B":{"Type":"Pass","Output":"{% $missing %}","End":true}}})");
  const HistoryEvent* ev = find_event(r, "EvaluationFailed");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->id, 5);
  EXPECT_EQ(ev->previous_event_id, 3);  // A's Exited, as B's Entered (id 4)
  EXPECT_EQ(r.history.back().previous_event_id, 5);
}

TEST(Jsonata, MixedLanguagesShareVariables) {
  Harness h;
  auto r = h.run(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","QueryLanguage":"JSONata","Assign":{"v":"{% 6 * 7 %}"},"Next":"B"},
      "B":{"Type":"Pass","Parameters":{"got.$":"$v"},"End":true}}})");
  EXPECT_EQ(out_text(r), R"({"got":42})");
}

TEST(Variables, OversizedAssignIsDataLimitExceeded) {
  Harness h;
  auto r = h.run(R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass",
      "Assign":{"v":"{% $pad('x', 300000, 'x') %}"},"End":true}}})");
  EXPECT_EQ(r.error.value_or(""), "States.DataLimitExceeded");
  EXPECT_NE(r.cause.value_or("").find("assigned variables"), std::string::npos);
}

TEST(Engine, ExpressKeepsNoHistory) {
  Harness h;
  h.opts.express = true;
  auto r = h.run(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})", "[1]");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_TRUE(r.history.empty());
  EXPECT_NE(r.execution_arn.find(":express:"), std::string::npos);
}

TEST(Engine, HistoryLimitFailsStandardExecutions) {
  Harness h;
  h.opts.keep_history = false;
  auto r = h.run(R"({"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[
      {"Variable":"$.x","IsPresent":true,"Next":"B"}],"Default":"E"},"B":{"Type":"Pass","Next":"A"},
      "E":{"Type":"Succeed"}}})",
                 R"({"x":1})");
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(r.error.value_or(""), "States.Runtime");
}

TEST(Engine, AssignSetsVariablesSeenByLaterStatesAndBranches) {
  Harness h;
  auto r = h.run(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Result":{"v":3},"Assign":{"x.$":"$.v","old.$":"$x"},"Next":"B"},
      "B":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"C","States":{
        "C":{"Type":"Pass","Parameters":{"seen.$":"$x"},"End":true}}}]}}})");
  // "$x" is undefined while A evaluates its Assign, so that state fails: check the error first.
  EXPECT_EQ(r.status, "FAILED");
  r = h.run(R"({"StartAt":"A","States":{
      "A":{"Type":"Pass","Result":{"v":3},"Assign":{"x.$":"$.v"},"Next":"B"},
      "B":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"C","States":{
        "C":{"Type":"Pass","Parameters":{"seen.$":"$x"},"End":true}}}]}}})");
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(out_text(r), R"([{"seen":3}])");
  ASSERT_GE(r.history.size(), 3u);
  EXPECT_EQ(json::dump(r.history[2].details.at("assignedVariables")), R"({"x":"3"})");
}

TEST(Engine, StopAbortsAWaitingExecution) {
  Harness h;
  h.opts.stop_after_ms = 1000;
  auto r = h.run(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})");
  EXPECT_EQ(r.status, "ABORTED");
  EXPECT_EQ(r.stop_ms - r.start_ms, 1000);
  std::vector<std::string> want = {"ExecutionStarted", "WaitStateEntered", "ExecutionAborted"};
  EXPECT_EQ(types(r), want);
  EXPECT_EQ(r.history.back().previous_event_id, 0);
}

TEST(Engine, InputTextIsShownVerbatimUntilTheFirstStateRewritesIt) {
  Harness h;
  h.opts.input_text = "[1, 2]";
  auto r = h.run(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})", "[1, 2]");
  ASSERT_EQ(r.history.size(), 4u);
  EXPECT_EQ(r.history[0].details.at("input").as_string(), "[1, 2]");
  EXPECT_EQ(r.history[1].details.at("input").as_string(), "[1, 2]");
  EXPECT_EQ(r.history[2].details.at("output").as_string(), "[1,2]");
}

TEST(HistoryEvent, ToJsonHasAwsKeys) {
  HistoryEvent e;
  e.id = 2;
  e.previous_event_id = 1;
  e.timestamp = 1500;
  e.type = "PassStateEntered";
  e.details_key = "stateEnteredEventDetails";
  e.details["name"] = "A";
  EXPECT_EQ(
      json::dump(e.to_json()),
      R"({"timestamp":1.5,"type":"PassStateEntered","id":2,"previousEventId":1,"stateEnteredEventDetails":{"name":"A"}})");
}

}  // namespace
}  // namespace stepwise::engine
