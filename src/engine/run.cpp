// run_execution: drives one Execution with an EventLoop, a Clock and a TaskRunner (through the
// shared engine::Driver).
#include "engine/run.h"

#include "asl/model.h"
#include "base/arn.h"
#include "engine/driver.h"
#include "engine/interpreter.h"

namespace stepwise::engine {
namespace {

// One execution on its own loop: the Driver carries its commands, answers come back here.
class OneRun final : public Driver::Host {
 public:
  static constexpr std::uint64_t kKey = 1;

  OneRun(Execution& exec, EventLoop& loop, tasks::TaskRunner* runner,
         std::function<void(const HistoryEvent&)> on_event)
      : exec_(exec), driver_(loop, *this), on_event_(std::move(on_event)) {
    in_flight_.runner = runner;
  }

  void dispatch() {
    if (on_event_) {
      const auto& history = exec_.history();
      for (; emitted_ < history.size(); ++emitted_) on_event_(history[emitted_]);
    }
    // Buffers rotate through spare_ so that a step allocates no command vector.
    std::vector<Command> cmds;
    cmds.swap(spare_);
    cmds.swap(exec_.commands());
    driver_.carry(kKey, in_flight_, cmds);
    cmds.clear();
    spare_.swap(cmds);
    if (exec_.finished() && !finish_ms_) {
      finish_ms_ = driver_.loop().clock().now_ms();
      // Our timers no longer matter; the loop only drains work runners still have in flight
      // (their late answers are ignored), so nothing posts into a destroyed loop.
      for (auto& kv : in_flight_.timers) driver_.loop().cancel(kv.second);
      in_flight_.timers.clear();
      if (stop_timer_) driver_.loop().cancel(*stop_timer_);
      stop_timer_.reset();
    }
  }

  std::optional<Millis> finish_ms() const { return finish_ms_; }

  // StopExecution at `due_ms` (cancelled when the execution ends).
  void stop_at(Millis due_ms) {
    stop_timer_ = driver_.loop().schedule_at(due_ms, [this] {
      stop_timer_.reset();
      StepEvent ev;
      ev.kind = StepEvent::Kind::kStop;
      deliver(kKey, std::move(ev));
    });
  }

  InFlight* in_flight(std::uint64_t) override { return &in_flight_; }

  void deliver(std::uint64_t, StepEvent ev) override {
    if (exec_.finished()) return;
    exec_.handle(std::move(ev), driver_.loop().clock().now_ms());
    dispatch();
  }

 private:
  Execution& exec_;
  Driver driver_;
  InFlight in_flight_;
  std::optional<EventLoop::TimerId> stop_timer_;
  std::optional<Millis> finish_ms_;
  std::vector<Command> spare_;  // an emptied command buffer kept for its capacity
  std::function<void(const HistoryEvent&)> on_event_;
  std::size_t emitted_ = 0;  // history events handed to on_event_
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
  info.role_arn =
      options.role_arn.empty() ? arn::iam_role(options.account, "StepwiseRole") : options.role_arn;
  const std::string prefix = arn::prefix("states", options.region, options.account);
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
  OneRun driver(exec, loop, options.tasks, options.on_event);

  out.start_ms = options.clock->now_ms();
  exec.start(std::move(input), out.start_ms, options.input_text);
  driver.dispatch();
  if (options.stop_after_ms && !exec.finished())
    driver.stop_at(out.start_ms + *options.stop_after_ms);
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
