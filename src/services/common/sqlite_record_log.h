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
// Thread-safety: write()/flush() from any thread; load() before writes; `done` runs on the
// writer thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

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
  void flush() override;

  // Transactions committed so far (tests check that batches were grouped).
  std::uint64_t commits() const;

 private:
  struct Pending {
    std::vector<Mutation> batch;
    Done done;
  };
  SqliteRecordLog() = default;
  void run();
  Status commit(std::deque<Pending>& group);

  sqlite3* db_ = nullptr;
  std::mutex db_mu_;  // db_: the writer's commits and load()
  mutable std::mutex mu_;
  std::condition_variable wake_;     // the writer: work arrived or stop
  std::condition_variable drained_;  // flush() and blocked writers: a commit finished
  std::deque<Pending> queue_;        // guarded by mu_
  std::uint64_t submitted_ = 0;      // guarded by mu_: batches queued so far
  std::uint64_t completed_ = 0;      // guarded by mu_: batches whose done has run
  std::uint64_t commits_ = 0;        // guarded by mu_
  Status failed_ = ok_status();      // guarded by mu_: the first I/O error, sticky
  bool stop_ = false;                // guarded by mu_
  bool writer_stopped_ = false;      // guarded by mu_
  std::thread writer_;
};

}  // namespace stepwise::services
