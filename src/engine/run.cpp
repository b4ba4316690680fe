// run_execution: drives one Execution with an EventLoop, a Clock and a TaskRunner.
#include "engine/run.h"

#include <deque>
#include <unordered_map>

#include "asl/model.h"
#include "engine/interpreter.h"

namespace stepwise::engine {
namespace {

// Carries out the interpreter's commands on the loop and feeds results back as step events.
class Driver {
 public:
  static constexpr std::uint64_t kStopTimer = ~std::uint64_t{0};

  Driver(Execution& exec, EventLoop& loop, const RunOptions& opts)
      : exec_(exec), loop_(loop), opts_(opts) {}

  void dispatch() {
    // Commands may produce more commands only through later events, so one drain suffices.
    // Buffers rotate through spare_ so that a step allocates no command vector.
    std::vector<Command> cmds;
    cmds.swap(spare_);
    cmds.swap(exec_.commands());
    for (auto& c : cmds) run(c);
    cmds.clear();
    spare_.swap(cmds);
    if (exec_.finished() && !finish_ms_) {
      finish_ms_ = loop_.clock().now_ms();
      // Our timers no longer matter; the loop only drains work runners still have in flight
      // (their late answers are ignored), so nothing posts into a destroyed loop.
      for (auto& kv : timers_) loop_.cancel(kv.second);
      timers_.clear();
    }
  }

  std::optional<Millis> finish_ms() const { return finish_ms_; }

  // StopExecution at `due_ms` (a timer like the others: cancelled when the execution ends).
  void stop_at(Millis due_ms) {
    timers_[kStopTimer] = loop_.schedule_at(due_ms, [this] {
      timers_.erase(kStopTimer);
      StepEvent ev;
      ev.kind = StepEvent::Kind::kStop;
      deliver(std::move(ev));
    });
  }

  void deliver(StepEvent ev) {
    if (exec_.finished()) return;
    exec_.handle(std::move(ev), loop_.clock().now_ms());
    dispatch();
  }

 private:
  void run(Command& c) {
    switch (c.kind) {
      case Command::Kind::kStartTimer: {
        std::uint64_t id = c.id;
        timers_[id] = loop_.schedule_at(c.due_ms, [this, id] {
          timers_.erase(id);
          StepEvent ev;
          ev.kind = StepEvent::Kind::kTimerFired;
          ev.id = id;
          deliver(std::move(ev));
        });
        break;
      }
      case Command::Kind::kCancelTimer: {
        auto it = timers_.find(c.id);
        if (it != timers_.end()) {
          loop_.cancel(it->second);
          timers_.erase(it);
        }
        break;
      }
      case Command::Kind::kInvokeTask: invoke(c); break;
      case Command::Kind::kCancelTask:
        if (opts_.tasks != nullptr) opts_.tasks->cancel(*c.request);
        break;
    }
  }

  void invoke(Command& c) {
    std::uint64_t id = c.id;
    if (opts_.tasks == nullptr) {
      StepEvent ev;
      ev.kind = StepEvent::Kind::kTaskFailed;
      ev.id = id;
      ev.error = "States.Runtime";
      ev.cause = "No task runner is configured for resource '" + c.request->resource + "'.";
      loop_.post([this, ev = std::move(ev)]() mutable { deliver(std::move(ev)); });
      return;
    }
    opts_.tasks->start(*c.request, loop_, [this, id](tasks::TaskOutcome o) {
      StepEvent ev;
      ev.kind = o.succeeded ? StepEvent::Kind::kTaskSucceeded : StepEvent::Kind::kTaskFailed;
      ev.id = id;
      ev.output = std::move(o.output);
      ev.error = std::move(o.error);
      ev.cause = std::move(o.cause);
      ev.has_cause = o.has_cause;
      // Deliver on a fresh loop turn: a runner answering inside start() must not re-enter the
      // interpreter while it is dispatching. The event waits in answers_ (posts run in order),
      // so the posted function captures only `this` and needs no allocation of its own.
      answers_.push_back(std::move(ev));
      loop_.post([this] {
        StepEvent next = std::move(answers_.front());
        answers_.pop_front();
        deliver(std::move(next));
      });
    });
  }

  Execution& exec_;
  EventLoop& loop_;
  const RunOptions& opts_;
  std::unordered_map<std::uint64_t, EventLoop::TimerId> timers_;
  std::optional<Millis> finish_ms_;
  std::vector<Command> spare_;  // an emptied command buffer kept for its capacity
  std::deque<StepEvent> answers_;  // task answers posted and not yet delivered (FIFO)
};

}  // namespace

Result<RunResult> run_execution(const asl::StateMachine& machine, const json::value& input,
                                const RunOptions& options) {
  return run_execution(machine, json::value(input), options);
}

Result<RunResult> run_execution(const asl::StateMachine& machine, json::value&& input,
                                const RunOptions& options) {
  if (options.clock == nullptr) return Error{"InvalidArgument", "run_execution needs a clock"};
  if (options.ids == nullptr) return Error{"InvalidArgument", "run_execution needs an IdGenerator"};
  ExecutionInfo info;
  info.region = options.region;
  info.account = options.account;
  info.state_machine_name = options.state_machine_name;
  info.execution_name =
      options.execution_name.empty() ? options.ids->uuid_v4() : options.execution_name;
  info.role_arn = options.role_arn.empty()
                      ? "arn:aws:iam::" + options.account + ":role/StepwiseRole"
                      : options.role_arn;
  const std::string prefix = "arn:aws:states:" + options.region + ":" + options.account + ":";
  info.state_machine_arn = prefix + "stateMachine:" + options.state_machine_name;
  info.execution_arn = prefix + (options.express ? "express:" : "execution:") +
                       options.state_machine_name + ":" + info.execution_name;
  // Express execution ARNs carry one more part, a UUID.
  if (options.express) info.execution_arn += ":" + options.ids->uuid_v4();
  info.express = options.express;
  info.keep_history = options.keep_history && !options.express;
  info.enforce_quotas = options.enforce_quotas;
  // The interpreter reads the time only between steps, and a manual clock stands still while
  // states run back to back: charge each transition so that TimeoutSeconds and Express's five
  // minutes still arrive in an endless loop (3,000,000 transitions make five minutes under
  // --fast-time). With a real clock 1 µs each bounds a loop that never yields at 300,000,000
  // transitions, far more than AWS runs in five minutes.
  info.transition_charge_us = options.clock->is_manual() ? 100 : 1;
  info.context_override = options.context_override;
  info.initial_variables = options.initial_variables;

  // The machine outlives the run; a non-owning shared_ptr lets the interpreter hold it uniformly.
  std::shared_ptr<const asl::StateMachine> m(&machine, [](const asl::StateMachine*) {});
  IdGenerator* ids = options.ids;
  RunResult out;
  out.execution_arn = info.execution_arn;
  Execution exec(m, std::move(info), [ids] { return ids->next_u64(); });
  EventLoop loop(*options.clock);
  Driver driver(exec, loop, options);

  out.start_ms = options.clock->now_ms();
  exec.start(std::move(input), out.start_ms, options.input_text);
  driver.dispatch();
  if (options.stop_after_ms && !exec.finished()) driver.stop_at(out.start_ms + *options.stop_after_ms);
  if (!exec.finished()) loop.run();
  out.stop_ms = driver.finish_ms().value_or(options.clock->now_ms());
  if (!exec.finished()) {
    // Nothing left to wait for (a runner never answered): report it rather than hang.
    out.status = "FAILED";
    out.error = "States.Runtime";
    out.cause = "The execution stalled: no pending task or timer can move it on.";
  } else {
    out.status = exec.status();
    out.output = exec.take_output();
    out.error = exec.error();
    out.cause = exec.cause();
  }
  out.history = std::move(exec.history());
  return out;
}

}  // namespace stepwise::engine
