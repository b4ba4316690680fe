// Child processes for local functions: spawned without a shell (posix_spawnp), in their own
// process group so a kill reaches everything they started, with bounded output and a deadline.
//
// Why real (steady) time here: a process's timeout is about the machine, not the workflow, so it
// cannot follow a ManualClock; the workflow's own TimeoutSeconds stays the engine's business.
//
// Thread-safety: run_command() blocks its calling thread (run it off the event loop). A
// LineProcess is used by one thread at a time; cancel flags may be set from any thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace stepwise::tasks {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // overrides of the inherited environment
  std::string cwd;                                       // empty: inherit
};

// Sets `name` in an override list, replacing any entry of that name (a child would otherwise
// see whichever duplicate its getenv finds first).
void set_env(std::vector<std::pair<std::string, std::string>>& env, const std::string& name,
             std::string value);

struct CommandResult {
  enum class End { exited, signaled, timed_out, output_too_large, cancelled, spawn_failed };
  End end = End::spawn_failed;
  int exit_code = 0;        // End::exited
  int signal = 0;           // End::signaled
  std::string out;          // stdout, at most stdout_bytes_max bytes
  std::string err_tail;     // the last log_tail_bytes of stderr
  std::string spawn_error;  // End::spawn_failed: why
};

// Runs argv with `input` on stdin until it exits, `timeout_ms` passes, stdout exceeds
// `stdout_bytes_max`, or `*cancel` becomes true; in the last three cases the whole process group
// is killed. Never throws; never leaves a zombie.
CommandResult run_command(const ProcessSpec& spec, std::string_view input, std::int64_t timeout_ms,
                          std::size_t stdout_bytes_max, std::size_t log_tail_bytes,
                          const std::atomic<bool>* cancel);

// A long-lived child speaking one line per message on stdin/stdout. Its stderr is captured: the
// last limits::function_log_tail_bytes_max bytes written while a line is awaited are kept for
// take_err_tail() (the call's log, as Lambda keeps a function's log).
class LineProcess {
 public:
  LineProcess() = default;
  ~LineProcess();
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;

  Status start(const ProcessSpec& spec);
  bool running() const { return pid_ > 0; }
  // Writes text + '\n'. Fails when the process is gone.
  Status write_line(std::string_view text, std::int64_t timeout_ms,
                    const std::atomic<bool>* cancel);
  // Reads one line (without '\n'). Errors: "Timeout", "TooLarge", "Cancelled", "Exited".
  Result<std::string> read_line(std::int64_t timeout_ms, std::size_t line_bytes_max,
                                const std::atomic<bool>* cancel);
  // Kills the process group and reaps the child.
  void kill();
  // The stderr tail gathered since the last call, and forgets it.
  std::string take_err_tail();

 private:
  // Reads the rest of stderr once the worker closed its stdout, for at most
  // exit_stderr_wait_ms (a grandchild may hold the pipe open).
  void drain_err_to_eof();
  static constexpr std::int64_t exit_stderr_wait_ms = 500;

  pid_t pid_ = -1;
  int in_fd_ = -1;        // the child's stdin
  int out_fd_ = -1;       // the child's stdout
  int err_fd_ = -1;       // the child's stderr
  std::string err_tail_;  // bounded: see take_err_tail()
  std::string buffer_;    // bytes read past the last line
};

// Makes the calling thread ignore SIGPIPE for its writes into pipes whose reader has gone (the
// write then fails with EPIPE). Call once on each thread that talks to children.
void block_sigpipe_on_this_thread();

}  // namespace stepwise::tasks
