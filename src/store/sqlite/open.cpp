// SqliteStore, opening and closing: the data directory and its flock, the connections and
// their pragmas, migrations, the checkpointer and the group-commit queue. See sqlite_store.h.
#include "store/sqlite/sqlite_store.h"

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
#include "store/sqlite/schema.h"
#include "store/sqlite/statements.h"

namespace stepwise::store {

namespace {

using sqlite::run;

Error os_error(const char* name, const std::string& what, int err) {
  return Error{name, what + ": " + std::strerror(err)};
}

const char* sync_pragma(Synchronous s) {
  switch (s) {
    case Synchronous::kFull:
      return "PRAGMA synchronous=FULL";
    case Synchronous::kNormal:
      return "PRAGMA synchronous=NORMAL";
    case Synchronous::kOff:
      return "PRAGMA synchronous=OFF";
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
  store->queue_ = std::make_unique<GroupCommitQueue>(
      static_cast<BatchWriter&>(*store),
      GroupCommitLimits{options.group_commit_steps_max, options.group_commit_events_max});
  store->queue_->start();
  return store;
}

SqliteStore::~SqliteStore() {
  if (queue_) queue_->stop();  // every queued call is written (or failed) while the files are open
  checkpointer_.reset();
}

SqliteStore::LockFile::~LockFile() {
  if (fd >= 0) ::close(fd);  // releases the flock
}

namespace {

Status prepare_directory(const std::filesystem::path& dir, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (!create)
      return Error{errors::open_failed, "the data directory " + dir.string() + " does not exist"};
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      const bool denied =
          ec == std::errc::permission_denied || ec == std::errc::read_only_file_system;
      return Error{denied ? errors::read_only : errors::open_failed,
                   "cannot create the data directory " + dir.string() + ": " + ec.message()};
    }
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error{errors::open_failed, dir.string() + " is not a directory"};
  }
  // SQLite creates its -wal and -shm files next to the database: the directory must be writable.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return os_error(errors::read_only, "the data directory " + dir.string() + " is not writable",
                    errno);
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
      return Error{errors::locked,
                   "another Stepwise process is using the data directory " + dir.string()};
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
    return Error{errors::missing,
                 db.string() + " is missing but " + (dir_ / leftover).string() +
                     " is there: the store was deleted or moved; restore it, or remove " +
                     dir_.string() + " to start with an empty store"};
  }
  if (!options_.create_if_missing)
    return Error{errors::open_failed, db.string() + " does not exist"};
  return ok_status();
}

Status SqliteStore::configure_writer(const std::string& db) {
  if (sqlite3_db_readonly(writer_.handle(), "main") == 1)
    return Error{errors::read_only, db + " is read-only"};
  sqlite3_busy_timeout(writer_.handle(), kBusyTimeoutMs);
  // The first read of the file: a file that is not a database fails here (Store.Corrupt).
  auto mode = writer_.query_text("PRAGMA journal_mode=WAL", "cannot open the store");
  if (!mode.ok()) return std::move(mode).error();
  if (*mode != "wal")
    return Error{errors::failed, "cannot switch " + db + " to WAL mode (" + *mode + ")"};
  if (auto st = writer_.exec(sync_pragma(options_.synchronous), "cannot set durability"); !st.ok())
    return st;
  // A larger page cache keeps the b-tree pages the in-flight executions append to in memory.
  if (auto st = writer_.exec(kCachePragma, "cannot size the page cache"); !st.ok()) return st;
  // A group commit gives each call a savepoint; SQLite keeps the savepoints' undo pages in a
  // sub-journal that, past 64 KiB, spills to a temp file in /var/tmp (created, written and
  // unlinked by every transaction: measured as a fifth of the writer's time). In memory it is
  // only a copy of the pages, bounded by the batch (group_commit_events_max).
  if (auto st = writer_.exec("PRAGMA temp_store=MEMORY", "cannot configure the store"); !st.ok())
    return st;
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
  // Nothing else has the store yet, so the connections' locks are uncontended here; they are
  // taken so that the analysis checks every use of the connections alike.
  base::MutexLock write_lock(write_mu_);
  if (auto st = writer_.open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE); !st.ok()) return st;
  if (auto st = configure_writer(db); !st.ok()) return st;
  if (auto st = sqlite::migrate(writer_, sqlite::migrations()); !st.ok()) return st;
  if (options_.verify_on_open) {
    auto check = writer_.query_text("PRAGMA quick_check", "cannot verify the store");
    if (!check.ok()) return std::move(check).error();
    if (*check != "ok") return Error{errors::corrupt, db + " is damaged: " + *check};
  }
  // A real write now: a store that cannot be written must fail here, not at the first step.
  if (auto st =
          writer_.exec("UPDATE schema_version SET version = version", "cannot write the store");
      !st.ok()) {
    return st;
  }
  write_lock.unlock();
  base::MutexLock read_lock(read_mu_);
  if (auto st = reader_.open(db, SQLITE_OPEN_READWRITE); !st.ok()) return st;
  sqlite3_busy_timeout(reader_.handle(), kBusyTimeoutMs);
  if (auto st = reader_.exec(kCachePragma, "cannot size the page cache"); !st.ok()) return st;
  if (auto st = reader_.exec("PRAGMA query_only=1", "cannot open the read connection"); !st.ok())
    return st;
  read_lock.unlock();
  auto checkpointer = sqlite::Checkpointer::start(db, sync_pragma(options_.synchronous), {});
  if (!checkpointer.ok()) return std::move(checkpointer).error();
  checkpointer_ = std::move(checkpointer).value();
  return ok_status();
}

// --- registry writes ---

Status SqliteStore::write_txn(const char* what,
                              const std::function<Status(sqlite::Connection& db)>& fn) {
  base::MutexLock lock(write_mu_);
  if (auto st = run(writer_, "BEGIN IMMEDIATE", what); !st.ok()) return st;
  Status st = fn(writer_);
  if (st.ok()) st = run(writer_, "COMMIT", what);
  if (!st.ok() && sqlite3_get_autocommit(writer_.handle()) == 0)
    (void)run(writer_, "ROLLBACK", what);
  if (st.ok() && checkpointer_) checkpointer_->committed();
  return st;
}

void SqliteStore::commit_steps(const Fence& fence, std::vector<StepRecord> steps,
                               std::function<void(Status)> done) {
  queue_->enqueue(PendingCall{fence, std::move(steps), std::move(done)});
}

void SqliteStore::flush() { queue_->flush(); }

SqliteStore::Stats SqliteStore::stats() {
  const GroupCommitQueue::Stats q = queue_->stats();
  return Stats{q.transactions, q.calls, q.steps, checkpointer_->checkpoints()};
}

}  // namespace stepwise::store
