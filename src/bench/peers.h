// Peer figures: what aws-local-stepfunctions (als) and @wmfs/statebox did on the same workloads,
// either recorded (bench/peer-results.md) or measured live in this run through
// `node bench/peer-bench.js <peer> <workload> [--conc N] [--n N]`.
//
// Thread-safety: free functions; run_peer forks and waits, call it from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace stepwise::bench {

struct PeerFigure {
  std::string workload;  // "w1"
  std::string mode;      // "seq" | "conc100"
  std::string peer;      // "als" | "statebox"
  bool ok = false;       // false: the peer failed the workload (note says why)
  double exec_per_s = 0;
  double transitions_per_s = 0;
  double peak_rss_mb = 0;  // 0 when unknown
  std::string source;      // "peer-results.md" | "live"
  std::string note;
};

// The table rows of peer-results.md ("| w1 | seq | als | 10000 | 3433.6 | 34336 | ..."); rows
// that are not figures (header, separator, prose) are skipped. Bounded by peer_rows_max.
inline constexpr std::size_t peer_rows_max = 10000;
std::vector<PeerFigure> parse_peer_results(std::string_view markdown);

// The successful figure with the most transitions/s for (workload, mode), if any.
std::optional<PeerFigure> best_peer(const std::vector<PeerFigure>& figures,
                                    std::string_view workload, std::string_view mode);

struct PeerRunOptions {
  std::string node = "node";
  std::string script;     // .../peer-bench.js
  std::string peers_dir;  // PEERS_DIR for the script
  int repetitions = 3;    // median of these runs
  double timeout_s = 300;
  std::int64_t executions = 0;  // 0 = the script's default
  int conc = 1;
};

// Runs the peer `repetitions` times (each a fresh node process, peak RSS from wait4) and
// returns the median run. A failing or timed-out peer gives ok=false and the reason.
PeerFigure run_peer(const PeerRunOptions& options, const std::string& peer,
                    const std::string& workload, const std::string& mode);

// True when `node` runs and peers_dir holds both peer packages.
Result<std::string> check_peers_available(const std::string& node, const std::string& peers_dir);

}  // namespace stepwise::bench
