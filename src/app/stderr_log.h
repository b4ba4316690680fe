// The log of local functions and jobs on Stepwise's own stderr: one block per call, prefixed
// "[NAME ID] ", written whole so that concurrent calls do not interleave inside a block.
// Thread-safety: the sink may be called from any thread (one write per block).
#pragma once

#include <functional>
#include <iostream>
#include <string>

#include "tasks/task_runner.h"

namespace stepwise::app {

inline tasks::LogSink stderr_log_sink() {
  return [](const std::string& name, const std::string& id, const std::string& text) {
    std::string block = "[" + name + " " + id + "] " + text;
    if (block.back() != '\n') block += '\n';
    std::cerr << block << std::flush;
  };
}

// The Step Functions service's operator messages (sfn/service_log.h), one line each.
inline std::function<void(const std::string&)> stderr_message_sink() {
  return [](const std::string& message) { std::cerr << (message + "\n") << std::flush; };
}

}  // namespace stepwise::app
