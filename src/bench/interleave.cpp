#include "bench/interleave.h"

#include <unordered_map>
#include <vector>

#include "asl/model.h"
#include "base/arn.h"
#include "base/event_loop.h"
#include "bench/quotas.h"
#include "engine/driver.h"
#include "engine/interpreter.h"

namespace stepwise::bench {

namespace {

using engine::Command;
using engine::Execution;
using engine::StepEvent;

// The executions of one loop: `in_flight` slots, each running one execution at a time.
// The engine's Driver carries the commands; an execution's key is its slot's index and
// generation, so answers for an execution that ended (its slot moved on) are dropped.
class Interleaver final : public engine::Driver::Host {
 public:
  Interleaver(const Workload& w, std::shared_ptr<const asl::StateMachine> machine,
              const InterleaveOptions& o, EventLoop& loop, IdGenerator& ids, BenchTaskRunner& tasks)
      : w_(w),
        machine_(std::move(machine)),
        o_(o),
        loop_(loop),
        ids_(ids),
        tasks_(tasks),
        driver_(loop, *this),
        next_(o.first) {}

  std::string run() {
    engine::ExecutionInfo probe;
    if (!set_quotas(probe, o_.aws_quotas))
      return "the engine has no switch for AWS's quotas (--no-quotas)";
    slots_.resize(static_cast<std::size_t>(std::max(1, o_.in_flight)));
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i] = std::make_unique<Slot>();
      slots_[i]->index = i;
      slots_[i]->in_flight.runner = &tasks_;
      start_next(*slots_[i]);
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
    std::size_t index = 0;
    std::uint32_t generation = 0;  // answers for an earlier execution are ignored
    engine::InFlight in_flight;
  };

  static std::uint64_t key(std::size_t index, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(index) << 32) | generation;
  }
  Slot* slot_of(std::uint64_t k) {
    const std::size_t index = static_cast<std::size_t>(k >> 32);
    if (index >= slots_.size()) return nullptr;
    Slot& s = *slots_[index];
    if (s.generation != static_cast<std::uint32_t>(k) || s.exec->finished()) return nullptr;
    return &s;
  }

 public:
  engine::InFlight* in_flight(std::uint64_t k) override {
    Slot* s = slot_of(k);
    return s ? &s->in_flight : nullptr;
  }
  void deliver(std::uint64_t k, StepEvent ev) override {
    Slot* s = slot_of(k);
    if (s == nullptr) return;
    s->exec->handle(std::move(ev), loop_.clock().now_ms());
    dispatch(*s);
  }

 private:
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
    i.role_arn = arn::iam_role(i.account, "StepwiseRole");
    const std::string prefix = arn::prefix("states", i.region, i.account);
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
    IdGenerator* ids = &ids_;
    s.exec = std::make_unique<Execution>(machine_, info(), [ids] { return ids->next_u64(); });
    s.exec->start(input_for(w_.input, s.k), loop_.clock().now_ms());
    dispatch(s);
  }

  void dispatch(Slot& s) {
    // Buffers rotate through spare_ so that a step allocates no command vector.
    std::vector<Command> cmds;
    cmds.swap(spare_);
    cmds.swap(s.exec->commands());
    driver_.carry(key(s.index, s.generation), s.in_flight, cmds);
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
    driver_.drop_all(s.in_flight);  // its late answers find another generation
    // A fresh loop turn: this may run inside the finished execution's own dispatch.
    loop_.post([this, slot = &s] { start_next(*slot); });
  }

  const Workload& w_;
  std::shared_ptr<const asl::StateMachine> machine_;
  const InterleaveOptions& o_;
  EventLoop& loop_;
  IdGenerator& ids_;
  BenchTaskRunner& tasks_;
  engine::Driver driver_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::int64_t next_;
  std::int64_t finished_ = 0;
  std::string error_;
  std::vector<Command> spare_;  // an emptied command buffer kept for its capacity
};

}  // namespace

std::string run_interleaved(const Workload& workload,
                            const std::shared_ptr<const asl::StateMachine>& machine,
                            const InterleaveOptions& options, ManualClock& clock, IdGenerator& ids,
                            BenchTaskRunner& tasks) {
  EventLoop loop(clock);
  Interleaver il(workload, machine, options, loop, ids, tasks);
  return il.run();
}

}  // namespace stepwise::bench
