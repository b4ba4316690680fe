// LiveHub: coalescing engine changes and pushing them to the console's event streams.
#include "console/live_hub.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "api/protocol.h"
#include "json/json.h"

namespace stepwise::console {

LiveHub::LiveHub() : thread_([this] { run(); }) {}

LiveHub::~LiveHub() {
  {
    base::MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (auto& c : clients_) c.sink->close();
}

void LiveHub::changed(const store::ExecutionRecord& row) {
  {
    base::MutexLock lock(mu_);
    ++seen_;
    if (clients_.empty()) return;  // nobody watches: nothing to copy
    auto it = pending_.find(row.arn);
    if (it == pending_.end()) {
      if (pending_.size() >= hub_limits::pending_changes_max) {
        ++dropped_;
        overflowed_ = true;
        return;
      }
      it = pending_.emplace(row.arn, Change{}).first;
    }
    Change& c = it->second;
    if (c.arn.empty()) {
      c.arn = row.arn;
      c.state_machine_arn = row.state_machine_arn;
      c.name = row.name;
    }
    c.status = row.status;
    c.history_count = row.history_count;
    c.redrive_count = row.redrive_count;
    c.start_ms = row.start_ms;
    c.stop_ms = row.stop_ms;
  }
  wake_.notify_one();
}

Status LiveHub::add_client(std::shared_ptr<api::StreamSink> sink, Filter filter) {
  base::MutexLock lock(mu_);
  std::erase_if(clients_, [](const Client& c) { return c.sink->closed(); });
  if (clients_.size() >= hub_limits::clients_max)
    return Error{"Console.TooManyStreams",
                 "At most " + std::to_string(hub_limits::clients_max) + " console streams"};
  clients_.push_back(Client{std::move(sink), std::move(filter)});
  return ok_status();
}

std::size_t LiveHub::client_count() const {
  base::MutexLock lock(mu_);
  return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(),
                                                [](const Client& c) { return !c.sink->closed(); }));
}

std::uint64_t LiveHub::changes_seen() const {
  base::MutexLock lock(mu_);
  return seen_;
}

std::uint64_t LiveHub::changes_dropped() const {
  base::MutexLock lock(mu_);
  return dropped_;
}

std::string LiveHub::issue_ticket() {
  std::array<unsigned char, 24> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string ticket;
  for (unsigned char b : bytes) {
    ticket += hex[b >> 4];
    ticket += hex[b & 15];
  }
  base::MutexLock lock(mu_);
  const Millis now = monotonic_ms();
  while (!tickets_.empty() &&
         (tickets_.size() >= hub_limits::tickets_max || tickets_.front().second < now))
    tickets_.pop_front();
  tickets_.emplace_back(ticket, now + hub_limits::ticket_ttl_ms);
  return ticket;
}

bool LiveHub::redeem_ticket(std::string_view ticket) {
  if (ticket.empty()) return false;
  base::MutexLock lock(mu_);
  const Millis now = monotonic_ms();
  for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
    if (it->first != ticket) continue;
    const bool fresh = it->second >= now;
    tickets_.erase(it);
    return fresh;
  }
  return false;
}

bool LiveHub::wants(const Filter& f, const Change& c) {
  if (!f.execution_arn.empty()) return f.execution_arn == c.arn;
  if (!f.state_machine_arn.empty()) return f.state_machine_arn == c.state_machine_arn;
  return true;
}

std::string LiveHub::format(const Change& c) {
  json::object o{{"executionArn", c.arn},
                 {"stateMachineArn", c.state_machine_arn},
                 {"name", c.name},
                 {"status", c.status},
                 {"historyCount", c.history_count},
                 {"redriveCount", c.redrive_count},
                 {"startDate", api::epoch_seconds(c.start_ms)}};
  if (c.stop_ms != 0) o["stopDate"] = api::epoch_seconds(c.stop_ms);
  // json::dump escapes control characters, so the data stays on one line as SSE requires.
  return "event: execution\ndata: " + json::dump(json::value(std::move(o))) + "\n\n";
}

void LiveHub::run() {
  base::MutexLock lock(mu_);
  Millis next_ping = monotonic_ms() + hub_limits::ping_interval_ms;
  while (!stop_) {
    const Millis now = monotonic_ms();
    if (pending_.empty() && !overflowed_ && now < next_ping) {
      wake_.wait_for(mu_, std::chrono::milliseconds(next_ping - now));
      continue;
    }
    std::unordered_map<std::string, Change> batch;
    batch.swap(pending_);
    const bool resync = std::exchange(overflowed_, false);
    const bool ping = monotonic_ms() >= next_ping;
    if (ping) next_ping = monotonic_ms() + hub_limits::ping_interval_ms;
    std::vector<Client> clients = clients_;
    lock.unlock();
    // Pushing only posts to the connections' strands; a refused push means the client's queue
    // is full (it stopped reading): close it, its browser reconnects and re-reads.
    for (Client& c : clients) {
      bool alive = true;
      if (resync) alive = c.sink->push("event: resync\ndata: {}\n\n");
      for (auto it = batch.begin(); alive && it != batch.end(); ++it)
        if (wants(c.filter, it->second)) alive = c.sink->push(format(it->second));
      if (alive && ping) alive = c.sink->push(": ping\n\n");
      if (!alive) c.sink->close();
    }
    lock.lock();
    std::erase_if(clients_, [](const Client& c) { return c.sink->closed(); });
  }
}

}  // namespace stepwise::console
