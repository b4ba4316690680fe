// Paired rounds for a live comparison on a noisy machine: in each round every peer runs once and
// every Stepwise cell runs its share of the repetitions, back to back, so both meet the machine
// in the same state; the quoted ratio is the median of the per-round ratios.
//
// Thread-safety: pure functions.
#pragma once

#include <vector>

#include "bench/measure.h"
#include "bench/peers.h"

namespace stepwise::bench {

// One peer's rounds as one figure: the median run, the highest peak RSS; failed if any failed.
PeerFigure merge_peer_runs(const std::vector<PeerFigure>& runs);

// One cell's rounds as one result: all repetitions together (median over them), the highest
// peak RSS, the first round's verification; failed if any round failed.
CellResult merge_cell_runs(const std::vector<CellResult>& runs);

// Median over rounds of (cell transitions/s ÷ best successful peer's transitions/s that round);
// peer_runs[p][round]. 0 when no round has both figures.
double paired_ratio(const std::vector<CellResult>& cell_runs,
                    const std::vector<std::vector<PeerFigure>>& peer_runs);

}  // namespace stepwise::bench
