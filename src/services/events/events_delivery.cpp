// Delivery: attempts, retries and dead letters of one rule target's event (events_delivery.h).
#include "services/events/events_delivery.h"

#include <algorithm>
#include <utility>

#include "base/arn.h"
#include "services/common/json_request.h"

namespace stepwise::services::events {
namespace {

using Outcome = Delivery::Outcome;

// AWS does not retry a delivery whose target is gone: a retry could not succeed.
bool retryable(const std::string& code) {
  return code.find("NotFound") == std::string::npos &&
         code.find("DoesNotExist") == std::string::npos &&
         code.find("NonExistent") == std::string::npos;
}

Outcome delivered() {
  Outcome o;
  o.ok = true;
  return o;
}

Outcome outcome_of(const api::Response& r) {
  if (!r.is_error()) return delivered();
  return Outcome{.ok = false,
                 .retryable = retryable(r.error().type),
                 .code = r.error().type,
                 .message = r.error().message};
}

Outcome failure(std::string code, std::string message, bool retry = false) {
  return Outcome{
      .ok = false, .retryable = retry, .code = std::move(code), .message = std::move(message)};
}

json::object string_attribute(const std::string& value) {
  return json::object{{"DataType", "String"}, {"StringValue", value}};
}

// The PutEvents entry an event-bus target sends: the delivered event's own members (a target
// input that is not an event gives an entry PutEvents refuses, which is not retried).
json::object bus_entry(const std::string& body, const std::string& bus_arn) {
  json::object entry{{"EventBusName", bus_arn}};
  auto parsed = json::parse(body);
  if (!parsed.ok() || !parsed->is_object()) return entry;
  const json::object& e = parsed->get_object();
  if (const auto* v = e.if_contains("source"); v && v->is_string()) entry["Source"] = *v;
  if (const auto* v = e.if_contains("detail-type"); v && v->is_string()) entry["DetailType"] = *v;
  if (const auto* v = e.if_contains("detail"); v && v->is_object())
    entry["Detail"] = json::dump(*v);
  if (const auto* v = e.if_contains("resources"); v && v->is_array()) entry["Resources"] = *v;
  if (const auto* v = e.if_contains("time"); v && v->is_string()) entry["Time"] = *v;
  return entry;
}

}  // namespace

void Delivery::enqueue(DeliveryJob job) {
  {
    base::MutexLock lock(mu_);
    if (peers_.timers == nullptr || stopped_ || pending_ >= events_limits::deliveries_pending_max) {
      ++stats_.dropped;
      return;
    }
    ++pending_;
  }
  auto shared = std::make_shared<DeliveryJob>(std::move(job));
  if (!later(0, [this, shared] { attempt(shared); })) finished();
}

bool Delivery::run_soon(std::function<void()> fn) {
  {
    base::MutexLock lock(mu_);
    if (peers_.timers == nullptr || stopped_ || pending_ >= events_limits::deliveries_pending_max) {
      ++stats_.dropped;
      return false;
    }
    ++pending_;
  }
  // Finished before fn runs: the deliveries fn enqueues take its place in the bound.
  if (later(0, [this, fn = std::move(fn)] {
        finished();
        fn();
      }))
    return true;
  finished();
  return false;
}

void Delivery::count_not_delivered() {
  base::MutexLock lock(mu_);
  ++stats_.not_delivered;
}

bool Delivery::later(Millis delay_ms, std::function<void()> fn) {
  return at(delay_ms, std::move(fn)) != 0;
}

Timers::Id Delivery::at(Millis delay_ms, std::function<void()> fn) {
  base::MutexLock lock(mu_);
  if (stopped_ || peers_.timers == nullptr) return 0;
  // Under mu_: the callback takes mu_ first, so it always finds its id registered.
  auto id = std::make_shared<Timers::Id>(0);
  *id = peers_.timers->after(delay_ms, [this, id, fn = std::move(fn)] {
    {
      base::MutexLock inner(mu_);
      timers_.erase(*id);
      if (stopped_) return;
      ++running_;
    }
    fn();
    base::MutexLock inner(mu_);
    if (--running_ == 0) idle_.notify_all();
  });
  timers_[*id] = true;
  return *id;
}

void Delivery::cancel(Timers::Id id) {
  {
    base::MutexLock lock(mu_);
    if (timers_.erase(id) == 0) return;
  }
  peers_.timers->cancel(id);
}

void Delivery::finished() {
  base::MutexLock lock(mu_);
  if (pending_ > 0) --pending_;
}

void Delivery::attempt(std::shared_ptr<DeliveryJob> job) {
  ++job->attempts;
  send(*job, [this, job](Outcome o) { after_attempt(job, std::move(o)); });
}

void Delivery::after_attempt(std::shared_ptr<DeliveryJob> job, Outcome outcome) {
  if (outcome.ok) {
    {
      base::MutexLock lock(mu_);
      ++stats_.delivered;
    }
    return finished();
  }
  if (!outcome.retryable) return give_up(job, outcome, "");
  const std::int64_t retries_made = job->attempts - 1;
  if (retries_made >= job->target.retry_attempts)
    return give_up(job, outcome, "MaximumRetryAttempts");
  const Millis delay = std::min<Millis>(
      events_limits::retry_delay_ms_max,
      events_limits::retry_delay_ms_first << std::min<std::int64_t>(retries_made, 20));
  const Millis age_ms = peers_.clock.now_ms() + delay - job->event_received_ms;
  if (age_ms > job->target.event_age_seconds * 1000)
    return give_up(job, outcome, "MaximumEventAgeInSeconds");
  {
    base::MutexLock lock(mu_);
    ++stats_.retried;
  }
  if (!later(delay, [this, job] { attempt(job); })) {
    {
      base::MutexLock lock(mu_);
      ++stats_.dropped;
    }
    finished();
  }
}

void Delivery::give_up(std::shared_ptr<DeliveryJob> job, const Outcome& outcome,
                       const char* condition) {
  {
    base::MutexLock lock(mu_);
    ++stats_.failed;
  }
  if (job->target.dead_letter_arn.empty()) return finished();
  // AWS's dead-letter message: the event as the target would have received it, and why it
  // was not delivered in the message attributes.
  json::object attributes{
      {"RULE_ARN", string_attribute(job->rule_arn)},
      {"TARGET_ARN", string_attribute(job->target.arn)},
      {"ERROR_CODE", string_attribute(outcome.code.empty() ? "Unknown" : outcome.code)},
      {"ERROR_MESSAGE", string_attribute(outcome.message.empty() ? "-" : outcome.message)},
      {"RETRY_ATTEMPTS", string_attribute(std::to_string(job->attempts - 1))}};
  if (*condition != '\0') attributes["EXHAUSTED_RETRY_CONDITION"] = string_attribute(condition);
  send_sqs(job->target.dead_letter_arn, job->body, nullptr, std::move(attributes),
           [this](Outcome o) {
             if (o.ok) {
               base::MutexLock lock(mu_);
               ++stats_.dead_lettered;
             }
             finished();
           });
}

void Delivery::send_sqs(const std::string& queue_arn, std::string body, const DeliveryJob* job,
                        json::object attributes, std::function<void(Outcome)> done) {
  auto p = arn::parse(queue_arn);
  if (peers_.sqs == nullptr || !p || p->service != "sqs")
    return done(failure("QueueDoesNotExist", "No SQS queue " + queue_arn + " here."));
  json::object req{{"QueueUrl", queue_url(*p, endpoint_or(peers_.sqs_url, peers_.place))},
                   {"MessageBody", std::move(body)}};
  if (!attributes.empty()) req["MessageAttributes"] = std::move(attributes);
  if (job != nullptr && p->resource.ends_with(".fifo")) {
    req["MessageGroupId"] = job->target.message_group_id;
    req["MessageDeduplicationId"] = job->event_id;
  }
  peers_.sqs->dispatch("SendMessage", json::value(std::move(req)), api::RequestInfo{},
                       [done = std::move(done)](api::Response r) { done(outcome_of(r)); });
}

void Delivery::send(const DeliveryJob& job, std::function<void(Outcome)> done) {
  auto p = arn::parse(job.target.arn);
  const std::string service = p ? std::string(p->service) : std::string();
  if (service == "sqs") return send_sqs(job.target.arn, job.body, &job, {}, std::move(done));
  if (service == "sns") {
    if (peers_.sns == nullptr) return done(failure("NotFound", "No SNS here."));
    json::object req{{"TopicArn", job.target.arn}, {"Message", job.body}};
    return peers_.sns->dispatch("Publish", json::value(std::move(req)), api::RequestInfo{},
                                [done = std::move(done)](api::Response r) { done(outcome_of(r)); });
  }
  if (service == "events") {
    if (peers_.events == nullptr) return done(failure("ResourceNotFoundException", "No bus."));
    json::object req{{"Entries", json::array{bus_entry(job.body, job.target.arn)}}};
    return peers_.events->dispatch(
        "PutEvents", json::value(std::move(req)), api::RequestInfo{},
        [done = std::move(done)](api::Response r) {
          if (r.is_error()) return done(outcome_of(r));
          // A failed entry: the bus is gone, or the delivered input was not an event.
          const auto* o = r.body().if_object();
          const auto* entries = o ? o->if_contains("Entries") : nullptr;
          const auto* first = entries && entries->is_array() && !entries->get_array().empty()
                                  ? entries->get_array()[0].if_object()
                                  : nullptr;
          if (first != nullptr && first->contains("ErrorCode"))
            return done(failure(string_member(*first, "ErrorCode").value_or("Unknown"),
                                string_member(*first, "ErrorMessage").value_or("")));
          done(delivered());
        });
  }
  if (service == "states") {
    ExecutionStarter start;
    {
      base::MutexLock lock(mu_);
      start = start_execution_;
    }
    if (!start) return done(failure("InternalException", "No Step Functions here.", true));
    return start(job.target.arn, job.body, [done = std::move(done)](bool ok, std::string error) {
      if (ok) return done(delivered());
      auto colon = error.find(':');
      std::string code = error.substr(0, colon);
      done(Outcome{.ok = false,
                   .retryable = retryable(code),
                   .code = code,
                   .message = colon == std::string::npos ? "" : error.substr(colon + 1)});
    });
  }
  if (service == "lambda") {
    FunctionInvoker invoke;
    {
      base::MutexLock lock(mu_);
      invoke = invoke_function_;
    }
    if (!invoke) return done(failure("InternalException", "No local functions here.", true));
    auto parsed = json::parse(job.body);
    json::value event = parsed.ok() ? std::move(parsed).value() : json::value(job.body);
    return invoke(job.target.arn, std::move(event), [done = std::move(done)](bool ok) {
      done(ok ? delivered() : failure("Lambda.Failed", "The function failed.", true));
    });
  }
  done(failure("ValidationException", "Target " + job.target.arn + " is not supported here."));
}

void Delivery::set_function_invoker(FunctionInvoker invoke) {
  base::MutexLock lock(mu_);
  invoke_function_ = std::move(invoke);
}

void Delivery::set_execution_starter(ExecutionStarter start) {
  base::MutexLock lock(mu_);
  start_execution_ = std::move(start);
}

void Delivery::stop() {
  std::map<Timers::Id, bool> pending;
  {
    base::MutexLock lock(mu_);
    stopped_ = true;
    pending.swap(timers_);
    stats_.dropped += pending.size();
    while (running_ > 0) idle_.wait(mu_);
  }
  if (peers_.timers != nullptr)
    for (const auto& [id, unused] : pending) peers_.timers->cancel(id);
}

DeliveryStats Delivery::stats() const {
  base::MutexLock lock(mu_);
  return stats_;
}

}  // namespace stepwise::services::events
