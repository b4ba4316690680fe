// Message operations: send, receive (long polls), delete, visibility; FIFO and dead letters.
#include <algorithm>
#include <set>

#include "services/common/codec.h"
#include "services/sqs/sqs_internal.h"

namespace stepwise::services::sqs {
namespace {

api::ApiError not_valid_for_queue_type(std::string_view parameter, std::string_view value) {
  return invalid_value(parameter, value,
                       "The request include parameter that is not valid for this queue type.");
}

api::ApiError invalid_receipt(std::string_view handle) {
  return sqs_error("ReceiptHandleIsInvalid", "The input receipt handle \"" + std::string(handle) +
                                                 "\" is not a valid receipt handle.");
}

bool wants(const std::vector<std::string>& names, std::string_view name) {
  for (const auto& n : names) {
    if (n == "All" || n == ".*" || n == name) return true;
    if (n.ends_with(".*") && name.starts_with(std::string_view(n).substr(0, n.size() - 1)))
      return true;
  }
  return false;
}

const std::set<std::string>& system_attribute_names() {
  static const std::set<std::string> names = {"All",
                                              "SenderId",
                                              "SentTimestamp",
                                              "ApproximateReceiveCount",
                                              "ApproximateFirstReceiveTimestamp",
                                              "SequenceNumber",
                                              "MessageDeduplicationId",
                                              "MessageGroupId",
                                              "AWSTraceHeader",
                                              "DeadLetterQueueSourceArn"};
  return names;
}

// Batch requests' shared checks: AWS's errors for an empty, oversized or ambiguous batch.
std::optional<api::ApiError> check_batch(const json::object& r, std::string_view entry_name,
                                         const json::array** entries) {
  const json::value* v = field(r, "Entries");
  if (v == nullptr || !v->is_array() || v->get_array().empty())
    return sqs_error("EmptyBatchRequest",
                     "There should be at least one " + std::string(entry_name) + " in the request.",
                     "AWS.SimpleQueueService.EmptyBatchRequest");
  const auto& a = v->get_array();
  if (a.size() > sqs_limits::batch_entries_max)
    return sqs_error("TooManyEntriesInBatchRequest",
                     "Maximum number of entries per request are 10. You have sent " +
                         std::to_string(a.size()) + ".",
                     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
  std::set<std::string> ids;
  for (const auto& e : a) {
    std::string id = e.is_object() ? text_field(e.get_object(), "Id") : "";
    if (!valid_batch_id(id))
      return sqs_error("InvalidBatchEntryId",
                       "A batch entry id can only contain alphanumeric characters, hyphens and "
                       "underscores. It can be at most 80 letters long.",
                       "AWS.SimpleQueueService.InvalidBatchEntryId");
    if (!ids.insert(id).second)
      return sqs_error("BatchEntryIdsNotDistinct", "Id " + id + " repeated.",
                       "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
  }
  *entries = &a;
  return std::nullopt;
}

json::object failed_entry(const std::string& id, const api::ApiError& e) {
  return json::object{{"Id", id},
                      {"SenderFault", e.status < 500},
                      {"Code", e.query_code.empty() ? e.type : e.query_code},
                      {"Message", e.message}};
}

std::string sequence_text(std::uint64_t n) {
  std::string digits = std::to_string(n);
  return std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits;
}

}  // namespace

std::optional<api::ApiError> Sqs::check_send(Queue& q, const Json& r, SendEntry& e) {
  const json::value* body = field(r, "MessageBody");
  if (body == nullptr || !body->is_string() || body->get_string().empty())
    return missing("MessageBody");
  e.body = std::string(body->get_string());
  if (!valid_message_characters(e.body))
    return sqs_error("InvalidMessageContents",
                     "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                     "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  if (auto err = parse_attributes(field(r, "MessageAttributes"), false, e.attributes)) return err;
  if (auto err = parse_attributes(field(r, "MessageSystemAttributes"), true, e.system_attributes))
    return err;
  const std::size_t size = e.body.size() + attributes_size(e.attributes);
  if (static_cast<std::int64_t>(size) > q.max_size)
    return sqs_error("InvalidParameterValue",
                     "One or more parameters are invalid. Reason: Message must be shorter than " +
                         std::to_string(q.max_size) + " bytes.");
  IntField delay = int_field(r, "DelaySeconds");
  if (delay.error) return delay.error;
  if (delay.value && (*delay.value < 0 || *delay.value > sqs_limits::delay_seconds_max))
    return invalid_value("DelaySeconds", std::to_string(*delay.value),
                         "Must be >= 0 and <= 900, if provided.");
  if (delay.value && q.fifo && *delay.value != 0)
    return not_valid_for_queue_type("DelaySeconds", std::to_string(*delay.value));
  e.delay_s = delay.value.value_or(q.delay_s);
  e.group_id = text_field(r, "MessageGroupId");
  e.dedup_id = text_field(r, "MessageDeduplicationId");
  if (!q.fifo && !e.dedup_id.empty())
    return not_valid_for_queue_type("MessageDeduplicationId", e.dedup_id);
  if (e.group_id.size() > sqs_limits::group_id_bytes_max)
    return invalid_value("MessageGroupId", e.group_id,
                         "MessageGroupId can only include "
                         "alphanumeric and punctuation characters. 1 to 128 in length.");
  if (e.dedup_id.size() > sqs_limits::dedup_id_bytes_max)
    return invalid_value("MessageDeduplicationId", e.dedup_id,
                         "MessageDeduplicationId can only "
                         "include alphanumeric and punctuation characters. 1 to 128 in length.");
  if (q.fifo) {
    if (e.group_id.empty()) return missing("MessageGroupId");
    if (e.dedup_id.empty() && !q.content_dedup)
      return sqs_error("InvalidParameterValue",
                       "The queue should either have ContentBasedDeduplication enabled or "
                       "MessageDeduplicationId provided explicitly");
    if (e.dedup_id.empty()) e.dedup_id = md5_hex(e.body);  // AWS uses SHA-256; any digest does
  }
  if (messages_ >= sqs_limits::messages_max)
    return sqs_error("OverLimit", "This server holds too many messages.", "OverLimit", 403);
  return std::nullopt;
}

json::object Sqs::enqueue(Queue& q, SendEntry& e, std::vector<Mutation>& batch) {
  const Millis now = options_.clock.now_ms();
  json::object out;
  std::string dedup_key;
  if (q.fifo) {
    dedup_key = q.dedup_per_group ? e.group_id + "\n" + e.dedup_id : e.dedup_id;
    if (auto d = q.dedup.find(dedup_key); d != q.dedup.end() && d->second.expires_ms > now) {
      // A duplicate within the interval: accepted, not enqueued, the first send's answer.
      out["MD5OfMessageBody"] = md5_hex(e.body);
      if (!e.attributes.empty()) out["MD5OfMessageAttributes"] = attributes_md5(e.attributes);
      out["MessageId"] = d->second.message_id;
      out["SequenceNumber"] = d->second.sequence_number;
      return out;
    }
  }
  Message m;
  m.seq = next_seq_++;
  m.id = ids_.uuid_v4();
  m.body = std::move(e.body);
  m.attributes = std::move(e.attributes);
  m.system_attributes = std::move(e.system_attributes);
  m.md5_body = md5_hex(m.body);
  m.md5_attributes = attributes_md5(m.attributes);
  m.md5_system_attributes = attributes_md5(m.system_attributes);
  m.sent_ms = now;
  m.visible_ms = now + e.delay_s * 1000;
  m.sender_id = e.sender_id;
  m.group_id = e.group_id;
  if (q.fifo) {
    m.dedup_id = e.dedup_id;
    // 20 digits, increasing across restarts: time-based, bumped past the last one given.
    const std::uint64_t base = static_cast<std::uint64_t>(std::max<Millis>(now, 0)) * 1'000'000;
    last_sequence_number_ = std::max(last_sequence_number_ + 1, base);
    m.sequence_number = sequence_text(last_sequence_number_);
    q.dedup[dedup_key] = {now + sqs_limits::dedup_window_ms, m.id, m.sequence_number};
  }
  out["MD5OfMessageBody"] = m.md5_body;
  if (!m.md5_attributes.empty()) out["MD5OfMessageAttributes"] = m.md5_attributes;
  if (!m.md5_system_attributes.empty())
    out["MD5OfMessageSystemAttributes"] = m.md5_system_attributes;
  out["MessageId"] = m.id;
  if (q.fifo) out["SequenceNumber"] = m.sequence_number;
  batch.push_back(record_of(q, m));
  q.by_visible.insert({m.visible_ms, m.seq});
  q.messages.emplace(m.seq, std::move(m));
  ++messages_;
  return out;
}

void Sqs::send_message(const Json& r, api::Reply reply) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  SendEntry e;
  e.sender_id = options_.place.account;
  if (auto err = check_send(*q, r, e)) return reply(*err);
  std::vector<Mutation> batch;
  expire(*q, options_.clock.now_ms(), batch);
  json::object answer = enqueue(*q, e, batch);
  persist(std::move(batch), std::move(answer), std::move(reply));
  serve_waiters(*q);
}

void Sqs::send_message_batch(const Json& r, api::Reply reply) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  const json::array* entries = nullptr;
  if (auto e = check_batch(r, "SendMessageBatchRequestEntry", &entries)) return reply(*e);
  std::size_t total = 0;
  for (const auto& v : *entries) {
    const auto& o = v.get_object();
    total += text_field(o, "MessageBody").size();
    SendEntry size_only;
    if (!parse_attributes(field(o, "MessageAttributes"), false, size_only.attributes))
      total += attributes_size(size_only.attributes);
  }
  if (total > sqs_limits::message_bytes_max)
    return reply(sqs_error("BatchRequestTooLong",
                           "Batch requests cannot be longer than 262144 bytes. You have sent " +
                               std::to_string(total) + " bytes.",
                           "AWS.SimpleQueueService.BatchRequestTooLong"));
  std::vector<Mutation> batch;
  expire(*q, options_.clock.now_ms(), batch);
  json::array ok, failed;
  for (const auto& v : *entries) {
    const auto& o = v.get_object();
    const std::string id = text_field(o, "Id");
    SendEntry e;
    e.sender_id = options_.place.account;
    if (auto err = check_send(*q, o, e)) {
      failed.push_back(failed_entry(id, *err));
      continue;
    }
    json::object answer = enqueue(*q, e, batch);
    answer["Id"] = id;
    ok.push_back(std::move(answer));
  }
  json::object out;
  out["Successful"] = std::move(ok);
  out["Failed"] = std::move(failed);
  persist(std::move(batch), std::move(out), std::move(reply));
  serve_waiters(*q);
}

void Sqs::receive_message(const Json& r, const api::RequestInfo& info, api::Reply reply) {
  IntField max = int_field(r, "MaxNumberOfMessages");
  if (max.error) return reply(*max.error);
  if (max.value && (*max.value < 1 || *max.value > 10))
    return reply(invalid_value("MaxNumberOfMessages", std::to_string(*max.value),
                               "Must be between 1 and 10, if provided."));
  IntField visibility = int_field(r, "VisibilityTimeout");
  if (visibility.error) return reply(*visibility.error);
  if (visibility.value &&
      (*visibility.value < 0 || *visibility.value > sqs_limits::visibility_seconds_max))
    return reply(invalid_value("VisibilityTimeout", std::to_string(*visibility.value),
                               "Must be >= 0 and <= 43200, if provided."));
  IntField wait = int_field(r, "WaitTimeSeconds");
  if (wait.error) return reply(*wait.error);
  if (wait.value && (*wait.value < 0 || *wait.value > sqs_limits::wait_seconds_max))
    return reply(invalid_value("WaitTimeSeconds", std::to_string(*wait.value),
                               "Must be >= 0 and <= 20, if provided."));
  auto w = std::make_unique<Waiter>();
  w->max = static_cast<std::size_t>(max.value.value_or(1));
  w->visibility_s = visibility.value;
  w->system_names = list_field(r, "AttributeNames");
  for (auto& n : list_field(r, "MessageSystemAttributeNames")) w->system_names.push_back(n);
  for (const auto& n : w->system_names)
    if (!system_attribute_names().count(n)) return reply(invalid_attribute_name(n));
  w->attribute_names = list_field(r, "MessageAttributeNames");
  w->sender_id = info.access_key_id.empty() ? options_.place.account : info.access_key_id;
  w->gone = info.client_gone;
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  std::vector<Mutation> batch;
  expire(*q, options_.clock.now_ms(), batch);
  json::array got = take(*q, *w, batch);
  persist_quietly(std::move(batch));
  const std::int64_t wait_s = wait.value.value_or(q->wait_s);
  if (!got.empty() || wait_s == 0 || stopped_) {
    json::object out;
    if (!got.empty()) out["Messages"] = std::move(got);
    return reply(std::move(out));
  }
  if (q->waiters.size() >= sqs_limits::waiters_per_queue_max)
    return reply(json::object{});  // too many polls already held: answer empty at once
  w->id = next_waiter_++;
  w->reply = std::move(reply);
  w->timer = options_.timers.after(wait_s * 1000,
                                   [this, key = q->key, id = w->id] { end_waiter(key, id); });
  q->waiters.emplace(w->id, std::move(w));
  arm_wake(*q);
}

json::array Sqs::take(Queue& q, const Waiter& w, std::vector<Mutation>& batch) {
  const Millis now = options_.clock.now_ms();
  json::array out;
  // Candidates in delivery order: FIFO by arrival, skipping groups with a message in flight;
  // standard by the time they became visible.
  std::vector<std::uint64_t> candidates;
  if (q.fifo) {
    std::set<std::string> blocked;
    for (auto& [seq, m] : q.messages) {
      if (m.visible_ms > now) {
        if (m.in_flight) blocked.insert(m.group_id);
        continue;
      }
      if (blocked.count(m.group_id)) continue;
      candidates.push_back(seq);
      if (candidates.size() >= w.max * 4 + 16) break;  // enough even after redrives
    }
  } else {
    for (auto it = q.by_visible.begin(); it != q.by_visible.end() && it->first <= now; ++it) {
      candidates.push_back(it->second);
      if (candidates.size() >= w.max * 4 + 16) break;
    }
  }
  Queue* dlq = q.max_receive > 0 ? queue_by_arn(q.dlq_arn) : nullptr;
  std::set<std::string> taken_groups;
  for (std::uint64_t seq : candidates) {
    if (out.size() >= w.max) break;
    auto it = q.messages.find(seq);
    if (it == q.messages.end()) continue;
    Message& m = it->second;
    if (dlq && dlq != &q && m.receive_count >= q.max_receive) {
      Message moved = m;
      remove_message(q, seq, batch);
      moved.seq = next_seq_++;
      moved.receive_count = 0;
      moved.first_receive_ms = 0;
      moved.receipt = 0;
      moved.in_flight = false;
      moved.visible_ms = now;
      moved.dead_letter_source_arn = q.arn;
      batch.push_back(record_of(*dlq, moved));
      dlq->by_visible.insert({moved.visible_ms, moved.seq});
      dlq->messages.emplace(moved.seq, std::move(moved));
      ++messages_;
      continue;
    }
    q.by_visible.erase({m.visible_ms, seq});
    m.receive_count += 1;
    if (m.first_receive_ms == 0) m.first_receive_ms = now;
    m.receipt = (ids_.next_u64() >> 1) | 1;
    m.in_flight = true;
    m.visible_ms = now + w.visibility_s.value_or(q.visibility_s) * 1000;
    q.by_visible.insert({m.visible_ms, seq});
    batch.push_back(record_of(q, m));
    json::object o{{"MessageId", m.id},
                   {"ReceiptHandle", receipt_handle(q.key, seq, m.receipt)},
                   {"MD5OfBody", m.md5_body},
                   {"Body", m.body}};
    json::object attrs;
    auto put = [&](const char* name, const std::string& value) {
      if (!value.empty() && wants(w.system_names, name)) attrs[name] = value;
    };
    put("SenderId", m.sender_id);
    put("SentTimestamp", std::to_string(m.sent_ms));
    put("ApproximateReceiveCount", std::to_string(m.receive_count));
    put("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
    if (q.fifo) {
      put("SequenceNumber", m.sequence_number);
      put("MessageDeduplicationId", m.dedup_id);
    }
    put("MessageGroupId", m.group_id);
    if (auto t = m.system_attributes.find("AWSTraceHeader"); t != m.system_attributes.end())
      put("AWSTraceHeader", t->second.value);
    put("DeadLetterQueueSourceArn", m.dead_letter_source_arn);
    if (!attrs.empty()) o["Attributes"] = std::move(attrs);
    AttributeMap selected;
    for (const auto& [name, a] : m.attributes)
      if (wants(w.attribute_names, name)) selected[name] = a;
    if (!selected.empty()) {
      o["MD5OfMessageAttributes"] = attributes_md5(selected);
      o["MessageAttributes"] = attributes_json(selected);
    }
    out.push_back(std::move(o));
  }
  return out;
}

void Sqs::serve_waiters(Queue& q) {
  if (q.waiters.empty()) return;
  std::vector<Mutation> batch;
  for (auto it = q.waiters.begin(); it != q.waiters.end();) {
    Waiter& w = *it->second;
    if (w.gone && w.gone->load()) {  // the client left: nothing is taken for it
      options_.timers.cancel(w.timer);
      w.reply(json::object{});
      it = q.waiters.erase(it);
      continue;
    }
    json::array got = take(q, w, batch);
    if (got.empty()) break;  // nothing more for anyone behind it either
    options_.timers.cancel(w.timer);
    w.reply(json::object{{"Messages", std::move(got)}});
    it = q.waiters.erase(it);
  }
  persist_quietly(std::move(batch));
  arm_wake(q);
}

void Sqs::arm_wake(Queue& q) {
  if (q.waiters.empty()) return;
  const Millis now = options_.clock.now_ms();
  auto next = q.by_visible.upper_bound({now, ~std::uint64_t{0}});
  if (next == q.by_visible.end()) return;
  const Millis at = next->first;
  if (q.wake_timer != 0 && q.wake_at_ms <= at) return;
  if (q.wake_timer != 0) options_.timers.cancel(q.wake_timer);
  q.wake_at_ms = at;
  q.wake_timer = options_.timers.after(at - now, [this, key = q.key] {
    base::MutexLock lock(mu_);
    auto it = queues_.find(key);
    if (it == queues_.end()) return;
    it->second->wake_timer = 0;
    serve_waiters(*it->second);
  });
}

void Sqs::end_waiter(const std::string& queue_key, std::uint64_t waiter_id) {
  base::MutexLock lock(mu_);
  auto q = queues_.find(queue_key);
  if (q == queues_.end()) return;
  auto it = q->second->waiters.find(waiter_id);
  if (it == q->second->waiters.end()) return;
  auto w = std::move(it->second);
  q->second->waiters.erase(it);
  // One last look: a message may have become visible without a wake (a manual clock).
  std::vector<Mutation> batch;
  json::array got = take(*q->second, *w, batch);
  persist_quietly(std::move(batch));
  json::object out;
  if (!got.empty()) out["Messages"] = std::move(got);
  w->reply(std::move(out));
}

void Sqs::delete_message(const Json& r, api::Reply reply) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  const std::string handle = text_field(r, "ReceiptHandle");
  if (handle.empty()) return reply(missing("ReceiptHandle"));
  auto receipt = parse_receipt(handle);
  if (!receipt || receipt->queue_key != q->key) return reply(invalid_receipt(handle));
  std::vector<Mutation> batch;
  auto it = q->messages.find(receipt->seq);
  // An older receipt of a message received again since, or of one already gone, succeeds
  // without deleting anything, as AWS does.
  if (it != q->messages.end() && it->second.receipt == receipt->nonce)
    remove_message(*q, receipt->seq, batch);
  persist(std::move(batch), json::object{}, std::move(reply));
}

void Sqs::delete_message_batch(const Json& r, api::Reply reply) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return reply(error);
  const json::array* entries = nullptr;
  if (auto e = check_batch(r, "DeleteMessageBatchRequestEntry", &entries)) return reply(*e);
  std::vector<Mutation> batch;
  json::array ok, failed;
  for (const auto& v : *entries) {
    const auto& o = v.get_object();
    const std::string id = text_field(o, "Id");
    const std::string handle = text_field(o, "ReceiptHandle");
    auto receipt = parse_receipt(handle);
    if (!receipt || receipt->queue_key != q->key) {
      failed.push_back(failed_entry(id, invalid_receipt(handle)));
      continue;
    }
    auto it = q->messages.find(receipt->seq);
    if (it != q->messages.end() && it->second.receipt == receipt->nonce)
      remove_message(*q, receipt->seq, batch);
    ok.push_back(json::object{{"Id", id}});
  }
  json::object out;
  out["Successful"] = std::move(ok);
  out["Failed"] = std::move(failed);
  persist(std::move(batch), std::move(out), std::move(reply));
}

api::Response Sqs::change_visibility(const Json& r) {
  base::MutexLock lock(mu_);
  api::ApiError error;
  Queue* q = find_queue(r, &error);
  if (q == nullptr) return error;
  const std::string handle = text_field(r, "ReceiptHandle");
  if (handle.empty()) return missing("ReceiptHandle");
  IntField t = int_field(r, "VisibilityTimeout");
  if (t.error) return *t.error;
  if (!t.value) return missing("VisibilityTimeout");
  if (*t.value < 0 || *t.value > sqs_limits::visibility_seconds_max)
    return invalid_value("VisibilityTimeout", std::to_string(*t.value),
                         "Must be between 0 and 43200, if provided.");
  auto receipt = parse_receipt(handle);
  if (!receipt || receipt->queue_key != q->key) return invalid_receipt(handle);
  const Millis now = options_.clock.now_ms();
  auto it = q->messages.find(receipt->seq);
  if (it == q->messages.end() || !it->second.in_flight || it->second.visible_ms <= now ||
      it->second.receipt != receipt->nonce)
    return sqs_error("MessageNotInflight",
                     "Message does not exist or is not available for visibility timeout change.",
                     "AWS.SimpleQueueService.MessageNotInflight");
  Message& m = it->second;
  q->by_visible.erase({m.visible_ms, m.seq});
  m.visible_ms = now + *t.value * 1000;
  q->by_visible.insert({m.visible_ms, m.seq});
  persist_quietly({record_of(*q, m)});
  if (*t.value == 0) {
    serve_waiters(*q);
  } else {
    arm_wake(*q);
  }
  return json::object{};
}

api::Response Sqs::change_visibility_batch(const Json& r) {
  const json::array* entries = nullptr;
  if (auto e = check_batch(r, "ChangeMessageVisibilityBatchRequestEntry", &entries)) return *e;
  {
    base::MutexLock lock(mu_);
    api::ApiError error;
    if (find_queue(r, &error) == nullptr) return error;
  }
  json::array ok, failed;
  for (const auto& v : *entries) {
    json::object one = v.get_object();
    one["QueueUrl"] = text_field(r, "QueueUrl");
    const std::string id = text_field(one, "Id");
    api::Response res = change_visibility(one);
    if (res.is_error()) {
      failed.push_back(failed_entry(id, res.error()));
    } else {
      ok.push_back(json::object{{"Id", id}});
    }
  }
  return json::object{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
}

}  // namespace stepwise::services::sqs
