#include "bench/measure.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <thread>

#include "asl/compile.h"
#include "base/clock.h"
#include "base/ids.h"
#include "bench/handlers.h"
#include "bench/interleave.h"
#include "bench/quotas.h"
#include "bench/stats.h"
#include "engine/run.h"

namespace stepwise::bench {

namespace {

// Any fixed instant: the ManualClock only moves when a timer (W5's retry pause) is due.
constexpr Millis bench_epoch_ms = 1'700'000'000'000;

double peak_rss_mb_now() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// What one thread needs to run executions: its own clock, ids and task handlers.
struct Runner {
  Runner(bool express, std::uint64_t seed, bool aws_quotas = true)
      : clock(bench_epoch_ms), ids(seed) {
    quotas_ok = set_quotas(options, aws_quotas);
    options.state_machine_name = "Bench";
    options.express = express;
    options.keep_history = !express;
    options.clock = &clock;
    options.tasks = &tasks;
    options.ids = &ids;
  }
  ManualClock clock;
  IdGenerator ids;  // tidy: allow benchmark ids need no replay
  BenchTaskRunner tasks;
  engine::RunOptions options;
  bool quotas_ok = true;  // false: quotas off was asked for, the engine cannot
};

std::string failure_text(std::int64_t k, const engine::RunResult& r) {
  return "execution " + std::to_string(k) + " " + r.status + ": " + r.error.value_or("") + " " +
         r.cause.value_or("").substr(0, 200);
}

// Runs executions first, first + step, ... below n; returns the first failure ("" if none).
std::string run_share(const Workload& w, const asl::StateMachine& machine, Runner& runner,
                      std::int64_t first, std::int64_t step, std::int64_t n) {
  if (!runner.quotas_ok) return "the engine has no switch for AWS's quotas (--no-quotas)";
  for (std::int64_t k = first; k < n; k += step) {
    auto r = engine::run_execution(machine, input_for(w.input, k), runner.options);
    if (!r) return "execution " + std::to_string(k) + ": " + r.error().cause;
    if (r->status != "SUCCEEDED") return failure_text(k, *r);
  }
  return "";
}

// Thread t's share of a repetition: seq through run_execution, conc interleaved on one loop.
std::string run_thread_share(const Workload& w, const MachinePtr& machine, const CellSpec& spec,
                             Runner& runner, int t, int threads) {
  if (spec.conc <= 1) return run_share(w, *machine, runner, t, threads, spec.executions);
  int in_flight = spec.conc / threads + (t < spec.conc % threads ? 1 : 0);
  InterleaveOptions io{spec.express, in_flight, t, threads, spec.executions, spec.aws_quotas};
  return run_interleaved(w, machine, io, runner.clock, runner.ids, runner.tasks);
}

// One timed repetition; returns the execution phase's seconds or an error.
Result<double> run_repetition(const Workload& w, const MachinePtr& machine, const CellSpec& spec,
                              int rep) {
  int threads = spec.conc <= 1 ? 1 : std::clamp(spec.threads, 1, std::min(spec.conc, threads_max));
  // Runners (and threads) exist before the clock starts: only executions are timed.
  std::vector<std::unique_ptr<Runner>> runners;
  std::vector<std::string> errors(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t)
    runners.push_back(
        std::make_unique<Runner>(spec.express, 1000 * (rep + 1) + t, spec.aws_quotas));
  std::latch go(1);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      go.wait();
      errors[t] = run_thread_share(w, machine, spec, *runners[t], t, threads);
    });
  }
  auto t0 = std::chrono::steady_clock::now();  // tidy: allow a benchmark measures real time
  go.count_down();
  errors[0] = run_thread_share(w, machine, spec, *runners[0], 0, threads);
  for (auto& th : pool) th.join();
  std::chrono::duration<double> secs =
      std::chrono::steady_clock::now() - t0;  // tidy: allow a benchmark measures real time
  for (const auto& e : errors)
    if (!e.empty()) return Error{"Bench.ExecutionFailed", e};
  return secs.count();
}

// Transitions as AWS bills them: states entered plus re-attempts of retried tasks.
std::int64_t count_transitions(const engine::RunResult& r, std::int64_t task_invocations) {
  std::int64_t entered = 0, task_entered = 0;
  for (const auto& e : r.history) {
    if (e.type.ends_with("StateEntered")) ++entered;
    if (e.type == "TaskStateEntered") ++task_entered;
  }
  return entered + std::max<std::int64_t>(0, task_invocations - task_entered);
}

// One Standard execution (k = 0) with history, checked against the README's output.
void verify_cell(const Workload& w, const asl::StateMachine& machine, bool aws_quotas,
                 CellResult& out) {
  Runner runner(/*express=*/false, 7, aws_quotas);
  json::value input = input_for(w.input, 0);
  auto expected = expected_output(w.spec, input);
  if (!expected) {
    out.error = expected.error().cause;
    return;
  }
  out.expected = json::dump(*expected);
  auto r = engine::run_execution(machine, input, runner.options);
  if (!r) {
    out.error = "verify: " + r.error().cause;
    return;
  }
  if (r->output) out.output = json::dump(*r->output);
  out.measured_transitions = count_transitions(*r, runner.tasks.invocations());
  bool same = r->status == "SUCCEEDED" && r->output && json::equal(*r->output, *expected);
  out.verified = same && out.measured_transitions == w.spec.transitions;
  if (r->status != "SUCCEEDED")
    out.error = "verify: " + failure_text(0, *r);
  else if (!same)
    out.error = "verify: output differs from the expected output";
  else if (!out.verified)
    out.error = "verify: " + std::to_string(out.measured_transitions) + " transitions, expected " +
                std::to_string(w.spec.transitions);
}

}  // namespace

Result<MachinePtr> compile_workload(const Workload& workload) {
  auto m = asl::compile(workload.definition);
  if (!m) return m.error();
  return MachinePtr(std::move(m).value());
}

CellResult measure_cell(const Workload& workload, const MachinePtr& machine, const CellSpec& spec) {
  CellResult out;
  out.workload = workload.spec.id;
  out.mode = spec.mode;
  out.type = spec.express ? "express" : "standard";
  out.executions = spec.executions;
  out.threads = spec.conc <= 1 ? 1 : std::clamp(spec.threads, 1, std::min(spec.conc, threads_max));
  out.transitions_per_execution = workload.spec.transitions;
  int reps = std::clamp(spec.repetitions, 1, repetitions_max);
  for (int rep = 0; rep < reps; ++rep) {
    auto secs = run_repetition(workload, machine, spec, rep);
    if (!secs) {
      out.error = secs.error().cause;
      break;
    }
    out.seconds.push_back(*secs);
  }
  out.ok = out.error.empty();
  if (out.ok) {
    double med = median(out.seconds);
    out.exec_per_s = med > 0 ? static_cast<double>(out.executions) / med : 0;
    out.transitions_per_s = out.exec_per_s * static_cast<double>(out.transitions_per_execution);
  }
  if (spec.verify && out.ok) {
    verify_cell(workload, *machine, spec.aws_quotas, out);
    out.ok = out.error.empty();
  }
  out.peak_rss_mb = peak_rss_mb_now();
  return out;
}

json::value CellResult::to_json() const {
  json::object o;
  o["workload"] = workload;
  o["mode"] = mode;
  o["type"] = type;
  o["executions"] = executions;
  o["threads"] = threads;
  o["transitions_per_execution"] = transitions_per_execution;
  json::array secs;
  for (double s : seconds) secs.push_back(s);
  o["seconds"] = std::move(secs);
  o["exec_per_s"] = exec_per_s;
  o["transitions_per_s"] = transitions_per_s;
  o["peak_rss_mb"] = peak_rss_mb;
  o["ok"] = ok;
  o["error"] = error;
  o["verified"] = verified;
  o["output"] = output;
  o["expected"] = expected;
  o["measured_transitions"] = measured_transitions;
  return o;
}

CellResult CellResult::from_json(const json::value& v) {
  CellResult r;
  if (!v.is_object()) {
    r.error = "malformed cell result";
    return r;
  }
  const auto& o = v.as_object();
  auto text = [&](const char* k) {
    const auto* p = o.if_contains(k);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  auto number = [&](const char* k) {
    const auto* p = o.if_contains(k);
    return p && json::is_number(*p) ? json::as_double(*p) : 0.0;
  };
  auto flag = [&](const char* k) {
    const auto* p = o.if_contains(k);
    return p && p->is_bool() && p->as_bool();
  };
  r.workload = text("workload");
  r.mode = text("mode");
  r.type = text("type");
  r.executions = static_cast<std::int64_t>(number("executions"));
  r.threads = static_cast<int>(number("threads"));
  r.transitions_per_execution = static_cast<std::int64_t>(number("transitions_per_execution"));
  if (const auto* s = o.if_contains("seconds"); s && s->is_array())
    for (const auto& x : s->as_array())
      if (json::is_number(x)) r.seconds.push_back(json::as_double(x));
  r.exec_per_s = number("exec_per_s");
  r.transitions_per_s = number("transitions_per_s");
  r.peak_rss_mb = number("peak_rss_mb");
  r.ok = flag("ok");
  r.error = text("error");
  r.verified = flag("verified");
  r.output = text("output");
  r.expected = text("expected");
  r.measured_transitions = static_cast<std::int64_t>(number("measured_transitions"));
  return r;
}

}  // namespace stepwise::bench
