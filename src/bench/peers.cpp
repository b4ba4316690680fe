#include "bench/peers.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "bench/stats.h"
#include "bench/subprocess.h"
#include "json/json.h"

namespace stepwise::bench {

namespace {

// "| a | b |" -> {"a", "b"} (cells trimmed).
std::vector<std::string> split_row(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t pos = line.find('|');
  while (pos != std::string_view::npos) {
    std::size_t next = line.find('|', pos + 1);
    if (next == std::string_view::npos) break;
    std::string_view cell = line.substr(pos + 1, next - pos - 1);
    while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
    while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
    cells.emplace_back(cell);
    pos = next;
  }
  return cells;
}

bool to_double(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  *out = d;
  return true;
}

}  // namespace

std::vector<PeerFigure> parse_peer_results(std::string_view markdown) {
  // Columns: workload | mode | peer | executions | exec/s | transitions/s | exec-phase s |
  //          peak RSS MB | note
  std::vector<PeerFigure> figures;
  std::size_t start = 0;
  while (start < markdown.size() && figures.size() < peer_rows_max) {
    std::size_t end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    auto cells = split_row(markdown.substr(start, end - start));
    start = end + 1;
    if (cells.size() < 9 || cells[0] == "workload" || cells[0].starts_with("-")) continue;
    PeerFigure f;
    f.workload = cells[0];
    f.mode = cells[1];
    f.peer = cells[2];
    f.source = "peer-results.md";
    f.note = cells[8];
    f.ok = to_double(cells[5], &f.transitions_per_s);
    to_double(cells[4], &f.exec_per_s);
    to_double(cells[7], &f.peak_rss_mb);
    figures.push_back(std::move(f));
  }
  return figures;
}

std::optional<PeerFigure> best_peer(const std::vector<PeerFigure>& figures,
                                    std::string_view workload, std::string_view mode) {
  std::optional<PeerFigure> best;
  for (const auto& f : figures) {
    if (!f.ok || f.workload != workload || f.mode != mode) continue;
    if (!best || f.transitions_per_s > best->transitions_per_s) best = f;
  }
  return best;
}

Result<std::string> check_peers_available(const std::string& node, const std::string& peers_dir) {
  namespace fs = std::filesystem;
  for (const char* pkg : {"aws-local-stepfunctions", "@wmfs/statebox"}) {
    std::error_code ec;
    if (!fs::exists(fs::path(peers_dir) / "node_modules" / pkg, ec))
      return Error{"Bench.PeersMissing",
                   std::string(pkg) + " not installed in " + peers_dir + " (mkdir -p " + peers_dir +
                       " && cd " + peers_dir +
                       " && npm init -y && npm i aws-local-stepfunctions@3.0.0 @wmfs/statebox)"};
  }
  auto r = run_process({node, "--version"}, {}, 30);
  if (!r || r->exit_code != 0) return Error{"Bench.PeersMissing", "cannot run " + node};
  std::string version = r->out;
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return version;
}

namespace {

// One `node peer-bench.js` run: its JSON line, plus the peak RSS from wait4.
PeerFigure run_peer_once(const PeerRunOptions& o, const std::string& peer,
                         const std::string& workload, const std::string& mode) {
  PeerFigure f{workload, mode, peer, false, 0, 0, 0, "live", ""};
  std::vector<std::string> argv = {o.node, o.script, peer, workload};
  if (o.conc > 1) argv.insert(argv.end(), {"--conc", std::to_string(o.conc)});
  if (o.executions > 0) argv.insert(argv.end(), {"--n", std::to_string(o.executions)});
  auto r = run_process(argv, {{"PEERS_DIR", o.peers_dir}}, o.timeout_s);
  if (!r) {
    f.note = r.error().cause;
    return f;
  }
  f.peak_rss_mb = r->peak_rss_mb;
  // The script prints one JSON line last; a failure still prints one (with "error"/"fatal").
  std::string line = r->out.substr(0, r->out.find_last_not_of("\r\n") + 1);
  line = line.substr(line.find_last_of('\n') + 1);
  auto v = json::parse(line);
  if (!v || !v->is_object()) {
    f.note = "no result line (" + r->describe() + "): " + r->err.substr(0, 200);
    return f;
  }
  const auto& obj = v->as_object();
  auto text = [&](const char* key) {
    const auto* p = obj.if_contains(key);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  auto number = [&](const char* key) {
    const auto* p = obj.if_contains(key);
    return p && json::is_number(*p) ? json::as_double(*p) : 0.0;
  };
  f.note = !text("error").empty() ? text("error") : text("fatal");
  f.ok = r->exit_code == 0 && f.note.empty() && number("failed") == 0;
  if (!f.ok && f.note.empty()) f.note = r->describe();
  f.exec_per_s = number("exec_per_s");
  f.transitions_per_s = number("transitions_per_s");
  return f;
}

}  // namespace

PeerFigure run_peer(const PeerRunOptions& options, const std::string& peer,
                    const std::string& workload, const std::string& mode) {
  std::vector<PeerFigure> runs;
  int reps = std::max(1, options.repetitions);
  for (int i = 0; i < reps; ++i) {
    runs.push_back(run_peer_once(options, peer, workload, mode));
    if (!runs.back().ok) return runs.back();  // a failing peer fails every time: stop early
  }
  std::vector<double> tps, eps, rss;
  for (const auto& r : runs) {
    tps.push_back(r.transitions_per_s);
    eps.push_back(r.exec_per_s);
    rss.push_back(r.peak_rss_mb);
  }
  PeerFigure f = runs.front();
  f.transitions_per_s = median(tps);
  f.exec_per_s = median(eps);
  f.peak_rss_mb = *std::max_element(rss.begin(), rss.end());
  f.note = std::to_string(reps) + " runs";
  return f;
}

}  // namespace stepwise::bench
