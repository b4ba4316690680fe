// Ending every process a local command started, when the command itself is told to stop.
//
// Function commands, worker processes and jobs run in process groups of their own (so that a
// timeout kills what they started), which also means a terminal's Ctrl-C reaches only Stepwise,
// never them. `stepwise run` and `stepwise test` therefore catch SIGINT and SIGTERM on a thread of
// their own and end all their descendants: SIGTERM to each one's process group, then, after a
// grace period, SIGKILL to whatever is left. Descendants are found through /proc (children by
// parent pid, recursively); Stepwise makes itself a child subreaper first, so that a grandchild
// whose parent died (or that daemonised) is re-parented to Stepwise and is still found.
//
// Linux only (prctl, /proc), as Stepwise is.
// Thread-safety: install_stop_handler() once, from main's thread, before any other thread starts
// (the signals are blocked in every thread created afterwards); the rest from any thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace stepwise::app {

// How long descendants get to exit after SIGTERM before they are killed.
inline constexpr std::int64_t children_grace_ms = 2000;

// Every live descendant of this process (zombies excluded), parents before their children.
std::vector<pid_t> descendants();

// SIGTERM to each descendant and its process group, up to `grace_ms` for them to go, then
// SIGKILL. Returns how many descendants there were.
std::size_t end_descendants(std::int64_t grace_ms);

// Makes this process a child subreaper, blocks SIGINT and SIGTERM in the calling thread (and so
// in every thread it starts later) and starts a thread that waits for them. On the first one it
// calls `announce(signal)` (a line for the user), ends every descendant (end_descendants) and
// exits the process with 128 + signal, as a shell reports a death by that signal.
void install_stop_handler(std::function<void(int)> announce);

// Once a stop signal arrived, the work it interrupts ends in failures (its processes are being
// killed), which are not worth reporting: the command calls this before it reports anything,
// and it never returns while the stop handler is ending the process. Returns at once otherwise.
void hold_if_stopping();

}  // namespace stepwise::app
