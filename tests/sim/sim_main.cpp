// stepwise_sim: the seeded fault simulation (tests/sim, docs/REFEREE.md).
//
//   stepwise_sim --seeds 450                 # seeds 1..450 (what ctest runs)
//   stepwise_sim --seconds 3600 --first 1000 # as many seeds as an hour holds
//   stepwise_sim --seed 1234 --store sqlite  # replays exactly one run, printing what differed
//   stepwise_sim --seed 1234 --histories     # ... and both histories of what differed, in full
//
// Each seed runs its scenario once without faults (the reference) and once with faults, on a
// MemoryStore or a SqliteStore (`--store mixed`, the default, alternates by seed), and compares
// every execution. A failure prints its seed and the command that replays it; the exit status
// is 1 when any seed failed. `--known-failures FILE` names seeds known to fail (one a line, `#`
// for the reason): they count as known while they fail, and as a failure once they pass, so
// the list only shrinks.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/invariant.h"
#include "tests/sim/sim_run.h"

namespace {

using namespace stepwise;

struct Args {
  std::uint64_t first = 1;
  std::uint64_t seeds = 0;
  std::int64_t seconds = 0;
  bool one = false;
  std::string store = "mixed";
  int executions = 24;
  int machines = 4;
  int determinism = 3;            // seeds run twice to check that a seed replays the same run
  std::set<std::uint64_t> known;  // --known-failures
  bool histories = false;         // a failure prints both histories in full
};

std::set<std::uint64_t> read_known(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "stepwise_sim: cannot read %s\n", path);
    std::exit(2);
  }
  std::set<std::uint64_t> out;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    if (line.find_first_of("0123456789") == std::string::npos) continue;
    out.insert(std::strtoull(line.c_str(), nullptr, 10));
  }
  return out;
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: stepwise_sim [--seed N | --seeds K [--first F] | --seconds S [--first F]]\n"
               "                    [--store memory|sqlite|mixed] [--executions N] [--machines N]\n"
               "                    [--known-failures FILE] [--histories]\n");
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view k = argv[i];
    if (k == "--histories") {
      a.histories = true;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char* v = argv[++i];
    if (k == "--seed") {
      a.first = std::strtoull(v, nullptr, 10);
      a.seeds = 1;
      a.one = true;
    } else if (k == "--seeds") {
      a.seeds = std::strtoull(v, nullptr, 10);
    } else if (k == "--first") {
      a.first = std::strtoull(v, nullptr, 10);
    } else if (k == "--seconds") {
      a.seconds = std::strtoll(v, nullptr, 10);
    } else if (k == "--store") {
      a.store = v;
      if (a.store != "memory" && a.store != "sqlite" && a.store != "mixed") usage();
    } else if (k == "--executions") {
      a.executions = std::atoi(v);
    } else if (k == "--machines") {
      a.machines = std::atoi(v);
    } else if (k == "--known-failures") {
      a.known = read_known(v);
    } else {
      usage();
    }
  }
  if (a.seeds == 0 && a.seconds == 0) usage();
  return a;
}

sim::StoreKind store_of(const Args& a, std::uint64_t seed) {
  if (a.store == "memory") return sim::StoreKind::kMemory;
  if (a.store == "sqlite") return sim::StoreKind::kSqlite;
  return seed % 2 == 0 ? sim::StoreKind::kMemory : sim::StoreKind::kSqlite;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  // A broken store invariant is reported as the seed's failure (with its seed), not an abort.
  set_invariant_mode(InvariantMode::refuse);
  std::string tmpl = (std::filesystem::temp_directory_path() / "stepwise-sim-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 2;
  }
  const std::filesystem::path scratch = tmpl;
  const Millis began = monotonic_ms();
  sim::FaultCounts total;
  std::int64_t seeds_run = 0;
  std::int64_t executions = 0;
  int failed = 0;
  int known_failed = 0;
  for (std::uint64_t seed = a.first;; ++seed) {
    if (a.seeds > 0 && seed >= a.first + a.seeds) break;
    if (a.seconds > 0 && monotonic_ms() - began >= a.seconds * 1000) break;
    sim::SimOptions o;
    o.seed = seed;
    o.store = store_of(a, seed);
    o.executions = a.executions;
    o.machines = a.machines;
    o.scratch = scratch;
    o.full_histories = a.histories;
    sim::SimResult r = sim::run_seed(o);
    const char* store = o.store == sim::StoreKind::kSqlite ? "sqlite" : "memory";
    if (r.failures.empty() && seeds_run < a.determinism) {
      sim::SimResult again = sim::run_seed(o);
      if (again.digest != r.digest)
        r.failures.push_back("the same seed ran differently twice (the run is not deterministic)");
    }
    ++seeds_run;
    executions += r.executions;
    total.add(r.counts);
    const bool listed = a.known.count(seed) > 0;
    if (listed && !r.failures.empty()) {
      ++known_failed;
      std::printf("known failure: seed %llu (store %s)\n", static_cast<unsigned long long>(seed),
                  store);
    } else if (listed) {
      ++failed;
      std::printf("FIXED seed %llu (store %s) passes: remove it from the known failures\n",
                  static_cast<unsigned long long>(seed), store);
    } else if (!r.failures.empty()) {
      ++failed;
      std::printf("FAILED seed %llu (store %s):\n", static_cast<unsigned long long>(seed), store);
      for (const auto& f : r.failures) std::printf("  %s\n", f.c_str());
      std::printf("  replay: stepwise_sim --seed %llu --store %s\n",
                  static_cast<unsigned long long>(seed), store);
      std::fflush(stdout);
      if (failed >= 5 && !a.one) break;
    } else if (a.one) {
      std::printf("seed %llu (store %s) passed\n", static_cast<unsigned long long>(seed), store);
    }
  }
  std::filesystem::remove_all(scratch);
  std::printf(
      "stepwise_sim: %lld seeds, %lld executions (%lld reached by a crash or failed commit, "
      "%lld rebuilds), %d failed, %d known to fail, %.1f s\n"
      "  faults: %lld commits, %lld commit errors, %lld crashes before a commit, %lld after "
      "(torn), %lld idle, %lld restarts; %lld calls, %lld duplicate and %lld late answers\n",
      static_cast<long long>(seeds_run), static_cast<long long>(executions),
      static_cast<long long>(total.executions_hit), static_cast<long long>(total.recovered), failed,
      known_failed, static_cast<double>(monotonic_ms() - began) / 1000.0,
      static_cast<long long>(total.commits), static_cast<long long>(total.commit_errors),
      static_cast<long long>(total.crashes_before), static_cast<long long>(total.crashes_after),
      static_cast<long long>(total.crashes_idle), static_cast<long long>(total.restarts),
      static_cast<long long>(total.calls), static_cast<long long>(total.duplicate_answers),
      static_cast<long long>(total.late_answers));
  return failed == 0 ? 0 : 1;
}
