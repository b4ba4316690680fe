// base::Mutex, MutexLock and CondVar: the behaviour the converted lock sites rely on (a
// MutexLock released early is not released twice; a deadline wait neither returns early on its
// own nor restarts its timeout).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "base/mutex.h"

namespace stepwise::base {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// True when `mu` is free (it is taken and given back at once).
bool is_free(Mutex& mu) {
  if (!mu.try_lock()) return false;
  mu.unlock();
  return true;
}

TEST(MutexLock, ReleasesOnlyWhatItHolds) {
  Mutex mu;
  {
    MutexLock lock(mu);
    lock.unlock();
    EXPECT_TRUE(is_free(mu));
    lock.lock();
    lock.unlock();
  }  // the destructor must not unlock again (undefined behaviour: TSan and ASan builds see it)
  EXPECT_TRUE(is_free(mu));
  {
    MutexLock lock(mu);
    std::thread other([&] { EXPECT_FALSE(is_free(mu)); });  // held by this scope
    other.join();
  }
  EXPECT_TRUE(is_free(mu));
}

TEST(CondVar, WaitUntilTimesOutAtTheDeadline) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  const auto start = steady_clock::now();
  const auto deadline = CondVar::deadline_in(milliseconds(50));
  bool woken = true;
  while (woken) woken = cv.wait_until(mu, deadline);  // spurious wake-ups loop back
  EXPECT_GE(steady_clock::now() - start, milliseconds(50));
  EXPECT_FALSE(cv.wait_until(mu, deadline));  // a passed deadline answers at once
}

TEST(CondVar, WaitLoopSeesTheConditionSetUnderTheLock) {
  Mutex mu;
  CondVar cv;
  bool ready = false;
  std::thread setter([&] {
    std::this_thread::sleep_for(milliseconds(20));
    MutexLock lock(mu);
    ready = true;
    cv.notify_all();
  });
  {
    MutexLock lock(mu);
    const auto deadline = CondVar::deadline_in(std::chrono::seconds(30));
    while (!ready && cv.wait_until(mu, deadline)) {
    }
    EXPECT_TRUE(ready);  // woken by the notify, long before the deadline
  }
  setter.join();
}

TEST(CondVar, WaitForReturnsFalseOnTimeout) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  const auto start = steady_clock::now();
  bool woken = true;
  // A spurious wake-up is allowed to return true; a timeout must return false.
  for (int i = 0; i < 100 && woken; ++i) woken = cv.wait_for(mu, milliseconds(10));
  EXPECT_FALSE(woken);
  EXPECT_GE(steady_clock::now() - start, milliseconds(10));
}

TEST(Locked, ReadersSeeEitherTheOldOrTheNewValueWhole) {
  Locked<std::string> value(std::string(64, 'a'));
  std::thread writer([&] {
    for (int i = 0; i < 1000; ++i) value.set(std::string(64, i % 2 ? 'b' : 'a'));
  });
  for (int i = 0; i < 1000; ++i) {
    const std::string seen = value.get();
    ASSERT_TRUE(seen == std::string(64, 'a') || seen == std::string(64, 'b')) << seen;
  }
  writer.join();
  EXPECT_EQ(value.get(), std::string(64, 'b'));
}

}  // namespace
}  // namespace stepwise::base
