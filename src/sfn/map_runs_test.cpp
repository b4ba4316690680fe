// Map Runs through the Service: DescribeMapRun, ListMapRuns, ListExecutions(mapRunArn),
// DescribeExecution/GetExecutionHistory of a child, UpdateMapRun, a redrive of the parent
// (the same run redriven), and their errors, on both stores (the records commit with the
// parent's steps).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "history/map_run.h"
#include "sfn/test_harness.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using testing::Harness;
using testing::HeldFunctions;
using testing::kStart;

// Five items; odd ones fail (tolerated up to 50%), even ones pass through.
constexpr const char* kTolerant = R"({"StartAt":"M","States":{"M":{"Type":"Map",
  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
    "StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,
      "Next":"Bad"},{"Variable":"$.n","NumericEquals":3,"Next":"Bad"}],"Default":"Good"},
    "Bad":{"Type":"Fail","Error":"Odd","Cause":"odd item"},
    "Good":{"Type":"Pass","End":true}}},
  "Label":"Fan","ToleratedFailurePercentage":50,"End":true}}})";

// Held Lambda calls, one item at a time (MaxConcurrency 1).
constexpr const char* kHeld = R"({"StartAt":"M","States":{"M":{"Type":"Map",
  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
    "StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}},
  "MaxConcurrency":1,"End":true}}})";

std::string text(const json::value& v, const char* key) {
  return v.is_object() && v.as_object().contains(key) ? std::string(v.at(key).as_string()) : "";
}
std::int64_t count(const json::value& run, const char* which, const char* field) {
  return run.at(which).at(field).as_int64();
}

TEST(MapRuns, DescribeListAndChildrenOfAFinishedRun) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string machine = h.create("fan", kTolerant);
  const std::string input = R"([{"n":0},{"n":1},{"n":2},{"n":3},{"n":4}])";
  const std::string exec = h.start(machine, "e1", input);
  ASSERT_EQ(h.wait_closed(exec), "SUCCEEDED");

  json::value runs = h.ok("ListMapRuns", json::object{{"executionArn", exec}});
  ASSERT_EQ(runs.at("mapRuns").as_array().size(), 1u);
  const json::value& item = runs.at("mapRuns").as_array()[0];
  const std::string run_arn = text(item, "mapRunArn");
  EXPECT_NE(run_arn.find(":mapRun:fan/Fan:"), std::string::npos) << run_arn;
  EXPECT_EQ(text(item, "stateMachineArn"), machine + "/Fan");
  EXPECT_EQ(text(item, "executionArn"), exec);

  json::value run = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
  EXPECT_EQ(text(run, "status"), "SUCCEEDED");
  EXPECT_EQ(run.at("toleratedFailurePercentage").as_double(), 50.0);
  EXPECT_EQ(count(run, "executionCounts", "total"), 5);
  EXPECT_EQ(count(run, "executionCounts", "succeeded"), 3);
  EXPECT_EQ(count(run, "executionCounts", "failed"), 2);
  EXPECT_EQ(count(run, "executionCounts", "running"), 0);
  EXPECT_EQ(count(run, "itemCounts", "failed"), 2);

  json::value page =
      h.ok("ListExecutions", json::object{{"mapRunArn", run_arn}, {"statusFilter", "FAILED"}});
  ASSERT_EQ(page.at("executions").as_array().size(), 2u);
  const std::string child = text(page.at("executions").as_array()[0], "executionArn");
  EXPECT_NE(child.find(":execution:fan/Fan:"), std::string::npos) << child;
  json::value d = h.ok("DescribeExecution", json::object{{"executionArn", child}});
  EXPECT_EQ(text(d, "status"), "FAILED");
  EXPECT_EQ(text(d, "error"), "Odd");
  EXPECT_EQ(text(d, "cause"), "odd item");
  EXPECT_EQ(text(d, "mapRunArn"), run_arn);
  EXPECT_NE(text(d, "input").find("\"n\""), std::string::npos);
  EXPECT_EQ(h.event_types(child),
            (std::vector<std::string>{"ExecutionStarted", "ExecutionFailed"}));

  // Paging: two at a time over all five, each child once.
  std::set<std::string> seen;
  json::object q{{"mapRunArn", run_arn}, {"maxResults", 2}};
  for (int i = 0; i < 5; ++i) {
    json::value p = h.ok("ListExecutions", q);
    for (const auto& e : p.at("executions").as_array()) seen.insert(text(e, "executionArn"));
    if (!p.as_object().contains("nextToken")) break;
    q["nextToken"] = p.at("nextToken");
  }
  EXPECT_EQ(seen.size(), 5u);
}

// kHeld over four items, its first call held.
class MapRunsHeld : public ::testing::Test {
 protected:
  void SetUp() override {
    exec = h.start(h.create("held", kHeld), "e1", "[1,2,3,4]");
    fns.wait_held(1);
  }
  store::MemoryStore store;
  ManualClock clock{kStart};
  HeldFunctions fns;
  Harness h{store, clock, &fns};
  std::string exec;
};

TEST_F(MapRunsHeld, CountsFollowTheRunAndUpdateMapRunRaisesItsConcurrency) {
  json::value runs = h.ok("ListMapRuns", json::object{{"executionArn", exec}});
  const std::string run_arn = text(runs.at("mapRuns").as_array()[0], "mapRunArn");
  json::value run = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
  EXPECT_EQ(text(run, "status"), "RUNNING");
  EXPECT_EQ(run.at("maxConcurrency").as_int64(), 1);
  EXPECT_EQ(count(run, "executionCounts", "running"), 1);
  EXPECT_EQ(count(run, "executionCounts", "pending"), 3);

  h.ok("UpdateMapRun", json::object{{"mapRunArn", run_arn}, {"maxConcurrency", 3}});
  fns.wait_held(3);
  EXPECT_EQ(fns.held(), 3u);
  run = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
  EXPECT_EQ(run.at("maxConcurrency").as_int64(), 3);
  EXPECT_EQ(count(run, "executionCounts", "running"), 3);

  h.ok("StopExecution", json::object{{"executionArn", exec}});
  ASSERT_EQ(h.wait_closed(exec), "ABORTED");
  run = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
  EXPECT_EQ(text(run, "status"), "ABORTED");
  EXPECT_EQ(count(run, "executionCounts", "aborted"), 3);
  EXPECT_EQ(count(run, "executionCounts", "pending"), 1);
  EXPECT_EQ(h.fails("UpdateMapRun", json::object{{"mapRunArn", run_arn}, {"maxConcurrency", 2}}),
            "ValidationException");
}

// The start date of the run's child with this index, in seconds.
double child_start(Harness& h, const std::string& run_arn, std::int64_t index) {
  const std::string child = history::map_run_child_arn(run_arn, index);
  return json::as_double(
      h.ok("DescribeExecution", json::object{{"executionArn", child}}).at("startDate"));
}

TEST_F(MapRunsHeld, RedrivingTheParentRedrivesTheSameRunAndOnlyItsUnsuccessfulChildren) {
  fns.answer_all();  // item 0 succeeds; item 1 starts
  const std::string run_arn =
      text(h.ok("ListMapRuns", json::object{{"executionArn", exec}}).at("mapRuns").as_array()[0],
           "mapRunArn");
  // The run's record once `succeeded` children succeeded and one runs.
  auto settled = [&](std::int64_t succeeded) {
    for (int i = 0; i < 2000; ++i) {
      json::value r = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
      if (count(r, "executionCounts", "running") == 1 &&
          count(r, "executionCounts", "succeeded") == succeeded)
        return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the run never had " << succeeded << " succeeded and 1 running child";
    return json::value();
  };
  settled(1);
  h.ok("StopExecution", json::object{{"executionArn", exec}});
  ASSERT_EQ(h.wait_closed(exec), "ABORTED");
  json::value run = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
  EXPECT_EQ(text(run, "status"), "ABORTED");
  EXPECT_EQ(count(run, "executionCounts", "aborted"), 1);
  EXPECT_EQ(run.at("redriveCount").as_int64(), 0);
  const double first_start = child_start(h, run_arn, 0);

  clock.advance_by(5000);
  h.ok("RedriveExecution", json::object{{"executionArn", exec}});
  fns.wait_held(1);
  run = settled(1);
  EXPECT_EQ(text(run, "status"), "RUNNING");
  EXPECT_FALSE(run.as_object().contains("stopDate"));
  EXPECT_EQ(run.at("redriveCount").as_int64(), 1);
  EXPECT_EQ(json::as_double(run.at("redriveDate")), static_cast<double>(kStart + 5000) / 1000.0);
  // The aborted child runs again (MaxConcurrency 1); the two never started wait their turn.
  EXPECT_EQ(count(run, "executionCounts", "succeeded"), 1);
  EXPECT_EQ(count(run, "executionCounts", "aborted"), 0);
  EXPECT_EQ(count(run, "executionCounts", "pending"), 2);
  EXPECT_EQ(count(run, "executionCounts", "total"), 4);
  EXPECT_EQ(child_start(h, run_arn, 1), static_cast<double>(kStart + 5000) / 1000.0);
  for (int answered = 0; answered < 3; ++answered) {
    fns.wait_held(1);
    fns.answer_all();
  }
  ASSERT_EQ(h.wait_closed(exec), "SUCCEEDED");

  // One run, redriven once; the child that had succeeded did not run again.
  json::value runs = h.ok("ListMapRuns", json::object{{"executionArn", exec}});
  ASSERT_EQ(runs.at("mapRuns").as_array().size(), 1u);
  run = h.ok("DescribeMapRun", json::object{{"mapRunArn", run_arn}});
  EXPECT_EQ(text(run, "status"), "SUCCEEDED");
  EXPECT_EQ(run.at("redriveCount").as_int64(), 1);
  EXPECT_EQ(count(run, "executionCounts", "succeeded"), 4);
  EXPECT_EQ(count(run, "itemCounts", "succeeded"), 4);
  EXPECT_EQ(count(run, "executionCounts", "pendingRedrive"), 0);
  EXPECT_EQ(child_start(h, run_arn, 0), first_start);
  const std::vector<std::string> types = h.event_types(exec);
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapRunStarted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapRunRedriven"), 1);
  json::value events = h.ok("GetExecutionHistory", json::object{{"executionArn", exec}});
  for (const json::value& e : events.at("events").as_array()) {
    if (text(e, "type") != "MapRunRedriven") continue;
    EXPECT_EQ(text(e.at("mapRunRedrivenEventDetails"), "mapRunArn"), run_arn);
    EXPECT_EQ(e.at("mapRunRedrivenEventDetails").at("redriveCount").as_int64(), 1);
  }
  EXPECT_EQ(text(h.ok("DescribeExecution", json::object{{"executionArn", exec}}), "output"),
            "[1,2,3,4]");
}

TEST(MapRuns, ErrorsAreShapedAsAwsShapesThem) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  const std::string missing =
      "arn:aws:states:us-east-1:123456789012:mapRun:m/L:11111111-2222-4333-8444-555555555555";
  EXPECT_EQ(h.fails("DescribeMapRun", json::object{{"mapRunArn", missing}}), "ResourceNotFound");
  EXPECT_EQ(h.fails("DescribeMapRun", json::object{{"mapRunArn", "nope"}}), "InvalidArn");
  EXPECT_EQ(
      h.fails("DescribeMapRun",
              json::object{{"mapRunArn", "arn:aws:states:us-east-1:123456789012:execution:m:e"}}),
      "InvalidArn");
  EXPECT_EQ(h.fails("DescribeMapRun", json::object{}), "ValidationException");
  EXPECT_EQ(h.fails("ListExecutions", json::object{{"mapRunArn", missing}}), "ResourceNotFound");
  EXPECT_EQ(h.fails("UpdateMapRun", json::object{{"mapRunArn", missing}, {"maxConcurrency", 1}}),
            "ResourceNotFound");
  EXPECT_EQ(h.fails("UpdateMapRun", json::object{{"mapRunArn", missing}}), "ValidationException");
  EXPECT_EQ(h.fails("UpdateMapRun",
                    json::object{{"mapRunArn", missing}, {"toleratedFailurePercentage", 101}}),
            "ValidationException");
  EXPECT_EQ(h.fails("ListMapRuns",
                    json::object{{"executionArn",
                                  "arn:aws:states:us-east-1:123456789012:execution:m:none"}}),
            "ExecutionDoesNotExist");
  EXPECT_EQ(h.fails("DescribeExecution", json::object{{"executionArn",
                                                       "arn:aws:states:us-east-1:123456789012:"
                                                       "execution:m/L:11111111-2222-4333-8444-"
                                                       "000000000001"}}),
            "ExecutionDoesNotExist");
}

}  // namespace
}  // namespace stepwise::sfn
