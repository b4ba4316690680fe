#include "bench/report.h"

#include <cstdio>

namespace stepwise::bench {

namespace {

std::string format(const char* fmt, auto... args) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, fmt, args...);
  std::size_t len = n < 0 ? 0 : static_cast<std::size_t>(n);
  return std::string(buf, std::min(len, sizeof buf - 1));
}

constexpr const char* row_format = "%-5s %-8s %-9s %8s %12s %14s %8s  %-22s %12s %8s  %s\n";

}  // namespace

ReportRow make_row(CellResult cell, const std::vector<PeerFigure>& peers) {
  ReportRow row;
  row.peer = best_peer(peers, cell.workload, cell.mode);
  if (row.peer && row.peer->transitions_per_s > 0 && cell.ok)
    row.ratio = cell.transitions_per_s / row.peer->transitions_per_s;
  row.cell = std::move(cell);
  return row;
}

std::string table_header() {
  return format(row_format, "wl", "mode", "type", "execs", "exec/s", "transitions/s", "RSS MB",
                "best peer (source)", "peer trans/s", "ratio", "note");
}

std::string table_row(const ReportRow& r) {
  const CellResult& c = r.cell;
  std::string peer = r.peer ? r.peer->peer + " (" + r.peer->source + ")" : "-";
  std::string peer_tps = r.peer ? format("%.0f", r.peer->transitions_per_s) : "-";
  std::string ratio = r.ratio > 0 ? format("%.1fx", r.ratio) : "-";
  std::string note = c.ok ? format("median of %zu", c.seconds.size()) : "FAILED: " + c.error;
  if (c.threads > 1) note += format(", %d threads", c.threads);
  if (c.ok && !c.expected.empty()) note += c.verified ? ", verified" : ", NOT verified";
  return format(row_format, c.workload.c_str(), c.mode.c_str(), c.type.c_str(),
                std::to_string(c.executions).c_str(),
                c.ok ? format("%.1f", c.exec_per_s).c_str() : "-",
                c.ok ? format("%.0f", c.transitions_per_s).c_str() : "-",
                format("%.1f", c.peak_rss_mb).c_str(), peer.c_str(), peer_tps.c_str(),
                ratio.c_str(), note.c_str());
}

std::string peer_table(const std::vector<PeerFigure>& peers) {
  std::string out = format("%-5s %-8s %-9s %12s %14s %8s  %-16s %s\n", "wl", "mode", "peer",
                           "exec/s", "transitions/s", "RSS MB", "source", "note");
  for (const auto& p : peers) {
    out += format("%-5s %-8s %-9s %12s %14s %8.1f  %-16s %s\n", p.workload.c_str(), p.mode.c_str(),
                  p.peer.c_str(), p.ok ? format("%.1f", p.exec_per_s).c_str() : "-",
                  p.ok ? format("%.0f", p.transitions_per_s).c_str() : "-", p.peak_rss_mb,
                  p.source.c_str(), p.note.substr(0, 120).c_str());
  }
  return out;
}

std::string target_summary(const std::vector<ReportRow>& rows, bool* met) {
  *met = true;
  std::string out;
  const ReportRow* w1 = nullptr;
  for (const auto& r : rows)
    if (r.cell.workload == "w1" && r.cell.mode == "seq" && r.cell.type == "express") w1 = &r;
  if (w1 && w1->cell.ok) {
    bool ok = w1->cell.transitions_per_s >= w1_transitions_per_s_min;
    *met = *met && ok;
    out += format("target W1 seq express >= %.0f transitions/s: %.0f  %s\n",
                  w1_transitions_per_s_min, w1->cell.transitions_per_s, ok ? "MET" : "MISSED");
  }
  // The ratio target compares like with like: Express keeps no history, nor do the peers
  // persist one. Standard rows (history kept) are reported beside it, not judged.
  for (const char* type : {"express", "standard"}) {
    const ReportRow* worst = nullptr;
    for (const auto& r : rows)
      if (r.cell.type == type && r.ratio > 0 && (!worst || r.ratio < worst->ratio)) worst = &r;
    if (!worst) continue;
    bool judged = std::string_view(type) == "express";
    bool ok = worst->ratio >= peer_ratio_min;
    if (judged) *met = *met && ok;
    out += format("%s %s ratio >= %.0fx: lowest %.1fx (%s %s)  %s\n",
                  judged ? "target" : "info:", type, peer_ratio_min, worst->ratio,
                  worst->cell.workload.c_str(), worst->cell.mode.c_str(),
                  ok ? "MET" : (judged ? "MISSED" : "below"));
  }
  for (const auto& r : rows)
    if (!r.cell.ok) *met = false;
  return out;
}

json::value report_json(const std::vector<ReportRow>& rows, const std::vector<PeerFigure>& peers,
                        const json::object& machine) {
  json::array results;
  for (const auto& r : rows) {
    json::value v = r.cell.to_json();
    auto& o = v.as_object();
    o["best_peer"] = r.peer ? json::value(r.peer->peer) : json::value(nullptr);
    o["best_peer_transitions_per_s"] = r.peer ? r.peer->transitions_per_s : 0.0;
    o["best_peer_source"] = r.peer ? r.peer->source : "";
    o["ratio"] = r.ratio;
    results.push_back(std::move(v));
  }
  json::array peer_rows;
  for (const auto& p : peers) {
    json::object o;
    o["workload"] = p.workload;
    o["mode"] = p.mode;
    o["peer"] = p.peer;
    o["ok"] = p.ok;
    o["exec_per_s"] = p.exec_per_s;
    o["transitions_per_s"] = p.transitions_per_s;
    o["peak_rss_mb"] = p.peak_rss_mb;
    o["source"] = p.source;
    o["note"] = p.note;
    peer_rows.push_back(std::move(o));
  }
  json::object out;
  out["machine"] = machine;
  out["results"] = std::move(results);
  out["peers"] = std::move(peer_rows);
  bool met = true;
  target_summary(rows, &met);
  out["targets_met"] = met;
  return out;
}

}  // namespace stepwise::bench
