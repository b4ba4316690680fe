// Running SqliteStore's statements: a write run to completion, and reads that collect rows into
// a Result — a read that stops on an error reports the error, never the rows read so far (the
// store interfaces promise that an I/O error is never "not found"). Private to src/store/sqlite.
//
// Thread-safety: each call uses the connection it is given; the caller holds its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/sqlite/db.h"

namespace stepwise::store::sqlite {

inline std::int64_t as_limit(std::size_t n) {
  constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(n > max ? max : n);
}

// Every row of a read statement (`sql` with static storage: the statement cache's key).
template <typename T, typename Bind, typename Read>
Result<std::vector<T>> read_all(Connection& db, const char* sql, std::string_view what, Bind bind,
                                Read read) {
  auto prepared = db.prepare(sql);
  if (!prepared.ok()) return std::move(prepared).error();
  Statement st(*prepared);
  bind(st);
  std::vector<T> out;
  int rc = st.step();
  for (; rc == SQLITE_ROW; rc = st.step()) out.push_back(read(st));
  if (rc != SQLITE_DONE) return db.last_error(rc, what);
  return out;
}

// The first row, or nullopt.
template <typename T, typename Bind, typename Read>
Result<std::optional<T>> read_one(Connection& db, const char* sql, std::string_view what, Bind bind,
                                  Read read) {
  auto all = read_all<T>(db, sql, what, bind, read);
  if (!all.ok()) return std::move(all).error();
  if (all->empty()) return std::optional<T>();
  return std::optional<T>(std::move(all->front()));
}

// A write statement run to completion.
inline Status run(Connection& db, const char* sql, std::string_view what,
                  const std::function<void(Statement&)>& bind = {}) {
  auto prepared = db.prepare(sql);
  if (!prepared.ok()) return std::move(prepared).error();
  Statement st(*prepared);
  if (bind) bind(st);
  int rc = st.step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db.last_error(rc, what);
  return ok_status();
}

}  // namespace stepwise::store::sqlite
