#include "bench/services_report.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "bench/stats.h"

namespace stepwise::bench {

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string pad(std::string s, std::size_t width, bool right = true) {
  if (s.size() >= width) return s + " ";
  std::string fill(width - s.size(), ' ');
  return right ? fill + s + " " : s + fill + " ";
}

bool is_integration(const std::string& w) { return w.starts_with("int-"); }

// Workloads in first-seen order.
std::vector<std::string> workloads_of(const ServicesReport& r) {
  std::vector<std::string> out;
  for (const auto& s : r.samples)
    if (std::find(out.begin(), out.end(), s.workload) == out.end()) out.push_back(s.workload);
  return out;
}

std::vector<std::string> servers_of(const ServicesReport& r, const std::string& workload) {
  std::vector<std::string> out;
  for (const auto& s : r.samples)
    if (s.workload == workload && std::find(out.begin(), out.end(), s.server) == out.end())
      out.push_back(s.server);
  return out;
}

std::string ratio_text(double r) { return r > 0 ? fmt("%.1fx", r) : "-"; }

json::object summary_json(const Summary& s) {
  json::object o;
  o["workload"] = s.workload;
  o["server"] = s.server;
  o["rounds"] = s.rounds;
  o["ops_per_s"] = s.ops_per_s;
  o["iterations_per_s"] = s.iterations_per_s;
  o["server_cpu_ms_per_1000_ops"] = s.server_cpu_ms_per_kop;
  o["driver_cpu_ms_per_1000_ops"] = s.driver_cpu_ms_per_kop;
  o["p50_ms"] = s.p50_ms;
  o["p99_ms"] = s.p99_ms;
  o["errors"] = s.errors;
  if (!s.first_error.empty()) o["first_error"] = s.first_error;
  return o;
}

}  // namespace

std::string workload_title(const std::string& w) {
  if (w == "sqs") return "SQS send+receive+delete";
  if (w == "dynamodb") return "DynamoDB put+get";
  if (w == "s3") return "S3 put+get 4 KiB";
  if (w == "int-sqs") return "workflow sqs:sendMessage";
  if (w == "int-s3") return "workflow aws-sdk:s3:putObject";
  return w;
}

Summary summarize(const std::vector<Sample>& samples, const std::string& workload,
                  const std::string& server) {
  Summary s;
  s.workload = workload;
  s.server = server;
  std::vector<double> ops, its, cpu, dcpu, p50, p99;
  for (const auto& x : samples) {
    if (x.workload != workload || x.server != server) continue;
    ++s.rounds;
    ops.push_back(x.ops_per_s);
    its.push_back(x.iterations_per_s);
    cpu.push_back(x.server_cpu_ms_per_kop);
    dcpu.push_back(x.driver_cpu_ms_per_kop);
    p50.push_back(x.p50_ms);
    p99.push_back(x.p99_ms);
    s.errors += x.errors;
    if (s.first_error.empty()) s.first_error = x.first_error;
  }
  s.ops_per_s = median(ops);
  s.iterations_per_s = median(its);
  s.server_cpu_ms_per_kop = median(cpu);
  s.driver_cpu_ms_per_kop = median(dcpu);
  s.p50_ms = median(p50);
  s.p99_ms = median(p99);
  return s;
}

Comparison compare(const std::vector<Sample>& samples, const std::string& workload,
                   const std::string& ours, const std::string& peer) {
  Comparison c;
  c.workload = workload;
  std::set<int> rounds;
  for (const auto& s : samples)
    if (s.workload == workload) rounds.insert(s.round);
  for (int round : rounds) {
    const Sample* a = nullptr;
    const Sample* b = nullptr;
    for (const auto& s : samples) {
      if (s.workload != workload || s.round != round) continue;
      if (s.server == ours) a = &s;
      if (s.server == peer) b = &s;
    }
    if (a && b && a->errors == 0 && b->errors == 0 && b->ops_per_s > 0)
      c.round_ratios.push_back(a->ops_per_s / b->ops_per_s);
  }
  c.ratio = median(c.round_ratios);
  Summary so = summarize(samples, workload, ours), sp = summarize(samples, workload, peer);
  if (so.server_cpu_ms_per_kop > 0 && sp.rounds > 0)
    c.cpu_ratio = sp.server_cpu_ms_per_kop / so.server_cpu_ms_per_kop;
  return c;
}

std::string services_table(const ServicesReport& r) {
  std::string out = r.samples.empty()
                        ? ""
                        : pad("workload", 31, false) + pad("server", 9, false) + pad("ops/s", 10) +
                              pad("mixes/s", 9) + pad("p50 ms", 8) + pad("p99 ms", 8) +
                              pad("CPU ms/1k ops", 14) + pad("driver", 7) + pad("errors", 7) + "\n";
  for (const auto& w : workloads_of(r)) {
    bool first = true;
    for (const auto& server : servers_of(r, w)) {
      Summary s = summarize(r.samples, w, server);
      out += pad(first ? workload_title(w) : "", 31, false) + pad(server, 9, false) +
             pad(fmt("%.0f", s.ops_per_s), 10) + pad(fmt("%.0f", s.iterations_per_s), 9) +
             pad(fmt("%.2f", s.p50_ms), 8) + pad(fmt("%.2f", s.p99_ms), 8) +
             pad(fmt("%.1f", s.server_cpu_ms_per_kop), 14) +
             pad(fmt("%.1f", s.driver_cpu_ms_per_kop), 7) + pad(std::to_string(s.errors), 7) + "\n";
      if (s.errors > 0) out += "    first error: " + s.first_error.substr(0, 200) + "\n";
      first = false;
    }
    if (is_integration(w))
      out += "    (ops = integration calls, mixes = workflow executions, latency per execution)\n";
    if (servers_of(r, w).size() > 1) {
      Comparison c = compare(r.samples, w);
      out += pad("", 31, false) + "ratio " + ratio_text(c.ratio) + " (rounds:";
      for (double x : c.round_ratios) out += " " + ratio_text(x);
      out += "), server CPU per op " + ratio_text(c.cpu_ratio) + " less\n";
    }
  }
  for (const auto& s : r.skips)
    out += "skipped: " + workload_title(s.workload) + " on " + s.server + ": " + s.why + "\n";
  for (const auto& f : r.fills) {
    out += "fill: " + std::to_string(f.count) + " " + f.what + " into " + f.server + " in " +
           fmt("%.1f s", f.seconds) + " (" + fmt("%.0f/s", f.per_s) + "), " +
           std::to_string(f.errors) + " errors: peak RSS " + fmt("%.0f MiB", f.peak_rss_mb) +
           ", RSS " + fmt("%.0f MiB", f.rss_mb) + ", store " + fmt("%.0f MiB", f.store_mb);
    if (f.restart_s > 0)
      out += "; restarted on the store in " + fmt("%.2f s", f.restart_s) + ", RSS then " +
             fmt("%.0f MiB", f.restart_rss_mb);
    out += "\n";
    if (f.errors > 0) out += "    first error: " + f.first_error.substr(0, 200) + "\n";
  }
  return out;
}

std::string services_targets(const ServicesReport& r, bool* met) {
  *met = true;
  std::string out;
  auto skipped = [&r](const std::string& w) {
    return std::any_of(r.skips.begin(), r.skips.end(),
                       [&w](const Skip& s) { return s.workload == w; });
  };
  for (const std::string w : {"sqs", "dynamodb", "s3"}) {
    Comparison c = compare(r.samples, w);
    bool sampled = std::any_of(r.samples.begin(), r.samples.end(),
                               [&w](const Sample& x) { return x.workload == w; });
    if (!sampled && !skipped(w)) continue;  // not asked for
    if (c.ratio <= 0) {
      out += "target " + workload_title(w) + " >= 20x moto: not measured" +
             (skipped(w) ? " (skipped)" : "") + "\n";
      if (!skipped(w)) *met = false;
      continue;
    }
    bool ok = c.ratio >= services_ratio_min;
    *met = *met && ok;
    out += "target " + workload_title(w) + " >= 20x moto: " + (ok ? "met" : "NOT met") + " (" +
           ratio_text(c.ratio) + ")\n";
  }
  for (const std::string w : {"int-sqs", "int-s3"}) {
    Summary s = summarize(r.samples, w, "stepwise");
    if (s.rounds == 0) continue;
    bool ok = s.errors == 0 && s.ops_per_s >= integration_calls_per_s_min;
    *met = *met && ok;
    out += "target " + workload_title(w) + " >= 100,000 calls/s: " + (ok ? "met" : "NOT met") +
           " (" + fmt("%.0f", s.ops_per_s) + "/s)\n";
  }
  return out;
}

json::value services_json(const ServicesReport& r) {
  json::object o;
  json::array summaries, comparisons, samples, skips, fills;
  for (const auto& w : workloads_of(r)) {
    for (const auto& server : servers_of(r, w))
      summaries.push_back(summary_json(summarize(r.samples, w, server)));
    if (servers_of(r, w).size() > 1) {
      Comparison c = compare(r.samples, w);
      json::array rr;
      for (double x : c.round_ratios) rr.push_back(x);
      comparisons.push_back(json::object{{"workload", w},
                                         {"ratio", c.ratio},
                                         {"round_ratios", std::move(rr)},
                                         {"server_cpu_ratio", c.cpu_ratio}});
    }
  }
  for (const auto& s : r.samples)
    samples.push_back(json::object{{"workload", s.workload},
                                   {"server", s.server},
                                   {"round", s.round},
                                   {"ops_per_s", s.ops_per_s},
                                   {"server_cpu_ms_per_1000_ops", s.server_cpu_ms_per_kop},
                                   {"p50_ms", s.p50_ms},
                                   {"p99_ms", s.p99_ms},
                                   {"errors", s.errors}});
  for (const auto& s : r.skips)
    skips.push_back(json::object{{"workload", s.workload}, {"server", s.server}, {"why", s.why}});
  for (const auto& f : r.fills)
    fills.push_back(json::object{{"what", f.what},
                                 {"server", f.server},
                                 {"count", f.count},
                                 {"seconds", f.seconds},
                                 {"per_s", f.per_s},
                                 {"errors", f.errors},
                                 {"peak_rss_mb", f.peak_rss_mb},
                                 {"rss_mb", f.rss_mb},
                                 {"store_mb", f.store_mb},
                                 {"restart_s", f.restart_s},
                                 {"restart_rss_mb", f.restart_rss_mb}});
  bool met = true;
  std::string targets = services_targets(r, &met);
  o["summaries"] = std::move(summaries);
  o["comparisons"] = std::move(comparisons);
  o["samples"] = std::move(samples);
  o["skips"] = std::move(skips);
  o["fills"] = std::move(fills);
  o["targets_met"] = met;
  o["targets"] = targets;
  o["conditions"] = r.conditions;
  return o;
}

}  // namespace stepwise::bench
