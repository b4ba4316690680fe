// Shard: one engine loop and the executions whose ARN hashes to it (see shard.h).
#include "sfn/shard.h"

#include <future>
#include <string>
#include <utility>

namespace stepwise::sfn {

int shard_of(std::string_view execution_arn, int shard_count) {
  if (shard_count <= 1) return 0;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : execution_arn) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return static_cast<int>(h % static_cast<std::uint64_t>(shard_count));
}

namespace {
// Shard 0 keeps the Service's seed as it was before shards, so its ids do not change.
std::uint64_t shard_seed(std::uint64_t seed, int id) {
  if (seed == 0 || id == 0) return seed;
  return seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(id));
}
}  // namespace

Shard::Shard(const Options& o)
    : id_(o.id),
      count_(o.count),
      store_(o.store),
      registry_(o.registry),
      mocks_(o.mocks),
      loop_(o.clock),
      ids_(shard_seed(o.id_seed, o.id)) {
  loop_.set_keep_alive(true);
}

Shard::~Shard() { stop(); }

Executions& Shard::make_executions(tasks::TaskRunner& runner) {
  executions_ = std::make_unique<Executions>(loop_, store_, registry_, ids_, runner, mocks_);
  // Until claim(): this shard's epoch 0, which commits only while nobody has claimed it.
  executions_->set_fence(store::Fence{.shard = id_, .epoch = 0});
  if (count_ > 1) {
    const int id = id_, count = count_;
    executions_->set_owned(
        [id, count](std::string_view arn) { return shard_of(arn, count) == id; });
  }
  return *executions_;
}

Status Shard::claim(const std::string& node) {
  auto epoch = store_.claim_shard(id_, node);
  if (!epoch.ok()) return std::move(epoch).error();
  executions_->set_fence(store::Fence{.shard = id_, .epoch = *epoch});
  return ok_status();
}

void Shard::queue_recovery(std::function<void(std::size_t)> done) {
  loop_.post([this, done = std::move(done)] { done(executions_->recover()); });
}

void Shard::start_thread() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop_.run(); });
}

void Shard::drain(std::function<void()> also) {
  if (!thread_.joinable()) return;
  std::promise<void> drained;
  auto done = drained.get_future();
  loop_.post([this, &drained, also = std::move(also)] {
    if (also) also();
    executions_->shutdown();
    drained.set_value();
  });
  done.wait();
}

void Shard::stop() {
  loop_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace stepwise::sfn
