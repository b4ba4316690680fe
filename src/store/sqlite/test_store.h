// Tests only: a SqliteStore in a directory, without fsync (a test needs no durability against
// power loss, only the store's behaviour across a close and reopen).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "store/sqlite/sqlite_store.h"

namespace stepwise::store {

inline std::unique_ptr<SqliteStore> open_test_store(const std::filesystem::path& dir) {
  SqliteOptions o;
  o.synchronous = Synchronous::kOff;
  auto opened = SqliteStore::open(dir, o);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().cause);
  return opened.ok() ? std::move(opened).value() : nullptr;
}

}  // namespace stepwise::store
