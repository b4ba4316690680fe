// Child processes for the benchmark: a peer (`node peer-bench.js ...`) or a forked copy of this
// process measuring one cell, so that every figure gets its own peak RSS (wait4's ru_maxrss)
// and a crash or hang in one cell cannot take the whole report down.
//
// Thread-safety: call from a single-threaded moment of the process (fork copies one thread).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace stepwise::bench {

// Output kept from a child per stream; the rest is dropped (a report line is a few KB).
inline constexpr std::size_t child_output_bytes_max = 16 * 1024 * 1024;

struct ProcessResult {
  int exit_code = -1;      // -1 when killed by a signal
  int signal = 0;          // the signal that ended it, 0 if it exited
  bool timed_out = false;  // killed by us after timeout_s
  std::string out;         // stdout (forked: what fn returned)
  std::string err;         // stderr
  double peak_rss_mb = 0;  // the child's peak resident set (ru_maxrss)

  std::string describe() const;  // "exit 1", "signal 11", "timed out after ..."
};

// For execvp: pointers into argv's strings, then nullptr (argv must outlive them).
std::vector<char*> exec_args(const std::vector<std::string>& argv);
// Flushes this process's output (so no buffered line is printed twice), then fork().
int flushed_fork();

// Runs argv[0] (looked up in PATH) with argv, env_add set on top of this environment.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const std::vector<std::pair<std::string, std::string>>& env_add,
                                  double timeout_s);

// Runs fn in a forked child; the string it returns is ProcessResult::out.
Result<ProcessResult> run_forked(const std::function<std::string()>& fn, double timeout_s);

}  // namespace stepwise::bench
