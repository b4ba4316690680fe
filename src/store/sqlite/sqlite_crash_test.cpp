// kill -9 in the middle of group commits: every step whose `done` reported Ok is in the store
// after a reopen, and no step is half there (its row, events and journal entry go together).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/test_util.h"

namespace stepwise::store {
namespace {

constexpr int kExecutions = 20;
constexpr int kEventsPerStep = 2;

struct Ack {
  std::int32_t execution;
  std::int32_t last_event;
};

// The child: reopens the store (recovering from the previous kill), then commits the next steps
// of kExecutions executions round-robin until killed, writing an Ack to `fd` from each
// successful `done`.
[[noreturn]] void run_child(const std::filesystem::path& dir, int fd, Synchronous sync) {
  SqliteOptions options;
  options.synchronous = sync;
  auto opened = SqliteStore::open(dir, options);
  if (!opened.ok()) _exit(3);
  auto store = std::move(opened).value();
  std::vector<ExecutionRecord> rows;
  std::vector<std::int64_t> rounds;  // steps already stored, per execution
  for (int e = 0; e < kExecutions; ++e) {
    rows.push_back(execution("c" + std::to_string(e), e));
    auto stored = ok_value(store->get_execution(rows.back().arn));
    rounds.push_back(stored ? stored->history_count / kEventsPerStep : 0);
  }
  for (std::int64_t n = 0;; ++n) {
    for (int e = 0; e < kExecutions; ++e) {
      const std::int64_t round = rounds[e]++;
      const std::int64_t first = round * kEventsPerStep + 1;
      StepRecord s = round == 0 ? start_step(rows[e], kEventsPerStep)
                                : step(rows[e], first, kEventsPerStep, std::to_string(round));
      std::vector<StepRecord> steps;
      steps.push_back(std::move(s));
      const Ack ack{e, static_cast<std::int32_t>(first + kEventsPerStep - 1)};
      store->commit_steps(Fence{}, std::move(steps), [fd, ack](Status st) {
        if (st.ok()) (void)!write(fd, &ack, sizeof ack);
      });
    }
    if (n % 8 == 7) store->flush();  // keep the queue bounded
  }
}

void crash_and_check(Synchronous sync, int kills) {
  TempDir dir;
  std::map<int, int> acked;  // execution → last acknowledged event id, over every run so far
  for (int k = 0; k < kills; ++k) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      run_child(dir.path(), fds[1], sync);
    }
    close(fds[1]);
    std::map<int, int> run_acked = acked;
    auto take = [&](const Ack& ack) {
      auto& last = run_acked[ack.execution];
      EXPECT_GT(ack.last_event, last) << "acks of one execution come in commit order";
      last = ack.last_event;
    };
    // Kill only once the child has acknowledged a commit, then a little later: a fixed delay
    // from fork alone would kill a slow start (a sanitizer build, a loaded machine) before its
    // first commit and test nothing.
    Ack ack;
    pollfd ready{fds[0], POLLIN, 0};
    ASSERT_EQ(poll(&ready, 1, 60'000), 1) << "the child acknowledged nothing within 60 s";
    ASSERT_EQ(read(fds[0], &ack, sizeof ack), static_cast<ssize_t>(sizeof ack));
    take(ack);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + 50 * k));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited by itself: " << status;
    while (read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) take(ack);
    close(fds[0]);

    auto opened = SqliteStore::open(dir.path());
    ASSERT_TRUE(opened.ok()) << opened.error().cause;
    auto& s = **opened;
    for (int e = 0; e < kExecutions; ++e) {
      const std::string arn = execution("c" + std::to_string(e), e).arn;
      auto events = ok_value(s.history({arn, false, 0, 1000000}));
      auto row = ok_value(s.get_execution(arn));
      const auto want = run_acked.count(e) ? run_acked[e] : 0;
      ASSERT_GE(static_cast<int>(events.size()), want) << "an acknowledged step was lost: " << arn;
      for (std::size_t i = 0; i < events.size(); ++i)
        ASSERT_EQ(events[i].id, static_cast<std::int64_t>(i + 1));
      ASSERT_EQ(events.size() % kEventsPerStep, 0u) << "half a step is stored: " << arn;
      if (events.empty()) {
        EXPECT_FALSE(row.has_value());
        continue;
      }
      ASSERT_TRUE(row.has_value());
      EXPECT_EQ(row->history_count, static_cast<std::int64_t>(events.size()));
      const auto steps = events.size() / kEventsPerStep;
      auto journal = journal_of(s, arn);
      ASSERT_EQ(journal.size(), steps - 1);
      for (std::size_t j = 0; j < journal.size(); ++j)
        EXPECT_EQ(json::dump(journal[j].journal), std::to_string(j + 1));
    }
    ASSERT_NE(run_acked, acked) << "run " << k << " acknowledged nothing";
    acked = run_acked;
  }
}

TEST(SqliteCrash, KillDuringGroupCommitsLosesNoAcknowledgedStepFull) {
  crash_and_check(Synchronous::kFull, 3);
}

TEST(SqliteCrash, KillDuringGroupCommitsLosesNoAcknowledgedStepNormal) {
  crash_and_check(Synchronous::kNormal, 3);
}

}  // namespace
}  // namespace stepwise::store
