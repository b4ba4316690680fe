// SqliteStore, the read half of ExecutionStore — an execution's row, the executions of a
// machine, history pages, the journal and the running index (each paged, each a Result) — and
// the retention purge. Reads use the read connection (WAL: they never wait for a commit's
// fsync). See sqlite_store.h.
#include <limits>
#include <string>
#include <utility>

#include "base/invariant.h"
#include "store/invariants.h"
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
constexpr const char* kRead = "cannot read executions";
}  // namespace

Result<std::optional<ExecutionRecord>> SqliteStore::get_execution(const std::string& arn) {
  base::MutexLock lock(read_mu_);
  auto row = read_one<ExecutionRecord>(
      reader_, "SELECT " STEPWISE_EXECUTION_COLUMNS " FROM executions WHERE arn=?1", kRead,
      [&](Statement& s) { s.bind(1, arn); }, rows::read_execution<Statement>);
  if (row.ok() && row->has_value()) {
    if (auto v = invariants::row_violation(**row); !v.empty())
      return invariant_violated("SqliteStore::get_execution", v);
  }
  return row;
}

Result<std::vector<ExecutionRecord>> SqliteStore::list_executions(const ExecutionQuery& q) {
  base::MutexLock lock(read_mu_);
  auto bind_filters = [&](Statement& s) {
    s.bind(1, q.state_machine_arn).bind(2, q.version_arn).bind(3, q.alias_arn).bind(4, q.status);
    s.bind(5, as_limit(q.limit));
  };
  constexpr const char* filters =
      " FROM executions WHERE state_machine_arn=?1 AND (?2='' OR version_arn=?2)"
      " AND (?3='' OR alias_arn=?3) AND (?4='' OR status=?4)";
  if (q.after_arn.empty()) {
    static const std::string sql = std::string("SELECT " STEPWISE_EXECUTION_COLUMNS) + filters +
                                   " ORDER BY start_ms DESC, arn DESC LIMIT ?5";
    return read_all<ExecutionRecord>(reader_, sql.c_str(), kRead, bind_filters,
                                     rows::read_execution<Statement>);
  }
  auto cursor = read_one<std::int64_t>(
      reader_, "SELECT start_ms FROM executions WHERE arn=?1", kRead,
      [&](Statement& s) { s.bind(1, q.after_arn); },
      [](const Statement& s) { return s.integer(0); });
  if (!cursor.ok()) return std::move(cursor).error();
  if (!cursor->has_value())
    return std::vector<ExecutionRecord>{};  // unknown cursor: nothing follows
  static const std::string sql = std::string("SELECT " STEPWISE_EXECUTION_COLUMNS) + filters +
                                 " AND (start_ms < ?6 OR (start_ms = ?6 AND arn < ?7))"
                                 " ORDER BY start_ms DESC, arn DESC LIMIT ?5";
  return read_all<ExecutionRecord>(
      reader_, sql.c_str(), kRead,
      [&](Statement& s) {
        bind_filters(s);
        s.bind(6, **cursor).bind(7, q.after_arn);
      },
      rows::read_execution<Statement>);
}

Result<std::vector<history::HistoryEvent>> SqliteStore::history(const HistoryQuery& q) {
  static const std::string forward =
      std::string("SELECT ") + rows::event_columns +
      " FROM history_events WHERE execution_id=(SELECT id FROM executions WHERE arn=?1)"
      " AND id>?2 ORDER BY id LIMIT ?3";
  static const std::string reverse =
      std::string("SELECT ") + rows::event_columns +
      " FROM history_events WHERE execution_id=(SELECT id FROM executions WHERE arn=?1)"
      " AND id<?2 ORDER BY id DESC LIMIT ?3";
  const std::int64_t bound =
      q.reverse && q.after_id == 0 ? std::numeric_limits<std::int64_t>::max() : q.after_id;
  base::MutexLock lock(read_mu_);
  auto events = read_all<history::HistoryEvent>(
      reader_, q.reverse ? reverse.c_str() : forward.c_str(), "cannot read the history",
      [&](Statement& s) { s.bind(1, q.execution_arn).bind(2, bound).bind(3, as_limit(q.limit)); },
      rows::read_event<Statement>);
  if (events.ok()) {
    if (auto v = invariants::history_violation(*events, q.reverse); !v.empty())
      return invariant_violated("SqliteStore::history", q.execution_arn + ": " + v);
  }
  return events;
}

Result<std::vector<JournalEntry>> SqliteStore::journal(const std::string& execution_arn,
                                                       std::int64_t after_seq, std::size_t limit) {
  base::MutexLock lock(read_mu_);
  return read_all<JournalEntry>(
      reader_,
      "SELECT n,entry FROM journal WHERE execution_id=(SELECT id FROM executions WHERE arn=?1) "
      "AND n>?2 ORDER BY n LIMIT ?3",
      "cannot read the journal",
      [&](Statement& s) { s.bind(1, execution_arn).bind(2, after_seq).bind(3, as_limit(limit)); },
      [](const Statement& s) {
        return JournalEntry{s.integer(0), s.json_value(1)};
      });
}

// Pages along the partial index executions_running(start_ms, arn).
Result<std::vector<RunningExecution>> SqliteStore::running_index(const RunningKey& after,
                                                                 std::size_t limit) {
  base::MutexLock lock(read_mu_);
  return read_all<RunningExecution>(
      reader_,
      "SELECT arn,state_machine_arn,type,wake_ms,start_ms FROM executions "
      "WHERE status='RUNNING' AND (start_ms,arn)>(?1,?2) ORDER BY start_ms, arn LIMIT ?3",
      "cannot read the running executions",
      [&](Statement& s) { s.bind(1, after.start_ms).bind(2, after.arn).bind(3, as_limit(limit)); },
      rows::read_running<Statement>);
}

// Deletes in chunks so that commits of running executions are not held up by a large purge.
Result<std::int64_t> SqliteStore::purge_closed_before(Millis before_ms) {
  constexpr std::int64_t chunk_executions_max = 500;
  const char* what = "cannot purge executions";
  std::int64_t total = 0;
  for (;;) {
    std::int64_t purged = 0;
    Status st = write_txn(what, [&](sqlite::Connection& db) -> Status {
      auto ids = read_all<std::int64_t>(
          db,
          "SELECT id FROM executions WHERE stop_ms>0 AND stop_ms<?1 AND status NOT IN "
          "('RUNNING','PENDING_REDRIVE') LIMIT ?2",
          what, [&](Statement& s) { s.bind(1, before_ms).bind(2, chunk_executions_max); },
          [](const Statement& s) { return s.integer(0); });
      if (!ids.ok()) return std::move(ids).error();
      for (std::int64_t id : *ids) {
        auto bind = [&](Statement& s) { s.bind(1, id); };
        for (const char* sql :
             {"DELETE FROM history_events WHERE execution_id=?1",
              "DELETE FROM journal WHERE execution_id=?1",
              "DELETE FROM map_run_children WHERE run_id IN (SELECT id FROM map_runs WHERE "
              "execution_arn=(SELECT arn FROM executions WHERE id=?1))",
              "DELETE FROM map_runs WHERE execution_arn=(SELECT arn FROM executions WHERE id=?1)",
              "DELETE FROM executions WHERE id=?1"}) {
          if (auto r = run(db, sql, what, bind); !r.ok()) return r;
        }
      }
      purged = static_cast<std::int64_t>(ids->size());
      return ok_status();
    });
    if (!st.ok()) return std::move(st).error();
    total += purged;
    if (purged < chunk_executions_max) return total;
  }
}

}  // namespace stepwise::store
