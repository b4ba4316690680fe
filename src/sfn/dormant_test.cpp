// Dormant executions: a Standard execution waiting only on timers leaves memory and is rebuilt
// from its journal when they are due (executions.h). Driven in-process like service_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "sfn/service.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using namespace std::chrono_literals;

const char* kWaitMachine =
    R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"n":1},"ResultPath":"$.a","Next":"W"},
        "W":{"Type":"Wait","Seconds":3600,"Next":"B"},
        "B":{"Type":"Pass","Result":{"n":2},"ResultPath":"$.b","End":true}}})";

// A Service on a given store and clock with a dormancy setting, and its live/dormant counts.
class Node : public testing::Harness {
 public:
  Node(store::Store& store, Clock& clock, Millis dormant_after_ms)
      : Harness([&] {
          ServiceOptions o{.clock = clock, .registry_store = store, .execution_store = store};
          o.dormant_after_ms = dormant_after_ms;
          return o;
        }()) {}
  std::string create_waiting(const std::string& name) { return create(name, kWaitMachine); }
  json::value describe_closed(const std::string& arn) {
    wait_closed(arn);
    return ok("DescribeExecution", json::object{{"executionArn", arn}});
  }
  // Counts read on the engine thread.
  std::pair<std::size_t, std::size_t> live_and_dormant() {
    std::promise<std::pair<std::size_t, std::size_t>> p;
    service().post([&] {
      p.set_value({service().executions().live_count(), service().executions().dormant_count()});
    });
    return p.get_future().get();
  }
};

const std::vector<std::string> kWaitHistory = {
    "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered",
    "WaitStateExited",  "PassStateEntered", "PassStateExited", "ExecutionSucceeded"};

TEST(Dormant, WaitingExecutionLeavesMemoryAndWakesWhenItsTimerIsDue) {
  store::MemoryStore store;
  RealClock clock;
  // 50 ms: far enough that the execution sleeps first, near enough for a fast test.
  const char* short_wait =
      R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}})";
  Node node(store, clock, /*dormant_after_ms=*/50);
  std::string arn = node.start(node.create("w", short_wait), "e");
  // Once its first step is durable it sleeps: no interpreter in memory.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (node.live_and_dormant() != std::make_pair(std::size_t{0}, std::size_t{1}) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(node.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{1}));
  json::value d = node.describe_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(node.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{0}));
  EXPECT_EQ(node.event_types(arn),
            (std::vector<std::string>{"ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                                      "ExecutionSucceeded"}));
}

TEST(Dormant, SleepingAndWakingGivesTheSameHistoryAndOutputAsStayingAwake) {
  std::vector<json::value> outputs;
  std::vector<std::vector<std::string>> histories;
  for (Millis dormant_after : {Millis{0}, Millis{-1}}) {
    store::MemoryStore store;
    ManualClock clock(1'700'000'000'000);
    Node node(store, clock, dormant_after);
    std::string arn = node.start(node.create_waiting("m"), "e", R"({"x":7})");
    json::value d = node.describe_closed(arn);
    EXPECT_EQ(d.at("status"), "SUCCEEDED");
    outputs.push_back(d.at("output"));
    histories.push_back(node.event_types(arn));
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(outputs[0], R"({"x":7,"a":{"n":1},"b":{"n":2}})");
  EXPECT_EQ(histories[0], kWaitHistory);
  EXPECT_EQ(histories[1], kWaitHistory);
}

TEST(Dormant, RecoveryPutsWaitingExecutionsToSleepWithoutReplayingThem) {
  store::MemoryStore store;
  std::vector<std::string> arns;
  {
    RealClock clock;  // the hour-long Wait really waits: the rows stay RUNNING and dormant
    Node before(store, clock, 0);
    std::string machine = before.create_waiting("m");
    for (int i = 0; i < 5; ++i)
      arns.push_back(before.start(machine, "e" + std::to_string(i), R"({"x":7})"));
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (before.live_and_dormant().second < 5 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    EXPECT_EQ(before.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{5}));
    before.service().stop();
  }
  for (const std::string& arn : arns) EXPECT_GT((*store.get_execution(arn))->wake_ms, 0);
  // A manual clock starting now: the restarted node sleeps them all, then jumps to their timers.
  ManualClock clock(RealClock().now_ms());
  Node after(store, clock, 0);
  EXPECT_EQ(after.resumed(), 5u);
  for (const std::string& arn : arns) {
    json::value d = after.describe_closed(arn);
    EXPECT_EQ(d.at("status"), "SUCCEEDED");
    EXPECT_EQ(after.event_types(arn), kWaitHistory);
  }
}

TEST(Dormant, StopExecutionWakesASleepingExecutionToAbortIt) {
  store::MemoryStore store;
  RealClock clock;
  Node node(store, clock, 0);
  std::string arn = node.start(node.create_waiting("m"), "e", R"({"x":7})");
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (node.live_and_dormant().second < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(node.live_and_dormant().second, 1u);
  node.ok("StopExecution", json::object{{"executionArn", arn}, {"error", "E"}, {"cause", "C"}});
  json::value d = node.describe_closed(arn);
  EXPECT_EQ(d.at("status"), "ABORTED");
  EXPECT_EQ(d.at("error"), "E");
  EXPECT_EQ(node.event_types(arn).back(), "ExecutionAborted");
  EXPECT_EQ(node.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{0}));
}

}  // namespace
}  // namespace stepwise::sfn
