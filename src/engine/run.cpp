// run_execution: drives one Execution with an EventLoop, a Clock and a TaskRunner (through the
// shared engine::Driver).
#include "engine/run.h"

#include <algorithm>
#include <memory>
#include <utility>

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
      : exec_(&exec), driver_(loop, *this), on_event_(std::move(on_event)) {
    in_flight_.runner = runner;
  }

  // replay_every_step: `rebuild` makes a fresh Execution and starts it as the live one started.
  void replay_with(std::function<std::unique_ptr<Execution>()> rebuild) {
    rebuild_ = std::move(rebuild);
  }
  Execution& execution() { return *exec_; }
  const std::string& mismatch() const { return mismatch_; }
  std::size_t replays() const { return replays_; }

  void dispatch() {
    if (on_event_) {
      const auto& history = exec_->history();
      for (; emitted_ < history.size(); ++emitted_) on_event_(history[emitted_]);
    }
    // Buffers rotate through spare_ so that a step allocates no command vector.
    std::vector<Command> cmds;
    cmds.swap(spare_);
    cmds.swap(exec_->commands());
    driver_.carry(kKey, in_flight_, cmds);
    cmds.clear();
    spare_.swap(cmds);
    if (rebuild_) replay();
    if (exec_->finished() && !finish_ms_) {
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
    if (exec_->finished()) return;
    const Millis now = driver_.loop().clock().now_ms();
    if (rebuild_) journal_.emplace_back(ev, now);
    exec_->handle(std::move(ev), now);
    dispatch();
  }

 private:
  // The live execution against one rebuilt from the journal; the run goes on with the rebuilt
  // one (its commands were carried already: the replay's own are dropped).
  void replay() {
    std::unique_ptr<Execution> fresh = rebuild_();
    for (const auto& [ev, now] : journal_) fresh->handle(ev, now);
    fresh->commands().clear();
    ++replays_;
    if (mismatch_.empty()) mismatch_ = difference(*exec_, *fresh);
    replaced_ = std::move(fresh);
    exec_ = replaced_.get();
  }

  static std::string difference(Execution& live, Execution& again) {
    const auto& a = live.history();
    const auto& b = again.history();
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      const std::string x = i < a.size() ? json::dump(a[i].to_json()) : "(none)";
      const std::string y = i < b.size() ? json::dump(b[i].to_json()) : "(none)";
      if (x != y) return "event " + std::to_string(i + 1) + ": live " + x + ", replayed " + y;
    }
    auto pending = [](const Execution& e) {
      std::string out;
      for (const Command& c : e.outstanding())
        out += std::to_string(static_cast<int>(c.kind)) + ":" + std::to_string(c.id) + ":" +
               std::to_string(c.due_ms) + " ";
      return out;
    };
    if (pending(live) != pending(again))
      return "pending work: live " + pending(live) + ", replayed " + pending(again);
    if (live.status() != again.status())
      return "status: live " + live.status() + ", replayed " + again.status();
    return "";
  }

  Execution* exec_;
  std::function<std::unique_ptr<Execution>()> rebuild_;
  std::unique_ptr<Execution> replaced_;
  std::vector<std::pair<StepEvent, Millis>> journal_;
  std::string mismatch_;
  std::size_t replays_ = 0;
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
  // replay_every_step: every number the execution draws is recorded, and a rebuilt execution
  // draws the recorded ones first (as a stored seed gives recovery the same sequence), then
  // goes on from the generator.
  auto drawn = std::make_shared<std::vector<std::uint64_t>>();
  auto random = [ids, drawn, next = std::size_t{0}]() mutable {
    if (next < drawn->size()) return (*drawn)[next++];
    drawn->push_back(ids->next_u64());
    return (*drawn)[next++];
  };
  const ExecutionInfo info_copy = options.replay_every_step ? info : ExecutionInfo{};
  Execution exec(m, std::move(info),
                 options.replay_every_step ? Execution::Random(random)
                                           : Execution::Random([ids] { return ids->next_u64(); }));
  EventLoop loop(*options.clock);
  OneRun driver(exec, loop, options.tasks, options.on_event);

  out.start_ms = options.clock->now_ms();
  if (options.replay_every_step) {
    driver.replay_with([m, info_copy, random, input_copy = input, start = out.start_ms,
                        text = options.input_text] {
      auto again = std::make_unique<Execution>(m, info_copy, random);
      again->start(input_copy, start, text);
      return again;
    });
  }
  exec.start(std::move(input), out.start_ms, options.input_text);
  driver.dispatch();
  if (options.stop_after_ms && !driver.execution().finished())
    driver.stop_at(out.start_ms + *options.stop_after_ms);
  if (!driver.execution().finished()) loop.run();
  out.stop_ms = driver.finish_ms().value_or(options.clock->now_ms());
  out.replay_mismatch = driver.mismatch();
  out.replays = driver.replays();
  Execution& last = driver.execution();  // the rebuilt one under replay_every_step
  if (!last.finished()) {
    // Nothing left to wait for (a runner never answered): report it rather than hang.
    out.status = "FAILED";
    out.error = "States.Runtime";
    out.cause = "The execution stalled: no pending task or timer can move it on.";
  } else {
    out.status = last.status();
    out.output = last.take_output();
    out.error = last.error();
    out.cause = last.cause();
  }
  out.history = std::move(last.history());
  return out;
}

}  // namespace stepwise::engine
