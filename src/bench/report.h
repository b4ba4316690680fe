// The benchmark report: one row per cell (ours) beside the best peer for the same workload and
// mode, as an aligned text table or as JSON; plus the targets of issue 2.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/measure.h"
#include "bench/peers.h"
#include "json/json.h"

namespace stepwise::bench {

// Issue 2: W1 at >= 1,000,000 transitions/s, and no workload below 20x the best peer.
inline constexpr double w1_transitions_per_s_min = 1'000'000;
inline constexpr double peer_ratio_min = 20;

struct ReportRow {
  CellResult cell;
  std::optional<PeerFigure> peer;  // best peer for (workload, mode), if any succeeded
  double ratio = 0;                // ours / best peer transitions/s (0 when unknown)
};

ReportRow make_row(CellResult cell, const std::vector<PeerFigure>& peers);

std::string table_header();
std::string table_row(const ReportRow& row);
std::string peer_table(const std::vector<PeerFigure>& peers);

// "targets: ..." lines; *met is false when a target is missed (or could not be measured).
std::string target_summary(const std::vector<ReportRow>& rows, bool* met);

json::value report_json(const std::vector<ReportRow>& rows, const std::vector<PeerFigure>& peers,
                        const json::object& machine);

}  // namespace stepwise::bench
