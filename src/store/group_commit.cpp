// GroupCommitQueue: the queue and writer thread of group commit. See group_commit.h.
#include "store/group_commit.h"

#include <utility>

#include "store/errors.h"

namespace stepwise::store {

GroupCommitQueue::GroupCommitQueue(BatchWriter& writer, GroupCommitLimits limits)
    : writer_(writer), limits_(limits) {}

GroupCommitQueue::~GroupCommitQueue() { stop(); }

void GroupCommitQueue::start() {
  thread_ = std::thread([this] { writer_loop(); });
}

void GroupCommitQueue::stop() {
  {
    base::MutexLock lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitQueue::enqueue(PendingCall call) {
  {
    base::MutexLock lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(call));
      ++enqueued_;
      queue_cv_.notify_one();
      return;
    }
  }
  if (call.done) call.done(Error{errors::closed, "the store is closing: the steps were not saved"});
}

void GroupCommitQueue::flush() {
  base::MutexLock lock(mu_);
  const std::uint64_t target = enqueued_;
  while (completed_ < target) idle_cv_.wait(mu_);
}

GroupCommitQueue::Stats GroupCommitQueue::stats() {
  base::MutexLock lock(mu_);
  return stats_;
}

// Everything queued, within the limits; empty only when stopping with nothing left.
std::vector<PendingCall> GroupCommitQueue::take_batch() {
  base::MutexLock lock(mu_);
  while (!stopping_ && queue_.empty()) queue_cv_.wait(mu_);
  std::vector<PendingCall> batch;
  std::size_t steps = 0;
  std::size_t events = 0;
  while (!queue_.empty()) {
    const std::size_t n = queue_.front().steps.size();
    std::size_t e = 0;
    for (const auto& step : queue_.front().steps) e += step.events.size();
    const bool full = steps + n > limits_.steps_max || events + e > limits_.events_max;
    if (!batch.empty() && full) break;
    steps += n;
    events += e;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (!batch.empty()) {
    ++stats_.transactions;
    stats_.calls += batch.size();
    stats_.steps += steps;
  }
  return batch;
}

void GroupCommitQueue::writer_loop() {
  for (;;) {
    std::vector<PendingCall> batch = take_batch();
    if (batch.empty()) return;  // stopping and drained
    std::vector<Status> results = writer_.write_batch(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(std::move(results[i]));
    }
    {
      base::MutexLock lock(mu_);
      completed_ += batch.size();
    }
    idle_cv_.notify_all();
  }
}

}  // namespace stepwise::store
