// The simulation's world: clock, functions, faulty store (see sim_world.h).
#include "tests/sim/sim_world.h"

#include <algorithm>
#include <memory>
#include <regex>
#include <utility>

#include "json/json.h"
#include "store/errors.h"
#include "tests/sim/sim_workflows.h"

namespace stepwise::sim {

void SimClock::advance_to(Millis t) {
  if (before_advance && !before_advance()) return;
  Millis now = now_ms();
  if (t <= now) return;
  // Every jump whose moment this move passes: land past it (jumps may chain).
  for (auto it = jumps_.begin(); it != jumps_.end() && it->first <= t;) {
    if (it->first > now) {
      t = std::max(t, it->first + it->second);
      ++jumps_taken;
    }
    it = jumps_.erase(it);
  }
  now_.store(t, std::memory_order_relaxed);
}

void FaultCounts::add(const FaultCounts& o) {
  commits += o.commits;
  commit_errors += o.commit_errors;
  crashes_before += o.crashes_before;
  crashes_after += o.crashes_after;
  crashes_idle += o.crashes_idle;
  duplicate_answers += o.duplicate_answers;
  late_answers += o.late_answers;
  calls += o.calls;
  restarts += o.restarts;
  recovered += o.recovered;
  executions_hit += o.executions_hit;
}

// ---------------------------------------------------------------------------- functions

namespace {

std::uint64_t hash_text(std::uint64_t h, const std::string& s) {
  for (unsigned char c : s) h = SplitMix64::mix(h ^ c);
  return h;
}

}  // namespace

void Functions::start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) {
  ++counts_.calls;
  const Millis now = clock_.now_ms();
  const Millis first = first_dispatch_.emplace(request.idempotency_key, now).first->second;
  // The fate may not hang on the idempotency key itself: its event id moves when a visible
  // re-dispatch wrote a Started event before the state was entered. Execution, state, attempt
  // and parameters name the call in both runs (a Map iteration's tasks carry its index).
  const std::string call = request.execution_arn + "|" + request.state_name + "|" +
                           std::to_string(request.attempt) + "|" + json::dump(request.parameters);
  // Without event ids (an error's cause in the parameters names "the event id #N", which a
  // re-dispatch's extra Started event moves).
  static const std::regex kEventId("event id #[0-9]+");
  const std::uint64_t h = hash_text(seed_, call.find("event id #") == std::string::npos
                                               ? call
                                               : std::regex_replace(call, kEventId, "event id"));
  // Mostly quick, some past a TimeoutSeconds of 1-3 s.
  const Millis delay = static_cast<Millis>(h % 7 == 0 ? 1000 + (h >> 8) % 3000 : (h >> 8) % 800);
  tasks::TaskOutcome outcome;
  if ((h >> 20) % 10 < 7) {
    outcome = tasks::TaskOutcome::success(
        json::object{{"v", (h >> 24) % 1000}, {"echo", request.parameters}});
  } else {
    outcome = tasks::TaskOutcome::failure(kErrorNames[(h >> 24) % std::size(kErrorNames)],
                                          "call " + call);
  }
  // The first dispatch's due time even when it is past (a call sent again after a crash): the
  // loop fires past-due timers at once in due order, as the reference fired them.
  const Millis due = first + delay;
  // Answers more than once only when told to; the Driver must drop every answer but the first.
  int answers = 1;
  Millis again = due;
  if (faults_ != nullptr && faults_->draw(faults_->rates().duplicate_answer)) {
    ++counts_.duplicate_answers;
    answers = 2;
  } else if (faults_ != nullptr && faults_->draw(faults_->rates().late_answer)) {
    ++counts_.late_answers;
    answers = 2;
    again = due + 5000 + static_cast<Millis>(faults_->next() % 60000);
  }
  auto shared = std::make_shared<tasks::TaskDone>(std::move(done));
  answer_at(loop, due, call, Answer{shared, outcome});
  if (answers == 2) answer_at(loop, again, call, Answer{shared, outcome});
}

void Functions::answer_at(EventLoop& loop, Millis due, const std::string& call, Answer a) {
  auto [slot, fresh] = due_.try_emplace(due);
  slot->second.emplace(call, std::move(a));
  if (!fresh) return;
  loop.schedule_at(due, [this, due] {
    auto it = due_.find(due);
    if (it == due_.end()) return;
    std::multimap<std::string, Answer> now = std::move(it->second);
    due_.erase(it);
    for (auto& [name, answer] : now) (*answer.done)(answer.outcome);
  });
}

bool Functions::redispatch_has_effects(const tasks::TaskRequest& request) const {
  return request.resource == kFunctionWithEffects;
}

// ---------------------------------------------------------------------------- store

void SimStore::reset(store::Store& inner, EventLoop& loop) {
  inner_ = &inner;
  loop_ = &loop;
  dead_ = false;
  restart_wanted_ = false;
}

void SimStore::crash() {
  dead_ = true;
  if (loop_ != nullptr) loop_->stop();
}

void SimStore::commit_steps(const store::Fence& fence, std::vector<store::StepRecord> steps,
                            std::function<void(Status)> done) {
  if (dead_) return;  // the process is gone: nothing is written, nobody hears back
  ++counts_.commits;
  enum class Fate { kNormal, kError, kCrashBefore, kCrashAfter } fate = Fate::kNormal;
  if (faults_ != nullptr) {
    const FaultRates& r = faults_->rates();
    if (faults_->may_crash() && faults_->draw(r.crash_before)) {
      fate = Fate::kCrashBefore;
    } else if (faults_->may_crash() && faults_->draw(r.crash_after)) {
      fate = Fate::kCrashAfter;
    } else if (faults_->may_crash() && faults_->draw(r.commit_error)) {
      fate = Fate::kError;
    }
  }
  switch (fate) {
    case Fate::kCrashBefore:
      ++counts_.crashes_before;
      faults_->crashed();
      crash();
      return;
    case Fate::kError:
      ++counts_.commit_errors;
      faults_->crashed();  // it leads to a restart
      restart_wanted_ = true;
      if (done) done(Error{store::errors::io_error, "injected: disk I/O error"});
      return;
    case Fate::kCrashAfter:
    case Fate::kNormal:
      break;
  }
  const bool tear = fate == Fate::kCrashAfter;
  inner_->commit_steps(fence, std::move(steps),
                       [this, tear, done = std::move(done)](Status status) {
                         if (!status.ok())
                           unexpected_.push_back(status.error().name + ": " + status.error().cause);
                         if (!tear && done) done(std::move(status));
                       });
  inner_->flush();
  if (tear) {
    ++counts_.crashes_after;
    faults_->crashed();
    crash();
  }
}

}  // namespace stepwise::sim
