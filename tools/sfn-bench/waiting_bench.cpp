// stepwise-waiting-bench: many Standard executions waiting at once, through the real Service on a
// SqliteStore with fsync (docs/BENCHMARKS.md, "Waiting executions").
//
//   --phase start    starts N executions that wait (a Wait state due between lead and
//                    lead + spread seconds from now, or an activity task nobody polls), then
//                    reports the start rate, the resident memory and how many sleep (dormant);
//   --phase recover  a new process on the same store: times Service::start() (restart recovery),
//                    reports memory, then watches for --observe seconds while the Waits fall due
//                    and reports how late timers fired (the EventLoop's histogram) and how many
//                    executions finished.
//
// Usage: stepwise-waiting-bench --dir D --phase start|recover [--executions N] [--kind
// wait|activity]
//                               [--lead-seconds L] [--spread-seconds S] [--observe-seconds O]
//                               [--window W]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "sfn/service.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace stepwise;
using Steady = std::chrono::steady_clock;

struct Options {
  std::string dir = "stepwise-waiting-bench-data";
  std::string phase;
  std::string kind = "wait";
  long executions = 100000;
  long lead_s = 300;
  long spread_s = 3600;
  long observe_s = 30;
  long window = 200;
};

// Resident and peak resident memory of this process, in MiB (Linux /proc).
std::pair<double, double> memory_mib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  double rss = 0, hwm = 0;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atof(line.c_str() + 6) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::atof(line.c_str() + 6) / 1024.0;
  }
  return {rss, hwm};
}

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

class Bench {
 public:
  Bench(const Options& o, store::Store& store) : o_(o) {
    sfn::ServiceOptions so{.clock = clock_, .registry_store = store, .execution_store = store};
    service_ = std::make_unique<sfn::Service>(std::move(so));
    service_->add_operations(table_);
  }
  std::size_t start() { return service_->start(); }
  void stop() { service_->stop(); }

  // Calls an operation and waits for its answer (setup calls).
  api::Response call(const std::string& op, json::value request) {
    std::promise<api::Response> p;
    auto f = p.get_future();
    table_.dispatch(op, std::move(request), api::RequestInfo{},
                    [&p](api::Response r) { p.set_value(std::move(r)); });
    return f.get();
  }

  // On the engine thread: live and dormant executions, and the loop's timer statistics.
  struct Snapshot {
    std::size_t live = 0, dormant = 0, timers = 0;
    EventLoop::TimerStats stats;
  };
  // reset: start the timer statistics afresh after reading them (one histogram per interval).
  Snapshot snapshot(bool reset = false) {
    std::promise<Snapshot> p;
    service_->post([&, reset] {
      Snapshot s;
      s.live = service_->executions().live_count();
      s.dormant = service_->executions().dormant_count();
      s.timers = service_->loop().timer_count();
      s.stats = service_->loop().timer_stats();
      if (reset) service_->loop().reset_timer_stats();
      p.set_value(s);
    });
    return p.get_future().get();
  }

  // Starts `n` executions of `machine`, `window` StartExecution calls in flight at once.
  long start_many(const std::string& machine, long n) {
    std::mutex mu;
    std::condition_variable cv;
    long in_flight = 0, failed = 0;
    const Millis t0 = clock_.now_ms();
    for (long i = 0; i < n; ++i) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return in_flight < o_.window; });
        ++in_flight;
      }
      json::object input;
      const Millis due = t0 + o_.lead_s * 1000 + (o_.spread_s * 1000 * i) / (n > 0 ? n : 1);
      input["due"] = format_iso8601_ms(due);
      json::object request{{"stateMachineArn", machine},
                           {"name", "e" + std::to_string(i)},
                           {"input", json::dump(input)}};
      table_.dispatch("StartExecution", std::move(request), api::RequestInfo{},
                      [&](api::Response r) {
                        std::lock_guard lock(mu);
                        if (r.is_error()) ++failed;
                        --in_flight;
                        cv.notify_one();
                      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
    return failed;
  }

 private:
  const Options& o_;
  RealClock clock_;
  std::unique_ptr<sfn::Service> service_;
  api::OperationTable table_;
};

const char* kWaitMachine =
    R"({"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.due","Next":"P"},)"
    R"("P":{"Type":"Pass","End":true}}})";

int phase_start(const Options& o) {
  std::filesystem::remove_all(o.dir);
  auto store = store::SqliteStore::open(o.dir);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open the store: %s\n", store.error().cause.c_str());
    return 1;
  }
  Bench bench(o, **store);
  bench.start();
  std::string definition = kWaitMachine;
  if (o.kind == "activity") {
    api::Response a = bench.call("CreateActivity", json::object{{"name", "nobody-polls"}});
    const std::string activity(a.body().at("activityArn").as_string());
    definition = R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + activity +
                 R"(","End":true}}})";
  }
  api::Response m = bench.call("CreateStateMachine",
                               json::object{{"name", "waiting"},
                                            {"definition", definition},
                                            {"roleArn", "arn:aws:iam::123456789012:role/bench"}});
  if (m.is_error()) {
    std::fprintf(stderr, "CreateStateMachine: %s\n", m.error().message.c_str());
    return 1;
  }
  const std::string machine(m.body().at("stateMachineArn").as_string());
  const auto t = Steady::now();
  const long failed = bench.start_many(machine, o.executions);
  const double secs = seconds_since(t);
  // Let the last commits land and the executions fall asleep.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto snap = bench.snapshot();
  const auto [rss, hwm] = memory_mib();
  std::printf("started %ld executions (%s) in %.1f s: %.0f starts/s, %ld failed\n", o.executions,
              o.kind.c_str(), secs, static_cast<double>(o.executions) / secs, failed);
  std::printf("in memory: %zu live, %zu dormant, %zu loop timers; RSS %.0f MiB (peak %.0f MiB)\n",
              snap.live, snap.dormant, snap.timers, rss, hwm);
  bench.stop();
  return failed == 0 ? 0 : 1;
}

int phase_recover(const Options& o) {
  store::SqliteOptions so;
  so.create_if_missing = false;
  const auto t_open = Steady::now();
  auto store = store::SqliteStore::open(o.dir, so);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open the store: %s\n", store.error().cause.c_str());
    return 1;
  }
  const double open_s = seconds_since(t_open);
  Bench bench(o, **store);
  const auto t = Steady::now();
  const std::size_t resumed = bench.start();
  const double recover_s = seconds_since(t);
  auto snap = bench.snapshot();
  auto [rss, hwm] = memory_mib();
  std::printf(
      "store opened in %.2f s; recovery resumed %zu executions in %.2f s "
      "(%zu live, %zu dormant, %zu loop timers); RSS %.0f MiB (peak %.0f MiB)\n",
      open_s, resumed, recover_s, snap.live, snap.dormant, snap.timers, rss, hwm);
  if (o.observe_s <= 0) {
    bench.stop();
    return 0;
  }
  // One line per interval: timers fired in it and how late (the histogram restarts each time).
  bench.snapshot(/*reset=*/true);
  const long interval_s = 10;
  for (long t = interval_s; t <= o.observe_s; t += interval_s) {
    std::this_thread::sleep_for(std::chrono::seconds(interval_s));
    snap = bench.snapshot(/*reset=*/true);
    std::tie(rss, hwm) = memory_mib();
    const auto& st = snap.stats;
    std::printf(
        "t=%3lds: %6llu timers fired, max %5lld ms late; %zu live, %zu dormant; RSS %.0f MiB;"
        " late(ms)",
        t, static_cast<unsigned long long>(st.fired), static_cast<long long>(st.max_late_ms),
        snap.live, snap.dormant, rss);
    for (std::size_t i = 0; i < st.buckets.size(); ++i) {
      if (i < EventLoop::TimerStats::kBounds.size()) {
        std::printf(" <=%lld:%llu", static_cast<long long>(EventLoop::TimerStats::kBounds[i]),
                    static_cast<unsigned long long>(st.buckets[i]));
      } else {
        std::printf(" >%lld:%llu", static_cast<long long>(EventLoop::TimerStats::kBounds.back()),
                    static_cast<unsigned long long>(st.buckets[i]));
      }
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  bench.stop();
  return 0;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = next();
    if (v == nullptr) return false;
    if (a == "--dir")
      o.dir = v;
    else if (a == "--phase")
      o.phase = v;
    else if (a == "--kind")
      o.kind = v;
    else if (a == "--executions")
      o.executions = std::atol(v);
    else if (a == "--lead-seconds")
      o.lead_s = std::atol(v);
    else if (a == "--spread-seconds")
      o.spread_s = std::atol(v);
    else if (a == "--observe-seconds")
      o.observe_s = std::atol(v);
    else if (a == "--window")
      o.window = std::atol(v);
    else
      return false;
  }
  return (o.phase == "start" || o.phase == "recover") &&
         (o.kind == "wait" || o.kind == "activity") && o.executions > 0 && o.window > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: stepwise-waiting-bench --dir D --phase start|recover [--executions N] "
                 "[--kind wait|activity] [--lead-seconds L] [--spread-seconds S] "
                 "[--observe-seconds O] [--window W]\n");
    return 2;
  }
  return o.phase == "start" ? phase_start(o) : phase_recover(o);
}
