// SqliteStore: the durable Store (RegistryStore and ExecutionStore) — one SQLite database
// `<dir>/stepwise.db` in WAL mode. Its code, by concern:
//   sqlite/open.cpp      directory, flock, pragmas, migrations, close
//   sqlite/registry.cpp  machines, versions (atomic publish), aliases (compare-and-set),
//                        activities, tags
//   sqlite/steps.cpp     the group commit's BatchWriter: fencing, rows, events, journal
//   sqlite/reads.cpp     execution reads (paged), running index, purge
//   sqlite/statements.h  running statements and collecting rows (Result, never a silent stop)
//
// Group commit (store/group_commit.h): commit_steps() only queues; one writer thread takes
// everything queued (up to group_commit_steps_max steps / group_commit_events_max events),
// writes it in ONE transaction, commits (one fsync with the default Synchronous::kFull) and
// then calls each `done` on the writer thread. Many executions' steps thus share one fsync, which
// is what makes durable throughput high. One bad call fails alone: a batch in which a call
// conflicts (a duplicate history event) is rolled back and written again with each call in its own
// savepoint (savepoints cost a copy of every page a call touches, so only that rare retry pays for
// them).
//
// Durability (docs/STORE.md): kFull — a step whose `done` saw Ok survives a process crash and a
// power loss. kNormal — survives a process crash (kill -9), but the last steps before a power
// loss or OS crash may be lost (never torn: the database stays consistent). kOff — tests only.
//
// An execution's identity (`arn`, `state_machine_arn`, `start_ms`) and its `input` and
// `definition` are written by its first step only: they never change afterwards (a redrive
// reruns the same definition and input and keeps the start date), and not rewriting them keeps a
// step's transaction small and its indexes untouched; a later step may leave them empty. Every
// other field is replaced by each step: the first step inserts the row, later ones update it by
// row id (the writer remembers the ids of the running executions it wrote).
//
// Errors are never silent: an unwritable directory, a read-only file, a file that is not a
// database, a deleted database, a schema newer than this build, or another process using the
// directory → open()
// fails with a clear Error (errors.h); a full disk or I/O error → `done(Error)` for the steps
// concerned, nothing half-written.
//
// Thread-safety: every method may be called from any thread. Reads use their own connection
// (WAL: they never wait for a commit's fsync); registry writes and the writer thread share the
// write connection under a mutex; WAL checkpoints run on a third connection and thread
// (sqlite_checkpointer.h), never inside a commit. `done` runs on the writer thread: it must not
// call flush(), and should be quick (post the follow-up work elsewhere).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "store/group_commit.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace stepwise::store {

enum class Synchronous { kFull, kNormal, kOff };

struct SqliteOptions {
  Synchronous synchronous = Synchronous::kFull;
  // Steps in one group-commit transaction at most (bounds its size and the latency of the
  // first step in it).
  std::size_t group_commit_steps_max = 10000;
  // History events in one group-commit transaction at most (a call larger than this still
  // commits, alone: a call is never split).
  std::size_t group_commit_events_max = 200000;
  // Create the directory and an empty store when missing (false: a missing store is an error).
  bool create_if_missing = true;
  // Run SQLite's quick_check at open (reads the whole file: slower opens, earlier corruption
  // reports).
  bool verify_on_open = false;
  // Database size quota in pages (0: none). Exceeding it fails commits like a full disk does.
  std::int64_t max_page_count = 0;
};

class SqliteStore final : public Store, private BatchWriter {
 public:
  static constexpr const char* kFileName = "stepwise.db";
  static constexpr const char* kLockName = "stepwise.lock";
  // History events inserted by one INSERT statement at most (sqlite/steps.cpp, write_events).
  static constexpr std::size_t history_rows_per_insert_max = 8;
  // Map Run children upserted by one INSERT statement at most (sqlite/map_runs.cpp).
  static constexpr std::size_t child_rows_per_insert_max = 8;

  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& dir,
                                                   const SqliteOptions& options = {});
  // Drains the queue (every queued `done` runs), then closes.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // --- RegistryStore (sqlite/registry.cpp) ---
  Status put_state_machine(const StateMachineRecord& r) override;
  Result<std::optional<StateMachineRecord>> get_state_machine(const std::string& arn) override;
  Status delete_state_machine(const std::string& arn) override;
  Result<Page<StateMachineRecord>> list_state_machines(const PageQuery& page) override;

  Result<VersionRecord> publish_version(VersionRecord v) override;
  Result<std::optional<VersionRecord>> get_version(const std::string& arn) override;
  Status delete_version(const std::string& arn) override;
  Result<Page<VersionRecord>> list_versions(const std::string& state_machine_arn,
                                            const PageQuery& page) override;

  Status create_alias(const AliasRecord& r) override;
  Status update_alias(const AliasRecord& r, Millis expected_updated_ms) override;
  Result<std::optional<AliasRecord>> get_alias(const std::string& arn) override;
  Status delete_alias(const std::string& arn) override;
  Result<Page<AliasRecord>> list_aliases(const std::string& state_machine_arn,
                                         const PageQuery& page) override;

  Status put_activity(const ActivityRecord& r) override;
  Result<std::optional<ActivityRecord>> get_activity(const std::string& arn) override;
  Status delete_activity(const std::string& arn) override;
  Result<Page<ActivityRecord>> list_activities(const PageQuery& page) override;

  Status put_tags(const std::string& resource_arn, const Tags& tags) override;
  Result<Tags> get_tags(const std::string& resource_arn) override;

  // --- ExecutionStore (sqlite/steps.cpp, sqlite/reads.cpp) ---
  Result<std::int64_t> claim_shard(std::int64_t shard, const std::string& node) override;
  void commit_steps(const Fence& fence, std::vector<StepRecord> steps,
                    std::function<void(Status)> done) override;
  void flush() override;

  Result<std::optional<ExecutionRecord>> get_execution(const std::string& arn) override;
  Result<std::vector<ExecutionRecord>> list_executions(const ExecutionQuery& q) override;
  Result<std::vector<history::HistoryEvent>> history(const HistoryQuery& q) override;
  Result<std::vector<JournalEntry>> journal(const std::string& execution_arn,
                                            std::int64_t after_seq, std::size_t limit) override;
  Result<std::vector<RunningExecution>> running_index(const RunningKey& after,
                                                      std::size_t limit) override;
  // Map Runs (sqlite/map_runs.cpp).
  Result<std::optional<MapRunRecord>> get_map_run(const std::string& arn) override;
  Result<std::vector<MapRunRecord>> list_map_runs(const std::string& execution_arn,
                                                  const std::string& after_arn,
                                                  std::size_t limit) override;
  Result<std::optional<MapRunChild>> get_map_run_child(const std::string& arn) override;
  Result<std::vector<MapRunChild>> list_map_run_children(const MapRunChildQuery& q) override;
  Result<std::int64_t> purge_closed_before(Millis before_ms) override;

  // Group-commit figures since open (benchmarks, metrics).
  struct Stats {
    std::uint64_t transactions = 0;
    std::uint64_t calls = 0;
    std::uint64_t steps = 0;
    std::uint64_t checkpoints = 0;  // background WAL checkpoints
  };
  Stats stats();

 private:
  SqliteStore(std::filesystem::path dir, SqliteOptions options);
  // --- open.cpp ---
  Status open_files();
  Status check_files();
  Status configure_writer(const std::string& db) REQUIRES(write_mu_);
  // Runs fn inside a write transaction on the write connection (registry writes), which fn
  // gets as `db`: the analysis cannot see that a lambda runs under write_mu_, so fn uses its
  // parameter rather than writer_.
  Status write_txn(const char* what, const std::function<Status(sqlite::Connection& db)>& fn)
      EXCLUDES(write_mu_);
  // --- registry.cpp ---
  Status delete_resource(const char* delete_sql, const char* what, const std::string& arn);
  // --- steps.cpp (the writer thread, under write_mu_) ---
  std::vector<Status> write_batch(std::vector<PendingCall>& batch) override EXCLUDES(write_mu_);
  Status write_isolated(std::vector<PendingCall>& batch, std::vector<Status>& results)
      REQUIRES(write_mu_);
  // Fails the calls of `batch` whose fence is stale (results[i]); Ok unless the read failed.
  Status check_fences(const std::vector<PendingCall>& batch, std::vector<Status>& results)
      REQUIRES(write_mu_);
  Status write_call(std::vector<StepRecord>& steps) REQUIRES(write_mu_);
  Status write_step(StepRecord& step) REQUIRES(write_mu_);
  Status write_events(std::int64_t execution_id, std::vector<history::HistoryEvent>& events,
                      const std::string& arn) REQUIRES(write_mu_);
  // An execution row this writer has written: its id and journal entry count, and what the
  // invariants (store/invariants.h) compare the next step with.
  struct KnownRow {
    std::int64_t id = 0;
    std::int64_t journal_count = 0;
    std::string status;
    std::int64_t history_count = 0;
    std::int64_t redrive_count = 0;
  };
  Result<KnownRow> write_row(const StepRecord& step) REQUIRES(write_mu_);
  Status write_map_runs(StepRecord& step) REQUIRES(write_mu_);  // map_runs.cpp
  // map_runs.cpp, under read_mu_: the run (row id, ARN) whose ARN begins with `prefix`.
  Result<std::optional<std::pair<std::int64_t, std::string>>> child_run_locked(
      const std::string& prefix) REQUIRES(read_mu_);
  void remember_row(const ExecutionRecord& r, const KnownRow& row) REQUIRES(write_mu_);

  // The flock on <dir>/stepwise.lock; released last, after the connections have closed.
  struct LockFile {
    int fd = -1;
    ~LockFile();
  };

  std::filesystem::path dir_;
  SqliteOptions options_;
  LockFile lock_;

  base::Mutex write_mu_;  // the write connection
  sqlite::Connection writer_ GUARDED_BY(write_mu_);
  base::Mutex read_mu_;  // the read connection
  sqlite::Connection reader_ GUARDED_BY(read_mu_);

  // Writer thread: the details of the events being inserted, as JSON text (reused buffers).
  std::array<std::string, history_rows_per_insert_max> details_text_ GUARDED_BY(write_mu_);
  // Writer thread (under write_mu_): the rows of RUNNING executions written since open, so a
  // step updates its row by id instead of upserting it by ARN. Valid because only write_row
  // writes an execution's row and journal_count, and purge deletes closed rows only; emptied
  // whenever a transaction or savepoint is rolled back (its inserts are gone).
  static constexpr std::size_t known_rows_max = 100'000;
  std::unordered_map<std::string, KnownRow> known_rows_ GUARDED_BY(write_mu_);
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;  // stopped before the connections close
  // Declared last: destroyed (stopped, drained) first, while the connections are open.
  std::unique_ptr<GroupCommitQueue> queue_;
};

}  // namespace stepwise::store
