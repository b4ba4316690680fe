// The `stepwise` commands, wired to concrete parts (this is the composition root: the real or
// manual clock, the local function runner, the mock config, the conformance suite). src/cli only
// parses arguments into these structs and calls these functions.
//
// Every command returns the process exit status and writes only to the streams it is given.
// Thread-safety: call from one thread (the commands start their own threads where they need them).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "conformance/suite.h"

namespace stepwise::app {

struct RunCommand {
  std::string definition_path;
  std::string input = "{}";     // JSON text, or @FILE
  bool express = false;
  bool history = false;         // also print {"events":[...]} as GetExecutionHistory would
  bool fast_time = false;       // ManualClock: waits and retry intervals take no time
  std::string functions_file;
  std::string mock_config_file;
  std::string test_case;
  std::string state_machine_name;  // default: the definition file's stem
};

// Exit status: 0 SUCCEEDED (output on `out`), 1 any other status (error and cause on `err`),
// 2 bad arguments, unreadable files or an invalid definition.
int run_command(const RunCommand& command, std::ostream& out, std::ostream& err);

struct ValidateCommand {
  std::string definition_path;
  bool express = false;
};

// Prints ValidateStateMachineDefinition's answer. Exit status: 0 OK, 1 FAIL, 2 unreadable.
int validate_command(const ValidateCommand& command, std::ostream& out, std::ostream& err);

struct ConformanceCommand {
  conformance::SuiteOptions suite;  // runner.handlers_dir empty: see default_handlers_dir()
};

int conformance_command(ConformanceCommand command, std::ostream& out, std::ostream& err);

// $STEPWISE_HANDLERS_DIR, else <source tree>/tests/conformance/handlers.
std::string default_handlers_dir();

}  // namespace stepwise::app
