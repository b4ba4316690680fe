// Dormant executions: a Standard execution waiting only on timers leaves memory and is rebuilt
// from its journal when they are due (executions.h). Driven in-process like service_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "service/service.h"
#include "store/memory_store.h"

namespace stepwise::service {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRole = "arn:aws:iam::123456789012:role/test";
const char* kWaitMachine =
    R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"n":1},"ResultPath":"$.a","Next":"W"},
        "W":{"Type":"Wait","Seconds":3600,"Next":"B"},
        "B":{"Type":"Pass","Result":{"n":2},"ResultPath":"$.b","End":true}}})";

// One Service over a given store and clock, its operations called as a client would.
class Node {
 public:
  Node(store::Store& store, Clock& clock, Millis dormant_after_ms) {
    ServiceOptions o{.clock = clock, .store = store};
    o.id_seed = 11;
    o.dormant_after_ms = dormant_after_ms;
    service_ = std::make_unique<Service>(std::move(o));
    service_->add_operations(table_);
    resumed_ = service_->start();
  }
  json::value ok(const std::string& op, json::value request) {
    std::promise<api::Response> p;
    auto f = p.get_future();
    table_.dispatch(op, std::move(request), api::RequestInfo{},
                    [&p](api::Response r) { p.set_value(std::move(r)); });
    if (f.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << op << " did not answer";
      return {};
    }
    api::Response r = f.get();
    EXPECT_FALSE(r.is_error()) << op << ": " << (r.is_error() ? r.error().message : "");
    return r.is_error() ? json::value() : r.body();
  }
  std::string create(const std::string& name) {
    json::value r = ok("CreateStateMachine", json::object{{"name", name},
                                                          {"definition", kWaitMachine},
                                                          {"roleArn", kRole}});
    return r.is_object() ? std::string(r.at("stateMachineArn").as_string()) : "";
  }
  std::string start(const std::string& machine, const std::string& name) {
    json::value r = ok("StartExecution", json::object{{"stateMachineArn", machine},
                                                      {"name", name},
                                                      {"input", R"({"x":7})"}});
    return r.is_object() ? std::string(r.at("executionArn").as_string()) : "";
  }
  json::value wait_closed(const std::string& arn) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      json::value d = ok("DescribeExecution", json::object{{"executionArn", arn}});
      if (!d.is_object() || d.at("status") != "RUNNING") return d;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << arn << " still RUNNING";
        return d;
      }
      std::this_thread::sleep_for(1ms);
    }
  }
  std::vector<std::string> event_types(const std::string& arn) {
    json::value h = ok("GetExecutionHistory", json::object{{"executionArn", arn}});
    std::vector<std::string> out;
    for (const auto& e : h.at("events").as_array()) out.emplace_back(e.at("type").as_string());
    return out;
  }
  // Counts read on the engine thread.
  std::pair<std::size_t, std::size_t> live_and_dormant() {
    std::promise<std::pair<std::size_t, std::size_t>> p;
    service_->post([&] {
      p.set_value({service_->executions().live_count(), service_->executions().dormant_count()});
    });
    return p.get_future().get();
  }
  Service& service() { return *service_; }
  std::size_t resumed() const { return resumed_; }

 private:
  std::unique_ptr<Service> service_;
  api::OperationTable table_;
  std::size_t resumed_ = 0;
};

const std::vector<std::string> kWaitHistory = {
    "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered",
    "WaitStateExited",  "PassStateEntered", "PassStateExited", "ExecutionSucceeded"};

TEST(Dormant, WaitingExecutionLeavesMemoryAndWakesWhenItsTimerIsDue) {
  store::MemoryStore store;
  RealClock clock;
  // 50 ms: far enough that the execution sleeps first, near enough for a fast test.
  const char* short_wait = R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}})";
  Node node(store, clock, /*dormant_after_ms=*/50);
  json::value r = node.ok("CreateStateMachine", json::object{{"name", "w"},
                                                             {"definition", short_wait},
                                                             {"roleArn", kRole}});
  std::string arn = node.start(std::string(r.at("stateMachineArn").as_string()), "e");
  // Once its first step is durable it sleeps: no interpreter in memory.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (node.live_and_dormant() != std::make_pair(std::size_t{0}, std::size_t{1}) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(node.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{1}));
  json::value d = node.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "SUCCEEDED");
  EXPECT_EQ(node.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{0}));
  EXPECT_EQ(node.event_types(arn), (std::vector<std::string>{"ExecutionStarted", "WaitStateEntered",
                                                             "WaitStateExited", "ExecutionSucceeded"}));
}

TEST(Dormant, SleepingAndWakingGivesTheSameHistoryAndOutputAsStayingAwake) {
  std::vector<json::value> outputs;
  std::vector<std::vector<std::string>> histories;
  for (Millis dormant_after : {Millis{0}, Millis{-1}}) {
    store::MemoryStore store;
    ManualClock clock(1'700'000'000'000);
    Node node(store, clock, dormant_after);
    std::string arn = node.start(node.create("m"), "e");
    json::value d = node.wait_closed(arn);
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
    std::string machine = before.create("m");
    for (int i = 0; i < 5; ++i) arns.push_back(before.start(machine, "e" + std::to_string(i)));
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (before.live_and_dormant().second < 5 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    EXPECT_EQ(before.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{5}));
    before.service().stop();
  }
  for (const std::string& arn : arns) EXPECT_GT(store.get_execution(arn)->wake_ms, 0);
  // A manual clock starting now: the restarted node sleeps them all, then jumps to their timers.
  ManualClock clock(RealClock().now_ms());
  Node after(store, clock, 0);
  EXPECT_EQ(after.resumed(), 5u);
  for (const std::string& arn : arns) {
    json::value d = after.wait_closed(arn);
    EXPECT_EQ(d.at("status"), "SUCCEEDED");
    EXPECT_EQ(after.event_types(arn), kWaitHistory);
  }
}

TEST(Dormant, StopExecutionWakesASleepingExecutionToAbortIt) {
  store::MemoryStore store;
  RealClock clock;
  Node node(store, clock, 0);
  std::string arn = node.start(node.create("m"), "e");
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (node.live_and_dormant().second < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(node.live_and_dormant().second, 1u);
  node.ok("StopExecution", json::object{{"executionArn", arn}, {"error", "E"}, {"cause", "C"}});
  json::value d = node.wait_closed(arn);
  EXPECT_EQ(d.at("status"), "ABORTED");
  EXPECT_EQ(d.at("error"), "E");
  EXPECT_EQ(node.event_types(arn).back(), "ExecutionAborted");
  EXPECT_EQ(node.live_and_dormant(), std::make_pair(std::size_t{0}, std::size_t{0}));
}

}  // namespace
}  // namespace stepwise::service
