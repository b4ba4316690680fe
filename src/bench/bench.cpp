#include "bench/bench.h"

#include <sys/utsname.h>

#include <iostream>
#include <thread>

#include "bench/measure.h"
#include "bench/paired.h"
#include "bench/peers.h"
#include "bench/report.h"
#include "bench/subprocess.h"
#include "bench/workloads.h"

#ifndef STEPWISE_BENCH_DIR
#define STEPWISE_BENCH_DIR "bench"
#endif

namespace stepwise::bench {

std::string default_bench_dir() { return STEPWISE_BENCH_DIR; }

namespace {

// The options, resolved: which workloads, modes and types, and where the files are.
struct Plan {
  std::vector<const WorkloadSpec*> workloads;
  std::vector<std::string> modes;  // "seq", "conc"
  std::vector<bool> express;       // true: express, false: standard
  int conc = 100;                  // executions in flight in conc mode
  std::string dir;
};

bool contains(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

Result<Plan> make_plan(const BenchOptions& o) {
  Plan p;
  p.dir = o.bench_dir.empty() ? default_bench_dir() : o.bench_dir;
  bool all = o.workloads.empty() || contains(o.workloads, "all");
  for (const auto& s : workload_specs())
    if (all || contains(o.workloads, s.id)) p.workloads.push_back(&s);
  for (const auto& w : o.workloads)
    if (w != "all" && !find_workload(w)) return Error{"Bench.BadOption", "unknown workload " + w};
  p.conc = o.conc;
  for (const auto& m : o.modes) {
    if (m == "all") {
      p.modes = {"seq", "conc"};
    } else if (m == "seq" || m == "conc") {
      p.modes.push_back(m);
    } else if (m.starts_with("conc") && m.size() <= 8 &&
               m.find_first_not_of("0123456789", 4) == std::string::npos) {
      p.modes.push_back("conc");  // conc<N>: N in flight
      p.conc = std::stoi(m.substr(4));
    } else {
      return Error{"Bench.BadOption", "unknown mode " + m + " (seq, conc, conc<N>, all)"};
    }
  }
  for (const auto& t : o.types) {
    if (t == "both" || t == "all")
      p.express = {true, false};
    else if (t == "express" || t == "standard")
      p.express.push_back(t == "express");
    else
      return Error{"Bench.BadOption", "unknown type " + t + " (express, standard, both)"};
  }
  if (p.conc < 2 || p.conc > conc_in_flight_max)
    return Error{"Bench.BadOption", "conc must be 2.." + std::to_string(conc_in_flight_max)};
  if (o.threads < 1 || o.threads > threads_max)
    return Error{"Bench.BadOption", "threads must be 1.." + std::to_string(threads_max)};
  if (o.repetitions < 1 || o.repetitions > repetitions_max)
    return Error{"Bench.BadOption", "repetitions must be 1.." + std::to_string(repetitions_max)};
  return p;
}

json::object machine_info() {
  json::object m;
  m["cpus"] = std::thread::hardware_concurrency();
  auto cpuinfo = read_file_text("/proc/cpuinfo");
  std::string model = "unknown";
  if (cpuinfo) {
    auto pos = cpuinfo->find("model name");
    auto colon = pos == std::string::npos ? pos : cpuinfo->find(':', pos);
    auto eol = colon == std::string::npos ? colon : cpuinfo->find('\n', colon);
    if (eol != std::string::npos && eol > colon + 2)
      model = cpuinfo->substr(colon + 2, eol - colon - 2);
  }
  m["cpu"] = model;
  utsname u{};
  if (uname(&u) == 0) m["kernel"] = std::string(u.sysname) + " " + u.release;
  return m;
}

// The measured cell, in a forked child (its own peak RSS) unless isolation is off.
CellResult run_cell(const Workload& w, const MachinePtr& machine, const CellSpec& spec,
                    bool isolate) {
  if (!isolate) return measure_cell(w, machine, spec);
  auto r = run_forked([&] { return json::dump(measure_cell(w, machine, spec).to_json()); },
                      /*timeout_s=*/3600);
  CellResult failed;
  failed.workload = w.spec.id;
  failed.mode = spec.mode;
  failed.type = spec.express ? "express" : "standard";
  failed.executions = spec.executions;
  if (!r) {
    failed.error = r.error().cause;
    return failed;
  }
  auto v = json::parse(r->out);
  if (!v || r->exit_code != 0) {
    failed.error = "measuring process " + r->describe() + " " + r->err.substr(0, 300);
    return failed;
  }
  CellResult cell = CellResult::from_json(*v);
  cell.peak_rss_mb = r->peak_rss_mb;
  return cell;
}

class Bench {
 public:
  Bench(const BenchOptions& o, const Plan& p, std::ostream& out, std::ostream& err)
      : o_(o), p_(p), out_(out), err_(err) {}

  int run();

 private:
  void load_recorded_peers();
  void setup_live_peers();
  void run_workload(const WorkloadSpec& spec);
  void run_mode(const Workload& w, const MachinePtr& m, const std::string& mode);
  void run_paired(const Workload& w, const MachinePtr& m, const std::string& label, int conc);
  CellSpec cell_spec(const Workload& w, const std::string& label, int conc, bool express) const;
  void add_row(CellResult cell, double paired_ratio = 0);
  void print_verify(const CellResult& c);
  int finish();

  const BenchOptions& o_;
  const Plan& p_;
  std::ostream& out_;
  std::ostream& err_;
  std::vector<PeerFigure> recorded_, live_;
  bool live_peers_ = false;
  std::vector<ReportRow> rows_;
  bool failed_ = false;
};

void Bench::load_recorded_peers() {
  auto text = read_file_text(p_.dir + "/peer-results.md");
  if (text)
    recorded_ = parse_peer_results(*text);
  else
    err_ << "note: no recorded peer figures: " << text.error().cause << "\n";
}

void Bench::setup_live_peers() {
  if (!o_.peers) return;
  auto v = check_peers_available(o_.node, o_.peers_dir);
  if (!v) {
    err_ << "note: live peers unavailable, using recorded figures: " << v.error().cause << "\n";
    return;
  }
  live_peers_ = true;
  if (!o_.json) out_ << "peers: live, node " << *v << ", " << o_.peers_dir << "\n";
}

int Bench::run() {
  load_recorded_peers();
  setup_live_peers();
  if (!o_.json) {
    auto m = machine_info();
    out_ << "machine: " << json::dump(m) << "\n"
         << "stepwise in-process, median of " << o_.repetitions << " runs; peers "
         << (live_peers_ ? "measured live in this run" : "from peer-results.md") << "\n"
         << table_header() << std::flush;
  }
  for (const auto* spec : p_.workloads) run_workload(*spec);
  return finish();
}

void Bench::run_workload(const WorkloadSpec& spec) {
  auto w = load_workload(spec, p_.dir + "/workloads");
  Result<MachinePtr> m = w ? compile_workload(*w) : Result<MachinePtr>(w.error());
  if (!m) {
    CellResult c;
    c.workload = spec.id;
    c.mode = "-";
    c.type = "-";
    c.error = m.error().name + ": " + m.error().cause;
    add_row(std::move(c));
    return;
  }
  for (const auto& mode : p_.modes)
    if (mode == "seq" || spec.has_conc) run_mode(*w, *m, mode);
}

CellSpec Bench::cell_spec(const Workload& w, const std::string& label, int conc,
                          bool express) const {
  return CellSpec{label,
                  conc,
                  o_.threads,
                  express,
                  o_.executions > 0 ? o_.executions : w.spec.executions,
                  o_.repetitions,
                  o_.verify,
                  o_.aws_quotas};
}

void Bench::run_mode(const Workload& w, const MachinePtr& m, const std::string& mode) {
  int conc = mode == "seq" ? 1 : p_.conc;
  std::string label = mode == "seq" ? "seq" : "conc" + std::to_string(conc);
  if (live_peers_) return run_paired(w, m, label, conc);
  for (bool express : p_.express)
    add_row(run_cell(w, m, cell_spec(w, label, conc, express), o_.isolate));
}

// Rounds of (each peer once, each of our cells for its share of the repetitions), so that a
// load change on this shared machine hits both sides of a ratio alike.
void Bench::run_paired(const Workload& w, const MachinePtr& m, const std::string& label, int conc) {
  const std::vector<std::string> peer_names = {"als", "statebox"};
  int rounds = std::max(1, o_.peer_repetitions);
  PeerRunOptions po{
      o_.node, p_.dir + "/peer-bench.js", o_.peers_dir, 1, o_.peer_timeout_s, o_.executions, conc};
  std::vector<std::vector<PeerFigure>> peer_runs(peer_names.size());
  std::vector<std::vector<CellResult>> cell_runs(p_.express.size());
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t p = 0; p < peer_names.size(); ++p)
      peer_runs[p].push_back(run_peer(po, peer_names[p], w.spec.id, label));
    for (std::size_t t = 0; t < p_.express.size(); ++t) {
      CellSpec spec = cell_spec(w, label, conc, p_.express[t]);
      spec.repetitions = std::max(1, (o_.repetitions + rounds - 1) / rounds);
      spec.verify = o_.verify && round == 0;  // once is enough
      cell_runs[t].push_back(run_cell(w, m, spec, o_.isolate));
    }
  }
  for (const auto& runs : peer_runs) live_.push_back(merge_peer_runs(runs));
  for (const auto& runs : cell_runs) add_row(merge_cell_runs(runs), paired_ratio(runs, peer_runs));
}

void Bench::add_row(CellResult cell, double paired_ratio) {
  if (!cell.ok) failed_ = true;
  if (o_.verify && !o_.json) print_verify(cell);
  rows_.push_back(make_row(std::move(cell), live_peers_ ? live_ : recorded_));
  if (paired_ratio > 0) rows_.back().ratio = paired_ratio;
  if (!o_.json) out_ << table_row(rows_.back()) << std::flush;
}

void Bench::print_verify(const CellResult& c) {
  if (c.expected.empty()) return;
  constexpr std::size_t shown_chars_max = 200;  // W3's output is 300 KB
  out_ << "verify " << c.workload << " " << c.mode << " " << c.type << ": "
       << (c.verified ? "OK" : "MISMATCH") << " transitions=" << c.measured_transitions
       << " output=" << c.output.substr(0, shown_chars_max) << "\n";
  if (!c.verified) out_ << "  expected=" << c.expected.substr(0, shown_chars_max) << "\n";
}

int Bench::finish() {
  // Only the peers' figures for the cells of this run.
  std::vector<PeerFigure> peers;
  for (const auto& f : live_peers_ ? live_ : recorded_) {
    bool selected = false;
    for (const auto& r : rows_)
      selected = selected || (r.cell.workload == f.workload && r.cell.mode == f.mode);
    if (selected) peers.push_back(f);
  }
  bool met = true;
  std::string targets = target_summary(rows_, &met);
  if (o_.json) {
    out_ << json::dump(report_json(rows_, peers, machine_info())) << "\n";
  } else {
    out_ << "\npeers (" << (live_peers_ ? "live, this run" : "peer-results.md") << "):\n"
         << peer_table(peers) << "\n"
         << targets;
  }
  if (failed_) return 1;
  return o_.check_targets && !met ? 1 : 0;
}

}  // namespace

int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err) {
  auto plan = make_plan(options);
  if (!plan) {
    err << plan.error().cause << "\n";
    return 2;
  }
  Bench bench(options, *plan, out, err);
  return bench.run();
}

int run_bench(const BenchOptions& options) {
  return run_bench(options, std::cout, std::cerr);  // tidy: allow the command's own streams
}

}  // namespace stepwise::bench
