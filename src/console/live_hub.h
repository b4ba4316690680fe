// LiveHub: the console's live updates. It observes every durable change of a Standard execution
// (sfn::ExecutionObserver) and pushes it to the browsers holding `GET /console/events` open, as
// Server-Sent Events:
//   event: execution
//   data: {"executionArn","stateMachineArn","name","status","historyCount","startDate",
//          "stopDate","redriveCount"}
// A page then reads what changed through the public API (an execution page asks
// GetExecutionHistory for the newest `historyCount - shown` events), so the stream carries no
// execution data beyond names and status, and a page never shows a step that is not durable.
//
// Why a thread of its own: changed() runs on engine threads and must not block them, so it only
// copies a few strings into a map keyed by execution ARN (repeated changes coalesce: only the
// newest row counts) and wakes the hub thread, which formats and pushes. The map is bounded
// (pending_changes_max); past it changes are dropped and every client is told to `resync`
// (re-read what it shows). Each client's queue is bounded by the server (api::StreamSink,
// limits::stream_chunks_max): a client that stops reading is closed, and the browser's
// EventSource reconnects and re-reads. A comment line every ping_interval keeps proxies open
// and finds dead clients.
//
// Tickets: with --auth-keys, EventSource cannot sign its request, so the console first asks the
// signed `GET /console/api/ticket` for a one-use ticket (ticket_ttl_ms), then opens
// `/console/events?ticket=...`.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/router.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "base/result.h"
#include "sfn/execution_observer.h"

namespace stepwise::console {

namespace hub_limits {
// Streams open at once (browser tabs); one more is refused with 503.
inline constexpr std::size_t clients_max = 256;
// Executions whose change waits for the hub thread (coalesced by ARN); past it: resync.
inline constexpr std::size_t pending_changes_max = 10'000;
// A comment line to every client this often, so idle proxies keep the stream and a client that
// went away is noticed by a failed write.
inline constexpr Millis ping_interval_ms = 15'000;
// Stream tickets (auth on): valid this long, once, and at most this many outstanding.
inline constexpr Millis ticket_ttl_ms = 60'000;
inline constexpr std::size_t tickets_max = 1024;
}  // namespace hub_limits

// Which executions a client follows: one execution, one state machine's, or (both empty) all.
struct Filter {
  std::string execution_arn;
  std::string state_machine_arn;
};

class LiveHub final : public sfn::ExecutionObserver {
 public:
  LiveHub();
  ~LiveHub() override;  // closes every stream, joins the thread
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  void changed(const store::ExecutionRecord& row) override;

  // Adds a stream; errors: "Console.TooManyStreams".
  Status add_client(std::shared_ptr<api::StreamSink> sink, Filter filter);
  std::size_t client_count() const;

  std::string issue_ticket();
  bool redeem_ticket(std::string_view ticket);

  // Counters (tests, the health page): changes seen, and changes dropped by the bound.
  std::uint64_t changes_seen() const;
  std::uint64_t changes_dropped() const;

 private:
  struct Change {
    std::string arn, state_machine_arn, name, status;
    std::int64_t history_count = 0, redrive_count = 0;
    Millis start_ms = 0, stop_ms = 0;
  };
  struct Client {
    std::shared_ptr<api::StreamSink> sink;
    Filter filter;
  };
  void run();
  static std::string format(const Change& c);
  static bool wants(const Filter& f, const Change& c);

  mutable base::Mutex mu_;
  base::CondVar wake_;
  std::unordered_map<std::string, Change> pending_ GUARDED_BY(mu_);
  bool overflowed_ GUARDED_BY(mu_) = false;
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<Client> clients_ GUARDED_BY(mu_);
  std::uint64_t seen_ GUARDED_BY(mu_) = 0;
  std::uint64_t dropped_ GUARDED_BY(mu_) = 0;
  std::deque<std::pair<std::string, Millis>> tickets_ GUARDED_BY(mu_);  // value, expiry
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace stepwise::console
