// JobRunner. A call: start() (loop thread) resolves the service and the job, answers a non-.sync
// task at once with the submit response, and queues the command on the pool; the pool thread runs
// it to the end and, for .sync, turns how it ended into the service's description of the job,
// posted back to the loop. Shapes follow the services' Describe*/Get* responses as Step Functions
// returns them (PascalCase keys, timestamps as epoch milliseconds).
#include "tasks/job_runner.h"
#include "base/mutex.h"

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "base/arn.h"
#include "base/clock.h"
#include "base/ids.h"
#include "tasks/lambda_arn.h"
#include "tasks/process.h"
#include "tasks/task_limits.h"
#include "tasks/worker_pool.h"

namespace stepwise::tasks {
namespace {

enum class Service { batch, ecs, glue, sagemaker, emr };

struct JobResource {
  Service service = Service::batch;
  bool sync = false;
};

struct ServiceInfo {
  Service service;
  const char* api;        // after "arn:aws:states:::"
  const char* not_found;  // error when no job of that key is configured
};

constexpr ServiceInfo kServices[] = {
    {Service::batch, "batch:submitJob", "Batch.ClientException"},
    {Service::ecs, "ecs:runTask", "ECS.InvalidParameterException"},
    {Service::glue, "glue:startJobRun", "Glue.EntityNotFoundException"},
    {Service::sagemaker, "sagemaker:createTrainingJob", "SageMaker.ValidationException"},
    {Service::emr, "elasticmapreduce:addStep", "EMR.InvalidRequestException"},
};

std::optional<JobResource> parse_resource(std::string_view resource) {
  if (resource.rfind("arn:aws", 0) != 0) return std::nullopt;
  auto at = resource.find(":states:::");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = resource.substr(at + 10);
  for (const auto& s : kServices) {
    std::string_view api = s.api;
    if (rest == api) return JobResource{s.service, false};
    if (rest.size() == api.size() + 5 && rest.substr(0, api.size()) == api &&
        rest.substr(api.size()) == ".sync")
      return JobResource{s.service, true};
  }
  return std::nullopt;
}

const ServiceInfo& info_of(Service s) { return kServices[static_cast<int>(s)]; }

const json::value* member(const json::value& v, std::string_view name) {
  return v.is_object() ? v.get_object().if_contains(name) : nullptr;
}

std::string string_member(const json::value& v, std::string_view name) {
  const json::value* m = member(v, name);
  return m != nullptr && m->is_string() ? std::string(m->get_string()) : std::string();
}

// "arn:...:job-definition/NAME:3", "NAME:3" or "NAME" → NAME (ECS task definitions likewise).
std::string definition_name(std::string name) {
  auto slash = name.rfind('/');
  if (name.rfind("arn:", 0) == 0 && slash != std::string::npos) name = name.substr(slash + 1);
  return name.substr(0, name.find(':'));
}

// The job keys a Task's parameters name, most specific first, and the name AWS shows.
std::vector<std::string> job_keys(Service s, const json::value& p, std::string* display) {
  switch (s) {
    case Service::batch:
      *display = string_member(p, "JobName");
      return {definition_name(string_member(p, "JobDefinition")), *display};
    case Service::ecs:
      *display = definition_name(string_member(p, "TaskDefinition"));
      return {*display};
    case Service::glue:
      *display = string_member(p, "JobName");
      return {*display};
    case Service::sagemaker:
      *display = string_member(p, "TrainingJobName");
      return {*display};
    case Service::emr:
      *display = member(p, "Step") ? string_member(*member(p, "Step"), "Name") : "";
      return {*display};
  }
  return {};
}

struct Run {
  JobResource resource;
  std::shared_ptr<const JobSpec> job;
  std::string display_name;
  std::string id;
  AwsScope scope;
  TaskRequest request;
  std::int64_t created_ms = 0;
  std::int64_t stopped_ms = 0;
  // How it ended.
  bool succeeded = false;
  bool timed_out = false;
  int exit_code = 0;
  std::string reason;
  json::object printed;  // a JSON object the command printed on stdout
  std::string err_tail;  // the end of its stderr
  std::atomic<bool> cancelled{false};
  EventLoop* loop = nullptr;
  TaskDone done;
};

std::string arn(const Run& r, const std::string& service, const std::string& resource) {
  return arn::make(service, r.scope.region, r.scope.account, resource, r.scope.partition);
}

std::string ecs_cluster(const Run& r) {
  std::string c = string_member(r.request.parameters, "Cluster");
  if (c.empty()) c = "default";
  return c.rfind("arn:", 0) == 0 ? c : arn(r, "ecs", "cluster/" + c);
}

json::object ecs_task(const Run& r, bool finished) {
  std::string cluster = ecs_cluster(r);
  json::object t{
      {"ClusterArn", cluster},
      {"TaskArn", arn(r, "ecs", "task/" + cluster.substr(cluster.rfind('/') + 1) + "/" + r.id)},
      {"TaskDefinitionArn", arn(r, "ecs", "task-definition/" + r.display_name + ":1")},
      {"CreatedAt", r.created_ms},
      {"LaunchType", string_member(r.request.parameters, "LaunchType").empty()
                         ? "FARGATE"
                         : string_member(r.request.parameters, "LaunchType")}};
  json::object container{{"Name", r.display_name}};
  if (!finished) {
    t["LastStatus"] = "PROVISIONING";
    t["DesiredStatus"] = "RUNNING";
    container["LastStatus"] = "PENDING";
  } else {
    t["LastStatus"] = "STOPPED";
    t["DesiredStatus"] = "STOPPED";
    t["StartedAt"] = r.created_ms;
    t["StoppedAt"] = r.stopped_ms;
    t["StopCode"] = "EssentialContainerExited";
    t["StoppedReason"] =
        r.timed_out ? "Task stopped: timed out" : "Essential container in task exited";
    container["LastStatus"] = "STOPPED";
    container["ExitCode"] = r.exit_code;
  }
  t["Containers"] = json::array{std::move(container)};
  return t;
}

json::value submit_response(const Run& r) {
  switch (r.resource.service) {
    case Service::batch:
      return json::object{
          {"JobArn", arn(r, "batch", "job/" + r.id)}, {"JobId", r.id}, {"JobName", r.display_name}};
    case Service::ecs:
      return json::object{{"Tasks", json::array{ecs_task(r, false)}}, {"Failures", json::array{}}};
    case Service::glue:
      return json::object{{"JobRunId", r.id}};
    case Service::sagemaker:
      return json::object{
          {"TrainingJobArn", arn(r, "sagemaker", "training-job/" + r.display_name)}};
    case Service::emr:
      return json::object{{"StepId", r.id}};
  }
  return json::object{};
}

json::value copy_or(const json::value& p, std::string_view name, json::value fallback) {
  const json::value* m = member(p, name);
  return m != nullptr ? *m : fallback;
}

json::object batch_job(const Run& r) {
  const json::value& p = r.request.parameters;
  json::object container{{"Command", json::array(r.job->argv.begin(), r.job->argv.end())},
                         {"ExitCode", r.exit_code}};
  json::object job{{"JobArn", arn(r, "batch", "job/" + r.id)},
                   {"JobId", r.id},
                   {"JobName", r.display_name},
                   {"JobQueue", copy_or(p, "JobQueue", "")},
                   {"JobDefinition", arn(r, "batch", "job-definition/" + r.job->name + ":1")},
                   {"Status", r.succeeded ? "SUCCEEDED" : "FAILED"},
                   {"CreatedAt", r.created_ms},
                   {"StartedAt", r.created_ms},
                   {"StoppedAt", r.stopped_ms},
                   {"Parameters", copy_or(p, "Parameters", json::object{})},
                   {"Container", container}};
  json::object attempt{{"Container", json::object{{"ExitCode", r.exit_code}}},
                       {"StartedAt", r.created_ms},
                       {"StoppedAt", r.stopped_ms}};
  if (!r.succeeded) {
    job["StatusReason"] = r.reason;
    attempt["StatusReason"] = r.reason;
  }
  job["Attempts"] = json::array{std::move(attempt)};
  return job;
}

json::object glue_run(const Run& r) {
  json::object run{{"Id", r.id},
                   {"Attempt", 0},
                   {"JobName", r.display_name},
                   {"JobRunState", r.succeeded   ? "SUCCEEDED"
                                   : r.timed_out ? "TIMEOUT"
                                                 : "FAILED"},
                   {"StartedOn", r.created_ms},
                   {"LastModifiedOn", r.stopped_ms},
                   {"CompletedOn", r.stopped_ms},
                   {"ExecutionTime", (r.stopped_ms - r.created_ms) / 1000},
                   {"Arguments", copy_or(r.request.parameters, "Arguments", json::object{})}};
  if (!r.succeeded) run["ErrorMessage"] = r.reason;
  return run;
}

json::object training_job(const Run& r) {
  const json::value& p = r.request.parameters;
  const char* status = r.succeeded ? "Completed" : "Failed";
  json::object job{{"TrainingJobName", r.display_name},
                   {"TrainingJobArn", arn(r, "sagemaker", "training-job/" + r.display_name)},
                   {"TrainingJobStatus", status},
                   {"SecondaryStatus", r.succeeded ? "Completed" : "Failed"},
                   {"CreationTime", r.created_ms},
                   {"TrainingStartTime", r.created_ms},
                   {"TrainingEndTime", r.stopped_ms},
                   {"LastModifiedTime", r.stopped_ms}};
  for (const char* k : {"AlgorithmSpecification", "RoleArn", "InputDataConfig", "OutputDataConfig",
                        "ResourceConfig", "StoppingCondition", "HyperParameters"}) {
    if (const json::value* v = member(p, k)) job[k] = *v;
  }
  if (!r.succeeded) job["FailureReason"] = r.reason;
  return job;
}

json::object emr_step(const Run& r) {
  const json::value* step = member(r.request.parameters, "Step");
  json::object status{{"State", r.succeeded ? "COMPLETED" : "FAILED"},
                      {"StateChangeReason", json::object{}},
                      {"Timeline", json::object{{"CreationDateTime", r.created_ms},
                                                {"StartDateTime", r.created_ms},
                                                {"EndDateTime", r.stopped_ms}}}};
  if (!r.succeeded)
    status["FailureDetails"] = json::object{{"Reason", "Unknown Error."}, {"Message", r.reason}};
  return json::object{
      {"Step", json::object{{"Id", r.id},
                            {"Name", r.display_name},
                            {"ActionOnFailure", step ? copy_or(*step, "ActionOnFailure", "CONTINUE")
                                                     : json::value("CONTINUE")},
                            {"Config", step ? copy_or(*step, "HadoopJarStep", json::object{})
                                            : json::value(json::object{})},
                            {"Status", std::move(status)}}}};
}

json::object description(const Run& r) {
  switch (r.resource.service) {
    case Service::batch:
      return batch_job(r);
    case Service::ecs:
      return ecs_task(r, true);
    case Service::glue:
      return glue_run(r);
    case Service::sagemaker:
      return training_job(r);
    case Service::emr:
      return emr_step(r);
  }
  return {};
}

// How the service words a failed job.
std::string failure_reason(Service s, const CommandResult& c) {
  using End = CommandResult::End;
  if (c.end == End::timed_out)
    return s == Service::batch ? "Job attempt duration exceeded timeout"
                               : "The job exceeded its configured timeout";
  if (c.end == End::spawn_failed) return "CannotStartContainerError: " + c.spawn_error;
  std::string how = c.end == End::signaled ? "was killed by signal " + std::to_string(c.signal)
                                           : "exited with code " + std::to_string(c.exit_code);
  switch (s) {
    case Service::batch:
    case Service::ecs:
      return "Essential container in task exited";
    case Service::glue:
      return "Command failed: the job " + how;
    case Service::sagemaker:
      return "AlgorithmError: the training job " + how;
    case Service::emr:
      return "The step " + how;
  }
  return how;
}

// [{"Name": N, "Value": V}, ...] entries appended to `env` (bounded like a function's env).
void add_environment(const json::value* list, KeyValues& env) {
  if (list == nullptr || !list->is_array()) return;
  for (const auto& item : list->get_array()) {
    if (env.size() >= limits::function_env_max) return;
    std::string name = string_member(item, "Name");
    if (name.empty() || name.find('=') != std::string::npos) continue;
    env.emplace_back(name, string_member(item, "Value"));
  }
}

// The environment overrides the request carries: Batch ContainerOverrides.Environment, ECS
// Overrides.ContainerOverrides[].Environment.
void add_overrides(const Run& r, KeyValues& env) {
  const json::value& p = r.request.parameters;
  if (r.resource.service == Service::batch) {
    if (const json::value* o = member(p, "ContainerOverrides"))
      add_environment(member(*o, "Environment"), env);
  } else if (r.resource.service == Service::ecs) {
    const json::value* o = member(p, "Overrides");
    const json::value* list = o != nullptr ? member(*o, "ContainerOverrides") : nullptr;
    if (list != nullptr && list->is_array())
      for (const auto& c : list->get_array()) add_environment(member(c, "Environment"), env);
  }
}

void execute(Run& r) {
  ProcessSpec ps{r.job->argv, r.job->env, r.job->cwd};
  add_overrides(r, ps.env);
  ps.env.emplace_back("STEPWISE_JOB_ID", r.id);
  ps.env.emplace_back("STEPWISE_JOB_NAME", r.display_name);
  if (!r.request.idempotency_key.empty())
    set_env(ps.env, "STEPWISE_IDEMPOTENCY_KEY", r.request.idempotency_key);
  std::int64_t timeout = r.job->timeout_ms > 0 ? r.job->timeout_ms : limits::job_timeout_ms_default;
  std::int64_t began = monotonic_ms();
  auto c = run_command(ps, json::dump(r.request.parameters), timeout, limits::job_output_bytes_max,
                       limits::function_log_tail_bytes_max, &r.cancelled);
  r.stopped_ms = r.created_ms + (monotonic_ms() - began);
  using End = CommandResult::End;
  r.timed_out = c.end == End::timed_out;
  r.exit_code = c.end == End::exited ? c.exit_code : c.end == End::signaled ? 128 + c.signal : 1;
  r.succeeded = c.end == End::exited && c.exit_code == 0;
  if (!r.succeeded) r.reason = failure_reason(r.resource.service, c);
  r.err_tail = std::move(c.err_tail);
  auto printed = json::parse(c.out);
  if (printed.ok() && printed->is_object()) r.printed = std::move(printed->get_object());
}

TaskOutcome outcome_of(const Run& r) {
  json::object d = description(r);
  if (!r.succeeded) return TaskOutcome::failure("States.TaskFailed", json::dump(d));
  for (const auto& kv : r.printed) d[kv.key()] = kv.value();
  return TaskOutcome::success(std::move(d));
}

}  // namespace

bool is_job_resource(std::string_view resource) { return parse_resource(resource).has_value(); }

struct JobRunner::Impl {
  std::map<std::string, std::shared_ptr<const JobSpec>> jobs;
  base::Mutex mu;
  std::vector<std::shared_ptr<Run>> in_flight GUARDED_BY(mu);
  // Unseeded: request ids are not replayed (idempotency keys are).
  IdGenerator ids GUARDED_BY(mu);  // tidy: allow request ids are not replayed
  LogSink log_sink;
  WorkerPool pool{limits::job_threads_max, limits::job_queue_max};  // last: destroyed first

  std::string new_id(Service s);
  void finish(const std::shared_ptr<Run>& run);
};

namespace {
// `n` hex digits from `ids`.
std::string hex_id(IdGenerator& ids, int n) {
  std::string out;
  while (static_cast<int>(out.size()) < n) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(ids.next_u64()));
    out += buf;
  }
  return out.substr(0, static_cast<std::size_t>(n));
}
}  // namespace

std::string JobRunner::Impl::new_id(Service s) {
  base::MutexLock lock(mu);
  switch (s) {
    case Service::batch:
      return ids.uuid_v4();
    case Service::ecs:
      return hex_id(ids, 32);
    case Service::glue:
      return "jr_" + hex_id(ids, 64);
    case Service::sagemaker:
      return ids.uuid_v4();
    case Service::emr: {
      std::string id = "s-";
      for (char c : hex_id(ids, 13))
        id += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return id;
    }
  }
  return ids.uuid_v4();
}

void JobRunner::Impl::finish(const std::shared_ptr<Run>& run) {
  {
    base::MutexLock lock(mu);
    std::erase(in_flight, run);
  }
  if (!run->resource.sync) return;  // answered at submission
  EventLoop* loop = run->loop;
  loop->post([run, outcome = outcome_of(*run)]() mutable {
    if (!run->cancelled.load()) run->done(std::move(outcome));
  });
  loop->done_pending_work();
}

JobRunner::JobRunner() : impl_(std::make_unique<Impl>()) {}

JobRunner::~JobRunner() {
  base::MutexLock lock(impl_->mu);
  for (auto& run : impl_->in_flight) run->cancelled.store(true);
}

void JobRunner::set_log_sink(LogSink sink) { impl_->log_sink = std::move(sink); }

void JobRunner::add(JobSpec job) {
  std::string name = job.name;
  impl_->jobs[name] = std::make_shared<const JobSpec>(std::move(job));
}

void JobRunner::start(const TaskRequest& request, EventLoop& loop, TaskDone done) {
  auto fail = [&](std::string error, std::string cause) {
    loop.post([done = std::move(done), error = std::move(error), cause = std::move(cause)] {
      done(TaskOutcome::failure(error, cause));
    });
  };
  auto resource = parse_resource(request.resource);
  if (!resource)
    return fail("States.Runtime", "The resource '" + request.resource +
                                      "' is not a job integration this runner supports.");
  auto run = std::make_shared<Run>();
  run->resource = *resource;
  std::vector<std::string> keys =
      job_keys(resource->service, request.parameters, &run->display_name);
  for (const auto& key : keys) {
    auto it = impl_->jobs.find(key);
    if (!key.empty() && it != impl_->jobs.end()) {
      run->job = it->second;
      break;
    }
  }
  if (!run->job)
    return fail(info_of(resource->service).not_found,
                "No job named '" + (keys.empty() ? std::string() : keys.front()) +
                    "' is configured (jobs section of the functions config) for " +
                    info_of(resource->service).api + ".");
  run->id = impl_->new_id(resource->service);
  run->scope = scope_from_arn(request.execution_arn, scope_from_arn(request.state_machine_arn));
  run->request = request;
  run->created_ms = loop.clock().now_ms();
  run->loop = &loop;
  if (!resource->sync) {
    json::value answer = submit_response(*run);
    loop.post([done = std::move(done), answer = std::move(answer)]() mutable {
      done(TaskOutcome::success(std::move(answer)));
    });
  } else {
    run->done = std::move(done);
    loop.add_pending_work();
  }
  {
    base::MutexLock lock(impl_->mu);
    impl_->in_flight.push_back(run);
  }
  Impl* impl = impl_.get();
  bool queued = impl->pool.submit([impl, run] {
    execute(*run);
    if (impl->log_sink && !run->err_tail.empty())
      impl->log_sink(run->display_name, run->id, run->err_tail);
    impl->finish(run);
  });
  if (!queued) {
    run->succeeded = false;
    run->reason = "Too many jobs are queued";
    impl->finish(run);
  }
}

void JobRunner::cancel(const TaskRequest& request) {
  base::MutexLock lock(impl_->mu);
  for (auto& run : impl_->in_flight) {
    if (!run->resource.sync) continue;  // a submitted job outlives its state, as in AWS
    const TaskRequest& r = run->request;
    bool match = !request.task_id.empty()
                     ? r.task_id == request.task_id
                     : r.execution_arn == request.execution_arn &&
                           r.state_name == request.state_name && r.attempt == request.attempt;
    if (match) run->cancelled.store(true);
  }
}

}  // namespace stepwise::tasks
