// ShardedStarter: the ExecutionStarter of a Service with engine shards (shard.h). A nested
// child is checked on the home loop (where NestedRunner runs), which fixes its ARN and so the
// shard that owns it; that shard starts it. The parent's Task is answered at once with the
// child's ARN and start time (its row is made here), and `on_close` comes back to the home loop.
//
// A child on another shard that already exists in the store (a Task re-issued after a restart)
// is re-attached there; a start the owner then refuses (a race on the name, the live limit)
// closes the child as FAILED, so a waiting parent hears of it.
//
// Thread-safety: home loop only (NestedRunner's calls and callbacks run there).
#pragma once

#include <string>
#include <vector>

#include "sfn/shard.h"
#include "sfn/starter.h"
#include "store/store.h"

namespace stepwise::sfn {

class ShardedStarter final : public ExecutionStarter {
 public:
  // shards[0] is the home shard, whose loop this runs on.
  ShardedStarter(std::vector<Shard*> shards, store::ExecutionStore& store)
      : shards_(std::move(shards)), store_(store) {}

  Result<StartedChild> start_child(const StartRequest& child, ChildClosed on_close) override;
  void stop_child(const std::string& execution_arn) override;

 private:
  Shard& owner(const std::string& arn) {
    return *shards_[static_cast<std::size_t>(shard_of(arn, static_cast<int>(shards_.size())))];
  }

  std::vector<Shard*> shards_;
  store::ExecutionStore& store_;
};

}  // namespace stepwise::sfn
