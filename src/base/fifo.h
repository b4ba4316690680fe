// Fifo: a first-in first-out queue on a vector that allocates nothing while empty.
//
// Why: std::deque allocates a map and a 512-byte block as soon as it is constructed, and every
// live execution holds two queues that are almost always empty or hold one or two entries
// (the interpreter's ready frames, the service's steps waiting for their commit). A million
// waiting executions paid ~1 KB each for them. Entries popped stay in the vector (moved-from)
// until the queue empties, which it does after every step.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace stepwise {

template <class T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  T& back() { return items_.back(); }
  void push_back(T value) { items_.push_back(std::move(value)); }
  void pop_front() {
    if (++head_ == items_.size()) clear();
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace stepwise
