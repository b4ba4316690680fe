// One seeded simulation run: scenario, reference, faulted run, comparison (see sim_run.h).
#include "tests/sim/sim_run.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <utility>

#include "asl/compile.h"
#include "base/ids.h"
#include "json/json.h"
#include "sfn/executions.h"
#include "sfn/registry.h"
#include "sfn/shared_registry.h"
#include "store/memory_store.h"
#include "store/paging.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/sim/sim_workflows.h"

namespace stepwise::sim {
namespace {

constexpr Millis kStart = 1'700'000'000'000;
constexpr int kRestartsMax = 200;
constexpr const char* kRole = "arn:aws:iam::123456789012:role/sim";

struct Scenario {
  std::uint64_t seed = 0;
  std::vector<std::string> definitions;
  struct Start {
    std::string name;
    std::size_t machine = 0;
    std::string input;
    Millis at = 0;
  };
  std::vector<Start> starts;
  std::vector<std::pair<Millis, Millis>> jumps;  // at, by
};

Scenario make_scenario(const SimOptions& o, std::vector<std::string>& failures) {
  Scenario sc;
  sc.seed = o.seed;
  SplitMix64 rng(o.seed);
  for (int m = 0; m < o.machines; ++m) {
    std::string def;
    for (int tries = 0; tries < 20; ++tries) {
      def = random_definition(rng);
      if (asl::compile_text(def).ok()) break;
    }
    if (auto c = asl::compile_text(def); !c.ok())
      failures.push_back("generated definition does not compile: " + c.error().cause + "\n" + def);
    sc.definitions.push_back(def);
  }
  for (int i = 0; i < o.executions; ++i) {
    sc.starts.push_back({"e" + std::to_string(i),
                         static_cast<std::size_t>(rng.next()) % sc.definitions.size(),
                         random_input(rng), kStart + static_cast<Millis>(rng.next() % 6000)});
  }
  const int jumps = static_cast<int>(rng.next() % 3);
  for (int j = 0; j < jumps; ++j) {
    sc.jumps.emplace_back(kStart + static_cast<Millis>(rng.next() % 40000),
                          1000 + static_cast<Millis>(rng.next() % 120000));
  }
  return sc;
}

// One life of the server: a loop on the sim's clock, the registry over the store, the
// executions writing through the SimStore. Dies with its loop (a crash) or at the end.
struct Server {
  Server(SimClock& clock, store::Store& inner, SimStore& wrapper, tasks::TaskRunner& functions)
      : loop(clock),
        registry(inner, inner, clock, registry_ids, sfn::Place{}),
        shared(registry),
        executions(loop, wrapper, shared, ids, functions, nullptr) {
    // What the service reports (failed commits are expected here; kept for a failure's report).
    executions.set_log([this](const std::string& line) { log.push_back(line); });
  }
  std::vector<std::string> log;
  EventLoop loop;
  IdGenerator registry_ids{11};
  IdGenerator ids{12};
  sfn::Registry registry;
  sfn::SharedRegistry shared;
  sfn::Executions executions;  // last: gone before what it uses
};

struct Ended {
  store::ExecutionRecord row;
  std::vector<history::HistoryEvent> history;
};
using Outcomes = std::map<std::string, std::optional<Ended>>;  // by execution name

std::unique_ptr<store::Store> open_store(StoreKind kind, const std::filesystem::path& dir,
                                         std::vector<std::string>& failures) {
  if (kind == StoreKind::kMemory) return std::make_unique<store::MemoryStore>();
  store::SqliteOptions so;
  so.synchronous = store::Synchronous::kOff;  // a crash here is simulated, not a power loss
  auto s = store::SqliteStore::open(dir, so);
  if (!s.ok()) {
    failures.push_back("cannot open the SqliteStore: " + s.error().cause);
    return nullptr;
  }
  return std::move(*s);
}

Outcomes read_outcomes(const Scenario& sc, store::Store& st, std::vector<std::string>& failures) {
  Outcomes out;
  for (const auto& s : sc.starts) {
    const std::string arn = "arn:aws:states:us-east-1:123456789012:execution:m" +
                            std::to_string(s.machine) + ":" + s.name;
    auto row = st.get_execution(arn);
    if (!row.ok() || !row->has_value()) {
      out[s.name] = std::nullopt;
      if (!row.ok()) failures.push_back(s.name + ": cannot read its row: " + row.error().cause);
      continue;
    }
    Ended e{**row, {}};
    store::HistoryQuery q{.execution_arn = arn, .limit = 1000};
    for (;;) {
      auto page = st.history(q);
      if (!page.ok()) {
        failures.push_back(s.name + ": cannot read its history: " + page.error().cause);
        break;
      }
      for (auto& ev : *page) e.history.push_back(std::move(ev));
      if (page->size() < q.limit) break;
      q.after_id = e.history.back().id;
    }
    out[s.name] = std::move(e);
  }
  return out;
}

// Runs the scenario to its end on `kind`, restarting the server after every crash.
Outcomes simulate(const Scenario& sc, StoreKind kind, const std::filesystem::path& dir,
                  FaultPlan* faults, FaultCounts& counts, std::vector<std::string>& failures,
                  std::vector<std::string>& logged) {
  SimClock clock(kStart);
  for (auto [at, by] : sc.jumps) clock.add_jump(at, by);
  std::unique_ptr<store::Store> inner = open_store(kind, dir, failures);
  if (!inner) return {};
  SimStore wrapper(*inner, faults, counts);
  Functions functions(sc.seed, clock, faults, counts);
  std::vector<bool> acked(sc.starts.size(), false);
  std::set<std::string> hit;  // executions RUNNING at some restart
  std::vector<std::string> machine_arns;
  for (int life = 0;; ++life) {
    if (life > kRestartsMax) {
      failures.push_back("still crashing after " + std::to_string(kRestartsMax) + " restarts");
      break;
    }
    auto server = std::make_unique<Server>(clock, *inner, wrapper, functions);
    Server& s = *server;
    wrapper.reset(*inner, s.loop);
    functions.new_life();
    if (machine_arns.empty()) {
      for (std::size_t m = 0; m < sc.definitions.size(); ++m) {
        for (auto& [name, op] : s.registry.operations()) {
          if (name != "CreateStateMachine") continue;
          api::Response r = op(json::object{{"name", "m" + std::to_string(m)},
                                            {"definition", sc.definitions[m]},
                                            {"roleArn", kRole}});
          if (r.is_error()) {
            failures.push_back("CreateStateMachine m" + std::to_string(m) + ": " + r.error().type +
                               " " + r.error().message);
            machine_arns.emplace_back();
          } else {
            machine_arns.emplace_back(r.body().at("stateMachineArn").as_string());
          }
        }
      }
    }
    clock.before_advance = [&] {
      if (wrapper.dead()) return false;
      if (wrapper.restart_wanted()) {
        wrapper.crash();
        return false;
      }
      if (faults != nullptr && faults->may_crash() && faults->draw(faults->rates().crash_idle)) {
        ++counts.crashes_idle;
        faults->crashed();
        wrapper.crash();
        return false;
      }
      return true;
    };
    // As Service::start: claim the shard (fencing), then recover what was RUNNING.
    if (auto epoch = wrapper.claim_shard(0, "sim-" + std::to_string(life)); epoch.ok()) {
      s.executions.set_fence(store::Fence{0, *epoch});
    } else {
      failures.push_back("claim_shard: " + epoch.error().cause);
    }
    counts.recovered += static_cast<std::int64_t>(s.executions.recover());
    if (life > 0) {
      auto running = store::read_running_index(*inner);
      if (running.ok()) {
        for (const auto& r : *running) hit.insert(r.arn);
      }
    }
    for (std::size_t i = 0; i < sc.starts.size(); ++i) {
      if (acked[i]) continue;
      const Scenario::Start& st = sc.starts[i];
      s.loop.schedule_at(std::max(st.at, clock.now_ms()), [&, i] {
        // The start's ids (the execution's seed) depend on the execution alone, so a start
        // sent again after a crash draws the same ones.
        s.ids = IdGenerator(SplitMix64::mix(sc.seed ^ (i + 1)) | 1);
        const std::string& arn = machine_arns[sc.starts[i].machine];
        json::object body{
            {"stateMachineArn", arn}, {"name", sc.starts[i].name}, {"input", sc.starts[i].input}};
        s.executions.start_execution(json::value(std::move(body)), [&, i](api::Response r) {
          if (!r.is_error() || r.error().type == "ExecutionAlreadyExists") {
            acked[i] = true;
          } else if (r.error().type != "InternalFailure") {
            failures.push_back(sc.starts[i].name + ": StartExecution refused: " + r.error().type +
                               " " + r.error().message);
            acked[i] = true;
          }
        });
      });
    }
    s.loop.run();
    clock.before_advance = nullptr;
    for (auto& line : s.log) logged.push_back("life " + std::to_string(life) + ": " + line);
    const bool again = wrapper.dead() || wrapper.restart_wanted();
    server.reset();
    if (!again) break;
    ++counts.restarts;
    if (kind == StoreKind::kSqlite) {
      inner.reset();  // closes (drains) the database; the next life opens it again
      inner = open_store(kind, dir, failures);
      if (!inner) return {};
    }
  }
  counts.executions_hit = static_cast<std::int64_t>(hit.size());
  for (const auto& u : wrapper.unexpected()) failures.push_back("store refused a commit: " + u);
  return read_outcomes(sc, *inner, failures);
}

// The history without the Started events of re-dispatches (a task's Started event after its
// first), renumbered, so a recovered execution's history compares with the reference's. Texts
// that name an event id ("entered at the event id #12") are renumbered too.
struct Renumbered {
  std::vector<history::HistoryEvent> history;
  std::map<std::int64_t, std::int64_t> ids{{0, 0}};  // old id -> new id
  std::string text(const std::string& s) const {
    static const std::regex kEventId("event id #([0-9]+)");
    std::string out;
    auto last = s.cbegin();
    for (std::sregex_iterator it(s.begin(), s.end(), kEventId), end; it != end; ++it) {
      out.append(last, (*it)[0].first);
      auto found = ids.find(std::stoll((*it)[1].str()));
      out += "event id #" + (found == ids.end() ? (*it)[1].str() : std::to_string(found->second));
      last = (*it)[0].second;
    }
    out.append(last, s.cend());
    return out;
  }
};

// Events whose previous event is, by the engine's rule, the history's last event whatever it
// is (Execution::time_out, Execution::redrive), not an event of their own state's chain.
bool chains_to_last_event(const std::string& type) {
  return type == "ExecutionTimedOut" || type == "ExecutionRedriven";
}

Renumbered without_redispatches(std::vector<history::HistoryEvent> h) {
  Renumbered r;
  std::map<std::int64_t, std::int64_t> first_started;  // Scheduled id -> its first Started id
  // Old id -> new id of the last kept event up to it: what a dropped event is as a place in the
  // history rather than as a link in its task's chain.
  std::map<std::int64_t, std::int64_t> place{{0, 0}};
  for (auto& e : h) {
    if (e.type == "LambdaFunctionStarted" || e.type == "TaskStarted") {
      auto [it, first] = first_started.emplace(e.previous_event_id, e.id);
      if (!first) {
        // The task's next event chains to this Started event; in the reference, to the first.
        r.ids[e.id] = r.ids[it->second];
        place[e.id] = static_cast<std::int64_t>(r.history.size());
        continue;
      }
    }
    const std::int64_t id = static_cast<std::int64_t>(r.history.size()) + 1;
    r.ids[e.id] = id;
    place[e.id] = id;
    e.id = id;
    // An ExecutionTimedOut right after a re-dispatch chains to that re-dispatch's Started event,
    // which the reference never wrote: there, the last event before it is the last one both
    // runs have, not the task's first Started event (which is what the task's own events map
    // to). So these map by place (seed 1354 found it: a timeout right after a recovery).
    const auto& map = chains_to_last_event(e.type) ? place : r.ids;
    auto p = map.find(e.previous_event_id);
    e.previous_event_id = p == map.end() ? -1 : p->second;
    r.history.push_back(std::move(e));
  }
  return r;
}

std::string describe(const history::HistoryEvent& e, const Renumbered& r) {
  return std::to_string(e.id) + " " + e.type + " prev=" + std::to_string(e.previous_event_id) +
         " t=" + std::to_string(e.timestamp) + " " + r.text(json::dump(e.details));
}

std::string row_text(const store::ExecutionRecord& x, const Renumbered& r) {
  return x.status + " output=" + r.text(x.output.value_or("-")) +
         " error=" + x.error.value_or("-") + " cause=" + r.text(x.cause.value_or("-")) +
         " start=" + std::to_string(x.start_ms) + " stop=" + std::to_string(x.stop_ms);
}

void compare(const Scenario& sc, const Outcomes& ref, const Outcomes& got, bool full_histories,
             std::vector<std::string>& failures) {
  for (const auto& s : sc.starts) {
    const auto& a = ref.at(s.name);
    const auto& b = got.at(s.name);
    const std::string who = s.name + " (machine m" + std::to_string(s.machine) + ")";
    if (!a || !b) {
      if (a.has_value() != b.has_value())
        failures.push_back(who + ": exists in " +
                           (a ? "the reference only" : "the faulted run only"));
      continue;
    }
    if (a->row.status == "RUNNING") {
      std::string tail;
      const auto& h = a->history;
      for (std::size_t i = h.size() > 4 ? h.size() - 4 : 0; i < h.size(); ++i)
        tail += "\n    " + describe(h[i], Renumbered{});
      failures.push_back(who + ": the reference did not end; its last events:" + tail);
    }
    for (std::size_t i = 0; i < b->history.size(); ++i) {
      if (b->history[i].id != static_cast<std::int64_t>(i) + 1) {
        failures.push_back(who + ": history ids not 1..n at id " +
                           std::to_string(b->history[i].id));
        break;
      }
    }
    const Renumbered ra = without_redispatches(a->history);
    const Renumbered rb = without_redispatches(b->history);
    if (row_text(a->row, ra) != row_text(b->row, rb)) {
      failures.push_back(who + ": ended differently\n  reference: " + row_text(a->row, ra) +
                         "\n  faulted:   " + row_text(b->row, rb));
    }
    const auto& ha = ra.history;
    const auto& hb = rb.history;
    for (std::size_t i = 0; i < std::max(ha.size(), hb.size()); ++i) {
      const std::string ea = i < ha.size() ? describe(ha[i], ra) : "(none)";
      const std::string eb = i < hb.size() ? describe(hb[i], rb) : "(none)";
      if (ea != eb) {
        failures.push_back(who + ": history differs at event " + std::to_string(i + 1) +
                           "\n  reference: " + ea + "\n  faulted:   " + eb);
        if (full_histories) {
          // As stored (re-dispatches in, ids not renumbered): what a diagnosis reads.
          const Renumbered as_stored;
          for (const auto& e : a->history)
            failures.push_back("  reference event " + describe(e, as_stored));
          for (const auto& e : b->history)
            failures.push_back("  faulted event   " + describe(e, as_stored));
        }
        break;
      }
    }
  }
}

std::string digest_of(const Outcomes& o) {
  std::uint64_t h = 0;
  auto add = [&](const std::string& s) {
    for (unsigned char c : s) h = SplitMix64::mix(h ^ c);
  };
  for (const auto& [name, e] : o) {
    add(name);
    if (!e) continue;
    const Renumbered same;  // no renumbering: the run as stored
    add(row_text(e->row, same));
    for (const auto& ev : e->history) add(describe(ev, same));
  }
  return std::to_string(h);
}

}  // namespace

FaultRates SimOptions::default_rates() {
  // Dense enough that most executions of a run live through a crash or a failed commit.
  return FaultRates{.commit_error = 15,
                    .crash_before = 25,
                    .crash_after = 25,
                    .crash_idle = 15,
                    .duplicate_answer = 50,
                    .late_answer = 50,
                    .crashes_max = 16};
}

SimResult run_seed(const SimOptions& o) {
  SimResult res;
  res.executions = o.executions;
  Scenario sc = make_scenario(o, res.failures);
  if (!res.failures.empty()) return res;
  FaultCounts ref_counts;
  std::vector<std::string> ref_log;
  std::vector<std::string> log;
  Outcomes ref = simulate(sc, StoreKind::kMemory, {}, nullptr, ref_counts, res.failures, ref_log);
  FaultPlan plan(SplitMix64::mix(o.seed ^ 0xFA017ULL), o.rates);
  std::filesystem::path dir;
  if (o.store == StoreKind::kSqlite) {
    dir = o.scratch / ("seed-" + std::to_string(o.seed));
    std::filesystem::remove_all(dir);
  }
  Outcomes got = simulate(sc, o.store, dir, &plan, res.counts, res.failures, log);
  if (!dir.empty()) std::filesystem::remove_all(dir);
  if (!res.failures.empty()) return res;
  compare(sc, ref, got, o.full_histories, res.failures);
  res.digest = digest_of(got);
  if (!res.failures.empty()) {
    for (const auto& line : ref_log) res.failures.push_back("reference log: " + line);
    for (const auto& line : log) res.failures.push_back("log: " + line);
    for (std::size_t m = 0; m < sc.definitions.size(); ++m)
      res.failures.push_back("m" + std::to_string(m) + ": " + sc.definitions[m]);
  }
  return res;
}

}  // namespace stepwise::sim
