// SqliteStore's Map Runs: each step's runs and children written in the step's transaction (the
// writer thread, under write_mu_), and their reads on the read connection. Children are keyed
// by their run's row id and index; a child's name and ARN come from the run's ARN
// (history/map_run.h). See sqlite_store.h and schema.cpp (version 4).
#include <array>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/errors.h"
#include "store/rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"

namespace stepwise::store {

using sqlite::as_limit;
using sqlite::read_all;
using sqlite::read_one;
using sqlite::run;
using sqlite::Statement;

namespace {

constexpr const char* kReadMapRuns = "cannot read map runs";
constexpr const char* kWrite = "cannot commit a step's map runs";

#define STEPWISE_MAP_RUN_COLUMNS                                                       \
  "arn,execution_arn,state_machine_arn,status,start_ms,stop_ms,max_concurrency,"       \
  "tolerated_failure_percentage,tolerated_failure_count,item_counts,execution_counts," \
  "redrive_count,redrive_ms"

MapRunRecord read_run(const Statement& s) {
  MapRunRecord r;
  r.arn = s.text(0);
  r.execution_arn = s.text(1);
  r.state_machine_arn = s.text(2);
  r.status = s.text(3);
  r.start_ms = s.integer(4);
  r.stop_ms = s.integer(5);
  r.max_concurrency = s.integer(6);
  r.tolerated_failure_percentage = s.real(7);
  r.tolerated_failure_count = s.integer(8);
  r.items = rows::parse_counts(s.text(9));
  r.executions = rows::parse_counts(s.text(10));
  r.redrive_count = s.integer(11);
  r.redrive_ms = s.integer(12);
  return r;
}

// idx,status,input,output,error,cause,start_ms,stop_ms (the child's run is known to the caller).
constexpr const char* kChildColumns = "idx,status,input,output,error,cause,start_ms,stop_ms";

MapRunChild read_child(const Statement& s, const std::string& run_arn) {
  MapRunChild c;
  c.index = s.integer(0);
  c.status = s.text(1);
  c.input = s.optional_text(2);
  c.output = s.optional_text(3);
  c.error = s.optional_text(4);
  c.cause = s.optional_text(5);
  c.start_ms = s.integer(6);
  c.stop_ms = s.integer(7);
  c.map_run_arn = run_arn;
  c.name = history::map_run_child_name(run_arn, c.index);
  c.arn = history::map_run_child_arn(run_arn, c.index);
  return c;
}

// The first string after every string that begins with `prefix` (ARNs are ASCII).
std::string prefix_end(std::string prefix) {
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

}  // namespace

// "INSERT ... VALUES(...),(...)" for n children, 1 <= n <= the maximum (static storage: the
// statement cache is keyed by the SQL's address). A child's end carries no input (nullopt): the
// one its start stored stays.
static const char* child_upsert_sql(std::size_t n) {
  static const auto sql = [] {
    std::array<std::string, SqliteStore::child_rows_per_insert_max + 1> out;
    for (std::size_t k = 1; k < out.size(); ++k) {
      out[k] =
          "INSERT INTO map_run_children(run_id,idx,status,input,output,error,cause,start_ms,"
          "stop_ms) VALUES(?,?,?,?,?,?,?,?,?)";
      for (std::size_t i = 1; i < k; ++i) out[k] += ",(?,?,?,?,?,?,?,?,?)";
      out[k] +=
          " ON CONFLICT(run_id,idx) DO UPDATE SET status=excluded.status,"
          "input=coalesce(excluded.input,input),output=excluded.output,error=excluded.error,"
          "cause=excluded.cause,start_ms=excluded.start_ms,stop_ms=excluded.stop_ms";
    }
    return out;
  }();
  return sql[n].c_str();
}

Status SqliteStore::write_map_runs(StepRecord& step) {
  if (step.map_runs.empty() && step.map_run_children.empty()) return ok_status();
  for (const MapRunRecord& r : step.map_runs) {
    const std::string items = rows::counts_text(r.items);
    const std::string executions = rows::counts_text(r.executions);
    auto st = run(
        writer_,
        "INSERT INTO map_runs(" STEPWISE_MAP_RUN_COLUMNS
        ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13) ON CONFLICT(arn) DO UPDATE SET "
        "status=excluded.status,stop_ms=excluded.stop_ms,max_concurrency=excluded.max_concurrency,"
        "tolerated_failure_percentage=excluded.tolerated_failure_percentage,"
        "tolerated_failure_count=excluded.tolerated_failure_count,item_counts=excluded.item_counts,"
        "execution_counts=excluded.execution_counts,redrive_count=excluded.redrive_count,"
        "redrive_ms=excluded.redrive_ms",
        kWrite, [&](Statement& s) {
          s.bind(1, r.arn).bind(2, r.execution_arn).bind(3, r.state_machine_arn).bind(4, r.status);
          s.bind(5, r.start_ms).bind(6, r.stop_ms).bind(7, r.max_concurrency);
          s.bind_real(8, r.tolerated_failure_percentage).bind(9, r.tolerated_failure_count);
          s.bind(10, items).bind(11, executions).bind(12, r.redrive_count).bind(13, r.redrive_ms);
        });
    if (!st.ok()) return st;
  }
  std::unordered_map<std::string, std::int64_t> run_ids;  // this step's runs (usually one)
  auto& children = step.map_run_children;
  for (std::size_t first = 0; first < children.size();) {
    const std::string& run_arn = children[first].map_run_arn;
    auto id = run_ids.find(run_arn);
    if (id == run_ids.end()) {
      auto read = read_one<std::int64_t>(
          writer_, "SELECT id FROM map_runs WHERE arn=?1", kWrite,
          [&](Statement& s) { s.bind(1, run_arn); },
          [](const Statement& s) { return s.integer(0); });
      if (!read.ok()) return std::move(read).error();
      if (!read->has_value())
        return Error{errors::conflict, "a child of the map run " + run_arn + " came without it"};
      id = run_ids.emplace(run_arn, **read).first;
    }
    std::size_t n = 0;  // children of this run, in a row, one INSERT's worth
    while (first + n < children.size() && n < child_rows_per_insert_max &&
           children[first + n].map_run_arn == run_arn)
      ++n;
    auto st = run(writer_, child_upsert_sql(n), kWrite, [&](Statement& s) {
      for (std::size_t i = 0; i < n; ++i) {
        const MapRunChild& c = children[first + i];
        const int p = static_cast<int>(9 * i) + 1;
        s.bind(p, id->second).bind(p + 1, c.index).bind(p + 2, c.status).bind(p + 3, c.input);
        s.bind(p + 4, c.output).bind(p + 5, c.error).bind(p + 6, c.cause);
        s.bind(p + 7, c.start_ms).bind(p + 8, c.stop_ms);
      }
    });
    if (!st.ok()) return st;
    first += n;
  }
  return ok_status();
}

Result<std::optional<MapRunRecord>> SqliteStore::get_map_run(const std::string& arn) {
  base::MutexLock lock(read_mu_);
  return read_one<MapRunRecord>(
      reader_, "SELECT " STEPWISE_MAP_RUN_COLUMNS " FROM map_runs WHERE arn=?1", kReadMapRuns,
      [&](Statement& s) { s.bind(1, arn); }, read_run);
}

Result<std::vector<MapRunRecord>> SqliteStore::list_map_runs(const std::string& execution_arn,
                                                             const std::string& after_arn,
                                                             std::size_t limit) {
  base::MutexLock lock(read_mu_);
  if (after_arn.empty()) {
    return read_all<MapRunRecord>(
        reader_,
        "SELECT " STEPWISE_MAP_RUN_COLUMNS
        " FROM map_runs WHERE execution_arn=?1 ORDER BY start_ms DESC, arn DESC LIMIT ?2",
        kReadMapRuns, [&](Statement& s) { s.bind(1, execution_arn).bind(2, as_limit(limit)); },
        read_run);
  }
  auto cursor = read_one<std::int64_t>(
      reader_, "SELECT start_ms FROM map_runs WHERE arn=?1 AND execution_arn=?2", kReadMapRuns,
      [&](Statement& s) { s.bind(1, after_arn).bind(2, execution_arn); },
      [](const Statement& s) { return s.integer(0); });
  if (!cursor.ok()) return std::move(cursor).error();
  if (!cursor->has_value()) return std::vector<MapRunRecord>{};  // unknown cursor
  return read_all<MapRunRecord>(
      reader_,
      "SELECT " STEPWISE_MAP_RUN_COLUMNS
      " FROM map_runs WHERE execution_arn=?1 AND (start_ms < ?3 OR (start_ms = ?3 AND arn < ?4))"
      " ORDER BY start_ms DESC, arn DESC LIMIT ?2",
      kReadMapRuns,
      [&](Statement& s) {
        s.bind(1, execution_arn).bind(2, as_limit(limit)).bind(3, **cursor).bind(4, after_arn);
      },
      read_run);
}

// The run of a child ARN: its row id and ARN (at most one run begins with the child's prefix).
Result<std::optional<std::pair<std::int64_t, std::string>>> SqliteStore::child_run_locked(
    const std::string& prefix) {
  using Found = std::pair<std::int64_t, std::string>;
  return read_one<Found>(
      reader_, "SELECT id,arn FROM map_runs WHERE arn>=?1 AND arn<?2 ORDER BY arn LIMIT 1",
      kReadMapRuns, [&, end = prefix_end(prefix)](Statement& s) { s.bind(1, prefix).bind(2, end); },
      [](const Statement& s) {
        return Found{s.integer(0), s.text(1)};
      });
}

Result<std::optional<MapRunChild>> SqliteStore::get_map_run_child(const std::string& arn) {
  auto ref = history::parse_map_run_child_arn(arn);
  if (!ref) return std::optional<MapRunChild>();
  base::MutexLock lock(read_mu_);
  auto found = child_run_locked(ref->run_prefix);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return std::optional<MapRunChild>();
  const auto& [run_id, run_arn] = **found;
  static const std::string sql =
      std::string("SELECT ") + kChildColumns + " FROM map_run_children WHERE run_id=?1 AND idx=?2";
  return read_one<MapRunChild>(
      reader_, sql.c_str(), kReadMapRuns,
      [&, run_id = run_id](Statement& s) { s.bind(1, run_id).bind(2, ref->index); },
      [&, run_arn = run_arn](const Statement& s) { return read_child(s, run_arn); });
}

Result<std::vector<MapRunChild>> SqliteStore::list_map_run_children(const MapRunChildQuery& q) {
  base::MutexLock lock(read_mu_);
  auto run_id = read_one<std::int64_t>(
      reader_, "SELECT id FROM map_runs WHERE arn=?1", kReadMapRuns,
      [&](Statement& s) { s.bind(1, q.map_run_arn); },
      [](const Statement& s) { return s.integer(0); });
  if (!run_id.ok()) return std::move(run_id).error();
  if (!run_id->has_value()) return std::vector<MapRunChild>{};
  const std::int64_t id = **run_id;
  // The cursor: (start_ms, idx) of the child after which the page starts.
  std::int64_t after_start = std::numeric_limits<std::int64_t>::max();
  std::int64_t after_index = std::numeric_limits<std::int64_t>::max();
  if (!q.after_arn.empty()) {
    auto ref = history::parse_map_run_child_arn(q.after_arn);
    if (!ref || q.map_run_arn.compare(0, ref->run_prefix.size(), ref->run_prefix) != 0)
      return std::vector<MapRunChild>{};  // unknown cursor: nothing follows
    auto start = read_one<std::int64_t>(
        reader_, "SELECT start_ms FROM map_run_children WHERE run_id=?1 AND idx=?2", kReadMapRuns,
        [&](Statement& s) { s.bind(1, id).bind(2, ref->index); },
        [](const Statement& s) { return s.integer(0); });
    if (!start.ok()) return std::move(start).error();
    if (!start->has_value()) return std::vector<MapRunChild>{};
    after_start = **start;
    after_index = ref->index;
  }
  static const std::string sql =
      std::string("SELECT ") + kChildColumns +
      " FROM map_run_children WHERE run_id=?1 AND (?2='' OR status=?2) AND"
      " (start_ms < ?3 OR (start_ms = ?3 AND idx < ?4)) ORDER BY start_ms DESC, idx DESC LIMIT ?5";
  return read_all<MapRunChild>(
      reader_, sql.c_str(), kReadMapRuns,
      [&](Statement& s) {
        s.bind(1, id).bind(2, q.status).bind(3, after_start).bind(4, after_index);
        s.bind(5, as_limit(q.limit));
      },
      [&](const Statement& s) { return read_child(s, q.map_run_arn); });
}

}  // namespace stepwise::store
