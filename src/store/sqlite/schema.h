// The SQLite schema of the store and its versioned migrations (docs/STORE.md describes it).
//
// The `schema_version` table holds one row: the number of the last migration applied. Opening
// applies every newer migration in order, each in its own transaction together with the new
// version number, so a crash or failure mid-upgrade leaves the store at the previous version
// with its data intact. A store whose version is newer than this build knows is refused
// (Store.SchemaTooNew): an older Stepwise must never write a schema it does not understand.
//
// Rule for upgrades: migrations are append-only; a released one is never edited.
// Thread-safety: migrate() uses the connection it is given; call it before sharing it.
#pragma once

#include <vector>

#include "base/result.h"
#include "store/sqlite/db.h"

namespace stepwise::store::sqlite {

struct Migration {
  int version;      // 1, 2, ... without gaps
  const char* sql;  // statements run in one transaction
};

// This build's migrations, ascending.
const std::vector<Migration>& migrations();

// The version of the store at `db` (0: empty, no schema yet).
Result<int> schema_version(Connection& db);

// Applies the migrations of `list` newer than the store's version. Errors: Store.SchemaTooNew,
// Store.MigrationFailed (the failed migration rolled back), Store.Corrupt, Store.ReadOnly, ...
Status migrate(Connection& db, const std::vector<Migration>& list);

}  // namespace stepwise::store::sqlite
