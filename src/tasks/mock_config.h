// Mocked service integrations, in the format of Step Functions Local's MockConfigFile:
//
//   {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response name>"}}}},
//    "MockedResponses": {"<response name>": {"0": {"Return": ...},
//                                            "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}
//
// Selected with `--mock-config FILE --test-case NAME` (the state machine name defaults to the
// definition file's stem; `--name` overrides). Semantics, as AWS documents them for Step Functions
// Local: each mocked state has one invocation counter per execution, advanced by every call of the
// state (retries, loop re-entries and Map iterations alike); the counter picks the response whose
// key ("0", or a range "1-2") holds it. Past the last key the last response repeats. A `Return` is
// the task's result: for `lambda:invoke` the whole mocked response, for a Lambda function ARN its
// `Payload`; `.sync` and `.waitForTaskToken` states take `Return` at once and `Throw` as their
// failure. A state the test case does not name runs on the fallback runner.
//
// Thread-safety: MockConfig is a value. MockRunner's counters are guarded by a mutex; start() is
// meant for the loop thread like every runner's.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "tasks/integrations.h"
#include "tasks/task_runner.h"

namespace stepwise::tasks {

struct MockResponse {
  std::int64_t first = 0;  // invocation indexes this response answers, inclusive
  std::int64_t last = 0;
  bool is_throw = false;
  json::value value;                 // Return
  std::string error;                 // Throw.Error
  std::optional<std::string> cause;  // Throw.Cause
};

// One test case: for each mocked state, its responses ordered by invocation index.
struct MockTestCase {
  std::map<std::string, std::vector<MockResponse>> states;
};

struct MockConfig {
  // machine → test case → state → response name
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> machines;
  std::map<std::string, std::vector<MockResponse>> responses;

  // The test case of a machine, its response names resolved. Errors name what is missing.
  Result<MockTestCase> test_case(const std::string& machine, const std::string& name) const;
};

// Parses and checks a mock config (JSON). Errors: name "MockConfig", cause says where.
Result<MockConfig> parse_mock_config(std::string_view text);
Result<MockConfig> load_mock_config_file(const std::string& path);
// What `--mock-config FILE --test-case NAME` needs: the file's test case for `machine` (the
// state machine name: the definition file's stem unless `--name` gives one).
Result<MockTestCase> load_mock_test_case(const std::string& path, const std::string& machine,
                                         const std::string& test_case);

// The response for invocation `index` (0-based): the range holding it, else the last one.
const MockResponse& pick_mock_response(const std::vector<MockResponse>& responses,
                                       std::int64_t index);

// The task outcome a mocked response gives for a Task resource.
TaskOutcome mock_outcome(const MockResponse& response, const Integration& integration);

class MockRunner final : public TaskRunner {
 public:
  // `fallback` runs the states the test case does not mock; it may be null (they then fail).
  MockRunner(MockTestCase test_case, TaskRunner* fallback);

  void start(const TaskRequest& request, EventLoop& loop, TaskDone done) override;
  void cancel(const TaskRequest& request) override;
  // A mocked state calls nothing; the others are the fallback's to say.
  bool redispatch_has_effects(const TaskRequest& request) const override;
  // Drops the counters of a finished execution.
  void forget_execution(const std::string& execution_arn);

 private:
  std::int64_t next_invocation(const std::string& execution_arn, const std::string& state);

  MockTestCase test_case_;
  TaskRunner* fallback_;
  base::Mutex mu_;
  std::map<std::pair<std::string, std::string>, std::int64_t> counters_ GUARDED_BY(mu_);
  std::deque<std::pair<std::string, std::string>> counter_order_ GUARDED_BY(mu_);  // oldest first
};

}  // namespace stepwise::tasks
