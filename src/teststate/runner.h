// StateRunner: the TaskRunner a TestState run hands the engine. It answers with the mock (or a
// forced outcome) when there is one, else forwards to the real runner, and records what the
// state sent (its effective parameters) and what came back (its result), for inspectionData.
//
// Thread-safety: one run at a time; start() and the recorded fields are used on the run's loop
// thread (a forwarded runner answers through the loop).
#pragma once

#include <optional>

#include "tasks/task_runner.h"

namespace stepwise::teststate::detail {

class StateRunner final : public tasks::TaskRunner {
 public:
  StateRunner(tasks::TaskRunner* real, std::optional<tasks::TaskOutcome> forced)
      : real_(real), forced_(std::move(forced)) {}

  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override {
    parameters = request.parameters;
    if (forced_) {
      outcome = *forced_;
      done(*forced_);
      return;
    }
    if (real_ == nullptr) {
      outcome = tasks::TaskOutcome::failure(
          "States.Runtime",
          "No task runner is configured for resource '" + request.resource + "'.");
      done(*outcome);
      return;
    }
    real_->start(request, loop, [this, done = std::move(done)](tasks::TaskOutcome o) {
      outcome = o;
      done(std::move(o));
    });
  }

  void cancel(const tasks::TaskRequest& request) override {
    if (!forced_ && real_ != nullptr) real_->cancel(request);
  }

  std::optional<json::value> parameters;      // what the state sent
  std::optional<tasks::TaskOutcome> outcome;  // what came back

 private:
  tasks::TaskRunner* real_;
  std::optional<tasks::TaskOutcome> forced_;
};

}  // namespace stepwise::teststate::detail
