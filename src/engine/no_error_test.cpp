// A task failure that names no error (SendTaskFailure with neither `error` nor `cause`): the
// TaskFailed event has no error and no cause, a Catch (or a tolerated Map iteration) sees
// {"Error": null, "Cause": null}, and the execution fails with no error at all.
#include <gtest/gtest.h>

#include <string>

#include "asl/compile.h"
#include "engine/run.h"

namespace stepwise::engine {
namespace {

constexpr const char* kQueue = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

// Every task fails with the outcome given.
class FailingRunner : public tasks::TaskRunner {
 public:
  explicit FailingRunner(tasks::TaskOutcome o) : outcome_(std::move(o)) {}
  void start(const tasks::TaskRequest&, EventLoop&, tasks::TaskDone done) override {
    done(outcome_);
  }

 private:
  tasks::TaskOutcome outcome_;
};

tasks::TaskOutcome no_error_no_cause() {
  tasks::TaskOutcome o = tasks::TaskOutcome::failure("", "");
  o.has_error = false;
  o.has_cause = false;
  return o;
}

RunResult run(const std::string& definition, tasks::TaskOutcome outcome,
              json::value input = json::object{{"k", 1}}) {
  ManualClock clock{1700000000000};
  IdGenerator ids{7};
  FailingRunner runner(std::move(outcome));
  RunOptions opts;
  opts.clock = &clock;
  opts.ids = &ids;
  opts.tasks = &runner;
  opts.execution_name = "exec";
  opts.state_machine_name = "sm";
  auto m = asl::compile_text(definition);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().cause);
  if (!m.ok()) return {};
  auto r = run_execution(**m, input, opts);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(*r) : RunResult{};
}

std::string task(const std::string& rest) {
  return std::string(R"({"Type":"Task","Resource":")") + kQueue +
         R"(","Parameters":{"QueueUrl":"q","MessageBody":{"T.$":"$$.Task.Token"}})" + rest + "}";
}

const HistoryEvent* find(const RunResult& r, const std::string& type) {
  for (const auto& e : r.history)
    if (e.type == type) return &e;
  return nullptr;
}

TEST(NoError, CatchSeesNullErrorAndCauseAndTheEventHasNeither) {
  auto r = run(R"({"StartAt":"T","States":{"T":)" +
                   task(R"(,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.e",)"
                        R"("Next":"P"}],"End":true)") +
                   R"(,"P":{"Type":"Pass","End":true}}})",
               no_error_no_cause());
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"({"k":1,"e":{"Error":null,"Cause":null}})");
  const HistoryEvent* failed = find(r, "TaskFailed");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(json::dump(failed->details),
            R"({"resourceType":"sqs","resource":"sendMessage.waitForTaskToken"})");
}

TEST(NoError, ACauseWithoutAnErrorKeepsItsCause) {
  tasks::TaskOutcome o = no_error_no_cause();
  o.has_cause = true;
  o.cause = "why";
  auto r = run(R"({"StartAt":"T","States":{"T":)" +
                   task(R"(,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"P"}],"End":true)") +
                   R"(,"P":{"Type":"Pass","End":true}}})",
               o);
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"({"Error":null,"Cause":"why"})");
}

TEST(NoError, ThroughAParallelBranchToItsCatch) {
  auto r = run(R"({"StartAt":"Par","States":{"Par":{"Type":"Parallel","Branches":[)"
               R"({"StartAt":"T","States":{"T":)" +
                   task(R"(,"End":true)") +
                   R"(}}],)"
                   R"("Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.e","Next":"P"}],)"
                   R"("End":true},"P":{"Type":"Pass","End":true}}})",
               no_error_no_cause());
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"({"k":1,"e":{"Error":null,"Cause":null}})");
}

TEST(NoError, AToleratedMapIterationKeepsTheNulls) {
  auto r = run(R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",)"
               R"("ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"T","States":{"T":)" +
                   task(R"(,"End":true)") + R"(}},"End":true}}})",
               no_error_no_cause(), json::object{{"items", json::array{1}}});
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"([{"Error":null,"Cause":null}])");
}

TEST(NoError, UncaughtTheExecutionFailsWithNoErrorAndNoCause) {
  auto r =
      run(R"({"StartAt":"T","States":{"T":)" + task(R"(,"End":true)") + "}}", no_error_no_cause());
  ASSERT_EQ(r.status, "FAILED");
  EXPECT_FALSE(r.error.has_value());
  EXPECT_FALSE(r.cause.has_value());
  const HistoryEvent* failed = find(r, "ExecutionFailed");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(json::dump(failed->details), "{}");
}

TEST(NoError, AnErrorWithoutACauseIsAsBefore) {
  tasks::TaskOutcome o = tasks::TaskOutcome::failure("E", "");
  o.has_cause = false;
  auto r = run(R"({"StartAt":"T","States":{"T":)" +
                   task(R"(,"Catch":[{"ErrorEquals":["E"],"Next":"P"}],"End":true)") +
                   R"(,"P":{"Type":"Pass","End":true}}})",
               o);
  ASSERT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(json::dump(*r.output), R"({"Error":"E"})");
  const HistoryEvent* failed = find(r, "TaskFailed");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->details.at("error"), "E");
}

}  // namespace
}  // namespace stepwise::engine
