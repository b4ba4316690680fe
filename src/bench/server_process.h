// Servers under test for `stepwise bench services`: a `stepwise serve` or a `moto_server`
// started as a child process that keeps running across rounds, and what /proc says about it
// (CPU seconds used, resident and peak resident memory), read between rounds.
//
// Thread-safety: a ServerProcess belongs to one thread. The /proc readers are pure functions of
// the text they are given, plus read_proc_stats which reads the files.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace stepwise::bench {

// Seconds a server may take to start listening (a Stepwise store of a million messages is read
// back at start), and to exit after SIGTERM before it is killed.
inline constexpr double server_start_s_max = 300;
inline constexpr double server_stop_s_max = 20;

struct ProcStats {
  double cpu_s = 0;         // utime + stime of the whole process (every thread)
  std::int64_t rss_kb = 0;  // VmRSS
  std::int64_t hwm_kb = 0;  // VmHWM: peak resident set since the process started
};

// utime + stime in clock ticks from the text of /proc/PID/stat (fields 14 and 15, counted after
// the command name in parentheses, which may itself hold spaces and parentheses).
std::optional<std::int64_t> parse_stat_cpu_ticks(std::string_view stat);
// The kB figure of a line "Key:   1234 kB" of /proc/PID/status.
std::optional<std::int64_t> parse_status_kb(std::string_view status, std::string_view key);
// Both of them for a live process; an error when it is gone.
Result<ProcStats> read_proc_stats(pid_t pid);

// A free TCP port on 127.0.0.1 (bound and released: another process could take it meanwhile,
// which the server's start then reports).
Result<int> pick_free_port();

class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();  // stops it

  // Starts argv (argv[0] looked up in PATH) with stdout and stderr appended to log_path, then
  // waits until 127.0.0.1:port accepts connections. Errors: exec failed, the process exited
  // (with the log's last lines), or it did not listen within timeout_s.
  Status start(const std::vector<std::string>& argv, int port, const std::string& log_path,
               double timeout_s = server_start_s_max);
  // SIGTERM, then SIGKILL after server_stop_s_max. Idempotent.
  void stop();

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  bool running();
  // The seconds start() waited for the port.
  double start_seconds() const { return start_s_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  double start_s_ = 0;
  std::string log_path_;
};

// The last `lines` lines of a (log) file, for error messages.
std::string tail_of_file(const std::string& path, int lines);

// Bytes of all regular files under dir (the store's size on disk: database, WAL, blobs).
std::uint64_t directory_bytes(const std::string& dir);

}  // namespace stepwise::bench
