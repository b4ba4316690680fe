// Sns: the built-in Amazon SNS — topics (standard and FIFO), subscriptions and publishing, every
// operation at the JSON level (botocore's member names: the query protocol's forms decode to
// them in sns_query.h, and aws-sdk:sns:* tasks send them as they are), durable through a
// RecordLog.
//
// Deliveries, per confirmed subscription whose filter policy matches:
//  - sqs:          SendMessage on the built-in SQS, in process (or on SQS's pass-through
//                  endpoint when it has one: SnsOptions::sqs_url): AWS's JSON envelope, or with
//                  RawMessageDelivery the message itself with its attributes as SQS message
//                  attributes; FIFO topics pass MessageGroupId and MessageDeduplicationId.
//                  Publish answers only once every such send is durable (SQS answers a send
//                  after its record is committed), so an acknowledged publish is never lost
//                  for queue subscribers.
//  - http/https:   a POST per attempt on DeliveryWorkers, retried on the Timers with the
//                  subscription's (or topic's) DeliveryPolicy healthyRetryPolicy, AWS's
//                  default 3 retries 20 s apart. Confirmation first: Subscribe sends a
//                  SubscriptionConfirmation with a Token; ConfirmSubscription (or a GET of its
//                  SubscribeURL) confirms.
//  - email/email-json: a line in the e-mail file (DeliveryWorkers::append_line), the
//                  confirmation likewise.
//  - lambda:       the Lambda event handed to the FunctionInvoker (serve wires the local
//                  functions to it).
// HTTP, e-mail and function deliveries happen after Publish answers and are not durable
// (a crash loses the retries still pending), as docs/SERVICES.md says.
//
// Threading: one mutex guards all state; replies and deliveries run outside it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/sns/delivery.h"
#include "services/sns/notification.h"

namespace stepwise::services::sns {

// Calls a local function with an event (a Lambda subscription's delivery); answers ok or not.
using FunctionInvoker = std::function<void(const std::string& function_arn, json::value event,
                                           std::function<void(bool ok)> done)>;

struct SnsOptions {
  Clock& clock;
  RecordLog& log;
  Timers& timers;
  DeliveryWorkers& workers;
  Place place = {};
  std::uint64_t id_seed = 0;       // 0: unpredictable
  api::Dispatcher* sqs = nullptr;  // the built-in SQS; null: sqs deliveries are dropped
  // The URL the SQS that `sqs` reaches answers on, for the sends' QueueUrl: empty is
  // place.endpoint (the built-in SQS); a pass-through endpoint's URL when SQS is routed.
  EndpointUrl sqs_url = {};
  FunctionInvoker invoke_function = {};  // null: lambda deliveries are dropped
};

// Counters (tests, metrics).
struct SnsStats {
  std::uint64_t delivered = 0;  // successful deliveries, every protocol
  std::uint64_t failed = 0;     // deliveries given up (after retries)
  std::uint64_t filtered = 0;   // deliveries a filter policy skipped
};

class Sns final : public api::Dispatcher {
 public:
  explicit Sns(SnsOptions options);
  ~Sns() override;

  // Reads topics and subscriptions back (before serving); damaged records are skipped.
  Status load(std::size_t* damaged = nullptr);

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

  static const std::vector<std::string>& operation_names();

  // Replaces the hook lambda subscriptions are delivered through (null: none), e.g. once the
  // engine whose local functions it calls exists, and again before that engine goes.
  void set_function_invoker(FunctionInvoker invoke);

  // Cancels pending retries; later deliveries are dropped.
  void stop();
  SnsStats stats() const;

  struct Topic;
  struct Subscription;
  struct Delivery;

 private:
  using Json = json::object;

  void persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply);
  Mutation record_of(const Topic& t) const REQUIRES(mu_);
  Mutation record_of(const Subscription& s) const REQUIRES(mu_);

  // Topics (sns_topics.cpp).
  void create_topic(const Json& r, api::Reply reply);
  void delete_topic(const Json& r, api::Reply reply);
  api::Response list_topics(const Json& r);
  api::Response get_topic_attributes(const Json& r);
  void set_topic_attributes(const Json& r, api::Reply reply);
  void tag_resource(const Json& r, api::Reply reply, bool untag);
  api::Response list_tags(const Json& r);

  // Subscriptions (sns_subscriptions.cpp).
  void subscribe(const Json& r, api::Reply reply);
  void confirm_subscription(const Json& r, api::Reply reply);
  void unsubscribe(const Json& r, api::Reply reply);
  api::Response list_subscriptions(const Json& r, const std::string* topic_arn);
  api::Response get_subscription_attributes(const Json& r);
  void set_subscription_attributes(const Json& r, api::Reply reply);
  // Sends the SubscriptionConfirmation of a pending http/https/email subscription.
  void send_confirmation(const Subscription& s);

  // Publishing (sns_publish.cpp).
  void publish(const Json& r, api::Reply reply);
  void publish_batch(const Json& r, api::Reply reply);
  struct Prepared;
  // Checks one message (Publish's request or a batch entry) against `topic`.
  std::optional<api::ApiError> prepare(const Json& r, Topic* topic, Prepared& out);
  // Under mu_: the deliveries of a prepared message (filter policies applied).
  void plan(const Topic& t, Prepared& p) REQUIRES(mu_);
  // Outside mu_: performs them; `durable` runs once every SQS send is acknowledged.
  void deliver(std::shared_ptr<Prepared> p, std::function<void()> durable);
  void deliver_http(std::shared_ptr<Delivery> d);
  void count(bool ok) EXCLUDES(mu_);

  Topic* find_topic(const std::string& arn) REQUIRES(mu_);

  SnsOptions options_;
  EnvelopePlace envelope_place_;
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Topic>> topics_ GUARDED_BY(mu_);       // by ARN
  std::map<std::string, std::unique_ptr<Subscription>> subs_ GUARDED_BY(mu_);  // by ARN
  std::map<std::uint64_t, std::string> sub_order_ GUARDED_BY(mu_);             // order → ARN
  std::uint64_t next_order_ GUARDED_BY(mu_) = 1;
  std::uint64_t last_sequence_ GUARDED_BY(mu_) = 0;
  std::map<Timers::Id, bool> retry_timers_ GUARDED_BY(mu_);
  SnsStats stats_ GUARDED_BY(mu_);
  FunctionInvoker invoke_function_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace stepwise::services::sns
