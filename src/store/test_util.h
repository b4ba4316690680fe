// Test helpers for the store tests: records with every field set, a temporary directory, and a
// blocking commit. Header-only, used by *_test.cpp and the store benchmark only.
// Thread-safety: the builders are pure; TempDir is owned by one test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <future>
#include <string>
#include <system_error>
#include <vector>

#include "store/paging.h"
#include "store/store.h"

namespace stepwise::store {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "stepwise-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    // A test may have made it read-only: give write permission back before removing.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string machine_arn(const std::string& name) {
  return "arn:aws:states:us-east-1:123456789012:stateMachine:" + name;
}

inline StateMachineRecord machine(const std::string& name) {
  StateMachineRecord r;
  r.arn = machine_arn(name);
  r.name = name;
  r.definition = R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
  r.role_arn = "arn:aws:iam::123456789012:role/r";
  r.description = "d " + name;
  r.created_ms = 1700000000123;
  r.revision_id = "rev-" + name;
  return r;
}

inline VersionRecord version(const std::string& machine_name, int v) {
  VersionRecord r;
  r.state_machine_arn = machine_arn(machine_name);
  r.arn = r.state_machine_arn + ":" + std::to_string(v);
  r.version = v;
  r.type = "STANDARD";
  r.definition = "{}";
  r.role_arn = "role";
  r.description = "v" + std::to_string(v);
  r.revision_id = "rev";
  r.logging_configuration = json::parse(R"({"level":"OFF"})").value();
  r.created_ms = 1000 + v;
  return r;
}

inline AliasRecord alias(const std::string& machine_name, const std::string& name) {
  AliasRecord r;
  r.state_machine_arn = machine_arn(machine_name);
  r.arn = r.state_machine_arn + ":" + name;
  r.name = name;
  r.description = "alias " + name;
  r.routing_configuration =
      json::parse(R"([{"stateMachineVersionArn":"v:1","weight":100}])").value();
  r.created_ms = 5;
  r.updated_ms = 6;
  return r;
}

inline ActivityRecord activity(const std::string& name) {
  ActivityRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:activity:" + name;
  r.name = name;
  r.created_ms = 42;
  r.encryption_configuration = json::parse(R"({"type":"AWS_OWNED_KEY"})").value();
  return r;
}

inline ExecutionRecord execution(const std::string& name, Millis start_ms) {
  ExecutionRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
  r.name = name;
  r.state_machine_arn = machine_arn("m");
  r.input = R"({"in":1})";
  r.start_ms = start_ms;
  r.seed = 12345;
  r.definition = R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
  r.role_arn = "role";
  return r;
}

// A history event with nested details (odd ids) or none (even ids).
inline history::HistoryEvent event(std::int64_t id) {
  history::HistoryEvent e;
  e.id = id;
  e.previous_event_id = id - 1;
  e.timestamp = 1700000000000 + id;
  if (id % 2 == 1) {
    e.type = "PassStateEntered";
    e.details_key = "stateEnteredEventDetails";
    e.details["name"] = "S";
    e.details["input"] = "{\"n\":" + std::to_string(id) + ",\"s\":\"\\u00e9\\\"\"}";
    e.details["inputDetails"] = json::object{{"truncated", false}};
  } else {
    e.type = "ParallelStateStarted";
  }
  return e;
}

inline StepRecord step(ExecutionRecord row, std::int64_t first_id, int count,
                       const std::string& journal) {
  StepRecord s;
  for (int i = 0; i < count; ++i) s.events.push_back(event(first_id + i));
  row.history_count = first_id + count - 1;
  s.execution = std::move(row);
  if (!journal.empty()) {
    s.journal = json::parse(journal).value();
    s.has_journal = true;
  }
  return s;
}

inline StepRecord start_step(const ExecutionRecord& row, int events) {
  return step(row, 1, events, "");
}

inline Status commit(ExecutionStore& s, std::vector<StepRecord> steps, Fence fence = {}) {
  std::promise<Status> p;
  auto f = p.get_future();
  s.commit_steps(fence, std::move(steps), [&p](Status st) { p.set_value(std::move(st)); });
  return f.get();
}

// Publishes version `v` of machine `machine_name` (created when missing) through the atomic
// publish_version: the machine's counter must be at `v` (publish 1, 2, ... in order).
inline Status publish(RegistryStore& s, const std::string& machine_name, int v) {
  auto m = s.get_state_machine(machine_arn(machine_name));
  if (!m.ok()) return std::move(m).error();
  if (!m->has_value()) {
    if (auto st = s.put_state_machine(machine(machine_name)); !st.ok()) return st;
  }
  auto published = s.publish_version(version(machine_name, v));
  if (!published.ok()) return std::move(published).error();
  if (published->version != v)
    return Error{"Test", "published as " + std::to_string(published->version)};
  return ok_status();
}

// The value of a store read; a failed read fails the test (and gives T{}).
template <typename T>
T ok_value(Result<T> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().name + ": " + r.error().cause);
  return r.ok() ? std::move(r).value() : T{};
}

// Whole listings and recovery reads, each looped over small pages (so the loop is exercised).
inline constexpr std::size_t test_page_items = 2;

inline std::vector<StateMachineRecord> machines_of(RegistryStore& s) {
  return ok_value(collect_pages<StateMachineRecord>(
      [&](const PageQuery& q) { return s.list_state_machines(q); }, test_page_items));
}
inline std::vector<VersionRecord> versions_of(RegistryStore& s, const std::string& machine) {
  return ok_value(collect_pages<VersionRecord>(
      [&](const PageQuery& q) { return s.list_versions(machine, q); }, test_page_items));
}
inline std::vector<AliasRecord> aliases_of(RegistryStore& s, const std::string& machine) {
  return ok_value(collect_pages<AliasRecord>(
      [&](const PageQuery& q) { return s.list_aliases(machine, q); }, test_page_items));
}
inline std::vector<ActivityRecord> activities_of(RegistryStore& s) {
  return ok_value(collect_pages<ActivityRecord>(
      [&](const PageQuery& q) { return s.list_activities(q); }, test_page_items));
}
inline std::vector<JournalEntry> journal_of(ExecutionStore& s, const std::string& arn) {
  std::vector<JournalEntry> out;
  for (;;) {
    auto page = ok_value(s.journal(arn, out.empty() ? 0 : out.back().seq, test_page_items));
    if (page.empty()) return out;
    for (auto& e : page) out.push_back(std::move(e));
  }
}
inline std::vector<RunningExecution> running_of(ExecutionStore& s) {
  std::vector<RunningExecution> out;
  RunningKey after;
  for (;;) {
    auto page = ok_value(s.running_index(after, test_page_items));
    if (page.empty()) return out;
    after = RunningKey{page.back().start_ms, page.back().arn};
    for (auto& r : page) out.push_back(std::move(r));
  }
}

inline void expect_json_eq(const json::value& a, const json::value& b) {
  EXPECT_EQ(json::dump(a), json::dump(b));
}

inline void expect_same(const StateMachineRecord& a, const StateMachineRecord& b) {
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.definition, b.definition);
  EXPECT_EQ(a.role_arn, b.role_arn);
  EXPECT_EQ(a.description, b.description);
  expect_json_eq(a.logging_configuration, b.logging_configuration);
  expect_json_eq(a.tracing_configuration, b.tracing_configuration);
  expect_json_eq(a.encryption_configuration, b.encryption_configuration);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.updated_ms, b.updated_ms);
  EXPECT_EQ(a.revision_id, b.revision_id);
  EXPECT_EQ(a.next_version, b.next_version);
  EXPECT_EQ(a.status, b.status);
}

inline void expect_same(const VersionRecord& a, const VersionRecord& b) {
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.state_machine_arn, b.state_machine_arn);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.definition, b.definition);
  EXPECT_EQ(a.role_arn, b.role_arn);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.revision_id, b.revision_id);
  expect_json_eq(a.logging_configuration, b.logging_configuration);
  expect_json_eq(a.tracing_configuration, b.tracing_configuration);
  expect_json_eq(a.encryption_configuration, b.encryption_configuration);
  EXPECT_EQ(a.created_ms, b.created_ms);
}

inline void expect_same(const AliasRecord& a, const AliasRecord& b) {
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.state_machine_arn, b.state_machine_arn);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  expect_json_eq(a.routing_configuration, b.routing_configuration);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.updated_ms, b.updated_ms);
}

inline void expect_same(const ActivityRecord& a, const ActivityRecord& b) {
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.created_ms, b.created_ms);
  expect_json_eq(a.encryption_configuration, b.encryption_configuration);
}

inline void expect_same(const ExecutionRecord& a, const ExecutionRecord& b) {
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.state_machine_arn, b.state_machine_arn);
  EXPECT_EQ(a.version_arn, b.version_arn);
  EXPECT_EQ(a.alias_arn, b.alias_arn);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.cause, b.cause);
  EXPECT_EQ(a.start_ms, b.start_ms);
  EXPECT_EQ(a.stop_ms, b.stop_ms);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.definition, b.definition);
  EXPECT_EQ(a.role_arn, b.role_arn);
  EXPECT_EQ(a.trace_header, b.trace_header);
  EXPECT_EQ(a.parent_arn, b.parent_arn);
  EXPECT_EQ(a.test_case, b.test_case);
  EXPECT_EQ(a.redrive_count, b.redrive_count);
  EXPECT_EQ(a.redrive_ms, b.redrive_ms);
  EXPECT_EQ(a.history_count, b.history_count);
  EXPECT_EQ(a.wake_ms, b.wake_ms);
}

inline void expect_same(const history::HistoryEvent& a, const history::HistoryEvent& b) {
  EXPECT_EQ(json::dump(a.to_json()), json::dump(b.to_json()));
  EXPECT_EQ(a.timestamp, b.timestamp);
}

}  // namespace stepwise::store
