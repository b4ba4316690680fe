// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html) as
// macros that vanish on compilers without the analysis, so g++ builds see plain code.
//
// Use them on every member a mutex protects:
//   base::Mutex mu_;
//   std::deque<Item> queue_ GUARDED_BY(mu_);
//   void drain() REQUIRES(mu_);
// The clang build with -Wthread-safety (scripts/sanitize.sh, STEPWISE_THREAD_SAFETY=ON) then
// refuses an access without the lock. std::mutex carries no annotations in libstdc++, which is
// why base::Mutex (base/mutex.h) exists.
#pragma once

#if defined(__clang__)
#define STEPWISE_TSA(x) __attribute__((x))
#else
#define STEPWISE_TSA(x)
#endif

#define CAPABILITY(x) STEPWISE_TSA(capability(x))
#define SCOPED_CAPABILITY STEPWISE_TSA(scoped_lockable)
#define GUARDED_BY(x) STEPWISE_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) STEPWISE_TSA(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) STEPWISE_TSA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) STEPWISE_TSA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) STEPWISE_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) STEPWISE_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) STEPWISE_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) STEPWISE_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) STEPWISE_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) STEPWISE_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) STEPWISE_TSA(release_generic_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) STEPWISE_TSA(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) STEPWISE_TSA(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) STEPWISE_TSA(assert_capability(x))
#define RETURN_CAPABILITY(x) STEPWISE_TSA(lock_returned(x))
// For the rare function the analysis cannot follow (say why at the use).
#define NO_THREAD_SAFETY_ANALYSIS STEPWISE_TSA(no_thread_safety_analysis)
