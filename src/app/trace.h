// Reading an execution's history as a user debugging a workflow wants it: `stepwise run --trace`
// prints each state entered with its input, each state left with its output and the time it
// took, and each failure with its error and cause; `stepwise test` compares the path of states.
//
// Both work on events in GetExecutionHistory's JSON shape (engine::HistoryEvent::to_json), so an
// in-process run and a Service's history read alike.
// Thread-safety: pure functions.
#pragma once

#include <deque>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "json/json.h"

namespace stepwise::app {

// Inputs and outputs longer than this are cut in the trace (the history keeps them whole).
inline constexpr std::size_t trace_payload_chars_max = 2000;

void print_trace(const json::array& events, std::ostream& out);

// The same, one event at a time as an execution writes them (`stepwise run --trace` prints
// live); each line is flushed.
class Tracer {
 public:
  explicit Tracer(std::ostream& out) : out_(out) {}
  void event(const json::object& e);

 private:
  std::ostream& out_;
  double start_ = -1;
  std::map<std::string, std::deque<double>> entered_;  // state -> entry times not yet left
};

// The names of the states entered, in history order (Parallel branches and Map iterations
// interleave as they ran).
std::vector<std::string> state_path(const json::array& events);

}  // namespace stepwise::app
