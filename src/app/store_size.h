// The durable store's size on disk, for `stepwise serve`'s start line and /metrics
// (stepwise_store_bytes): the SQLite database and its WAL and shared-memory files
// (store/sqlite_store.h: <data dir>/stepwise.db), execution logs excluded.
// Thread-safety: stateless; safe from any thread (a stat per file).
#pragma once

#include <cstdint>
#include <string>

namespace stepwise::app {

std::uint64_t sqlite_store_bytes(const std::string& data_dir);

// "0 B", "812 KiB", "12.4 MiB", "3.1 GiB".
std::string human_bytes(std::uint64_t bytes);

}  // namespace stepwise::app
