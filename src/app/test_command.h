// `stepwise test`: runs workflow test files (app/test_file.h, docs/TESTING.md) without a server.
//
// Each case runs in its own in-process Step Functions service (memory store, its own engine
// thread, its own local functions and mock config), so nested executions, task tokens and
// activities behave as under `stepwise serve`, and cases are independent: they run in parallel
// on `threads` threads. A line per case as it ends (PASS, FAIL with the first difference, ERROR
// when the case could not run), a summary, and with `junit_file` a JUnit XML report (one
// <testsuite> per file) for CI systems.
//
// Thread-safety: call from one thread; it starts and joins its own.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace stepwise::app {

struct TestCommand {
  std::vector<std::string> paths;  // test files, or directories searched for *.test.yaml/json
  std::string junit_file;          // "" : no JUnit report
  int threads = 0;                 // cases at once; 0: the number of cores
  bool trace = false;              // print each case's states (as `stepwise run --trace`)
  std::string name_contains;       // only cases whose "file: name" contains this
};

// Exit status: 0 every case passed, 1 a case failed or could not run, 2 no test file found or a
// file could not be read (reported, and counted as an error in the JUnit report).
int test_command(const TestCommand& command, std::ostream& out, std::ostream& err);

// One case's result, as the report and the JUnit writer see it.
struct TestResult {
  std::string file;
  std::string name;
  enum class Outcome { passed, failed, error } outcome = Outcome::error;
  std::string message;  // the first difference, or why the case could not run
  double seconds = 0;
  std::string trace;  // --trace text
};

// The JUnit XML report of `results` (testsuites > testsuite per file > testcase).
std::string junit_xml(const std::vector<TestResult>& results, double seconds);

}  // namespace stepwise::app
