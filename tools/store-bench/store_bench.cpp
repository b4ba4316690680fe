// stepwise-store-bench: durable state transitions per second through SqliteStore's group commit.
//
// Models a 10-Pass Standard workflow: ExecutionStarted, then per Pass state PassStateEntered and
// PassStateExited (≈ 2 history events per transition), then ExecutionSucceeded. The events are
// committed in steps of `--transitions-per-step` transitions: 1 is the worst case (one commit per
// transition); the service commits a run of Pass states as ONE step (no outside event between
// them), which `--transitions-per-step 10` models.
// `inflight` executions run at once; each commits its next step when the previous step's `done`
// has posted back to the loop thread (as the service's engine does), and a finished execution is
// replaced by a new one until `executions` have run. Prints transitions/s (each Pass state counts
// as one).
//
// Usage: stepwise-store-bench [--dir D] [--executions N] [--inflight N] [--passes N]
//                             [--transitions-per-step N] [--sync full|normal|off]
//        stepwise-store-bench --recovery N [--dir D]
//   The second form measures the store's part of restart recovery: N RUNNING executions, each
//   with 3 journal entries, are written; then the store is reopened and every running execution
//   and its journal read back (what the service replays), timed.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/paging.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace stepwise;
using namespace stepwise::store;

struct Options {
  std::string dir = "stepwise-store-bench-data";
  int executions = 20000;
  int inflight = 100;
  int passes = 10;
  Synchronous sync = Synchronous::kFull;
  int per_step = 1;
  int recovery = 0;
};

history::HistoryEvent make_event(std::int64_t id, const char* type, const char* key,
                                 const std::string& payload_key) {
  history::HistoryEvent e;
  e.id = id;
  e.previous_event_id = id - 1;
  e.timestamp = 1700000000000 + id;
  e.type = type;
  e.details_key = key;
  if (!payload_key.empty()) {
    e.details["name"] = "Pass" + std::to_string(id / 2);
    e.details[payload_key] =
        R"({"order":{"id":"o-123","items":[1,2,3]},"step":)" + std::to_string(id) + "}";
    e.details[payload_key + "Details"] = json::object{{"truncated", false}};
  }
  return e;
}

class Bench {
 public:
  Bench(Store& store, const Options& o) : store_(store), o_(o) {}

  // The calling thread plays the service's engine loop: `done` only posts the completion here
  // (as the service does), so building the next steps overlaps with the writer's commit.
  void run() {
    for (int i = 0; i < o_.inflight && started_ < o_.executions; ++i) start_next();
    std::vector<Completion> work;
    while (finished_ < o_.executions && !failed_) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !completions_.empty(); });
        work.swap(completions_);
      }
      for (auto& c : work) on_done(c.flow, c.last, c.status);
      work.clear();
    }
  }
  bool failed() const { return failed_; }

 private:
  struct Flow {
    ExecutionRecord row;
    int step = 0;  // steps committed so far
  };
  struct Completion {
    std::shared_ptr<Flow> flow;
    bool last;
    Status status;
  };

  void start_next() {
    auto flow = std::make_shared<Flow>();
    const int n = started_++;
    flow->row.name = "e" + std::to_string(n);
    flow->row.arn = "arn:aws:states:us-east-1:123456789012:execution:bench:" + flow->row.name;
    flow->row.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:bench";
    flow->row.input = R"({"order":{"id":"o-123"}})";
    flow->row.definition = R"({"StartAt":"Pass1","States":{...10 Pass states...}})";
    flow->row.start_ms = 1700000000000 + n;
    commit_next(flow);
  }

  // The next `per_step` transitions (the last step also closes the execution).
  void commit_next(const std::shared_ptr<Flow>& flow) {
    StepRecord s;
    std::int64_t id = flow->row.history_count;
    if (flow->step == 0) {
      s.events.push_back(
          make_event(++id, "ExecutionStarted", "executionStartedEventDetails", "input"));
    } else {
      s.journal = json::object{{"kind", "continue"}};
      s.has_journal = true;
    }
    for (int k = 0; k < o_.per_step && flow->step < o_.passes; ++k, ++flow->step) {
      s.events.push_back(make_event(++id, "PassStateEntered", "stateEnteredEventDetails", "input"));
      s.events.push_back(make_event(++id, "PassStateExited", "stateExitedEventDetails", "output"));
    }
    const bool last = flow->step == o_.passes;
    if (last) {
      s.events.push_back(
          make_event(++id, "ExecutionSucceeded", "executionSucceededEventDetails", "output"));
      flow->row.status = "SUCCEEDED";
      flow->row.output = R"({"done":true})";
      flow->row.stop_ms = flow->row.start_ms + 1;
    }
    flow->row.history_count = id;
    s.execution = flow->row;
    std::vector<StepRecord> steps;
    steps.push_back(std::move(s));
    ++commits_;
    store_.commit_steps(Fence{}, std::move(steps), [this, flow, last](Status st) {
      std::lock_guard lock(mu_);
      completions_.push_back(Completion{flow, last, std::move(st)});
      cv_.notify_one();
    });
  }

 public:
  std::int64_t commits() const { return commits_; }

 private:
  void on_done(const std::shared_ptr<Flow>& flow, bool last, const Status& st) {
    if (!st.ok()) {
      std::fprintf(stderr, "commit failed: %s: %s\n", st.error().name.c_str(),
                   st.error().cause.c_str());
      failed_ = true;
      return;
    }
    if (!last) return commit_next(flow);
    if (started_ < o_.executions) start_next();
    ++finished_;
  }

  Store& store_;
  const Options& o_;
  // The loop's state: touched by the calling thread only.
  int started_ = 0;
  std::int64_t commits_ = 0;
  int finished_ = 0;
  bool failed_ = false;
  // Completions posted by `done` on the writer thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> completions_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Writes `n` running executions (a start step and 3 journal steps each), reopens, reads back.
int recovery(const Options& o) {
  std::error_code ec;
  std::filesystem::remove_all(o.dir, ec);
  {
    SqliteOptions so;
    so.synchronous = Synchronous::kNormal;  // setting up, not measured
    auto opened = SqliteStore::open(o.dir, so);
    if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.error().cause.c_str()), 1;
    auto& store = **opened;
    for (int i = 0; i < o.recovery; ++i) {
      ExecutionRecord row;
      row.name = "r" + std::to_string(i);
      row.arn = "arn:aws:states:us-east-1:123456789012:execution:bench:" + row.name;
      row.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:bench";
      row.input = R"({"order":{"id":"o-123"}})";
      row.definition =
          R"({"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":3600,"End":true}}})";
      row.start_ms = 1700000000000 + i;
      std::vector<StepRecord> steps;
      for (int k = 0; k < 4; ++k) {
        StepRecord s;
        s.events.push_back(
            make_event(2 * k + 1, "WaitStateEntered", "stateEnteredEventDetails", "input"));
        s.events.push_back(
            make_event(2 * k + 2, "TaskScheduled", "taskScheduledEventDetails", "parameters"));
        row.history_count = 2 * k + 2;
        s.execution = row;
        if (k > 0) {
          s.journal = json::object{{"kind", "timer"}, {"id", k}};
          s.has_journal = true;
        }
        steps.push_back(std::move(s));
      }
      store.commit_steps(Fence{}, std::move(steps), {});
      if (i % 1000 == 999) store.flush();
    }
    store.flush();
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto opened = SqliteStore::open(o.dir);
  if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.error().cause.c_str()), 1;
  const double open_s = seconds_since(t0);
  // What the service's recovery reads: the running index (paged), then each row and journal.
  auto index = read_running_index(**opened);
  if (!index.ok()) return std::fprintf(stderr, "%s\n", index.error().cause.c_str()), 1;
  const std::vector<RunningExecution>& running = *index;
  const double rows_s = seconds_since(t0);
  std::size_t entries = 0;
  for (const auto& r : running) {
    auto row = (*opened)->get_execution(r.arn);
    auto journal = read_journal(**opened, r.arn, 1'000'000);
    if (!row.ok() || !journal.ok()) return std::fprintf(stderr, "read failed\n"), 1;
    entries += journal->size();
  }
  const double total_s = seconds_since(t0);
  std::printf(
      "recovery: %zu running executions, %zu journal entries: open %.3f s, rows %.3f s, total %.3f "
      "s\n",
      running.size(), entries, open_s, rows_s, total_s);
  return running.size() == static_cast<std::size_t>(o.recovery) ? 0 : 1;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--dir")
      o.dir = next();
    else if (a == "--executions")
      o.executions = std::atoi(next());
    else if (a == "--inflight")
      o.inflight = std::atoi(next());
    else if (a == "--passes")
      o.passes = std::atoi(next());
    else if (a == "--transitions-per-step")
      o.per_step = std::atoi(next());
    else if (a == "--recovery")
      o.recovery = std::atoi(next());
    else if (a == "--sync") {
      std::string v = next();
      if (v == "full")
        o.sync = Synchronous::kFull;
      else if (v == "normal")
        o.sync = Synchronous::kNormal;
      else if (v == "off")
        o.sync = Synchronous::kOff;
      else
        return false;
    } else {
      return false;
    }
  }
  return o.executions > 0 && o.inflight > 0 && o.passes > 0 && o.per_step > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(
        stderr,
        "usage: stepwise-store-bench [--dir D] [--executions N] [--inflight N] [--passes N] "
        "[--transitions-per-step N] [--sync full|normal|off]\n");
    return 2;
  }
  if (o.recovery > 0) return recovery(o);
  // MemoryStore is not offered: its synchronous `done` would recurse through every step.
  std::error_code ec;
  std::filesystem::remove_all(o.dir, ec);
  SqliteOptions so;
  so.synchronous = o.sync;
  auto opened = SqliteStore::open(o.dir, so);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s: %s\n", opened.error().name.c_str(), opened.error().cause.c_str());
    return 1;
  }
  std::unique_ptr<SqliteStore> store = std::move(opened).value();
  Bench bench(*store, o);
  const auto t0 = std::chrono::steady_clock::now();
  bench.run();
  store->flush();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (bench.failed()) return 1;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const double transitions = static_cast<double>(o.executions) * o.passes;
  const double commits = static_cast<double>(bench.commits());
  const double events = static_cast<double>(o.executions) * (2.0 * o.passes + 2);
  std::printf("sync=%s executions=%d inflight=%d passes=%d transitions-per-step=%d\n",
              o.sync == Synchronous::kFull     ? "full"
              : o.sync == Synchronous::kNormal ? "normal"
                                               : "off",
              o.executions, o.inflight, o.passes, o.per_step);
  std::printf("elapsed %.3f s, %.0f transitions/s, %.0f step commits/s, %.0f history events/s\n",
              secs, transitions / secs, commits / secs, events / secs);
  {
    auto st = store->stats();
    std::printf("transactions %llu, %.1f steps per transaction, %llu background checkpoints\n",
                static_cast<unsigned long long>(st.transactions),
                st.transactions
                    ? static_cast<double>(st.steps) / static_cast<double>(st.transactions)
                    : 0.0,
                static_cast<unsigned long long>(st.checkpoints));
    // On a shared machine the wall-clock figure depends on the load; CPU time does not.
    std::printf("cpu %.3f s (user+sys, all threads): %.0f transitions per cpu-second\n", cpu,
                transitions / cpu);
  }
  return 0;
}
