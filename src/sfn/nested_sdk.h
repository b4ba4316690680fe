// SfnSdkRunner: Task states on `arn:aws:states:::aws-sdk:sfn:<action>` — a workflow calling the
// Step Functions API of this same Stepwise (activity workers written as state machines call
// getActivityTask and sendTaskSuccess this way; others startExecution, describeExecution, ...).
//
// The call goes through the Service's own api::Dispatcher, as the AWS SDK inside Step Functions
// would send it: the action becomes the operation (getActivityTask → GetActivityTask), parameter
// names lose their capital (ActivityArn → activityArn, at every depth), and the answer's names
// gain one (taskToken → TaskToken); timestamps (…Date, timestamp) become ISO-8601 text as the
// recorded aws-sdk answers show them. An API error fails the task as the Java SDK v2 reports it:
// error "Sfn.<Type>Exception" (Type already ending in Exception kept), cause
// "<message> (Service: Sfn, Status Code: 400, Request ID: <uuid>) (SDK Attempt Count: 1)".
// A `.waitForTaskToken` suffix is ignored here: TaskTokens, in front, parks the task and uses
// this runner as its integration (the registry's runner for aws-sdk:sfn:*).
//
// API for the Service (core):
//   SfnSdkRunner sfn(service_dispatcher, ids);
//   integrations.add("aws-sdk:sfn:*", &sfn);  // every action, request-response and callbacks
// Replies are delivered to the task's loop with post(); the dispatcher must answer (now or
// later, on any thread) exactly once, as every Dispatcher does. No pending work is held while
// a call is in flight: the Service answers on its own loop, so the loop is alive anyway, and a
// held GetActivityTask must not stop a manual clock.
//
// Thread-safety: start()/cancel() on the loop thread; the dispatcher may answer on any thread
// (the answer is handled on the loop).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "api/dispatcher.h"
#include "base/ids.h"
#include "json/json.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

namespace sdk_limits {
// Nesting followed when renaming parameter and answer keys (deeper values are kept as they are).
inline constexpr std::size_t sdk_key_depth_max = 64;
}  // namespace sdk_limits

class SfnSdkRunner final : public tasks::TaskRunner {
 public:
  SfnSdkRunner(api::Dispatcher& service, IdGenerator& ids);

  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  // The task no longer wants the answer: the call is marked as from a client gone away, so a
  // held GetActivityTask is skipped instead of swallowing a task nobody would work on.
  void cancel(const tasks::TaskRequest& request) override;

  std::size_t in_flight() const { return in_flight_.size(); }

 private:
  struct Call {
    std::uint64_t id = 0;
    std::shared_ptr<std::atomic<bool>> gone;
  };
  void finished(const std::string& key, std::uint64_t id);

  api::Dispatcher& service_;
  IdGenerator& ids_;
  std::unordered_map<std::string, Call> in_flight_;  // by task key (nested.h task_key)
  std::uint64_t next_call_ = 1;
};

// "arn:aws:states:::aws-sdk:sfn:getActivityTask[.waitForTaskToken]" → "GetActivityTask";
// "" when the resource is not an aws-sdk:sfn one.
std::string sfn_sdk_operation(const std::string& resource);

// Key renaming between the SDK's member names and the API's JSON names.
json::value sdk_to_api_names(const json::value& v);
json::value api_to_sdk_names(const json::value& v);

// An API error as the AWS SDK for Java v2 inside Step Functions reports it to a Task.
tasks::TaskOutcome sfn_sdk_failure(const api::ApiError& error, const std::string& request_id);

}  // namespace stepwise::sfn
