// Store: where Stepwise keeps what must outlive a request — state machines, versions, aliases,
// activities, tags, executions, their histories and the journal that replays them.
//
// Two implementations: MemoryStore (Express, tests, `--store memory`) and SqliteStore (the
// default for `stepwise serve`, WAL, group commit). The service keeps only *live* executions in
// memory (their interpreters); every record a client can read comes from here.
//
// Durability model (why a journal): an execution's interpreter state is a tree of frames that is
// costly to serialise. Instead each step commits the outside event that caused it (the journal
// entry), the history events it wrote and the execution's row, in one transaction. After a crash
// the service re-creates the interpreter and replays the journal in order — the step is pure and
// its randomness comes from the execution's stored seed, so replay rebuilds the same frames and
// the same history — then re-issues the timers and tasks still outstanding.
//
// Thread-safety: every method may be called from any thread (implementations lock). Calls from
// the service's engine thread must not block for long: commit_steps() is asynchronous (group
// commit); the registry calls are synchronous because they are rare.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "engine/history.h"
#include "json/json.h"

namespace stepwise::store {

using Tags = std::vector<std::pair<std::string, std::string>>;  // key, value; in insertion order

struct StateMachineRecord {
  std::string arn;
  std::string name;
  std::string type = "STANDARD";          // STANDARD | EXPRESS
  std::string definition;                 // the text exactly as the client sent it
  std::string role_arn;
  std::string description;
  json::value logging_configuration;      // object as the API takes it, or null
  json::value tracing_configuration;      // object, or null
  json::value encryption_configuration;   // object, or null
  Millis created_ms = 0;
  Millis updated_ms = 0;                  // last UpdateStateMachine (0: never)
  std::string revision_id;                // changes with every update
  std::int64_t next_version = 1;          // number the next PublishStateMachineVersion takes
  // ACTIVE, or DELETING: DeleteStateMachine was called while Standard executions ran; the
  // machine goes once the last of them closes (kept here so a restart finishes the job).
  std::string status = "ACTIVE";
};

struct VersionRecord {
  std::string arn;                        // <state machine arn>:<version>
  std::string state_machine_arn;
  std::int64_t version = 0;
  std::string type;
  std::string definition;
  std::string role_arn;
  std::string description;
  std::string revision_id;                // the machine's revision it was published from
  json::value logging_configuration;
  json::value tracing_configuration;
  json::value encryption_configuration;
  Millis created_ms = 0;
};

struct AliasRecord {
  std::string arn;                        // <state machine arn>:<alias name>
  std::string state_machine_arn;
  std::string name;
  std::string description;
  json::value routing_configuration;      // [{"stateMachineVersionArn":..., "weight":N}, ...]
  Millis created_ms = 0;
  Millis updated_ms = 0;
};

struct ActivityRecord {
  std::string arn;
  std::string name;
  Millis created_ms = 0;
  json::value encryption_configuration;
};

struct ExecutionRecord {
  std::string arn;
  std::string name;
  std::string state_machine_arn;          // the unqualified machine ARN
  std::string version_arn;                // set when started on a version (or via an alias)
  std::string alias_arn;                  // set when started via an alias
  std::string type = "STANDARD";
  std::string status = "RUNNING";         // RUNNING SUCCEEDED FAILED TIMED_OUT ABORTED PENDING_REDRIVE
  std::string input;                      // text exactly as sent
  std::optional<std::string> output;      // text
  std::optional<std::string> error;
  std::optional<std::string> cause;
  Millis start_ms = 0;
  Millis stop_ms = 0;                     // 0 while running
  std::uint64_t seed = 0;                 // the interpreter's random seed: replay reproduces ids
  std::string definition;                 // the definition it runs (machines change; it must not)
  std::string role_arn;
  std::string trace_header;
  std::string parent_arn;                 // nested: the execution that started it, else ""
  std::string test_case;                  // mock config test case (…#TestCase), else ""
  std::int64_t redrive_count = 0;
  Millis redrive_ms = 0;                  // last redrive, 0: never
  std::int64_t history_count = 0;         // events written so far
  // Dormant: the execution waits only on timers (no task in flight), the earliest due at
  // wake_ms, so the service may drop it from memory and rebuild it from the journal then.
  // 0: it has a task in flight (or has ended).
  Millis wake_ms = 0;
};

// What restart recovery needs to know of a RUNNING execution before rebuilding it.
struct RunningExecution {
  std::string arn;
  std::string state_machine_arn;
  std::string type;
  Millis wake_ms = 0;
};

// One step of one execution, committed atomically: the row afterwards, the history events the
// step appended, and the journal entry that replays it.
struct StepRecord {
  ExecutionRecord execution;
  std::vector<engine::HistoryEvent> events;
  // The outside event of the step, encoded by the service (null for the start step, which the
  // row's input and seed replay). Opaque to the store.
  json::value journal;
  bool has_journal = false;
};

struct JournalEntry {
  std::int64_t seq = 0;                   // 1, 2, ... per execution, in commit order
  json::value journal;
};

struct ExecutionQuery {
  std::string state_machine_arn;          // the unqualified machine; required
  std::string version_arn;                // only executions of this version ("" any)
  std::string alias_arn;                  // only executions via this alias ("" any)
  std::string status;                     // "" any
  std::string after_arn;                  // pagination: start after this execution ("" first)
  std::size_t limit = 100;
};

struct HistoryQuery {
  std::string execution_arn;
  bool reverse = false;
  std::int64_t after_id = 0;              // pagination: ids strictly after (before if reverse); 0 from the end
  std::size_t limit = 100;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- registry (synchronous) ---
  virtual Status put_state_machine(const StateMachineRecord& r) = 0;  // insert or replace by arn
  virtual std::optional<StateMachineRecord> get_state_machine(const std::string& arn) = 0;
  virtual Status delete_state_machine(const std::string& arn) = 0;    // its versions, aliases too
  virtual std::vector<StateMachineRecord> list_state_machines() = 0;  // creation order

  virtual Status put_version(const VersionRecord& r) = 0;
  virtual std::optional<VersionRecord> get_version(const std::string& arn) = 0;
  virtual Status delete_version(const std::string& arn) = 0;
  virtual std::vector<VersionRecord> list_versions(const std::string& state_machine_arn) = 0;  // newest first

  virtual Status put_alias(const AliasRecord& r) = 0;
  virtual std::optional<AliasRecord> get_alias(const std::string& arn) = 0;
  virtual Status delete_alias(const std::string& arn) = 0;
  virtual std::vector<AliasRecord> list_aliases(const std::string& state_machine_arn) = 0;

  virtual Status put_activity(const ActivityRecord& r) = 0;
  virtual std::optional<ActivityRecord> get_activity(const std::string& arn) = 0;
  virtual Status delete_activity(const std::string& arn) = 0;
  virtual std::vector<ActivityRecord> list_activities() = 0;          // creation order

  virtual Status put_tags(const std::string& resource_arn, const Tags& tags) = 0;  // replaces
  virtual Tags get_tags(const std::string& resource_arn) = 0;

  // --- executions ---
  // Group commit: the steps are made durable (per the store's durability setting) together with
  // any others queued meanwhile, then `done` runs, on any thread, once for this call. Steps of
  // one execution are committed in call order. A failed commit (disk full, read-only) reports
  // an Error and the service fails the request or stops the execution; it never pretends.
  virtual void commit_steps(std::vector<StepRecord> steps, std::function<void(Status)> done) = 0;
  // Waits until every queued commit is done (tests, shutdown).
  virtual void flush() = 0;

  virtual std::optional<ExecutionRecord> get_execution(const std::string& arn) = 0;
  // Newest first (start time, then arn), as ListExecutions answers.
  virtual std::vector<ExecutionRecord> list_executions(const ExecutionQuery& q) = 0;
  virtual std::vector<engine::HistoryEvent> history(const HistoryQuery& q) = 0;
  virtual std::vector<JournalEntry> journal(const std::string& execution_arn) = 0;
  // Restart recovery: every execution whose status is RUNNING.
  virtual std::vector<ExecutionRecord> running_executions() = 0;
  // The same executions, only what recovery needs first (a million dormant executions must not
  // mean reading a million definitions). The default reads the full rows.
  virtual std::vector<RunningExecution> running_index() {
    std::vector<RunningExecution> out;
    for (ExecutionRecord& r : running_executions())
      out.push_back({std::move(r.arn), std::move(r.state_machine_arn), std::move(r.type), r.wake_ms});
    return out;
  }
  // Retention: deletes closed executions (row, history, journal) stopped before `before_ms`;
  // returns how many.
  virtual Result<std::int64_t> purge_closed_before(Millis before_ms) = 0;
};

}  // namespace stepwise::store
