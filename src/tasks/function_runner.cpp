// FunctionRunner: Lambda calls served by local commands and worker processes.
//
// Flow of one call: start() (loop thread) resolves the function and the event, registers the
// call and hands it to the pool; a pool thread runs the process and turns what happened into a
// TaskOutcome; the outcome goes back through loop.post(), which also drops the call's pending
// work mark. cancel() only flags the call: the pool thread notices within a poll slice, kills the
// process and skips `done`.
#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/ids.h"
#include "base/limits.h"
#include "base/mutex.h"
#include "tasks/functions.h"
#include "tasks/http_client.h"
#include "tasks/integrations.h"
#include "tasks/lambda_arn.h"
#include "tasks/lambda_shape.h"
#include "tasks/process.h"
#include "tasks/task_limits.h"
#include "tasks/worker_pool.h"

namespace stepwise::tasks {
namespace {

// One long-lived worker process, one call at a time; a function has `concurrency` of them.
struct WorkerSlot {
  base::Mutex mu;
  LineProcess process GUARDED_BY(mu);
  std::int64_t next_id GUARDED_BY(mu) = 1;
};
// The worker processes of one function. A call waiting for a free process sleeps on `freed`,
// woken as soon as a call gives its process back (and every poll slice, to notice cancellation).
struct WorkerSlots {
  std::vector<std::shared_ptr<WorkerSlot>> slots;
  base::Mutex mu;
  base::CondVar freed;
};

// A process taken by one call: the lease adopts the slot's lock (taken with try_lock) and gives
// the process back (and wakes a waiter) when it ends.
class SCOPED_CAPABILITY SlotLease {
 public:
  SlotLease(WorkerSlot& slot, WorkerSlots& group) REQUIRES(slot.mu) : slot_(slot), group_(group) {}
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
  ~SlotLease() RELEASE() {
    slot_.mu.unlock();
    { base::MutexLock g(group_.mu); }  // a waiter is either before its try or asleep
    group_.freed.notify_one();
  }

 private:
  WorkerSlot& slot_;
  WorkerSlots& group_;
};

// How an invocation ended, before it is shaped as Step Functions reports it.
struct Invocation {
  enum class Kind { payload, function_error, failure, cancelled } kind = Kind::failure;
  std::string bytes;    // payload or function error text
  TaskOutcome failure;  // Kind::failure
  std::string log_tail;
};

struct FunctionCall {
  TaskRequest request;
  LambdaForm form = LambdaForm::none;
  LambdaTarget target;
  std::shared_ptr<const FunctionSpec> spec;
  std::shared_ptr<WorkerSlots> workers;  // kind worker only
  bool fire_and_forget = false;          // InvocationType Event: nobody waits for the result
  std::string event;
  bool log_tail = false;  // LogType "Tail"
  std::string request_id;
  std::string trace_id;
  std::int64_t now_ms = 0;
  std::atomic<bool> cancelled{false};
  EventLoop* loop = nullptr;
  TaskDone done;
};

std::int64_t timeout_of(const FunctionSpec& spec) {
  return spec.timeout_ms > 0 ? spec.timeout_ms : limits::function_timeout_ms_default;
}

std::string timeout_message(const FunctionCall& call) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(timeout_of(*call.spec)) / 1000.0);
  return "RequestId: " + call.request_id + " Error: Task timed out after " + buf + " seconds";
}

std::string exit_message(const FunctionCall& call, const std::string& how) {
  return "RequestId: " + call.request_id + " Error: Runtime exited with error: " + how;
}

// Go's wording for a signal, which is what Lambda's runtime reports.
std::string signal_text(int sig) {
  switch (sig) {
    case 9:
      return "signal: killed";
    case 11:
      return "signal: segmentation fault";
    case 6:
      return "signal: aborted";
    case 15:
      return "signal: terminated";
    default:
      return "signal: " + std::to_string(sig);
  }
}

// What Lambda returns for LogType "Tail": the last 4 KB of the invocation's log, which the
// runtime frames with START/END/REPORT lines (so it is never empty); the function's own log is
// its stderr.
std::string lambda_log_tail(const FunctionCall& call, const std::string& stderr_tail) {
  std::string log = "START RequestId: " + call.request_id +
                    " Version: " + call.target.executed_version() + "\n" + stderr_tail;
  if (!stderr_tail.empty() && stderr_tail.back() != '\n') log += '\n';
  log += "END RequestId: " + call.request_id + "\nREPORT RequestId: " + call.request_id + "\t\n";
  constexpr std::size_t kTailBytes = 4096;  // Lambda's LogResult: the last 4 KB
  if (log.size() > kTailBytes) log.erase(0, log.size() - kTailBytes);
  return log;
}

Invocation failed(TaskOutcome outcome) {
  Invocation inv;
  inv.failure = std::move(outcome);
  return inv;
}

Invocation invoke_command(const FunctionCall& call) {
  ProcessSpec ps{call.spec->argv, call.spec->env, call.spec->cwd};
  if (!call.request.idempotency_key.empty())
    set_env(ps.env, "STEPWISE_IDEMPOTENCY_KEY", call.request.idempotency_key);
  auto r = run_command(ps, call.event, timeout_of(*call.spec), limits::function_output_bytes_max,
                       limits::function_log_tail_bytes_max, &call.cancelled);
  Invocation inv;
  inv.log_tail = r.err_tail;
  using End = CommandResult::End;
  switch (r.end) {
    case End::cancelled:
      inv.kind = Invocation::Kind::cancelled;
      return inv;
    case End::spawn_failed:
      return failed(
          service_error_outcome("Runtime.InvalidEntrypoint",
                                "RequestId: " + call.request_id + " Error: " + r.spawn_error));
    case End::timed_out:
      return failed(service_error_outcome("Sandbox.Timedout", timeout_message(call)));
    case End::output_too_large:
      inv.kind = Invocation::Kind::payload;  // over every quota: shaped as DataLimitExceeded
      inv.bytes = std::move(r.out);
      return inv;
    case End::signaled:
      return failed(
          service_error_outcome("Runtime.ExitError", exit_message(call, signal_text(r.signal))));
    case End::exited:
      break;
  }
  if (r.exit_code == 0) {
    inv.kind = Invocation::Kind::payload;
    inv.bytes = std::move(r.out);
    if (!inv.bytes.empty() && inv.bytes.back() == '\n') inv.bytes.pop_back();
    // A command that prints nothing returned nothing: null, as a Lambda handler returning None.
    if (inv.bytes.find_first_not_of(" \t\r\n") == std::string::npos) inv.bytes = "null";
    return inv;
  }
  auto parsed = json::parse(r.out);
  if (parsed.ok() && parsed->is_object()) {
    inv.kind = Invocation::Kind::function_error;
    inv.bytes = std::move(r.out);
    while (!inv.bytes.empty() && std::isspace(static_cast<unsigned char>(inv.bytes.back())))
      inv.bytes.pop_back();  // the text as printed, without the line end
    return inv;
  }
  // An unhandled exception: Lambda's Python runtime reports it with its traceback.
  if (auto error = python_exception_error(r.err_tail, call.request_id)) {
    inv.kind = Invocation::Kind::function_error;
    inv.bytes = std::move(*error);
    return inv;
  }
  return failed(service_error_outcome(
      "Runtime.ExitError", exit_message(call, "exit status " + std::to_string(r.exit_code))));
}

// Sends one request to the worker and waits for the answer with the same id.
Result<std::string> worker_exchange(const FunctionCall& call, WorkerSlot& slot,
                                    std::int64_t timeout_ms) REQUIRES(slot.mu) {
  if (!slot.process.running()) {
    auto st = slot.process.start(ProcessSpec{call.spec->argv, call.spec->env, call.spec->cwd});
    if (!st) return Error{"Spawn", st.error().cause};
  }
  std::int64_t id = slot.next_id++;
  auto event = json::parse(call.event);  // re-dumped: the request must be one line
  std::string line = "{\"id\":" + std::to_string(id) + ",\"event\":" +
                     (event.ok() ? json::dump(event.value()) : json::quote(call.event));
  if (!call.request.idempotency_key.empty())
    line += ",\"idempotencyKey\":" + json::quote(call.request.idempotency_key);
  line += '}';
  auto st = slot.process.write_line(line, timeout_ms, &call.cancelled);
  if (!st) return st.error();
  for (std::size_t stray = 0; stray <= limits::worker_stray_lines_max; ++stray) {
    auto answer =
        slot.process.read_line(timeout_ms, limits::function_output_bytes_max, &call.cancelled);
    if (!answer) return answer.error();
    auto msg = json::parse(answer.value());
    if (!msg.ok() || !msg->is_object()) continue;  // a log line on stdout: skip it
    const auto* got = msg->get_object().if_contains("id");
    if (got != nullptr && json::is_number(*got) && json::as_double(*got) == id)
      return std::move(answer.value());
  }
  return Error{"Garbage", "the worker printed too many lines without answering"};
}

Invocation worker_answer(const FunctionCall& call, const std::string& line) {
  auto msg = json::parse(line);
  const auto& obj = msg->get_object();
  Invocation inv;
  if (const auto* result = obj.if_contains("result")) {
    inv.kind = Invocation::Kind::payload;
    inv.bytes = json::dump(*result);
  } else if (const auto* error = obj.if_contains("error")) {
    inv.kind = Invocation::Kind::function_error;
    inv.bytes = error->is_object() ? python_json_dumps(*error) : json::dump(*error);
  } else {
    return failed(service_error_outcome(
        "Runtime.InvalidResponse",
        "RequestId: " + call.request_id + " Error: the worker answered without result or error"));
  }
  return inv;
}

// How a failed worker exchange is reported. `log_tail` is the worker's stderr for this call.
Invocation worker_failure(const FunctionCall& call, const Error& why, const std::string& log_tail) {
  if (why.name == "Cancelled") return Invocation{Invocation::Kind::cancelled, {}, {}, {}};
  if (why.name == "Timeout")
    return failed(service_error_outcome("Sandbox.Timedout", timeout_message(call)));
  if (why.name == "TooLarge") {
    Invocation inv;
    inv.kind = Invocation::Kind::payload;
    inv.bytes.assign(limits::function_output_bytes_max + 1, ' ');
    return inv;
  }
  if (why.name == "Spawn")
    return failed(service_error_outcome("Runtime.InvalidEntrypoint",
                                        "RequestId: " + call.request_id + " Error: " + why.cause));
  // A worker that died of an unhandled exception: reported as Lambda's Python runtime does.
  if (auto error = python_exception_error(log_tail, call.request_id)) {
    Invocation inv;
    inv.kind = Invocation::Kind::function_error;
    inv.bytes = std::move(*error);
    return inv;
  }
  return failed(service_error_outcome("Runtime.ExitError", exit_message(call, why.cause)));
}

// One call on a worker process the caller holds.
Invocation invoke_on_worker(const FunctionCall& call, WorkerSlot& slot) REQUIRES(slot.mu) {
  const std::int64_t timeout_ms = timeout_of(*call.spec);
  // A worker found dead (it exited between calls) is restarted once and the call retried.
  auto answer = worker_exchange(call, slot, timeout_ms);
  if (!answer && answer.error().name == "Exited") {
    slot.process.kill();
    answer = worker_exchange(call, slot, timeout_ms);
  }
  std::string log_tail = slot.process.take_err_tail();
  Invocation inv;
  if (answer) {
    inv = worker_answer(call, answer.value());
  } else {
    slot.process.kill();  // whatever went wrong, the next call gets a fresh process
    inv = worker_failure(call, answer.error(), log_tail);
  }
  inv.log_tail = std::move(log_tail);  // the call's log, whatever the outcome
  return inv;
}

// Runs the call on the first free worker process of the function, waiting while all are busy.
// Polled rather than timed_mutex::try_lock_for: a queued call must notice cancellation, and the
// clocked lock is invisible to ThreadSanitizer on this toolchain.
Invocation invoke_worker(const FunctionCall& call) {
  WorkerSlots& group = *call.workers;
  base::MutexLock waiting(group.mu);
  for (;;) {
    for (const auto& slot : group.slots) {
      if (!slot->mu.try_lock()) continue;
      waiting.unlock();
      SlotLease lease(*slot, group);
      return invoke_on_worker(call, *slot);
    }
    if (call.cancelled.load()) return Invocation{Invocation::Kind::cancelled, {}, {}, {}};
    group.freed.wait_for(group.mu, std::chrono::milliseconds(limits::poll_slice_ms));
  }
}

std::string lambda_service_cause(const FunctionCall& call, const std::string& why) {
  return why +
         " (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: " +
         call.request_id + "; Proxy: null)";
}

// A URL function: the event is POSTed as JSON; a 2xx body is the payload, any other status
// carries a Lambda-style error object (or fails as the Lambda service would).
Invocation invoke_url(const FunctionCall& call) {
  HttpRequest req;
  req.method = "POST";
  req.url = call.spec->url;
  req.headers = {{"Content-Type", "application/json"},
                 {"X-Amz-Function-Name", call.target.name},
                 {"Lambda-Runtime-Aws-Request-Id", call.request_id}};
  if (!call.request.idempotency_key.empty())
    req.headers.emplace_back("Idempotency-Key", call.request.idempotency_key);
  req.body = call.event;
  req.has_body = true;
  req.timeout_ms = timeout_of(*call.spec);
  req.response_bytes_max = limits::function_output_bytes_max;
  auto r = http_perform(req, &call.cancelled);
  Invocation inv;
  if (!r) {
    const auto& e = r.error();
    if (e.name == "Cancelled") return Invocation{Invocation::Kind::cancelled, {}, {}, {}};
    if (e.name == "Timeout")
      return failed(service_error_outcome("Sandbox.Timedout", timeout_message(call)));
    if (e.name == "TooLarge") {
      inv.kind = Invocation::Kind::payload;
      inv.bytes.assign(limits::function_output_bytes_max + 1, ' ');
      return inv;
    }
    return failed(TaskOutcome::failure(
        "Lambda.ServiceException",
        lambda_service_cause(call, "The function URL " + call.spec->url + " failed: " + e.cause)));
  }
  if (r->status / 100 == 2) {
    inv.kind = Invocation::Kind::payload;
    inv.bytes = r->body.empty() ? "null" : std::move(r->body);
    return inv;
  }
  auto parsed = json::parse(r->body);
  if (parsed.ok() && parsed->is_object()) {
    inv.kind = Invocation::Kind::function_error;
    inv.bytes = std::move(r->body);
    return inv;
  }
  return failed(TaskOutcome::failure(
      "Lambda.ServiceException",
      lambda_service_cause(call, "The function URL " + call.spec->url + " answered HTTP " +
                                     std::to_string(r->status))));
}

Invocation invoke(const FunctionCall& call) {
  switch (call.spec->kind) {
    case FunctionKind::worker:
      return invoke_worker(call);
    case FunctionKind::url:
      return invoke_url(call);
    case FunctionKind::command:
      break;
  }
  return invoke_command(call);
}

// Lambda's answer to an asynchronous (Event) invocation, as lambda:invoke returns it: 202 and an
// empty payload, without ExecutedVersion.
json::value event_response(const FunctionCall& call) {
  InvokeMeta meta;
  meta.request_id = call.request_id;
  meta.trace_id = call.trace_id;
  meta.http_date = http_date(call.now_ms);
  json::value out = invoke_response(json::value(""), meta);
  auto& o = out.get_object();
  o.erase("ExecutedVersion");
  o["StatusCode"] = 202;
  auto& http = o["SdkHttpMetadata"].get_object();
  http["HttpStatusCode"] = 202;
  for (const char* key : {"AllHttpHeaders", "HttpHeaders"}) {
    auto& h = http[key].get_object();
    h.erase("X-Amz-Executed-Version");
    h.erase("Content-Type");
  }
  return out;
}

TaskOutcome shape(const FunctionCall& call, Invocation inv) {
  switch (inv.kind) {
    case Invocation::Kind::failure:
      return std::move(inv.failure);
    case Invocation::Kind::function_error:
      return function_error_outcome(inv.bytes, call.form == LambdaForm::function_arn
                                                   ? CauseLayout::verbatim
                                                   : CauseLayout::compact);
    case Invocation::Kind::cancelled:
      return TaskOutcome::failure("States.Runtime", "cancelled");
    case Invocation::Kind::payload:
      break;
  }
  if (inv.bytes.size() > stepwise::limits::payload_bytes_max)
    return data_limit_outcome(call.form == LambdaForm::function_arn ? call.request.resource
                                                                    : "lambda");
  json::value payload = payload_from_bytes(inv.bytes);
  if (call.form == LambdaForm::function_arn) return TaskOutcome::success(std::move(payload));
  InvokeMeta meta;
  meta.executed_version = call.target.executed_version();
  meta.request_id = call.request_id;
  meta.trace_id = call.trace_id;
  meta.http_date = http_date(call.now_ms);
  meta.payload_bytes = inv.bytes.size();
  std::string log_result = base64_encode(lambda_log_tail(call, inv.log_tail));
  if (call.log_tail) meta.log_result = &log_result;
  return TaskOutcome::success(invoke_response(std::move(payload), meta));
}

}  // namespace

struct FunctionRunner::Impl {
  base::Mutex mu;
  std::map<std::string, std::shared_ptr<const FunctionSpec>> specs GUARDED_BY(mu);
  std::map<std::string, std::shared_ptr<WorkerSlots>> workers GUARDED_BY(mu);
  std::vector<std::shared_ptr<FunctionCall>> in_flight GUARDED_BY(mu);
  // Unseeded: request ids are not replayed (idempotency keys are).
  IdGenerator ids GUARDED_BY(mu);  // tidy: allow request ids are not replayed
  CallbackRegistry* callbacks = nullptr;
  LogSink log_sink;
  // Last: destroyed first, while the members above still exist.
  WorkerPool pool{limits::function_threads_max, limits::function_queue_max};

  void finish(const std::shared_ptr<FunctionCall>& call, TaskOutcome outcome);
  void post_failure(EventLoop& loop, TaskDone done, TaskOutcome outcome);
  Result<std::shared_ptr<FunctionCall>> prepare(const TaskRequest& request);
};

void FunctionRunner::Impl::post_failure(EventLoop& loop, TaskDone done, TaskOutcome outcome) {
  loop.post([done = std::move(done), outcome = std::move(outcome)]() mutable {
    done(std::move(outcome));
  });
}

void FunctionRunner::Impl::finish(const std::shared_ptr<FunctionCall>& call, TaskOutcome outcome) {
  {
    base::MutexLock lock(mu);
    std::erase(in_flight, call);
  }
  if (call->fire_and_forget) return;  // answered at once; the result is dropped, as Lambda drops it
  EventLoop* loop = call->loop;
  CallbackRegistry* registry = callbacks;
  loop->post([call, registry, outcome = std::move(outcome)]() mutable {
    if (call->cancelled.load()) return;
    if (call->form != LambdaForm::invoke_callback) return call->done(std::move(outcome));
    // The invocation only hands out the token; the task ends when someone calls back, unless
    // the invocation itself failed.
    if (outcome.succeeded) return;
    if (auto done = registry->take(*call->request.task_token)) (*done)(std::move(outcome));
  });
  loop->done_pending_work();
}

namespace {

Error not_found(const LambdaTarget& t) {
  return Error{"Lambda.ResourceNotFoundException",
               "Function not found: " + t.arn() + ":" +
                   (t.qualifier.empty() ? std::string("$LATEST") : t.qualifier) +
                   " (Service: AWSLambda; Status Code: 404; Error Code: "
                   "ResourceNotFoundException; Request ID: {request_id}; Proxy: null)"};
}

Result<LambdaTarget> target_of(const TaskRequest& request, LambdaForm form) {
  AwsScope scope = scope_from_arn(request.execution_arn, scope_from_arn(request.state_machine_arn));
  if (form == LambdaForm::function_arn) return parse_function_name(request.resource, scope);
  const json::value* name = nullptr;
  if (request.parameters.is_object())
    name = request.parameters.get_object().if_contains("FunctionName");
  if (name == nullptr || !name->is_string()) {
    return Error{"Lambda.AWSLambdaException",
                 "1 validation error detected: Value null at 'functionName' failed to satisfy "
                 "constraint: Member must not be null (Service: AWSLambda; Status Code: 400; "
                 "Error Code: ValidationException; Proxy: null)"};
  }
  return parse_function_name(name->get_string(), scope);
}

std::string event_of(const TaskRequest& request, LambdaForm form) {
  if (form == LambdaForm::function_arn) return json::dump(request.parameters);
  const json::value* payload = nullptr;
  if (request.parameters.is_object())
    payload = request.parameters.get_object().if_contains("Payload");
  return invoke_event_bytes(payload);
}

bool is_event_invocation(const TaskRequest& request) {
  if (!request.parameters.is_object()) return false;
  const auto* t = request.parameters.get_object().if_contains("InvocationType");
  return t != nullptr && t->is_string() && t->get_string() == "Event";
}

bool wants_log_tail(const TaskRequest& request) {
  if (!request.parameters.is_object()) return false;
  const auto* t = request.parameters.get_object().if_contains("LogType");
  return t != nullptr && t->is_string() && t->get_string() == "Tail";
}

}  // namespace

Result<std::shared_ptr<FunctionCall>> FunctionRunner::Impl::prepare(const TaskRequest& request) {
  auto call = std::make_shared<FunctionCall>();
  call->form = lambda_form(integration_of(request));
  if (call->form == LambdaForm::none) {
    return Error{"States.Runtime", "The resource '" + request.resource +
                                       "' is not a Lambda function or lambda:invoke."};
  }
  auto target = target_of(request, call->form);
  if (!target) return target.error();
  call->target = std::move(target.value());
  {
    base::MutexLock lock(mu);
    call->request_id = ids.uuid_v4();
    char trace[64];
    std::snprintf(trace, sizeof trace, "Root=1-%08llx-%012llx%012llx;Sampled=0",
                  static_cast<unsigned long long>(ids.next_u64() & 0xffffffffULL),
                  static_cast<unsigned long long>(ids.next_u64() & 0xffffffffffffULL),
                  static_cast<unsigned long long>(ids.next_u64() & 0xffffffffffffULL));
    call->trace_id = trace;
  }
  {
    // The spec and its workers are taken together: a reload swaps both under this lock.
    base::MutexLock lock(mu);
    auto it = specs.find(call->target.name);
    if (it != specs.end()) {
      call->spec = it->second;
      if (call->spec->kind == FunctionKind::worker) call->workers = workers.at(call->target.name);
    }
  }
  if (!call->spec) {
    Error e = not_found(call->target);
    e.cause.replace(e.cause.find("{request_id}"), 12, call->request_id);
    return e;
  }
  call->request = request;
  call->event = event_of(request, call->form);
  call->log_tail = call->form != LambdaForm::function_arn && wants_log_tail(request);
  call->fire_and_forget = call->form == LambdaForm::invoke && is_event_invocation(request);
  return call;
}

FunctionRunner::FunctionRunner() : impl_(std::make_unique<Impl>()) {}

FunctionRunner::~FunctionRunner() {
  base::MutexLock lock(impl_->mu);
  for (auto& call : impl_->in_flight) call->cancelled.store(true);
}

namespace {

Status check_spec(const FunctionSpec& spec) {
  if (spec.name.empty()) return Error{"FunctionsConfig", "a function needs a name"};
  if (spec.kind == FunctionKind::url && spec.url.empty())
    return Error{"FunctionsConfig", spec.name + ": empty url"};
  if (spec.kind != FunctionKind::url && spec.argv.empty())
    return Error{"FunctionsConfig", spec.name + ": empty argv"};
  return ok_status();
}

std::shared_ptr<WorkerSlots> new_worker_slots(const FunctionSpec& spec) {
  auto slots = std::make_shared<WorkerSlots>();
  std::size_t n = std::clamp<std::size_t>(spec.concurrency, 1, limits::function_concurrency_max);
  for (std::size_t i = 0; i < n; ++i) slots->slots.push_back(std::make_shared<WorkerSlot>());
  return slots;
}

}  // namespace

Status FunctionRunner::add(FunctionSpec spec) {
  if (auto s = check_spec(spec); !s) return s;
  std::string name = spec.name;
  base::MutexLock lock(impl_->mu);
  if (spec.kind == FunctionKind::worker) impl_->workers[name] = new_worker_slots(spec);
  impl_->specs[name] = std::make_shared<const FunctionSpec>(std::move(spec));
  return ok_status();
}

Status FunctionRunner::replace_functions(std::vector<FunctionSpec> new_specs) {
  for (const auto& spec : new_specs) {
    if (auto s = check_spec(spec); !s) return s;
  }
  std::map<std::string, std::shared_ptr<const FunctionSpec>> specs;
  std::map<std::string, std::shared_ptr<WorkerSlots>> workers;
  base::MutexLock lock(impl_->mu);
  for (auto& spec : new_specs) {
    std::string name = spec.name;
    auto old = impl_->specs.find(name);
    const bool unchanged = old != impl_->specs.end() && *old->second == spec;
    if (spec.kind == FunctionKind::worker) {
      // An unchanged worker keeps its running processes; a changed one starts afresh (the old
      // processes live on in the calls that hold them, and end with the last of those).
      workers[name] = unchanged ? impl_->workers.at(name) : new_worker_slots(spec);
    }
    specs[name] = unchanged ? old->second : std::make_shared<const FunctionSpec>(std::move(spec));
  }
  impl_->specs.swap(specs);
  impl_->workers.swap(workers);
  return ok_status();
}

bool FunctionRunner::has(const std::string& name) const {
  base::MutexLock lock(impl_->mu);
  return impl_->specs.count(name) > 0;
}

void FunctionRunner::set_callbacks(CallbackRegistry* callbacks) { impl_->callbacks = callbacks; }

void FunctionRunner::set_log_sink(LogSink sink) { impl_->log_sink = std::move(sink); }

namespace {

// Callback tasks park `done` in the registry before the function runs, so a function that calls
// back before it even returns is not lost.
Status park_callback(CallbackRegistry* registry, const TaskRequest& request, EventLoop& loop,
                     TaskDone* done) {
  if (registry == nullptr)
    return Error{"States.Runtime",
                 "lambda:invoke.waitForTaskToken needs task tokens, which this runner has no "
                 "registry for"};
  if (!request.task_token || request.task_token->empty())
    return Error{"States.Runtime", "lambda:invoke.waitForTaskToken started without a task token"};
  return registry->await(*request.task_token, loop, *done);
}

}  // namespace

void FunctionRunner::start(const TaskRequest& request, EventLoop& loop, TaskDone done) {
  auto prepared = impl_->prepare(request);
  if (!prepared) {
    auto e = std::move(prepared).error();
    impl_->post_failure(loop, std::move(done), TaskOutcome::failure(e.name, e.cause));
    return;
  }
  std::shared_ptr<FunctionCall> call = std::move(prepared.value());
  if (call->form == LambdaForm::invoke_callback) {
    auto parked = park_callback(impl_->callbacks, request, loop, &done);
    if (!parked) {
      auto e = std::move(parked).error();
      impl_->post_failure(loop, std::move(done), TaskOutcome::failure(e.name, e.cause));
      return;
    }
  }
  call->loop = &loop;
  call->now_ms = loop.clock().now_ms();
  if (call->fire_and_forget) {
    // Fire and forget: Lambda queues the event and answers 202 before the function runs.
    loop.post([done = std::move(done), answer = event_response(*call)]() mutable {
      done(TaskOutcome::success(std::move(answer)));
    });
  } else {
    call->done = std::move(done);
    loop.add_pending_work();
  }
  {
    base::MutexLock lock(impl_->mu);
    impl_->in_flight.push_back(call);
  }
  Impl* impl = impl_.get();
  bool queued = impl->pool.submit([impl, call] {
    Invocation inv = invoke(*call);
    if (impl->log_sink && !inv.log_tail.empty())
      impl->log_sink(call->target.name, call->request_id, inv.log_tail);
    impl->finish(call, shape(*call, std::move(inv)));
  });
  if (!queued) {
    impl->finish(call, TaskOutcome::failure("Lambda.TooManyRequestsException",
                                            "Rate Exceeded. (Service: AWSLambda; Status Code: "
                                            "429; Error Code: TooManyRequestsException; Proxy: "
                                            "null)"));
  }
}

void FunctionRunner::cancel(const TaskRequest& request) {
  base::MutexLock lock(impl_->mu);
  for (auto& call : impl_->in_flight) {
    const TaskRequest& r = call->request;
    bool match = !request.task_id.empty()
                     ? r.task_id == request.task_id
                     : r.execution_arn == request.execution_arn &&
                           r.state_name == request.state_name && r.attempt == request.attempt;
    if (!match || call->fire_and_forget)
      continue;  // an Event invocation outlives its state, as in AWS
    call->cancelled.store(true);
  }
  if (impl_->callbacks != nullptr && request.task_token &&
      lambda_form(integration_of(request)) == LambdaForm::invoke_callback) {
    impl_->callbacks->take(*request.task_token);  // a cancelled task no longer waits
  }
}

}  // namespace stepwise::tasks
