// Descendants from /proc, ended by process group; the stop handler's signal thread.
#include "app/child_processes.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "base/clock.h"

namespace stepwise::app {
namespace {

struct ProcInfo {
  pid_t ppid = 0;
  pid_t pgid = 0;
  char state = '?';
};

// /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses, so
// the fields are read after the last ')'.
bool read_stat(pid_t pid, ProcInfo* info) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return false;
  std::size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  rest >> info->state >> info->ppid >> info->pgid;
  return static_cast<bool>(rest);
}

std::map<pid_t, ProcInfo> all_processes() {
  std::map<pid_t, ProcInfo> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    ProcInfo info;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (read_stat(pid, &info)) out[pid] = info;
  }
  return out;
}

// Collects our exited children so that they stop counting as live (and leave no zombie).
void reap_children() {
  int status = 0;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

void signal_all(const std::vector<pid_t>& pids, int sig) {
  const pid_t own_group = ::getpgrp();
  const std::map<pid_t, ProcInfo> procs = all_processes();
  for (pid_t pid : pids) {
    auto it = procs.find(pid);
    // The whole group first (what the child started in it), unless it is Stepwise's own.
    if (it != procs.end() && it->second.pgid > 0 && it->second.pgid != own_group)
      ::kill(-it->second.pgid, sig);
    ::kill(pid, sig);
  }
}

}  // namespace

std::vector<pid_t> descendants() {
  const std::map<pid_t, ProcInfo> procs = all_processes();
  std::vector<pid_t> out;
  std::vector<pid_t> frontier{::getpid()};
  while (!frontier.empty()) {
    pid_t parent = frontier.back();
    frontier.pop_back();
    for (const auto& [pid, info] : procs) {
      if (info.ppid != parent || info.state == 'Z') continue;
      out.push_back(pid);
      frontier.push_back(pid);
    }
  }
  return out;
}

std::size_t end_descendants(std::int64_t grace_ms) {
  std::vector<pid_t> found = descendants();
  if (found.empty()) return 0;
  signal_all(found, SIGTERM);
  const std::int64_t deadline_ms = monotonic_ms() + grace_ms;
  constexpr int poll_ms = 20;
  for (;;) {
    reap_children();
    std::vector<pid_t> left = descendants();
    if (left.empty()) break;
    if (monotonic_ms() >= deadline_ms) {
      signal_all(left, SIGKILL);
      // SIGKILL cannot be refused; wait (briefly) for the kernel to deliver it.
      for (int i = 0; i < 50 && !descendants().empty(); ++i) {
        reap_children();
        ::usleep(poll_ms * 1000);
      }
      break;
    }
    ::usleep(poll_ms * 1000);
  }
  reap_children();
  return found.size();
}

namespace {
// Set by the stop handler's thread before it ends the children (process-wide by nature: there is
// one process to stop).
std::atomic<bool> stopping{false};
}  // namespace

void hold_if_stopping() {
  while (stopping.load()) ::pause();  // the stop handler _exit()s the process
}

void install_stop_handler(std::function<void(int)> announce) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, announce = std::move(announce)] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    stopping.store(true);
    if (announce) announce(sig);
    end_descendants(children_grace_ms);
    // Exit now: the execution in progress is abandoned, as Ctrl-C asks. No destructors run
    // (they would wait for the very calls just killed).
    ::_exit(128 + sig);
  }).detach();
}

}  // namespace stepwise::app
