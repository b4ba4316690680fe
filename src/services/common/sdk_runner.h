// In-process integration calls: a Task state calling a built-in service's JSON-level operations
// (BuiltinService::operations()) the way Step Functions' SDKs call AWS, and failing the way they
// report errors.
//
//  - SdkRunner serves `aws-sdk:<service>:<action>`: the action becomes the operation
//    (receiveMessage → ReceiveMessage), the parameters go as they are (the services' JSON member
//    names are the SDK's), the answer is the task's result. An error fails the task as the AWS
//    SDK for Java v2 reports it: "<Prefix>.<Code>Exception" (Sqs.QueueDoesNotExistException),
//    cause "<message> (Service: <Prefix>, Status Code: 400, Request ID: <id>) (SDK Attempt
//    Count: 1)" — the shape sfn's own aws-sdk:sfn calls use.
//  - call_operation() is the building block for optimized integrations (sqs:sendMessage), which
//    shape their own results and errors (optimized_failure: the Java SDK v1 form, "SQS.<Name>",
//    "<message> (Service: AmazonSQS; Status Code: 400; Error Code: <code>; Request ID: <id>;
//    Proxy: null)"), and sdk_http_metadata() gives the SdkHttpMetadata their results carry.
//
// While a call is in flight the task's loop holds pending work, so a manual clock does not run
// ahead of a long poll; cancel() marks the call's client as gone (a waiting poll then returns
// nothing to nobody).
//
// Thread-safety: start()/cancel() on the loop thread — any engine shard's loop when the runner
// was made `any_loop` (the built-in services, which the HTTP threads call concurrently anyway:
// a shard then calls the service itself instead of hopping to the home shard and back); the
// service may answer on any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "json/json.h"
#include "tasks/task_runner.h"

namespace stepwise::services {

// The action of an aws-sdk resource with its first letter raised ("receiveMessage" →
// "ReceiveMessage"); "" when `resource` is not aws-sdk:<service>:<action>[.waitForTaskToken].
std::string sdk_operation(const std::string& resource, std::string_view service);

// Calls operations.dispatch(operation, params) and hands the answer to `on_answer` on `loop`,
// unless `gone` was set first. Holds the loop's pending work while the call is in flight.
void call_operation(api::Dispatcher& operations, std::string operation, json::value params,
                    std::string request_id, EventLoop& loop,
                    std::shared_ptr<std::atomic<bool>> gone,
                    std::function<void(api::Response)> on_answer);

// The SdkHttpMetadata/SdkResponseMetadata members an optimized integration's result carries,
// for an answer of `content_length` bytes of `content_type` (JSON 1.0 unless said; SNS's are
// query XML, "text/xml") sent at `now` (its Date header).
json::object sdk_http_metadata(std::size_t content_length, const std::string& request_id,
                               Millis now, std::string_view content_type = {});
// The body of a successful answer as an object, moved out of `r` (an empty object when the
// body is not one).
json::object take_object(api::Response& r);
// Moves the members of `from` into `to` after its own (replacing any of the same name).
void move_members(json::object& to, json::object from);
// RFC 7231's HTTP date: "Tue, 02 Dec 2026 10:00:00 GMT".
std::string http_date(Millis t);

// An API error as the AWS SDK for Java v1 (optimized integrations) reports it. `exception` is
// the SDK's modelled exception name for the error ("QueueDoesNotExistException"), or empty for
// the service's generic one (`generic`, e.g. "AmazonSQSException").
tasks::TaskOutcome optimized_failure(std::string_view prefix, std::string_view service_name,
                                     std::string_view exception, std::string_view generic,
                                     const api::ApiError& error, const std::string& request_id);

// An API error as the AWS SDK for Java v2 (aws-sdk:*) reports it.
tasks::TaskOutcome sdk_failure(std::string_view prefix, const api::ApiError& error,
                               const std::string& request_id);

// Task identity for cancel(): the request's task_id, else execution#state#attempt.
std::string call_key(const tasks::TaskRequest& request);

// A runner's calls in flight, by call_key, so that cancel() can mark a call's client gone.
// Locked: an any-loop runner is started and cancelled from several engine shards.
class InFlightCalls {
 public:
  using Gone = std::shared_ptr<std::atomic<bool>>;
  Gone add(const std::string& key);
  // The call answered: forgotten, unless a newer call of the same key replaced it.
  void finished(const std::string& key, const Gone& gone);
  void cancel(const std::string& key);

 private:
  base::Mutex mu_;
  std::unordered_map<std::string, Gone> calls_ GUARDED_BY(mu_);
};

// An IdGenerator that several engine shards draw request ids from.
class LockedIds {
 public:
  explicit LockedIds(std::uint64_t seed) : ids_(seed) {}
  std::string uuid_v4() {
    base::MutexLock lock(mu_);
    return ids_.uuid_v4();
  }
  std::uint64_t next_u64() {
    base::MutexLock lock(mu_);
    return ids_.next_u64();
  }

 private:
  base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
};

class SdkRunner final : public tasks::TaskRunner {
 public:
  // service: "sqs" (the resource's aws-sdk:<service>); prefix: "Sqs" (errors). `any_loop`:
  // `operations` may be called from any thread (a built-in service; a pass-through endpoint's
  // client may not).
  SdkRunner(api::Dispatcher& operations, std::string service, std::string prefix,
            std::uint64_t id_seed, bool any_loop = false);
  void start(const tasks::TaskRequest& request, EventLoop& loop, tasks::TaskDone done) override;
  void cancel(const tasks::TaskRequest& request) override;
  tasks::TaskRunner* any_loop_runner(const tasks::TaskRequest&) override {
    return any_loop_ ? this : nullptr;
  }

 private:
  api::Dispatcher& operations_;
  std::string service_;
  std::string prefix_;
  LockedIds ids_;
  InFlightCalls in_flight_;
  bool any_loop_;
};

}  // namespace stepwise::services
