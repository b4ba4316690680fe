// The service over a store that fails: a store that cannot be read answers InternalFailure,
// never ExecutionDoesNotExist; a commit refused because another node claimed the shard (a
// stale fence) fails the request instead of pretending it happened.
#include <gtest/gtest.h>

#include <string>

#include "sfn/test_harness.h"
#include "store/fault_store.h"
#include "store/memory_store.h"

namespace stepwise::sfn {
namespace {

using testing::Harness;

TEST(ServiceStoreFailure, UnreadableStoreIsInternalFailureNotDoesNotExist) {
  store::MemoryStore memory;
  store::FaultStore store(memory);
  ManualClock clock(1'700'000'000'000);
  Harness h(store, clock);
  const std::string machine = h.create("m", testing::kPassMachine);
  const std::string execution = h.start(machine, "e1");
  ASSERT_FALSE(execution.empty());
  ASSERT_EQ(h.wait_closed(execution), "SUCCEEDED");
  store.fail_reads = true;
  const json::object by_execution{{"executionArn", execution}};
  EXPECT_EQ(h.fails("DescribeExecution", by_execution), "InternalFailure");
  EXPECT_EQ(h.fails("GetExecutionHistory", by_execution), "InternalFailure");
  EXPECT_EQ(h.fails("DescribeStateMachineForExecution", by_execution), "InternalFailure");
  EXPECT_EQ(h.fails("ListExecutions", json::object{{"stateMachineArn", machine}}),
            "InternalFailure");
  // (DescribeStateMachine answers from the registry's write-through machine cache.)
  store.fail_reads = false;
  EXPECT_EQ(h.ok("DescribeExecution", by_execution).at("status").as_string(), "SUCCEEDED");
}

TEST(ServiceStoreFailure, AnotherNodesClaimFencesThisServicesCommitsOut) {
  store::MemoryStore memory;
  ManualClock clock(1'700'000'000'000);
  Harness h(memory, clock);  // claimed shard 0 at start
  const std::string machine = h.create("m", testing::kPassMachine);
  ASSERT_FALSE(h.start(machine, "before").empty());
  ASSERT_TRUE(memory.claim_shard(0, "another-node").ok());
  const json::object start{{"stateMachineArn", machine}, {"name", "after"}};
  EXPECT_EQ(h.fails("StartExecution", start), "InternalFailure");
  store::ExecutionQuery q;
  q.state_machine_arn = machine;
  auto stored = memory.list_executions(q);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);  // the fenced start wrote nothing
  EXPECT_EQ(stored->front().name, "before");
}

}  // namespace
}  // namespace stepwise::sfn
