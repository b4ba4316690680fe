#include "services/sqs/sqs.h"

#include <utility>

#include "base/arn.h"
#include "services/sqs/sqs_internal.h"

namespace stepwise::services::sqs {
namespace {

constexpr const char* kMessagesNs = "sqs.messages";

// The "account/name" a queue URL names: its path's last two segments, whatever the host (the
// queue URLs clients hold may name another host, e.g. one behind a proxy).
std::string key_of_url(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
    auto slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  while (url.starts_with('/')) url.remove_prefix(1);
  while (url.ends_with('/')) url.remove_suffix(1);
  auto slash = url.find('/');
  if (slash == std::string_view::npos || url.find('/', slash + 1) != std::string_view::npos)
    return "";
  return std::string(url);
}

}  // namespace

Sqs::Sqs(SqsOptions options) : options_(std::move(options)), ids_(options_.id_seed) {}

Sqs::~Sqs() { stop(); }

const std::vector<std::string>& Sqs::operation_names() {
  static const std::vector<std::string> names = {"CreateQueue",
                                                 "DeleteQueue",
                                                 "GetQueueUrl",
                                                 "ListQueues",
                                                 "GetQueueAttributes",
                                                 "SetQueueAttributes",
                                                 "PurgeQueue",
                                                 "TagQueue",
                                                 "UntagQueue",
                                                 "ListQueueTags",
                                                 "SendMessage",
                                                 "SendMessageBatch",
                                                 "ReceiveMessage",
                                                 "DeleteMessage",
                                                 "DeleteMessageBatch",
                                                 "ChangeMessageVisibility",
                                                 "ChangeMessageVisibilityBatch",
                                                 "ListDeadLetterSourceQueues"};
  return names;
}

void Sqs::dispatch(std::string_view op, json::value request, const api::RequestInfo& info,
                   api::Reply reply) {
  if (request.is_null()) request = json::object();
  if (!request.is_object()) {
    reply(api::ApiError{"SerializationException", "The request body must be a JSON object."});
    return;
  }
  const Json& r = request.get_object();
  if (op == "SendMessage") return send_message(r, std::move(reply));
  if (op == "ReceiveMessage") return receive_message(r, info, std::move(reply));
  if (op == "DeleteMessage") return delete_message(r, std::move(reply));
  if (op == "SendMessageBatch") return send_message_batch(r, std::move(reply));
  if (op == "DeleteMessageBatch") return delete_message_batch(r, std::move(reply));
  if (op == "ChangeMessageVisibility") return reply(change_visibility(r));
  if (op == "ChangeMessageVisibilityBatch") return reply(change_visibility_batch(r));
  if (op == "CreateQueue") return create_queue(r, info, std::move(reply));
  if (op == "DeleteQueue") return delete_queue(r, std::move(reply));
  if (op == "GetQueueUrl") return reply(get_queue_url(r, info));
  if (op == "ListQueues") return reply(list_queues(r, info));
  if (op == "GetQueueAttributes") return reply(get_queue_attributes(r));
  if (op == "SetQueueAttributes") return set_queue_attributes(r, std::move(reply));
  if (op == "PurgeQueue") return purge_queue(r, std::move(reply));
  if (op == "TagQueue") return tag_queue(r, std::move(reply), false);
  if (op == "UntagQueue") return tag_queue(r, std::move(reply), true);
  if (op == "ListQueueTags") return reply(list_queue_tags(r));
  if (op == "ListDeadLetterSourceQueues") return reply(list_dead_letter_source_queues(r, info));
  reply(api::unknown_operation(op));
}

void Sqs::persist(std::vector<Mutation> batch, api::Response answer, api::Reply reply) {
  auto shared = std::make_shared<api::Response>(std::move(answer));
  options_.log.write(std::move(batch), [shared, reply = std::move(reply)](Status s) {
    if (!s.ok()) {
      reply(api::ApiError::internal("The write could not be made durable: " + s.error().cause));
      return;
    }
    reply(std::move(*shared));
  });
}

void Sqs::persist_quietly(std::vector<Mutation> batch) {
  if (!batch.empty()) options_.log.write(std::move(batch), nullptr);
}

Sqs::Queue* Sqs::find_queue(const Json& r, api::ApiError* error) {
  std::string url = text_field(r, "QueueUrl");
  if (url.empty()) {
    *error = missing("QueueUrl");
    return nullptr;
  }
  auto it = queues_.find(key_of_url(url));
  if (it == queues_.end()) {
    *error = no_such_queue();
    return nullptr;
  }
  return it->second.get();
}

Sqs::Queue* Sqs::queue_by_arn(const std::string& arn) {
  // arn:aws:sqs:<region>:<account>:<name>
  auto last = arn.rfind(':');
  if (last == std::string::npos) return nullptr;
  auto before = arn.rfind(':', last - 1);
  if (before == std::string::npos) return nullptr;
  std::string key = arn.substr(before + 1, last - before - 1) + "/" + arn.substr(last + 1);
  auto it = queues_.find(key);
  return it == queues_.end() || it->second->arn != arn ? nullptr : it->second.get();
}

std::string Sqs::queue_url(const Queue& q, const api::RequestInfo& info) const {
  std::string base = info.host.empty() ? options_.place.endpoint : "http://" + info.host;
  return base + "/" + q.key;
}

Mutation Sqs::record_of(const Queue& q, const Message& m) const {
  return Mutation{kMessagesNs, seq_key(q.key, m.seq), message_record(m)};
}

Mutation Sqs::record_of(const Queue& q) const {
  json::object attrs, tags;
  for (const auto& [k, v] : q.attributes) attrs[k] = v;
  for (const auto& [k, v] : q.tags) tags[k] = v;
  json::object o{{"name", q.name},
                 {"account", q.account},
                 {"fifo", q.fifo},
                 {"attributes", attrs},
                 {"tags", tags},
                 {"created", q.created_ms},
                 {"modified", q.modified_ms},
                 {"purged", q.last_purge_ms}};
  return Mutation{kQueuesNs, q.key, json::dump(o)};
}

void Sqs::remove_message(Queue& q, std::uint64_t seq, std::vector<Mutation>& batch) {
  auto it = q.messages.find(seq);
  if (it == q.messages.end()) return;
  q.by_visible.erase({it->second.visible_ms, seq});
  q.messages.erase(it);
  --messages_;
  batch.push_back(Mutation{kMessagesNs, seq_key(q.key, seq), std::nullopt});
}

void Sqs::expire(Queue& q, Millis now, std::vector<Mutation>& batch) {
  const Millis keep_ms = q.retention_s * 1000;
  while (!q.messages.empty()) {
    auto& m = q.messages.begin()->second;
    if (m.sent_ms + keep_ms > now) break;
    remove_message(q, m.seq, batch);
  }
  for (auto it = q.dedup.begin(); it != q.dedup.end();) {
    it = it->second.expires_ms <= now ? q.dedup.erase(it) : std::next(it);
  }
}

Status Sqs::load(std::size_t* damaged) {
  std::size_t bad = 0;
  base::MutexLock lock(mu_);
  // Each loader runs inside load_json_objects, while this function holds mu_.
  auto each_queue = [&](const Record& rec, const json::object& o) REQUIRES(mu_) {
    auto q = std::make_unique<Queue>();
    q->key = rec.key;
    q->name = text_field(o, "name");
    q->account = text_field(o, "account");
    q->fifo = text_field(o, "fifo") == "true";
    q->arn = arn::make("sqs", options_.place.region, q->account, q->name);
    api::ApiError ignored;
    q->attributes = attribute_map(field(o, "attributes"), &ignored);
    q->tags = attribute_map(field(o, "tags"), &ignored);
    q->created_ms = int_field(o, "created").value.value_or(0);
    q->modified_ms = int_field(o, "modified").value.value_or(0);
    q->last_purge_ms = int_field(o, "purged").value.value_or(-1);
    q->refresh();
    queues_[q->key] = std::move(q);
    return true;
  };
  if (auto st = load_json_objects(options_.log, kQueuesNs, bad, each_queue); !st.ok()) return st;
  auto messages = options_.log.load(kMessagesNs);
  if (!messages.ok()) return messages.error();
  for (const auto& rec : *messages) {
    auto slash = rec.key.rfind('/');
    auto q = slash == std::string::npos ? queues_.end() : queues_.find(rec.key.substr(0, slash));
    auto m = message_from_record(rec.value);
    if (q == queues_.end() || !m) {
      ++bad;
      continue;
    }
    next_seq_ = std::max(next_seq_, m->seq + 1);
    q->second->by_visible.insert({m->visible_ms, m->seq});
    q->second->messages.emplace(m->seq, std::move(*m));
    ++messages_;
  }
  if (damaged) *damaged = bad;
  return ok_status();
}

void Sqs::stop() {
  std::vector<std::pair<api::Reply, Timers::Id>> ending;
  {
    base::MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [key, q] : queues_) {
      for (auto& [id, w] : q->waiters) ending.emplace_back(std::move(w->reply), w->timer);
      q->waiters.clear();
      if (q->wake_timer) options_.timers.cancel(q->wake_timer);
      q->wake_timer = 0;
    }
  }
  for (auto& [reply, timer] : ending) {
    options_.timers.cancel(timer);
    reply(json::object{});
  }
}

std::size_t Sqs::message_count() const {
  base::MutexLock lock(mu_);
  return messages_;
}

}  // namespace stepwise::services::sqs
