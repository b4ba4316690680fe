// engine::Driver: commands out, answers back, stale answers dropped.
#include "engine/driver.h"

#include <gtest/gtest.h>

#include <vector>

namespace stepwise::engine {
namespace {

// Answers each start() at once, inside the call (the case the Driver must defer).
class AnswerAtOnce final : public tasks::TaskRunner {
 public:
  void start(const tasks::TaskRequest& request, EventLoop&, tasks::TaskDone done) override {
    ++started;
    done(tasks::TaskOutcome::success(json::value(request.state_name)));
  }
  void cancel(const tasks::TaskRequest&) override { ++cancelled; }
  int started = 0;
  int cancelled = 0;
};

// Keeps each call's `done` for the test to answer later.
class Held final : public tasks::TaskRunner {
 public:
  void start(const tasks::TaskRequest&, EventLoop&, tasks::TaskDone done) override {
    held.push_back(std::move(done));
  }
  void cancel(const tasks::TaskRequest&) override { ++cancelled; }
  std::vector<tasks::TaskDone> held;
  int cancelled = 0;
};

class Host final : public Driver::Host {
 public:
  InFlight* in_flight(std::uint64_t key) override { return key == live_key ? &f : nullptr; }
  void deliver(std::uint64_t key, StepEvent ev) override {
    delivered.push_back({key, ev.kind, ev.id, ev.error});
    if (inside_dispatch) reentered = true;
  }
  struct Got {
    std::uint64_t key;
    StepEvent::Kind kind;
    std::uint64_t id;
    std::string error;
  };
  std::uint64_t live_key = 1;
  InFlight f;
  std::vector<Got> delivered;
  bool inside_dispatch = false;
  bool reentered = false;
};

// A loop on a manual clock, a Host and a Driver between them.
struct Rig {
  explicit Rig(tasks::TaskRunner* runner = nullptr) { host.f.runner = runner; }
  ManualClock clock{1000};
  EventLoop loop{clock};
  Host host;
  Driver d{loop, host};
  void carry(std::vector<Command> cmds) { d.carry(1, host.f, cmds); }
};

Command invoke(std::uint64_t id, const std::string& state) {
  auto r = std::make_shared<tasks::TaskRequest>();
  r->resource = "arn:aws:lambda:us-east-1:123456789012:function:f";
  r->state_name = state;
  Command c;
  c.kind = Command::Kind::kInvokeTask;
  c.id = id;
  c.request = r;
  return c;
}

Command timer(std::uint64_t id, Millis due) {
  Command c;
  c.kind = Command::Kind::kStartTimer;
  c.id = id;
  c.due_ms = due;
  return c;
}

TEST(DriverTest, AnAnswerGivenInsideStartIsDeliveredOnALaterLoopTurn) {
  AnswerAtOnce runner;
  Rig r(&runner);
  Host& host = r.host;
  host.inside_dispatch = true;
  r.carry({invoke(5, "A")});
  host.inside_dispatch = false;
  EXPECT_TRUE(host.delivered.empty());
  r.loop.run();
  ASSERT_EQ(host.delivered.size(), 1u);
  EXPECT_EQ(host.delivered[0].kind, StepEvent::Kind::kTaskSucceeded);
  EXPECT_EQ(host.delivered[0].id, 5u);
  EXPECT_FALSE(host.reentered);
  EXPECT_TRUE(host.f.tasks.empty());
}

TEST(DriverTest, TimersFireAsTimerEventsAndCancelledTimersDoNot) {
  Rig r;
  Host& host = r.host;
  r.carry({timer(1, 2000), timer(2, 3000)});
  Command cancel;
  cancel.kind = Command::Kind::kCancelTimer;
  cancel.id = 2;
  r.carry({cancel});
  r.loop.run();
  ASSERT_EQ(host.delivered.size(), 1u);
  EXPECT_EQ(host.delivered[0].kind, StepEvent::Kind::kTimerFired);
  EXPECT_EQ(host.delivered[0].id, 1u);
  EXPECT_TRUE(host.f.timers.empty());
}

// The loop fell behind (a clock jump; a busy loop is the same): an answer that came at 1200 and
// the task's timeout due at 1500 are both past when it next looks. The engine must see them in
// the order they happened: the answer, then the timeout (which then finds no task to end).
// Before, a fired timer reached the engine at once while an answer went through the loop's
// queue, so a timer overtook answers that came before it (tests/sim, seeds 102095, 103110).
TEST(DriverTest, AnAnswerThatCameBeforeATimerIsDeliveredBeforeIt) {
  Held runner;
  Rig r(&runner);
  Host& host = r.host;
  r.carry({invoke(1, "A"), timer(2, 1500)});
  r.loop.schedule_at(1200, [&] { runner.held[0](tasks::TaskOutcome::success(json::value(1))); });
  r.clock.advance_to(2000);
  r.loop.run();
  ASSERT_EQ(host.delivered.size(), 2u);
  EXPECT_EQ(host.delivered[0].kind, StepEvent::Kind::kTaskSucceeded);
  EXPECT_EQ(host.delivered[1].kind, StepEvent::Kind::kTimerFired);
}

TEST(DriverTest, AnAnswerForACancelledTaskOrAGoneExecutionIsDropped) {
  Held runner;
  Rig r(&runner);
  Host& host = r.host;
  r.carry({invoke(1, "A"), invoke(2, "B")});
  Command cancel = invoke(1, "A");
  cancel.kind = Command::Kind::kCancelTask;
  r.carry({cancel});
  EXPECT_EQ(runner.cancelled, 1);
  runner.held[0](tasks::TaskOutcome::success(json::value(1)));  // cancelled meanwhile
  host.live_key = 0;                                            // the execution is gone
  runner.held[1](tasks::TaskOutcome::success(json::value(2)));
  r.loop.run();
  EXPECT_TRUE(host.delivered.empty());
}

TEST(DriverTest, WithoutARunnerATaskFailsWithStatesRuntime) {
  Rig r;
  Host& host = r.host;
  r.carry({invoke(3, "A")});
  r.loop.run();
  ASSERT_EQ(host.delivered.size(), 1u);
  EXPECT_EQ(host.delivered[0].kind, StepEvent::Kind::kTaskFailed);
  EXPECT_EQ(host.delivered[0].error, "States.Runtime");
}

TEST(DriverTest, CancelAllCancelsTasksAtTheRunnerAndDropAllOnlyForgetsThem) {
  Held runner;
  Rig r(&runner);
  Host& host = r.host;
  r.carry({invoke(1, "A"), timer(2, 5000)});
  r.d.drop_all(host.f);
  EXPECT_EQ(runner.cancelled, 0);
  EXPECT_TRUE(host.f.tasks.empty() && host.f.timers.empty());
  r.carry({invoke(3, "B")});
  r.d.cancel_all(host.f);
  EXPECT_EQ(runner.cancelled, 1);
  r.loop.run();  // the cancelled timer never fires
  EXPECT_TRUE(host.delivered.empty());
}

}  // namespace
}  // namespace stepwise::engine
