// Service: wiring of the Registry, the executions and the task runners onto one engine thread.
#include "sfn/service.h"

#include <chrono>
#include <exception>
#include <future>
#include <iostream>

#include "sfn/activities.h"
#include "sfn/execution_log.h"
#include "sfn/executions.h"
#include "sfn/nested.h"
#include "sfn/nested_sdk.h"
#include "sfn/registry_rules.h"
#include "teststate/test_state.h"
#include "sfn/task_tokens.h"

namespace stepwise::sfn {

Service::Service(ServiceOptions options)
    : options_(std::move(options)), loop_(options_.clock), ids_(options_.id_seed) {
  registry_ = std::make_unique<Registry>(options_.registry_store, options_.execution_store,
                                        options_.clock, ids_, options_.place);
  router_.route(tasks::ResourceKind::lambda, options_.functions);
  router_.route(tasks::ResourceKind::http, options_.http);
  router_.route(tasks::ResourceKind::job, options_.jobs);
  // Token tasks (activities, .waitForTaskToken) pass TaskTokens on their way to the router, so
  // SendTaskSuccess/Failure/Heartbeat can find them.
  tokens_ = std::make_unique<TaskTokens>(callbacks_, router_);
  activities_ = std::make_unique<ActivityRunner>(
      loop_, callbacks_, [this](const std::string& arn) {
        // A store that cannot answer is not "no such activity": the poll goes on.
        auto a = registry_->activity(arn);
        return !a.ok() || a->has_value();
      });
  router_.route(tasks::ResourceKind::activity, activities_.get());
  const tasks::MockConfig* mocks = options_.mock_config ? &*options_.mock_config : nullptr;
  executions_ = std::make_unique<Executions>(loop_, options_.execution_store, *registry_, ids_, *tokens_,
                                             mocks);
  executions_->set_dormant_after(options_.dormant_after_ms);
  if (!options_.log_dir.empty()) {
    logger_ = std::make_unique<ExecutionLogger>(options_.log_dir);
    executions_->set_logger(logger_.get());
  }
  nested_ = std::make_unique<NestedRunner>(*executions_, ids_);
  router_.route(tasks::ResourceKind::nested_execution, nested_.get());
  // Runners report heartbeats and submissions; the engine turns them into timer resets and
  // TaskSubmitted events.
  ProgressSink sink = [this](const tasks::TaskRequest& request, TaskProgress p) {
    executions_->progress(request, p);
  };
  tokens_->set_progress(sink);
  activities_->set_progress(sink);
  nested_->set_progress(sink);
  loop_.set_keep_alive(true);
  purger_ = std::make_unique<RetentionPurger>(
      options_.execution_store, options_.clock,
      RetentionOptions{options_.retention_ms, options_.purge_interval_ms});
}

Service::~Service() { stop(); }

void Service::post(std::function<void()> fn) { loop_.post(std::move(fn)); }

Executions& Service::executions() { return *executions_; }

std::size_t Service::start() {
  if (started_) return 0;
  started_ = true;
  // Recovery runs on the engine thread like everything else: timers it schedules belong there.
  // One shard (0) today: this process claims it, and its commits carry the new epoch, so a
  // process that claims it later (another node over a shared database) fences this one out.
  if (auto epoch = options_.execution_store.claim_shard(0, options_.node_id); epoch.ok()) {
    executions_->set_fence(store::Fence{0, *epoch});
  } else {
    std::cerr << "stepwise: could not claim the store's shard (" << epoch.error().cause
              << "); commits go unfenced and fail if another node holds it\n";
  }
  std::promise<std::size_t> resumed;
  auto done = resumed.get_future();
  loop_.post([this, &resumed] {
    std::size_t n = executions_->recover();
    // After recovery, so the running counts include every resumed execution.
    registry_->resume_deletes();
    resumed.set_value(n);
  });
  engine_ = std::thread([this] { loop_.run(); });
  std::size_t n = done.get();
  purger_->start();
  return n;
}

void Service::stop() {
  // TestState threads use the options (clock, runner): let them finish first.
  while (test_states_running_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!started_) return;
  started_ = false;
  purger_->stop();
  std::promise<void> drained;
  auto done = drained.get_future();
  loop_.post([this, &drained] {
    activities_->close_polls();
    executions_->shutdown();
    drained.set_value();
  });
  done.wait();
  loop_.stop();
  if (engine_.joinable()) engine_.join();
  // Commits still queued post their results into the loop, which outlives this call.
  options_.execution_store.flush();
  if (logger_) logger_->flush();  // a stopped Service has every log line it wrote on disk
}

void Service::add_engine_operation(
    api::OperationTable& table, const std::string& name,
    std::function<void(const json::value&, const api::RequestInfo&, api::Reply)> op) {
  table.add(name, [this, op = std::move(op)](json::value request, const api::RequestInfo& info,
                                             api::Reply reply) {
    // RequestInfo is only valid during dispatch(): copy what the engine thread may read.
    loop_.post([op, request = std::move(request), info = info, reply = std::move(reply)] {
      try {
        op(request, info, reply);
      } catch (const std::exception& e) {
        // Nothing may escape onto the engine thread; a Reply ignores a second answer.
        reply(api::ApiError::internal(std::string("Internal error: ") + e.what()));
      }
    });
  });
}

void Service::add_operations(api::OperationTable& table) {
  // Workflows calling aws-sdk:sfn:* (e.g. activity workers written as state machines) reach
  // these same operations.
  sdk_ = std::make_unique<SfnSdkRunner>(table, ids_);
  router_.route(tasks::ResourceKind::aws_sdk, sdk_.get());
  tokens_->set_integration(tasks::ResourceKind::aws_sdk, sdk_.get());
  for (auto& [name, op] : registry_->operations()) {
    add_engine_operation(table, name,
                         [op = op](const json::value& r, const api::RequestInfo&,
                                   api::Reply reply) { reply(op(r)); });
  }
  Executions& ex = *executions_;
  auto sync = [&](const char* name, api::Response (Executions::*fn)(const json::value&)) {
    add_engine_operation(table, name, [&ex, fn](const json::value& r, const api::RequestInfo&,
                                                api::Reply reply) { reply((ex.*fn)(r)); });
  };
  auto async = [&](const char* name, void (Executions::*fn)(const json::value&, api::Reply)) {
    add_engine_operation(table, name, [&ex, fn](const json::value& r, const api::RequestInfo&,
                                                api::Reply reply) { (ex.*fn)(r, std::move(reply)); });
  };
  async("StartExecution", &Executions::start_execution);
  async("StartSyncExecution", &Executions::start_sync_execution);
  async("StopExecution", &Executions::stop_execution);
  async("RedriveExecution", &Executions::redrive_execution);
  sync("DescribeExecution", &Executions::describe_execution);
  sync("DescribeStateMachineForExecution", &Executions::describe_state_machine_for_execution);
  sync("ListExecutions", &Executions::list_executions);
  sync("GetExecutionHistory", &Executions::get_execution_history);

  ActivityRunner& activities = *activities_;
  add_engine_operation(table, "GetActivityTask",
                       [&activities](const json::value& r, const api::RequestInfo& info,
                                     api::Reply reply) {
                         activities.get_activity_task(r, info, std::move(reply));
                       });
  TaskTokens& tokens = *tokens_;
  auto token_op = [&](const char* name, api::Response (TaskTokens::*fn)(const json::value&)) {
    add_engine_operation(table, name, [&tokens, fn](const json::value& r, const api::RequestInfo&,
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
    if (test_states_running_.fetch_add(1) >= test_states_max) {
      --test_states_running_;
      reply(api::ApiError{"ThrottlingException", "Rate exceeded", 400});
      return;
    }
    std::thread([this, request = std::move(request), reply = std::move(reply)] {
      IdGenerator ids;
      teststate::TestStateOptions o;
      o.clock = &options_.clock;
      o.ids = &ids;
      o.tasks = options_.functions;
      o.region = options_.place.region;
      o.account = options_.place.account;
      auto answer = teststate::test_state(request, o);
      if (answer) {
        reply(std::move(*answer));
      } else {
        reply(rules::to_api_error(answer.error()));
      }
      --test_states_running_;
    }).detach();
  });
}

}  // namespace stepwise::sfn
