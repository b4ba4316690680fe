#include "bench/paired.h"

#include <algorithm>

#include "bench/stats.h"

namespace stepwise::bench {

PeerFigure merge_peer_runs(const std::vector<PeerFigure>& runs) {
  if (runs.empty()) return {};
  std::vector<double> tps, eps;
  double rss = 0;
  for (const auto& r : runs) {
    if (!r.ok) return r;  // a peer failing a workload fails it every time
    tps.push_back(r.transitions_per_s);
    eps.push_back(r.exec_per_s);
    rss = std::max(rss, r.peak_rss_mb);
  }
  PeerFigure f = runs.front();
  f.transitions_per_s = median(tps);
  f.exec_per_s = median(eps);
  f.peak_rss_mb = rss;
  f.note = std::to_string(runs.size()) + " runs";
  return f;
}

CellResult merge_cell_runs(const std::vector<CellResult>& runs) {
  if (runs.empty()) return {};
  CellResult out = runs.front();
  out.seconds.clear();
  for (const auto& r : runs) {
    if (!r.ok) return r;
    out.seconds.insert(out.seconds.end(), r.seconds.begin(), r.seconds.end());
    out.peak_rss_mb = std::max(out.peak_rss_mb, r.peak_rss_mb);
  }
  double med = median(out.seconds);
  out.exec_per_s = med > 0 ? static_cast<double>(out.executions) / med : 0;
  out.transitions_per_s = out.exec_per_s * static_cast<double>(out.transitions_per_execution);
  return out;
}

double paired_ratio(const std::vector<CellResult>& cell_runs,
                    const std::vector<std::vector<PeerFigure>>& peer_runs) {
  std::vector<double> ratios;
  for (std::size_t round = 0; round < cell_runs.size(); ++round) {
    double best = 0;
    for (const auto& runs : peer_runs)
      if (round < runs.size() && runs[round].ok)
        best = std::max(best, runs[round].transitions_per_s);
    if (best > 0 && cell_runs[round].ok)
      ratios.push_back(cell_runs[round].transitions_per_s / best);
  }
  return ratios.empty() ? 0 : median(ratios);
}

}  // namespace stepwise::bench
