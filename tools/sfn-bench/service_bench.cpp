// stepwise-service-bench: durable state transitions per second through the real service path.
//
// A real sfn::Service (Registry, Executions, the engine thread, the real clock) on a
// SqliteStore in `--dir`, no HTTP: a Standard machine of `--states` Pass states is created with
// CreateStateMachine, then `--inflight` executions are kept in flight (Service::starter(),
// whose on-close callback starts the next) until `--executions` have closed. An execution
// closes only after its last step is durable, so every figure counts durable work.
//
// What is counted:
//   - transitions: one per state entered, as AWS bills a Pass chain (the `…StateEntered`
//     history events committed; `--express` writes no history: executions × states);
//   - history events: every event committed;
//   - step commits: every StepRecord handed to the store, and the latency of each
//     commit_steps() call from the call to its `done` (queueing + group commit + fsync).
// `--express` runs the same machine as EXPRESS on a MemoryStore (nothing committed), for
// comparison. `--sync full|normal|off` is SqliteStore's synchronous setting (default full:
// one fsync per group commit). `--repeat R` runs R times, each on a fresh directory, and prints
// the median of every figure.
//
// `--shards N` runs the Service with N engine shards (default 1); engine CPU is all shards'.
//
// Usage: stepwise-service-bench [--dir D] [--states N] [--inflight N] [--executions N]
//                               [--sync full|normal|off] [--express] [--repeat R] [--shards N]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "json/json.h"
#include "sfn/executions.h"
#include "sfn/service.h"
#include "store/memory_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace stepwise;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string dir = "stepwise-service-bench-data";
  int states = 10;
  int inflight = 100;
  int executions = 50000;
  store::Synchronous sync = store::Synchronous::kFull;
  bool express = false;
  int repeat = 1;
  int shards = 1;
};

// Passes every call through to the real store; counts what is committed and times each
// commit_steps() call. `done` runs on the store's writer thread, one call at a time, so the
// latencies need no lock until the run is over (flush() orders the read after the writes).
class CountingStore final : public store::ExecutionStore {
 public:
  explicit CountingStore(store::ExecutionStore& inner) : s_(inner) {
    latencies_us_.reserve(1 << 20);
  }

  void commit_steps(const store::Fence& fence, std::vector<store::StepRecord> steps,
                    std::function<void(Status)> done) override {
    for (const auto& step : steps) {
      events_ += step.events.size();
      for (const auto& e : step.events) {
        if (e.type.size() > 12 && e.type.compare(e.type.size() - 12, 12, "StateEntered") == 0)
          ++entered_;
      }
    }
    step_commits_ += steps.size();
    const auto t0 = Clock::now();
    s_.commit_steps(fence, std::move(steps), [this, t0, done = std::move(done)](Status st) {
      writer_tid_ = gettid();
      latencies_us_.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (done) done(std::move(st));
    });
  }
  void flush() override { s_.flush(); }

  // Counters are written on the engine thread; read them after the run.
  std::uint64_t events() const { return events_; }
  std::uint64_t entered() const { return entered_; }
  std::uint64_t step_commits() const { return step_commits_; }
  std::vector<double>& latencies_us() { return latencies_us_; }
  pid_t writer_tid() const { return writer_tid_.load(); }

  // --- everything else: straight through ---
  Result<std::int64_t> claim_shard(std::int64_t shard, const std::string& node) override {
    return s_.claim_shard(shard, node);
  }
  Result<std::optional<store::ExecutionRecord>> get_execution(const std::string& a) override {
    return s_.get_execution(a);
  }
  Result<std::vector<store::ExecutionRecord>> list_executions(
      const store::ExecutionQuery& q) override {
    return s_.list_executions(q);
  }
  Result<std::vector<history::HistoryEvent>> history(const store::HistoryQuery& q) override {
    return s_.history(q);
  }
  Result<std::vector<store::JournalEntry>> journal(const std::string& a, std::int64_t after,
                                                   std::size_t limit) override {
    return s_.journal(a, after, limit);
  }
  Result<std::vector<store::RunningExecution>> running_index(const store::RunningKey& after,
                                                             std::size_t limit) override {
    return s_.running_index(after, limit);
  }
  Result<std::optional<store::MapRunRecord>> get_map_run(const std::string& a) override {
    return s_.get_map_run(a);
  }
  Result<std::vector<store::MapRunRecord>> list_map_runs(const std::string& a,
                                                         const std::string& after,
                                                         std::size_t limit) override {
    return s_.list_map_runs(a, after, limit);
  }
  Result<std::optional<store::MapRunChild>> get_map_run_child(const std::string& a) override {
    return s_.get_map_run_child(a);
  }
  Result<std::vector<store::MapRunChild>> list_map_run_children(
      const store::MapRunChildQuery& q) override {
    return s_.list_map_run_children(q);
  }
  Result<std::int64_t> purge_closed_before(Millis before_ms) override {
    return s_.purge_closed_before(before_ms);
  }

 private:
  store::ExecutionStore& s_;
  std::uint64_t events_ = 0;
  std::uint64_t entered_ = 0;
  std::uint64_t step_commits_ = 0;
  std::vector<double> latencies_us_;
  std::atomic<pid_t> writer_tid_{0};  // the thread that runs `done`: the store's writer
};

std::string pass_chain(int n) {
  json::object states;
  for (int i = 1; i <= n; ++i) {
    json::object s{{"Type", "Pass"}};
    if (i < n) {
      s["Next"] = "Pass" + std::to_string(i + 1);
    } else {
      s["End"] = true;
    }
    states["Pass" + std::to_string(i)] = std::move(s);
  }
  return json::dump(json::object{{"StartAt", "Pass1"}, {"States", std::move(states)}});
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) one thread of this process has used; 0 if it is gone.
double thread_cpu_seconds(pid_t tid) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream rest(text.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15: utime, stime (ticks)
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Figures {
  double seconds = 0;
  double executions_per_s = 0;
  double transitions_per_s = 0;
  double events_per_s = 0;
  double commits_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  double cpu_s = 0;
  double engine_cpu_s = 0;  // the Service's engine thread
  double writer_cpu_s = 0;  // the store's writer thread
  double steps_per_txn = 0;
};

// Keeps `inflight` executions running on the engine thread until `total` have closed.
// Everything but `finished` runs on the engine thread.
class Driver {
 public:
  Driver(sfn::Service& svc, std::string machine_arn, int total, int run)
      : svc_(svc), machine_arn_(std::move(machine_arn)), total_(total), run_(run) {}

  void start(int inflight) {
    svc_.post([this, inflight] {
      for (int i = 0; i < inflight && started_ < total_; ++i) start_one();
    });
  }
  // Waits until every execution closed; false if any failed to start or did not succeed.
  bool wait() { return finished_.get_future().get(); }

 private:
  void start_one() {
    sfn::StartRequest c;
    c.state_machine_arn = machine_arn_;
    c.name = "r" + std::to_string(run_) + "-" + std::to_string(started_++);
    c.input = R"({"order":{"id":"o-123","items":[1,2,3]}})";
    // The Service's starter: each execution runs on the shard its ARN hashes to, and its close
    // comes back to the home loop.
    auto started = svc_.starter().start_child(c, [this](const store::ExecutionRecord& rec) {
      if (rec.status != "SUCCEEDED") ok_ = false;
      // Posted, not called: an Express execution closes inside start_child, and starting the
      // next one from here would recurse once per execution.
      svc_.post([this] { closed(); });
    });
    if (!started) {
      std::fprintf(stderr, "start failed: %s: %s\n", started.error().name.c_str(),
                   started.error().cause.c_str());
      ok_ = false;
      closed();
    }
  }
  void closed() {
    if (++closed_ == total_) return finished_.set_value(ok_);
    if (started_ < total_ && ok_)
      start_one();
    else if (!ok_ && closed_ == started_)
      finished_.set_value(false);
  }

  sfn::Service& svc_;
  std::string machine_arn_;
  int total_;
  int run_;
  int started_ = 0;
  int closed_ = 0;
  bool ok_ = true;
  std::promise<bool> finished_;
};

std::string create_machine(sfn::Service& svc, const Options& o) {
  std::promise<std::string> arn;
  svc.post([&] {
    for (auto& [name, op] : svc.registry().operations()) {
      if (name != "CreateStateMachine") continue;
      json::object req{{"name", "bench"},
                       {"definition", pass_chain(o.states)},
                       {"roleArn", "arn:aws:iam::123456789012:role/bench"},
                       {"type", o.express ? "EXPRESS" : "STANDARD"}};
      api::Response r = op(req);
      if (r.is_error())
        std::fprintf(stderr, "%s: %s\n", r.error().type.c_str(), r.error().message.c_str());
      const json::value* a = !r.is_error() && r.body().is_object()
                                 ? r.body().as_object().if_contains("stateMachineArn")
                                 : nullptr;
      arn.set_value(a && a->is_string() ? std::string(a->as_string()) : std::string());
      return;
    }
    arn.set_value("");
  });
  return arn.get_future().get();
}

bool run_once(const Options& o, int run, Figures& f) {
  std::error_code ec;
  std::filesystem::remove_all(o.dir, ec);
  std::unique_ptr<store::Store> inner;
  store::SqliteStore* sqlite = nullptr;
  if (o.express) {
    inner = std::make_unique<store::MemoryStore>();
  } else {
    store::SqliteOptions so;
    so.synchronous = o.sync;
    auto opened = store::SqliteStore::open(o.dir, so);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s: %s\n", opened.error().name.c_str(), opened.error().cause.c_str());
      return false;
    }
    sqlite = opened->get();
    inner = std::move(opened).value();
  }
  CountingStore counting(*inner);
  RealClock clock;
  bool ok = false;
  {
    sfn::ServiceOptions so{.clock = clock, .registry_store = *inner, .execution_store = counting};
    so.shards = o.shards;
    sfn::Service svc(std::move(so));
    svc.start();
    const std::string arn = create_machine(svc, o);
    if (arn.empty()) {
      std::fprintf(stderr, "CreateStateMachine failed\n");
      return false;
    }
    Driver driver(svc, arn, o.executions, run);
    // The engine threads' CPU so far (recovery, create): every shard's.
    auto engine_cpu = [&svc] {
      double total = 0;
      for (const auto& shard : svc.shards()) {
        std::promise<double> cpu;
        shard->loop().post([&cpu] { cpu.set_value(thread_cpu_seconds(gettid())); });
        total += cpu.get_future().get();
      }
      return total;
    };
    const double engine_cpu0 = engine_cpu();
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    driver.start(o.inflight);
    ok = driver.wait();
    f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    f.cpu_s = cpu_seconds() - cpu0;
    f.engine_cpu_s = engine_cpu() - engine_cpu0;
    if (counting.writer_tid() != 0) f.writer_cpu_s = thread_cpu_seconds(counting.writer_tid());
    svc.stop();
  }
  counting.flush();
  if (!ok) return false;
  const double n = o.executions;
  const double transitions = o.express ? n * o.states : static_cast<double>(counting.entered());
  f.executions_per_s = n / f.seconds;
  f.transitions_per_s = transitions / f.seconds;
  f.events_per_s = static_cast<double>(counting.events()) / f.seconds;
  f.commits_per_s = static_cast<double>(counting.step_commits()) / f.seconds;
  f.p50_us = percentile(counting.latencies_us(), 0.50);
  f.p99_us = percentile(counting.latencies_us(), 0.99);
  if (sqlite != nullptr) {
    auto st = sqlite->stats();
    f.steps_per_txn =
        st.transactions ? static_cast<double>(st.steps) / static_cast<double>(st.transactions) : 0;
  }
  return true;
}

void print(const char* label, const Figures& f) {
  std::printf(
      "%-7s %7.3f s  %8.0f exec/s  %8.0f transitions/s  %8.0f events/s  %7.0f step commits/s  "
      "commit p50 %.2f ms p99 %.2f ms  %5.1f steps/txn  cpu %.2f s (engine %.2f, writer %.2f)\n",
      label, f.seconds, f.executions_per_s, f.transitions_per_s, f.events_per_s, f.commits_per_s,
      f.p50_us / 1000, f.p99_us / 1000, f.steps_per_txn, f.cpu_s, f.engine_cpu_s, f.writer_cpu_s);
}

double median_of(std::vector<Figures>& all, double Figures::*field) {
  std::vector<double> v;
  for (const auto& f : all) v.push_back(f.*field);
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--dir")
      o.dir = next();
    else if (a == "--states")
      o.states = std::atoi(next());
    else if (a == "--inflight")
      o.inflight = std::atoi(next());
    else if (a == "--executions")
      o.executions = std::atoi(next());
    else if (a == "--repeat")
      o.repeat = std::atoi(next());
    else if (a == "--express")
      o.express = true;
    else if (a == "--shards")
      o.shards = std::max(1, std::atoi(next()));
    else if (a == "--sync") {
      const std::string v = next();
      if (v == "full")
        o.sync = store::Synchronous::kFull;
      else if (v == "normal")
        o.sync = store::Synchronous::kNormal;
      else if (v == "off")
        o.sync = store::Synchronous::kOff;
      else
        return false;
    } else {
      return false;
    }
  }
  return o.states > 0 && o.inflight > 0 && o.executions > 0 && o.repeat > 0;
}

const char* sync_name(store::Synchronous s) {
  return s == store::Synchronous::kFull     ? "full"
         : s == store::Synchronous::kNormal ? "normal"
                                            : "off";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(
        stderr,
        "usage: stepwise-service-bench [--dir D] [--states N] [--inflight N] [--executions N] "
        "[--sync full|normal|off] [--express] [--repeat R] [--shards N]\n");
    return 2;
  }
  std::printf("%s, %d Pass states, %d executions, %d in flight%s%s\n",
              o.express ? "EXPRESS" : "STANDARD", o.states, o.executions, o.inflight,
              o.express ? "" : ", sync=", o.express ? "" : sync_name(o.sync));
  std::vector<Figures> all;
  for (int r = 0; r < o.repeat; ++r) {
    Figures f;
    if (!run_once(o, r, f)) return 1;
    print(("run " + std::to_string(r + 1)).c_str(), f);
    std::fflush(stdout);
    all.push_back(f);
  }
  std::error_code ec;
  std::filesystem::remove_all(o.dir, ec);
  if (o.repeat > 1) {
    Figures m;
    for (auto field : {&Figures::seconds, &Figures::executions_per_s, &Figures::transitions_per_s,
                       &Figures::events_per_s, &Figures::commits_per_s, &Figures::p50_us,
                       &Figures::p99_us, &Figures::cpu_s, &Figures::engine_cpu_s,
                       &Figures::writer_cpu_s, &Figures::steps_per_txn}) {
      m.*field = median_of(all, field);
    }
    print("median", m);
  }
  return 0;
}
