// base::Mutex, base::SharedMutex and their scoped locks: std::mutex / std::shared_mutex with
// clang's thread-safety annotations (base/thread_annotations.h), so GUARDED_BY members are
// checked at compile time in the clang build; base::CondVar waits on a held base::Mutex;
// base::Locked<T> is a value behind its own Mutex.
//
// Thread-safety: these are the synchronisation primitives themselves.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "base/thread_annotations.h"

namespace stepwise::base {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// std::condition_variable for a base::Mutex the caller holds. There is no predicate overload
// on purpose: the analysis cannot see that a predicate lambda runs under the lock, so callers
// write the loop (`while (!ready_) cv_.wait(mu_);`) where it can.
class CondVar {
 public:
  void wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: ownership goes back to the caller's scope
  }
  // False on timeout.
  template <typename Rep, typename Period>
  bool wait_for(Mutex& mu, std::chrono::duration<Rep, Period> timeout) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  // std's predicate wait_for written out: a loop of wait_until calls towards one deadline, so a
  // wake-up that finds the condition still false does not restart the timeout.
  //   const auto deadline = base::CondVar::deadline_in(timeout);
  //   while (!ready_) if (!cv_.wait_until(mu_, deadline)) break;
  using Deadline = std::chrono::steady_clock::time_point;
  template <typename Rep, typename Period>
  static Deadline deadline_in(std::chrono::duration<Rep, Period> timeout) {
    return std::chrono::steady_clock::now() + timeout;
  }
  // False once `deadline` has passed.
  bool wait_until(Mutex& mu, Deadline deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void notify_one() { cv_.notify_one(); }
  void notify_all() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

class CAPABILITY("shared mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  void lock_shared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlock_shared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a Mutex for its scope. unlock()/lock() in between are allowed (a condition variable
// wait does exactly that), and the destructor releases only what is held.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void lock() ACQUIRE() {
    mu_.lock();
    held_ = true;
  }
  void unlock() RELEASE() {
    held_ = false;
    mu_.unlock();
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  ~ReaderLock() RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A value read and replaced whole from any thread, copied out under its lock: settings that a
// reload swaps while calls read them (a pass-through endpoint, credentials).
template <class T>
class Locked {
 public:
  explicit Locked(T value) : value_(std::move(value)) {}
  T get() const EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return value_;
  }
  void set(T value) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    value_ = std::move(value);
  }

 private:
  mutable Mutex mu_;
  T value_ GUARDED_BY(mu_);
};

}  // namespace stepwise::base
