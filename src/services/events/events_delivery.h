// Delivery: how an event that matched a rule reaches one of the rule's targets, once rule
// matching (Events::route) decided what the target receives. Each delivery is one job: an
// attempt on the Timers' thread (never the RecordLog writer's: a target may be another bus,
// and a subscriber must not put events synchronously), then, when the attempt fails with an
// error worth retrying, retries with exponential backoff (events_limits' retry_delay_ms_*)
// until the target's RetryPolicy (MaximumRetryAttempts, MaximumEventAgeInSeconds on the
// injected clock) is spent; then the DeadLetterConfig queue, if any, gets the event with AWS's
// message attributes (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
// EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS).
//
// Target kinds, by the ARN's service:
//   sqs     SendMessage on the built-in SQS, or on SQS's pass-through endpoint (FIFO queues:
//           SqsParameters.MessageGroupId, the event id as deduplication id)
//   sns     Publish on the built-in SNS, or on SNS's pass-through endpoint
//   states  StartExecution through the ExecutionStarter hook (the input as execution input)
//   lambda  the FunctionInvoker hook (the input as the function's event)
//   events  PutEvents onto that bus (the delivered event's source, detail-type, detail,
//           resources and time)
// A target that does not exist (no queue, topic, machine or bus) is not retried, as AWS does
// not retry such errors.
//
// Jobs are in memory only: a restart loses those waiting for a retry (docs/SERVICES.md). At
// most deliveries_pending_max wait at once; more are dropped and counted.
//
// Thread-safety: every member from any thread; hooks and peers are called outside the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/timers.h"
#include "services/events/events.h"
#include "services/events/events_rules.h"

namespace stepwise::services::events {

struct DeliveryJob {
  std::string rule_arn;
  Target target;
  std::string body;  // what the target receives (JSON text, or a string template's text)
  std::string event_id;
  Millis event_received_ms = 0;  // the age RetryPolicy's MaximumEventAgeInSeconds counts from
  std::int64_t attempts = 0;     // made so far
};

struct DeliveryPeers {
  Clock& clock;
  Timers* timers = nullptr;
  api::Dispatcher* sqs = nullptr;
  api::Dispatcher* sns = nullptr;
  api::Dispatcher* events = nullptr;  // this EventBridge, for event-bus targets
  Place place = {};
  EndpointUrl sqs_url = {};  // EventsOptions::sqs_url
};

class Delivery {
 public:
  explicit Delivery(DeliveryPeers peers) : peers_(std::move(peers)) {}

  // Starts the job's first attempt on the Timers' thread (dropped without Timers, after
  // stop(), or over the pending bound).
  void enqueue(DeliveryJob job);
  void count_not_delivered();
  // Runs fn on the Timers' thread, counted as one pending delivery while it waits (rule
  // matching: the RecordLog's writer thread hands each durable batch over through it). False:
  // dropped (no Timers, stopped, or over the bound).
  bool run_soon(std::function<void()> fn);

  // Runs fn on the Timers' thread after delay_ms, unless stopped or cancelled first; the id
  // for cancel() (0: not queued). Schedules arm their firings with it.
  Timers::Id at(Millis delay_ms, std::function<void()> fn) EXCLUDES(mu_);
  void cancel(Timers::Id id) EXCLUDES(mu_);

  void set_function_invoker(FunctionInvoker invoke);
  void set_execution_starter(ExecutionStarter start);
  // Cancels what waits and waits for the callbacks running now (so the owner may go once it
  // returns); later work is dropped. Not from inside a callback.
  void stop();
  DeliveryStats stats() const;

  // One attempt's result.
  struct Outcome {
    bool ok = false;
    bool retryable = true;
    std::string code;
    std::string message;
  };

 private:
  void attempt(std::shared_ptr<DeliveryJob> job);
  void send(const DeliveryJob& job, std::function<void(Outcome)> done);
  void send_sqs(const std::string& queue_arn, std::string body, const DeliveryJob* job,
                json::object attributes, std::function<void(Outcome)> done);
  void after_attempt(std::shared_ptr<DeliveryJob> job, Outcome outcome);
  void give_up(std::shared_ptr<DeliveryJob> job, const Outcome& outcome, const char* condition);
  // Runs fn on the Timers' thread after delay_ms, unless stopped; false when it was not queued.
  bool later(Millis delay_ms, std::function<void()> fn) EXCLUDES(mu_);
  void finished() EXCLUDES(mu_);

  DeliveryPeers peers_;
  mutable base::Mutex mu_;
  FunctionInvoker invoke_function_ GUARDED_BY(mu_);
  ExecutionStarter start_execution_ GUARDED_BY(mu_);
  std::map<Timers::Id, bool> timers_ GUARDED_BY(mu_);  // pending, for stop()
  std::size_t running_ GUARDED_BY(mu_) = 0;            // timer callbacks running now
  base::CondVar idle_;                                 // running_ fell to 0 (stop() waits for it)
  std::size_t pending_ GUARDED_BY(mu_) = 0;            // jobs not finished
  DeliveryStats stats_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace stepwise::services::events
