// `stepwise test` files: workflow test cases, in YAML or JSON (docs/TESTING.md).
//
//   definition: definition.asl.json      # the workflow under test (relative to this file)
//   name: orders                         # its state machine name (default: from the file name)
//   type: STANDARD                       # or EXPRESS
//   functions: functions.yaml            # local functions: a path or a list of paths
//   mock_config: mocks.json              # Step Functions Local's MockConfigFile
//   machines: {child: child.asl.json}    # state machines it starts (nested executions)
//   timeout_seconds: 60                  # real time one case may take
//   services: [sqs, s3]                  # built-in services run in-process (default: all)
//   setup:                               # calls to them before each case
//     - sqs: CreateQueue                 #   service: the AWS operation's name
//       params: {QueueName: approvals}
//   cases:
//     - name: happy path
//       input: {"n": 1}                  # or input_file: input.json (default {})
//       test_case: HappyPath             # a test case of mock_config
//       mocks: {Charge: {Return: {ok: true}}}   # or {Charge: {"0": {Throw: {...}}, "1": ...}}
//       setup: [...]                     # more calls, after the file's
//       expect:
//         status: SUCCEEDED              # default FAILED when error is given, else SUCCEEDED
//         output: {"n": 2}               # the whole output, compared as JSON
//         error: States.TaskFailed
//         cause: "..."                   # or cause_contains: "..."
//         path: [Start, Charge, Done]    # the states entered, in order
//         assertions:                    # on the output; JSONata also sees $status, $error,
//           - jsonpath: $.items[0].id    #   $cause and $path
//             equals: 7                  # without equals: the path must select something
//           - jsonata: $count(items) = 2 # must be true (or equal `equals`)
//         calls:                         # calls made after the execution ended: each answer
//           - sqs: ReceiveMessage        #   must contain `contains` (objects: those keys;
//             params: {QueueUrl: ...}    #   lists: as many items) or fail with `error`
//             contains: {Messages: [{Body: "ok"}]}
//
// Thread-safety: pure functions; TestFile is a value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::app {

// Cases in one file, assertions in one case: far above any real test suite.
inline constexpr std::size_t test_cases_per_file_max = 10000;
inline constexpr std::size_t test_assertions_max = 1000;
inline constexpr int test_timeout_seconds_default = 60;
inline constexpr int test_timeout_seconds_max = 3600;
// Setup calls per file or case, and checks per case.
inline constexpr std::size_t test_service_calls_max = 1000;

// A call to a built-in service (src/services) in a case's world: set-up before the execution,
// or a check after it.
struct ServiceCall {
  std::string service;                  // "sqs", "s3", ... (builtin_service_names())
  std::string operation;                // the AWS API's name: "CreateQueue", "PutObject"
  json::object params;                  // the request, in the AWS JSON protocol's shape
  std::optional<json::value> contains;  // checks: the answer must contain this
  std::optional<std::string> error;     // checks: the call must fail with this error name
  std::string where;                    // "setup[2]", "expect.calls[0]": for reports
};

struct TestAssertion {
  enum class Kind { jsonpath, jsonata } kind = Kind::jsonpath;
  std::string expression;
  std::optional<json::value> equals;
};

struct TestExpect {
  std::string status;  // always set (defaulted as the header says)
  std::optional<json::value> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<std::string> cause_contains;
  std::optional<std::vector<std::string>> path;
  std::vector<TestAssertion> assertions;
  std::vector<ServiceCall> calls;  // checked after the execution, in order
};

struct TestCase {
  std::string name;
  std::string input_text = "{}";      // JSON text, as StartExecution takes it
  std::string test_case;              // mock config test case ("" when none)
  std::optional<json::object> mocks;  // inline mocks: state -> response
  std::vector<ServiceCall> setup;     // after the file's setup
  TestExpect expect;
};

struct TestFile {
  std::string path;             // the file itself
  std::string definition_path;  // resolved against the file's directory
  std::string machine_name;
  std::string type = "STANDARD";
  std::vector<std::string> functions_files;
  std::string mock_config_path;
  std::vector<std::pair<std::string, std::string>> machines;  // nested: name -> definition path
  int timeout_seconds = test_timeout_seconds_default;
  bool fast_time = true;
  std::optional<std::vector<std::string>> services;  // nullopt: every built-in service
  std::vector<ServiceCall> setup;
  std::vector<TestCase> cases;
};

// Reads one test file. Errors: "TestFile", naming the file and the field.
Result<TestFile> load_test_file(const std::string& path);

// The test files `paths` stand for: files as given, directories searched (recursively, at most
// test_files_max) for *.test.yaml, *.test.yml and *.test.json, in name order.
inline constexpr std::size_t test_files_max = 10000;
Result<std::vector<std::string>> find_test_files(const std::vector<std::string>& paths);

// What one execution did, as the checks read it.
struct TestActual {
  std::string status;
  std::optional<json::value> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::vector<std::string> path;
};

// The first way `actual` differs from `expect` ("" when it meets every expectation), worded for
// a person: "output differs at $.items[1].id: expected 7, got 8".
std::string first_difference(const TestExpect& expect, const TestActual& actual);

// The first place two JSON values differ, as "at $.a[2]: expected X, got Y" ("" when equal).
// Numbers compare by value (1 and 1.0 are equal).
std::string json_difference(const json::value& expected, const json::value& actual);
// As json_difference, but `actual`'s objects may hold keys `expected` does not name.
std::string json_contains_difference(const json::value& expected, const json::value& actual);

}  // namespace stepwise::app
