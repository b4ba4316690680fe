// BenchTaskRunner: the workloads' Task handlers (Identity, Increment, FailTwice) as in-process
// functions, so a benchmark measures the engine and not process spawning or HTTP.
//
// The handler is the function name at the end of the Lambda ARN
// (arn:aws:lambda:<region>:<account>:function:<Name>). The answer is given inside start(), on
// the loop's thread: engine::run_execution's driver re-posts every answer to a fresh loop turn
// (so the interpreter is never re-entered), and posting here too would only measure a second
// queue hop that a real in-process function would not take.
//
// Thread-safety: not thread-safe; give each thread (each EventLoop) its own runner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "tasks/task_runner.h"

namespace stepwise::bench {

// FailTwice remembers attempts per execution id until the execution's third attempt succeeds;
// more ids than this in flight at once means a runaway workload, not a benchmark.
inline constexpr std::size_t fail_twice_ids_max = 1'000'000;

class BenchTaskRunner final : public tasks::TaskRunner {
 public:
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;

  // Runs the handler synchronously (what start() posts); public for tests.
  tasks::TaskOutcome invoke(const tasks::TaskRequest& request);
  // Handler calls so far (retries included): --verify counts retry transitions with it.
  std::int64_t invocations() const { return invocations_; }

 private:
  tasks::TaskOutcome fail_twice(const json::value& input);

  std::unordered_map<std::int64_t, int> attempts_by_id_;
  std::int64_t invocations_ = 0;
};

// "Identity" for "arn:aws:lambda:us-east-1:123456789012:function:Identity"; "" when the
// resource is not a Lambda function ARN.
std::string_view lambda_function_name(std::string_view resource);

}  // namespace stepwise::bench
