// SqliteRecordLog: RecordLog on SQLite — its own table `service_records` in the store's database
// file (<data dir>/stepwise.db), reached through its own connection, WAL journal.
//
// Writes are group-committed: one writer thread takes every batch queued while the previous
// transaction committed (up to mutations_per_commit_max mutations) and commits them as one
// transaction, then calls each batch's `done`. Under load many sends share one commit; alone, a
// send waits for one commit. With synchronous=NORMAL (the default here, as the WAL makes a commit
// reach the operating system before `done`), an acknowledged write survives kill -9; FULL also
// survives power loss.
//
// This is meant to move onto the store's own group commit (store/group_commit.*, being built
// beside this) once that lands: the RecordLog interface stays, this file goes.
//
// read() uses connections of its own (up to record_limits::readers_max, opened as needed): in
// WAL mode a reader sees the last commit and neither waits for the writer's transaction nor
// holds it up.
//
// Thread-safety: write()/read()/flush() from any thread; load() before writes; `done` runs on
// the writer thread.
#pragma once

#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "services/common/record_log.h"

struct sqlite3;

namespace stepwise::services {

class SqliteRecordLog final : public RecordLog {
 public:
  // Opens (creating when missing) `file` and the table. Errors: "Services.Store" with SQLite's
  // message.
  static Result<std::unique_ptr<SqliteRecordLog>> open(const std::filesystem::path& file,
                                                       bool synchronous_full = false);
  ~SqliteRecordLog() override;  // commits what is queued, then stops the writer

  void write(std::vector<Mutation> batch, Done done) override;
  Result<std::vector<Record>> load(const std::string& ns) override;
  Result<std::optional<std::string>> read(const std::string& ns, const std::string& key) override;
  void flush() override;

  // Transactions committed so far (tests check that batches were grouped).
  std::uint64_t commits() const;

 private:
  struct Pending {
    std::vector<Mutation> batch;
    Done done;
  };
  struct Reader;  // a read connection and its prepared statement
  SqliteRecordLog() = default;
  void run() EXCLUDES(mu_, db_mu_);
  // A free reader (opening one while under readers_max), or an error; back with give_back().
  Result<std::unique_ptr<Reader>> take_reader() EXCLUDES(readers_mu_);
  void give_back(std::unique_ptr<Reader> r) EXCLUDES(readers_mu_);
  Status commit(std::deque<Pending>& group) REQUIRES(db_mu_);

  base::Mutex db_mu_;  // the writer's commits and load()
  sqlite3* db_ GUARDED_BY(db_mu_) = nullptr;
  mutable base::Mutex mu_;
  base::CondVar wake_;     // the writer: work arrived or stop
  base::CondVar drained_;  // flush() and blocked writers: a commit finished
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  std::uint64_t submitted_ GUARDED_BY(mu_) = 0;  // batches queued so far
  std::uint64_t completed_ GUARDED_BY(mu_) = 0;  // batches whose done has run
  std::uint64_t commits_ GUARDED_BY(mu_) = 0;
  Status failed_ GUARDED_BY(mu_) = ok_status();  // the first I/O error, sticky
  bool stop_ GUARDED_BY(mu_) = false;
  bool writer_stopped_ GUARDED_BY(mu_) = false;
  std::thread writer_;
  std::filesystem::path file_;
  base::Mutex readers_mu_;
  base::CondVar reader_free_;
  std::vector<std::unique_ptr<Reader>> idle_readers_ GUARDED_BY(readers_mu_);
  std::size_t readers_open_ GUARDED_BY(readers_mu_) = 0;
};

}  // namespace stepwise::services
