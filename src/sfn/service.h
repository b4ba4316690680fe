// Service: the Step Functions API behind `stepwise serve` — every operation, served from one
// engine thread.
//
// Why one engine thread: all service state (live executions, the Registry, activity queues,
// task tokens) is touched only there, so the hot path takes no locks and an execution's steps
// are naturally ordered. The server's I/O threads only decode requests: each operation is
// posted onto the engine's EventLoop and answers from it (now, or later: after a commit, at the
// end of a StartSyncExecution, when a GetActivityTask poll gets work). Slow things (the store's
// group commit, local functions) run on their own threads and post their results back.
//
// Lifecycle: construct, add_operations() into the server's OperationTable, start() (recovers
// the store's RUNNING executions, finishes DeleteStateMachine calls a restart interrupted, then
// runs the engine thread and the retention purge thread), serve, stop(). stop() before
// destroying the TaskRunner given in the options, and destroy that runner (which joins its
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
#include <thread>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/event_loop.h"
#include "base/ids.h"
#include "sfn/executions.h"
#include "sfn/registry.h"
#include "sfn/retention.h"
#include "store/store.h"
#include "tasks/callbacks.h"
#include "tasks/mock_config.h"
#include "tasks/router.h"
#include "tasks/task_runner.h"

namespace stepwise::sfn {

class Executions;
class ExecutionLogger;
class TaskTokens;
class ActivityRunner;
class NestedRunner;
class SfnSdkRunner;

struct ServiceOptions {
  Clock& clock;                 // RealClock, or a ManualClock (--fast-time, tests)
  // The two halves of the store (store.h); one backend object may be both (SqliteStore,
  // MemoryStore): pass it as both.
  store::RegistryStore& registry_store;
  store::ExecutionStore& execution_store;
  Place place = {};
  tasks::TaskRunner* functions = nullptr;  // Lambda tasks (a FunctionRunner); null: none
  tasks::TaskRunner* http = nullptr;       // arn:aws:states:::http:invoke; null: unsupported
  tasks::TaskRunner* jobs = nullptr;       // batch/ecs/glue/sagemaker/emr jobs; null: unsupported
  // Mocks over the API: a start on `stateMachineArn#TestCase` runs that test case (the machine
  // name is the state machine's name).
  std::optional<tasks::MockConfig> mock_config = std::nullopt;
  std::uint64_t id_seed = 0;    // 0: unpredictable ids (production); else deterministic
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
  // This process's name as the store records it when it claims its shard at start (fencing:
  // store.h); a node that claimed the shard later fences this one's commits out.
  std::string node_id = "stepwise";
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
  // Stops the engine thread; live executions stay RUNNING in the store and resume at the next
  // start. Idempotent.
  void stop();

  // Runs fn on the engine thread (tests; wiring that must happen there).
  void post(std::function<void()> fn);
  // Where `lambda:invoke.waitForTaskToken` tasks wait for their token: give it to the
  // FunctionRunner (set_callbacks) so SendTaskSuccess reaches them.
  tasks::CallbackRegistry& callbacks() { return callbacks_; }
  Registry& registry() { return *registry_; }
  // One retention pass now, on the caller's thread (tests, admin): how many executions went.
  Result<std::int64_t> purge_expired_executions() { return purger_->purge_now(); }
  // The live executions, for in-process starts that want to hear when an execution closes
  // (Executions::start_child: benchmarks, embedders). Engine thread only (use post()).
  Executions& executions();
  // The engine thread's loop (benchmarks read its timer statistics; engine thread only).
  EventLoop& loop() { return loop_; }

 private:
  void add_engine_operation(api::OperationTable& table, const std::string& name,
                            std::function<void(const json::value&, const api::RequestInfo&,
                                               api::Reply)> op);

  void add_test_state(api::OperationTable& table);

  // TestState calls running at once (each on its own thread); more are throttled.
  static constexpr int test_states_max = 4;
  std::atomic<int> test_states_running_{0};
  ServiceOptions options_;
  EventLoop loop_;
  IdGenerator ids_;
  tasks::CallbackRegistry callbacks_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ExecutionLogger> logger_;  // before executions_: it outlives them
  tasks::Router router_;
  std::unique_ptr<TaskTokens> tokens_;
  std::unique_ptr<ActivityRunner> activities_;
  std::unique_ptr<Executions> executions_;
  std::unique_ptr<NestedRunner> nested_;
  // aws-sdk:sfn:* against this Service itself; made in add_operations (it needs the table).
  std::unique_ptr<SfnSdkRunner> sdk_;
  std::thread engine_;
  // Its own thread: a purge must never stall the engine.
  std::unique_ptr<RetentionPurger> purger_;
  bool started_ = false;
};

}  // namespace stepwise::sfn
