// DeleteStateMachine with running executions, through the Service: the machine is DELETING
// (stored, so it survives a restart) until its last Standard execution closes, then it is gone.
// As AWS documents, each execution is terminated (ABORTED) at its next state transition.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include "sfn/test_harness.h"
#include "store/memory_store.h"
#include "store/sqlite/test_store.h"
#include "store/test_util.h"

namespace stepwise::sfn {
namespace {

using testing::Harness;
using testing::HeldFunctions;
using testing::kStart;
using namespace std::chrono_literals;

json::value arn_request(const std::string& arn) { return json::object{{"stateMachineArn", arn}}; }

TEST(ServiceDeleting, MachineIsDeletingUntilItsLastExecutionCloses) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  HeldFunctions fns;
  Harness h(store, clock, &fns);
  std::string machine = h.create("busy", testing::kTaskMachine);
  std::string first = h.start(machine, "a");
  std::string second = h.start(machine, "b");
  fns.wait_held(2);

  h.ok("DeleteStateMachine", arn_request(machine));
  EXPECT_EQ(h.machine_status(machine), "DELETING");
  EXPECT_EQ((*store.get_state_machine(machine))->status, "DELETING");
  EXPECT_EQ(h.fails("StartExecution", arn_request(machine)), "StateMachineDeleting");
  EXPECT_EQ(h.fails("UpdateStateMachine", json::object{{"stateMachineArn", machine},
                                                       {"definition", testing::kPassMachine}}),
            "StateMachineDeleting");
  EXPECT_EQ(h.fails("CreateStateMachine", json::object{{"name", "busy"},
                                                       {"definition", testing::kTaskMachine},
                                                       {"roleArn", testing::kRole}}),
            "StateMachineDeleting");
  json::value listed = h.ok("ListStateMachines", json::object{});
  EXPECT_EQ(listed.at("stateMachines").as_array().size(), 1u);
  h.ok("DeleteStateMachine", arn_request(machine));  // again: still fine, still DELETING
  EXPECT_EQ(h.machine_status(machine), "DELETING");

  fns.answer_all();  // the tasks end: the executions' next transition terminates them
  EXPECT_EQ(h.wait_closed(first), "ABORTED");
  EXPECT_EQ(h.wait_closed(second), "ABORTED");
  EXPECT_EQ(h.event_types(first).back(), "ExecutionAborted");
  EXPECT_EQ(h.wait_machine_status_leaves(machine, "DELETING"), "StateMachineDoesNotExist");
  EXPECT_FALSE(store.get_state_machine(machine)->has_value());
  // The executions outlive their machine (until retention), and the name is free again.
  EXPECT_EQ(h.status(first), "ABORTED");
  EXPECT_EQ(h.create("busy", testing::kPassMachine), machine);
  EXPECT_EQ(h.machine_status(machine), "ACTIVE");
}

TEST(ServiceDeleting, MachineWithoutRunningExecutionsGoesAtOnce) {
  store::MemoryStore store;
  ManualClock clock(kStart);
  HeldFunctions fns;
  Harness h(store, clock, &fns);
  std::string standard = h.create("idle", testing::kPassMachine);
  ASSERT_EQ(h.wait_closed(h.start(standard, "done")), "SUCCEEDED");
  h.ok("DeleteStateMachine", arn_request(standard));
  EXPECT_EQ(h.machine_status(standard), "StateMachineDoesNotExist");

  // Express executions are not waited for (AWS deletes Express machines regardless).
  std::string express = h.create("fast", testing::kTaskMachine, "EXPRESS");
  h.start(express, "x");
  fns.wait_held(1);
  h.ok("DeleteStateMachine", arn_request(express));
  EXPECT_EQ(h.machine_status(express), "StateMachineDoesNotExist");
  fns.answer_all();
}

TEST(ServiceDeleting, DeletingSurvivesARestartAndFinishesWhenTheExecutionCloses) {
  store::TempDir dir;
  ManualClock clock(kStart);
  std::string machine;
  std::string execution;
  {
    auto store = store::open_test_store(dir.path());
    ASSERT_TRUE(store);
    HeldFunctions fns;
    Harness before(*store, clock, &fns);
    machine = before.create("long", testing::kTaskMachine);
    execution = before.start(machine, "e");
    fns.wait_held(1);
    before.ok("DeleteStateMachine", arn_request(machine));
    before.service().stop();  // the execution stays RUNNING in the store
  }
  auto store = store::open_test_store(dir.path());
  ASSERT_TRUE(store);
  HeldFunctions fns;
  Harness after(*store, clock, &fns);
  EXPECT_EQ(after.resumed(), 1u);
  EXPECT_EQ(after.machine_status(machine), "DELETING");
  EXPECT_EQ(after.fails("StartExecution", arn_request(machine)), "StateMachineDeleting");
  fns.wait_held(1);  // the resumed execution calls its function again
  fns.answer_all();
  EXPECT_EQ(after.wait_closed(execution), "ABORTED");
  EXPECT_EQ(after.wait_machine_status_leaves(machine, "DELETING"), "StateMachineDoesNotExist");
}

TEST(ServiceDeleting, StartDeletesDeletingMachinesThatNoLongerRun) {
  store::TempDir dir;
  ManualClock clock(kStart);
  std::string machine;
  {
    auto store = store::open_test_store(dir.path());
    ASSERT_TRUE(store);
    Harness before(*store, clock);
    machine = before.create("orphan", testing::kPassMachine);
  }
  {
    // As a crash leaves it: DELETING stored, its last execution closed before the delete ran.
    auto store = store::open_test_store(dir.path());
    ASSERT_TRUE(store);
    auto record = store->get_state_machine(machine);
    ASSERT_TRUE(record.ok() && record->has_value());
    store::StateMachineRecord row = **record;
    row.status = "DELETING";
    ASSERT_TRUE(store->put_state_machine(row).ok());
  }
  auto store = store::open_test_store(dir.path());
  ASSERT_TRUE(store);
  Harness after(*store, clock);
  EXPECT_EQ(after.machine_status(machine), "StateMachineDoesNotExist");
}

TEST(ServiceDeleting, AnExecutionWakingFromALongWaitIsTerminatedNotLetThrough) {
  // Task (held) → Wait an hour (the execution leaves memory, dormant; the manual clock then jumps
  // to its wake-up) → Task → end. The machine is deleted while the execution sleeps: the
  // wake-up must not look like "nothing runs any more" (the machine would go, and the execution
  // run on to T2); the Wait's end is its next transition, which terminates it.
  const char* definition =
      R"({"StartAt":"T1","States":{)"
      R"("T1":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Next":"W"},)"
      R"("W":{"Type":"Wait","Seconds":3600,"Next":"T2"},)"
      R"("T2":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}})";
  store::MemoryStore store;
  ManualClock clock(kStart);
  HeldFunctions fns;
  Harness h(store, clock, &fns);
  std::string machine = h.create("sleepy", definition);
  std::string execution = h.start(machine, "e");
  fns.wait_held(1);
  // Hold the clock while the delete goes in: the Wait must still be ahead when it does.
  h.service().post([&h] { h.service().loop().add_pending_work(); });
  fns.answer_all();  // T1 done: the Wait, dormant
  auto dormant = [&h] {
    std::promise<std::size_t> p;
    h.service().post([&] { p.set_value(h.service().executions().dormant_count()); });
    return p.get_future().get();
  };
  for (int i = 0; i < 10000 && dormant() == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(dormant(), 1u);
  h.ok("DeleteStateMachine", arn_request(machine));
  EXPECT_EQ(h.machine_status(machine), "DELETING");
  h.service().post([&h] { h.service().loop().done_pending_work(); });
  EXPECT_EQ(h.wait_closed(execution), "ABORTED");
  EXPECT_GE(clock.now_ms(), kStart + 3600 * 1000);
  EXPECT_EQ(fns.held(), 0u);  // T2 never ran
  const auto types = h.event_types(execution);
  ASSERT_GE(types.size(), 2u);
  EXPECT_EQ(types[types.size() - 2], "WaitStateEntered");
  EXPECT_EQ(types.back(), "ExecutionAborted");
  EXPECT_EQ(h.wait_machine_status_leaves(machine, "DELETING"), "StateMachineDoesNotExist");
}

TEST(ServiceDeleting, AStoredRunningExecutionHoldsTheDeleteEvenWhenNotInMemory) {
  // An execution RUNNING in the store that the service could not resume (its definition does not
  // compile any more) still counts: the machine stays DELETING rather than vanishing under it.
  store::MemoryStore store;
  ManualClock clock(kStart);
  Harness h(store, clock);
  std::string machine = h.create("m", testing::kPassMachine);
  auto row = store::execution("stuck", kStart);
  row.definition = "not a definition";
  ASSERT_EQ(row.state_machine_arn, machine);
  // Under the epoch the service claimed for shard 0 at start (the first claim: 1).
  ASSERT_TRUE(store::commit(store, {store::start_step(row, 1)}, store::Fence{0, 1}).ok());
  h.ok("DeleteStateMachine", arn_request(machine));
  EXPECT_EQ(h.machine_status(machine), "DELETING");
}

}  // namespace
}  // namespace stepwise::sfn
