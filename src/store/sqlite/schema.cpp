// Schema and migrations of SqliteStore. See sqlite_schema.h and docs/STORE.md.
#include "store/sqlite/schema.h"

#include <charconv>
#include <string>

#include "store/errors.h"

namespace stepwise::store::sqlite {

namespace {

// Version 1: registry tables keep creation order in `seq` (an upsert keeps the rowid); JSON
// configuration objects are JSON text (NULL for null); executions carry an integer id that
// history and journal rows use instead of the ARN (smaller keys, faster commits). History and
// journal rows are clustered by execution (WITHOUT ROWID): a history page is one range read, and
// the primary key refuses a duplicate event id. (Commit-ordered rows with a secondary index were
// measured: no faster to commit, slower to read.)
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE state_machines(
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  description TEXT NOT NULL,
  logging_configuration TEXT,
  tracing_configuration TEXT,
  encryption_configuration TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  revision_id TEXT NOT NULL,
  next_version INTEGER NOT NULL);
CREATE TABLE versions(
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  description TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  logging_configuration TEXT,
  tracing_configuration TEXT,
  encryption_configuration TEXT,
  created_ms INTEGER NOT NULL);
CREATE INDEX versions_by_machine ON versions(state_machine_arn, version);
CREATE TABLE aliases(
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  routing_configuration TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX aliases_by_machine ON aliases(state_machine_arn, seq);
CREATE TABLE activities(
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  encryption_configuration TEXT);
CREATE TABLE tags(
  resource_arn TEXT NOT NULL,
  pos INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(resource_arn, pos)) WITHOUT ROWID;
CREATE TABLE executions(
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  state_machine_arn TEXT NOT NULL,
  version_arn TEXT NOT NULL,
  alias_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_ms INTEGER NOT NULL,
  stop_ms INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  trace_header TEXT NOT NULL,
  parent_arn TEXT NOT NULL,
  test_case TEXT NOT NULL,
  redrive_count INTEGER NOT NULL,
  redrive_ms INTEGER NOT NULL,
  history_count INTEGER NOT NULL,
  journal_count INTEGER NOT NULL);
CREATE INDEX executions_by_machine ON executions(state_machine_arn, start_ms DESC, arn DESC);
CREATE INDEX executions_running ON executions(start_ms, arn) WHERE status = 'RUNNING';
CREATE INDEX executions_by_stop ON executions(stop_ms) WHERE stop_ms > 0;
CREATE TABLE history_events(
  execution_id INTEGER NOT NULL,
  id INTEGER NOT NULL,
  previous_event_id INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  details_key TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY(execution_id, id)) WITHOUT ROWID;
CREATE TABLE journal(
  execution_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  entry TEXT NOT NULL,
  PRIMARY KEY(execution_id, n)) WITHOUT ROWID;
)sql";

// Version 2: executions.wake_ms (a dormant execution's next timer, see ExecutionRecord) and
// state_machines.status (DELETING survives a restart). Existing rows: awake, ACTIVE.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE executions ADD COLUMN wake_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE state_machines ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE';
)sql";

// Version 3: shard fencing (store.h, "Fencing"). One row per shard ever claimed: its newest
// epoch and the node that claimed it; a commit under an older epoch is refused. An upgraded
// store has no rows: every shard is at epoch 0 until first claimed.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE shards(
  shard INTEGER PRIMARY KEY,
  epoch INTEGER NOT NULL,
  node TEXT NOT NULL);
)sql";

// Version 4: Distributed Map runs and their child executions (store.h, "Map Runs"). A run's
// counts are ten integers as text ("pending,running,..."); children are keyed by their run's
// row id and index (their names and ARNs are made from the run's ARN: history/map_run.h), so a
// child row holds only its status, dates and payloads.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE map_runs(
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  execution_arn TEXT NOT NULL,
  state_machine_arn TEXT NOT NULL,
  status TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  stop_ms INTEGER NOT NULL,
  max_concurrency INTEGER NOT NULL,
  tolerated_failure_percentage REAL NOT NULL,
  tolerated_failure_count INTEGER NOT NULL,
  item_counts TEXT NOT NULL,
  execution_counts TEXT NOT NULL,
  redrive_count INTEGER NOT NULL,
  redrive_ms INTEGER NOT NULL);
CREATE INDEX map_runs_by_execution ON map_runs(execution_arn, start_ms DESC, arn DESC);
CREATE TABLE map_run_children(
  run_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_ms INTEGER NOT NULL,
  stop_ms INTEGER NOT NULL,
  PRIMARY KEY(run_id, idx)) WITHOUT ROWID;
CREATE INDEX map_run_children_by_start ON map_run_children(run_id, start_ms DESC, idx DESC);
)sql";

Status apply(Connection& db, const Migration& m) {
  const std::string what = "migration " + std::to_string(m.version);
  if (auto st = db.exec("BEGIN IMMEDIATE", what); !st.ok()) return st;
  Status st = db.exec(m.sql, what);
  if (st.ok()) {
    const std::string bump = "UPDATE schema_version SET version = " + std::to_string(m.version);
    st = db.exec(bump.c_str(), what);
  }
  if (st.ok()) st = db.exec("COMMIT", what);
  if (st.ok()) return st;
  (void)db.exec("ROLLBACK", what);
  Error e = std::move(st).error();
  if (e.name == errors::failed || e.name == errors::conflict) e.name = errors::migration_failed;
  e.cause += "; the store stays at schema version " + std::to_string(m.version - 1);
  return e;
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list{
      {1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3}, {4, kSchemaV4}};
  return list;
}

Result<int> schema_version(Connection& db) {
  const char* create =
      "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
      "INSERT INTO schema_version(version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM "
      "schema_version)";
  if (auto st = db.exec(create, "cannot read the schema version"); !st.ok())
    return std::move(st).error();
  auto text = db.query_text("SELECT version FROM schema_version", "cannot read the schema version");
  if (!text.ok()) return std::move(text).error();
  int version = 0;
  const char* end = text->data() + text->size();
  if (std::from_chars(text->data(), end, version).ptr != end || version < 0) {
    return Error{errors::corrupt, db.file() + " has an unreadable schema version '" + *text + "'"};
  }
  return version;
}

Status migrate(Connection& db, const std::vector<Migration>& list) {
  auto current = schema_version(db);
  if (!current.ok()) return std::move(current).error();
  const int latest = list.empty() ? 0 : list.back().version;
  if (*current > latest) {
    return Error{
        errors::schema_too_new,
        db.file() + " has schema version " + std::to_string(*current) +
            " but this Stepwise knows versions up to " + std::to_string(latest) +
            ": it was written by a newer Stepwise; run that version (or restore a backup)"};
  }
  for (const auto& m : list) {
    if (m.version <= *current) continue;
    if (auto st = apply(db, m); !st.ok()) return st;
  }
  return ok_status();
}

}  // namespace stepwise::store::sqlite
