// Engine shards (shard.h): executions on the shard their ARN hashes to, and every cross-shard
// path — a nested child on another shard, a task token answered through the home shard, a stop
// routed by ARN, recovery of each shard's own executions after a restart — and each shard's own
// fence in the store (store.h, "Fencing").
#include "sfn/shard.h"

#include <gtest/gtest.h>

#include <set>

#include "sfn/service.h"
#include "sfn/test_harness.h"
#include "store/fault_store.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using testing::Harness;
using testing::HeldFunctions;
using testing::kPassMachine;
using testing::kTaskMachine;

constexpr int kShards = 2;

// Several loops share no manual clock (shard.h): these run on the real clock.
ServiceOptions two_shards(RealClock& clock, store::Store& store,
                          tasks::TaskRunner* functions = nullptr) {
  ServiceOptions o{.clock = clock, .registry_store = store, .execution_store = store};
  o.shards = kShards;
  if (functions) o.integrations = tasks::local_integrations({.functions = functions});
  return o;
}

const std::string kExecutionPrefix = "arn:aws:states:us-east-1:123456789012:execution:";

// An execution name of machine `machine` whose ARN hashes to `shard`.
std::string name_on(const std::string& machine, int shard, const std::string& stem) {
  for (int i = 0;; ++i) {
    std::string name = stem + std::to_string(i);
    if (shard_of(kExecutionPrefix + machine + ":" + name, kShards) == shard) return name;
  }
}

// A parent of one startExecution Task (`pattern`: ".sync", ".sync:2") on `child`, named `kid`.
std::string parent_of(const std::string& child, const std::string& kid, const char* pattern,
                      const char* rest = "") {
  return std::string(R"({"StartAt":"Run","States":{"Run":{"Type":"Task",)") +
         R"("Resource":"arn:aws:states:::states:startExecution)" + pattern + R"(",)" +
         R"("Parameters":{"StateMachineArn":")" + child + R"(","Name":")" + kid + R"("})" + rest +
         R"(,"End":true}}})";
}

TEST(Shards, ShardOfIsStableAndSpreadsArns) {
  EXPECT_EQ(shard_of("anything", 1), 0);
  const std::string arn = kExecutionPrefix + "m:e1";
  EXPECT_EQ(shard_of(arn, 4), shard_of(arn, 4));
  std::set<int> seen;
  for (int i = 0; i < 64; ++i)
    seen.insert(shard_of(kExecutionPrefix + "m:e" + std::to_string(i), 4));
  EXPECT_EQ(seen.size(), 4u);
}

TEST(Shards, AManualClockRunsOneShard) {
  store::MemoryStore store;
  ManualClock clock(testing::kStart);
  ServiceOptions o{.clock = clock, .registry_store = store, .execution_store = store};
  o.shards = 4;
  Harness h(std::move(o));
  EXPECT_EQ(h.service().shards().size(), 1u);
}

TEST(Shards, ExecutionsRunOnBothShardsAndEachOnItsOwner) {
  store::MemoryStore store;
  RealClock clock;
  Harness h(two_shards(clock, store));
  ASSERT_EQ(h.service().shards().size(), 2u);
  const std::string machine = h.create("m", kPassMachine);
  for (int shard = 0; shard < kShards; ++shard) {
    const std::string arn = h.start(machine, name_on("m", shard, "s"));
    EXPECT_EQ(h.service().owner(arn).id(), shard);
    EXPECT_EQ(h.wait_closed(arn), "SUCCEEDED");
  }
  // Express, synchronously, wherever its ARN lands.
  const std::string express = h.create("x", kPassMachine, "EXPRESS");
  for (int i = 0; i < 8; ++i) {
    json::value r = h.ok("StartSyncExecution", json::object{{"stateMachineArn", express}});
    EXPECT_EQ(r.at("status"), "SUCCEEDED");
  }
}

TEST(Shards, ANestedChildOnTheOtherShardAnswersItsParent) {
  store::MemoryStore store;
  RealClock clock;
  Harness h(two_shards(clock, store));
  const std::string child = h.create("child", kPassMachine);
  // The parent on shard 0, its child (named by the Task) on shard 1, and the other way round.
  for (int parent_shard = 0; parent_shard < kShards; ++parent_shard) {
    const std::string kid =
        name_on("child", 1 - parent_shard, "kid" + std::to_string(parent_shard));
    const std::string def = parent_of(child, kid, ".sync:2", R"(,"OutputPath":"$.Output")");
    const std::string pname = "parent" + std::to_string(parent_shard);
    const std::string parent = h.create(pname, def.c_str());
    const std::string arn = h.start(parent, name_on(pname, parent_shard, "p"));
    ASSERT_EQ(h.service().owner(arn).id(), parent_shard);
    ASSERT_EQ(h.wait_closed(arn), "SUCCEEDED");
    json::value d = h.ok("DescribeExecution", json::object{{"executionArn", arn}});
    EXPECT_EQ(d.at("output"), R"({"ok":1})");
    const std::string kid_arn = kExecutionPrefix + "child:" + kid;
    EXPECT_EQ(h.service().owner(kid_arn).id(), 1 - parent_shard);
    EXPECT_EQ(h.status(kid_arn), "SUCCEEDED");
  }
}

TEST(Shards, StoppingAParentOnOneShardStopsItsChildOnTheOther) {
  store::MemoryStore store;
  RealClock clock;
  HeldFunctions functions;
  Harness h(two_shards(clock, store, &functions));
  const std::string child = h.create("child", kTaskMachine);
  const std::string kid = name_on("child", 1, "kid");
  const std::string def = parent_of(child, kid, ".sync");
  const std::string parent = h.create("parent", def.c_str());
  const std::string arn = h.start(parent, name_on("parent", 0, "p"));
  functions.wait_held(1);  // the child's task is out: the child runs on shard 1
  const std::string kid_arn = kExecutionPrefix + "child:" + kid;
  EXPECT_EQ(h.status(kid_arn), "RUNNING");
  h.ok("StopExecution", json::object{{"executionArn", arn}});
  EXPECT_EQ(h.status(arn), "ABORTED");
  EXPECT_EQ(h.wait_closed(kid_arn), "ABORTED");
}

TEST(Shards, StopExecutionReachesTheShardThatOwnsTheExecution) {
  store::MemoryStore store;
  RealClock clock;
  HeldFunctions functions;
  Harness h(two_shards(clock, store, &functions));
  const std::string machine = h.create("m", kTaskMachine);
  std::vector<std::string> arns;
  for (int shard = 0; shard < kShards; ++shard)
    arns.push_back(h.start(machine, name_on("m", shard, "w")));
  functions.wait_held(2);
  for (const std::string& arn : arns) {
    json::value r = h.ok("StopExecution", json::object{{"executionArn", arn}, {"error", "E"}});
    EXPECT_TRUE(r.as_object().contains("stopDate"));
    EXPECT_EQ(h.status(arn), "ABORTED");
  }
}

TEST(Shards, ATaskTokenOfAnExecutionOnAnotherShardIsAnsweredThroughTheHomeShard) {
  store::MemoryStore store;
  RealClock clock;
  Harness h(two_shards(clock, store));
  json::value act = h.ok("CreateActivity", json::object{{"name", "work"}});
  const std::string activity(act.at("activityArn").as_string());
  const std::string def = R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")" + activity +
                          R"(","HeartbeatSeconds":60,"End":true}}})";
  const std::string machine = h.create("m", def.c_str());
  for (int shard = 0; shard < kShards; ++shard) {
    const std::string arn = h.start(machine, name_on("m", shard, "t"), R"({"job":7})");
    json::value task = h.ok("GetActivityTask", json::object{{"activityArn", activity}});
    ASSERT_TRUE(task.is_object() && task.as_object().contains("taskToken"));
    h.ok("SendTaskHeartbeat", json::object{{"taskToken", task.at("taskToken")}});
    h.ok("SendTaskSuccess",
         json::object{{"taskToken", task.at("taskToken")}, {"output", R"({"done":true})"}});
    ASSERT_EQ(h.wait_closed(arn), "SUCCEEDED") << "shard " << shard;
    EXPECT_EQ(h.fails("SendTaskSuccess",
                      json::object{{"taskToken", task.at("taskToken")}, {"output", "{}"}}),
              "TaskTimedOut");
  }
}

// Starts `per_shard` Task executions on each shard, waits until every task is out, and stops
// the service: they all stay RUNNING in `store`. Returns their ARNs.
std::vector<std::string> leave_running(RealClock& clock, store::Store& store, int per_shard) {
  std::vector<std::string> arns;
  HeldFunctions functions;
  Harness h(two_shards(clock, store, &functions));
  const std::string machine = h.create("m", kTaskMachine);
  for (int shard = 0; shard < kShards; ++shard)
    for (int i = 0; i < per_shard; ++i)
      arns.push_back(h.start(machine, name_on("m", shard, "r" + std::to_string(i) + "-")));
  functions.wait_held(arns.size());
  h.service().stop();  // every execution stays RUNNING in the store
  return arns;
}

// Starts the service again on `store`: every execution of `arns` resumes, its task is
// re-dispatched once, by its own shard, and it runs to the end.
void expect_all_resume(RealClock& clock, store::Store& store,
                       const std::vector<std::string>& arns) {
  HeldFunctions functions;
  Harness h(two_shards(clock, store, &functions));
  EXPECT_EQ(h.resumed(), arns.size());
  functions.wait_held(arns.size());
  EXPECT_EQ(functions.held(), arns.size());
  functions.answer_all();
  for (const std::string& arn : arns) EXPECT_EQ(h.wait_closed(arn), "SUCCEEDED") << arn;
}

TEST(Shards, EachShardRecoversItsOwnExecutionsAfterARestart) {
  store::MemoryStore store;
  RealClock clock;
  const std::vector<std::string> arns = leave_running(clock, store, 3);
  expect_all_resume(clock, store, arns);
}

TEST(Shards, EachShardCommitsUnderItsOwnFence) {
  store::MemoryStore store;
  RealClock clock;
  Harness h(two_shards(clock, store));
  const std::string machine = h.create("m", kPassMachine);
  // Another node claims shard 1: this node's commits of shard 1 are refused, shard 0's go on.
  ASSERT_TRUE(store.claim_shard(1, "another-node").ok());
  const std::string lost = name_on("m", 1, "lost");
  EXPECT_EQ(h.fails("StartExecution", json::object{{"stateMachineArn", machine}, {"name", lost}}),
            "InternalFailure");
  EXPECT_EQ(h.status(kExecutionPrefix + "m:" + lost), "ExecutionDoesNotExist");  // nothing written
  const std::string kept = h.start(machine, name_on("m", 0, "kept"));
  EXPECT_EQ(h.wait_closed(kept), "SUCCEEDED");
  // The Service claimed each shard once, at start: shard 0 is at epoch 1, shard 1 was at 1
  // when another node took epoch 2.
  EXPECT_EQ(*store.claim_shard(0, "another-node"), 2);
  EXPECT_EQ(*store.claim_shard(1, "another-node"), 3);
}

TEST(Shards, AShardThatCannotClaimItsFenceDoesNotResumeItsExecutions) {
  store::MemoryStore memory;
  RealClock clock;
  const std::vector<std::string> arns = leave_running(clock, memory, 1);
  {
    store::FaultStore failing(memory);
    failing.fail_commits = true;  // claim_shard fails too
    HeldFunctions functions;
    Harness h(two_shards(clock, failing, &functions));
    EXPECT_EQ(h.resumed(), 0u);
    for (const std::string& arn : arns) EXPECT_EQ(h.status(arn), "RUNNING") << arn;
    EXPECT_EQ(functions.held(), 0u);  // no task re-issued by a shard it does not hold
    h.service().stop();
  }
  expect_all_resume(clock, memory, arns);  // a start that claims its shards resumes them
}

}  // namespace
}  // namespace stepwise::sfn
