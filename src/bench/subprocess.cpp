#include "bench/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace stepwise::bench {

std::string ProcessResult::describe() const {
  if (timed_out) return "timed out";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

namespace {

struct Pipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
};

bool open_pipes(Pipes& p) {
  if (pipe2(p.out, O_CLOEXEC) != 0) return false;
  if (pipe2(p.err, O_CLOEXEC) != 0) {
    close(p.out[0]);
    close(p.out[1]);
    return false;
  }
  return true;
}

void append_bounded(std::string& s, const char* data, std::size_t n) {
  std::size_t room = s.size() < child_output_bytes_max ? child_output_bytes_max - s.size() : 0;
  s.append(data, n < room ? n : room);
}

// Reads both pipes to EOF (or the deadline), then reaps the child with its rusage.
ProcessResult collect(pid_t pid, int out_fd, int err_fd, double timeout_s) {
  ProcessResult r;
  auto deadline = std::chrono::steady_clock::now() +  // tidy: allow a real child process deadline
                  std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000));
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline -
                    std::chrono::steady_clock::now())  // tidy: allow a real child process deadline
                    .count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left < 1000 ? left : 1000));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        append_bounded(*sinks[i], buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_count;
      }
    }
  }
  close(out_fd);
  close(err_fd);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
  return r;
}

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::vector<char*> exec_args(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  return args;
}

int flushed_fork() {
  std::cout.flush();
  std::cerr.flush();  // tidy: allow before fork, so no output is doubled
  return fork();
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const std::vector<std::pair<std::string, std::string>>& env_add,
                                  double timeout_s) {
  if (argv.empty()) return Error{"Bench.ProcessError", "empty command"};
  Pipes p;
  if (!open_pipes(p)) return Error{"Bench.ProcessError", std::strerror(errno)};
  std::vector<char*> args = exec_args(argv);
  pid_t pid = flushed_fork();
  if (pid < 0) return Error{"Bench.ProcessError", std::strerror(errno)};
  if (pid == 0) {
    dup2(p.out[1], STDOUT_FILENO);
    dup2(p.err[1], STDERR_FILENO);
    for (const auto& [k, v] : env_add) setenv(k.c_str(), v.c_str(), 1);
    execvp(args[0], args.data());
    const char* msg = "exec failed\n";
    ssize_t ignored = write(STDERR_FILENO, msg, std::strlen(msg));
    (void)ignored;
    _exit(127);
  }
  close(p.out[1]);
  close(p.err[1]);
  return collect(pid, p.out[0], p.err[0], timeout_s);
}

Result<ProcessResult> run_forked(const std::function<std::string()>& fn, double timeout_s) {
  Pipes p;
  if (!open_pipes(p)) return Error{"Bench.ProcessError", std::strerror(errno)};
  std::cout.flush();
  std::cerr.flush();  // tidy: allow before fork, so no output is doubled
  pid_t pid = fork();
  if (pid < 0) return Error{"Bench.ProcessError", std::strerror(errno)};
  if (pid == 0) {
    close(p.out[0]);
    close(p.err[0]);
    dup2(p.err[1], STDERR_FILENO);
    std::string result = fn();
    write_all(p.out[1], result);
    // _exit: skip static destructors and atexit handlers that belong to the parent.
    _exit(0);
  }
  close(p.out[1]);
  close(p.err[1]);
  return collect(pid, p.out[0], p.err[0], timeout_s);
}

}  // namespace stepwise::bench
