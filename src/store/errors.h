// Error names the stores report (Error::name); the cause says which file and what to do.
// Thread-safety: constants only.
#pragma once

namespace stepwise::store::errors {

inline constexpr const char* open_failed = "Store.OpenFailed";  // cannot create/open the files
inline constexpr const char* read_only = "Store.ReadOnly";  // data directory or file not writable
inline constexpr const char* corrupt = "Store.Corrupt";     // not a database, or damaged
inline constexpr const char* missing =
    "Store.Missing";  // the database of an existing store is gone
inline constexpr const char* schema_too_new = "Store.SchemaTooNew";  // written by a newer Stepwise
inline constexpr const char* migration_failed = "Store.MigrationFailed";
inline constexpr const char* locked = "Store.Locked";  // another process has the directory
inline constexpr const char* disk_full = "Store.DiskFull";
inline constexpr const char* io_error = "Store.IoError";
inline constexpr const char* conflict = "Store.Conflict";  // duplicate history event id
inline constexpr const char* closed = "Store.Closed";      // commit after shutdown
inline constexpr const char* failed = "Store.Failed";      // anything else SQLite reports
// Write conditions (the caller decides what they mean for the API):
inline constexpr const char* fenced = "Store.Fenced";  // commit under a stale shard epoch
inline constexpr const char* condition_failed = "Store.ConditionFailed";  // compare-and-set lost
inline constexpr const char* not_found = "Store.NotFound";          // a write's target is gone
inline constexpr const char* invalid_token = "Store.InvalidToken";  // a page token it did not make

}  // namespace stepwise::store::errors
