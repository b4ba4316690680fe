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
  std::string input = "{}";  // JSON text, or @FILE
  bool express = false;
  bool history = false;    // also print {"events":[...]} as GetExecutionHistory would
  bool fast_time = false;  // ManualClock: waits and retry intervals take no time
  bool trace = false;      // on stderr: each state entered/left with input, output, time
  std::vector<std::string> functions_files;  // files or directories (app/task_config.h)
  std::string mock_config_file;
  std::string test_case;
  std::string state_machine_name;  // default: the definition file's name without its suffix
};

// Exit status: 0 SUCCEEDED (output on `out`), 1 any other status (error and cause on `err`),
// 2 bad arguments, unreadable files, an invalid definition, an input over the 256 KiB quota
// (ValidationException, as StartExecution answers) or a Task integration this command cannot
// run (UnsupportedIntegration, naming those it can).
int run_command(const RunCommand& command, std::ostream& out, std::ostream& err);

struct ValidateCommand {
  std::string definition_path;
  bool express = false;
  bool aws_only = false;  // only what AWS checks: no diagnostic for integrations Stepwise lacks
};

// Prints ValidateStateMachineDefinition's answer, plus what CreateStateMachine would refuse
// (a Resource AWS does not recognise) and, unless aws_only, an UNSUPPORTED_INTEGRATION error for
// each Task whose integration `stepwise serve` does not run. Exit status: 0 OK, 1 FAIL,
// 2 unreadable.
int validate_command(const ValidateCommand& command, std::ostream& out, std::ostream& err);

struct ConformanceCommand {
  conformance::SuiteOptions suite;  // runner.handlers_dir empty: see default_handlers_dir()
};

int conformance_command(ConformanceCommand command, std::ostream& out, std::ostream& err);

// $STEPWISE_HANDLERS_DIR, else <source tree>/tests/conformance/handlers.
std::string default_handlers_dir();

}  // namespace stepwise::app
