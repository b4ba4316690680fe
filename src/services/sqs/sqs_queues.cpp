// Queue operations: create, delete, URLs, listings, attributes, purge, tags.
#include <algorithm>

#include "base/arn.h"
#include "services/common/codec.h"
#include "services/sqs/sqs_internal.h"

namespace stepwise::services::sqs {
namespace {

// The read-only attributes GetQueueAttributes computes, in AWS's order for "All".
const std::vector<std::string>& computed_names() {
  static const std::vector<std::string> names = {"QueueArn",
                                                 "ApproximateNumberOfMessages",
                                                 "ApproximateNumberOfMessagesNotVisible",
                                                 "ApproximateNumberOfMessagesDelayed",
                                                 "CreatedTimestamp",
                                                 "LastModifiedTimestamp"};
  return names;
}

bool settable(const std::string& name) {
  static const char* const names[] = {"DelaySeconds",
                                      "MaximumMessageSize",
                                      "MessageRetentionPeriod",
                                      "ReceiveMessageWaitTimeSeconds",
                                      "VisibilityTimeout",
                                      "RedrivePolicy",
                                      "RedriveAllowPolicy",
                                      "Policy",
                                      "KmsMasterKeyId",
                                      "KmsDataKeyReusePeriodSeconds",
                                      "SqsManagedSseEnabled",
                                      "FifoQueue",
                                      "ContentBasedDeduplication",
                                      "DeduplicationScope",
                                      "FifoThroughputLimit"};
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

std::optional<api::ApiError> check_tags(const std::map<std::string, std::string>& tags) {
  if (tags.size() > sqs_limits::tags_max)
    return sqs_error("InvalidParameterValue", "Too many tags added for queue.");
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > sqs_limits::tag_key_bytes_max ||
        v.size() > sqs_limits::tag_value_bytes_max)
      return sqs_error("InvalidParameterValue", "Tag key or value is invalid: " + k + ".");
  }
  return std::nullopt;
}

}  // namespace

void Sqs::create_queue(const Json& r, const api::RequestInfo& info, api::Reply reply) {
  const std::string name = text_field(r, "QueueName");
  if (name.empty()) return reply(missing("QueueName"));
  api::ApiError error;
  auto attrs = attribute_map(field(r, "Attributes"), &error);
  if (!error.type.empty()) return reply(error);
  auto tags = attribute_map(field(r, "tags"), &error);
  if (!error.type.empty()) return reply(error);
  const bool fifo = attrs.count("FifoQueue") && attrs["FifoQueue"] == "true";
  if (!valid_queue_name(name, fifo)) {
    return reply(sqs_error(
        "InvalidParameterValue",
        fifo ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
               "underscores, must end with .fifo suffix and be 1 to 80 in length."
             : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
               "length"));
  }
  for (const auto& [k, v] : attrs)
    if (auto e = check_attribute(k, v, fifo, true)) return reply(*e);
  if (auto e = check_tags(tags)) return reply(*e);
  base::MutexLock lock(mu_);
  const Millis now = options_.clock.now_ms();
  const std::string key = options_.place.account + "/" + name;
  if (auto it = queues_.find(key); it != queues_.end()) {
    Queue& q = *it->second;
    for (const auto& [k, v] : attrs) {
      auto have = q.attributes.find(k);
      std::string current = have == q.attributes.end() ? "" : have->second;
      if (current != v)
        return reply(sqs_error("QueueNameExists",
                               "A queue already exists with the same name and a different value "
                               "for attribute " +
                                   k,
                               "QueueAlreadyExists"));
    }
    return reply(json::object{{"QueueUrl", queue_url(q, info)}});
  }
  if (auto d = deleted_.find(key);
      d != deleted_.end() && now - d->second < sqs_limits::deleted_recently_ms) {
    return reply(sqs_error("QueueDeletedRecently",
                           "You must wait 60 seconds after deleting a queue before you can "
                           "create another with the same name.",
                           "AWS.SimpleQueueService.QueueDeletedRecently"));
  }
  if (queues_.size() >= sqs_limits::queues_max)
    return reply(sqs_error("OverLimit", "Too many queues.", "OverLimit", 403));
  if (attrs.count("RedrivePolicy") && !attrs["RedrivePolicy"].empty()) {
    auto p = json::parse(attrs["RedrivePolicy"]);
    if (!queue_by_arn(text_field(p->get_object(), "deadLetterTargetArn")))
      return reply(invalid_value("RedrivePolicy", attrs["RedrivePolicy"],
                                 "Dead letter target does not exist."));
  }
  auto q = std::make_unique<Queue>();
  q->key = key;
  q->name = name;
  q->account = options_.place.account;
  q->arn = arn::make("sqs", options_.place.region, q->account, name);
  q->fifo = fifo;
  q->attributes = default_attributes(fifo);
  for (auto& [k, v] : attrs) q->attributes[k] = v;
  q->tags = std::move(tags);
  q->created_ms = q->modified_ms = now;
  q->refresh();
  std::vector<Mutation> batch{record_of(*q)};
  json::object answer{{"QueueUrl", queue_url(*q, info)}};
  queues_[key] = std::move(q);
  deleted_.erase(key);
  persist(std::move(batch), std::move(answer), std::move(reply));
}

void Sqs::delete_queue(const Json& r, api::Reply reply) {
  std::vector<std::pair<api::Reply, Timers::Id>> ending;
  {
    base::MutexLock lock(mu_);
    api::ApiError error;
    Queue* q = find_queue(r, &error);
    if (q == nullptr) return reply(error);
    std::vector<Mutation> batch;
    while (!q->messages.empty()) remove_message(*q, q->messages.begin()->first, batch);
    batch.push_back(Mutation{kQueuesNs, q->key, std::nullopt});
    for (auto& [id, w] : q->waiters) ending.emplace_back(std::move(w->reply), w->timer);
    if (q->wake_timer) options_.timers.cancel(q->wake_timer);
    deleted_[q->key] = options_.clock.now_ms();
    queues_.erase(q->key);
    persist(std::move(batch), json::object{}, std::move(reply));
  }
  for (auto& [w, timer] : ending) {
    options_.timers.cancel(timer);
    w(json::object{});
  }
}

api::Response Sqs::get_queue_url(const Json& r, const api::RequestInfo& info) {
  const std::string name = text_field(r, "QueueName");
  if (name.empty()) return missing("QueueName");
  std::string account = text_field(r, "QueueOwnerAWSAccountId");
  if (account.empty()) account = options_.place.account;
  base::MutexLock lock(mu_);
  auto it = queues_.find(account + "/" + name);
  if (it == queues_.end()) return no_such_queue();
  return json::object{{"QueueUrl", queue_url(*it->second, info)}};
}

api::Response Sqs::list_queues(const Json& r, const api::RequestInfo& info) {
  const std::string prefix = text_field(r, "QueueNamePrefix");
  IntField max = int_field(r, "MaxResults");
  if (max.error) return *max.error;
  if (max.value && (*max.value < 1 || *max.value > 1000))
    return invalid_value("MaxResults", std::to_string(*max.value),
                         "MaxResults must be an integer between 1 and 1000.");
  std::string after;
  if (std::string token = text_field(r, "NextToken"); !token.empty()) {
    auto decoded = base64_decode(token);
    if (!decoded) return sqs_error("InvalidParameterValue", "Invalid NextToken value.");
    after = *decoded;
  }
  const std::size_t limit =
      max.value ? static_cast<std::size_t>(*max.value) : sqs_limits::list_queues_max;
  base::MutexLock lock(mu_);
  json::array urls;
  std::string last;
  bool more = false;
  for (auto it = after.empty() ? queues_.begin() : queues_.upper_bound(after); it != queues_.end();
       ++it) {
    const Queue& q = *it->second;
    if (q.account != options_.place.account || !q.name.starts_with(prefix)) continue;
    if (urls.size() == limit) {
      more = true;
      break;
    }
    urls.push_back(json::value(queue_url(q, info)));
    last = q.key;
  }
  json::object out;
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (more && max.value) out["NextToken"] = base64_encode(last);
  return out;
}

api::Response Sqs::get_queue_attributes(const Json& r) {
  std::vector<std::string> names = list_field(r, "AttributeNames");
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return error;
  const Millis now = options_.clock.now_ms();
  std::vector<Mutation> batch;
  expire(*q, now, batch);
  persist_quietly(std::move(batch));
  std::int64_t visible = 0, in_flight = 0, delayed = 0;
  for (const auto& [seq, m] : q->messages) {
    if (m.visible_ms <= now) {
      ++visible;
    } else if (m.in_flight) {
      ++in_flight;
    } else {
      ++delayed;
    }
  }
  std::map<std::string, std::string> computed{
      {"QueueArn", q->arn},
      {"ApproximateNumberOfMessages", std::to_string(visible)},
      {"ApproximateNumberOfMessagesNotVisible", std::to_string(in_flight)},
      {"ApproximateNumberOfMessagesDelayed", std::to_string(delayed)},
      {"CreatedTimestamp", std::to_string(q->created_ms / 1000)},
      {"LastModifiedTimestamp", std::to_string(q->modified_ms / 1000)}};
  json::object attrs;
  const bool all = std::find(names.begin(), names.end(), "All") != names.end();
  for (const auto& n : names) {
    if (n == "All") continue;
    if (!computed.count(n) && !settable(n)) return invalid_attribute_name(n);
  }
  auto add = [&](const std::string& n) {
    if (auto c = computed.find(n); c != computed.end()) {
      attrs[n] = c->second;
    } else if (auto a = q->attributes.find(n); a != q->attributes.end() && !a->second.empty()) {
      attrs[n] = a->second;
    }
  };
  if (all) {
    for (const auto& n : computed_names()) add(n);
    for (const auto& [n, v] : q->attributes) add(n);
  } else {
    for (const auto& n : names) add(n);
  }
  json::object out;
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  return out;
}

void Sqs::set_queue_attributes(const Json& r, api::Reply reply) {
  api::ApiError error;
  auto attrs = attribute_map(field(r, "Attributes"), &error);
  if (!error.type.empty()) return reply(error);
  base::MutexLock lock(mu_);
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  for (const auto& [k, v] : attrs)
    if (auto e = check_attribute(k, v, q->fifo, false)) return reply(*e);
  if (attrs.count("RedrivePolicy") && !attrs["RedrivePolicy"].empty()) {
    auto p = json::parse(attrs["RedrivePolicy"]);
    Queue* dlq = queue_by_arn(text_field(p->get_object(), "deadLetterTargetArn"));
    if (dlq == nullptr)
      return reply(invalid_value("RedrivePolicy", attrs["RedrivePolicy"],
                                 "Dead letter target does not exist."));
    if (dlq->fifo != q->fifo)
      return reply(invalid_value("RedrivePolicy", attrs["RedrivePolicy"],
                                 "Dead-letter queue must be same type of queue as the source."));
  }
  for (auto& [k, v] : attrs) q->attributes[k] = v;
  q->modified_ms = options_.clock.now_ms();
  q->refresh();
  persist({record_of(*q)}, json::object{}, std::move(reply));
  // A shorter wait or delay may make messages due earlier for a waiting poll.
  serve_waiters(*q);
}

void Sqs::purge_queue(const Json& r, api::Reply reply) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  const Millis now = options_.clock.now_ms();
  if (q->last_purge_ms >= 0 && now - q->last_purge_ms < sqs_limits::purge_interval_ms) {
    return reply(
        sqs_error("PurgeQueueInProgress",
                  "Only one PurgeQueue operation on " + q->name + " is allowed every 60 seconds.",
                  "AWS.SimpleQueueService.PurgeQueueInProgress", 403));
  }
  std::vector<Mutation> batch;
  while (!q->messages.empty()) remove_message(*q, q->messages.begin()->first, batch);
  q->last_purge_ms = now;
  batch.push_back(record_of(*q));
  persist(std::move(batch), json::object{}, std::move(reply));
}

void Sqs::tag_queue(const Json& r, api::Reply reply, bool untag) {
  api::ApiError error;
  auto tags = attribute_map(field(r, "Tags"), &error);
  if (!error.type.empty()) return reply(error);
  std::vector<std::string> keys = list_field(r, "TagKeys");
  base::MutexLock lock(mu_);
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  auto next = q->tags;
  if (untag) {
    for (const auto& k : keys) next.erase(k);
  } else {
    for (auto& [k, v] : tags) next[k] = v;
  }
  if (auto e = check_tags(next)) return reply(*e);
  q->tags = std::move(next);
  persist({record_of(*q)}, json::object{}, std::move(reply));
}

api::Response Sqs::list_queue_tags(const Json& r) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return error;
  json::object out;
  if (!q->tags.empty()) {
    json::object tags;
    for (const auto& [k, v] : q->tags) tags[k] = v;
    out["Tags"] = std::move(tags);
  }
  return out;
}

api::Response Sqs::list_dead_letter_source_queues(const Json& r, const api::RequestInfo& info) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return error;
  json::array urls;
  for (const auto& [key, source] : queues_)
    if (source->dlq_arn == q->arn) urls.push_back(json::value(queue_url(*source, info)));
  return json::object{{"queueUrls", std::move(urls)}};
}

}  // namespace stepwise::services::sqs
