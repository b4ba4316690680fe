// SqliteStore, the write half of ExecutionStore: the group commit's BatchWriter (one
// transaction per batch, fencing, a savepoint retry when a call conflicts), each step's row,
// history events and journal entry, and claim_shard. Runs on the group-commit writer thread
// under write_mu_. See sqlite_store.h.
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <utility>

#include "base/invariant.h"
#include "store/errors.h"
#include "store/invariants.h"
#include "store/rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"

namespace stepwise::store {

using sqlite::read_one;
using sqlite::run;
using sqlite::Statement;

// --- fencing ---

// A new epoch for the shard, in one transaction with the write lock held: no batch is being
// written meanwhile, and every later batch reads the new epoch.
Result<std::int64_t> SqliteStore::claim_shard(std::int64_t shard, const std::string& node) {
  const char* what = "cannot claim the shard";
  std::int64_t epoch = 0;
  Status st = write_txn(what, [&](sqlite::Connection& db) -> Status {
    if (auto up = run(db,
                      "INSERT INTO shards(shard,epoch,node) VALUES(?1,1,?2) ON CONFLICT(shard) "
                      "DO UPDATE SET epoch=epoch+1,node=excluded.node",
                      what, [&](Statement& s) { s.bind(1, shard).bind(2, node); });
        !up.ok()) {
      return up;
    }
    auto read = read_one<std::int64_t>(
        db, "SELECT epoch FROM shards WHERE shard=?1", what,
        [&](Statement& s) { s.bind(1, shard); }, [](const Statement& s) { return s.integer(0); });
    if (!read.ok()) return std::move(read).error();
    epoch = read->value_or(0);
    return ok_status();
  });
  if (!st.ok()) return std::move(st).error();
  return epoch;
}

// Inside the batch's transaction: one read per shard in the batch (today: one).
Status SqliteStore::check_fences(const std::vector<PendingCall>& batch,
                                 std::vector<Status>& results) {
  std::map<std::int64_t, std::int64_t> newest;  // shard → its newest epoch
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Fence& f = batch[i].fence;
    auto it = newest.find(f.shard);
    if (it == newest.end()) {
      auto read = read_one<std::int64_t>(
          writer_, "SELECT epoch FROM shards WHERE shard=?1", "cannot check the shard's fence",
          [&](Statement& s) { s.bind(1, f.shard); },
          [](const Statement& s) { return s.integer(0); });
      if (!read.ok()) return std::move(read).error();
      it = newest.emplace(f.shard, read->value_or(0)).first;
    }
    if (f.epoch == it->second) continue;
    results[i] = Error{errors::fenced,
                       "shard " + std::to_string(f.shard) + " epoch " + std::to_string(f.epoch) +
                           " is not the newest (" + std::to_string(it->second) +
                           "): another node owns the shard; the steps were not saved"};
  }
  return ok_status();
}

// --- the batch ---

// One transaction for the whole batch. A conflict (a duplicate history event) must fail only its
// call, which savepoints allow; but a savepoint per call makes SQLite copy every page a call
// touches into its sub-journal, and conflicts only come from a bug, never from load. So the
// batch is first written without savepoints; on a conflict the transaction is rolled back and
// the batch written again with one savepoint per call (write_isolated). Any other error — disk
// full, I/O — fails every call of the batch: SQLite may have rolled the transaction back, and
// `done(Ok)` must mean durable.
std::vector<Status> SqliteStore::write_batch(std::vector<PendingCall>& batch) {
  std::vector<Status> results(batch.size(), ok_status());
  const char* what = "cannot commit steps";
  auto fail_all = [&](const Error& e) REQUIRES(write_mu_) {
    if (sqlite3_get_autocommit(writer_.handle()) == 0) (void)run(writer_, "ROLLBACK", what);
    known_rows_.clear();
    for (auto& r : results) r = e;
    return results;
  };
  base::MutexLock lock(write_mu_);
  if (auto st = run(writer_, "BEGIN IMMEDIATE", what); !st.ok()) return fail_all(st.error());
  if (auto st = check_fences(batch, results); !st.ok()) return fail_all(st.error());
  Status st = ok_status();
  for (std::size_t i = 0; i < batch.size() && st.ok(); ++i) {
    if (results[i].ok()) st = write_call(batch[i].steps);  // a fenced call is not written
  }
  if (!st.ok() && st.error().name == errors::conflict) {
    known_rows_.clear();
    if (sqlite3_get_autocommit(writer_.handle()) == 0) {
      if (auto rb = run(writer_, "ROLLBACK", what); !rb.ok()) return fail_all(rb.error());
    }
    if (auto begin = run(writer_, "BEGIN IMMEDIATE", what); !begin.ok())
      return fail_all(begin.error());
    st = write_isolated(batch, results);
  }
  if (!st.ok()) return fail_all(st.error());
  if (auto commit = run(writer_, "COMMIT", what); !commit.ok()) return fail_all(commit.error());
  checkpointer_->committed();
  return results;
}

// Each call in its own savepoint: a conflicting call is rolled back and reported in `results`,
// the others go on. Returns an error only when the whole transaction must fail.
Status SqliteStore::write_isolated(std::vector<PendingCall>& batch, std::vector<Status>& results) {
  const char* what = "cannot commit steps";
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!results[i].ok()) continue;  // fenced
    if (auto st = run(writer_, "SAVEPOINT call", what); !st.ok()) return st;
    Status st = write_call(batch[i].steps);
    if (st.ok()) {
      if (auto rel = run(writer_, "RELEASE call", what); !rel.ok()) return rel;
      continue;
    }
    if (st.error().name != errors::conflict || sqlite3_get_autocommit(writer_.handle()) != 0)
      return st;
    results[i] = std::move(st);
    known_rows_.clear();
    if (auto rb = run(writer_, "ROLLBACK TO call", what); !rb.ok()) return rb;
    if (auto rel = run(writer_, "RELEASE call", what); !rel.ok()) return rel;
  }
  return ok_status();
}

Status SqliteStore::write_call(std::vector<StepRecord>& steps) {
  for (auto& step : steps) {
    if (auto st = write_step(step); !st.ok()) return st;
  }
  return ok_status();
}

// The execution's row. Its first step inserts the whole row; every later step updates only the
// fields a step may change, by row id — never the identity, input or definition (the largest
// texts), so an update rewrites no more than the row itself and touches only the indexes on
// status and stop_ms. Returns the row id and the journal count after this step.
Result<SqliteStore::KnownRow> SqliteStore::write_row(const StepRecord& step) {
  const ExecutionRecord& r = step.execution;
  const char* what = "cannot commit a step";
  const std::int64_t journal_added = step.has_journal ? 1 : 0;
  KnownRow row;
  bool inserted = false;
  bool known = true;  // a row was there before this step
  if (auto it = known_rows_.find(r.arn); it != known_rows_.end()) {
    row = it->second;
  } else {
    auto insert = writer_.prepare(
        "INSERT INTO executions(" STEPWISE_EXECUTION_COLUMNS
        ",journal_count) VALUES(?1,?2,?3,?4,"
        "?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24) "
        "ON CONFLICT(arn) DO NOTHING");
    if (!insert.ok()) return std::move(insert).error();
    Statement s(*insert);
    rows::bind_execution(s, r);
    s.bind(rows::execution_column_count + 1, journal_added);
    if (int rc = s.step(); rc != SQLITE_DONE) return writer_.last_error(rc, what);
    inserted = sqlite3_changes(writer_.handle()) == 1;
    if (inserted) {
      known = false;
      row = KnownRow{sqlite3_last_insert_rowid(writer_.handle()), journal_added, r.status,
                     r.history_count, r.redrive_count};
    } else {
      // Not written by this writer since open (a restart, a redrive of a closed execution).
      auto found = read_one<KnownRow>(
          writer_,
          "SELECT id,journal_count,status,history_count,redrive_count FROM executions "
          "WHERE arn=?1",
          what, [&](Statement& q) { q.bind(1, r.arn); },
          [](const Statement& q) {
            return KnownRow{q.integer(0), q.integer(1), q.text(2), q.integer(3), q.integer(4)};
          });
      if (!found.ok()) return std::move(found).error();
      if (!found->has_value())
        return Error{errors::failed, what + std::string(": the row of ") + r.arn + " vanished"};
      row = **found;
    }
  }
  const invariants::PriorRow prior{row.status, row.history_count, row.redrive_count};
  if (auto v = invariants::step_violation(known ? &prior : nullptr, step); !v.empty())
    return invariant_violated("SqliteStore::commit_steps", v);
  row.status = r.status;
  row.history_count = r.history_count;
  row.redrive_count = r.redrive_count;
  if (!inserted) {
    row.journal_count += journal_added;
    auto st = run(
        writer_,
        "UPDATE executions SET "
        "name=?2,version_arn=?3,alias_arn=?4,type=?5,status=?6,output=?7,error=?8,"
        "cause=?9,stop_ms=?10,seed=?11,role_arn=?12,trace_header=?13,parent_arn=?14,test_case=?15,"
        "redrive_count=?16,redrive_ms=?17,history_count=?18,wake_ms=?19,journal_count=?20 WHERE "
        "id=?1",
        what, [&](Statement& s) {
          s.bind(1, row.id)
              .bind(2, r.name)
              .bind(3, r.version_arn)
              .bind(4, r.alias_arn)
              .bind(5, r.type);
          s.bind(6, r.status)
              .bind(7, r.output)
              .bind(8, r.error)
              .bind(9, r.cause)
              .bind(10, r.stop_ms);
          s.bind(11, static_cast<std::int64_t>(r.seed))
              .bind(12, r.role_arn)
              .bind(13, r.trace_header);
          s.bind(14, r.parent_arn).bind(15, r.test_case).bind(16, r.redrive_count);
          s.bind(17, r.redrive_ms).bind(18, r.history_count).bind(19, r.wake_ms);
          s.bind(20, row.journal_count);
        });
    if (!st.ok()) return std::move(st).error();
    if (sqlite3_changes(writer_.handle()) == 0) {
      // A remembered row that is gone (not expected: only closed rows are purged). As a
      // conflict, the batch is written again with the cache emptied, which finds the truth.
      return Error{errors::conflict,
                   "the row of " + r.arn + " is not where the writer remembered it"};
    }
  }
  remember_row(r, row);
  return row;
}

// Only running executions take more steps; a closed one leaves the cache (a redrive finds its
// row again with one SELECT). Bounded: a full cache starts over.
void SqliteStore::remember_row(const ExecutionRecord& r, const KnownRow& row) {
  if (r.status != "RUNNING") {
    known_rows_.erase(r.arn);
    return;
  }
  if (known_rows_.size() >= known_rows_max && known_rows_.count(r.arn) == 0) known_rows_.clear();
  known_rows_[r.arn] = row;
}

// "INSERT INTO history_events(...) VALUES(...),(...)" for n rows, 1 <= n <= the maximum; with
// static storage, as the statement cache is keyed by the SQL's address.
static const char* history_insert_sql(std::size_t n) {
  static const auto sql = [] {
    std::array<std::string, SqliteStore::history_rows_per_insert_max + 1> out;
    for (std::size_t k = 1; k < out.size(); ++k) {
      out[k] =
          "INSERT INTO "
          "history_events(execution_id,id,previous_event_id,timestamp_ms,type,details_key,details) "
          "VALUES(?,?,?,?,?,?,?)";
      for (std::size_t i = 1; i < k; ++i) out[k] += ",(?,?,?,?,?,?,?)";
    }
    return out;
  }();
  return sql[n].c_str();
}

// Several rows per INSERT: SQLite's work per statement (starting the program, checking the
// transaction, resetting) is then paid once for up to history_rows_per_insert_max events.
Status SqliteStore::write_events(std::int64_t execution_id,
                                 std::vector<history::HistoryEvent>& events,
                                 const std::string& arn) {
  constexpr std::size_t per_insert = history_rows_per_insert_max;
  const std::string* details = details_text_.data();  // for the bind lambda: under write_mu_
  for (std::size_t first = 0; first < events.size(); first += per_insert) {
    const std::size_t n = std::min(per_insert, events.size() - first);
    for (std::size_t i = 0; i < n; ++i) {
      if (!events[first + i].details_key.empty())
        rows::encode_details(events[first + i], details_text_[i]);
    }
    auto st = run(writer_, history_insert_sql(n), "cannot commit a step", [&](Statement& s) {
      for (std::size_t i = 0; i < n; ++i) {
        const int p = static_cast<int>(rows::event_column_count * i) + 1;
        rows::bind_event(s, p, execution_id, events[first + i], details[i]);
      }
    });
    if (st.ok()) continue;
    if (st.error().name != errors::conflict) return st;
    return Error{errors::conflict, "a history event of " + arn + " with an id from " +
                                       std::to_string(events[first].id) + " to " +
                                       std::to_string(events[first + n - 1].id) +
                                       " is already stored (ids must grow)"};
  }
  return ok_status();
}

Status SqliteStore::write_step(StepRecord& step) {
  const ExecutionRecord& r = step.execution;
  const char* what = "cannot commit a step";
  auto row = write_row(step);
  if (!row.ok()) return std::move(row).error();
  const std::int64_t execution_id = row->id;
  const std::int64_t journal_seq = row->journal_count;
  if (auto st = write_events(execution_id, step.events, r.arn); !st.ok()) return st;
  if (auto st = write_map_runs(step); !st.ok()) return st;
  if (!step.has_journal) return ok_status();
  const std::string entry = json::dump(step.journal);
  return run(writer_, "INSERT INTO journal(execution_id,n,entry) VALUES(?1,?2,?3)", what,
             [&](Statement& s) { s.bind(1, execution_id).bind(2, journal_seq).bind(3, entry); });
}

}  // namespace stepwise::store
