// Recovery re-issues what was in flight: a call that may have had effects is re-dispatched
// visibly (its Started event again) with the same idempotency key; a callback whose call had
// returned and an activity a worker had taken are only waited on again. In-process Service over
// a MemoryStore and a ManualClock; a "crash" is Service::stop() with tasks unanswered.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "sfn/service.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using namespace std::chrono_literals;

using testing::kStart;

// Lambda stand-in that records every call; holds them (answer()) or echoes at once.
class Functions final : public tasks::TaskRunner {
 public:
  explicit Functions(bool hold) : hold_(hold) {}
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override {
    std::lock_guard lock(mu_);
    calls_.push_back(request);
    if (!hold_) {
      done(tasks::TaskOutcome::success(json::object{{"echo", request.parameters}}));
      return;
    }
    held_.push_back({&loop, std::move(done)});
  }
  void answer_all(const json::value& v) {
    std::lock_guard lock(mu_);
    for (auto& [loop, done] : held_)
      loop->post([d = std::move(done), v]() mutable { d(tasks::TaskOutcome::success(v)); });
    held_.clear();
  }
  std::vector<tasks::TaskRequest> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void wait_calls(std::size_t n) {
    for (auto end = std::chrono::steady_clock::now() + 10s;
         calls().size() < n && std::chrono::steady_clock::now() < end;)
      std::this_thread::sleep_for(1ms);
    ASSERT_GE(calls().size(), n);
  }

 private:
  bool hold_;
  std::mutex mu_;
  std::vector<tasks::TaskRequest> calls_;
  std::deque<std::pair<EventLoop*, tasks::TaskDone>> held_;
};

// The clock must exist before the Service that the base class builds.
struct OwnClock {
  ManualClock clock{kStart};
};

// The shared harness on its own clock, plus this file's shorthands.
class Harness : OwnClock, public testing::Harness {
 public:
  Harness(store::Store& store, Functions* functions)
      : testing::Harness(store, OwnClock::clock, functions) {}
  // Creates machine "m" from `definition` and starts execution "e" of it.
  std::string start(const char* definition) {
    return testing::Harness::start(create("m", definition), "e");
  }
  // DescribeExecution once the execution has left RUNNING.
  json::value wait_closed(const std::string& arn) {
    testing::Harness::wait_closed(arn);
    return ok("DescribeExecution", json::object{{"executionArn", arn}});
  }
  // The history as "id:type:previousEventId" lines; fails on a gap or a duplicate id.
  std::vector<std::string> history(const std::string& arn) {
    json::value h = ok("GetExecutionHistory", json::object{{"executionArn", arn}});
    std::vector<std::string> out;
    std::int64_t id = 1;
    for (const auto& e : h.at("events").as_array()) {
      EXPECT_EQ(e.at("id"), id++);
      out.push_back(json::dump(e.at("id")) + ":" + std::string(e.at("type").as_string()) + ":" +
                    json::dump(e.at("previousEventId")));
    }
    return out;
  }
};

const char* kLambdaMachine = R"({"StartAt":"T","States":{"T":{"Type":"Task",
  "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}})";

TEST(Reissue, CallInFlightAtACrashIsRedispatchedVisiblyWithTheSameKey) {
  store::MemoryStore store;
  std::string arn;
  std::string key;
  {
    Functions held(true);
    Harness before(store, &held);
    arn = before.start(kLambdaMachine);
    held.wait_calls(1);
    key = held.calls()[0].idempotency_key;
    before.service().stop();  // the crash: the call's answer is lost
  }
  EXPECT_EQ(key, arn + ":2:0");
  Functions echo(false);
  Harness after(store, &echo);
  EXPECT_EQ(after.resumed(), 1u);
  EXPECT_EQ(after.wait_closed(arn).at("status"), "SUCCEEDED");
  ASSERT_EQ(echo.calls().size(), 1u);
  EXPECT_EQ(echo.calls()[0].idempotency_key, key);
  EXPECT_EQ(after.history(arn),
            (std::vector<std::string>{"1:ExecutionStarted:0", "2:TaskStateEntered:0",
                                      "3:LambdaFunctionScheduled:2", "4:LambdaFunctionStarted:3",
                                      "5:LambdaFunctionStarted:3", "6:LambdaFunctionSucceeded:5",
                                      "7:TaskStateExited:6", "8:ExecutionSucceeded:7"}));
}

TEST(Reissue, EveryRestartAddsOneStartedEventAndTheHistoryStaysGapless) {
  store::MemoryStore store;
  std::string arn;
  for (int restart = 0; restart < 3; ++restart) {
    Functions held(true);
    Harness h(store, &held);
    if (restart == 0) arn = h.start(kLambdaMachine);
    held.wait_calls(1);
    h.service().stop();
  }
  Functions echo(false);
  Harness after(store, &echo);
  EXPECT_EQ(after.wait_closed(arn).at("status"), "SUCCEEDED");
  std::vector<std::string> h = after.history(arn);
  std::size_t started = 0;
  for (const auto& e : h) started += e.find(":LambdaFunctionStarted:3") != std::string::npos;
  EXPECT_EQ(started, 4u);  // the first dispatch and one per restart
}

TEST(Reissue, CallbackWhoseInvocationReturnedIsNotInvokedAgain) {
  const char* machine = R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",
    "Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}})";
  store::MemoryStore store;
  std::string arn;
  std::string token;
  {
    Functions echo(false);
    Harness before(store, &echo);
    arn = before.start(machine);
    echo.wait_calls(1);
    token = echo.calls()[0].task_token.value_or("");
    // Wait until TaskSubmitted is durable (the invocation's answer), then crash.
    for (auto end = std::chrono::steady_clock::now() + 10s;
         before.history(arn).size() < 5 && std::chrono::steady_clock::now() < end;)
      std::this_thread::sleep_for(1ms);
    before.service().stop();
  }
  Functions echo(false);
  Harness after(store, &echo);
  EXPECT_EQ(after.resumed(), 1u);
  after.ok("SendTaskSuccess", json::object{{"taskToken", token}, {"output", R"({"ok":1})"}});
  json::value d = after.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(d.at("output"), R"({"ok":1})");
  EXPECT_TRUE(echo.calls().empty());
  EXPECT_EQ(
      after.history(arn),
      (std::vector<std::string>{"1:ExecutionStarted:0", "2:TaskStateEntered:0", "3:TaskScheduled:2",
                                "4:TaskStarted:3", "5:TaskSubmitted:4", "6:TaskSucceeded:5",
                                "7:TaskStateExited:6", "8:ExecutionSucceeded:7"}));
}

TEST(Reissue, ActivityTakenByAWorkerStaysWithThatWorker) {
  store::MemoryStore store;
  std::string arn;
  std::string token;
  {
    Harness before(store, nullptr);
    json::value act = before.ok("CreateActivity", json::object{{"name", "work"}});
    std::string def = R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")" +
                      std::string(act.at("activityArn").as_string()) + R"(","End":true}}})";
    arn = before.start(def.c_str());
    json::value task =
        before.ok("GetActivityTask", json::object{{"activityArn", act.at("activityArn")}});
    token = std::string(task.at("taskToken").as_string());
    for (auto end = std::chrono::steady_clock::now() + 10s;
         before.history(arn).size() < 4 && std::chrono::steady_clock::now() < end;)
      std::this_thread::sleep_for(1ms);  // ActivityStarted durable
    before.service().stop();
  }
  Harness after(store, nullptr);
  after.ok("SendTaskSuccess", json::object{{"taskToken", token}, {"output", "2"}});
  EXPECT_EQ(after.wait_closed(arn).at("status"), "SUCCEEDED");
  EXPECT_EQ(after.history(arn),
            (std::vector<std::string>{"1:ExecutionStarted:0", "2:TaskStateEntered:0",
                                      "3:ActivityScheduled:2", "4:ActivityStarted:3",
                                      "5:ActivitySucceeded:4", "6:TaskStateExited:5",
                                      "7:ExecutionSucceeded:6"}));
}

// Lambda stand-in whose answer to a call is due at a fixed moment, kStart + the call's "due"
// parameter, delivered through a loop timer: a call sent again after the clock passed that
// moment answers in the next turn of the loop, as a function that finished while the server
// was down. start() runs on the loop's thread (the Driver calls it), where schedule_at belongs.
class DueFunctions final : public tasks::TaskRunner {
 public:
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override {
    const Millis due = kStart + request.parameters.at("due").to_number<Millis>();
    loop.schedule_at(due, [done = std::move(done), p = request.parameters]() mutable {
      done(tasks::TaskOutcome::success(p));
    });
  }
};

// Recovery sends all of an execution's in-flight calls out again together. Sent one commit
// apart, the first re-sent call's answer, already due, was handled before the second call even
// went out again, so answers were handled in the order recovery re-sent the calls, not the
// order they came in (tests/sim, seeds 390 and 2046).
TEST(Reissue, CallsInFlightGoOutTogetherSoAnswersAlreadyDueComeInTheirOrder) {
  const char* machine = R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
    "Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Task","Parameters":{"due":20,"call":"a"},
        "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}},
      {"StartAt":"B","States":{"B":{"Type":"Task","Parameters":{"due":10,"call":"b"},
        "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}]}}})";
  store::MemoryStore store;
  ManualClock clock(kStart);
  std::string arn;
  {
    testing::HeldFunctions held;
    testing::Harness before(store, clock, &held);
    arn = before.start(before.create("m", machine), "e");
    held.wait_held(2);
    before.service().stop();  // the crash, with both calls in flight
  }
  clock.advance_to(kStart + 1000);  // both answers are due by the time the server is back
  DueFunctions due;
  testing::Harness after(store, clock, &due);
  EXPECT_EQ(after.resumed(), 1u);
  EXPECT_EQ(after.wait_closed(arn), "SUCCEEDED");
  json::value h = after.ok("GetExecutionHistory", json::object{{"executionArn", arn}});
  std::vector<std::string> answered;  // the calls, in the order their answers were handled
  for (const auto& e : h.at("events").as_array()) {
    if (e.at("type") != "LambdaFunctionSucceeded") continue;
    auto out = json::parse(
        std::string(e.at("lambdaFunctionSucceededEventDetails").at("output").as_string()));
    ASSERT_TRUE(out.ok());
    answered.emplace_back(out->at("call").as_string());
  }
  EXPECT_EQ(answered, (std::vector<std::string>{"b", "a"}));
}

}  // namespace
}  // namespace stepwise::sfn
