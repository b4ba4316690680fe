// SqliteStore, the registry half (RegistryStore): state machines, versions, aliases, activities
// and tags. Writes run in one transaction each on the write connection (write_txn); reads use
// the read connection. Listings page by a token that is the last row's `seq` (creation order) or,
// for versions (newest first), the last version number. See sqlite_store.h.
#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "store/errors.h"
#include "store/paging.h"
#include "store/rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statements.h"

namespace stepwise::store {

namespace {

using sqlite::as_limit;
using sqlite::read_all;
using sqlite::read_one;
using sqlite::run;
using sqlite::Statement;

// A record read with its paging key (the last column of the SELECT).
template <typename T>
struct Keyed {
  T record;
  std::int64_t key = 0;
};

// One page: `sql` selects `columns..., key` for keys after ?1, ?2 = limit + 1 rows (one more
// than asked tells whether another page follows), ?3 = an optional filter.
template <typename T, typename Read>
Result<Page<T>> read_page(sqlite::Connection& db, const char* sql, const PageQuery& q,
                          std::int64_t first_key, const std::string* filter, int key_col,
                          Read read) {
  auto after = parse_page_token(q.token, first_key);
  if (!after.ok()) return std::move(after).error();
  const std::size_t limit = std::max<std::size_t>(q.limit, 1);
  auto rows = read_all<Keyed<T>>(
      db, sql, "cannot read the registry",
      [&](Statement& s) {
        s.bind(1, *after).bind(2, as_limit(limit) + 1);
        if (filter) s.bind(3, *filter);
      },
      [&](const Statement& s) {
        return Keyed<T>{read(s), s.integer(key_col)};
      });
  if (!rows.ok()) return std::move(rows).error();
  Page<T> page;
  for (auto& row : *rows) {
    if (page.items.size() == limit) {
      page.next_token = std::to_string(rows->at(page.items.size() - 1).key);
      break;
    }
    page.items.push_back(std::move(row.record));
  }
  return page;
}

template <typename T, typename Read>
Result<std::optional<T>> read_by_arn(sqlite::Connection& db, const char* sql,
                                     const std::string& arn, Read read) {
  return read_one<T>(
      db, sql, "cannot read the registry", [&](Statement& s) { s.bind(1, arn); }, read);
}

constexpr const char* kSaveMachine =
    "INSERT INTO state_machines(arn,name,type,definition,role_arn,description,"
    "logging_configuration,tracing_configuration,encryption_configuration,created_ms,"
    "updated_ms,revision_id,next_version,status) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
    "?13,?14) ON CONFLICT(arn) DO UPDATE SET name=excluded.name,type=excluded.type,"
    "definition=excluded.definition,role_arn=excluded.role_arn,"
    "description=excluded.description,logging_configuration=excluded.logging_configuration,"
    "tracing_configuration=excluded.tracing_configuration,"
    "encryption_configuration=excluded.encryption_configuration,created_ms=excluded.created_ms,"
    "updated_ms=excluded.updated_ms,revision_id=excluded.revision_id,"
    "next_version=MAX(next_version,excluded.next_version),status=excluded.status";

constexpr const char* kInsertVersion =
    "INSERT INTO versions(arn,state_machine_arn,version,type,definition,role_arn,description,"
    "revision_id,logging_configuration,tracing_configuration,encryption_configuration,created_ms)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";

constexpr const char* kInsertAlias =
    "INSERT INTO aliases(arn,state_machine_arn,name,description,routing_configuration,"
    "created_ms,updated_ms) VALUES(?1,?2,?3,?4,?5,?6,?7)";

constexpr const char* kUpdateAlias =
    "UPDATE aliases SET state_machine_arn=?2,name=?3,description=?4,routing_configuration=?5,"
    "created_ms=?6,updated_ms=?7 WHERE arn=?1 AND updated_ms=?8";

// Inside a write_txn, on its connection.
Status delete_tags(sqlite::Connection& db, const std::string& arn) {
  return run(db, "DELETE FROM tags WHERE resource_arn=?1", "cannot delete tags",
             [&](Statement& s) { s.bind(1, arn); });
}

}  // namespace

// --- state machines ---

Status SqliteStore::put_state_machine(const StateMachineRecord& r) {
  const rows::JsonColumns json = rows::machine_json(r);
  return write_txn("cannot save the state machine", [&](sqlite::Connection& db) {
    return run(db, kSaveMachine, "cannot save the state machine",
               [&](Statement& s) { rows::bind_machine(s, r, json); });
  });
}

Status SqliteStore::delete_state_machine(const std::string& arn) {
  return write_txn("cannot delete the state machine", [&](sqlite::Connection& db) -> Status {
    auto bind = [&](Statement& s) { s.bind(1, arn); };
    const char* what = "cannot delete the state machine";
    if (auto st = run(db,
                      "DELETE FROM tags WHERE resource_arn IN (SELECT arn FROM versions WHERE "
                      "state_machine_arn=?1 UNION ALL SELECT arn FROM aliases WHERE "
                      "state_machine_arn=?1)",
                      what, bind);
        !st.ok()) {
      return st;
    }
    if (auto st = run(db, "DELETE FROM versions WHERE state_machine_arn=?1", what, bind);
        !st.ok()) {
      return st;
    }
    if (auto st = run(db, "DELETE FROM aliases WHERE state_machine_arn=?1", what, bind); !st.ok()) {
      return st;
    }
    if (auto st = delete_tags(db, arn); !st.ok()) return st;
    return run(db, "DELETE FROM state_machines WHERE arn=?1", what, bind);
  });
}

Result<std::optional<StateMachineRecord>> SqliteStore::get_state_machine(const std::string& arn) {
  static const std::string sql =
      std::string("SELECT ") + rows::machine_columns + " FROM state_machines WHERE arn=?1";
  base::MutexLock lock(read_mu_);
  return read_by_arn<StateMachineRecord>(reader_, sql.c_str(), arn, rows::read_machine<Statement>);
}

Result<Page<StateMachineRecord>> SqliteStore::list_state_machines(const PageQuery& page) {
  static const std::string sql = std::string("SELECT ") + rows::machine_columns +
                                 ",seq FROM state_machines WHERE seq>?1 ORDER BY seq LIMIT ?2";
  base::MutexLock lock(read_mu_);
  return read_page<StateMachineRecord>(reader_, sql.c_str(), page, 0, nullptr,
                                       rows::machine_column_count, rows::read_machine<Statement>);
}

// --- versions ---

// One transaction: the machine's counter is read, used and bumped under the write lock, so two
// publishes (on this store, or on several nodes of a server database) never share a number.
Result<VersionRecord> SqliteStore::publish_version(VersionRecord v) {
  const char* what = "cannot publish the version";
  Status st = write_txn(what, [&](sqlite::Connection& db) -> Status {
    auto next = read_one<std::int64_t>(
        db, "SELECT next_version FROM state_machines WHERE arn=?1", what,
        [&](Statement& s) { s.bind(1, v.state_machine_arn); },
        [](const Statement& s) { return s.integer(0); });
    if (!next.ok()) return std::move(next).error();
    if (!next->has_value())
      return Error{errors::not_found, "no state machine " + v.state_machine_arn};
    v.version = **next;
    v.arn = v.state_machine_arn + ":" + std::to_string(v.version);
    if (auto bump =
            run(db, "UPDATE state_machines SET next_version=?2 WHERE arn=?1", what,
                [&](Statement& s) { s.bind(1, v.state_machine_arn).bind(2, v.version + 1); });
        !bump.ok()) {
      return bump;
    }
    const rows::JsonColumns json = rows::version_json(v);
    return run(db, kInsertVersion, what, [&](Statement& s) { rows::bind_version(s, v, json); });
  });
  if (!st.ok()) return std::move(st).error();
  return v;
}

Result<std::optional<VersionRecord>> SqliteStore::get_version(const std::string& arn) {
  static const std::string sql =
      std::string("SELECT ") + rows::version_columns + " FROM versions WHERE arn=?1";
  base::MutexLock lock(read_mu_);
  return read_by_arn<VersionRecord>(reader_, sql.c_str(), arn, rows::read_version<Statement>);
}

// A version, alias or activity row and its tags, in one transaction.
Status SqliteStore::delete_resource(const char* delete_sql, const char* what,
                                    const std::string& arn) {
  return write_txn(what, [&](sqlite::Connection& db) -> Status {
    if (auto st = delete_tags(db, arn); !st.ok()) return st;
    return run(db, delete_sql, what, [&](Statement& s) { s.bind(1, arn); });
  });
}

Status SqliteStore::delete_version(const std::string& arn) {
  return delete_resource("DELETE FROM versions WHERE arn=?1", "cannot delete the version", arn);
}

Result<Page<VersionRecord>> SqliteStore::list_versions(const std::string& state_machine_arn,
                                                       const PageQuery& page) {
  static const std::string sql = std::string("SELECT ") + rows::version_columns +
                                 ",version FROM versions WHERE state_machine_arn=?3 AND version<?1 "
                                 "ORDER BY version DESC, seq DESC LIMIT ?2";
  base::MutexLock lock(read_mu_);
  return read_page<VersionRecord>(reader_, sql.c_str(), page,
                                  std::numeric_limits<std::int64_t>::max(), &state_machine_arn, 12,
                                  rows::read_version<Statement>);
}

// --- aliases ---

Status SqliteStore::create_alias(const AliasRecord& r) {
  const auto routing = rows::json_text(r.routing_configuration);
  Status st = write_txn("cannot save the alias", [&](sqlite::Connection& db) {
    return run(db, kInsertAlias, "cannot save the alias",
               [&](Statement& s) { rows::bind_alias(s, r, routing); });
  });
  if (!st.ok() && st.error().name == errors::conflict) {
    return Error{errors::condition_failed, "the alias " + r.arn + " exists"};
  }
  return st;
}

Status SqliteStore::update_alias(const AliasRecord& r, Millis expected_updated_ms) {
  const auto routing = rows::json_text(r.routing_configuration);
  return write_txn("cannot save the alias", [&](sqlite::Connection& db) -> Status {
    auto st = run(db, kUpdateAlias, "cannot save the alias", [&](Statement& s) {
      rows::bind_alias(s, r, routing);
      s.bind(8, expected_updated_ms);
    });
    if (!st.ok()) return st;
    if (sqlite3_changes(db.handle()) == 1) return ok_status();
    return Error{errors::condition_failed, "the alias " + r.arn + " changed since it was read"};
  });
}

Result<std::optional<AliasRecord>> SqliteStore::get_alias(const std::string& arn) {
  static const std::string sql =
      std::string("SELECT ") + rows::alias_columns + " FROM aliases WHERE arn=?1";
  base::MutexLock lock(read_mu_);
  return read_by_arn<AliasRecord>(reader_, sql.c_str(), arn, rows::read_alias<Statement>);
}

Status SqliteStore::delete_alias(const std::string& arn) {
  return delete_resource("DELETE FROM aliases WHERE arn=?1", "cannot delete the alias", arn);
}

Result<Page<AliasRecord>> SqliteStore::list_aliases(const std::string& state_machine_arn,
                                                    const PageQuery& page) {
  static const std::string sql = std::string("SELECT ") + rows::alias_columns +
                                 ",seq FROM aliases WHERE state_machine_arn=?3 AND seq>?1 "
                                 "ORDER BY seq LIMIT ?2";
  base::MutexLock lock(read_mu_);
  return read_page<AliasRecord>(reader_, sql.c_str(), page, 0, &state_machine_arn, 7,
                                rows::read_alias<Statement>);
}

// --- activities ---

Status SqliteStore::put_activity(const ActivityRecord& r) {
  const auto encryption = rows::json_text(r.encryption_configuration);
  return write_txn("cannot save the activity", [&](sqlite::Connection& db) {
    return run(db,
               "INSERT INTO activities(arn,name,created_ms,encryption_configuration) "
               "VALUES(?1,?2,?3,?4) ON CONFLICT(arn) DO UPDATE SET name=excluded.name,"
               "created_ms=excluded.created_ms,"
               "encryption_configuration=excluded.encryption_configuration",
               "cannot save the activity", [&](Statement& s) {
                 s.bind(1, r.arn).bind(2, r.name).bind(3, r.created_ms).bind(4, encryption);
               });
  });
}

Result<std::optional<ActivityRecord>> SqliteStore::get_activity(const std::string& arn) {
  static const std::string sql =
      std::string("SELECT ") + rows::activity_columns + " FROM activities WHERE arn=?1";
  base::MutexLock lock(read_mu_);
  return read_by_arn<ActivityRecord>(reader_, sql.c_str(), arn, rows::read_activity<Statement>);
}

Status SqliteStore::delete_activity(const std::string& arn) {
  return delete_resource("DELETE FROM activities WHERE arn=?1", "cannot delete the activity", arn);
}

Result<Page<ActivityRecord>> SqliteStore::list_activities(const PageQuery& page) {
  static const std::string sql = std::string("SELECT ") + rows::activity_columns +
                                 ",seq FROM activities WHERE seq>?1 ORDER BY seq LIMIT ?2";
  base::MutexLock lock(read_mu_);
  return read_page<ActivityRecord>(reader_, sql.c_str(), page, 0, nullptr, 4,
                                   rows::read_activity<Statement>);
}

// --- tags ---

Status SqliteStore::put_tags(const std::string& resource_arn, const Tags& tags) {
  return write_txn("cannot save tags", [&](sqlite::Connection& db) -> Status {
    if (auto st = delete_tags(db, resource_arn); !st.ok()) return st;
    for (std::size_t i = 0; i < tags.size(); ++i) {
      auto st = run(db, "INSERT INTO tags(resource_arn,pos,key,value) VALUES(?1,?2,?3,?4)",
                    "cannot save tags", [&](Statement& s) {
                      s.bind(1, resource_arn).bind(2, static_cast<std::int64_t>(i));
                      s.bind(3, tags[i].first).bind(4, tags[i].second);
                    });
      if (!st.ok()) return st;
    }
    return ok_status();
  });
}

Result<Tags> SqliteStore::get_tags(const std::string& resource_arn) {
  base::MutexLock lock(read_mu_);
  return read_all<std::pair<std::string, std::string>>(
      reader_, "SELECT key,value FROM tags WHERE resource_arn=?1 ORDER BY pos", "cannot read tags",
      [&](Statement& s) { s.bind(1, resource_arn); },
      [](const Statement& s) { return std::make_pair(s.text(0), s.text(1)); });
}

}  // namespace stepwise::store
