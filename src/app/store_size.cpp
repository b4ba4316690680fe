// Store size: the sum of the database's files; missing files count zero.
#include "app/store_size.h"

#include <cstdio>
#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace stepwise::app {

std::uint64_t sqlite_store_bytes(const std::string& data_dir) {
  const std::filesystem::path db = std::filesystem::path(data_dir) / store::SqliteStore::kFileName;
  std::uint64_t total = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(db.string() + suffix, ec);
    if (!ec) total += size;
  }
  return total;
}

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0 || value >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f %s", value, units[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", value, units[unit]);
  }
  return buf;
}

}  // namespace stepwise::app
