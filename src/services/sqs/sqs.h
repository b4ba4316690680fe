// Sqs: the built-in Amazon SQS — queues and their messages, every operation at the JSON level
// (AWS JSON 1.0 shapes, `AmazonSQS.<Operation>`), durable through a RecordLog.
//
// What it does as AWS does: standard and FIFO queues; visibility timeouts; per-queue and
// per-message delays; retention; long polls (WaitTimeSeconds, or the queue's
// ReceiveMessageWaitTimeSeconds) answered as soon as a message arrives, without a thread per
// poll (a Timers callback ends each poll); FIFO group ordering, a group held while one of its
// messages is in flight, deduplication by id or by content (5 minutes, per queue or group),
// sequence numbers; RedrivePolicy dead-letter queues (a message received maxReceiveCount times
// moves on its next receive); AWS's limits and error codes (query codes for the
// awsQueryCompatible header and the query protocol).
//
// Durability: a queue's settings and each message are records (namespaces "sqs.queues",
// "sqs.messages"). Operations that acknowledge a write (create/delete queue, set attributes,
// tags, send, delete, purge) answer only once their records are durable. A receive's new
// receive count and visibility are written without waiting: after a crash such a message is
// at worst delivered again, which SQS's at-least-once contract allows. FIFO deduplication
// entries are kept in memory only (deviation: a duplicate sent across a restart is accepted).
//
// Threading: one mutex guards all state; operations never block on I/O under it except when
// the RecordLog applies back-pressure. Replies run outside the mutex (on the RecordLog's
// writer thread, the Timers thread, or the caller's) and must not call back into Sqs
// synchronously... except through the Dispatcher, which is safe from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/sqs/message.h"

namespace stepwise::services::sqs {

struct SqsOptions {
  Clock& clock;
  RecordLog& log;
  Timers& timers;
  Place place = {};
  std::uint64_t id_seed = 0;  // 0: unpredictable
};

class Sqs final : public api::Dispatcher {
 public:
  explicit Sqs(SqsOptions options);
  ~Sqs() override;

  // Reads the records back (before serving). Errors: the RecordLog's; a damaged record is
  // skipped and counted in `damaged`.
  Status load(std::size_t* damaged = nullptr);

  // The JSON-level operations (see the header comment). Unknown operations:
  // UnknownOperationException, as the JSON protocol answers.
  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override;

  static const std::vector<std::string>& operation_names();

  // Ends every pending long poll with no messages (shutdown).
  void stop();

  // How many messages (all states) the service holds (tests, metrics).
  std::size_t message_count() const;

  struct Queue;
  struct Waiter;

 private:
  using Json = json::object;
  using Answer = std::function<void(api::Response)>;

  // One acknowledged write: mutate under mu_, then answer once durable.
  void persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply) REQUIRES(mu_);
  void persist_quietly(std::vector<Mutation> batch) REQUIRES(mu_);

  // Operations (sqs_queues.cpp).
  void create_queue(const Json& r, const api::RequestInfo& info, api::Reply reply);
  void delete_queue(const Json& r, api::Reply reply);
  api::Response get_queue_url(const Json& r, const api::RequestInfo& info);
  api::Response list_queues(const Json& r, const api::RequestInfo& info);
  api::Response get_queue_attributes(const Json& r);
  void set_queue_attributes(const Json& r, api::Reply reply);
  void purge_queue(const Json& r, api::Reply reply);
  void tag_queue(const Json& r, api::Reply reply, bool untag);
  api::Response list_queue_tags(const Json& r);
  api::Response list_dead_letter_source_queues(const Json& r, const api::RequestInfo& info);

  // Messages (sqs_messages.cpp).
  void send_message(const Json& r, api::Reply reply);
  void send_message_batch(const Json& r, api::Reply reply);
  void receive_message(const Json& r, const api::RequestInfo& info, api::Reply reply);
  void delete_message(const Json& r, api::Reply reply);
  void delete_message_batch(const Json& r, api::Reply reply);
  api::Response change_visibility(const Json& r);
  api::Response change_visibility_batch(const Json& r);

  // Helpers (under mu_).
  Queue* find_queue(const Json& r, api::ApiError* error) REQUIRES(mu_);
  Queue* queue_by_arn(const std::string& arn) REQUIRES(mu_);
  std::string queue_url(const Queue& q, const api::RequestInfo& info) const REQUIRES(mu_);
  void expire(Queue& q, Millis now, std::vector<Mutation>& batch) REQUIRES(mu_);
  struct SendEntry;
  std::optional<api::ApiError> check_send(Queue& q, const Json& r, SendEntry& out) REQUIRES(mu_);
  json::object enqueue(Queue& q, SendEntry& e, std::vector<Mutation>& batch) REQUIRES(mu_);
  json::array take(Queue& q, const Waiter& w, std::vector<Mutation>& batch) REQUIRES(mu_);
  void serve_waiters(Queue& q) REQUIRES(mu_);
  void arm_wake(Queue& q);
  void end_waiter(const std::string& queue_key, std::uint64_t waiter_id);
  void remove_message(Queue& q, std::uint64_t seq, std::vector<Mutation>& batch) REQUIRES(mu_);
  Mutation record_of(const Queue& q, const Message& m) const REQUIRES(mu_);
  Mutation record_of(const Queue& q) const REQUIRES(mu_);

  SqsOptions options_;
  mutable base::Mutex mu_;
  IdGenerator ids_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Queue>> queues_ GUARDED_BY(mu_);  // "account/name"
  std::unordered_map<std::string, Millis> deleted_ GUARDED_BY(mu_);       // key → deleted at
  std::uint64_t next_seq_ GUARDED_BY(mu_) = 1;
  std::uint64_t next_waiter_ GUARDED_BY(mu_) = 1;
  std::uint64_t last_sequence_number_ GUARDED_BY(mu_) = 0;
  std::size_t messages_ GUARDED_BY(mu_) = 0;
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace stepwise::services::sqs
