// Service: the Step Functions API behind `stepwise serve` — every operation, served from engine
// shards (shard.h) and, for what only reads or computes, from the calling I/O thread.
//
// Where each operation runs, and why:
//  - Each live execution belongs to one shard (a hash of its ARN); only that shard's loop thread
//    touches it, so its hot path takes no locks and its steps are naturally ordered. StartExecution
//    is checked on the I/O thread (which fixes the ARN) and posted to its shard; StopExecution and
//    RedriveExecution go by ARN hash.
//  - StartSyncExecution runs its first step on the I/O thread: an Express execution of Pass and
//    Choice states answers with no hop at all (Executions::start_sync_here).
//  - Reads (Describe*, List*, GetExecutionHistory) come from the store on the I/O thread
//    (execution_reads.h); the Registry is a SharedRegistry (one mutex), so shards and I/O threads
//    resolve machines without a hop.
//  - The home shard (0) keeps Registry writes, activity queues, task tokens and the task runners;
//    other shards reach the runners through a HomeForwarder. Slow things (the store's group
//    commit, local functions) run on their own threads and post their results back.
//
// Lifecycle: construct, add_operations() into the server's OperationTable, start() (recovers
// the store's RUNNING executions shard by shard, finishes DeleteStateMachine calls a restart
// interrupted, then runs the engine threads and the retention purge thread), serve, stop(). stop()
// before destroying the TaskRunner given in the options, and destroy that runner (which joins its
// threads; they post into this Service's loop) before the Service.
//
// Thread-safety: add_operations() before serving; the operations it registers may be called
// from any thread. start()/stop() from the owning thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/event_loop.h"
#include "base/ids.h"
#include "base/mutex.h"
#include "sfn/execution_observer.h"
#include "sfn/execution_reads.h"
#include "sfn/executions.h"
#include "sfn/home_forwarder.h"
#include "sfn/registry.h"
#include "sfn/retention.h"
#include "sfn/service_log.h"
#include "sfn/shard.h"
#include "sfn/sharded_starter.h"
#include "sfn/shared_registry.h"
#include "store/store.h"
#include "tasks/callbacks.h"
#include "tasks/integrations.h"
#include "tasks/mock_config.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

class Executions;
class ExecutionLogger;
class TaskTokens;
class ActivityRunner;
class NestedRunner;
class SfnSdkRunner;

struct ServiceOptions {
  Clock& clock;  // RealClock, or a ManualClock (--fast-time, tests)
  // The two halves of the store (store.h); one backend object may be both (SqliteStore,
  // MemoryStore): pass it as both.
  store::RegistryStore& registry_store;
  store::ExecutionStore& execution_store;
  Place place = {};
  // Registers the integrations that run outside the Service (functions, HTTP tasks, jobs:
  // tasks::register_local_integrations; later the built-in services). The Service registers
  // its own: "activity", "states:startExecution" and "aws-sdk:sfn:*". Empty: none, so such
  // tasks fail with States.Runtime.
  std::function<Status(tasks::IntegrationRegistry&)> integrations = {};
  // Mocks over the API: a start on `stateMachineArn#TestCase` runs that test case (the machine
  // name is the state machine's name).
  std::optional<tasks::MockConfig> mock_config = std::nullopt;
  std::uint64_t id_seed = 0;  // 0: unpredictable ids (production); else deterministic
  // Execution logs (loggingConfiguration) go to <log_dir>/<log group>.jsonl (execution_log.h,
  // docs/LOGGING.md); empty: no machine's executions are logged.
  std::string log_dir = {};
  // Closed executions are purged this long after they stopped (retention.h; 0: kept forever),
  // by a background pass at start() and every purge_interval_ms.
  Millis retention_ms = retention_limits::retention_default_ms;
  Millis purge_interval_ms = retention_limits::purge_interval_default_ms;
  // A Standard execution waiting only on timers this far off or more leaves memory until they
  // are due (executions.h, "Dormant executions"); negative: never.
  Millis dormant_after_ms = execution_limits::dormant_after_ms_default;
  // Where operator-facing problems are reported (service_log.h); null: nowhere. The app sends
  // them to stderr.
  ServiceLog log = {};
  // Engine shards (shard.h): live executions spread over this many loops by a hash of their
  // ARN. The app defaults to the number of cores. A manual clock always runs one.
  int shards = 1;
  // This process's name as the store records it when each shard claims its id at start
  // (fencing: store.h); a node that claims a shard later fences this one's commits of it out.
  std::string node_id = "stepwise";
  // Hears of every durable change of a Standard execution (execution_observer.h; not owned,
  // outlives the Service); null: nobody. The web console's live stream.
  ExecutionObserver* observer = nullptr;
};

// A task waiting for its token (SendTaskSuccess/Failure): an activity task or a
// `.waitForTaskToken` callback. The console's approvals inbox lists them.
struct WaitingTask {
  std::string task_token;
  std::string execution_arn;
  std::string state_machine_arn;
  std::string state_name;
  std::string resource;
  std::int64_t attempt = 0;
};

class Service {
 public:
  explicit Service(ServiceOptions options);
  ~Service();  // stop()s
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Registers every operation this Service answers.
  void add_operations(api::OperationTable& table);
  // Recovers the store's RUNNING executions and starts the engine thread. Returns how many
  // executions resumed.
  std::size_t start();
  // Stops the engine threads; live executions stay RUNNING in the store and resume at the next
  // start. Idempotent.
  void stop();

  // Runs fn on the home shard's engine thread (tests; wiring that must happen there).
  void post(std::function<void()> fn);
  // Where `lambda:invoke.waitForTaskToken` tasks wait for their token: give it to the
  // FunctionRunner (set_callbacks) so SendTaskSuccess reaches them.
  tasks::CallbackRegistry& callbacks() { return callbacks_; }
  // The tasks waiting for their token (at most waiting_tasks_max, in no order); callable from
  // any thread, `reply` runs on the home engine thread (where the token table lives).
  static constexpr std::size_t waiting_tasks_max = 10'000;
  void waiting_tasks(std::function<void(std::vector<WaitingTask>)> reply);
  Registry& registry() { return *registry_; }
  // Whether every integration registered (ServiceOptions::integrations and the Service's own):
  // an error names the one that did not (a name twice, one not in the catalog).
  const Status& integrations_status() const { return integrations_status_; }
  // One retention pass now, on the caller's thread (tests, admin): how many executions went.
  Result<std::int64_t> purge_expired_executions() { return purger_->purge_now(); }
  // The home shard's live executions (engine thread only: use post()).
  Executions& executions();
  // In-process starts that want to hear when an execution closes (benchmarks, embedders): the
  // child runs on the shard its ARN hashes to, on_close comes back to the home loop. Home
  // engine thread only (use post()).
  ExecutionStarter& starter() { return *starter_; }
  // The home shard's loop (benchmarks read its timer statistics; engine thread only).
  EventLoop& loop();
  // The engine shards (shards[0] is home) and the one that owns an execution ARN.
  const std::vector<std::unique_ptr<Shard>>& shards() const { return shards_; }
  Shard& owner(const std::string& execution_arn);

 private:
  void add_engine_operation(
      api::OperationTable& table, const std::string& name,
      std::function<void(const json::value&, const api::RequestInfo&, api::Reply)> op);

  void add_test_state(api::OperationTable& table);
  // Registers one of the Service's own integrations (a failure is kept in integrations_status_).
  void add_integration(std::string_view name, tasks::TaskRunner* runner);

  // TestState calls running at once (each on its own thread); more are throttled. stop()
  // waits on test_states_done_ until none runs.
  static constexpr int test_states_max = 4;
  base::Mutex test_states_mu_;
  base::CondVar test_states_done_;
  int test_states_running_ GUARDED_BY(test_states_mu_) = 0;
  std::uint64_t test_states_started_ GUARDED_BY(test_states_mu_) = 0;  // seeds their ids
  std::uint64_t test_state_seed_ = 0;  // drawn from ids_ at construction
  ServiceOptions options_;
  IdGenerator registry_ids_;  // the Registry's own: it is used under SharedRegistry's lock
  tasks::CallbackRegistry callbacks_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<SharedRegistry> shared_registry_;  // how everything else reaches registry_
  std::unique_ptr<ExecutionLogger> logger_;          // before executions_: it outlives them
  tasks::IntegrationRegistry integrations_;
  Status integrations_status_ = ok_status();            // the first registration that failed
  tasks::IntegrationRegistry test_state_integrations_;  // the functions only (thread-safe)
  std::unique_ptr<TaskTokens> tokens_;
  std::unique_ptr<ActivityRunner> activities_;
  std::vector<std::unique_ptr<Shard>> shards_;  // [0]: home (runners, tokens, activities)
  std::vector<std::unique_ptr<HomeForwarder>> forwarders_;  // shard k's runner, k ≥ 1
  std::unique_ptr<ShardedStarter> starter_;
  std::unique_ptr<ExecutionReads> reads_;
  std::unique_ptr<NestedRunner> nested_;
  // aws-sdk:sfn:* against this Service itself; made in add_operations (it needs the table).
  std::unique_ptr<SfnSdkRunner> sdk_;
  // Its own thread: a purge must never stall the engine.
  std::unique_ptr<RetentionPurger> purger_;
  bool started_ = false;
};

}  // namespace stepwise::sfn
