// Metrics: request counts and latency histograms per service, operation and outcome, plus the
// server's connection counters, rendered in the Prometheus text format (version 0.0.4) for
// GET /metrics.
//
// Cost per request: one shared-lock hash lookup by string_view (no allocation once an
// operation has been seen) and a few relaxed atomic increments. Cardinality is bounded: at most
// operations_per_service_max operations per service are tracked by name; further names, and
// operations the service did not know (UnknownOperationException, InvalidAction), are counted
// under "_other" / "_unknown", so a client inventing names cannot grow memory.
//
// Thread-safety: everything may be called from any thread. ServiceMetrics and
// OperationMetrics addresses stay valid for the Metrics' lifetime.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"

namespace stepwise::api {

// Counters of the HTTP server. Monotonic except connections_open.
struct ServerStats {
  std::size_t connections_open = 0;
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over connections_max
  std::uint64_t requests = 0;              // complete requests read
  std::uint64_t timeouts = 0;              // connections closed by a read/write timeout
};

enum class Outcome : std::uint8_t { success, client_error, server_error };
inline constexpr std::size_t outcomes = 3;
Outcome outcome_of_status(unsigned status);

// Upper bounds of the latency buckets, in microseconds (100 µs .. 60 s), then +Inf.
inline constexpr std::array<std::uint64_t, 18> latency_bucket_us = {
    100,     250,     500,     1'000,     2'500,     5'000,     10'000,     25'000,     50'000,
    100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};

class OperationMetrics {
 public:
  void record(Outcome outcome, std::chrono::nanoseconds latency);
  std::uint64_t count(Outcome outcome) const;

 private:
  friend class Metrics;
  struct Series {
    std::array<std::atomic<std::uint64_t>, latency_bucket_us.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<Series, outcomes> series_;
};

class ServiceMetrics {
 public:
  static constexpr std::size_t operations_per_service_max = 512;
  static constexpr std::string_view unknown_operation = "_unknown";
  static constexpr std::string_view other_operation = "_other";

  // nullptr when the operation has not been seen yet (no allocation, no insertion).
  OperationMetrics* find(std::string_view operation);
  // Adds the operation on first use (or answers "_other" once the limit is reached).
  OperationMetrics& get(std::string_view operation);
  OperationMetrics& unknown() { return get(unknown_operation); }
  const std::string& name() const { return name_; }

 private:
  friend class Metrics;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string name_;
  mutable base::SharedMutex mu_;
  std::unordered_map<std::string, std::unique_ptr<OperationMetrics>, Hash, std::equal_to<>>
      operations_ GUARDED_BY(mu_);
};

class Metrics {
 public:
  // The service's metrics, created on first use (at registration, not per request).
  ServiceMetrics& service(std::string_view name);
  // Prometheus text: stepwise_requests_total, stepwise_request_duration_seconds (histogram),
  // stepwise_connections_open, stepwise_connections_accepted_total,
  // stepwise_connections_rejected_total, stepwise_http_requests_total, stepwise_timeouts_total.
  // Then each gauge added here, read when rendered.
  std::string render(const ServerStats& server) const;

  // A gauge sampled at every scrape (the store's size on disk): `name` (a Prometheus metric
  // name, unit last), its help text, and the function giving its value (called on the thread
  // that renders: it must be thread-safe and quick). At most gauges_max.
  static constexpr std::size_t gauges_max = 64;
  void add_gauge(std::string name, std::string help, std::function<std::uint64_t()> value);

 private:
  struct Gauge {
    std::string name;
    std::string help;
    std::function<std::uint64_t()> value;
  };
  mutable base::Mutex mu_;
  std::deque<ServiceMetrics> services_ GUARDED_BY(mu_);  // (a deque: addresses stay put)
  std::deque<Gauge> gauges_ GUARDED_BY(mu_);  // (a deque: addresses stay put while rendering)
};

inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4";

}  // namespace stepwise::api
