// The execution operations: request checks in AWS's order and wording, and AWS's answer shapes.
// The live machinery they drive is in executions.cpp.
#include <algorithm>
#include <string_view>

#include "api/protocol.h"
#include "asl/validate.h"
#include "base/arn.h"
#include "sfn/executions.h"
#include "sfn/executions_internal.h"
#include "sfn/registry_rules.h"

namespace stepwise::sfn {
namespace {

using rules::Violations;
using namespace detail;

// StartSyncExecution's answer (AWS bills Express in 100 ms steps, 64 MB minimum).
json::object sync_json(const store::ExecutionRecord& r) {
  json::object o;
  o["executionArn"] = r.arn;
  o["stateMachineArn"] = r.state_machine_arn;
  o["name"] = r.name;
  o["startDate"] = date(r.start_ms);
  o["stopDate"] = date(r.stop_ms);
  o["status"] = r.status;
  o["input"] = r.input;
  o["inputDetails"] = json::object{{"included", true}};
  if (r.output) o["output"] = *r.output;
  o["outputDetails"] = json::object{{"included", true}};
  if (r.error) o["error"] = *r.error;
  if (r.cause) o["cause"] = *r.cause;
  const Millis ms = std::max<Millis>(r.stop_ms - r.start_ms, 1);
  o["billingDetails"] = json::object{{"billedMemoryUsedInMB", 64},
                                     {"billedDurationInMilliseconds", (ms + 99) / 100 * 100}};
  return o;
}

}  // namespace

namespace detail {

api::ApiError error(std::string type, std::string message) {
  return api::ApiError{std::move(type), std::move(message), 400};
}

api::ApiError execution_does_not_exist(const std::string& arn) {
  return error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
}

api::ApiError type_not_supported() {
  return error("StateMachineTypeNotSupported",
               "This operation is not supported by this type of state machine");
}

// An execution ARN from a request field: InvalidArn unless it names a Standard execution.
Result<rules::Arn> execution_arn(const json::value& request, Violations& v) {
  auto text = rules::string_field(request, "executionArn");
  if (!text) return text.error();
  if (!*text) {
    v.add("executionArn", std::nullopt, "Member must not be null");
    return Error{"", ""};
  }
  auto arn = rules::parse_arn(**text);
  if (!arn) return arn.error();
  if (arn->type != "execution" || arn->qualifier.empty()) {
    auto e = rules::wrong_resource_type(*arn);
    if (arn->type == "execution") e = error("InvalidArn", "Invalid Arn: '" + arn->text + "'");
    return Error{e.type, e.message};
  }
  return arn;
}

// Turns a failed execution_arn() into the response: collected violations first.
api::Response arn_failure(const Error& e, const Violations& v) {
  if (!v.empty()) return v.error();
  return rules::to_api_error(e);
}

json::value date(Millis t) { return api::epoch_seconds(t); }

std::string redrive_status(const store::ExecutionRecord& r, Millis now_ms, std::string* reason) {
  if (r.status == "RUNNING" || r.status == "SUCCEEDED" || r.status == "PENDING_REDRIVE") {
    *reason = "Execution is " + r.status + " and cannot be redriven";
    return "NOT_REDRIVABLE";
  }
  if (r.stop_ms != 0 && now_ms - r.stop_ms > execution_limits::redrive_window_ms) {
    *reason = "Execution can be redriven only within 14 days of closing";
    return "NOT_REDRIVABLE";
  }
  return "REDRIVABLE";
}

}  // namespace detail

// ---------------------------------------------------------------------------- StartExecution

struct Executions::Started {
  std::unique_ptr<Live> live;                      // to launch, or
  std::optional<store::ExecutionRecord> existing;  // a Standard execution of that name exists
  json::value input;
};

std::string Executions::IdDraw::uuid() {
  if (mu == nullptr) return ids.uuid_v4();
  base::MutexLock lock(*mu);
  return ids.uuid_v4();
}

std::uint64_t Executions::IdDraw::u64() {
  if (mu == nullptr) return ids.next_u64();
  base::MutexLock lock(*mu);
  return ids.next_u64();
}

Result<StartRequest> start_request(const json::value& body) {
  auto arn_text = rules::string_field(body, "stateMachineArn");
  auto name = rules::string_field(body, "name");
  auto input = rules::string_field(body, "input");
  auto trace = rules::string_field(body, "traceHeader");
  for (const auto* r : {&arn_text, &name, &input, &trace})
    if (!*r) return r->error();
  StartRequest out;
  out.state_machine_arn = std::move(*arn_text);
  out.name = std::move(*name);
  out.input = std::move(*input);
  if (*trace) out.trace_header = std::move(**trace);
  return out;
}

Result<Executions::Checked> Executions::check_start(const StartRequest& request, bool sync,
                                                    IdDraw& ids) {
  Violations v;
  const auto& arn_text = request.state_machine_arn;
  const auto& name = request.name;
  const auto& input = request.input;
  if (!arn_text) v.add("stateMachineArn", std::nullopt, "Member must not be null");
  if (name && rules::code_points(*name) > stepwise::limits::name_chars_max)
    v.add("name", *name, "Member must have length less than or equal to 80");
  if (name && name->empty())
    v.add("name", *name, "Member must have length greater than or equal to 1");
  if (input && input->size() > execution_limits::execution_input_bytes_max) {
    v.add("input", std::nullopt,
          "Member must have length less than or equal to " +
              std::to_string(execution_limits::execution_input_bytes_max),
          /*sensitive=*/true);
  }
  if (!v.empty()) {
    auto e = v.error();
    return Error{e.type, e.message};
  }
  // Step Functions Local: "<machine arn>#<test case>" runs the mock config's test case.
  std::string machine_arn = *arn_text;
  std::string test_case;
  if (auto hash = machine_arn.find('#'); hash != std::string::npos) {
    test_case = machine_arn.substr(hash + 1);
    machine_arn.resize(hash);
  }
  auto parsed = rules::parse_arn(machine_arn);
  if (!parsed) return parsed.error();
  if (parsed->type != "stateMachine") {
    auto e = rules::wrong_resource_type(*parsed);
    return Error{e.type, e.message};
  }
  auto resolved = registry_.resolve(machine_arn);
  if (!resolved) return resolved.error();
  if (sync && resolved->type != "EXPRESS") {
    auto e = type_not_supported();
    return Error{e.type, e.message};
  }
  const std::string exec_name = name ? *name : ids.uuid();
  if (!rules::is_valid_resource_name(exec_name))
    return Error{"InvalidName", "Invalid Name: '" + exec_name + "'"};
  const std::string input_text = input ? *input : "{}";
  auto value = json::parse(input_text);
  if (!value) {
    return Error{"InvalidExecutionInput",
                 "Invalid State Machine Execution Input: '" +
                     asl::json_syntax_message(input_text, value.error().cause) + "'"};
  }
  const Place& place = registry_.place();
  const std::string prefix = arn::prefix("states", place.region, place.account);
  const bool express = resolved->type == "EXPRESS";
  std::string arn =
      prefix + (express ? "express:" : "execution:") + resolved->name + ":" + exec_name;
  if (express) arn += ":" + ids.uuid();
  return Checked{std::move(*resolved), exec_name, input_text, std::move(*value), std::move(arn),
                 std::move(test_case), express};
}

store::ExecutionRecord Executions::new_record(const Checked& c, const StartRequest& request,
                                              IdDraw& ids) {
  store::ExecutionRecord rec;
  rec.arn = c.arn;
  rec.name = c.name;
  rec.state_machine_arn = c.resolved.state_machine_arn;
  rec.version_arn = c.resolved.version_arn;
  rec.alias_arn = c.resolved.alias_arn;
  rec.type = c.resolved.type;
  rec.input = c.input_text;
  rec.start_ms = loop_.clock().now_ms();
  while (rec.seed == 0) rec.seed = ids.u64();
  // Express rows are never stored or described: spare the definition's copy on the hot path.
  if (!c.express) rec.definition = c.resolved.definition;
  rec.role_arn = c.resolved.role_arn;
  rec.trace_header = request.trace_header;
  rec.parent_arn = request.parent_arn;
  rec.test_case = c.test_case;
  return rec;
}

Result<Executions::Checked> Executions::check_here(const StartRequest& request, bool sync) {
  IdDraw ids{here_ids_, &here_ids_mu_};
  return check_start(request, sync, ids);
}

store::ExecutionRecord Executions::record_here(const Checked& checked,
                                               const StartRequest& request) {
  IdDraw ids{here_ids_, &here_ids_mu_};
  return new_record(checked, request, ids);
}

Result<Executions::Started> Executions::prepare_start(const StartRequest& request, bool sync) {
  IdDraw ids{ids_, nullptr};
  auto checked = check_start(request, sync, ids);
  if (!checked) return checked.error();
  return prepare_checked(*checked, request, ids, std::nullopt);
}

Result<Executions::Started> Executions::prepare_checked(Checked& c, const StartRequest& request,
                                                        IdDraw& ids,
                                                        std::optional<store::ExecutionRecord> rec) {
  const std::string& arn = c.arn;
  Started started;
  if (!c.express) {
    // Names are unique per machine: the caller decides what an existing one means.
    if (auto it = live_.find(arn); it != live_.end()) started.existing = it->second->rec;
    if (!started.existing) {
      auto read = store_.get_execution(arn);
      if (!read.ok()) return std::move(read).error();  // Store.*: InternalFailure
      started.existing = std::move(*read);
    }
    if (started.existing) return started;
  }
  if (live_.size() >= execution_limits::live_executions_max)
    return Error{"ExecutionLimitExceeded", "Execution Limit Exceeded: '" + arn + "'"};
  auto runner = runner_for(c.resolved.name, c.test_case);
  if (!runner) return runner.error();
  started.live = make_live(rec ? std::move(*rec) : new_record(c, request, ids), c.resolved.machine,
                           c.resolved.logging_configuration);
  started.live->in_flight.runner = *runner;
  if (!c.test_case.empty()) started.live->mock = static_cast<tasks::MockRunner*>(*runner);
  started.input = std::move(c.input);
  return started;
}

void Executions::start_execution(const json::value& body, api::Reply reply) {
  auto request = start_request(body);
  if (!request) return reply(rules::to_api_error(request.error()));
  start_execution(*request, std::move(reply));
}

void Executions::start_execution(const StartRequest& request, api::Reply reply) {
  launch(prepare_start(request, /*sync=*/false), request, std::move(reply));
}

void Executions::start_checked(Checked checked, const StartRequest& request, api::Reply reply) {
  IdDraw ids{ids_, nullptr};
  launch(prepare_checked(checked, request, ids, std::nullopt), request, std::move(reply));
}

void Executions::launch(Result<Started> started, const StartRequest& request, api::Reply reply) {
  if (!started) return reply(rules::to_api_error(started.error()));
  if (const auto& e = started->existing) {
    // The same name and input while it runs is the same start; anything else is refused.
    if (e->status == "RUNNING" && e->input == request.input.value_or("{}")) {
      return reply(json::object{{"executionArn", e->arn}, {"startDate", date(e->start_ms)}});
    }
    return reply(error("ExecutionAlreadyExists", "Execution Already Exists: '" + e->arn + "'"));
  }
  std::unique_ptr<Live> live = std::move(started->live);
  Live& l = *live;
  const std::string arn = l.rec.arn;
  const Millis start_ms = l.rec.start_ms;
  if (!l.express()) running_delta(l.rec.state_machine_arn, +1);
  adopt(std::move(live));
  begin(l, started->input, [arn, start_ms, reply = std::move(reply)](const Status& st) {
    if (!st.ok())
      return reply(
          api::ApiError::internal("The execution could not be stored: " + st.error().cause));
    reply(json::object{{"executionArn", arn}, {"startDate", date(start_ms)}});
  });
}

void Executions::start_sync_execution(const json::value& body, api::Reply reply) {
  auto request = start_request(body);
  if (!request) return reply(rules::to_api_error(request.error()));
  start_sync_execution(*request, std::move(reply));
}

void Executions::start_sync_execution(const StartRequest& request, api::Reply reply) {
  auto started = prepare_start(request, /*sync=*/true);
  if (!started) return reply(rules::to_api_error(started.error()));
  std::unique_ptr<Live> live = std::move(started->live);
  if (!live) return reply(api::ApiError::internal("An Express start found an execution"));
  Live& l = *live;
  l.on_finish.push_back(
      [reply = std::move(reply)](const ExecutionOutcome& out) { reply(sync_json(out.record)); });
  adopt(std::move(live));
  begin(l, started->input, {});
}

void Executions::start_sync_here(const StartRequest& request, api::Reply reply) {
  // A mock test case keeps per-execution state in the engine's runners: on the loop.
  if (request.state_machine_arn && request.state_machine_arn->find('#') != std::string::npos) {
    loop_.post([this, request, reply = std::move(reply)]() mutable {
      start_sync_execution(request, std::move(reply));
    });
    return;
  }
  auto checked = check_here(request, /*sync=*/true);
  if (!checked) return reply(rules::to_api_error(checked.error()));
  auto live = std::make_shared<std::unique_ptr<Live>>(
      make_live(record_here(*checked, request), checked->resolved.machine,
                checked->resolved.logging_configuration));
  Live& l = **live;
  const std::string arn = l.rec.arn;
  if (l.log) {
    // Its log records keep the engine's order: the whole run goes to the owner's loop.
    auto input = std::make_shared<json::value>(std::move(checked->input));
    post_to_owner(arn, [live, input, reply = std::move(reply)](Executions& owner) {
      Live& l = **live;
      l.in_flight.runner = &owner.router_;
      l.on_finish.push_back([reply](const ExecutionOutcome& out) { reply(sync_json(out.record)); });
      owner.adopt(std::move(*live));
      owner.begin(l, *input, {});
    });
    return;
  }
  // The first step, here: an execution of Pass and Choice states ends in it.
  l.exec->start(std::move(checked->input), l.rec.start_ms, l.rec.input);
  sync_row(l, l.rec.start_ms);
  if (l.exec->finished()) return reply(sync_json(l.rec));
  // It waits on something outside (a task, a timer): its shard carries it on from here.
  post_to_owner(arn, [live, reply = std::move(reply)](Executions& owner) {
    Live& l = **live;
    const std::string arn = l.rec.arn;
    l.in_flight.runner = &owner.router_;
    l.on_finish.push_back([reply](const ExecutionOutcome& out) { reply(sync_json(out.record)); });
    owner.adopt(std::move(*live));
    std::vector<engine::Command> commands;
    commands.swap(l.exec->commands());
    owner.dispatch(l, commands);
    owner.maybe_finish(arn);
  });
}

void Executions::post_to_owner(const std::string& arn, std::function<void(Executions&)> fn) {
  if (owner_of_) return owner_of_(arn, std::move(fn));
  loop_.post([this, fn = std::move(fn)] { fn(*this); });
}

// ---------------------------------------------------------------------------- nested starts

Result<StartedChild> Executions::start_child(const StartRequest& child, ChildClosed on_close) {
  return adopt_child(prepare_start(child, /*sync=*/false), child, std::move(on_close));
}

Result<StartedChild> Executions::start_child_checked(Checked checked, const StartRequest& child,
                                                     ChildClosed on_close) {
  IdDraw ids{ids_, nullptr};
  return adopt_child(prepare_checked(checked, child, ids, std::nullopt), child,
                     std::move(on_close));
}

void Executions::launch_child(Checked checked, const StartRequest& child,
                              store::ExecutionRecord rec, ChildClosed on_close) {
  IdDraw ids{ids_, nullptr};
  auto started = adopt_child(prepare_checked(checked, child, ids, std::move(rec)), child, on_close);
  if (!started && on_close) {
    // The parent was already told the child started (its row was made on the parent's shard):
    // a refusal here closes the child as failed, so a waiting parent does not wait forever.
    store::ExecutionRecord failed;
    failed.arn = checked.arn;
    failed.name = checked.name;
    failed.state_machine_arn = checked.resolved.state_machine_arn;
    failed.status = "FAILED";
    failed.error = started.error().name;
    failed.cause = started.error().cause;
    failed.input = checked.input_text;
    on_close(failed);
  }
}

Result<StartedChild> Executions::adopt_child(Result<Started> started, const StartRequest& child,
                                             ChildClosed on_close) {
  if (!started) return started.error();
  if (const auto& e = started->existing) {
    // A Task re-issued after a restart finds the child it started before: re-attach to it.
    if (e->parent_arn != child.parent_arn || e->input != child.input.value_or("{}"))
      return Error{"ExecutionAlreadyExists", "Execution Already Exists: '" + e->arn + "'"};
    if (on_close) attach_child(e->arn, std::move(on_close), &*e);
    return StartedChild{e->arn, e->start_ms};
  }
  std::unique_ptr<Live> live = std::move(started->live);
  Live& l = *live;
  if (on_close) {
    l.on_finish.push_back([on_close](const ExecutionOutcome& out) { on_close(out.record); });
  }
  StartedChild answer{l.rec.arn, l.rec.start_ms};
  if (!l.express()) running_delta(l.rec.state_machine_arn, +1);
  adopt(std::move(live));
  begin(l, started->input, {});
  return answer;
}

void Executions::attach_child(const std::string& arn, ChildClosed on_close,
                              const store::ExecutionRecord* known) {
  wake(arn);  // a dormant child must be in memory to tell its parent when it ends
  if (auto it = live_.find(arn); it != live_.end()) {
    it->second->on_finish.push_back(
        [on_close](const ExecutionOutcome& out) { on_close(out.record); });
    return;
  }
  std::optional<store::ExecutionRecord> rec;
  if (known != nullptr) rec = *known;
  if (!rec || rec->status == "RUNNING") {
    auto read = store_.get_execution(arn);
    if (!read.ok()) {
      // Not "no such child": the parent waits; a restart re-issues its Task, which re-attaches.
      report(log_, "stepwise: could not read the child execution " + arn + " (" +
                       read.error().cause + "); its parent waits until the next start");
      return;
    }
    rec = std::move(*read);
  }
  if (rec && rec->status != "RUNNING") loop_.post([on_close, rec = *rec] { on_close(rec); });
}

void Executions::stop_child(const std::string& execution_arn) {
  engine::StepEvent ev;
  ev.kind = engine::StepEvent::Kind::kStop;
  deliver(execution_arn, std::move(ev));
}

void Executions::progress(const tasks::TaskRequest& request, const TaskProgress& p) {
  auto it = live_.find(request.execution_arn);
  if (it == live_.end()) return;
  Live& l = *it->second;
  std::optional<std::uint64_t> id;
  for (const auto& [task_id, sent] : l.in_flight.tasks) {
    if (sent.get() == &request || (!request.task_id.empty() && sent->task_id == request.task_id)) {
      id = task_id;
      break;
    }
  }
  if (!id) return;
  engine::StepEvent ev;
  switch (p.kind) {
    case TaskProgress::Kind::kHeartbeat:
      ev.kind = engine::StepEvent::Kind::kHeartbeat;
      break;
    case TaskProgress::Kind::kSubmitted:
      ev.kind = engine::StepEvent::Kind::kTaskSubmitted;
      break;
    case TaskProgress::Kind::kStarted:
      ev.kind = engine::StepEvent::Kind::kTaskStarted;
      break;
  }
  ev.id = *id;
  if (p.kind == TaskProgress::Kind::kStarted) {
    if (p.worker_name) ev.output = json::value(*p.worker_name);
  } else {
    ev.output = p.output;
  }
  deliver(request.execution_arn, std::move(ev));
}

// ---------------------------------------------------------------------------- Stop / Redrive

void Executions::stop_execution(const json::value& request, api::Reply reply) {
  Violations v;
  auto arn = execution_arn(request, v);
  auto err = rules::string_field(request, "error");
  auto cause = rules::string_field(request, "cause");
  if (!err) return reply(rules::to_api_error(err.error()));
  if (!cause) return reply(rules::to_api_error(cause.error()));
  if (*err && rules::code_points(**err) > 256)
    v.add("error", std::nullopt, "Member must have length less than or equal to 256", true);
  if (*cause && rules::code_points(**cause) > 32768)
    v.add("cause", std::nullopt, "Member must have length less than or equal to 32768", true);
  if (!arn || !v.empty())
    return reply(arn ? api::Response(v.error()) : arn_failure(arn.error(), v));
  const std::string& text = arn->text;
  auto it = live_.find(text);
  if (it == live_.end() && wake(text)) it = live_.find(text);  // a dormant one wakes to stop
  if (it == live_.end() || it->second->exec->finished()) {
    // Closed already: AWS answers with the time it stopped.
    auto read = store_.get_execution(text);
    if (!read.ok()) return reply(rules::to_api_error(read.error()));
    auto& rec = *read;
    if (!rec) return reply(execution_does_not_exist(text));
    return reply(json::object{{"stopDate", date(rec->stop_ms)}});
  }
  engine::StepEvent ev;
  ev.kind = engine::StepEvent::Kind::kStop;
  if (*err) ev.error = **err;
  if (*cause) ev.cause = **cause;
  deliver(text, std::move(ev), [this, text, reply = std::move(reply)](const Status& st) {
    if (!st.ok())
      return reply(api::ApiError::internal("The stop could not be stored: " + st.error().cause));
    auto rec = store_.get_execution(text);
    const bool read = rec.ok() && rec->has_value();  // else the stop is durable: answer now
    reply(json::object{{"stopDate", date(read ? (*rec)->stop_ms : loop_.clock().now_ms())}});
  });
}

void Executions::update_map_run(const std::string& execution_arn, const json::value& update,
                                api::Reply reply) {
  engine::StepEvent ev;
  ev.kind = engine::StepEvent::Kind::kUpdateMapRun;
  ev.output = update;
  deliver(execution_arn, std::move(ev), [reply = std::move(reply)](const Status& st) {
    if (!st.ok())
      return reply(api::ApiError::internal("The update could not be stored: " + st.error().cause));
    reply(json::object{});
  });
}

void Executions::redrive_execution(const json::value& request, api::Reply reply) {
  Violations v;
  auto arn = execution_arn(request, v);
  if (!arn) return reply(arn_failure(arn.error(), v));
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return reply(rules::to_api_error(read.error()));
  auto& rec = *read;
  if (!rec) return reply(execution_does_not_exist(arn->text));
  std::string reason;
  const Millis now = loop_.clock().now_ms();
  if (live_.count(rec->arn) > 0 || redrive_status(*rec, now, &reason) != "REDRIVABLE") {
    if (reason.empty()) reason = "Execution is " + rec->status + " and cannot be redriven";
    return reply(error("ExecutionNotRedrivable", reason));
  }
  auto live = rebuild(*rec);
  if (!live) {
    return reply(
        api::ApiError::internal("The execution could not be rebuilt: " + live.error().cause));
  }
  Live& l = **live;
  if (!l.exec->redrive(now)) {
    return reply(
        error("ExecutionNotRedrivable", "Execution is " + rec->status + " and cannot be redriven"));
  }
  l.rec.status = "RUNNING";
  l.rec.output.reset();
  l.rec.error.reset();
  l.rec.cause.reset();
  l.rec.stop_ms = 0;
  l.rec.redrive_count = l.exec->redrive_count();
  l.rec.redrive_ms = now;
  running_delta(l.rec.state_machine_arn, +1);
  adopt(std::move(*live));
  step_done(l, now, encode_redrive(now), true, [now, reply = std::move(reply)](const Status& st) {
    if (!st.ok())
      return reply(api::ApiError::internal("The redrive could not be stored: " + st.error().cause));
    reply(json::object{{"redriveDate", date(now)}});
  });
}

}  // namespace stepwise::sfn
