#include "bench/interleave.h"

#include <deque>
#include <unordered_map>
#include <vector>

#include "asl/model.h"
#include "base/event_loop.h"
#include "bench/quotas.h"
#include "engine/interpreter.h"

namespace stepwise::bench {

namespace {

using engine::Command;
using engine::Execution;
using engine::StepEvent;

// The executions of one loop: `in_flight` slots, each running one execution at a time.
class Interleaver {
 public:
  Interleaver(const Workload& w, std::shared_ptr<const asl::StateMachine> machine,
              const InterleaveOptions& o, EventLoop& loop, IdGenerator& ids,
              BenchTaskRunner& tasks)
      : w_(w), machine_(std::move(machine)), o_(o), loop_(loop), ids_(ids), tasks_(tasks),
        next_(o.first) {}

  std::string run() {
    engine::ExecutionInfo probe;
    if (!set_quotas(probe, o_.aws_quotas))
      return "the engine has no switch for AWS's quotas (--no-quotas)";
    slots_.resize(static_cast<std::size_t>(std::max(1, o_.in_flight)));
    for (auto& s : slots_) {
      s = std::make_unique<Slot>();
      start_next(*s);
    }
    loop_.run();
    if (error_.empty() && finished_ != expected())
      error_ = "stalled: " + std::to_string(finished_) + " of " + std::to_string(expected()) +
               " executions finished";
    return error_;
  }

 private:
  struct Slot {
    std::unique_ptr<Execution> exec;
    std::int64_t k = 0;
    std::uint64_t generation = 0;  // answers for an earlier execution are ignored
    std::unordered_map<std::uint64_t, EventLoop::TimerId> timers;
  };

  std::int64_t expected() const {
    return o_.end > o_.first ? (o_.end - o_.first + o_.step - 1) / o_.step : 0;
  }

  // The same identity run_execution gives an execution (name, ARNs), so the work is the same.
  engine::ExecutionInfo info() {
    engine::ExecutionInfo i;
    i.region = "us-east-1";
    i.account = "123456789012";
    i.state_machine_name = "Bench";
    i.execution_name = ids_.uuid_v4();
    i.role_arn = "arn:aws:iam::" + i.account + ":role/StepwiseRole";
    const std::string prefix = "arn:aws:states:" + i.region + ":" + i.account + ":";
    i.state_machine_arn = prefix + "stateMachine:" + i.state_machine_name;
    i.execution_arn = prefix + (o_.express ? "express:" : "execution:") + i.state_machine_name +
                      ":" + i.execution_name;
    i.express = o_.express;
    i.keep_history = !o_.express;
    set_quotas(i, o_.aws_quotas);
    return i;
  }

  void start_next(Slot& s) {
    if (next_ >= o_.end || !error_.empty()) return;
    s.k = next_;
    next_ += o_.step;
    ++s.generation;
    s.timers.clear();
    IdGenerator* ids = &ids_;
    s.exec = std::make_unique<Execution>(machine_, info(), [ids] { return ids->next_u64(); });
    s.exec->start(input_for(w_.input, s.k), loop_.clock().now_ms());
    dispatch(s);
  }

  void deliver(Slot& s, std::uint64_t generation, StepEvent ev) {
    if (generation != s.generation || s.exec->finished()) return;
    s.exec->handle(std::move(ev), loop_.clock().now_ms());
    dispatch(s);
  }

  void dispatch(Slot& s) {
    // Buffers rotate through spare_ so that a step allocates no command vector.
    std::vector<Command> cmds;
    cmds.swap(spare_);
    cmds.swap(s.exec->commands());
    for (auto& c : cmds) run(s, c);
    cmds.clear();
    spare_.swap(cmds);
    if (s.exec->finished()) finish(s);
  }

  void finish(Slot& s) {
    ++finished_;
    if (o_.outputs && s.exec->output()) (*o_.outputs)[s.k] = *s.exec->output();
    if (s.exec->status() != "SUCCEEDED" && error_.empty())
      error_ = "execution " + std::to_string(s.k) + " " + s.exec->status() + ": " +
               s.exec->error().value_or("") + " " + s.exec->cause().value_or("").substr(0, 200);
    for (auto& kv : s.timers) loop_.cancel(kv.second);
    s.timers.clear();
    // A fresh loop turn: this may run inside the finished execution's own dispatch.
    loop_.post([this, slot = &s] { start_next(*slot); });
  }

  void run(Slot& s, Command& c) {
    std::uint64_t gen = s.generation, id = c.id;
    switch (c.kind) {
      case Command::Kind::kStartTimer:
        s.timers[id] = loop_.schedule_at(c.due_ms, [this, &s, gen, id] {
          s.timers.erase(id);
          StepEvent ev;
          ev.kind = StepEvent::Kind::kTimerFired;
          ev.id = id;
          deliver(s, gen, std::move(ev));
        });
        break;
      case Command::Kind::kCancelTimer:
        if (auto it = s.timers.find(id); it != s.timers.end()) {
          loop_.cancel(it->second);
          s.timers.erase(it);
        }
        break;
      case Command::Kind::kInvokeTask: invoke(s, c); break;
      case Command::Kind::kCancelTask: tasks_.cancel(*c.request); break;
    }
  }

  void invoke(Slot& s, Command& c) {
    std::uint64_t gen = s.generation, id = c.id;
    tasks_.start(*c.request, loop_, [this, &s, gen, id](tasks::TaskOutcome o) {
      StepEvent ev;
      ev.kind = o.succeeded ? StepEvent::Kind::kTaskSucceeded : StepEvent::Kind::kTaskFailed;
      ev.id = id;
      ev.output = std::move(o.output);
      ev.error = std::move(o.error);
      ev.cause = std::move(o.cause);
      ev.has_cause = o.has_cause;
      // As run_execution's driver: never re-enter the interpreter from inside its dispatch, and
      // queue the answer so that the posted function (capturing `this` only) allocates nothing.
      answers_.push_back(Answer{&s, gen, std::move(ev)});
      loop_.post([this] {
        Answer a = std::move(answers_.front());
        answers_.pop_front();
        deliver(*a.slot, a.generation, std::move(a.event));
      });
    });
  }

  const Workload& w_;
  std::shared_ptr<const asl::StateMachine> machine_;
  const InterleaveOptions& o_;
  EventLoop& loop_;
  IdGenerator& ids_;
  BenchTaskRunner& tasks_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::int64_t next_;
  std::int64_t finished_ = 0;
  std::string error_;
  std::vector<Command> spare_;  // an emptied command buffer kept for its capacity
  struct Answer {
    Slot* slot;
    std::uint64_t generation;
    StepEvent event;
  };
  std::deque<Answer> answers_;  // task answers posted and not yet delivered (FIFO)
};

}  // namespace

std::string run_interleaved(const Workload& workload,
                            const std::shared_ptr<const asl::StateMachine>& machine,
                            const InterleaveOptions& options, ManualClock& clock,
                            IdGenerator& ids, BenchTaskRunner& tasks) {
  EventLoop loop(clock);
  Interleaver il(workload, machine, options, loop, ids, tasks);
  return il.run();
}

}  // namespace stepwise::bench
