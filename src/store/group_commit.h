// Group commit, independent of the database: callers queue steps (commit_steps), one writer
// thread takes everything queued — up to a step and an event budget — and hands it to a
// BatchWriter that writes the batch in ONE transaction, then calls each call's `done`. Many
// executions' steps thus share one fsync (SQLite) or one round trip and WAL flush (a server
// database), which is what makes durable throughput high.
//
// A backend implements BatchWriter (sqlite/steps.cpp) and owns a GroupCommitQueue; it must
// stop() the queue before it closes what the writer uses.
//
// Thread-safety: enqueue(), flush() and stats() may be called from any thread. write_batch() and
// every `done` run on the writer thread, one batch at a time: a `done` must not call flush() and
// should be quick (post the follow-up work elsewhere).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "store/store.h"

namespace stepwise::store {

// One commit_steps() call waiting for its batch.
struct PendingCall {
  Fence fence;
  std::vector<StepRecord> steps;
  std::function<void(Status)> done;
};

class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // Writes `batch` (in queue order) in one transaction and returns one Status per call, in the
  // same order: Ok only once the call is durable. One bad call (a conflict, a stale fence) may
  // fail alone; anything that fails the transaction fails every call.
  virtual std::vector<Status> write_batch(std::vector<PendingCall>& batch) = 0;
};

struct GroupCommitLimits {
  // Steps in one batch at most (bounds a transaction's size and its first step's latency).
  std::size_t steps_max = 10000;
  // History events in one batch at most (a call larger than this still commits, alone: a call
  // is never split).
  std::size_t events_max = 200000;
};

class GroupCommitQueue {
 public:
  struct Stats {
    std::uint64_t transactions = 0;  // batches written
    std::uint64_t calls = 0;
    std::uint64_t steps = 0;
  };

  GroupCommitQueue(BatchWriter& writer, GroupCommitLimits limits);
  ~GroupCommitQueue();  // stop()s
  GroupCommitQueue(const GroupCommitQueue&) = delete;
  GroupCommitQueue& operator=(const GroupCommitQueue&) = delete;

  void start();  // starts the writer thread
  // Refuses new calls, writes everything queued (each `done` runs), joins the writer thread.
  void stop();
  // Queues a call; after stop(): `done(Store.Closed)` at once, on the caller's thread.
  void enqueue(PendingCall call);
  // Waits until every call queued before it is done.
  void flush();
  Stats stats();

 private:
  void writer_loop();
  std::vector<PendingCall> take_batch();

  BatchWriter& writer_;
  const GroupCommitLimits limits_;
  base::Mutex mu_;
  base::CondVar queue_cv_;  // work queued, or stopping
  base::CondVar idle_cv_;   // a batch completed
  std::deque<PendingCall> queue_ GUARDED_BY(mu_);
  std::uint64_t enqueued_ GUARDED_BY(mu_) = 0;   // calls queued since start
  std::uint64_t completed_ GUARDED_BY(mu_) = 0;  // calls whose `done` has run
  bool stopping_ GUARDED_BY(mu_) = false;
  Stats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace stepwise::store
