#include "tasks/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "base/clock.h"
#include "tasks/task_limits.h"

extern char** environ;

namespace stepwise::tasks {
namespace {

std::int64_t steady_now_ms() { return monotonic_ms(); }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// A write into a pipe whose reader is gone raises SIGPIPE on this (blocked) thread; take it off
// the pending set so it never fires later.
void consume_sigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  timespec zero{0, 0};
  while (sigtimedwait(&set, nullptr, &zero) > 0) {
  }
}

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

}  // namespace

void set_env(std::vector<std::pair<std::string, std::string>>& env, const std::string& name,
             std::string value) {
  std::erase_if(env, [&](const auto& kv) { return kv.first == name; });
  env.emplace_back(name, std::move(value));
}

namespace {

std::vector<std::string> build_env(const ProcessSpec& spec) {
  std::set<std::string> overridden;
  for (const auto& [k, v] : spec.env) overridden.insert(k);
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && overridden.count(entry.substr(0, eq))) continue;
    env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct Spawned {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;  // parent ends
};

void kill_group(pid_t pid) {
  if (pid <= 0) return;
  ::kill(-pid, SIGKILL);  // the group: grandchildren too
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Sets up the spawn attributes: own process group, clean signal mask, default SIGPIPE (the
// child must not inherit the runner thread's blocked SIGPIPE).
int init_attr(posix_spawnattr_t* attr) {
  posix_spawnattr_init(attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(attr, &empty);
  posix_spawnattr_setsigdefault(attr, &defaults);
  posix_spawnattr_setpgroup(attr, 0);
  return posix_spawnattr_setflags(
      attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

Result<Spawned> spawn(const ProcessSpec& spec, bool capture_stderr) {
  if (spec.argv.empty()) return Error{"Spawn", "empty argv"};
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in, out, err}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
  };
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
      (capture_stderr && pipe2(err, O_CLOEXEC) != 0)) {
    int e = errno;
    close_all();
    return Error{"Spawn", std::string("pipe: ") + std::strerror(e)};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  if (capture_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // The child gets stdin/stdout/stderr and nothing else. Descriptors opened without
  // close-on-exec elsewhere in the process (Asio's listening and client sockets) would otherwise
  // live on in every function and job: a restarted server could not bind its port while a child
  // of the killed one still held it (found by tests/crash).
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  init_attr(&attr);
  std::vector<std::string> argv_s = spec.argv;
  std::vector<std::string> env_s = build_env(spec);
  auto argv = c_strings(argv_s);
  auto envp = c_strings(env_s);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  if (rc != 0) {
    close_all();
    return Error{"Spawn", "cannot start '" + spec.argv[0] + "'" +
                              (spec.cwd.empty() ? "" : " in '" + spec.cwd + "'") + ": " +
                              std::strerror(rc)};
  }
  for (int fd : {in[1], out[0], err[0]})
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return Spawned{pid, in[1], out[0], err[0]};
}

// One step of feeding stdin. Returns false when stdin is finished (all written or reader gone).
bool feed(int fd, std::string_view input, std::size_t* written) {
  while (*written < input.size()) {
    ssize_t n = ::write(fd, input.data() + *written, input.size() - *written);
    if (n > 0) {
      *written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    consume_sigpipe();
    return false;  // EPIPE: the child does not read its input; that is its business
  }
  return false;
}

// Reads what is available, at most drain_bytes_max per call so a child that writes without pause
// still lets the caller check its limits. Returns false at EOF or error.
constexpr std::size_t drain_bytes_max = 1024 * 1024;
bool drain(int fd, std::string* into) {
  char buf[65536];
  for (std::size_t total = 0; total < drain_bytes_max;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into->append(buf, static_cast<std::size_t>(n));
      total += static_cast<std::size_t>(n);
      if (n < static_cast<ssize_t>(sizeof buf)) return true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
  return true;
}

// Waits for the child to exit after its pipes closed. Returns false on deadline or cancel.
bool reap(pid_t pid, std::int64_t deadline_ms, const std::atomic<bool>* cancel, int* status) {
  for (;;) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // already reaped: nothing left to wait for
    if (cancelled(cancel) || steady_now_ms() >= deadline_ms) return false;
    ::poll(nullptr, 0, static_cast<int>(limits::poll_slice_ms));
  }
}

}  // namespace

void block_sigpipe_on_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

CommandResult run_command(const ProcessSpec& spec, std::string_view input, std::int64_t timeout_ms,
                          std::size_t stdout_bytes_max, std::size_t log_tail_bytes,
                          const std::atomic<bool>* cancel) {
  block_sigpipe_on_this_thread();
  CommandResult result;
  auto spawned = spawn(spec, /*capture_stderr=*/true);
  if (!spawned) {
    result.spawn_error = spawned.error().cause;
    return result;
  }
  Spawned p = spawned.value();
  const std::int64_t deadline_ms = steady_now_ms() + timeout_ms;
  std::size_t written = 0;
  if (input.empty()) close_fd(p.in);
  auto stop = [&](CommandResult::End end) {
    kill_group(p.pid);
    close_fd(p.in);
    close_fd(p.out);
    close_fd(p.err);
    result.end = end;
    return result;
  };
  while (p.out >= 0 || p.err >= 0) {
    if (cancelled(cancel)) return stop(CommandResult::End::cancelled);
    std::int64_t left = deadline_ms - steady_now_ms();
    if (left <= 0) return stop(CommandResult::End::timed_out);
    pollfd fds[3] = {{p.in, POLLOUT, 0}, {p.out, POLLIN, 0}, {p.err, POLLIN, 0}};
    int slice = static_cast<int>(std::min<std::int64_t>(left, limits::poll_slice_ms));
    if (::poll(fds, 3, slice) < 0 && errno != EINTR) return stop(CommandResult::End::cancelled);
    if (p.in >= 0 && fds[0].revents != 0 && !feed(p.in, input, &written)) close_fd(p.in);
    if (p.out >= 0 && fds[1].revents != 0 && !drain(p.out, &result.out)) close_fd(p.out);
    if (p.err >= 0 && fds[2].revents != 0 && !drain(p.err, &result.err_tail)) close_fd(p.err);
    if (result.out.size() > stdout_bytes_max) {
      result.out.resize(stdout_bytes_max);
      return stop(CommandResult::End::output_too_large);
    }
    if (result.err_tail.size() > log_tail_bytes)
      result.err_tail.erase(0, result.err_tail.size() - log_tail_bytes);
  }
  close_fd(p.in);
  int status = 0;
  if (!reap(p.pid, deadline_ms, cancel, &status)) {
    return stop(cancelled(cancel) ? CommandResult::End::cancelled : CommandResult::End::timed_out);
  }
  if (WIFSIGNALED(status)) {
    result.end = CommandResult::End::signaled;
    result.signal = WTERMSIG(status);
  } else {
    result.end = CommandResult::End::exited;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  }
  return result;
}

LineProcess::~LineProcess() { kill(); }

Status LineProcess::start(const ProcessSpec& spec) {
  kill();
  block_sigpipe_on_this_thread();
  auto spawned = spawn(spec, /*capture_stderr=*/true);
  if (!spawned) return spawned.error();
  pid_ = spawned->pid;
  in_fd_ = spawned->in;
  out_fd_ = spawned->out;
  err_fd_ = spawned->err;
  buffer_.clear();
  return ok_status();
}

void LineProcess::kill() {
  if (pid_ > 0) kill_group(pid_);
  pid_ = -1;
  close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
  buffer_.clear();
}

std::string LineProcess::take_err_tail() {
  std::string tail = std::move(err_tail_);
  err_tail_.clear();
  return tail;
}

Status LineProcess::write_line(std::string_view text, std::int64_t timeout_ms,
                               const std::atomic<bool>* cancel) {
  if (pid_ <= 0) return Error{"Exited", "the worker is not running"};
  block_sigpipe_on_this_thread();
  std::string line(text);
  line.push_back('\n');
  std::size_t written = 0;
  const std::int64_t deadline_ms = steady_now_ms() + timeout_ms;
  while (written < line.size()) {
    if (cancelled(cancel)) return Error{"Cancelled", "cancelled"};
    std::int64_t left = deadline_ms - steady_now_ms();
    if (left <= 0) return Error{"Timeout", "the worker does not read its input"};
    pollfd fd{in_fd_, POLLOUT, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left, limits::poll_slice_ms)));
    if (fd.revents == 0) continue;
    if (!feed(in_fd_, line, &written) && written < line.size())
      return Error{"Exited", "the worker closed its input"};
  }
  return ok_status();
}

void LineProcess::drain_err_to_eof() {
  const std::int64_t deadline_ms = steady_now_ms() + exit_stderr_wait_ms;
  while (err_fd_ >= 0 && steady_now_ms() < deadline_ms) {
    pollfd fd{err_fd_, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(limits::poll_slice_ms));
    if (fd.revents == 0) continue;
    if (!drain(err_fd_, &err_tail_)) close_fd(err_fd_);
  }
  if (err_tail_.size() > limits::function_log_tail_bytes_max)
    err_tail_.erase(0, err_tail_.size() - limits::function_log_tail_bytes_max);
}

Result<std::string> LineProcess::read_line(std::int64_t timeout_ms, std::size_t line_bytes_max,
                                           const std::atomic<bool>* cancel) {
  if (pid_ <= 0) return Error{"Exited", "the worker is not running"};
  const std::int64_t deadline_ms = steady_now_ms() + timeout_ms;
  for (;;) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (buffer_.size() > line_bytes_max) return Error{"TooLarge", "the answer line is too long"};
    if (cancelled(cancel)) return Error{"Cancelled", "cancelled"};
    std::int64_t left = deadline_ms - steady_now_ms();
    if (left <= 0) return Error{"Timeout", "no answer in time"};
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left, limits::poll_slice_ms)));
    if (err_fd_ >= 0 && fds[1].revents != 0) {
      if (!drain(err_fd_, &err_tail_)) close_fd(err_fd_);
      if (err_tail_.size() > limits::function_log_tail_bytes_max)
        err_tail_.erase(0, err_tail_.size() - limits::function_log_tail_bytes_max);
    }
    if (fds[0].revents == 0) continue;
    if (!drain(out_fd_, &buffer_)) {
      if (buffer_.find('\n') != std::string::npos) continue;
      drain_err_to_eof();  // a dying worker's last words (a traceback) are its call's log
      return Error{"Exited", "the worker closed its output"};
    }
  }
}

}  // namespace stepwise::tasks
