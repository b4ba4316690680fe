// SQLite connection, statement cache and error mapping. See sqlite_db.h.
#include "store/sqlite/db.h"

#include "store/errors.h"

namespace stepwise::store::sqlite {

Error error_of(int rc, std::string_view what, std::string_view detail, std::string_view file) {
  const char* name = errors::failed;
  switch (rc & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_FULL:
      name = errors::disk_full;
      break;
    case SQLITE_READONLY:
      name = errors::read_only;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      name = errors::corrupt;
      break;
    case SQLITE_IOERR:
      name = errors::io_error;
      break;
    case SQLITE_CANTOPEN:
      name = errors::open_failed;
      break;
    case SQLITE_CONSTRAINT:
      name = errors::conflict;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      name = errors::locked;
      break;
    default:
      break;
  }
  std::string cause(what);
  cause += ": ";
  cause += detail.empty() ? std::string_view(sqlite3_errstr(rc)) : detail;
  if (!file.empty()) {
    cause += " (";
    cause += file;
    cause += ")";
  }
  return Error{name, std::move(cause)};
}

Statement::~Statement() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

Statement& Statement::bind(int i, std::string_view text) {
  sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind(int i, std::int64_t n) {
  sqlite3_bind_int64(s_, i, n);
  return *this;
}

Statement& Statement::bind(int i, const std::optional<std::string>& text) {
  return text ? bind(i, std::string_view(*text)) : bind_null(i);
}

Statement& Statement::bind_real(int i, double x) {
  sqlite3_bind_double(s_, i, x);
  return *this;
}

Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
}

std::optional<std::string> Statement::optional_text(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
  return text(col);
}

json::value Statement::json_value(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return nullptr;
  auto parsed = json::parse(text(col));
  return parsed.ok() ? std::move(parsed).value() : json::value(nullptr);
}

Connection::~Connection() { close(); }

void Connection::close() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Status Connection::open(const std::string& file, int flags) {
  close();
  file_ = file;
  int rc = sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = last_error(rc, "cannot open the store");
    close();
    return e;
  }
  sqlite3_extended_result_codes(db_, 1);
  return ok_status();
}

Error Connection::last_error(int rc, std::string_view what) const {
  return error_of(rc, what, db_ != nullptr ? sqlite3_errmsg(db_) : "", file_);
}

Status Connection::exec(const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return last_error(rc, what);
  return ok_status();
}

Result<std::string> Connection::query_text(const char* sql, std::string_view what) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &s, nullptr);
  if (rc != SQLITE_OK) return last_error(rc, what);
  std::string out;
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    if (p != nullptr) out = p;
    rc = SQLITE_DONE;
  }
  if (rc != SQLITE_DONE) {
    Error e = last_error(rc, what);
    sqlite3_finalize(s);
    return e;
  }
  sqlite3_finalize(s);
  return out;
}

Result<sqlite3_stmt*> Connection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return last_error(rc, "cannot prepare a statement");
  cache_.emplace(sql, s);
  return s;
}

}  // namespace stepwise::store::sqlite
