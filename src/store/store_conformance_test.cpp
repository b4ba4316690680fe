// One behaviour suite for the Store interface, run against every implementation (typed tests):
// what the service relies on must not depend on `--store`.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "store/memory_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_util.h"

namespace stepwise::store {
namespace {

struct MemoryFactory {
  static std::unique_ptr<Store> make(const std::filesystem::path&) {
    return std::make_unique<MemoryStore>();
  }
};

struct SqliteFactory {
  static std::unique_ptr<Store> make(const std::filesystem::path& dir) {
    SqliteOptions options;
    options.synchronous = Synchronous::kOff;  // tests: durability is tested in sqlite_store_test
    auto opened = SqliteStore::open(dir, options);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().cause);
    return std::move(opened).value();
  }
};

template <typename Factory>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Factory::make(dir_.path()); }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

using Implementations = ::testing::Types<MemoryFactory, SqliteFactory>;
TYPED_TEST_SUITE(StoreConformance, Implementations);

TYPED_TEST(StoreConformance, StateMachineReplaceKeepsCreationOrder) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.put_state_machine(machine("a")).ok());
  ASSERT_TRUE(s.put_state_machine(machine("b")).ok());
  auto a2 = machine("a");
  a2.definition = "{\"changed\":true}";
  a2.revision_id = "r2";
  a2.updated_ms = 99;
  ASSERT_TRUE(s.put_state_machine(a2).ok());
  auto all = machines_of(s);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a");
  EXPECT_EQ(all[0].definition, "{\"changed\":true}");
  EXPECT_EQ(all[0].updated_ms, 99);
  EXPECT_EQ(all[1].name, "b");
  EXPECT_FALSE(ok_value(s.get_state_machine(machine_arn("zz"))).has_value());
}

TYPED_TEST(StoreConformance, StateMachineFieldsRoundTrip) {
  Store& s = *this->store_;
  auto m = machine("full");
  m.type = "EXPRESS";
  m.logging_configuration =
      json::parse(R"({"level":"ALL","includeExecutionData":true,"destinations":[]})").value();
  m.tracing_configuration = json::parse(R"({"enabled":false})").value();
  m.encryption_configuration = nullptr;
  m.next_version = 7;
  m.status = "DELETING";
  ASSERT_TRUE(s.put_state_machine(m).ok());
  auto got = ok_value(s.get_state_machine(m.arn));
  ASSERT_TRUE(got.has_value());
  expect_same(*got, m);
  EXPECT_EQ(got->status, "DELETING");
}

TYPED_TEST(StoreConformance, DeleteStateMachineTakesItsVersionsAliasesAndTags) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.put_state_machine(machine("m")).ok());
  ASSERT_TRUE(s.put_state_machine(machine("other")).ok());
  ASSERT_TRUE(publish(s, "m", 1).ok());
  ASSERT_TRUE(publish(s, "other", 1).ok());
  ASSERT_TRUE(s.create_alias(alias("m", "live")).ok());
  ASSERT_TRUE(s.put_tags(machine_arn("m"), {{"k", "v"}}).ok());
  ASSERT_TRUE(s.delete_state_machine(machine_arn("m")).ok());
  EXPECT_FALSE(ok_value(s.get_state_machine(machine_arn("m"))).has_value());
  EXPECT_FALSE(ok_value(s.get_version(version("m", 1).arn)).has_value());
  EXPECT_FALSE(ok_value(s.get_alias(alias("m", "live").arn)).has_value());
  EXPECT_TRUE(ok_value(s.get_tags(machine_arn("m"))).empty());
  EXPECT_TRUE(ok_value(s.get_version(version("other", 1).arn)).has_value());
  EXPECT_TRUE(s.delete_state_machine(machine_arn("never")).ok());
}

TYPED_TEST(StoreConformance, VersionsListNewestFirst) {
  Store& s = *this->store_;
  for (int v : {1, 2, 3}) ASSERT_TRUE(publish(s, "m", v).ok());
  ASSERT_TRUE(publish(s, "n", 1).ok());
  auto list = versions_of(s, machine_arn("m"));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].version, 3);
  EXPECT_EQ(list[1].version, 2);
  EXPECT_EQ(list[2].version, 1);
  auto got = ok_value(s.get_version(version("m", 2).arn));
  ASSERT_TRUE(got.has_value());
  expect_same(*got, version("m", 2));
  ASSERT_TRUE(s.delete_version(version("m", 2).arn).ok());
  EXPECT_EQ(versions_of(s, machine_arn("m")).size(), 2u);
}

TYPED_TEST(StoreConformance, PublishTakesTheMachinesCounterAndKeepsItAcrossUpdates) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.put_state_machine(machine("m")).ok());
  auto v = s.publish_version(version("m", 99));  // the number and ARN are the store's
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, 1);
  EXPECT_EQ(v->arn, machine_arn("m") + ":1");
  // An update written from a copy read before the publish does not move the counter back.
  ASSERT_TRUE(s.put_state_machine(machine("m")).ok());
  EXPECT_EQ(ok_value(s.get_state_machine(machine_arn("m")))->next_version, 2);
  EXPECT_EQ(s.publish_version(version("m", 1))->version, 2);
  auto missing = s.publish_version(version("none", 1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().name, "Store.NotFound");
}

TYPED_TEST(StoreConformance, ConcurrentPublishesGetDistinctVersions) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.put_state_machine(machine("m")).ok());
  constexpr int threads = 4, each = 10;
  std::vector<std::thread> pool;
  std::mutex mu;
  std::vector<std::int64_t> got;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < each; ++i) {
        auto v = s.publish_version(version("m", 0));
        std::lock_guard lock(mu);
        got.push_back(v.ok() ? v->version : -1);
      }
    });
  }
  for (auto& th : pool) th.join();
  std::sort(got.begin(), got.end());
  std::vector<std::int64_t> want(threads * each);
  for (std::size_t i = 0; i < want.size(); ++i) want[i] = static_cast<std::int64_t>(i + 1);
  EXPECT_EQ(got, want);
  EXPECT_EQ(versions_of(s, machine_arn("m")).size(), want.size());
  EXPECT_EQ(ok_value(s.get_state_machine(machine_arn("m")))->next_version, threads * each + 1);
}

TYPED_TEST(StoreConformance, AliasesCreateOnceUpdateByCompareAndSetAndDelete) {
  Store& s = *this->store_;
  ASSERT_TRUE(s.create_alias(alias("m", "a")).ok());
  ASSERT_TRUE(s.create_alias(alias("m", "b")).ok());
  auto twice = s.create_alias(alias("m", "a"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().name, "Store.ConditionFailed");
  auto a = alias("m", "a");
  a.description = "moved";
  a.updated_ms = 60;
  a.routing_configuration =
      json::parse(R"([{"stateMachineVersionArn":"x:2","weight":100}])").value();
  ASSERT_TRUE(s.update_alias(a, alias("m", "a").updated_ms).ok());
  // A second writer that read the alias before that update loses.
  auto stale = alias("m", "a");
  stale.description = "lost";
  auto lost = s.update_alias(stale, alias("m", "a").updated_ms);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().name, "Store.ConditionFailed");
  EXPECT_FALSE(s.update_alias(alias("m", "gone"), 6).ok());
  auto list = aliases_of(s, machine_arn("m"));
  ASSERT_EQ(list.size(), 2u);
  expect_same(list[0], a);
  EXPECT_EQ(list[1].name, "b");
  ASSERT_TRUE(s.delete_alias(a.arn).ok());
  EXPECT_EQ(aliases_of(s, machine_arn("m")).size(), 1u);
  EXPECT_TRUE(aliases_of(s, machine_arn("none")).empty());
}

TYPED_TEST(StoreConformance, RegistryListingsPageInOrderAndRefuseForeignTokens) {
  Store& s = *this->store_;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(s.put_state_machine(machine("m" + std::to_string(i))).ok());
    ASSERT_TRUE(s.put_activity(activity("a" + std::to_string(i))).ok());
    ASSERT_TRUE(s.create_alias(alias("m0", "al" + std::to_string(i))).ok());
    ASSERT_TRUE(publish(s, "m0", i + 1).ok());
  }
  ASSERT_TRUE(s.create_alias(alias("m1", "other")).ok());  // interleaved: another machine's
  auto page1 = s.list_state_machines(PageQuery{.token = "", .limit = 2});
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[1].name, "m1");
  ASSERT_FALSE(page1->next_token.empty());
  auto page2 = s.list_state_machines(PageQuery{.token = page1->next_token, .limit = 3});
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->items.size(), 3u);
  EXPECT_EQ(page2->items[0].name, "m2");
  EXPECT_TRUE(page2->next_token.empty());  // exactly the last page
  std::vector<std::string> names;
  for (const auto& m : machines_of(s)) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"}));
  names.clear();
  for (const auto& a : activities_of(s)) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4"}));
  names.clear();
  for (const auto& a : aliases_of(s, machine_arn("m0"))) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"al0", "al1", "al2", "al3", "al4"}));
  std::vector<std::int64_t> numbers;
  for (const auto& v : versions_of(s, machine_arn("m0"))) numbers.push_back(v.version);
  EXPECT_EQ(numbers, (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
  auto foreign = s.list_activities(PageQuery{.token = "not-a-token", .limit = 2});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().name, "Store.InvalidToken");
}

TYPED_TEST(StoreConformance, ActivitiesListInCreationOrder) {
  Store& s = *this->store_;
  for (const char* n : {"z", "a", "m"}) ASSERT_TRUE(s.put_activity(activity(n)).ok());
  auto list = activities_of(s);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "z");
  EXPECT_EQ(list[2].name, "m");
  auto got = ok_value(s.get_activity(activity("a").arn));
  ASSERT_TRUE(got.has_value());
  expect_same(*got, activity("a"));
  ASSERT_TRUE(s.delete_activity(activity("a").arn).ok());
  EXPECT_FALSE(ok_value(s.get_activity(activity("a").arn)).has_value());
}

TYPED_TEST(StoreConformance, TagsReplaceKeepInsertionOrderAndClear) {
  Store& s = *this->store_;
  const std::string arn = machine_arn("m");
  EXPECT_TRUE(ok_value(s.get_tags(arn)).empty());
  ASSERT_TRUE(s.put_tags(arn, {{"z", "1"}, {"a", "2"}}).ok());
  ASSERT_TRUE(s.put_tags(arn, {{"b", "3"}, {"a", ""}}).ok());
  Tags want{{"b", "3"}, {"a", ""}};
  EXPECT_EQ(ok_value(s.get_tags(arn)), want);
  ASSERT_TRUE(s.put_tags(arn, {}).ok());
  EXPECT_TRUE(ok_value(s.get_tags(arn)).empty());
}

TYPED_TEST(StoreConformance, CommitStoresRowHistoryAndJournal) {
  Store& s = *this->store_;
  auto row = execution("e1", 1000);
  ASSERT_TRUE(commit(s, {start_step(row, 3)}).ok());
  row.status = "SUCCEEDED";
  row.output = "{\"done\":1}";
  row.stop_ms = 2000;
  ASSERT_TRUE(commit(s, {step(row, 4, 2, R"({"kind":"task","n":1})")}).ok());
  auto got = ok_value(s.get_execution(row.arn));
  ASSERT_TRUE(got.has_value());
  row.history_count = 5;
  expect_same(*got, row);
  auto events = ok_value(s.history({row.arn, false, 0, 100}));
  ASSERT_EQ(events.size(), 5u);
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(events[i].id, static_cast<std::int64_t>(i + 1));
  expect_same(events[3], event(4));
  auto journal = journal_of(s, row.arn);
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0].seq, 1);
  EXPECT_EQ(json::dump(journal[0].journal), R"({"kind":"task","n":1})");
  EXPECT_FALSE(ok_value(s.get_execution(execution("none", 0).arn)).has_value());
  EXPECT_TRUE(journal_of(s, execution("none", 0).arn).empty());
}

TYPED_TEST(StoreConformance, OptionalFieldsKeepEmptyDistinctFromAbsent) {
  Store& s = *this->store_;
  auto row = execution("opt", 5);
  row.status = "FAILED";
  row.output = std::nullopt;
  row.error = "";
  row.cause = std::nullopt;
  row.version_arn = "v";
  row.alias_arn = "a";
  row.parent_arn = "p";
  row.test_case = "T";
  row.trace_header = "Root=1";
  row.redrive_count = 2;
  row.redrive_ms = 77;
  row.seed = 0xFFFFFFFFFFFFFFFFull;
  ASSERT_TRUE(commit(s, {start_step(row, 1)}).ok());
  row.history_count = 1;
  auto got = ok_value(s.get_execution(row.arn));
  ASSERT_TRUE(got.has_value());
  expect_same(*got, row);
}

TYPED_TEST(StoreConformance, IdentityInputAndDefinitionAreFixedByTheFirstStep) {
  Store& s = *this->store_;
  auto row = execution("fixed", 100);
  ASSERT_TRUE(commit(s, {start_step(row, 1)}).ok());
  auto later = row;
  later.start_ms = 999;
  later.state_machine_arn = machine_arn("elsewhere");
  later.input = "{}";
  later.definition = "{}";
  later.status = "SUCCEEDED";
  later.output = "1";
  ASSERT_TRUE(commit(s, {step(later, 2, 1, "{}")}).ok());
  auto got = ok_value(s.get_execution(row.arn));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->start_ms, 100);
  EXPECT_EQ(got->state_machine_arn, machine_arn("m"));
  EXPECT_EQ(got->input, row.input);
  EXPECT_EQ(got->definition, row.definition);
  EXPECT_EQ(got->status, "SUCCEEDED");
  EXPECT_EQ(got->output, "1");
  ExecutionQuery q;
  q.state_machine_arn = machine_arn("m");
  EXPECT_EQ(ok_value(s.list_executions(q)).size(), 1u);
}

TYPED_TEST(StoreConformance, JournalSeqCountsOnlyStepsWithAJournal) {
  Store& s = *this->store_;
  auto row = execution("j", 1);
  std::vector<StepRecord> steps{start_step(row, 1), step(row, 2, 1, "1"), step(row, 3, 1, ""),
                                step(row, 4, 1, "\"third\"")};
  ASSERT_TRUE(commit(s, std::move(steps)).ok());
  ASSERT_TRUE(commit(s, {step(row, 5, 1, "[4]")}).ok());
  auto journal = journal_of(s, row.arn);
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[0].seq, 1);
  EXPECT_EQ(json::dump(journal[0].journal), "1");
  EXPECT_EQ(journal[1].seq, 2);
  EXPECT_EQ(journal[2].seq, 3);
  EXPECT_EQ(json::dump(journal[2].journal), "[4]");
}

TYPED_TEST(StoreConformance, DuplicateEventIdFailsTheWholeCall) {
  Store& s = *this->store_;
  auto a = execution("a", 1);
  auto b = execution("b", 2);
  ASSERT_TRUE(commit(s, {start_step(a, 2)}).ok());
  auto a2 = a;
  a2.status = "SUCCEEDED";
  Status st = commit(s, {start_step(b, 1), step(a2, 2, 1, "{}")});  // event 2 of a exists
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, "Store.Conflict");
  EXPECT_FALSE(ok_value(s.get_execution(b.arn)).has_value());
  EXPECT_EQ(ok_value(s.get_execution(a.arn))->status, "RUNNING");
  EXPECT_EQ(ok_value(s.history({a.arn, false, 0, 100})).size(), 2u);
  EXPECT_TRUE(journal_of(s, a.arn).empty());
  // The store is still usable afterwards.
  EXPECT_TRUE(commit(s, {step(a2, 3, 1, "{}")}).ok());
}

TYPED_TEST(StoreConformance, HistoryPagesForwardAndBackward) {
  Store& s = *this->store_;
  auto row = execution("h", 1);
  ASSERT_TRUE(commit(s, {start_step(row, 10)}).ok());
  auto ids = [](const std::vector<history::HistoryEvent>& ev) {
    std::vector<std::int64_t> out;
    for (const auto& e : ev) out.push_back(e.id);
    return out;
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(ids(ok_value(s.history({row.arn, false, 0, 3}))), (V{1, 2, 3}));
  EXPECT_EQ(ids(ok_value(s.history({row.arn, false, 3, 3}))), (V{4, 5, 6}));
  EXPECT_EQ(ids(ok_value(s.history({row.arn, false, 9, 3}))), (V{10}));
  EXPECT_TRUE(ok_value(s.history({row.arn, false, 10, 3})).empty());
  EXPECT_EQ(ids(ok_value(s.history({row.arn, true, 0, 3}))), (V{10, 9, 8}));
  EXPECT_EQ(ids(ok_value(s.history({row.arn, true, 8, 3}))), (V{7, 6, 5}));
  EXPECT_EQ(ids(ok_value(s.history({row.arn, true, 2, 3}))), (V{1}));
  EXPECT_TRUE(ok_value(s.history({row.arn, true, 1, 3})).empty());
  EXPECT_TRUE(ok_value(s.history({"arn:none", false, 0, 3})).empty());
}

TYPED_TEST(StoreConformance, ListExecutionsNewestFirstFilteredAndPaged) {
  Store& s = *this->store_;
  std::vector<StepRecord> steps;
  for (int i = 0; i < 6; ++i) {
    auto r = execution("x" + std::to_string(i), 100 + i / 2);  // pairs share a start time
    if (i % 2 == 1) r.status = "SUCCEEDED";
    if (i == 4) r.version_arn = "ver";
    steps.push_back(start_step(r, 1));
  }
  auto other = execution("o", 500);
  other.state_machine_arn = machine_arn("other");
  steps.push_back(start_step(other, 1));
  ASSERT_TRUE(commit(s, std::move(steps)).ok());
  auto names = [](const std::vector<ExecutionRecord>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs) out.push_back(r.name);
    return out;
  };
  using V = std::vector<std::string>;
  ExecutionQuery q;
  q.state_machine_arn = machine_arn("m");
  EXPECT_EQ(names(ok_value(s.list_executions(q))), (V{"x5", "x4", "x3", "x2", "x1", "x0"}));
  q.limit = 4;
  auto page1 = ok_value(s.list_executions(q));
  EXPECT_EQ(names(page1), (V{"x5", "x4", "x3", "x2"}));
  q.after_arn = page1.back().arn;
  EXPECT_EQ(names(ok_value(s.list_executions(q))), (V{"x1", "x0"}));
  q.after_arn.clear();
  q.status = "SUCCEEDED";
  EXPECT_EQ(names(ok_value(s.list_executions(q))), (V{"x5", "x3", "x1"}));
  q.status.clear();
  q.version_arn = "ver";
  EXPECT_EQ(names(ok_value(s.list_executions(q))), (V{"x4"}));
  ExecutionQuery none;
  none.state_machine_arn = machine_arn("nothing");
  EXPECT_TRUE(ok_value(s.list_executions(none)).empty());
}

TYPED_TEST(StoreConformance, RunningExecutionsAreOnlyTheRunningOnes) {
  Store& s = *this->store_;
  auto a = execution("a", 1);
  auto b = execution("b", 2);
  auto c = execution("c", 3);
  c.status = "PENDING_REDRIVE";
  ASSERT_TRUE(commit(s, {start_step(a, 1), start_step(b, 1), start_step(c, 1)}).ok());
  b.status = "ABORTED";
  b.stop_ms = 10;
  ASSERT_TRUE(commit(s, {step(b, 2, 1, "{}")}).ok());
  auto running = running_of(s);
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].arn, a.arn);
}

TYPED_TEST(StoreConformance, RunningIndexAndJournalPage) {
  Store& s = *this->store_;
  std::vector<StepRecord> steps;
  for (int i = 0; i < 7; ++i)
    steps.push_back(start_step(execution("r" + std::to_string(i), 10 + i / 3), 1));
  auto closed = execution("closed", 11);
  closed.status = "SUCCEEDED";
  steps.push_back(start_step(closed, 1));
  ASSERT_TRUE(commit(s, std::move(steps)).ok());
  // (start_ms, arn) order, ties broken by arn, in pages of 3.
  auto page1 = ok_value(s.running_index(RunningKey{}, 3));
  ASSERT_EQ(page1.size(), 3u);
  EXPECT_EQ(page1[0].arn, execution("r0", 10).arn);
  EXPECT_EQ(page1[2].start_ms, 10);
  auto page2 = ok_value(s.running_index(RunningKey{page1[2].start_ms, page1[2].arn}, 3));
  ASSERT_EQ(page2.size(), 3u);
  EXPECT_EQ(page2[0].arn, execution("r3", 11).arn);
  auto page3 = ok_value(s.running_index(RunningKey{page2[2].start_ms, page2[2].arn}, 3));
  ASSERT_EQ(page3.size(), 1u);
  EXPECT_EQ(page3[0].arn, execution("r6", 12).arn);
  EXPECT_TRUE(ok_value(s.running_index(RunningKey{page3[0].start_ms, page3[0].arn}, 3)).empty());
  EXPECT_EQ(running_of(s).size(), 7u);

  auto row = execution("r0", 10);
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(commit(s, {step(row, 2 + k, 1, std::to_string(k))}).ok());
  auto first = ok_value(s.journal(row.arn, 0, 2));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].seq, 2);
  auto rest = ok_value(s.journal(row.arn, 2, 10));
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].seq, 3);
  EXPECT_EQ(json::dump(rest[2].journal), "4");
  EXPECT_TRUE(ok_value(s.journal(row.arn, 5, 10)).empty());
}

TYPED_TEST(StoreConformance, ACommitUnderAStaleFenceIsRefusedAndWritesNothing) {
  Store& s = *this->store_;
  auto row = execution("f", 1);
  ASSERT_TRUE(commit(s, {start_step(row, 1)}, Fence{0, 0}).ok());  // never claimed: epoch 0
  auto first = s.claim_shard(0, "node-a");
  ASSERT_TRUE(first.ok());
  auto second = s.claim_shard(0, "node-b");
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);
  EXPECT_EQ(*s.claim_shard(7, "node-a"), 1);  // shards count separately
  Status stale = commit(s, {step(row, 2, 1, "{}")}, Fence{0, *first});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().name, "Store.Fenced");
  Status unclaimed = commit(s, {step(row, 2, 1, "{}")}, Fence{0, 0});
  ASSERT_FALSE(unclaimed.ok());
  EXPECT_EQ(unclaimed.error().name, "Store.Fenced");
  EXPECT_EQ(ok_value(s.history({row.arn, false, 0, 100})).size(), 1u);
  EXPECT_TRUE(journal_of(s, row.arn).empty());
  // The newest holder writes; a stale call in the same batch does not hold it back.
  std::promise<Status> stale_done;
  s.commit_steps(Fence{0, *first}, {step(row, 2, 1, "{}")},
                 [&](Status st) { stale_done.set_value(std::move(st)); });
  EXPECT_TRUE(commit(s, {step(row, 2, 1, "{}")}, Fence{0, *second}).ok());
  EXPECT_EQ(stale_done.get_future().get().error().name, "Store.Fenced");
  EXPECT_EQ(journal_of(s, row.arn).size(), 1u);
}

TYPED_TEST(StoreConformance, RunningIndexCarriesTheWakeTimeOfEachStep) {
  Store& s = *this->store_;
  auto a = execution("a", 1);
  a.wake_ms = 5000;
  auto b = execution("b", 2);
  ASSERT_TRUE(commit(s, {start_step(a, 1), start_step(b, 1)}).ok());
  a.wake_ms = 0;  // a task is in flight now: awake
  b.wake_ms = 7000;
  ASSERT_TRUE(commit(s, {step(a, 2, 1, "{}"), step(b, 2, 1, "{}")}).ok());
  auto index = running_of(s);
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].arn, a.arn);
  EXPECT_EQ(index[0].wake_ms, 0);
  EXPECT_EQ(index[0].state_machine_arn, a.state_machine_arn);
  EXPECT_EQ(index[1].arn, b.arn);
  EXPECT_EQ(index[1].wake_ms, 7000);
  EXPECT_EQ(index[1].type, "STANDARD");
  EXPECT_EQ(ok_value(s.get_execution(b.arn))->wake_ms, 7000);
}

TYPED_TEST(StoreConformance, PurgeRemovesOnlyClosedExecutionsStoppedBefore) {
  Store& s = *this->store_;
  auto old_done = execution("old", 1);
  old_done.status = "SUCCEEDED";
  old_done.stop_ms = 100;
  auto new_done = execution("new", 1);
  new_done.status = "FAILED";
  new_done.stop_ms = 300;
  auto running = execution("run", 1);
  ASSERT_TRUE(
      commit(s, {start_step(old_done, 3), start_step(new_done, 3), start_step(running, 3)}).ok());
  ASSERT_TRUE(commit(s, {step(old_done, 4, 1, "{}")}).ok());
  auto purged = s.purge_closed_before(200);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(ok_value(s.get_execution(old_done.arn)).has_value());
  EXPECT_TRUE(ok_value(s.history({old_done.arn, false, 0, 100})).empty());
  EXPECT_TRUE(journal_of(s, old_done.arn).empty());
  EXPECT_TRUE(ok_value(s.get_execution(new_done.arn)).has_value());
  EXPECT_TRUE(ok_value(s.get_execution(running.arn)).has_value());
  ExecutionQuery q;
  q.state_machine_arn = machine_arn("m");
  EXPECT_EQ(ok_value(s.list_executions(q)).size(), 2u);
  EXPECT_EQ(*s.purge_closed_before(200), 0);
}

TYPED_TEST(StoreConformance, DoneMayCallTheStoreAgain) {
  Store& s = *this->store_;
  auto row = execution("re", 1);
  std::promise<Status> second;
  s.commit_steps(Fence{}, {start_step(row, 1)}, [&](Status st) {
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(ok_value(s.get_execution(row.arn)).has_value());
    s.commit_steps(Fence{}, {step(row, 2, 1, "{}")},
                   [&](Status st2) { second.set_value(std::move(st2)); });
  });
  EXPECT_TRUE(second.get_future().get().ok());
  s.flush();
  EXPECT_EQ(ok_value(s.history({row.arn, false, 0, 100})).size(), 2u);
}

TYPED_TEST(StoreConformance, ConcurrentCommitsAllLandInOrderPerExecution) {
  Store& s = *this->store_;
  constexpr int threads = 4, executions = 8, steps = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int e = 0; e < executions; ++e) {
        auto row = execution("t" + std::to_string(t) + "e" + std::to_string(e), t);
        s.commit_steps(Fence{}, {start_step(row, 1)},
                       [&](Status st) { failures += st.ok() ? 0 : 1; });
        for (int k = 0; k < steps; ++k) {
          s.commit_steps(Fence{}, {step(row, 2 + k, 1, std::to_string(k))},
                         [&](Status st) { failures += st.ok() ? 0 : 1; });
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  s.flush();
  EXPECT_EQ(failures.load(), 0);
  auto row = execution("t3e7", 3);
  auto journal = journal_of(s, row.arn);
  ASSERT_EQ(journal.size(), static_cast<std::size_t>(steps));
  for (int k = 0; k < steps; ++k) EXPECT_EQ(json::dump(journal[k].journal), std::to_string(k));
  EXPECT_EQ(ok_value(s.history({row.arn, false, 0, 1000})).size(),
            static_cast<std::size_t>(steps + 1));
  EXPECT_EQ(ok_value(s.get_execution(row.arn))->history_count, steps + 1);
}

// --- Map Runs ---

MapRunRecord map_run(const ExecutionRecord& parent, const std::string& uuid, Millis start_ms) {
  MapRunRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:mapRun:m/Label:" + uuid;
  r.execution_arn = parent.arn;
  r.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m/Label";
  r.start_ms = start_ms;
  r.max_concurrency = 5;
  r.tolerated_failure_percentage = 12.5;
  r.tolerated_failure_count = 3;
  r.items.total = 20;
  r.items.pending = 20;
  r.executions.total = 10;
  r.executions.pending = 10;
  return r;
}

MapRunChild child_of(const MapRunRecord& run, std::int64_t index, Millis start_ms) {
  MapRunChild c;
  c.map_run_arn = run.arn;
  c.index = index;
  c.name = history::map_run_child_name(run.arn, index);
  c.arn = history::map_run_child_arn(run.arn, index);
  c.input = "{\"i\":" + std::to_string(index) + "}";
  c.start_ms = start_ms;
  return c;
}

TYPED_TEST(StoreConformance, MapRunsAndChildrenCommitWithTheStepAndPage) {
  Store& s = *this->store_;
  auto row = execution("mr", 1000);
  auto first = map_run(row, "11111111-2222-4333-8444-555555555555", 1100);
  auto second = map_run(row, "aaaaaaaa-2222-4333-8444-555555555555", 1200);
  StepRecord start = start_step(row, 3);
  start.map_runs = {first};
  for (int i = 0; i < 3; ++i) start.map_run_children.push_back(child_of(first, i, 1100 + i));
  ASSERT_TRUE(commit(s, {start}).ok());
  // The end of child 1 carries no input: the stored one stays.
  MapRunChild done = child_of(first, 1, 1101);
  done.input.reset();
  done.status = "FAILED";
  done.error = "E";
  done.cause = "why";
  done.stop_ms = 1500;
  first.executions.failed = 1;
  first.status = "FAILED";
  first.stop_ms = 1500;
  StepRecord next = step(row, 4, 1, "{}");
  next.map_runs = {first, second};
  next.map_run_children = {done};
  ASSERT_TRUE(commit(s, {next}).ok());

  auto got = ok_value(s.get_map_run(first.arn));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, first);
  EXPECT_FALSE(ok_value(s.get_map_run(first.arn + "x")).has_value());
  auto runs = ok_value(s.list_map_runs(row.arn, "", 1));  // newest first
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].arn, second.arn);
  runs = ok_value(s.list_map_runs(row.arn, runs[0].arn, 5));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].arn, first.arn);
  EXPECT_TRUE(ok_value(s.list_map_runs("arn:other", "", 5)).empty());

  auto c1 = ok_value(s.get_map_run_child(done.arn));
  ASSERT_TRUE(c1.has_value());
  done.input = "{\"i\":1}";
  EXPECT_EQ(*c1, done);
  EXPECT_FALSE(ok_value(s.get_map_run_child(child_of(first, 7, 0).arn)).has_value());
  EXPECT_FALSE(ok_value(s.get_map_run_child(row.arn)).has_value());

  MapRunChildQuery q;
  q.map_run_arn = first.arn;
  q.limit = 2;
  auto page = ok_value(s.list_map_run_children(q));  // newest first: 2, 1
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].index, 2);
  EXPECT_EQ(page[1].index, 1);
  q.after_arn = page[1].arn;
  page = ok_value(s.list_map_run_children(q));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].index, 0);
  EXPECT_EQ(page[0].input, std::optional<std::string>("{\"i\":0}"));
  q.after_arn.clear();
  q.status = "FAILED";
  page = ok_value(s.list_map_run_children(q));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].arn, done.arn);
  q.map_run_arn = second.arn;
  EXPECT_TRUE(ok_value(s.list_map_run_children(q)).empty());
}

TYPED_TEST(StoreConformance, PurgeTakesAnExecutionsMapRunsAndChildren) {
  Store& s = *this->store_;
  auto row = execution("gone", 1);
  auto run = map_run(row, "22222222-2222-4333-8444-555555555555", 2);
  StepRecord start = start_step(row, 3);
  start.map_runs = {run};
  start.map_run_children = {child_of(run, 0, 2)};
  ASSERT_TRUE(commit(s, {start}).ok());
  row.status = "SUCCEEDED";
  row.stop_ms = 100;
  ASSERT_TRUE(commit(s, {step(row, 4, 1, "{}")}).ok());
  EXPECT_EQ(*s.purge_closed_before(200), 1);
  EXPECT_FALSE(ok_value(s.get_map_run(run.arn)).has_value());
  EXPECT_TRUE(ok_value(s.list_map_runs(row.arn, "", 5)).empty());
  EXPECT_FALSE(ok_value(s.get_map_run_child(child_of(run, 0, 2).arn)).has_value());
}

TEST(MapRunNames, ChildArnsLeadBackToTheirRun) {
  const std::string run = "arn:aws:states:r:1:mapRun:m/L:1b2c3d4e-0000-4111-8222-123456789abc";
  EXPECT_EQ(history::map_run_child_name(run, 42), "1b2c3d4e-0000-4111-8222-00000000002a");
  const std::string child = history::map_run_child_arn(run, 42);
  EXPECT_EQ(child, "arn:aws:states:r:1:execution:m/L:1b2c3d4e-0000-4111-8222-00000000002a");
  auto ref = history::parse_map_run_child_arn(child);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->index, 42);
  EXPECT_EQ(run.compare(0, ref->run_prefix.size(), ref->run_prefix), 0);
  EXPECT_FALSE(history::parse_map_run_child_arn("arn:aws:states:r:1:execution:m:name"));
  EXPECT_FALSE(history::parse_map_run_child_arn(
      "arn:aws:states:r:1:execution:m/L:1b2c3d4e-0000-4111-8222-00000000zz2a"));
}

}  // namespace
}  // namespace stepwise::store
