// SqliteStore-specific behaviour: durability across reopen, migrations, group commit, and the
// failures that must never be silent (corrupt/missing files, read-only directory, full disk).
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <thread>

#include "store/errors.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/statements.h"
#include "store/test_util.h"

namespace stepwise::store {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<SqliteStore> open_ok(const fs::path& dir, SqliteOptions options = {}) {
  auto opened = SqliteStore::open(dir, options);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? ""
                                           : opened.error().name + ": " + opened.error().cause);
  return opened.ok() ? std::move(opened).value() : nullptr;
}

Error open_error(const fs::path& dir, SqliteOptions options = {}) {
  auto opened = SqliteStore::open(dir, options);
  EXPECT_FALSE(opened.ok());
  return opened.ok() ? Error{} : opened.error();
}

// Runs fn on a thread without the capabilities that let root ignore file modes, so that a
// chmod-ed directory is read-only even when the tests run as root. Threads fn starts inherit it.
template <typename Fn>
void as_unprivileged(Fn fn) {
  std::thread t([&] {
    if (geteuid() == 0) {
      __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
      __user_cap_data_struct data[2]{};
      syscall(SYS_capget, &header, data);
      for (unsigned cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER}) {
        data[cap / 32].effective &= ~(1u << (cap % 32));
        data[cap / 32].permitted &= ~(1u << (cap % 32));
      }
      syscall(SYS_capset, &header, data);
    }
    fn();
  });
  t.join();
}

// True when this thread really cannot create files in dir (else the test cannot judge).
bool cannot_write_in(const fs::path& dir) {
  const fs::path probe = dir / "probe";
  std::ofstream f(probe);
  if (!f) return true;
  f.close();
  fs::remove(probe);
  return false;
}

StepRecord big_step(const ExecutionRecord& row, std::size_t payload_bytes) {
  StepRecord s = start_step(row, 1);
  s.events[0].details["input"] = std::string(payload_bytes, 'x');
  return s;
}

TEST(SqliteStore, ReopenKeepsEverything) {
  TempDir dir;
  auto row = execution("kept", 10);
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->put_state_machine(machine("m")).ok());
    ASSERT_TRUE(publish(*s, "m", 1).ok());
    ASSERT_TRUE(s->create_alias(alias("m", "live")).ok());
    ASSERT_TRUE(s->put_activity(activity("act")).ok());
    ASSERT_TRUE(s->put_tags(machine_arn("m"), {{"team", "a"}}).ok());
    ASSERT_TRUE(commit(*s, {start_step(row, 3), step(row, 4, 2, R"({"e":"timer"})")}).ok());
  }
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  auto published = machine("m");
  published.next_version = 2;
  expect_same(*ok_value(s->get_state_machine(machine_arn("m"))), published);
  expect_same(*ok_value(s->get_version(version("m", 1).arn)), version("m", 1));
  expect_same(*ok_value(s->get_alias(alias("m", "live").arn)), alias("m", "live"));
  expect_same(*ok_value(s->get_activity(activity("act").arn)), activity("act"));
  EXPECT_EQ(ok_value(s->get_tags(machine_arn("m"))), (Tags{{"team", "a"}}));
  row.history_count = 5;
  expect_same(*ok_value(s->get_execution(row.arn)), row);
  auto events = ok_value(s->history({row.arn, false, 0, 100}));
  ASSERT_EQ(events.size(), 5u);
  expect_same(events[4], event(5));
  ASSERT_EQ(journal_of(*s, row.arn).size(), 1u);
  ASSERT_EQ(running_of(*s).size(), 1u);
  // Journal numbering continues after a reopen.
  ASSERT_TRUE(commit(*s, {step(row, 6, 1, "2")}).ok());
  EXPECT_EQ(journal_of(*s, row.arn).back().seq, 2);
}

TEST(SqliteStore, DestructionDrainsQueuedCommits) {
  TempDir dir;
  std::atomic<int> ok{0};
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    for (int i = 0; i < 50; ++i) {
      s->commit_steps(Fence{}, {start_step(execution("d" + std::to_string(i), i), 1)},
                      [&](Status st) { ok += st.ok() ? 1 : 0; });
    }
  }
  EXPECT_EQ(ok.load(), 50);
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(running_of(*s).size(), 50u);
}

TEST(SqliteStore, NormalDurabilityStillCommits) {
  TempDir dir;
  SqliteOptions options;
  options.synchronous = Synchronous::kNormal;
  {
    auto s = open_ok(dir.path(), options);
    ASSERT_TRUE(s);
    ASSERT_TRUE(commit(*s, {start_step(execution("n", 1), 2)}).ok());
  }
  auto s = open_ok(dir.path(), options);
  ASSERT_TRUE(s);
  EXPECT_TRUE(ok_value(s->get_execution(execution("n", 1).arn)).has_value());
}

// The writer thread is held inside the first `done`: everything queued meanwhile must then go
// into one transaction, each call in its own savepoint.
TEST(SqliteStore, GroupCommitPutsQueuedCallsInOneTransaction) {
  TempDir dir;
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  s->commit_steps(Fence{}, {start_step(execution("first", 0), 1)}, [released, &entered](Status) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();  // the writer is now held, with an empty queue
  auto dup = execution("first", 0);
  std::vector<std::promise<Status>> results(21);
  for (int i = 0; i < 20; ++i) {
    s->commit_steps(Fence{}, {start_step(execution("q" + std::to_string(i), i), 2)},
                    [&results, i](Status st) { results[i].set_value(std::move(st)); });
  }
  // A conflicting call inside the same batch fails alone.
  s->commit_steps(Fence{}, {step(dup, 1, 1, "{}")},
                  [&results](Status st) { results[20].set_value(std::move(st)); });
  const auto before = s->stats();
  release.set_value();
  s->flush();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(results[i].get_future().get().ok());
  Status conflict = results[20].get_future().get();
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().name, errors::conflict);
  const auto after = s->stats();
  EXPECT_EQ(after.transactions - before.transactions, 1u);
  EXPECT_EQ(after.calls, 22u);
  EXPECT_EQ(running_of(*s).size(), 21u);
  EXPECT_TRUE(journal_of(*s, dup.arn).empty());
}

TEST(SqliteStore, GroupCommitRespectsItsEventLimit) {
  TempDir dir;
  SqliteOptions options;
  options.group_commit_events_max = 12;
  auto s = open_ok(dir.path(), options);
  ASSERT_TRUE(s);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  s->commit_steps(Fence{}, {start_step(execution("first", 0), 1)}, [released, &entered](Status) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  // 5 events each: 2 per transaction; the 20-event call goes alone.
  for (int i = 0; i < 4; ++i)
    s->commit_steps(Fence{}, {start_step(execution("q" + std::to_string(i), i), 5)}, {});
  s->commit_steps(Fence{}, {start_step(execution("big", 9), 20)}, {});
  const auto before = s->stats();
  release.set_value();
  s->flush();
  EXPECT_EQ(s->stats().transactions - before.transactions, 3u);
  EXPECT_EQ(ok_value(s->history({execution("big", 9).arn, false, 0, 100})).size(), 20u);
}

TEST(SqliteStore, GroupCommitRespectsItsStepLimit) {
  TempDir dir;
  SqliteOptions options;
  options.group_commit_steps_max = 5;
  auto s = open_ok(dir.path(), options);
  ASSERT_TRUE(s);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  s->commit_steps(Fence{}, {start_step(execution("first", 0), 1)}, [released, &entered](Status) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();  // the writer is now held, with an empty queue
  for (int i = 0; i < 10; ++i)
    s->commit_steps(Fence{}, {start_step(execution("q" + std::to_string(i), i), 1)}, {});
  const auto before = s->stats();
  release.set_value();
  s->flush();
  EXPECT_EQ(s->stats().transactions - before.transactions, 2u);
}

// Commits never checkpoint themselves (wal_autocheckpoint=0): the checkpointer thread must, or
// the WAL would grow without bound.
TEST(SqliteStore, CheckpointsRunInTheBackgroundAfterCommits) {
  TempDir dir;
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  ASSERT_TRUE(commit(*s, {start_step(execution("c", 1), 4)}).ok());
  for (int i = 0; i < 500 && s->stats().checkpoints == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(s->stats().checkpoints, 0u);
}

TEST(SqliteStore, FreshStoreIsAtTheLatestSchemaVersion) {
  TempDir dir;
  { ASSERT_TRUE(open_ok(dir.path())); }
  sqlite::Connection db;
  ASSERT_TRUE(db.open((dir.path() / SqliteStore::kFileName).string(), SQLITE_OPEN_READWRITE).ok());
  auto v = sqlite::schema_version(db);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, sqlite::migrations().back().version);
}

TEST(SqliteStore, MigrationsApplyInOrderAndKeepData) {
  TempDir dir;
  sqlite::Connection db;
  ASSERT_TRUE(
      db.open((dir.path() / "m.db").string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE).ok());
  std::vector<sqlite::Migration> list{{1, "CREATE TABLE t(x INTEGER)"}};
  ASSERT_TRUE(sqlite::migrate(db, list).ok());
  ASSERT_TRUE(db.exec("INSERT INTO t VALUES(41)", "insert").ok());
  list.push_back({2, "ALTER TABLE t ADD COLUMN y INTEGER NOT NULL DEFAULT 7"});
  ASSERT_TRUE(sqlite::migrate(db, list).ok());
  EXPECT_EQ(*sqlite::schema_version(db), 2);
  EXPECT_EQ(*db.query_text("SELECT x + y FROM t", "read"), "48");
  ASSERT_TRUE(sqlite::migrate(db, list).ok());  // nothing to do the second time
  EXPECT_EQ(*db.query_text("SELECT count(*) FROM t", "read"), "1");
}

TEST(SqliteStore, FailedMigrationRollsBackAndKeepsTheVersion) {
  TempDir dir;
  sqlite::Connection db;
  ASSERT_TRUE(
      db.open((dir.path() / "m.db").string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE).ok());
  std::vector<sqlite::Migration> list{{1, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1)"}};
  ASSERT_TRUE(sqlite::migrate(db, list).ok());
  list.push_back({2, "CREATE TABLE half(x INTEGER); INSERT INTO missing VALUES(1)"});
  Status st = sqlite::migrate(db, list);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, errors::migration_failed);
  EXPECT_NE(st.error().cause.find("migration 2"), std::string::npos) << st.error().cause;
  EXPECT_EQ(*sqlite::schema_version(db), 1);
  EXPECT_EQ(*db.query_text("SELECT count(*) FROM sqlite_master WHERE name='half'", "read"), "0");
  EXPECT_EQ(*db.query_text("SELECT count(*) FROM t", "read"), "1");
}

TEST(SqliteStore, NewerSchemaIsRefusedAtOpen) {
  TempDir dir;
  { ASSERT_TRUE(open_ok(dir.path())); }
  {
    sqlite::Connection db;
    ASSERT_TRUE(
        db.open((dir.path() / SqliteStore::kFileName).string(), SQLITE_OPEN_READWRITE).ok());
    ASSERT_TRUE(db.exec("UPDATE schema_version SET version = 999", "bump").ok());
  }
  Error e = open_error(dir.path());
  EXPECT_EQ(e.name, errors::schema_too_new);
  EXPECT_NE(e.cause.find("999"), std::string::npos) << e.cause;
}

TEST(SqliteStore, GarbageFileIsRefusedAtOpen) {
  TempDir dir;
  std::ofstream(dir.path() / SqliteStore::kFileName) << std::string(8192, 'G');
  Error e = open_error(dir.path());
  EXPECT_EQ(e.name, errors::corrupt) << e.cause;
  EXPECT_NE(e.cause.find(SqliteStore::kFileName), std::string::npos) << e.cause;
}

TEST(SqliteStore, DamagedPagesAreFoundWhenVerifyingAtOpen) {
  TempDir dir;
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE(commit(*s, {big_step(execution("p" + std::to_string(i), i), 3000)}).ok());
  }
  const fs::path db = dir.path() / SqliteStore::kFileName;
  ASSERT_GT(fs::file_size(db), 8u * 4096u);
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3 * 4096);
    const std::string junk(4 * 4096, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  SqliteOptions options;
  options.verify_on_open = true;
  Error e = open_error(dir.path(), options);
  EXPECT_EQ(e.name, errors::corrupt) << e.cause;
}

// A read that hits a damaged page is an Error (Store.Corrupt), never "not found" or an empty
// list: the service must answer 500, not ExecutionDoesNotExist.
TEST(SqliteStore, DamagedPagesSurfaceAsReadErrorsNotAsMissingRecords) {
  TempDir dir;
  auto row = execution("hurt", 1);
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->put_state_machine(machine("m")).ok());
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(commit(*s, {big_step(execution("p" + std::to_string(i), i), 3000)}).ok());
    }
    ASSERT_TRUE(commit(*s, {start_step(row, 2)}).ok());
  }
  const fs::path db = dir.path() / SqliteStore::kFileName;
  std::vector<std::int64_t> pages;  // the root pages of the executions table and its indexes
  std::int64_t page_size = 0;
  {
    sqlite::Connection raw;
    ASSERT_TRUE(raw.open(db.string(), SQLITE_OPEN_READWRITE).ok());
    page_size = std::stoll(*raw.query_text("PRAGMA page_size", "read"));
    auto roots = sqlite::read_all<std::int64_t>(
        raw, "SELECT rootpage FROM sqlite_master WHERE tbl_name='executions'", "read",
        [](sqlite::Statement&) {}, [](const sqlite::Statement& st) { return st.integer(0); });
    ASSERT_TRUE(roots.ok());
    pages = *roots;
  }
  ASSERT_FALSE(pages.empty());
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    const std::string junk(static_cast<std::size_t>(page_size), '\x5a');
    for (std::int64_t p : pages) {
      f.seekp((p - 1) * page_size);
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
  }
  auto s = open_ok(dir.path());  // open does not read the executions
  ASSERT_TRUE(s);
  auto got = s->get_execution(row.arn);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().name, errors::corrupt) << got.error().cause;
  ExecutionQuery q;
  q.state_machine_arn = machine_arn("m");
  auto listed = s->list_executions(q);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().name, errors::corrupt);
  EXPECT_FALSE(s->running_index(RunningKey{}, 10).ok());
  EXPECT_TRUE(s->get_state_machine(machine_arn("m")).ok());  // undamaged tables still read
}

// A store written by the previous release (schema 2) opens at 3: its data is kept and its
// shards start unclaimed (epoch 0), so its executions commit until a node claims the shard.
TEST(SqliteStore, MigrationToV3KeepsAVersion2StoreAndAddsShardFencing) {
  TempDir dir;
  auto row = execution("old", 5);
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->put_state_machine(machine("m")).ok());
    ASSERT_TRUE(commit(*s, {start_step(row, 2)}).ok());
  }
  {  // back to what version 2 wrote
    sqlite::Connection raw;
    ASSERT_TRUE(
        raw.open((dir.path() / SqliteStore::kFileName).string(), SQLITE_OPEN_READWRITE).ok());
    ASSERT_TRUE(raw.exec("DROP TABLE shards; DROP TABLE map_run_children; DROP TABLE map_runs; "
                         "UPDATE schema_version SET version = 2",
                         "down")
                    .ok());
  }
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  {
    sqlite::Connection raw;
    ASSERT_TRUE(
        raw.open((dir.path() / SqliteStore::kFileName).string(), SQLITE_OPEN_READONLY).ok());
    EXPECT_EQ(*raw.query_text("SELECT version FROM schema_version", "read"),
              std::to_string(sqlite::migrations().back().version));
  }
  expect_same(*ok_value(s->get_state_machine(machine_arn("m"))), machine("m"));
  EXPECT_EQ(ok_value(s->get_execution(row.arn))->history_count, 2);
  EXPECT_TRUE(commit(*s, {step(row, 3, 1, "{}")}, Fence{0, 0}).ok());
  auto epoch = s->claim_shard(0, "node-a");
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(*epoch, 1);
  EXPECT_EQ(commit(*s, {step(row, 4, 1, "{}")}, Fence{0, 0}).error().name, errors::fenced);
  EXPECT_TRUE(commit(*s, {step(row, 4, 1, "{}")}, Fence{0, 1}).ok());
  EXPECT_EQ(journal_of(*s, row.arn).size(), 2u);
}

TEST(SqliteStore, MissingDatabaseWithALeftoverLogIsRefused) {
  TempDir dir;
  std::ofstream(dir.path() / (std::string(SqliteStore::kFileName) + "-wal")) << "log";
  Error e = open_error(dir.path());
  EXPECT_EQ(e.name, errors::missing);
  EXPECT_NE(e.cause.find("missing"), std::string::npos) << e.cause;
}

TEST(SqliteStore, DeletedDatabaseOfAnExistingStoreIsRefused) {
  TempDir dir;
  { ASSERT_TRUE(open_ok(dir.path())); }
  fs::remove(dir.path() / SqliteStore::kFileName);
  Error e = open_error(dir.path());
  EXPECT_EQ(e.name, errors::missing);
  EXPECT_NE(e.cause.find("restore it"), std::string::npos) << e.cause;
}

TEST(SqliteStore, MissingStoreIsAnErrorWhenCreationIsOff) {
  TempDir dir;
  SqliteOptions options;
  options.create_if_missing = false;
  EXPECT_EQ(open_error(dir.path() / "nothing", options).name, errors::open_failed);
  EXPECT_EQ(open_error(dir.path(), options).name, errors::open_failed);
}

TEST(SqliteStore, DataDirectoryThatIsAFileIsRefused) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  Error e = open_error(dir.path() / "file");
  EXPECT_EQ(e.name, errors::open_failed);
  EXPECT_NE(e.cause.find("not a directory"), std::string::npos) << e.cause;
}

TEST(SqliteStore, MissingDirectoryIsCreated) {
  TempDir dir;
  auto s = open_ok(dir.path() / "a" / "b");
  ASSERT_TRUE(s);
  EXPECT_TRUE(fs::exists(dir.path() / "a" / "b" / SqliteStore::kFileName));
}

TEST(SqliteStore, SecondOpenOfTheSameDirectoryIsLockedOut) {
  TempDir dir;
  auto first = open_ok(dir.path());
  ASSERT_TRUE(first);
  Error e = open_error(dir.path());
  EXPECT_EQ(e.name, errors::locked);
  first.reset();
  EXPECT_TRUE(open_ok(dir.path()));
}

TEST(SqliteStore, ReadOnlyDirectoryIsRefusedAtOpen) {
  TempDir dir;
  const fs::path fresh = dir.path() / "fresh";
  const fs::path existing = dir.path() / "existing";
  fs::create_directory(fresh);
  { ASSERT_TRUE(open_ok(existing)); }
  fs::permissions(fresh, fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(existing, fs::perms::owner_read | fs::perms::owner_exec);
  bool judged = false;
  as_unprivileged([&] {
    if (!cannot_write_in(fresh)) return;
    judged = true;
    Error e = open_error(fresh);
    EXPECT_EQ(e.name, errors::read_only) << e.cause;
    EXPECT_NE(e.cause.find("not writable"), std::string::npos) << e.cause;
    EXPECT_EQ(open_error(existing).name, errors::read_only);
  });
  fs::permissions(fresh, fs::perms::owner_all);
  fs::permissions(existing, fs::perms::owner_all);
  if (!judged) GTEST_SKIP() << "cannot make a directory read-only for this process";
}

TEST(SqliteStore, ReadOnlyDatabaseFileIsRefusedAtOpen) {
  TempDir dir;
  { ASSERT_TRUE(open_ok(dir.path())); }
  const fs::path db = dir.path() / SqliteStore::kFileName;
  fs::permissions(db, fs::perms::owner_read);
  bool judged = false;
  as_unprivileged([&] {
    if (std::ofstream(db, std::ios::app)) return;  // still writable: cannot judge
    judged = true;
    Error e = open_error(dir.path());
    EXPECT_EQ(e.name, errors::read_only) << e.cause;
  });
  fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write);
  if (!judged) GTEST_SKIP() << "cannot make a file read-only for this process";
}

// PRAGMA max_page_count caps the database as a full disk would.
TEST(SqliteStore, FullDiskFailsTheCommitAndLosesNothingCommitted) {
  TempDir dir;
  SqliteOptions options;
  options.max_page_count = 60;
  std::vector<std::string> committed;
  std::string failed_arn;
  {
    auto s = open_ok(dir.path(), options);
    ASSERT_TRUE(s);
    for (int i = 0; i < 100 && failed_arn.empty(); ++i) {
      auto row = execution("f" + std::to_string(i), i);
      Status st = commit(*s, {big_step(row, 20000)});
      if (st.ok()) {
        committed.push_back(row.arn);
        continue;
      }
      EXPECT_EQ(st.error().name, errors::disk_full) << st.error().cause;
      failed_arn = row.arn;
    }
    ASSERT_FALSE(failed_arn.empty()) << "the quota was never reached";
    ASSERT_FALSE(committed.empty());
    EXPECT_FALSE(ok_value(s->get_execution(failed_arn)).has_value());
    // Registry writes fail the same way, and small commits still fit or fail cleanly.
    Status reg = s->put_state_machine(machine(std::string(300000, 'n')));
    EXPECT_FALSE(reg.ok());
  }
  auto s = open_ok(dir.path());  // no quota: the disk has room again
  ASSERT_TRUE(s);
  for (const auto& arn : committed) {
    ASSERT_TRUE(ok_value(s->get_execution(arn)).has_value()) << arn;
    EXPECT_EQ(ok_value(s->history({arn, false, 0, 10})).size(), 1u);
  }
  EXPECT_FALSE(ok_value(s->get_execution(failed_arn)).has_value());
  EXPECT_TRUE(commit(*s, {big_step(execution("after", 1), 20000)}).ok());
}

// Cached statements are reset after each use: reads never keep a snapshot open that would
// hide later commits.
TEST(SqliteStore, ReadsSeeEachCommitImmediately) {
  TempDir dir;
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  auto row = execution("r", 1);
  ASSERT_TRUE(commit(*s, {start_step(row, 1)}).ok());
  for (int i = 2; i < 50; ++i) {
    ASSERT_TRUE(commit(*s, {step(row, i, 1, "{}")}).ok());
    EXPECT_EQ(ok_value(s->get_execution(row.arn))->history_count, i);
    EXPECT_EQ(ok_value(s->history({row.arn, true, 0, 1})).at(0).id, i);
  }
}

}  // namespace
}  // namespace stepwise::store
