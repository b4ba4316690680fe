// SqliteStore's commit path: the row inserted by an execution's first step and updated by id
// afterwards (the writer's cache of known rows), the journal numbering across steps, redrives
// and reopens, and a batch written again call by call after a conflict.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <future>

#include "store/errors.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_util.h"

namespace stepwise::store {
namespace {

std::unique_ptr<SqliteStore> open_store(const std::filesystem::path& dir) {
  SqliteOptions options;
  options.synchronous = Synchronous::kOff;  // tests: durability is not what is checked here
  auto opened = SqliteStore::open(dir, options);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().cause);
  return opened.ok() ? std::move(opened).value() : nullptr;
}

std::vector<std::int64_t> journal_seqs(Store& s, const std::string& arn) {
  std::vector<std::int64_t> out;
  for (const auto& e : journal_of(s, arn)) out.push_back(e.seq);
  return out;
}

TEST(SqliteCommit, LaterStepsUpdateTheRowButNeverItsIdentityInputOrDefinition) {
  TempDir dir;
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ExecutionRecord row = execution("e", 5);
  ASSERT_TRUE(commit(*s, {start_step(row, 2)}).ok());
  ExecutionRecord later = row;
  later.input = R"({"changed":true})";
  later.definition = "{}";
  later.start_ms = 99;
  later.wake_ms = 1234;
  later.trace_header = "trace";
  ASSERT_TRUE(commit(*s, {step(later, 3, 2, R"({"kind":"timer","id":1})")}).ok());
  later.status = "SUCCEEDED";
  later.output = R"({"done":1})";
  later.stop_ms = 150;  // after both start times: a row never stops before it starts
  later.wake_ms = 0;
  ASSERT_TRUE(commit(*s, {step(later, 5, 1, R"({"kind":"timer","id":2})")}).ok());

  auto stored = ok_value(s->get_execution(row.arn));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->input, row.input);
  EXPECT_EQ(stored->definition, row.definition);
  EXPECT_EQ(stored->start_ms, row.start_ms);
  EXPECT_EQ(stored->status, "SUCCEEDED");
  EXPECT_EQ(stored->output, later.output);
  EXPECT_EQ(stored->stop_ms, 150);
  EXPECT_EQ(stored->trace_header, "trace");
  EXPECT_EQ(stored->wake_ms, 0);
  EXPECT_EQ(stored->history_count, 5);
  EXPECT_EQ(journal_seqs(*s, row.arn), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ok_value(s->history({row.arn, false, 0, 100})).size(), 5u);
}

TEST(SqliteCommit, StepsOfSeveralExecutionsInOneCallKeepTheirOwnRows) {
  TempDir dir;
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ExecutionRecord a = execution("a", 1);
  ExecutionRecord b = execution("b", 2);
  ASSERT_TRUE(commit(*s, {start_step(a, 1), start_step(b, 1), step(a, 2, 1, R"({"n":1})"),
                          step(b, 2, 1, R"({"n":1})"), step(a, 3, 1, R"({"n":2})")})
                  .ok());
  EXPECT_EQ(journal_seqs(*s, a.arn), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(journal_seqs(*s, b.arn), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(ok_value(s->get_execution(a.arn))->history_count, 3);
  EXPECT_EQ(ok_value(s->get_execution(b.arn))->history_count, 2);
}

TEST(SqliteCommit, ARedriveOfAClosedExecutionContinuesItsJournal) {
  TempDir dir;
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ExecutionRecord row = execution("r", 1);
  ASSERT_TRUE(commit(*s, {start_step(row, 1)}).ok());
  row.status = "FAILED";
  row.stop_ms = 10;
  ASSERT_TRUE(commit(*s, {step(row, 2, 1, R"({"kind":"failed"})")}).ok());
  row.status = "RUNNING";
  row.stop_ms = 0;
  row.redrive_count = 1;
  row.redrive_ms = 20;
  ASSERT_TRUE(commit(*s, {step(row, 3, 1, R"({"kind":"redrive"})")}).ok());
  ASSERT_TRUE(commit(*s, {step(row, 4, 1, R"({"kind":"timer"})")}).ok());
  auto stored = ok_value(s->get_execution(row.arn));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, "RUNNING");
  EXPECT_EQ(stored->redrive_count, 1);
  EXPECT_EQ(stored->history_count, 4);
  EXPECT_EQ(journal_seqs(*s, row.arn), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(SqliteCommit, AReopenedStoreContinuesARunningExecution) {
  TempDir dir;
  ExecutionRecord row = execution("kept", 1);
  {
    auto s = open_store(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(commit(*s, {start_step(row, 1), step(row, 2, 1, R"({"n":1})")}).ok());
  }
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ASSERT_TRUE(commit(*s, {step(row, 3, 1, R"({"n":2})")}).ok());
  EXPECT_EQ(journal_seqs(*s, row.arn), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ok_value(s->get_execution(row.arn))->history_count, 3);
  EXPECT_EQ(running_of(*s).size(), 1u);
}

// A conflict makes the writer roll the batch back and write it again call by call: the rows it
// had inserted before the conflict must be inserted again, and later steps must find them.
TEST(SqliteCommit, ABatchWrittenAgainAfterAConflictKeepsItsOtherCalls) {
  TempDir dir;
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ExecutionRecord held = execution("held", 0);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  s->commit_steps(Fence{}, {start_step(held, 1)}, [released, &entered](Status) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();  // the writer is held: the next calls form one batch
  ExecutionRecord fresh = execution("fresh", 1);
  std::promise<Status> first, dup, after;
  s->commit_steps(Fence{}, {start_step(fresh, 1), step(fresh, 2, 1, R"({"n":1})")},
                  [&](Status st) { first.set_value(std::move(st)); });
  s->commit_steps(Fence{}, {step(held, 1, 1, R"({"n":1})")},
                  [&](Status st) { dup.set_value(std::move(st)); });
  s->commit_steps(Fence{}, {step(fresh, 3, 1, R"({"n":2})")},
                  [&](Status st) { after.set_value(std::move(st)); });
  release.set_value();
  s->flush();
  EXPECT_TRUE(first.get_future().get().ok());
  Status conflict = dup.get_future().get();
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().name, errors::conflict);
  EXPECT_TRUE(after.get_future().get().ok());
  EXPECT_EQ(journal_seqs(*s, fresh.arn), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ok_value(s->get_execution(fresh.arn))->history_count, 3);
  // Written twice, the events' details are intact the second time.
  auto history = ok_value(s->history({fresh.arn, false, 0, 100}));
  ASSERT_EQ(history.size(), 3u);
  for (std::int64_t id = 1; id <= 3; ++id) expect_same(history[id - 1], event(id));
  EXPECT_TRUE(journal_of(*s, held.arn).empty());
  // The next step of each finds its row.
  ASSERT_TRUE(commit(*s, {step(fresh, 4, 1, R"({"n":3})"), step(held, 2, 1, R"({"n":1})")}).ok());
  EXPECT_EQ(journal_seqs(*s, fresh.arn), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(journal_seqs(*s, held.arn), (std::vector<std::int64_t>{1}));
}

// The writer remembers the row ids of running executions; if such a row disappears behind its
// back, the step must not vanish with it (an UPDATE of no row is not an error in SQL).
TEST(SqliteCommit, AStepWhoseRememberedRowIsGoneWritesTheRowAgain) {
  TempDir dir;
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ExecutionRecord row = execution("gone", 1);
  ASSERT_TRUE(commit(*s, {start_step(row, 1)}).ok());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / SqliteStore::kFileName).c_str(), &raw), SQLITE_OK);
  sqlite3_busy_timeout(raw, 5000);
  const char* purge = "DELETE FROM history_events; DELETE FROM journal; DELETE FROM executions";
  EXPECT_EQ(sqlite3_exec(raw, purge, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  ASSERT_TRUE(ok_value(s->get_execution(row.arn)) == std::nullopt);
  row.status = "SUCCEEDED";
  row.stop_ms = 9;
  ASSERT_TRUE(commit(*s, {step(row, 2, 1, R"({"n":1})")}).ok());
  auto stored = ok_value(s->get_execution(row.arn));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, "SUCCEEDED");
  EXPECT_EQ(journal_seqs(*s, row.arn), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(ok_value(s->history({row.arn, false, 0, 100})).size(), 1u);
}

TEST(SqliteCommit, EventDetailsRoundTrip) {
  TempDir dir;
  auto s = open_store(dir.path());
  ASSERT_TRUE(s);
  ExecutionRecord row = execution("d", 1);
  StepRecord st = start_step(row, 3);
  const std::vector<history::HistoryEvent> sent = st.events;
  ASSERT_TRUE(commit(*s, {std::move(st)}).ok());
  auto stored = ok_value(s->history({row.arn, false, 0, 100}));
  ASSERT_EQ(stored.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) expect_same(stored[i], sent[i]);
}

}  // namespace
}  // namespace stepwise::store
