// Replay determinism, recovery (outstanding()), heartbeats, TaskSubmitted and redrive, driving an
// Execution directly with a scripted, deterministic world instead of run.cpp's event loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "asl/compile.h"
#include "engine/interpreter.h"

namespace stepwise::engine {
namespace {

constexpr Millis kStart = 1700000000000;

// A seeded generator: the same seed gives the same sequence (as the store's execution seed does).
Execution::Random seeded(std::uint64_t seed) {
  return [s = seed]() mutable {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 11;
  };
}

ExecutionInfo standard_info() {
  ExecutionInfo info;
  info.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:sm:exec";
  info.execution_name = "exec";
  info.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:sm";
  info.state_machine_name = "sm";
  info.role_arn = "arn:aws:iam::123456789012:role/r";
  info.region = "us-east-1";
  info.account = "123456789012";
  return info;
}

// One journal entry: an outside event at a time, or a redrive.
struct Entry {
  bool redrive = false;
  StepEvent event;
  Millis now = 0;
};

// What a task does when invoked: its outcome, or nothing (a callback that answers later via
// heartbeats and a result the world sends itself).
using Behaviour = std::function<StepEvent(const tasks::TaskRequest&, int call)>;

// Carries out commands deterministically: tasks answer in issue order before any timer fires,
// timers fire in (due, id) order and move the time. Every step is recorded.
class World {
 public:
  World(Execution& ex, Behaviour behaviour) : ex_(ex), behaviour_(std::move(behaviour)) {}

  void absorb() {
    for (auto& c : ex_.commands()) {
      switch (c.kind) {
        case Command::Kind::kStartTimer:
          timers_[{c.due_ms, c.id}] = c.id;
          break;
        case Command::Kind::kCancelTimer:
          for (auto it = timers_.begin(); it != timers_.end(); ++it) {
            if (it->second == c.id) {
              timers_.erase(it);
              break;
            }
          }
          break;
        case Command::Kind::kInvokeTask:
          tasks_.push_back(c);
          break;
        case Command::Kind::kCancelTask:
          for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
            if (it->id == c.id) {
              tasks_.erase(it);
              break;
            }
          }
          break;
      }
    }
    ex_.commands().clear();
  }

  void step(Entry e) {
    journal.push_back(e);
    if (e.redrive) {
      ex_.redrive(e.now);
    } else {
      ex_.handle(e.event, e.now);
    }
    absorb();
    snapshots.push_back(snapshot(ex_));
  }

  // Runs until the execution ends or nothing is left to do; at most `steps_max` steps.
  void run(std::size_t steps_max = 10000) {
    absorb();
    for (std::size_t i = 0; i < steps_max && !ex_.finished(); ++i) {
      if (!tasks_.empty()) {
        Command c = tasks_.front();
        tasks_.erase(tasks_.begin());
        int call = calls_[c.request->resource + "|" + c.request->state_name]++;
        StepEvent ev = behaviour_(*c.request, call);
        ev.id = c.id;
        if (ev.kind == StepEvent::Kind::kHeartbeat || ev.kind == StepEvent::Kind::kTaskSubmitted) {
          // Progress first (heartbeats five seconds apart), then the result.
          step(Entry{false, ev, now_});
          now_ += 5000;
          step(Entry{false, ev, now_});
          StepEvent done;
          done.kind = StepEvent::Kind::kTaskSucceeded;
          done.id = c.id;
          done.output = json::object{{"token", c.request->task_token.value_or("")}};
          now_ += 5000;
          step(Entry{false, done, now_});
        } else {
          step(Entry{false, ev, now_});
        }
        continue;
      }
      if (timers_.empty()) return;
      auto it = timers_.begin();
      now_ = std::max(now_, it->first.first);
      StepEvent ev;
      ev.kind = StepEvent::Kind::kTimerFired;
      ev.id = it->second;
      timers_.erase(it);
      step(Entry{false, ev, now_});
    }
  }

  void redrive(Millis later) {
    now_ += later;
    step(Entry{true, StepEvent{}, now_});
  }

  Millis now() const { return now_; }
  void set_now(Millis t) { now_ = t; }

  // History plus outstanding work, as text: what replay must reproduce after every step.
  static std::string snapshot(Execution& ex) {
    std::string out = ex.status() + "\n";
    for (const auto& e : ex.history()) out += json::dump(e.to_json()) + "\n";
    for (const auto& c : ex.outstanding()) {
      out += "outstanding " + std::to_string(static_cast<int>(c.kind)) + " " +
             std::to_string(c.id) + " " + std::to_string(c.due_ms);
      if (c.request) {
        out += " " + c.request->resource + " " + json::dump(c.request->parameters) + " " +
               c.request->task_token.value_or("-") + " " + std::to_string(c.request->attempt);
      }
      out += "\n";
    }
    return out;
  }

  std::vector<Entry> journal;
  std::vector<std::string> snapshots;

 private:
  Execution& ex_;
  Behaviour behaviour_;
  Millis now_ = kStart;
  std::map<std::pair<Millis, std::uint64_t>, std::uint64_t> timers_;
  std::vector<Command> tasks_;
  std::map<std::string, int> calls_;
};

std::shared_ptr<const asl::StateMachine> compile(const std::string& definition) {
  auto m = asl::compile_text(definition);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().cause);
  if (!m.ok()) return nullptr;
  return *m;
}

StepEvent succeed(json::value v) {
  StepEvent e;
  e.kind = StepEvent::Kind::kTaskSucceeded;
  e.output = std::move(v);
  return e;
}

StepEvent fail(const std::string& error) {
  StepEvent e;
  e.kind = StepEvent::Kind::kTaskFailed;
  e.error = error;
  e.cause = "it failed";
  return e;
}

// Runs `definition` recording every step, then replays the journal into a fresh Execution and
// requires the same history and outstanding work after every step. Returns the recording.
struct Recording {
  std::string status;
  std::string final_snapshot;
  std::vector<std::string> types;
};

Recording record_and_replay(const std::string& definition, const std::string& input,
                            const Behaviour& behaviour, int redrives = 0) {
  auto m = compile(definition);
  if (!m) return {};
  auto in = json::parse(input);
  EXPECT_TRUE(in.ok());
  Execution ex(m, standard_info(), seeded(7));
  World world(ex, behaviour);
  ex.start(*in, kStart);
  std::string start_snapshot = World::snapshot(ex);
  world.run();
  for (int i = 0; i < redrives && ex.finished() && ex.status() != "SUCCEEDED"; ++i) {
    world.redrive(60000);
    world.run();
  }
  EXPECT_FALSE(world.journal.empty());

  Execution again(m, standard_info(), seeded(7));
  again.start(*in, kStart);
  again.commands().clear();
  EXPECT_EQ(World::snapshot(again), start_snapshot);
  for (std::size_t i = 0; i < world.journal.size(); ++i) {
    const Entry& e = world.journal[i];
    if (e.redrive) {
      again.redrive(e.now);
    } else {
      again.handle(e.event, e.now);
    }
    again.commands().clear();
    EXPECT_EQ(World::snapshot(again), world.snapshots[i]) << "after journal entry " << i;
  }
  Recording r;
  r.status = ex.status();
  r.final_snapshot = World::snapshot(ex);
  for (const auto& e : ex.history()) r.types.push_back(e.type);
  return r;
}

int count(const std::vector<std::string>& v, const std::string& what) {
  int n = 0;
  for (const auto& s : v) n += s == what ? 1 : 0;
  return n;
}

const char* kFn = "arn:aws:lambda:us-east-1:123456789012:function:fn";

TEST(Replay, ParallelWithTasksAndWaitsReplaysIdentically) {
  auto r = record_and_replay(
      R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
      "Branches":[
        {"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
          std::string(kFn) + R"J(",
          "Next":"W"},"W":{"Type":"Wait","Seconds":3,"End":true}}},
        {"StartAt":"W2","States":{"W2":{"Type":"Wait","Seconds":1,"Next":"U"},
          "U":{"Type":"Pass","Parameters":{"id.$":"States.UUID()"},"End":true}}}]}}})J",
      R"({"x":1})", [](const tasks::TaskRequest& rq, int) { return succeed(rq.parameters); });
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(count(r.types, "WaitStateExited"), 2);
}

TEST(Replay, MapWithJitteredRetriesReplaysIdentically) {
  auto r = record_and_replay(
      R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
      "End":true,"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task",
        "Resource":")" +
          std::string(kFn) + R"(","End":true,
        "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"MaxAttempts":3,
                  "BackoffRate":2,"JitterStrategy":"FULL"}]}}}}}})",
      "[1,2,3,4,5]", [](const tasks::TaskRequest& rq, int) {
        // Odd items fail on their first attempt.
        if (rq.attempt == 0 && rq.parameters.is_int64() && rq.parameters.get_int64() % 2 == 1) {
          return fail("Flaky");
        }
        return succeed(rq.parameters);
      });
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(count(r.types, "MapIterationSucceeded"), 5);
  EXPECT_EQ(count(r.types, "LambdaFunctionFailed"), 3);
}

TEST(Replay, JsonataRandomnessTimeAndMapReplayIdentically) {
  auto r = record_and_replay(R"J({"QueryLanguage":"JSONata","StartAt":"R","States":{
      "R":{"Type":"Pass","Output":"{% {'r': $random(), 'u': $uuid(), 't': $now(), 'xs': [1,2,3]} %}",
        "Next":"M"},
      "M":{"Type":"Map","Items":"{% $states.input.xs %}","End":true,
        "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task",
          "Resource":"arn:aws:lambda:us-east-1:123456789012:function:fn",
          "Arguments":{"v":"{% $states.input %}","r":"{% $random() %}"},
          "Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2,"JitterStrategy":"FULL"}],
          "End":true}}}}}})J",
                             "{}", [](const tasks::TaskRequest& rq, int) {
                               return rq.attempt == 0 ? fail("Once") : succeed(rq.parameters);
                             });
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(count(r.types, "MapIterationSucceeded"), 3);
}

TEST(Replay, TaskTokenCallbacksWithHeartbeatsReplayIdentically) {
  auto r = record_and_replay(R"({"StartAt":"C","States":{"C":{"Type":"Task",
      "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":8,
      "TimeoutSeconds":100,"Parameters":{"QueueUrl":"q","MessageBody":{"t.$":"$$.Task.Token"}},
      "End":true}}})",
                             "{}", [](const tasks::TaskRequest&, int) {
                               StepEvent e;
                               e.kind = StepEvent::Kind::kHeartbeat;
                               return e;
                             });
  // Answered after 10 s: only the heartbeats at 0 s and 5 s kept the 8 s heartbeat alive.
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(count(r.types, "TaskSucceeded"), 1);
}

TEST(Replay, ExecutionTimeoutAndCatchReplayIdentically) {
  auto r = record_and_replay(R"({"StartAt":"T","TimeoutSeconds":30,"States":{"T":{"Type":"Task",
      "Resource":")" + std::string(kFn) +
                                 R"(","Catch":[{"ErrorEquals":["States.ALL"],
      "ResultPath":"$.err","Next":"W"}],"Next":"W"},"W":{"Type":"Wait","Seconds":60,"End":true}}})",
                             "{}", [](const tasks::TaskRequest&, int) { return fail("Boom"); });
  EXPECT_EQ(r.status, "TIMED_OUT");
}

TEST(Heartbeat, WithoutHeartbeatsTheTaskTimesOut) {
  auto m = compile(R"({"StartAt":"A","States":{"A":{"Type":"Task",
      "Resource":"arn:aws:states:us-east-1:123456789012:activity:act","HeartbeatSeconds":5,
      "End":true}}})");
  Execution ex(m, standard_info(), seeded(1));
  ex.start(json::object(), kStart);
  std::uint64_t task = 0, timer = 0;
  for (const auto& c : ex.commands()) {
    if (c.kind == Command::Kind::kInvokeTask) task = c.id;
    if (c.kind == Command::Kind::kStartTimer) timer = c.id;
  }
  ex.commands().clear();
  ASSERT_NE(task, 0u);
  EXPECT_TRUE(ex.task_pending(task));
  StepEvent beat;
  beat.kind = StepEvent::Kind::kHeartbeat;
  beat.id = task;
  ex.handle(beat, kStart + 4000);
  // The old timer is cancelled and a new one runs from the heartbeat.
  ASSERT_EQ(ex.commands().size(), 2u);
  EXPECT_EQ(ex.commands()[0].kind, Command::Kind::kCancelTimer);
  EXPECT_EQ(ex.commands()[0].id, timer);
  EXPECT_EQ(ex.commands()[1].kind, Command::Kind::kStartTimer);
  EXPECT_EQ(ex.commands()[1].due_ms, kStart + 9000);
  std::uint64_t fresh = ex.commands()[1].id;
  ex.commands().clear();
  StepEvent old;
  old.kind = StepEvent::Kind::kTimerFired;
  old.id = timer;
  ex.handle(old, kStart + 5000);  // the cancelled timer: ignored
  EXPECT_FALSE(ex.finished());
  StepEvent fire;
  fire.kind = StepEvent::Kind::kTimerFired;
  fire.id = fresh;
  ex.handle(fire, kStart + 9000);
  EXPECT_EQ(ex.status(), "FAILED");
  EXPECT_EQ(ex.error().value_or(""), "States.HeartbeatTimeout");
  EXPECT_FALSE(ex.task_pending(task));
}

TEST(Outstanding, ListsPendingTasksAndTimersInIssueOrder) {
  auto m = compile(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
                   std::string(kFn) + R"(",
        "TimeoutSeconds":9,"End":true}}},
      {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":4,"End":true}}}]}}})");
  Execution ex(m, standard_info(), seeded(1));
  ex.start(json::object{{"a", 1}}, kStart);
  auto out = ex.outstanding();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].kind, Command::Kind::kInvokeTask);
  ASSERT_TRUE(out[0].request);
  EXPECT_EQ(json::dump(out[0].request->parameters), R"({"a":1})");
  EXPECT_EQ(out[1].kind, Command::Kind::kStartTimer);
  EXPECT_EQ(out[1].due_ms, kStart + 9000);
  EXPECT_EQ(out[2].kind, Command::Kind::kStartTimer);
  EXPECT_EQ(out[2].due_ms, kStart + 4000);
  StepEvent done = succeed(json::object());
  done.id = out[0].id;
  ex.handle(done, kStart + 1000);
  auto later = ex.outstanding();
  ASSERT_EQ(later.size(), 1u);  // the task and its timeout are gone
  EXPECT_EQ(later[0].id, out[2].id);
}

TEST(TaskSubmitted, SyncSubmissionWritesTaskSubmittedAndKeepsTheTaskRunning) {
  auto m = compile(R"({"StartAt":"S","States":{"S":{"Type":"Task",
      "Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"x"},
      "End":true}}})");
  Execution ex(m, standard_info(), seeded(1));
  ex.start(json::object(), kStart);
  std::uint64_t task = ex.outstanding().at(0).id;
  StepEvent sub;
  sub.kind = StepEvent::Kind::kTaskSubmitted;
  sub.id = task;
  sub.output = json::object{{"ExecutionArn", "arn:x"}};
  ex.handle(sub, kStart + 10);
  EXPECT_FALSE(ex.finished());
  EXPECT_TRUE(ex.task_pending(task));
  const HistoryEvent& e = ex.history().back();
  EXPECT_EQ(e.type, "TaskSubmitted");
  EXPECT_EQ(json::dump(e.details),
            R"({"output":"{\"ExecutionArn\":\"arn:x\"}","outputDetails":{"truncated":false},)"
            R"("resource":"startExecution.sync","resourceType":"states"})");
  StepEvent done = succeed(json::object{{"Status", "SUCCEEDED"}});
  done.id = task;
  ex.handle(done, kStart + 20);
  EXPECT_EQ(ex.status(), "SUCCEEDED");
}

// ---------------------------------------------------------------------------- redrive

TEST(Redrive, RerunsTheFailedTaskButNotTheStatesBeforeIt) {
  int calls = 0;
  auto r = record_and_replay(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"v":1},
      "Next":"T"},"T":{"Type":"Task","Resource":")" +
                                 std::string(kFn) + R"(","End":true,
      "Retry":[{"ErrorEquals":["Once"],"MaxAttempts":1}]}}})",
                             "{}",
                             [&calls](const tasks::TaskRequest& rq, int) {
                               // Fails twice (the retry included), then works.
                               return ++calls <= 2 ? fail("Once") : succeed(rq.parameters);
                             },
                             1);
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(count(r.types, "PassStateEntered"), 1);
  EXPECT_EQ(count(r.types, "ExecutionFailed"), 1);
  EXPECT_EQ(count(r.types, "ExecutionRedriven"), 1);
  EXPECT_EQ(count(r.types, "TaskStateEntered"), 2);
  // The redriven Task runs with the input it first had: the Pass state's result.
  EXPECT_NE(r.final_snapshot.find(R"(ExecutionSucceeded)"), std::string::npos);
  EXPECT_NE(r.final_snapshot.find(R"(\"v\":1)"), std::string::npos);
}

TEST(Redrive, OnlyFailedParallelBranchesRunAgain) {
  std::map<std::string, int> calls;
  auto r = record_and_replay(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
      "Branches":[
        {"StartAt":"Good","States":{"Good":{"Type":"Task","Resource":")" +
                                 std::string(kFn) + R"(",
          "Parameters":{"b":"good"},"End":true}}},
        {"StartAt":"Bad","States":{"Bad":{"Type":"Task","Resource":")" +
                                 std::string(kFn) + R"(",
          "Parameters":{"b":"bad"},"End":true}}}]}}})",
                             "{}",
                             [&calls](const tasks::TaskRequest& rq, int) {
                               if (++calls[rq.state_name] == 1 && rq.state_name == "Bad") {
                                 return fail("Boom");
                               }
                               return succeed(rq.parameters);
                             },
                             1);
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(calls["Good"], 1);
  EXPECT_EQ(calls["Bad"], 2);
  EXPECT_NE(r.final_snapshot.find(R"([{\"b\":\"good\"},{\"b\":\"bad\"}])"), std::string::npos);
}

// Five items, two at a time; item 1's first call fails, so the Map fails; one redrive. The
// processor is inline, or Distributed with `processor_config`. Counts the calls per item.
Recording map_redriven_once(const std::string& processor_config,
                            std::map<std::string, int>& calls) {
  auto r = record_and_replay(R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
      "End":true,"ItemProcessor":{)" +
                                 processor_config + R"("StartAt":"T","States":{"T":{
        "Type":"Task","Resource":")" +
                                 std::string(kFn) + R"(","End":true}}}}}})",
                             "[0,1,2,3,4]",
                             [&calls](const tasks::TaskRequest& rq, int) {
                               std::string item = json::dump(rq.parameters);
                               if (++calls[item] == 1 && item == "1") return fail("Boom");
                               return succeed(rq.parameters);
                             },
                             1);
  EXPECT_EQ(r.status, "SUCCEEDED");
  EXPECT_EQ(calls["0"], 1);
  EXPECT_EQ(calls["1"], 2);
  EXPECT_EQ(calls["2"] + calls["3"] + calls["4"], 3);
  EXPECT_NE(r.final_snapshot.find(R"("output":"[0,1,2,3,4]")"), std::string::npos);
  return r;
}

TEST(Redrive, OnlyFailedMapIterationsRunAgainAndUnstartedOnesStart) {
  std::map<std::string, int> calls;
  map_redriven_once("", calls);
}

TEST(Redrive, MapItemWhoseParametersFailedIsNotSkipped) {
  // Item 1 has no "x": its Parameters fail every time, so the redriven Map must fail again
  // rather than finish with a hole where item 1's result belongs.
  auto r = record_and_replay(
      R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
      "End":true,"Parameters":{"x.$":"$$.Map.Item.Value.x"},"ItemProcessor":{"StartAt":"T",
      "States":{"T":{"Type":"Task","Resource":")" +
          std::string(kFn) + R"(","End":true}}}}}})",
      R"([{"x":0},{},{"x":2}])",
      [](const tasks::TaskRequest& rq, int) { return succeed(rq.parameters); }, 1);
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(count(r.types, "ExecutionRedriven"), 1);
  EXPECT_EQ(count(r.types, "ExecutionFailed"), 2);
}

// A Distributed Map's failed run is redriven, not started over: one MapRunStarted, one
// MapRunRedriven, only the failed child (and the ones never started) run again.
TEST(Redrive, DistributedMapRedrivesItsRunsFailedChildren) {
  std::map<std::string, int> calls;
  Recording r = map_redriven_once(R"("ProcessorConfig":{"Mode":"DISTRIBUTED"},)", calls);
  EXPECT_EQ(count(r.types, "MapRunStarted"), 1);
  EXPECT_EQ(count(r.types, "MapRunRedriven"), 1);
  EXPECT_EQ(count(r.types, "MapRunSucceeded"), 1);
}

TEST(Redrive, DistributedMapItemWhoseParametersFailedIsNotSkipped) {
  auto r = record_and_replay(
      R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
      "End":true,"ItemSelector":{"x.$":"$$.Map.Item.Value.x"},"ItemProcessor":{
      "ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"T",
      "States":{"T":{"Type":"Task","Resource":")" +
          std::string(kFn) + R"(","End":true}}}}}})",
      R"([{"x":0},{},{"x":2}])",
      [](const tasks::TaskRequest& rq, int) { return succeed(rq.parameters); }, 1);
  EXPECT_EQ(r.status, "FAILED");
  EXPECT_EQ(count(r.types, "MapRunRedriven"), 1);
  EXPECT_EQ(count(r.types, "MapRunStarted"), 1);
  EXPECT_EQ(count(r.types, "ExecutionFailed"), 2);
}

TEST(Redrive, AbortedExecutionResumesItsWaitAndCountsRedrives) {
  auto m = compile(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"C"},
      "C":{"Type":"Pass","Parameters":{"n.$":"$$.Execution.RedriveCount"},"End":true}}})");
  Execution ex(m, standard_info(), seeded(1));
  EXPECT_FALSE(ex.redrive(kStart));  // not started
  ex.start(json::object(), kStart);
  EXPECT_FALSE(ex.redrive(kStart));  // running
  StepEvent stop;
  stop.kind = StepEvent::Kind::kStop;
  ex.handle(stop, kStart + 1000);
  EXPECT_EQ(ex.status(), "ABORTED");
  ex.commands().clear();
  ASSERT_TRUE(ex.redrive(kStart + 2000));
  EXPECT_EQ(ex.redrive_count(), 1);
  EXPECT_EQ(ex.status(), "");
  const auto& h = ex.history();
  auto redriven = std::find_if(h.begin(), h.end(),
                               [](const HistoryEvent& e) { return e.type == "ExecutionRedriven"; });
  ASSERT_NE(redriven, h.end());
  EXPECT_EQ(json::dump(redriven->details), R"({"redriveCount":1})");
  auto out = ex.outstanding();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].due_ms, kStart + 12000);  // the Wait starts over
  StepEvent fire;
  fire.kind = StepEvent::Kind::kTimerFired;
  fire.id = out[0].id;
  ex.handle(fire, kStart + 12000);
  ASSERT_EQ(ex.status(), "SUCCEEDED");
  EXPECT_EQ(json::dump(*ex.output()), R"({"n":1})");
  EXPECT_FALSE(ex.redrive(kStart + 13000));  // succeeded: nothing to redrive
}

TEST(Redrive, ExpressExecutionsCannotBeRedriven) {
  auto m = compile(R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}})");
  ExecutionInfo info = standard_info();
  info.express = true;
  info.keep_history = false;
  Execution ex(m, info, seeded(1));
  ex.start(json::object(), kStart);
  EXPECT_EQ(ex.status(), "FAILED");
  EXPECT_FALSE(ex.redrive(kStart + 1));
  EXPECT_EQ(ex.status(), "FAILED");
}

// ---------------------------------------------------------------------------- duration limits

TEST(Express, EndlessPassLoopTimesOutWhenTransitionsAreCharged) {
  auto m = compile(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
      "B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"D"}],
      "Default":"A"},"D":{"Type":"Succeed"}}})");
  ExecutionInfo info = standard_info();
  info.express = true;
  info.keep_history = false;
  info.transition_charge_us = 1000;  // five minutes after 300,000 transitions
  Execution ex(m, info, seeded(1));
  ex.start(json::object(), kStart);
  EXPECT_EQ(ex.status(), "TIMED_OUT");
  EXPECT_EQ(ex.error().value_or(""), "States.Timeout");
  // 300,000 states ran, each writing an Entered and an Exited event (counted, not kept).
  EXPECT_GE(ex.event_count(), 599990);
  EXPECT_LE(ex.event_count(), 600010);
}

TEST(Express, FiveMinuteLimitAppliesWithoutTimeoutSeconds) {
  auto m = compile(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}})");
  ExecutionInfo info = standard_info();
  info.express = true;
  Execution ex(m, info, seeded(1));
  ex.start(json::object(), kStart);
  auto out = ex.outstanding();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].due_ms, kStart + 600000);  // the Wait
  EXPECT_EQ(out[1].due_ms, kStart + 300000);  // the execution's limit
  StepEvent fire;
  fire.kind = StepEvent::Kind::kTimerFired;
  fire.id = out[1].id;
  ex.handle(fire, kStart + 300000);
  EXPECT_EQ(ex.status(), "TIMED_OUT");
}

}  // namespace
}  // namespace stepwise::engine
