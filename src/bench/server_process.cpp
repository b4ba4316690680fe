#include "bench/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "bench/subprocess.h"

namespace stepwise::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point t0) {
  auto now = SteadyClock::now();  // tidy: allow a benchmark waits in real time
  return std::chrono::duration<double>(now - t0).count();
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  return v;
}

Result<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"Bench.ProcessError", "cannot read " + path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool port_accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::optional<std::int64_t> parse_stat_cpu_ticks(std::string_view stat) {
  auto paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) is the first; utime and stime are fields 14 and 15.
  std::string_view rest = stat.substr(paren + 1);
  std::int64_t total = 0;
  int field = 2;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    std::size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    if (end == pos) break;
    ++field;
    if (field == 14 || field == 15) {
      auto v = parse_int(rest.substr(pos, end - pos));
      if (!v || *v < 0 || *v > std::numeric_limits<std::int64_t>::max() - total)
        return std::nullopt;
      total += *v;
      if (field == 15) return total;
    }
    pos = end;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_status_kb(std::string_view status, std::string_view key) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t eol = status.find('\n', pos);
    if (eol == std::string_view::npos) eol = status.size();
    std::string_view line = status.substr(pos, eol - pos);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
      std::string_view v = line.substr(key.size() + 1);
      std::size_t b = v.find_first_not_of(" \t");
      if (b == std::string_view::npos) return std::nullopt;
      v = v.substr(b);
      return parse_int(v.substr(0, v.find(' ')));
    }
    pos = eol + 1;
  }
  return std::nullopt;
}

Result<ProcStats> read_proc_stats(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  auto stat = read_small_file(dir + "/stat");
  if (!stat) return stat.error();
  auto status = read_small_file(dir + "/status");
  if (!status) return status.error();
  auto ticks = parse_stat_cpu_ticks(*stat);
  auto rss = parse_status_kb(*status, "VmRSS");
  auto hwm = parse_status_kb(*status, "VmHWM");
  if (!ticks || !rss || !hwm)
    return Error{"Bench.ProcessError",
                 "unexpected /proc format for process " + std::to_string(pid)};
  ProcStats s;
  s.cpu_s = static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  s.rss_kb = *rss;
  s.hwm_kb = *hwm;
  return s;
}

Result<int> pick_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"Bench.ProcessError", std::strerror(errno)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    return Error{"Bench.ProcessError", "no free port: " + why};
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string tail_of_file(const std::string& path, int lines) {
  auto text = read_small_file(path);
  if (!text) return "";
  std::string& t = *text;
  std::size_t pos = t.size();
  for (int n = 0; n <= lines && pos > 0; ++n) {
    auto nl = t.rfind('\n', pos - 1);
    if (nl == std::string::npos) return t;
    pos = nl;
  }
  return t.substr(pos + 1);
}

std::uint64_t directory_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

ServerProcess::~ServerProcess() { stop(); }

Status ServerProcess::start(const std::vector<std::string>& argv, int port,
                            const std::string& log_path, double timeout_s) {
  if (argv.empty()) return Error{"Bench.ProcessError", "empty command"};
  stop();
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return Error{"Bench.ProcessError", "cannot open " + log_path};
  std::vector<char*> args = exec_args(argv);
  pid_t pid = flushed_fork();
  if (pid < 0) {
    close(log);
    return Error{"Bench.ProcessError", std::strerror(errno)};
  }
  if (pid == 0) {
    // A command with a stop handler blocks SIGINT/SIGTERM in its threads; exec keeps the mask,
    // and the server must get the SIGTERM stop() sends.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(args[0], args.data());
    const char* msg = "exec failed\n";
    ssize_t ignored = write(STDERR_FILENO, msg, std::strlen(msg));
    (void)ignored;
    _exit(127);
  }
  close(log);
  pid_ = pid;
  port_ = port;
  log_path_ = log_path;
  auto t0 = SteadyClock::now();  // tidy: allow a benchmark waits in real time
  while (true) {
    if (!running()) {
      return Error{"Bench.ProcessError",
                   argv[0] + " exited before listening: " + tail_of_file(log_path, 5)};
    }
    if (port_accepts(port)) break;
    if (seconds_since(t0) > timeout_s) {
      stop();
      return Error{"Bench.ProcessError", argv[0] + " did not listen on port " +
                                             std::to_string(port) + " within " +
                                             std::to_string(static_cast<int>(timeout_s)) + " s"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  start_s_ = seconds_since(t0);
  return ok_status();
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  auto t0 = SteadyClock::now();  // tidy: allow a benchmark waits in real time
  while (running()) {
    if (seconds_since(t0) > server_stop_s_max) {
      kill(pid_, SIGKILL);
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace stepwise::bench
