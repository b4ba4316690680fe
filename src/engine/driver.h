// Driver: the one place where an interpreter's Commands go out into the world and the answers
// come back as StepEvents. A kStartTimer becomes a loop timer, a kInvokeTask a TaskRunner call;
// a fired timer and a TaskOutcome become the StepEvent the interpreter takes next.
//
// Used by everything that runs executions on an EventLoop: run_execution (`stepwise run`, the
// conformance runner), the benchmarks' interleaver (many executions on one loop) and the Step
// Functions service (sfn::Executions, one Driver per engine loop). Each of them owns its
// executions and names them to the Driver by a 64-bit key of its choosing; the Driver keeps
// only the answers in transit, so a late answer for an execution that is gone (finished,
// stopped, asleep) finds no InFlight for its key and is dropped.
//
// Why a key and a Host instead of callbacks per execution: a fired timer or a task answer
// captures only (this, key, id), so carrying a command allocates no closure state of its own,
// and the owner decides what "gone" means (an ARN no longer live, an older generation of a
// benchmark slot).
//
// Thread-safety: loop thread only. TaskRunners call `done` on the loop's thread (task_runner.h);
// answers are delivered on a later loop turn, never inside the dispatch that started the task.
// A fired timer takes the same way (a post to the loop's queue), so the engine sees timers and
// answers in the order they happened, even when the loop fell behind.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/event_loop.h"
#include "engine/interpreter.h"
#include "tasks/task_runner.h"

namespace stepwise::engine {

// The StepEvent of a task's answer / of a fired timer.
StepEvent task_event(std::uint64_t id, tasks::TaskOutcome&& outcome);
StepEvent timer_event(std::uint64_t id);

// What one execution has out in the world: its runner, and the timers and tasks in flight.
struct InFlight {
  tasks::TaskRunner* runner = nullptr;  // null: a Task fails with States.Runtime
  std::unordered_map<std::uint64_t, EventLoop::TimerId> timers;  // engine timer id → loop timer
  std::unordered_map<std::uint64_t, std::shared_ptr<const tasks::TaskRequest>> tasks;
};

class Driver {
 public:
  // The owner of the executions.
  class Host {
   public:
    // The execution named `key`, or null when it is gone (its answers are then dropped).
    virtual InFlight* in_flight(std::uint64_t key) = 0;
    // A timer fired or a task answered for the execution `key` (its InFlight already updated).
    virtual void deliver(std::uint64_t key, StepEvent event) = 0;

   protected:
    ~Host() = default;
  };

  Driver(EventLoop& loop, Host& host) : loop_(loop), host_(host) {}
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Carries out `commands` (a step's, in order) for the execution `key`. Leaves them moved from.
  void carry(std::uint64_t key, InFlight& f, std::vector<Command>& commands);
  // One kInvokeTask (also used on its own when a re-dispatch waits for its journalled step).
  void invoke(std::uint64_t key, InFlight& f, const Command& c);
  // The execution no longer wants anything (it finished, failed to commit): timers cancelled,
  // tasks cancelled at their runner.
  void cancel_all(InFlight& f);
  // The execution leaves memory but goes on (shutdown, restart): timers cancelled, tasks only
  // forgotten — a cancel would tell a runner to undo the call (a nested runner stops the child).
  void drop_all(InFlight& f);

  EventLoop& loop() { return loop_; }

 private:
  struct Answer {
    std::uint64_t key;
    std::uint64_t id;
    tasks::TaskOutcome outcome;
  };
  void answered();

  EventLoop& loop_;
  Host& host_;
  // Task answers posted and not yet delivered (posts run in order, so FIFO): the posted
  // function captures only `this` and needs no allocation of its own. A deque, not a Fifo: on
  // a busy loop it may never run empty.
  std::deque<Answer> answers_;
};

}  // namespace stepwise::engine
