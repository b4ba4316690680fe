// Service: wiring of the Registry, the executions and the task runners onto one engine thread.
#include "sfn/service.h"

#include <algorithm>
#include <exception>
#include <future>
#include <string>

#include "sfn/activities.h"
#include "sfn/execution_log.h"
#include "sfn/executions.h"
#include "sfn/nested.h"
#include "sfn/nested_sdk.h"
#include "sfn/registry_rules.h"
#include "sfn/sharded_starter.h"
#include "sfn/task_tokens.h"
#include "teststate/test_state.h"

namespace stepwise::sfn {

Service::Service(ServiceOptions options)
    : options_(std::move(options)),
      registry_ids_(options_.id_seed == 0 ? 0 : options_.id_seed ^ 0x5EED0F5E6157ULL) {
  registry_ = std::make_unique<Registry>(options_.registry_store, options_.execution_store,
                                         options_.clock, registry_ids_, options_.place);
  shared_registry_ = std::make_unique<SharedRegistry>(*registry_);
  const tasks::MockConfig* mocks = options_.mock_config ? &*options_.mock_config : nullptr;
  // A manual clock jumps to a loop's next timer when that loop is idle: with several loops one
  // could jump past another's work, so --fast-time (and tests on a ManualClock) run one shard.
  const int count =
      options_.clock.is_manual() ? 1 : std::clamp(options_.shards, 1, shard_limits::shards_max);
  for (int id = 0; id < count; ++id) {
    shards_.push_back(std::make_unique<Shard>(Shard::Options{.id = id,
                                                             .count = count,
                                                             .clock = options_.clock,
                                                             .store = options_.execution_store,
                                                             .registry = *shared_registry_,
                                                             .mocks = mocks,
                                                             .id_seed = options_.id_seed}));
  }
  Shard& home = *shards_.front();
  // Token tasks (activities, .waitForTaskToken) pass TaskTokens on their way to the registry,
  // so SendTaskSuccess/Failure/Heartbeat can find them.
  tokens_ = std::make_unique<TaskTokens>(callbacks_, integrations_);
  activities_ =
      std::make_unique<ActivityRunner>(home.loop(), callbacks_, [this](const std::string& arn) {
        // A store that cannot answer is not "no such activity": the poll goes on.
        auto a = shared_registry_->activity(arn);
        return !a.ok() || a->has_value();
      });
  if (!options_.log_dir.empty())
    logger_ = std::make_unique<ExecutionLogger>(options_.log_dir, options_.log);
  // The runners live on the home shard; the others reach them through a HomeForwarder.
  std::vector<Shard*> all;
  for (auto& shard : shards_) {
    tasks::TaskRunner* runner = tokens_.get();
    if (shard->id() != 0) {
      forwarders_.push_back(std::make_unique<HomeForwarder>(shard->loop(), home.loop(), *tokens_));
      runner = forwarders_.back().get();
    }
    Executions& ex = shard->make_executions(*runner);
    ex.set_dormant_after(options_.dormant_after_ms);
    ex.set_log(options_.log);
    ex.set_here_seed(options_.id_seed == 0 ? 0 : options_.id_seed ^ (0x1D5E11E5ULL + shard->id()));
    if (logger_) ex.set_logger(logger_.get());
    if (options_.observer != nullptr) ex.set_observer(options_.observer);
    ex.set_owner_post([this](const std::string& arn, std::function<void(Executions&)> fn) {
      Shard& to = owner(arn);
      to.loop().post([&to, fn = std::move(fn)] { fn(to.executions()); });
    });
    all.push_back(shard.get());
  }
  reads_ = std::make_unique<ExecutionReads>(options_.execution_store, options_.registry_store,
                                            *shared_registry_, options_.clock);
  starter_ = std::make_unique<ShardedStarter>(std::move(all), options_.execution_store);
  nested_ = std::make_unique<NestedRunner>(*starter_, home.ids());
  // The Service's own integrations; the rest come from the options (app/, tests).
  add_integration("activity", activities_.get());
  add_integration("states:startExecution", nested_.get());
  if (options_.integrations) {
    if (auto st = options_.integrations(integrations_); !st && integrations_status_)
      integrations_status_ = std::move(st);
  }
  // TestState runs on threads of its own: only the functions, whose runner is thread-safe.
  for (const char* name : {"lambda:function", "lambda:invoke"}) {
    if (tasks::TaskRunner* functions = integrations_.runner_named(name))
      (void)test_state_integrations_.add(name, functions);  // a catalog name, added once
  }
  // Runners report heartbeats and submissions (on the home loop); the engine of the task's
  // shard turns them into timer resets and TaskSubmitted events.
  ProgressSink sink = [this](const tasks::TaskRequest& request, TaskProgress p) {
    Shard& to = owner(request.execution_arn);
    if (to.id() == 0) return to.executions().progress(request, p);
    to.loop().post([&to, request, p] { to.executions().progress(request, p); });
  };
  tokens_->set_progress(sink);
  activities_->set_progress(sink);
  nested_->set_progress(sink);
  purger_ = std::make_unique<RetentionPurger>(
      options_.execution_store, options_.clock,
      RetentionOptions{options_.retention_ms, options_.purge_interval_ms, options_.log});
  // TestState's ids derive from the Service's generator: deterministic under id_seed.
  test_state_seed_ = home.ids().next_u64();
}

Service::~Service() { stop(); }

void Service::add_integration(std::string_view name, tasks::TaskRunner* runner) {
  if (auto st = integrations_.add(name, runner); !st && integrations_status_)
    integrations_status_ = std::move(st);
}

Shard& Service::owner(const std::string& execution_arn) {
  return *shards_[static_cast<std::size_t>(
      shard_of(execution_arn, static_cast<int>(shards_.size())))];
}

EventLoop& Service::loop() { return shards_.front()->loop(); }

void Service::post(std::function<void()> fn) { loop().post(std::move(fn)); }

void Service::waiting_tasks(std::function<void(std::vector<WaitingTask>)> reply) {
  post([this, reply = std::move(reply)] {
    std::vector<WaitingTask> out;
    for (const tasks::TaskRequest* r : tokens_->waiting(waiting_tasks_max)) {
      out.push_back(WaitingTask{.task_token = r->task_token.value_or(""),
                                .execution_arn = r->execution_arn,
                                .state_machine_arn = r->state_machine_arn,
                                .state_name = r->state_name,
                                .resource = r->resource,
                                .attempt = r->attempt});
    }
    reply(std::move(out));
  });
}

Executions& Service::executions() { return shards_.front()->executions(); }

std::size_t Service::start() {
  if (started_) return 0;
  started_ = true;
  // Each shard claims its id in the store (fencing, store.h) before it recovers: its commits
  // carry the new epoch, so a node that claims the shard later (over a shared database) fences
  // this one's commits out. A shard whose claim failed does not hold its executions: it leaves
  // them RUNNING in the store (for the node that holds the shard, or the next start) instead of
  // re-issuing their timers and tasks, and its commits go under epoch 0, which the store
  // refuses once anyone has claimed the shard.
  std::vector<bool> claimed(shards_.size(), false);
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    auto st = shards_[i]->claim(options_.node_id);
    claimed[i] = st.ok();
    if (!st.ok()) {
      report(options_.log, "stepwise: could not claim shard " + std::to_string(shards_[i]->id()) +
                               " in the store (" + st.error().name + ": " + st.error().cause +
                               "); its executions are not resumed");
    }
  }
  // Every shard's recovery is queued before any loop runs, so a recovering parent's posts to
  // its child's shard (re-attaching) queue behind that shard's own recovery.
  std::vector<std::promise<std::size_t>> resumed(shards_.size());
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    if (!claimed[i]) {
      resumed[i].set_value(0);
      continue;
    }
    shards_[i]->queue_recovery([p = &resumed[i]](std::size_t n) { p->set_value(n); });
  }
  for (auto& shard : shards_) shard->start_thread();
  std::size_t n = 0;
  for (auto& p : resumed) n += p.get_future().get();
  // After every shard's recovery, so the running counts include every resumed execution.
  std::promise<void> deletes;
  post([this, &deletes] {
    shared_registry_->resume_deletes();
    deletes.set_value();
  });
  deletes.get_future().wait();
  purger_->start();
  return n;
}

void Service::stop() {
  // TestState threads use the options (clock, runner): let them finish first.
  {
    base::MutexLock lock(test_states_mu_);
    while (test_states_running_ != 0) test_states_done_.wait(test_states_mu_);
  }
  if (!started_) return;
  started_ = false;
  purger_->stop();
  for (auto& shard : shards_) {
    if (shard->id() == 0) {
      shard->drain([this] { activities_->close_polls(); });
    } else {
      shard->drain();
    }
  }
  for (auto& shard : shards_) shard->stop();
  // Commits still queued post their results into the loops, which outlive this call.
  options_.execution_store.flush();
  if (logger_) logger_->flush();  // a stopped Service has every log line it wrote on disk
}

void Service::add_engine_operation(
    api::OperationTable& table, const std::string& name,
    std::function<void(const json::value&, const api::RequestInfo&, api::Reply)> op) {
  table.add(name, [this, op = std::move(op)](json::value request, const api::RequestInfo& info,
                                             api::Reply reply) {
    // RequestInfo is only valid during dispatch(): copy what the engine thread may read.
    loop().post([op, request = std::move(request), info = info, reply = std::move(reply)] {
      try {
        op(request, info, reply);
      } catch (const std::exception& e) {
        // Nothing may escape onto the engine thread; a Reply ignores a second answer.
        reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
      }
    });
  });
}

namespace {

// The Registry's operations that only read (Describe*, List*, ValidateStateMachineDefinition):
// served on the calling thread. Writes stay on the engine loop, in the order they arrive.
bool registry_read(const std::string& name) {
  return name.starts_with("Describe") || name.starts_with("List") ||
         name == "ValidateStateMachineDefinition";
}

// Runs an operation on the calling thread; an exception is an internal error, never a crash.
template <class Op>
void answer_here(api::Reply& reply, Op&& op) {
  try {
    reply(op());
  } catch (const std::exception& e) {
    reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
  }
}

}  // namespace

void Service::add_operations(api::OperationTable& table) {
  // Workflows calling aws-sdk:sfn:* (e.g. activity workers written as state machines) reach
  // these same operations.
  sdk_ = std::make_unique<SfnSdkRunner>(table, shards_.front()->ids());
  add_integration("aws-sdk:sfn:*", sdk_.get());  // also their .waitForTaskToken calls
  for (auto& [name, op] : shared_registry_->operations()) {
    if (registry_read(name)) {
      // Under the SharedRegistry's lock, on the calling thread: nothing live is read.
      table.add(name, [op = op](json::value r, const api::RequestInfo&, api::Reply reply) {
        answer_here(reply, [&] { return op(r); });
      });
      continue;
    }
    add_engine_operation(
        table, name, [op = op](const json::value& r, const api::RequestInfo&, api::Reply reply) {
          reply(op(r));
        });
  }
  Executions& ex = executions();
  // Reads are answered on the calling (I/O) thread: see execution_reads.h.
  ExecutionReads& reads = *reads_;
  auto read = [&](const char* name, api::Response (ExecutionReads::*fn)(const json::value&) const) {
    table.add(name, [&reads, fn](json::value r, const api::RequestInfo&, api::Reply reply) {
      answer_here(reply, [&] { return (reads.*fn)(r); });
    });
  };
  // Operations on one execution go to the loop of the shard its ARN hashes to (an ARN that
  // is missing or not a string: the home shard, which answers the error).
  auto by_arn = [&](const char* name, void (Executions::*fn)(const json::value&, api::Reply)) {
    table.add(name, [this, fn](json::value r, const api::RequestInfo&, api::Reply reply) {
      const json::value* arn = r.is_object() ? r.as_object().if_contains("executionArn") : nullptr;
      Shard& to = arn != nullptr && arn->is_string() ? owner(std::string(arn->as_string()))
                                                     : *shards_.front();
      to.loop().post([&to, fn, r = std::move(r), reply = std::move(reply)] {
        try {
          (to.executions().*fn)(r, reply);
        } catch (const std::exception& e) {
          reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
        }
      });
    });
  };
  // StartExecution is checked on the calling thread, which fixes the ARN and so its shard.
  table.add("StartExecution",
            [this, &ex](json::value r, const api::RequestInfo&, api::Reply reply) {
              try {
                auto request = start_request(r);
                if (!request) return reply(rules::to_api_error(request.error()));
                auto checked = ex.check_here(*request, /*sync=*/false);
                if (!checked) return reply(rules::to_api_error(checked.error()));
                Shard& to = owner(checked->arn);
                auto c = std::make_shared<Executions::Checked>(std::move(*checked));
                to.loop().post([&to, c, request = std::move(*request), reply = std::move(reply)] {
                  to.executions().start_checked(std::move(*c), request, reply);
                });
              } catch (const std::exception& e) {
                reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
              }
            });
  // StartSyncExecution starts on the calling thread (Executions::start_sync_here).
  table.add("StartSyncExecution", [&ex](json::value r, const api::RequestInfo&, api::Reply reply) {
    try {
      auto request = start_request(r);
      if (!request) return reply(rules::to_api_error(request.error()));
      ex.start_sync_here(*request, reply);
    } catch (const std::exception& e) {
      reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
    }
  });
  by_arn("StopExecution", &Executions::stop_execution);
  by_arn("RedriveExecution", &Executions::redrive_execution);
  read("DescribeExecution", &ExecutionReads::describe_execution);
  read("DescribeStateMachineForExecution", &ExecutionReads::describe_state_machine_for_execution);
  read("ListExecutions", &ExecutionReads::list_executions);
  read("GetExecutionHistory", &ExecutionReads::get_execution_history);
  read("DescribeMapRun", &ExecutionReads::describe_map_run);
  read("ListMapRuns", &ExecutionReads::list_map_runs);
  // UpdateMapRun is checked here (which finds the run's execution, and so its shard), then
  // delivered to the execution as a journalled step.
  table.add("UpdateMapRun",
            [this, &reads](json::value r, const api::RequestInfo&, api::Reply reply) {
              try {
                std::string execution;
                api::Response checked = reads.check_map_run_update(r, execution);
                if (checked.is_error()) return reply(std::move(checked));
                Shard& to = owner(execution);
                to.loop().post([&to, execution, update = checked.body(), reply = std::move(reply)] {
                  to.executions().update_map_run(execution, update, reply);
                });
              } catch (const std::exception& e) {
                reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
              }
            });

  ActivityRunner& activities = *activities_;
  add_engine_operation(
      table, "GetActivityTask",
      [&activities](const json::value& r, const api::RequestInfo& info, api::Reply reply) {
        activities.get_activity_task(r, info, std::move(reply));
      });
  TaskTokens& tokens = *tokens_;
  auto token_op = [&](const char* name, api::Response (TaskTokens::*fn)(const json::value&)) {
    add_engine_operation(table, name,
                         [&tokens, fn](const json::value& r, const api::RequestInfo&,
                                       api::Reply reply) { reply((tokens.*fn)(r)); });
  };
  token_op("SendTaskSuccess", &TaskTokens::send_task_success);
  token_op("SendTaskFailure", &TaskTokens::send_task_failure);
  token_op("SendTaskHeartbeat", &TaskTokens::send_task_heartbeat);
  add_test_state(table);
}

void Service::add_test_state(api::OperationTable& table) {
  // TestState runs one state to its end (a local function may take a while): on a thread of
  // its own, never on the engine thread, and at most test_states_max at once (AWS: 1 TPS).
  table.add("TestState", [this](json::value request, const api::RequestInfo&, api::Reply reply) {
    std::uint64_t seed = 0;
    {
      base::MutexLock lock(test_states_mu_);
      if (test_states_running_ >= test_states_max) {
        seed = 0;
      } else {
        ++test_states_running_;
        // Never 0 (IdGenerator's "unpredictable"): one distinct seed per call.
        seed = (test_state_seed_ ^ (0x9E3779B97F4A7C15ULL * ++test_states_started_)) | 1;
      }
    }
    if (seed == 0) return reply(api::ApiError{"ThrottlingException", "Rate exceeded", 400});
    std::thread([this, seed, request = std::move(request), reply = std::move(reply)]() mutable {
      {
        // Everything the call holds goes before it counts as done: stop() may then return and
        // the Service go away.
        json::value req = std::move(request);
        api::Reply rep = std::move(reply);
        IdGenerator ids(seed);
        teststate::TestStateOptions o;
        o.clock = &options_.clock;
        o.ids = &ids;
        o.tasks = &test_state_integrations_;
        o.region = options_.place.region;
        o.account = options_.place.account;
        auto answer = teststate::test_state(req, o);
        if (answer) {
          rep(std::move(*answer));
        } else {
          rep(rules::to_api_error(answer.error()));
        }
      }
      base::MutexLock lock(test_states_mu_);
      --test_states_running_;
      test_states_done_.notify_all();
    }).detach();
  });
}

}  // namespace stepwise::sfn
