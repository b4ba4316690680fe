#include "conformance/suite.h"
#include "base/mutex.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "conformance/clock_shift.h"
#include "conformance/runner.h"

namespace stepwise::conformance {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct Tally {
  long passed = 0, failed = 0, known = 0, fixed = 0, skipped = 0;
};

bool selected(const Case& c, const SuiteOptions& o) {
  if (!o.categories.empty() &&
      std::find(o.categories.begin(), o.categories.end(), c.category) == o.categories.end())
    return false;
  return o.name_contains.empty() || c.name.find(o.name_contains) != std::string::npos;
}

// Runs every case on `threads` workers; a watchdog ends the process when one case hangs.
class Pool {
 public:
  Pool(const std::vector<Case>& cases, const RunnerConfig& config, std::ostream& err)
      : cases_(cases),
        config_(config),
        err_(err),
        results_(cases.size()),
        started_(cases.size()),
        done_(cases.size()) {}

  std::vector<CaseResult> run(int threads) {
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) workers.emplace_back([this] { work(); });
    watch();
    for (auto& t : workers) t.join();
    return std::move(results_);
  }

 private:
  void work() {
    while (true) {
      std::size_t i = next_.fetch_add(1);
      if (i >= cases_.size()) break;
      started_[i].store(SteadyClock::now().time_since_epoch().count());
      results_[i] = run_case(cases_[i], config_);
      done_[i].store(true);
      base::MutexLock lock(mu_);
      ++finished_;
      cv_.notify_all();
    }
  }

  void watch() {
    base::MutexLock lock(mu_);
    while (finished_ < cases_.size()) {
      cv_.wait_for(mu_, std::chrono::seconds(1));
      auto now = SteadyClock::now().time_since_epoch().count();
      auto limit =
          std::chrono::duration_cast<SteadyClock::duration>(std::chrono::seconds(case_seconds_max))
              .count();
      for (std::size_t i = 0; i < cases_.size() && i < next_.load(); ++i) {
        auto s = started_[i].load();
        if (s != 0 && !done_[i].load() && now - s > limit) {
          err_ << "TIMEOUT " << cases_[i].name << ": still running after " << case_seconds_max
               << " s; stopping the run" << std::endl;
          std::_Exit(1);
        }
      }
    }
  }

  const std::vector<Case>& cases_;
  const RunnerConfig& config_;
  std::ostream& err_;
  std::vector<CaseResult> results_;
  std::vector<std::atomic<SteadyClock::rep>> started_;
  std::vector<std::atomic<bool>> done_;
  std::atomic<std::size_t> next_{0};
  base::Mutex mu_;
  base::CondVar cv_;
  std::size_t finished_ GUARDED_BY(mu_) = 0;
};

void report_case(const CaseResult& r, bool listed, bool verbose, Tally& total, Tally& cat,
                 std::ostream& out) {
  if (verbose)
    for (const auto& s : r.soft) out << "SOFT " << r.name << ": " << s << "\n";
  switch (r.verdict) {
    case Verdict::skipped:
      ++total.skipped, ++cat.skipped;
      if (verbose) out << "SKIP " << r.name << ": " << r.detail << "\n";
      break;
    case Verdict::passed:
      ++total.passed, ++cat.passed;
      if (listed) {
        ++total.fixed, ++cat.fixed;
        out << "FIXED " << r.name << ": passes now; remove it from the known failures\n";
      }
      break;
    case Verdict::failed:
      if (listed) {
        ++total.known, ++cat.known;
        if (verbose) out << "KNOWN " << r.name << ": " << r.detail << "\n";
      } else {
        ++total.failed, ++cat.failed;
        out << "FAIL " << r.name << ": " << r.detail << "\n";
      }
      break;
  }
}

void print_summary(const std::map<std::string, Tally>& by_category, const Tally& total,
                   bool with_known, std::ostream& out) {
  out << "by category:\n";
  for (const auto& [name, t] : by_category) {
    out << "  " << name << ": " << t.passed << " passed, " << t.failed << " failed, ";
    if (with_known) out << t.known << " known, ";
    out << t.skipped << " skipped\n";
  }
  if (with_known)
    out << "known failures: " << total.known << " still failing, " << total.fixed << " fixed\n";
  out << total.passed << " passed, " << total.failed << " failed, " << total.skipped << " skipped"
      << std::endl;
}

bool prune(const std::string& path, const std::set<std::string>& fixed, std::ostream& err);

}  // namespace

std::set<std::string> parse_known_failures(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto last = line.find_last_not_of(" \t\r");
    names.insert(line.substr(first, last - first + 1));
  }
  return names;
}

std::string without_fixed(const std::string& text, const std::set<std::string>& fixed) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  while (std::getline(in, line)) {
    auto names = parse_known_failures(line);
    if (names.size() == 1 && fixed.count(*names.begin())) continue;
    out += line + "\n";
  }
  return out;
}

Result<std::set<std::string>> load_known_failures(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"KnownFailuresUnreadable", path + ": cannot open"};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_known_failures(ss.str());
}

namespace {

bool prune(const std::string& path, const std::set<std::string>& fixed, std::ostream& err) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string kept = without_fixed(ss.str(), fixed);
  std::ofstream file(path, std::ios::trunc);
  file << kept;
  if (!file) {
    err << path << ": cannot rewrite\n";
    return false;
  }
  return true;
}

}  // namespace

int run_suite(const SuiteOptions& options, std::ostream& out, std::ostream& err) {
  auto files = list_case_files(options.dir);
  if (!files.ok()) {
    err << files.error().cause << "\n";
    return 2;
  }
  std::set<std::string> known;
  if (!options.known_failures_file.empty()) {
    auto k = load_known_failures(options.known_failures_file);
    if (!k.ok()) {
      err << k.error().cause << "\n";
      return 2;
    }
    known = std::move(k).value();
  }
  std::vector<Case> cases;
  Tally total;
  for (const auto& f : *files) {
    auto c = load_case(f);
    if (c.ok()) {
      if (auto shifted = shift_clock_relative(*c, options.runner.clock_start_ms); !shifted.ok())
        c = shifted.error();
    }
    if (!c.ok()) {
      out << "FAIL " << f << ": " << c.error().cause << "\n";
      ++total.failed;
      continue;
    }
    if (selected(*c, options)) cases.push_back(std::move(c).value());
  }
  int threads = std::clamp(options.threads, 1, suite_threads_max);
  auto results = Pool(cases, options.runner, err).run(threads);
  std::map<std::string, Tally> by_category;
  std::set<std::string> fixed;
  for (const auto& r : results) {
    bool listed = known.count(r.name) > 0;
    report_case(r, listed, options.verbose, total, by_category[r.category], out);
    if (listed && r.verdict == Verdict::passed) fixed.insert(r.name);
  }
  if (options.prune_known_failures && !fixed.empty()) {
    if (!prune(options.known_failures_file, fixed, err)) return 2;
    out << "pruned " << fixed.size() << " fixed cases from " << options.known_failures_file << "\n";
    total.fixed = 0;  // the list is right again
  }
  print_summary(by_category, total, !options.known_failures_file.empty(), out);
  return total.failed > 0 || total.fixed > 0 ? 1 : 0;
}

}  // namespace stepwise::conformance
