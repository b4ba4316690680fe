// SqliteStore: WAL, group commit on a writer thread, reads on their own connection.
// See sqlite_store.h and docs/STORE.md.
#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

#include "store/errors.h"
#include "store/sqlite_schema.h"

namespace stepwise::store {

namespace {

using sqlite::Statement;

std::optional<std::string> json_text(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return json::dump(v);
}

std::int64_t as_limit(std::size_t n) {
  constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(n > max ? max : n);
}

// --- column lists and row readers (the SELECTs below list columns in this order) ---

constexpr const char* kMachineCols =
    "arn,name,type,definition,role_arn,description,logging_configuration,tracing_configuration,"
    "encryption_configuration,created_ms,updated_ms,revision_id,next_version,status";

StateMachineRecord read_machine(const Statement& s) {
  StateMachineRecord r;
  r.arn = s.text(0);
  r.name = s.text(1);
  r.type = s.text(2);
  r.definition = s.text(3);
  r.role_arn = s.text(4);
  r.description = s.text(5);
  r.logging_configuration = s.json_value(6);
  r.tracing_configuration = s.json_value(7);
  r.encryption_configuration = s.json_value(8);
  r.created_ms = s.integer(9);
  r.updated_ms = s.integer(10);
  r.revision_id = s.text(11);
  r.next_version = s.integer(12);
  r.status = s.text(13);
  return r;
}

constexpr const char* kVersionCols =
    "arn,state_machine_arn,version,type,definition,role_arn,description,revision_id,"
    "logging_configuration,tracing_configuration,encryption_configuration,created_ms";

VersionRecord read_version(const Statement& s) {
  VersionRecord r;
  r.arn = s.text(0);
  r.state_machine_arn = s.text(1);
  r.version = s.integer(2);
  r.type = s.text(3);
  r.definition = s.text(4);
  r.role_arn = s.text(5);
  r.description = s.text(6);
  r.revision_id = s.text(7);
  r.logging_configuration = s.json_value(8);
  r.tracing_configuration = s.json_value(9);
  r.encryption_configuration = s.json_value(10);
  r.created_ms = s.integer(11);
  return r;
}

constexpr const char* kAliasCols =
    "arn,state_machine_arn,name,description,routing_configuration,created_ms,updated_ms";

AliasRecord read_alias(const Statement& s) {
  AliasRecord r;
  r.arn = s.text(0);
  r.state_machine_arn = s.text(1);
  r.name = s.text(2);
  r.description = s.text(3);
  r.routing_configuration = s.json_value(4);
  r.created_ms = s.integer(5);
  r.updated_ms = s.integer(6);
  return r;
}

constexpr const char* kActivityCols = "arn,name,created_ms,encryption_configuration";

ActivityRecord read_activity(const Statement& s) {
  ActivityRecord r;
  r.arn = s.text(0);
  r.name = s.text(1);
  r.created_ms = s.integer(2);
  r.encryption_configuration = s.json_value(3);
  return r;
}

#define STEPWISE_EXEC_COLS                                                                         \
  "arn,name,state_machine_arn,version_arn,alias_arn,type,status,input,output,error,cause,"         \
  "start_ms,stop_ms,seed,definition,role_arn,trace_header,parent_arn,test_case,redrive_count,"     \
  "redrive_ms,history_count,wake_ms"

ExecutionRecord read_execution(const Statement& s) {
  ExecutionRecord r;
  r.arn = s.text(0);
  r.name = s.text(1);
  r.state_machine_arn = s.text(2);
  r.version_arn = s.text(3);
  r.alias_arn = s.text(4);
  r.type = s.text(5);
  r.status = s.text(6);
  r.input = s.text(7);
  r.output = s.optional_text(8);
  r.error = s.optional_text(9);
  r.cause = s.optional_text(10);
  r.start_ms = s.integer(11);
  r.stop_ms = s.integer(12);
  r.seed = static_cast<std::uint64_t>(s.integer(13));  // stored as the same 64 bits
  r.definition = s.text(14);
  r.role_arn = s.text(15);
  r.trace_header = s.text(16);
  r.parent_arn = s.text(17);
  r.test_case = s.text(18);
  r.redrive_count = s.integer(19);
  r.redrive_ms = s.integer(20);
  r.history_count = s.integer(21);
  r.wake_ms = s.integer(22);
  return r;
}

engine::HistoryEvent read_event(const Statement& s) {
  engine::HistoryEvent e;
  e.id = s.integer(0);
  e.previous_event_id = s.integer(1);
  e.timestamp = s.integer(2);
  e.type = s.text(3);
  e.details_key = s.text(4);
  json::value details = s.json_value(5);
  if (details.is_object()) e.details = std::move(details).as_object();
  return e;
}

// Runs a read statement and collects every row; a failed read gives what was read so far
// (the read methods of the Store interface cannot report errors).
template <typename T, typename Bind, typename Read>
std::vector<T> read_all(sqlite::Connection& db, const char* sql, Bind bind, Read read) {
  std::vector<T> out;
  auto prepared = db.prepare(sql);
  if (!prepared.ok()) return out;
  Statement st(*prepared);
  bind(st);
  while (st.step() == SQLITE_ROW) out.push_back(read(st));
  return out;
}

template <typename T, typename Bind, typename Read>
std::optional<T> read_one(sqlite::Connection& db, const char* sql, Bind bind, Read read) {
  auto all = read_all<T>(db, sql, bind, read);
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

// A write statement run to completion.
Status run(sqlite::Connection& db, const char* sql, std::string_view what,
           const std::function<void(Statement&)>& bind = {}) {
  auto prepared = db.prepare(sql);
  if (!prepared.ok()) return std::move(prepared).error();
  Statement st(*prepared);
  if (bind) bind(st);
  int rc = st.step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db.last_error(rc, what);
  return ok_status();
}

Error os_error(const char* name, const std::string& what, int err) {
  return Error{name, what + ": " + std::strerror(err)};
}

const char* sync_pragma(Synchronous s) {
  switch (s) {
    case Synchronous::kFull: return "PRAGMA synchronous=FULL";
    case Synchronous::kNormal: return "PRAGMA synchronous=NORMAL";
    case Synchronous::kOff: return "PRAGMA synchronous=OFF";
  }
  return "PRAGMA synchronous=FULL";
}

constexpr int kBusyTimeoutMs = 5000;
constexpr const char* kCachePragma = "PRAGMA cache_size=-65536";  // KiB: 64 MiB per connection

}  // namespace

// --- open / close ---

SqliteStore::SqliteStore(std::filesystem::path dir, SqliteOptions options)
    : dir_(std::move(dir)), options_(options) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& dir,
                                                       const SqliteOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(dir, options));
  if (auto st = store->open_files(); !st.ok()) return std::move(st).error();
  store->writer_thread_ = std::thread([s = store.get()] { s->writer_loop(); });
  return store;
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  checkpointer_.reset();
}

SqliteStore::LockFile::~LockFile() {
  if (fd >= 0) ::close(fd);  // releases the flock
}

namespace {

Status prepare_directory(const std::filesystem::path& dir, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (!create) return Error{errors::open_failed, "the data directory " + dir.string() + " does not exist"};
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      const bool denied = ec == std::errc::permission_denied || ec == std::errc::read_only_file_system;
      return Error{denied ? errors::read_only : errors::open_failed,
                   "cannot create the data directory " + dir.string() + ": " + ec.message()};
    }
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error{errors::open_failed, dir.string() + " is not a directory"};
  }
  // SQLite creates its -wal and -shm files next to the database: the directory must be writable.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return os_error(errors::read_only, "the data directory " + dir.string() + " is not writable", errno);
  }
  return ok_status();
}

Result<int> lock_directory(const std::filesystem::path& dir) {
  const std::string path = (dir / SqliteStore::kLockName).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    const bool denied = err == EACCES || err == EROFS || err == EPERM;
    return os_error(denied ? errors::read_only : errors::open_failed, "cannot open " + path, err);
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Error{errors::locked, "another Stepwise process is using the data directory " + dir.string()};
    }
    return os_error(errors::open_failed, "cannot lock " + path, err);
  }
  return fd;
}

}  // namespace

// Files a store leaves behind: when they are here without the database, the database was
// deleted or moved, and starting empty would silently drop every execution it held.
Status SqliteStore::check_files() {
  if (auto st = prepare_directory(dir_, options_.create_if_missing); !st.ok()) return st;
  const std::filesystem::path db = dir_ / kFileName;
  std::error_code ec;
  if (std::filesystem::exists(db, ec)) return ok_status();
  for (const std::string& leftover : {std::string(kFileName) + "-wal", std::string(kLockName)}) {
    if (!std::filesystem::exists(dir_ / leftover, ec)) continue;
    return Error{errors::missing, db.string() + " is missing but " + (dir_ / leftover).string() +
                                      " is there: the store was deleted or moved; restore it, or remove " +
                                      dir_.string() + " to start with an empty store"};
  }
  if (!options_.create_if_missing) return Error{errors::open_failed, db.string() + " does not exist"};
  return ok_status();
}

Status SqliteStore::configure_writer(const std::string& db) {
  if (sqlite3_db_readonly(writer_.handle(), "main") == 1) return Error{errors::read_only, db + " is read-only"};
  sqlite3_busy_timeout(writer_.handle(), kBusyTimeoutMs);
  // The first read of the file: a file that is not a database fails here (Store.Corrupt).
  auto mode = writer_.query_text("PRAGMA journal_mode=WAL", "cannot open the store");
  if (!mode.ok()) return std::move(mode).error();
  if (*mode != "wal") return Error{errors::failed, "cannot switch " + db + " to WAL mode (" + *mode + ")"};
  if (auto st = writer_.exec(sync_pragma(options_.synchronous), "cannot set durability"); !st.ok()) return st;
  // A larger page cache keeps the b-tree pages the in-flight executions append to in memory.
  if (auto st = writer_.exec(kCachePragma, "cannot size the page cache"); !st.ok()) return st;
  // A group commit gives each call a savepoint; SQLite keeps the savepoints' undo pages in a
  // sub-journal that, past 64 KiB, spills to a temp file in /var/tmp (created, written and
  // unlinked by every transaction: measured as a fifth of the writer's time). In memory it is
  // only a copy of the pages, bounded by the batch (group_commit_events_max).
  if (auto st = writer_.exec("PRAGMA temp_store=MEMORY", "cannot configure the store"); !st.ok()) return st;
  // Checkpoints run on the checkpointer's thread, not inside commits (sqlite_checkpointer.h);
  // the WAL file is truncated back to 64 MiB when it starts over.
  if (auto st = writer_.exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864",
                             "cannot configure the WAL");
      !st.ok()) {
    return st;
  }
  if (options_.max_page_count <= 0) return ok_status();
  const std::string quota = "PRAGMA max_page_count=" + std::to_string(options_.max_page_count);
  auto q = writer_.query_text(quota.c_str(), "cannot set the size quota");
  return q.ok() ? ok_status() : Status(std::move(q).error());
}

Status SqliteStore::open_files() {
  if (auto st = check_files(); !st.ok()) return st;
  auto fd = lock_directory(dir_);
  if (!fd.ok()) return std::move(fd).error();
  lock_.fd = *fd;

  const std::string db = (dir_ / kFileName).string();
  if (auto st = writer_.open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE); !st.ok()) return st;
  if (auto st = configure_writer(db); !st.ok()) return st;
  if (auto st = sqlite::migrate(writer_, sqlite::migrations()); !st.ok()) return st;
  if (options_.verify_on_open) {
    auto check = writer_.query_text("PRAGMA quick_check", "cannot verify the store");
    if (!check.ok()) return std::move(check).error();
    if (*check != "ok") return Error{errors::corrupt, db + " is damaged: " + *check};
  }
  // A real write now: a store that cannot be written must fail here, not at the first step.
  if (auto st = writer_.exec("UPDATE schema_version SET version = version", "cannot write the store"); !st.ok()) {
    return st;
  }
  if (auto st = reader_.open(db, SQLITE_OPEN_READWRITE); !st.ok()) return st;
  sqlite3_busy_timeout(reader_.handle(), kBusyTimeoutMs);
  if (auto st = reader_.exec(kCachePragma, "cannot size the page cache"); !st.ok()) return st;
  if (auto st = reader_.exec("PRAGMA query_only=1", "cannot open the read connection"); !st.ok()) return st;
  auto checkpointer = sqlite::Checkpointer::start(db, sync_pragma(options_.synchronous), {});
  if (!checkpointer.ok()) return std::move(checkpointer).error();
  checkpointer_ = std::move(checkpointer).value();
  return ok_status();
}

// --- registry writes ---

Status SqliteStore::write_txn(const char* what, const std::function<Status()>& fn) {
  std::lock_guard lock(write_mu_);
  if (auto st = run(writer_, "BEGIN IMMEDIATE", what); !st.ok()) return st;
  Status st = fn();
  if (st.ok()) st = run(writer_, "COMMIT", what);
  if (!st.ok() && sqlite3_get_autocommit(writer_.handle()) == 0) (void)run(writer_, "ROLLBACK", what);
  if (st.ok() && checkpointer_) checkpointer_->committed();
  return st;
}

Status SqliteStore::put_state_machine(const StateMachineRecord& r) {
  const auto logging = json_text(r.logging_configuration);
  const auto tracing = json_text(r.tracing_configuration);
  const auto encryption = json_text(r.encryption_configuration);
  return write_txn("cannot save the state machine", [&] {
    return run(writer_,
               "INSERT INTO state_machines(arn,name,type,definition,role_arn,description,"
               "logging_configuration,tracing_configuration,encryption_configuration,created_ms,"
               "updated_ms,revision_id,next_version,status) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14) "
               "ON CONFLICT(arn) DO UPDATE SET name=excluded.name,type=excluded.type,"
               "definition=excluded.definition,role_arn=excluded.role_arn,description=excluded.description,"
               "logging_configuration=excluded.logging_configuration,"
               "tracing_configuration=excluded.tracing_configuration,"
               "encryption_configuration=excluded.encryption_configuration,created_ms=excluded.created_ms,"
               "updated_ms=excluded.updated_ms,revision_id=excluded.revision_id,"
               "next_version=excluded.next_version,status=excluded.status",
               "cannot save the state machine", [&](Statement& s) {
                 s.bind(1, r.arn).bind(2, r.name).bind(3, r.type).bind(4, r.definition).bind(5, r.role_arn);
                 s.bind(6, r.description).bind(7, logging).bind(8, tracing).bind(9, encryption);
                 s.bind(10, r.created_ms).bind(11, r.updated_ms).bind(12, r.revision_id).bind(13, r.next_version);
                 s.bind(14, r.status);
               });
  });
}

Status SqliteStore::delete_tags_locked(const std::string& arn) {
  return run(writer_, "DELETE FROM tags WHERE resource_arn=?1", "cannot delete tags",
             [&](Statement& s) { s.bind(1, arn); });
}

Status SqliteStore::delete_state_machine(const std::string& arn) {
  return write_txn("cannot delete the state machine", [&]() -> Status {
    auto bind = [&](Statement& s) { s.bind(1, arn); };
    const char* what = "cannot delete the state machine";
    if (auto st = run(writer_,
                      "DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM versions WHERE "
                      "state_machine_arn=?1 UNION ALL SELECT arn FROM aliases WHERE state_machine_arn=?1)",
                      what, bind);
        !st.ok()) {
      return st;
    }
    if (auto st = run(writer_, "DELETE FROM versions WHERE state_machine_arn=?1", what, bind); !st.ok()) return st;
    if (auto st = run(writer_, "DELETE FROM aliases WHERE state_machine_arn=?1", what, bind); !st.ok()) return st;
    if (auto st = delete_tags_locked(arn); !st.ok()) return st;
    return run(writer_, "DELETE FROM state_machines WHERE arn=?1", what, bind);
  });
}

Status SqliteStore::put_version(const VersionRecord& r) {
  const auto logging = json_text(r.logging_configuration);
  const auto tracing = json_text(r.tracing_configuration);
  const auto encryption = json_text(r.encryption_configuration);
  return write_txn("cannot save the version", [&] {
    return run(writer_,
               "INSERT INTO versions(arn,state_machine_arn,version,type,definition,role_arn,description,"
               "revision_id,logging_configuration,tracing_configuration,encryption_configuration,created_ms) "
               "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) ON CONFLICT(arn) DO UPDATE SET "
               "state_machine_arn=excluded.state_machine_arn,version=excluded.version,type=excluded.type,"
               "definition=excluded.definition,role_arn=excluded.role_arn,description=excluded.description,"
               "revision_id=excluded.revision_id,logging_configuration=excluded.logging_configuration,"
               "tracing_configuration=excluded.tracing_configuration,"
               "encryption_configuration=excluded.encryption_configuration,created_ms=excluded.created_ms",
               "cannot save the version", [&](Statement& s) {
                 s.bind(1, r.arn).bind(2, r.state_machine_arn).bind(3, r.version).bind(4, r.type);
                 s.bind(5, r.definition).bind(6, r.role_arn).bind(7, r.description).bind(8, r.revision_id);
                 s.bind(9, logging).bind(10, tracing).bind(11, encryption).bind(12, r.created_ms);
               });
  });
}

// A version, alias or activity row and its tags, in one transaction.
Status SqliteStore::delete_resource(const char* delete_sql, const char* what,
                                    const std::string& arn) {
  return write_txn(what, [&]() -> Status {
    if (auto st = delete_tags_locked(arn); !st.ok()) return st;
    return run(writer_, delete_sql, what, [&](Statement& s) { s.bind(1, arn); });
  });
}

Status SqliteStore::delete_version(const std::string& arn) {
  return delete_resource("DELETE FROM versions WHERE arn=?1", "cannot delete the version", arn);
}

Status SqliteStore::put_alias(const AliasRecord& r) {
  const auto routing = json_text(r.routing_configuration);
  return write_txn("cannot save the alias", [&] {
    return run(writer_,
               "INSERT INTO aliases(arn,state_machine_arn,name,description,routing_configuration,created_ms,"
               "updated_ms) VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(arn) DO UPDATE SET "
               "state_machine_arn=excluded.state_machine_arn,name=excluded.name,description=excluded.description,"
               "routing_configuration=excluded.routing_configuration,created_ms=excluded.created_ms,"
               "updated_ms=excluded.updated_ms",
               "cannot save the alias", [&](Statement& s) {
                 s.bind(1, r.arn).bind(2, r.state_machine_arn).bind(3, r.name).bind(4, r.description);
                 s.bind(5, routing).bind(6, r.created_ms).bind(7, r.updated_ms);
               });
  });
}

Status SqliteStore::delete_alias(const std::string& arn) {
  return delete_resource("DELETE FROM aliases WHERE arn=?1", "cannot delete the alias", arn);
}

Status SqliteStore::put_activity(const ActivityRecord& r) {
  const auto encryption = json_text(r.encryption_configuration);
  return write_txn("cannot save the activity", [&] {
    return run(writer_,
               "INSERT INTO activities(arn,name,created_ms,encryption_configuration) VALUES(?1,?2,?3,?4) "
               "ON CONFLICT(arn) DO UPDATE SET name=excluded.name,created_ms=excluded.created_ms,"
               "encryption_configuration=excluded.encryption_configuration",
               "cannot save the activity", [&](Statement& s) {
                 s.bind(1, r.arn).bind(2, r.name).bind(3, r.created_ms).bind(4, encryption);
               });
  });
}

Status SqliteStore::delete_activity(const std::string& arn) {
  return delete_resource("DELETE FROM activities WHERE arn=?1", "cannot delete the activity", arn);
}

Status SqliteStore::put_tags(const std::string& resource_arn, const Tags& tags) {
  return write_txn("cannot save tags", [&]() -> Status {
    if (auto st = delete_tags_locked(resource_arn); !st.ok()) return st;
    for (std::size_t i = 0; i < tags.size(); ++i) {
      auto st = run(writer_, "INSERT INTO tags(resource_arn,pos,key,value) VALUES(?1,?2,?3,?4)", "cannot save tags",
                    [&](Statement& s) {
                      s.bind(1, resource_arn).bind(2, static_cast<std::int64_t>(i));
                      s.bind(3, tags[i].first).bind(4, tags[i].second);
                    });
      if (!st.ok()) return st;
    }
    return ok_status();
  });
}

// --- registry reads ---

std::optional<StateMachineRecord> SqliteStore::get_state_machine(const std::string& arn) {
  static const std::string sql = std::string("SELECT ") + kMachineCols + " FROM state_machines WHERE arn=?1";
  std::lock_guard lock(read_mu_);
  return read_one<StateMachineRecord>(reader_, sql.c_str(), [&](Statement& s) { s.bind(1, arn); }, read_machine);
}

std::vector<StateMachineRecord> SqliteStore::list_state_machines() {
  static const std::string sql = std::string("SELECT ") + kMachineCols + " FROM state_machines ORDER BY seq";
  std::lock_guard lock(read_mu_);
  return read_all<StateMachineRecord>(reader_, sql.c_str(), [](Statement&) {}, read_machine);
}

std::optional<VersionRecord> SqliteStore::get_version(const std::string& arn) {
  static const std::string sql = std::string("SELECT ") + kVersionCols + " FROM versions WHERE arn=?1";
  std::lock_guard lock(read_mu_);
  return read_one<VersionRecord>(reader_, sql.c_str(), [&](Statement& s) { s.bind(1, arn); }, read_version);
}

std::vector<VersionRecord> SqliteStore::list_versions(const std::string& state_machine_arn) {
  static const std::string sql = std::string("SELECT ") + kVersionCols +
                                 " FROM versions WHERE state_machine_arn=?1 ORDER BY version DESC, seq DESC";
  std::lock_guard lock(read_mu_);
  return read_all<VersionRecord>(reader_, sql.c_str(), [&](Statement& s) { s.bind(1, state_machine_arn); },
                                 read_version);
}

std::optional<AliasRecord> SqliteStore::get_alias(const std::string& arn) {
  static const std::string sql = std::string("SELECT ") + kAliasCols + " FROM aliases WHERE arn=?1";
  std::lock_guard lock(read_mu_);
  return read_one<AliasRecord>(reader_, sql.c_str(), [&](Statement& s) { s.bind(1, arn); }, read_alias);
}

std::vector<AliasRecord> SqliteStore::list_aliases(const std::string& state_machine_arn) {
  static const std::string sql =
      std::string("SELECT ") + kAliasCols + " FROM aliases WHERE state_machine_arn=?1 ORDER BY seq";
  std::lock_guard lock(read_mu_);
  return read_all<AliasRecord>(reader_, sql.c_str(), [&](Statement& s) { s.bind(1, state_machine_arn); },
                               read_alias);
}

std::optional<ActivityRecord> SqliteStore::get_activity(const std::string& arn) {
  static const std::string sql = std::string("SELECT ") + kActivityCols + " FROM activities WHERE arn=?1";
  std::lock_guard lock(read_mu_);
  return read_one<ActivityRecord>(reader_, sql.c_str(), [&](Statement& s) { s.bind(1, arn); }, read_activity);
}

std::vector<ActivityRecord> SqliteStore::list_activities() {
  static const std::string sql = std::string("SELECT ") + kActivityCols + " FROM activities ORDER BY seq";
  std::lock_guard lock(read_mu_);
  return read_all<ActivityRecord>(reader_, sql.c_str(), [](Statement&) {}, read_activity);
}

Tags SqliteStore::get_tags(const std::string& resource_arn) {
  std::lock_guard lock(read_mu_);
  return read_all<std::pair<std::string, std::string>>(
      reader_, "SELECT key,value FROM tags WHERE resource_arn=?1 ORDER BY pos",
      [&](Statement& s) { s.bind(1, resource_arn); },
      [](const Statement& s) { return std::make_pair(s.text(0), s.text(1)); });
}

// --- group commit ---

void SqliteStore::commit_steps(std::vector<StepRecord> steps, std::function<void(Status)> done) {
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(steps), std::move(done)});
      ++enqueued_;
      queue_cv_.notify_one();
      return;
    }
  }
  if (done) done(Error{errors::closed, "the store is closing: the steps were not saved"});
}

void SqliteStore::flush() {
  std::unique_lock lock(queue_mu_);
  const std::uint64_t target = enqueued_;
  idle_cv_.wait(lock, [&] { return completed_ >= target; });
}

SqliteStore::Stats SqliteStore::stats() {
  Stats out;
  {
    std::lock_guard lock(queue_mu_);
    out = stats_;
  }
  out.checkpoints = checkpointer_->checkpoints();
  return out;
}

std::vector<SqliteStore::Pending> SqliteStore::take_batch() {
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  std::vector<Pending> batch;
  std::size_t steps = 0;
  std::size_t events = 0;
  while (!queue_.empty()) {
    const std::size_t n = queue_.front().steps.size();
    std::size_t e = 0;
    for (const auto& step : queue_.front().steps) e += step.events.size();
    const bool full = steps + n > options_.group_commit_steps_max || events + e > options_.group_commit_events_max;
    if (!batch.empty() && full) break;
    steps += n;
    events += e;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (!batch.empty()) {
    ++stats_.transactions;
    stats_.calls += batch.size();
    stats_.steps += steps;
  }
  return batch;
}

void SqliteStore::writer_loop() {
  for (;;) {
    std::vector<Pending> batch = take_batch();
    if (batch.empty()) return;  // stopping and drained
    std::vector<Status> results = commit_batch(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(std::move(results[i]));
    }
    {
      std::lock_guard lock(queue_mu_);
      completed_ += batch.size();
    }
    idle_cv_.notify_all();
  }
}

// One transaction for the whole batch. A conflict (a duplicate history event) must fail only its
// call, which savepoints allow; but a savepoint per call makes SQLite copy every page a call
// touches into its sub-journal, and conflicts only come from a bug, never from load. So the
// batch is first written without savepoints; on a conflict the transaction is rolled back and
// the batch written again with one savepoint per call (write_isolated). Any other error — disk
// full, I/O — fails every call of the batch: SQLite may have rolled the transaction back, and
// `done(Ok)` must mean durable.
std::vector<Status> SqliteStore::commit_batch(std::vector<Pending>& batch) {
  std::vector<Status> results(batch.size(), ok_status());
  const char* what = "cannot commit steps";
  auto fail_all = [&](const Error& e) {
    if (sqlite3_get_autocommit(writer_.handle()) == 0) (void)run(writer_, "ROLLBACK", what);
    known_rows_.clear();
    for (auto& r : results) r = e;
    return results;
  };
  std::lock_guard lock(write_mu_);
  if (auto st = run(writer_, "BEGIN IMMEDIATE", what); !st.ok()) return fail_all(st.error());
  Status st = ok_status();
  for (auto& pending : batch) {
    st = write_call(pending.steps);
    if (!st.ok()) break;
  }
  if (!st.ok() && st.error().name == errors::conflict) {
    known_rows_.clear();
    if (sqlite3_get_autocommit(writer_.handle()) == 0) {
      if (auto rb = run(writer_, "ROLLBACK", what); !rb.ok()) return fail_all(rb.error());
    }
    if (auto begin = run(writer_, "BEGIN IMMEDIATE", what); !begin.ok()) return fail_all(begin.error());
    st = write_isolated(batch, results);
  }
  if (!st.ok()) return fail_all(st.error());
  if (auto commit = run(writer_, "COMMIT", what); !commit.ok()) return fail_all(commit.error());
  checkpointer_->committed();
  return results;
}

// Each call in its own savepoint: a conflicting call is rolled back and reported in `results`,
// the others go on. Returns an error only when the whole transaction must fail.
Status SqliteStore::write_isolated(std::vector<Pending>& batch, std::vector<Status>& results) {
  const char* what = "cannot commit steps";
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto st = run(writer_, "SAVEPOINT call", what); !st.ok()) return st;
    Status st = write_call(batch[i].steps);
    if (st.ok()) {
      if (auto rel = run(writer_, "RELEASE call", what); !rel.ok()) return rel;
      continue;
    }
    if (st.error().name != errors::conflict || sqlite3_get_autocommit(writer_.handle()) != 0) return st;
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

// An event's details as JSON text into `out` (reused: no allocation per event once it is
// large enough). json::dump takes a json::value, and an object converts to one by a deep copy:
// the details move into a value for the dump and back (a batch may be written twice, see
// commit_batch).
static void encode_details(engine::HistoryEvent& e, std::string& out) {
  json::value v(std::move(e.details));
  out.clear();
  json::dump_to(v, out);
  e.details = std::move(v.get_object());
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
  if (auto it = known_rows_.find(r.arn); it != known_rows_.end()) {
    row = it->second;
  } else {
    auto insert = writer_.prepare(
        "INSERT INTO executions(" STEPWISE_EXEC_COLS ",journal_count) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
        "?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24) ON CONFLICT(arn) DO NOTHING");
    if (!insert.ok()) return std::move(insert).error();
    Statement s(*insert);
    s.bind(1, r.arn).bind(2, r.name).bind(3, r.state_machine_arn).bind(4, r.version_arn).bind(5, r.alias_arn);
    s.bind(6, r.type).bind(7, r.status).bind(8, r.input).bind(9, r.output).bind(10, r.error).bind(11, r.cause);
    s.bind(12, r.start_ms).bind(13, r.stop_ms).bind(14, static_cast<std::int64_t>(r.seed)).bind(15, r.definition);
    s.bind(16, r.role_arn).bind(17, r.trace_header).bind(18, r.parent_arn).bind(19, r.test_case);
    s.bind(20, r.redrive_count).bind(21, r.redrive_ms).bind(22, r.history_count).bind(23, r.wake_ms);
    s.bind(24, journal_added);
    if (int rc = s.step(); rc != SQLITE_DONE) return writer_.last_error(rc, what);
    inserted = sqlite3_changes(writer_.handle()) == 1;
    if (inserted) {
      row = KnownRow{sqlite3_last_insert_rowid(writer_.handle()), journal_added};
    } else {
      // Not written by this writer since open (a restart, a redrive of a closed execution).
      auto found = read_one<KnownRow>(
          writer_, "SELECT id,journal_count FROM executions WHERE arn=?1", [&](Statement& q) { q.bind(1, r.arn); },
          [](const Statement& q) { return KnownRow{q.integer(0), q.integer(1)}; });
      if (!found) return writer_.last_error(sqlite3_errcode(writer_.handle()), what);
      row = *found;
    }
  }
  if (!inserted) {
    row.journal_count += journal_added;
    auto st = run(writer_,
                  "UPDATE executions SET name=?2,version_arn=?3,alias_arn=?4,type=?5,status=?6,output=?7,error=?8,"
                  "cause=?9,stop_ms=?10,seed=?11,role_arn=?12,trace_header=?13,parent_arn=?14,test_case=?15,"
                  "redrive_count=?16,redrive_ms=?17,history_count=?18,wake_ms=?19,journal_count=?20 WHERE id=?1",
                  what, [&](Statement& s) {
                    s.bind(1, row.id).bind(2, r.name).bind(3, r.version_arn).bind(4, r.alias_arn).bind(5, r.type);
                    s.bind(6, r.status).bind(7, r.output).bind(8, r.error).bind(9, r.cause).bind(10, r.stop_ms);
                    s.bind(11, static_cast<std::int64_t>(r.seed)).bind(12, r.role_arn).bind(13, r.trace_header);
                    s.bind(14, r.parent_arn).bind(15, r.test_case).bind(16, r.redrive_count);
                    s.bind(17, r.redrive_ms).bind(18, r.history_count).bind(19, r.wake_ms);
                    s.bind(20, row.journal_count);
                  });
    if (!st.ok()) return std::move(st).error();
    if (sqlite3_changes(writer_.handle()) == 0) {
      // A remembered row that is gone (not expected: only closed rows are purged). As a
      // conflict, the batch is written again with the cache emptied, which finds the truth.
      return Error{errors::conflict, "the row of " + r.arn + " is not where the writer remembered it"};
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
      out[k] = "INSERT INTO history_events(execution_id,id,previous_event_id,timestamp_ms,type,details_key,details) "
               "VALUES(?,?,?,?,?,?,?)";
      for (std::size_t i = 1; i < k; ++i) out[k] += ",(?,?,?,?,?,?,?)";
    }
    return out;
  }();
  return sql[n].c_str();
}

// Several rows per INSERT: SQLite's work per statement (starting the program, checking the
// transaction, resetting) is then paid once for up to history_rows_per_insert_max events.
Status SqliteStore::write_events(std::int64_t execution_id, std::vector<engine::HistoryEvent>& events,
                                 const std::string& arn) {
  constexpr std::size_t per_insert = history_rows_per_insert_max;
  for (std::size_t first = 0; first < events.size(); first += per_insert) {
    const std::size_t n = std::min(per_insert, events.size() - first);
    for (std::size_t i = 0; i < n; ++i) {
      if (!events[first + i].details_key.empty()) encode_details(events[first + i], details_text_[i]);
    }
    auto st = run(writer_, history_insert_sql(n), "cannot commit a step", [&](Statement& s) {
      for (std::size_t i = 0; i < n; ++i) {
        const engine::HistoryEvent& e = events[first + i];
        const int p = static_cast<int>(7 * i);
        s.bind(p + 1, execution_id).bind(p + 2, e.id).bind(p + 3, e.previous_event_id).bind(p + 4, e.timestamp);
        s.bind(p + 5, e.type).bind(p + 6, e.details_key);
        if (e.details_key.empty()) s.bind_null(p + 7);
        else s.bind(p + 7, std::string_view(details_text_[i]));
      }
    });
    if (st.ok()) continue;
    if (st.error().name != errors::conflict) return st;
    return Error{errors::conflict, "a history event of " + arn + " with an id from " + std::to_string(events[first].id) +
                                       " to " + std::to_string(events[first + n - 1].id) +
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
  if (!step.has_journal) return ok_status();
  const std::string entry = json::dump(step.journal);
  return run(writer_, "INSERT INTO journal(execution_id,n,entry) VALUES(?1,?2,?3)", what,
             [&](Statement& s) { s.bind(1, execution_id).bind(2, journal_seq).bind(3, entry); });
}

// --- execution reads ---

std::optional<ExecutionRecord> SqliteStore::get_execution(const std::string& arn) {
  std::lock_guard lock(read_mu_);
  return read_one<ExecutionRecord>(reader_, "SELECT " STEPWISE_EXEC_COLS " FROM executions WHERE arn=?1",
                                   [&](Statement& s) { s.bind(1, arn); }, read_execution);
}

std::vector<ExecutionRecord> SqliteStore::list_executions(const ExecutionQuery& q) {
  std::lock_guard lock(read_mu_);
  auto bind_filters = [&](Statement& s) {
    s.bind(1, q.state_machine_arn).bind(2, q.version_arn).bind(3, q.alias_arn).bind(4, q.status);
    s.bind(5, as_limit(q.limit));
  };
  constexpr const char* filters =
      " FROM executions WHERE state_machine_arn=?1 AND (?2='' OR version_arn=?2) AND (?3='' OR alias_arn=?3)"
      " AND (?4='' OR status=?4)";
  if (q.after_arn.empty()) {
    static const std::string sql = std::string("SELECT " STEPWISE_EXEC_COLS) + filters +
                                   " ORDER BY start_ms DESC, arn DESC LIMIT ?5";
    return read_all<ExecutionRecord>(reader_, sql.c_str(), bind_filters, read_execution);
  }
  auto cursor = read_one<std::int64_t>(
      reader_, "SELECT start_ms FROM executions WHERE arn=?1", [&](Statement& s) { s.bind(1, q.after_arn); },
      [](const Statement& s) { return s.integer(0); });
  if (!cursor) return {};  // unknown cursor: nothing follows it
  static const std::string sql = std::string("SELECT " STEPWISE_EXEC_COLS) + filters +
                                 " AND (start_ms < ?6 OR (start_ms = ?6 AND arn < ?7))"
                                 " ORDER BY start_ms DESC, arn DESC LIMIT ?5";
  return read_all<ExecutionRecord>(
      reader_, sql.c_str(),
      [&](Statement& s) {
        bind_filters(s);
        s.bind(6, *cursor).bind(7, q.after_arn);
      },
      read_execution);
}

std::vector<engine::HistoryEvent> SqliteStore::history(const HistoryQuery& q) {
  std::lock_guard lock(read_mu_);
  const char* sql = q.reverse
                        ? "SELECT id,previous_event_id,timestamp_ms,type,details_key,details FROM history_events "
                          "WHERE execution_id=(SELECT id FROM executions WHERE arn=?1) AND id<?2 "
                          "ORDER BY id DESC LIMIT ?3"
                        : "SELECT id,previous_event_id,timestamp_ms,type,details_key,details FROM history_events "
                          "WHERE execution_id=(SELECT id FROM executions WHERE arn=?1) AND id>?2 "
                          "ORDER BY id LIMIT ?3";
  const std::int64_t bound =
      q.reverse && q.after_id == 0 ? std::numeric_limits<std::int64_t>::max() : q.after_id;
  return read_all<engine::HistoryEvent>(
      reader_, sql, [&](Statement& s) { s.bind(1, q.execution_arn).bind(2, bound).bind(3, as_limit(q.limit)); },
      read_event);
}

std::vector<JournalEntry> SqliteStore::journal(const std::string& execution_arn) {
  std::lock_guard lock(read_mu_);
  return read_all<JournalEntry>(
      reader_,
      "SELECT n,entry FROM journal WHERE execution_id=(SELECT id FROM executions WHERE arn=?1) ORDER BY n",
      [&](Statement& s) { s.bind(1, execution_arn); },
      [](const Statement& s) { return JournalEntry{s.integer(0), s.json_value(1)}; });
}

std::vector<ExecutionRecord> SqliteStore::running_executions() {
  std::lock_guard lock(read_mu_);
  return read_all<ExecutionRecord>(
      reader_, "SELECT " STEPWISE_EXEC_COLS " FROM executions WHERE status='RUNNING' ORDER BY start_ms, arn",
      [](Statement&) {}, read_execution);
}

std::vector<RunningExecution> SqliteStore::running_index() {
  std::lock_guard lock(read_mu_);
  return read_all<RunningExecution>(
      reader_,
      "SELECT arn,state_machine_arn,type,wake_ms FROM executions WHERE status='RUNNING' ORDER BY start_ms, arn",
      [](Statement&) {},
      [](const Statement& s) {
        return RunningExecution{s.text(0), s.text(1), s.text(2), s.integer(3)};
      });
}

// Deletes in chunks so that commits of running executions are not held up by a large purge.
Result<std::int64_t> SqliteStore::purge_closed_before(Millis before_ms) {
  constexpr std::int64_t chunk_executions_max = 500;
  std::int64_t total = 0;
  for (;;) {
    std::int64_t purged = 0;
    Status st = write_txn("cannot purge executions", [&]() -> Status {
      auto ids = read_all<std::int64_t>(
          writer_,
          "SELECT id FROM executions WHERE stop_ms>0 AND stop_ms<?1 AND status NOT IN ('RUNNING','PENDING_REDRIVE') "
          "LIMIT ?2",
          [&](Statement& s) { s.bind(1, before_ms).bind(2, chunk_executions_max); },
          [](const Statement& s) { return s.integer(0); });
      for (std::int64_t id : ids) {
        auto bind = [&](Statement& s) { s.bind(1, id); };
        const char* what = "cannot purge executions";
        if (auto r = run(writer_, "DELETE FROM history_events WHERE execution_id=?1", what, bind); !r.ok()) return r;
        if (auto r = run(writer_, "DELETE FROM journal WHERE execution_id=?1", what, bind); !r.ok()) return r;
        if (auto r = run(writer_, "DELETE FROM executions WHERE id=?1", what, bind); !r.ok()) return r;
      }
      purged = static_cast<std::int64_t>(ids.size());
      return ok_status();
    });
    if (!st.ok()) return std::move(st).error();
    total += purged;
    if (purged < chunk_executions_max) return total;
  }
}

}  // namespace stepwise::store
