// Test helper: runs one task on a fresh event loop with a manual clock until it has ended, and
// checks that its runner answered exactly once. Test-only (*_test.cpp).
// Thread-safety: one test thread; the loop runs on it.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "base/clock.h"
#include "base/event_loop.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks::testing {

inline TaskOutcome run_one(TaskRunner& runner, const TaskRequest& request) {
  ManualClock clock(1700000000000);
  EventLoop loop(clock);
  std::optional<TaskOutcome> outcome;
  int calls = 0;
  runner.start(request, loop, [&](TaskOutcome o) {
    outcome = std::move(o);
    ++calls;
  });
  loop.run();
  EXPECT_EQ(calls, 1);
  return outcome.value_or(TaskOutcome::failure("test", "no outcome"));
}

}  // namespace stepwise::tasks::testing
