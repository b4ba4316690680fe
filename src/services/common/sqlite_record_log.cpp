#include "services/common/sqlite_record_log.h"

#include <sqlite3.h>

#include <utility>

namespace stepwise::services {
namespace {

constexpr int kBusyTimeoutMs = 5000;  // the Step Functions store writes to the same file
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS service_records ("
    "ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (ns, key)"
    ") WITHOUT ROWID";

Error sqlite_error(sqlite3* db, const std::string& what) {
  return Error{"Services.Store", what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_error(db, what);
  return ok_status();
}

// A prepared statement that finalizes itself.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

struct SqliteRecordLog::Reader {
  sqlite3* db = nullptr;
  sqlite3_stmt* get = nullptr;
  ~Reader() {
    sqlite3_finalize(get);
    sqlite3_close_v2(db);
  }
};

Result<std::unique_ptr<SqliteRecordLog>> SqliteRecordLog::open(const std::filesystem::path& file,
                                                               bool synchronous_full) {
  std::unique_ptr<SqliteRecordLog> log(new SqliteRecordLog());
  log->file_ = file;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  base::MutexLock db_lock(log->db_mu_);  // uncontended: the writer starts below
  if (sqlite3_open_v2(file.c_str(), &log->db_, flags, nullptr) != SQLITE_OK)
    return sqlite_error(log->db_, "cannot open " + file.string());
  sqlite3_busy_timeout(log->db_, kBusyTimeoutMs);
  if (auto s = exec(log->db_, "PRAGMA journal_mode=WAL", "cannot use WAL"); !s) return s.error();
  const char* sync = synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  if (auto s = exec(log->db_, sync, "cannot set durability"); !s) return s.error();
  if (auto s = exec(log->db_, kSchema, "cannot create service_records"); !s) return s.error();
  db_lock.unlock();
  log->writer_ = std::thread([l = log.get()] { l->run(); });
  return log;
}

SqliteRecordLog::~SqliteRecordLog() {
  {
    base::MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  base::MutexLock lock(readers_mu_);
  idle_readers_.clear();  // readers in use now would be a caller's bug: the log is going away
  sqlite3_close_v2(db_);
}

void SqliteRecordLog::write(std::vector<Mutation> batch, Done done) {
  base::MutexLock lock(mu_);
  while (queue_.size() >= record_limits::pending_batches_max && !stop_) drained_.wait(mu_);
  if (stop_ || !failed_) {
    Status why = stop_ ? Status(Error{"Services.Store", "the record log is closed"}) : failed_;
    lock.unlock();
    if (done) done(why);
    return;
  }
  queue_.push_back({std::move(batch), std::move(done)});
  ++submitted_;
  lock.unlock();
  wake_.notify_one();
}

void SqliteRecordLog::flush() {
  base::MutexLock lock(mu_);
  const std::uint64_t target = submitted_;
  while (completed_ < target && !writer_stopped_) drained_.wait(mu_);
}

std::uint64_t SqliteRecordLog::commits() const {
  base::MutexLock lock(mu_);
  return commits_;
}

Result<std::vector<Record>> SqliteRecordLog::load(const std::string& ns) {
  base::MutexLock lock(db_mu_);  // the writer uses db_ too
  Stmt st;
  const char* sql = "SELECT key, value FROM service_records WHERE ns = ? ORDER BY key";
  if (sqlite3_prepare_v2(db_, sql, -1, &st.s, nullptr) != SQLITE_OK)
    return sqlite_error(db_, "cannot read records");
  sqlite3_bind_text(st.s, 1, ns.data(), static_cast<int>(ns.size()), SQLITE_TRANSIENT);
  std::vector<Record> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    const auto* k = static_cast<const char*>(sqlite3_column_blob(st.s, 0));
    const auto* v = static_cast<const char*>(sqlite3_column_blob(st.s, 1));
    const auto k_len = static_cast<std::size_t>(sqlite3_column_bytes(st.s, 0));
    const auto v_len = static_cast<std::size_t>(sqlite3_column_bytes(st.s, 1));
    out.push_back({std::string(k ? k : "", k_len), std::string(v ? v : "", v_len)});
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_, "cannot read records");
  return out;
}

Result<std::unique_ptr<SqliteRecordLog::Reader>> SqliteRecordLog::take_reader() {
  {
    base::MutexLock lock(readers_mu_);
    while (idle_readers_.empty() && readers_open_ >= record_limits::readers_max)
      reader_free_.wait(readers_mu_);
    if (!idle_readers_.empty()) {
      auto r = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return r;
    }
    ++readers_open_;  // opened below, outside the lock
  }
  auto r = std::make_unique<Reader>();
  const char* sql = "SELECT value FROM service_records WHERE ns = ? AND key = ?";
  if (sqlite3_open_v2(file_.c_str(), &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK ||
      sqlite3_busy_timeout(r->db, kBusyTimeoutMs) != SQLITE_OK ||
      sqlite3_prepare_v2(r->db, sql, -1, &r->get, nullptr) != SQLITE_OK) {
    Error e = sqlite_error(r->db, "cannot open a reader on " + file_.string());
    base::MutexLock lock(readers_mu_);
    --readers_open_;
    reader_free_.notify_one();
    return e;
  }
  return r;
}

void SqliteRecordLog::give_back(std::unique_ptr<Reader> r) {
  {
    base::MutexLock lock(readers_mu_);
    idle_readers_.push_back(std::move(r));
  }
  reader_free_.notify_one();
}

Result<std::optional<std::string>> SqliteRecordLog::read(const std::string& ns,
                                                         const std::string& key) {
  auto reader = take_reader();
  if (!reader.ok()) return reader.error();
  std::unique_ptr<Reader> r = std::move(reader).value();
  sqlite3_stmt* st = r->get;
  // Bound as the writer binds them (ns as text, key as a blob): the primary key compares both.
  sqlite3_bind_text(st, 1, ns.data(), static_cast<int>(ns.size()), SQLITE_STATIC);
  sqlite3_bind_blob(st, 2, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  Result<std::optional<std::string>> out = std::optional<std::string>();
  const int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const auto* v = static_cast<const char*>(sqlite3_column_blob(st, 0));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, 0));
    out = std::optional<std::string>(std::string(v ? v : "", n));
  } else if (rc != SQLITE_DONE) {
    out = sqlite_error(r->db, "cannot read a record");
  }
  // Ends the read transaction, so the writer's checkpoints are not held back.
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  give_back(std::move(r));
  return out;
}

void SqliteRecordLog::run() {
  base::MutexLock lock(mu_);
  while (true) {
    while (!stop_ && queue_.empty()) wake_.wait(mu_);
    if (queue_.empty()) break;  // stopping with nothing left
    // Take every batch queued so far, up to the per-commit bound: one transaction for all.
    std::deque<Pending> group;
    std::size_t mutations = 0;
    while (!queue_.empty() && (group.empty() || mutations + queue_.front().batch.size() <=
                                                    record_limits::mutations_per_commit_max)) {
      mutations += queue_.front().batch.size();
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    Status result = failed_;
    lock.unlock();  // writers keep queueing (the next group) while this one commits
    if (result) {
      base::MutexLock db_lock(db_mu_);
      result = commit(group);
    }
    lock.lock();
    if (!result && failed_) failed_ = result;
    ++commits_;
    lock.unlock();
    for (auto& p : group)
      if (p.done) p.done(result);
    lock.lock();
    completed_ += group.size();
    drained_.notify_all();
  }
  writer_stopped_ = true;
  drained_.notify_all();
}

Status SqliteRecordLog::commit(std::deque<Pending>& group) {
  if (auto s = exec(db_, "BEGIN IMMEDIATE", "cannot begin"); !s) return s;
  Stmt put, del;
  const char* put_sql = "INSERT OR REPLACE INTO service_records (ns, key, value) VALUES (?, ?, ?)";
  const char* del_sql = "DELETE FROM service_records WHERE ns = ? AND key = ?";
  if (sqlite3_prepare_v2(db_, put_sql, -1, &put.s, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, del_sql, -1, &del.s, nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db_, "cannot prepare");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  for (const auto& p : group) {
    for (const auto& m : p.batch) {
      sqlite3_stmt* s = m.value ? put.s : del.s;
      sqlite3_reset(s);
      sqlite3_bind_text(s, 1, m.ns.data(), static_cast<int>(m.ns.size()), SQLITE_STATIC);
      sqlite3_bind_blob(s, 2, m.key.data(), static_cast<int>(m.key.size()), SQLITE_STATIC);
      if (m.value)
        sqlite3_bind_blob(s, 3, m.value->data(), static_cast<int>(m.value->size()), SQLITE_STATIC);
      if (sqlite3_step(s) != SQLITE_DONE) {
        Error e = sqlite_error(db_, "cannot write a record");
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return e;
      }
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db_, "cannot commit");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  return ok_status();
}

}  // namespace stepwise::services
