// A thin SQLite layer for SqliteStore: one connection with its prepared-statement cache, a
// statement borrowed from the cache (reset on release), and SQLite result codes mapped to the
// store's Error names (errors.h).
//
// Thread-safety: a Connection is used by one thread at a time (the owner locks around it).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::store::sqlite {

// rc → Error: SQLITE_FULL → Store.DiskFull, SQLITE_READONLY → Store.ReadOnly, SQLITE_CORRUPT /
// SQLITE_NOTADB → Store.Corrupt, SQLITE_IOERR → Store.IoError, SQLITE_CONSTRAINT →
// Store.Conflict, SQLITE_BUSY → Store.Locked; the cause is "<what>: <SQLite's message> (<file>)".
Error error_of(int rc, std::string_view what, std::string_view detail, std::string_view file);

// A cached statement for the length of one use: bind, step, read columns; reset on destruction.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) : s_(s) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL. Text is bound without a copy: it must outlive step().
  Statement& bind(int i, std::string_view text);
  Statement& bind(int i, const std::string& text) { return bind(i, std::string_view(text)); }
  Statement& bind(int i, std::int64_t n);
  Statement& bind(int i, const std::optional<std::string>& text);  // nullopt → NULL
  Statement& bind_null(int i);
  Statement& bind_real(int i, double x);  // not bind(): an int literal would be ambiguous
  // step(): SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(s_); }

  std::int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }
  double real(int col) const { return sqlite3_column_double(s_, col); }
  std::string text(int col) const;
  std::optional<std::string> optional_text(int col) const;  // NULL → nullopt
  json::value json_value(int col) const;                    // NULL or unparsable → null

 private:
  sqlite3_stmt* s_;
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status open(const std::string& file, int flags);
  sqlite3* handle() const { return db_; }
  const std::string& file() const { return file_; }

  // Runs SQL without results (pragmas, BEGIN/COMMIT, DDL); `what` names it in the Error.
  Status exec(const char* sql, std::string_view what);
  // The single text result of a query such as "PRAGMA journal_mode=WAL".
  Result<std::string> query_text(const char* sql, std::string_view what);
  // A statement from the cache (prepared on first use). The cache is keyed by the address of
  // `sql`, which must therefore have static storage (a literal or a function-static string):
  // hashing long SQL texts on every step would cost more than the statement itself.
  // An Error if the SQL does not prepare (a damaged schema).
  Result<sqlite3_stmt*> prepare(const char* sql);
  Error last_error(int rc, std::string_view what) const;

 private:
  void close();

  sqlite3* db_ = nullptr;
  std::string file_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace stepwise::store::sqlite
