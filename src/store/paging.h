// Whole reads over the stores' paged reads, for callers that need everything (recovery, a
// delete that visits every version, the benchmarks): each loops page by page, so no single
// store call returns an unbounded list, and stops at the first Error.
// Thread-safety: as the store's methods (any thread).
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/errors.h"
#include "store/store.h"

namespace stepwise::store {

// A page token of MemoryStore and SqliteStore: a decimal number ("" → `first`, the value before
// the first page); anything else is Store.InvalidToken.
inline Result<std::int64_t> parse_page_token(const std::string& token, std::int64_t first) {
  if (token.empty()) return first;
  std::int64_t n = 0;
  const char* end = token.data() + token.size();
  if (std::from_chars(token.data(), end, n).ptr != end) {
    return Error{errors::invalid_token,
                 "the page token '" + token + "' was not made by this store"};
  }
  return n;
}

// Every item of a paged registry listing: fetch(PageQuery) -> Result<Page<T>>, looped.
template <typename T, typename Fetch>
Result<std::vector<T>> collect_pages(Fetch fetch, std::size_t per_page = read_page_items_default) {
  std::vector<T> out;
  PageQuery q{.token = "", .limit = per_page};
  for (;;) {
    Result<Page<T>> page = fetch(q);
    if (!page.ok()) return std::move(page).error();
    for (T& item : page->items) out.push_back(std::move(item));
    if (page->next_token.empty()) return out;
    q.token = std::move(page->next_token);
  }
}

// An execution's journal from the start, at most `entries_max` entries (a journal longer than
// that gives entries_max + 1, so the caller can tell).
inline Result<std::vector<JournalEntry>> read_journal(
    ExecutionStore& s, const std::string& arn, std::size_t entries_max,
    std::size_t per_page = read_page_items_default) {
  std::vector<JournalEntry> out;
  for (;;) {
    auto page = s.journal(arn, out.empty() ? 0 : out.back().seq, per_page);
    if (!page.ok()) return std::move(page).error();
    for (JournalEntry& e : *page) out.push_back(std::move(e));
    if (page->size() < per_page || out.size() > entries_max) return out;
  }
}

// Every RUNNING execution's index entry, in running_index order.
inline Result<std::vector<RunningExecution>> read_running_index(
    ExecutionStore& s, std::size_t per_page = read_page_items_default) {
  std::vector<RunningExecution> out;
  RunningKey after;
  for (;;) {
    auto page = s.running_index(after, per_page);
    if (!page.ok()) return std::move(page).error();
    if (page->empty()) return out;
    after = RunningKey{page->back().start_ms, page->back().arn};
    for (RunningExecution& r : *page) out.push_back(std::move(r));
    if (page->size() < per_page) return out;
  }
}

}  // namespace stepwise::store
