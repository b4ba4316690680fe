// The store interfaces: where Stepwise keeps what must outlive a request. Two interfaces, so a
// backend can be read and reviewed one half at a time and a service can take each half from a
// different place:
//
//   RegistryStore   state machines, versions, aliases, activities, tags (rare, synchronous)
//   ExecutionStore  execution rows, their history events and journals, group-committed steps,
//                   the running index, shard fencing and retention purges
//
// Implementations: MemoryStore (Express, tests, `--store memory`) and SqliteStore (the default
// for `stepwise serve`, WAL, group commit); each implements both (class Store below). The
// service keeps only *live* executions in memory (their interpreters); every record a client can
// read comes from here. docs/STORE.md describes the contract in full.
//
// Durability model (why a journal): an execution's interpreter state is a tree of frames that is
// costly to serialise. Instead each step commits the outside event that caused it (the journal
// entry), the history events it wrote and the execution's row, in one transaction. After a crash
// the service re-creates the interpreter and replays the journal in order — the step is pure and
// its randomness comes from the execution's stored seed, so replay rebuilds the same frames and
// the same history — then re-issues the timers and tasks still outstanding.
//
// Errors (so that a second backend on a network, PostgreSQL, can say when it fails):
//   - every read returns a Result: an Error (errors.h, "Store.*") means the store could not
//     answer (I/O, corruption, a lost connection) — never "not found";
//   - "not found" is an Ok result holding an empty optional (get_*), or an empty page;
//   - callers answer a store Error with a 5xx (InternalFailure / ServiceUnavailable), never with
//     a "does not exist" error.
//
// Paging: listings and recovery reads return at most `limit` items per call and a way to ask
// for the next page (a PageQuery token the store chose, an ARN, an event id or a journal seq);
// callers loop (store/paging.h). No read returns an unbounded list.
//
// Fencing: executions are owned by shards (sfn/shard.h: by a hash of the ARN). A node that takes
// a shard calls claim_shard(), which makes a new epoch; every commit_steps() carries the Fence it
// holds, and a store refuses a commit whose epoch is not the shard's newest (Store.Fenced): a
// node that lost its shard can no longer write its executions.
//
// Thread-safety: every method may be called from any thread (implementations lock). Calls from
// the service's engine thread must not block for long: commit_steps() is asynchronous (group
// commit); the registry calls are synchronous because they are rare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "history/event.h"
#include "history/map_run.h"
#include "json/json.h"

namespace stepwise::store {

using history::MapRunChild;
using history::MapRunCounts;
using history::MapRunRecord;

using Tags = std::vector<std::pair<std::string, std::string>>;  // key, value; in insertion order

struct StateMachineRecord {
  std::string arn;
  std::string name;
  std::string type = "STANDARD";  // STANDARD | EXPRESS
  std::string definition;         // the text exactly as the client sent it
  std::string role_arn;
  std::string description;
  json::value logging_configuration;     // object as the API takes it, or null
  json::value tracing_configuration;     // object, or null
  json::value encryption_configuration;  // object, or null
  Millis created_ms = 0;
  Millis updated_ms = 0;          // last UpdateStateMachine (0: never)
  std::string revision_id;        // changes with every update
  std::int64_t next_version = 1;  // number the next PublishStateMachineVersion takes
  // ACTIVE, or DELETING: DeleteStateMachine was called while Standard executions ran; the
  // machine goes once the last of them closes (kept here so a restart finishes the job).
  std::string status = "ACTIVE";
};

struct VersionRecord {
  std::string arn;  // <state machine arn>:<version>
  std::string state_machine_arn;
  std::int64_t version = 0;
  std::string type;
  std::string definition;
  std::string role_arn;
  std::string description;
  std::string revision_id;  // the machine's revision it was published from
  json::value logging_configuration;
  json::value tracing_configuration;
  json::value encryption_configuration;
  Millis created_ms = 0;
};

struct AliasRecord {
  std::string arn;  // <state machine arn>:<alias name>
  std::string state_machine_arn;
  std::string name;
  std::string description;
  json::value routing_configuration;  // [{"stateMachineVersionArn":..., "weight":N}, ...]
  Millis created_ms = 0;
  Millis updated_ms = 0;  // the compare-and-set revision of update_alias
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
  std::string state_machine_arn;  // the unqualified machine ARN
  std::string version_arn;        // set when started on a version (or via an alias)
  std::string alias_arn;          // set when started via an alias
  std::string type = "STANDARD";
  // RUNNING SUCCEEDED FAILED TIMED_OUT ABORTED PENDING_REDRIVE
  std::string status = "RUNNING";
  std::string input;                  // text exactly as sent
  std::optional<std::string> output;  // text
  std::optional<std::string> error;
  std::optional<std::string> cause;
  Millis start_ms = 0;
  Millis stop_ms = 0;      // 0 while running
  std::uint64_t seed = 0;  // the interpreter's random seed: replay reproduces ids
  std::string definition;  // the definition it runs (machines change; it must not)
  std::string role_arn;
  std::string trace_header;
  std::string parent_arn;  // nested: the execution that started it, else ""
  std::string test_case;   // mock config test case (…#TestCase), else ""
  std::int64_t redrive_count = 0;
  Millis redrive_ms = 0;           // last redrive, 0: never
  std::int64_t history_count = 0;  // events written so far
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
  Millis start_ms = 0;  // with arn, the position in running_index order
};

// A position in running_index() order (start_ms, then arn); the default is the beginning.
struct RunningKey {
  Millis start_ms = 0;
  std::string arn;
};

// One step of one execution, committed atomically: the row afterwards, the history events the
// step appended, and the journal entry that replays it.
struct StepRecord {
  ExecutionRecord execution;
  std::vector<history::HistoryEvent> events;
  // The outside event of the step, encoded by the service (null for the start step, which the
  // row's input and seed replay). Opaque to the store.
  json::value journal;
  bool has_journal = false;
  // Distributed Map runs of this execution that the step changed, and their child executions
  // that started or ended in it (each replaces the stored record with its ARN). Committed with
  // the step, in the same transaction: no write of their own. A child whose input is nullopt
  // keeps the input stored before (a child's end need not carry its input again).
  std::vector<MapRunRecord> map_runs;
  std::vector<MapRunChild> map_run_children;
};

struct JournalEntry {
  std::int64_t seq = 0;  // 1, 2, ... per execution, in commit order
  json::value journal;
};

struct ExecutionQuery {
  std::string state_machine_arn;  // the unqualified machine; required
  std::string version_arn;        // only executions of this version ("" any)
  std::string alias_arn;          // only executions via this alias ("" any)
  std::string status;             // "" any
  std::string after_arn;          // page token: start after this execution ("" first)
  std::size_t limit = 100;
};

// A Map Run's child executions, newest first (start time, then index, both descending), as
// ListExecutions(mapRunArn) answers.
struct MapRunChildQuery {
  std::string map_run_arn;
  std::string status;     // "" any
  std::string after_arn;  // page token: start after this child ("" first)
  std::size_t limit = 100;
};

struct HistoryQuery {
  std::string execution_arn;
  bool reverse = false;
  // Page: ids strictly after (before if reverse); 0 from the start (from the end if reverse).
  std::int64_t after_id = 0;
  std::size_t limit = 100;
};

// Registry listings page with a token the store makes ("" = the first page). A token is only
// good for the listing that returned it; a token the store did not make is Store.InvalidToken.
struct PageQuery {
  std::string token;
  std::size_t limit = 100;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // "" when this is the last page
};

// The write lease of a shard: a commit is accepted only under the shard's newest epoch.
struct Fence {
  std::int64_t shard = 0;
  std::int64_t epoch = 0;  // 0: the shard was never claimed
};

// Page sizes the stores' own callers use (recovery, whole-list reads).
inline constexpr std::size_t read_page_items_default = 1000;

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Insert or replace by arn. A replace keeps the machine's next_version when the record's is
  // lower (publish_version owns that counter).
  virtual Status put_state_machine(const StateMachineRecord& r) = 0;
  virtual Result<std::optional<StateMachineRecord>> get_state_machine(const std::string& arn) = 0;
  virtual Status delete_state_machine(const std::string& arn) = 0;  // its versions, aliases too
  // Creation order.
  virtual Result<Page<StateMachineRecord>> list_state_machines(const PageQuery& page) = 0;

  // Publishes `v` as the machine's next version, atomically (one transaction or one lock):
  // takes the machine's next_version as v.version, sets v.arn to <machine arn>:<version>,
  // inserts the version and increments next_version. Two concurrent publishes never get one
  // number. Store.NotFound when the machine does not exist.
  virtual Result<VersionRecord> publish_version(VersionRecord v) = 0;
  virtual Result<std::optional<VersionRecord>> get_version(const std::string& arn) = 0;
  virtual Status delete_version(const std::string& arn) = 0;
  virtual Result<Page<VersionRecord>> list_versions(const std::string& state_machine_arn,
                                                    const PageQuery& page) = 0;  // newest first

  // Creates an alias; Store.ConditionFailed when one with its arn exists.
  virtual Status create_alias(const AliasRecord& r) = 0;
  // Replaces the alias only if its stored updated_ms is still `expected_updated_ms` (the value
  // the caller read): compare-and-set. Store.ConditionFailed when it changed or is gone; the
  // caller reads again and retries (or answers a conflict).
  virtual Status update_alias(const AliasRecord& r, Millis expected_updated_ms) = 0;
  virtual Result<std::optional<AliasRecord>> get_alias(const std::string& arn) = 0;
  virtual Status delete_alias(const std::string& arn) = 0;
  virtual Result<Page<AliasRecord>> list_aliases(const std::string& state_machine_arn,
                                                 const PageQuery& page) = 0;  // creation order

  virtual Status put_activity(const ActivityRecord& r) = 0;
  virtual Result<std::optional<ActivityRecord>> get_activity(const std::string& arn) = 0;
  virtual Status delete_activity(const std::string& arn) = 0;
  virtual Result<Page<ActivityRecord>> list_activities(const PageQuery& page) = 0;  // creation

  virtual Status put_tags(const std::string& resource_arn, const Tags& tags) = 0;  // replaces
  virtual Result<Tags> get_tags(const std::string& resource_arn) = 0;              // none: empty
};

class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;

  // Takes shard `shard` for `node`: records and returns a new epoch, greater than any before.
  // From then on commits under an older epoch of that shard fail with Store.Fenced.
  virtual Result<std::int64_t> claim_shard(std::int64_t shard, const std::string& node) = 0;

  // Group commit: the steps are made durable (per the store's durability setting) together with
  // any others queued meanwhile, then `done` runs, on any thread, once for this call. Steps of
  // one execution are committed in call order. A failed commit (disk full, read-only, a stale
  // fence: Store.Fenced) reports an Error and nothing of the call is written; the service fails
  // the request or stops the execution; it never pretends.
  virtual void commit_steps(const Fence& fence, std::vector<StepRecord> steps,
                            std::function<void(Status)> done) = 0;
  // Waits until every queued commit is done (tests, shutdown).
  virtual void flush() = 0;

  virtual Result<std::optional<ExecutionRecord>> get_execution(const std::string& arn) = 0;
  // Newest first (start time, then arn), as ListExecutions answers; at most q.limit rows. The
  // next page: q.after_arn = the last row's arn (an unknown arn: an empty page).
  virtual Result<std::vector<ExecutionRecord>> list_executions(const ExecutionQuery& q) = 0;
  virtual Result<std::vector<history::HistoryEvent>> history(const HistoryQuery& q) = 0;
  // Journal entries with seq > after_seq, ascending, at most `limit`.
  virtual Result<std::vector<JournalEntry>> journal(const std::string& execution_arn,
                                                    std::int64_t after_seq, std::size_t limit) = 0;
  // Restart recovery: RUNNING executions after `after` in (start_ms, arn) order, at most
  // `limit`, only what recovery needs first (a million dormant executions must not mean reading
  // a million definitions). The next page starts after the last item's {start_ms, arn}.
  virtual Result<std::vector<RunningExecution>> running_index(const RunningKey& after,
                                                              std::size_t limit) = 0;
  // Map Runs (written by commit_steps with their execution's steps). The runs of an execution
  // list newest first (start time, then ARN, both descending); the next page: after_arn = the
  // last run's ARN (unknown: an empty page).
  virtual Result<std::optional<MapRunRecord>> get_map_run(const std::string& arn) = 0;
  virtual Result<std::vector<MapRunRecord>> list_map_runs(const std::string& execution_arn,
                                                          const std::string& after_arn,
                                                          std::size_t limit) = 0;
  virtual Result<std::optional<MapRunChild>> get_map_run_child(const std::string& arn) = 0;
  virtual Result<std::vector<MapRunChild>> list_map_run_children(const MapRunChildQuery& q) = 0;
  // Retention: deletes closed executions (row, history, journal, Map Runs and their children)
  // stopped before `before_ms`; returns how many.
  virtual Result<std::int64_t> purge_closed_before(Millis before_ms) = 0;
};

// One backend object that is both (MemoryStore, SqliteStore).
class Store : public RegistryStore, public ExecutionStore {};

}  // namespace stepwise::store
