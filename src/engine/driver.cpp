// Driver: commands out, answers back (see driver.h).
#include "engine/driver.h"

#include <utility>

namespace stepwise::engine {

StepEvent task_event(std::uint64_t id, tasks::TaskOutcome&& o) {
  StepEvent ev;
  ev.kind = o.succeeded ? StepEvent::Kind::kTaskSucceeded : StepEvent::Kind::kTaskFailed;
  ev.id = id;
  ev.output = std::move(o.output);
  ev.error = std::move(o.error);
  ev.cause = std::move(o.cause);
  ev.has_cause = o.has_cause;
  ev.has_error = o.has_error;
  return ev;
}

StepEvent timer_event(std::uint64_t id) {
  StepEvent ev;
  ev.kind = StepEvent::Kind::kTimerFired;
  ev.id = id;
  return ev;
}

void Driver::carry(std::uint64_t key, InFlight& f, std::vector<Command>& commands) {
  for (Command& c : commands) {
    switch (c.kind) {
      case Command::Kind::kStartTimer: {
        const std::uint64_t id = c.id;
        // A fired timer reaches the engine through the loop's queue, as an answer does, so
        // the engine sees timers and answers in the order they happened: delivered in place,
        // a timer overtook the answers already queued when the loop fell behind (a clock jump,
        // a busy turn), and a task could time out although its answer came first. Cancelled
        // meanwhile (a step in between ended its state), it is dropped when its turn comes.
        f.timers[id] = loop_.schedule_at(c.due_ms, [this, key, id] {
          loop_.post([this, key, id] {
            InFlight* now = host_.in_flight(key);
            if (now == nullptr || now->timers.erase(id) == 0) return;
            host_.deliver(key, timer_event(id));
          });
        });
        break;
      }
      case Command::Kind::kCancelTimer:
        if (auto it = f.timers.find(c.id); it != f.timers.end()) {
          loop_.cancel(it->second);
          f.timers.erase(it);
        }
        break;
      case Command::Kind::kInvokeTask:
        invoke(key, f, c);
        break;
      case Command::Kind::kCancelTask:
        if (f.tasks.erase(c.id) > 0 && c.request && f.runner != nullptr)
          f.runner->cancel(*c.request);
        break;
    }
  }
}

void Driver::invoke(std::uint64_t key, InFlight& f, const Command& c) {
  const std::uint64_t id = c.id;
  f.tasks[id] = c.request;
  if (f.runner == nullptr) {
    answers_.push_back(Answer{key, id,
                              tasks::TaskOutcome::failure("States.Runtime",
                                                          "No task runner is configured for "
                                                          "resource '" +
                                                              c.request->resource + "'.")});
    loop_.post([this] { answered(); });
    return;
  }
  f.runner->start(*c.request, loop_, [this, key, id](tasks::TaskOutcome o) {
    // A fresh loop turn: a runner answering inside start() must not re-enter the interpreter
    // while it is dispatching.
    answers_.push_back(Answer{key, id, std::move(o)});
    loop_.post([this] { answered(); });
  });
}

void Driver::answered() {
  Answer a = std::move(answers_.front());
  answers_.pop_front();
  InFlight* f = host_.in_flight(a.key);
  // Gone, or the task was cancelled meanwhile (a timeout, a stop): the answer is stale.
  if (f == nullptr || f->tasks.erase(a.id) == 0) return;
  host_.deliver(a.key, task_event(a.id, std::move(a.outcome)));
}

void Driver::cancel_all(InFlight& f) {
  for (auto& [id, timer] : f.timers) loop_.cancel(timer);
  f.timers.clear();
  if (f.runner != nullptr) {
    for (auto& [id, request] : f.tasks) f.runner->cancel(*request);
  }
  f.tasks.clear();
}

void Driver::drop_all(InFlight& f) {
  for (auto& [id, timer] : f.timers) loop_.cancel(timer);
  f.timers.clear();
  f.tasks.clear();
}

}  // namespace stepwise::engine
