#include "api/metrics.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

namespace stepwise::api {

namespace {

constexpr std::string_view outcome_names[outcomes] = {"success", "client_error", "server_error"};

// Prometheus label values escape backslash, double quote and newline.
void label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void number(std::string& out, std::uint64_t n) { out += std::to_string(n); }

void seconds(std::string& out, std::uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(ns) / 1e9);
  out += buf;
}

void bucket_bound(std::string& out, std::uint64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(us) / 1e6);
  out += buf;
}

void counter(std::string& out, std::string_view name, std::string_view help, std::string_view type,
             std::uint64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  number(out, value);
  out += '\n';
}

}  // namespace

Outcome outcome_of_status(unsigned status) {
  if (status >= 500) return Outcome::server_error;
  if (status >= 400) return Outcome::client_error;
  return Outcome::success;
}

void OperationMetrics::record(Outcome outcome, std::chrono::nanoseconds latency) {
  Series& s = series_[static_cast<std::size_t>(outcome)];
  auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
  std::uint64_t us = ns / 1000;
  auto at = std::lower_bound(latency_bucket_us.begin(), latency_bucket_us.end(), us);
  s.buckets[static_cast<std::size_t>(at - latency_bucket_us.begin())].fetch_add(
      1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

std::uint64_t OperationMetrics::count(Outcome outcome) const {
  return series_[static_cast<std::size_t>(outcome)].count.load(std::memory_order_relaxed);
}

OperationMetrics* ServiceMetrics::find(std::string_view operation) {
  base::ReaderLock lock(mu_);
  auto it = operations_.find(operation);
  return it == operations_.end() ? nullptr : it->second.get();
}

OperationMetrics& ServiceMetrics::get(std::string_view operation) {
  if (OperationMetrics* m = find(operation)) return *m;
  base::WriterLock lock(mu_);
  if (operations_.size() >= operations_per_service_max && operation != unknown_operation)
    operation = other_operation;
  auto it = operations_.find(operation);
  if (it == operations_.end())
    it = operations_.emplace(std::string(operation), std::make_unique<OperationMetrics>()).first;
  return *it->second;
}

ServiceMetrics& Metrics::service(std::string_view name) {
  base::MutexLock lock(mu_);
  for (auto& s : services_)
    if (s.name_ == name) return s;
  services_.emplace_back().name_ = std::string(name);
  return services_.back();
}

std::string Metrics::render(const ServerStats& server) const {
  std::string out;
  // Sorted by service, then operation, so scrapes are stable and diffable.
  std::map<std::pair<std::string, std::string>, const OperationMetrics*> rows;
  {
    base::MutexLock lock(mu_);
    for (const auto& s : services_) {
      base::ReaderLock op_lock(s.mu_);
      for (const auto& [op, m] : s.operations_) rows[{s.name_, op}] = m.get();
    }
  }
  auto labels = [&](const std::pair<std::string, std::string>& key, std::size_t outcome) {
    out += "{service=\"";
    label_value(out, key.first);
    out += "\",operation=\"";
    label_value(out, key.second);
    out += "\",outcome=\"";
    out += outcome_names[outcome];
    out += '"';
  };
  out +=
      "# HELP stepwise_requests_total Requests answered, by service, operation and outcome.\n"
      "# TYPE stepwise_requests_total counter\n";
  for (const auto& [key, m] : rows)
    for (std::size_t o = 0; o < outcomes; ++o) {
      std::uint64_t n = m->series_[o].count.load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += "stepwise_requests_total";
      labels(key, o);
      out += "} ";
      number(out, n);
      out += '\n';
    }
  out +=
      "# HELP stepwise_request_duration_seconds Time from a request's last byte read to its "
      "answer.\n# TYPE stepwise_request_duration_seconds histogram\n";
  for (const auto& [key, m] : rows)
    for (std::size_t o = 0; o < outcomes; ++o) {
      const auto& s = m->series_[o];
      std::uint64_t n = s.count.load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b <= latency_bucket_us.size(); ++b) {
        cumulative += s.buckets[b].load(std::memory_order_relaxed);
        out += "stepwise_request_duration_seconds_bucket";
        labels(key, o);
        out += ",le=\"";
        if (b < latency_bucket_us.size()) {
          bucket_bound(out, latency_bucket_us[b]);
        } else {
          out += "+Inf";
        }
        out += "\"} ";
        number(out, cumulative);
        out += '\n';
      }
      out += "stepwise_request_duration_seconds_sum";
      labels(key, o);
      out += "} ";
      seconds(out, s.sum_ns.load(std::memory_order_relaxed));
      out += "\nstepwise_request_duration_seconds_count";
      labels(key, o);
      out += "} ";
      number(out, cumulative);
      out += '\n';
    }
  counter(out, "stepwise_connections_open", "Connections open now.", "gauge",
          server.connections_open);
  counter(out, "stepwise_connections_accepted_total", "Connections accepted.", "counter",
          server.connections_accepted);
  counter(out, "stepwise_connections_rejected_total",
          "Connections refused over the connection limit.", "counter", server.connections_rejected);
  counter(out, "stepwise_http_requests_total", "Complete HTTP requests read.", "counter",
          server.requests);
  counter(out, "stepwise_timeouts_total", "Connections closed by a read or write timeout.",
          "counter", server.timeouts);
  std::vector<const Gauge*> gauges;
  {
    base::MutexLock lock(mu_);
    for (const Gauge& g : gauges_) gauges.push_back(&g);
  }
  // Sampled outside the lock: a gauge may take a moment (a stat of the store's files).
  for (const Gauge* g : gauges) counter(out, g->name, g->help, "gauge", g->value());
  return out;
}

void Metrics::add_gauge(std::string name, std::string help, std::function<std::uint64_t()> value) {
  base::MutexLock lock(mu_);
  if (gauges_.size() >= gauges_max) return;
  gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(value)});
}

}  // namespace stepwise::api
