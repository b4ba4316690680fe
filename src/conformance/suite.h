// run_suite: `stepwise conformance DIR`: loads the cases of a directory, filters them, runs them
// on a few threads, and prints one line per failing case and a summary that ends with the line
// `N passed, M failed, K skipped`.
//
// Known failures: a case named in the known-failures file that fails is reported as known and
// not counted in M; a listed case that passes is reported as fixed. The exit status is 0 only
// when no unlisted case fails and no listed case passes, so the list can only shrink.
//
// Thread-safety: run_suite owns its worker threads; call it from one thread.
#pragma once

#include <chrono>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "conformance/execute.h"

namespace stepwise::conformance {

// A case still running after this long is reported and the run ends with a failure: a hung
// engine must not hang CI.
inline constexpr int case_seconds_max = 120;
inline constexpr int suite_threads_max = 16;

struct SuiteOptions {
  std::string dir;
  std::vector<std::string> categories;  // empty: all
  std::string name_contains;            // empty: all
  std::string known_failures_file;      // empty: none
  bool verbose = false;
  bool prune_known_failures = false;  // rewrite the file without the cases that now pass
  int threads = 2;
  RunnerConfig runner;
};

// One case name per line; blank lines and `#` comments (whole-line or after the name) ignored.
Result<std::set<std::string>> load_known_failures(const std::string& path);
std::set<std::string> parse_known_failures(const std::string& text);
// The file's text without the lines naming one of `fixed` (comments and order kept).
std::string without_fixed(const std::string& text, const std::set<std::string>& fixed);

// Returns the process exit status (0 pass, 1 failures, 2 bad directory or list).
int run_suite(const SuiteOptions& options, std::ostream& out, std::ostream& err);

}  // namespace stepwise::conformance
