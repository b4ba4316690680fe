// The execution operations: request checks in AWS's order and wording, and AWS's answer shapes.
// The live machinery they drive is in executions.cpp.
#include <algorithm>
#include <string_view>

#include "api/protocol.h"
#include "asl/validate.h"
#include "sfn/executions.h"
#include "sfn/executions_internal.h"
#include "sfn/registry_rules.h"

namespace stepwise::sfn {
namespace {

using rules::Violations;

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

// Jackson's words for text that is not JSON, as AWS quotes them in InvalidExecutionInput. The
// ASL validator already speaks Jackson for definitions; its diagnostic ends with " at [Source:
// ...]" which AWS does not repeat for inputs.
std::string jackson_message(std::string_view text, const std::string& fallback) {
  for (const asl::Diagnostic& d : asl::validate_text(text)) {
    if (d.code != "INVALID_JSON_DESCRIPTION") continue;
    std::string m = d.message;
    std::size_t at = m.find("\n at ");
    return at == std::string::npos ? m : m.substr(0, at);
  }
  return fallback;
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

// The fields DescribeExecution and ListExecutions' items share, in AWS's order.
json::object execution_summary(const store::ExecutionRecord& r) {
  json::object o;
  o["executionArn"] = r.arn;
  o["stateMachineArn"] = r.state_machine_arn;
  o["name"] = r.name;
  o["status"] = r.status;
  o["startDate"] = date(r.start_ms);
  if (r.stop_ms != 0 && r.status != "RUNNING") o["stopDate"] = date(r.stop_ms);
  return o;
}

json::object describe_json(const store::ExecutionRecord& r, Millis now_ms) {
  json::object o = execution_summary(r);
  o["input"] = r.input;
  o["inputDetails"] = json::object{{"included", true}};
  if (r.output) {
    o["output"] = *r.output;
    o["outputDetails"] = json::object{{"included", true}};
  }
  if (r.error) o["error"] = *r.error;
  if (r.cause) o["cause"] = *r.cause;
  if (!r.version_arn.empty()) o["stateMachineVersionArn"] = r.version_arn;
  if (!r.alias_arn.empty()) o["stateMachineAliasArn"] = r.alias_arn;
  if (!r.trace_header.empty()) o["traceHeader"] = r.trace_header;
  o["redriveCount"] = r.redrive_count;
  std::string reason;
  o["redriveStatus"] = redrive_status(r, now_ms, &reason);
  if (!reason.empty()) o["redriveStatusReason"] = reason;
  if (r.redrive_ms != 0) o["redriveDate"] = date(r.redrive_ms);
  return o;
}

json::object list_item_json(const store::ExecutionRecord& r) {
  json::object o = execution_summary(r);
  if (!r.version_arn.empty()) o["stateMachineVersionArn"] = r.version_arn;
  if (!r.alias_arn.empty()) o["stateMachineAliasArn"] = r.alias_arn;
  o["redriveCount"] = r.redrive_count;
  if (r.redrive_ms != 0) o["redriveDate"] = date(r.redrive_ms);
  return o;
}

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

// maxResults and nextToken of ListExecutions / GetExecutionHistory.
struct PageRequest {
  std::size_t limit = execution_limits::execution_page_default;
  std::optional<std::string> token;
};

Result<PageRequest> page_request(const json::value& request, Violations& v) {
  PageRequest p;
  auto max = rules::integer_field(request, "maxResults");
  if (!max) return max.error();
  if (*max) {
    if (**max > execution_limits::execution_page_max) {
      v.add("maxResults", std::to_string(**max),
            "Member must have value less than or equal to " +
                std::to_string(execution_limits::execution_page_max));
    } else if (**max < 0) {
      v.add("maxResults", std::to_string(**max), "Member must have value greater than or equal to 0");
    } else if (**max > 0) {
      p.limit = static_cast<std::size_t>(**max);
    }
  }
  auto token = rules::string_field(request, "nextToken");
  if (!token) return token.error();
  if (*token) {
    if ((*token)->size() > execution_limits::execution_token_chars_max) {
      v.add("nextToken", **token,
            "Member must have length less than or equal to " +
                std::to_string(execution_limits::execution_token_chars_max));
    } else if ((*token)->empty()) {
      v.add("nextToken", **token, "Member must have length greater than or equal to 1");
    }
    p.token = **token;
  }
  return p;
}

constexpr std::string_view kStatuses[] = {"SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE",
                                          "ABORTED",   "FAILED",    "RUNNING"};

// Events without their payloads (includeExecutionData=false): AWS then leaves out inputs and
// outputs but keeps everything else.
void strip_execution_data(json::value& event) {
  for (auto& kv : event.as_object()) {
    if (!kv.value().is_object()) continue;
    json::object& details = kv.value().as_object();
    details.erase("input");
    details.erase("output");
  }
}

}  // namespace

// ---------------------------------------------------------------------------- StartExecution

struct Executions::Started {
  std::unique_ptr<Live> live;     // to launch, or
  std::optional<store::ExecutionRecord> existing;  // a Standard execution of that name exists
  json::value input;
};

Result<Executions::Started> Executions::prepare_start(const json::value& request, bool sync) {
  Violations v;
  auto arn_text = rules::string_field(request, "stateMachineArn");
  auto name = rules::string_field(request, "name");
  auto input = rules::string_field(request, "input");
  auto trace = rules::string_field(request, "traceHeader");
  for (const auto* r : {&arn_text, &name, &input, &trace})
    if (!*r) return r->error();
  if (!*arn_text) v.add("stateMachineArn", std::nullopt, "Member must not be null");
  if (*name && rules::code_points(**name) > stepwise::limits::name_chars_max)
    v.add("name", **name, "Member must have length less than or equal to 80");
  if (*name && (*name)->empty()) v.add("name", **name, "Member must have length greater than or equal to 1");
  if (*input && (*input)->size() > execution_limits::execution_input_bytes_max) {
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
  std::string machine_arn = **arn_text;
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
  const std::string exec_name = *name ? **name : ids_.uuid_v4();
  if (!rules::is_valid_resource_name(exec_name))
    return Error{"InvalidName", "Invalid Name: '" + exec_name + "'"};
  const std::string input_text = *input ? **input : "{}";
  auto value = json::parse(input_text);
  if (!value) {
    return Error{"InvalidExecutionInput",
                 "Invalid State Machine Execution Input: '" +
                     jackson_message(input_text, value.error().cause) + "'"};
  }
  const Place& place = registry_.place();
  const std::string prefix = "arn:aws:states:" + place.region + ":" + place.account + ":";
  const bool express = resolved->type == "EXPRESS";
  std::string arn = prefix + (express ? "express:" : "execution:") + resolved->name + ":" + exec_name;
  if (express) arn += ":" + ids_.uuid_v4();

  Started started;
  if (!express) {
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
  auto runner = runner_for(resolved->name, test_case);
  if (!runner) return runner.error();

  store::ExecutionRecord rec;
  rec.arn = arn;
  rec.name = exec_name;
  rec.state_machine_arn = resolved->state_machine_arn;
  rec.version_arn = resolved->version_arn;
  rec.alias_arn = resolved->alias_arn;
  rec.type = resolved->type;
  rec.input = input_text;
  rec.start_ms = loop_.clock().now_ms();
  while (rec.seed == 0) rec.seed = ids_.next_u64();
  // Express rows are never stored or described: spare the definition's copy on the hot path.
  if (!express) rec.definition = resolved->definition;
  rec.role_arn = resolved->role_arn;
  if (*trace) rec.trace_header = **trace;
  rec.test_case = test_case;
  started.live = make_live(std::move(rec), resolved->machine, resolved->logging_configuration);
  started.live->runner = *runner;
  if (!test_case.empty()) started.live->mock = static_cast<tasks::MockRunner*>(*runner);
  started.input = std::move(*value);
  return started;
}

void Executions::start_execution(const json::value& request, api::Reply reply) {
  auto started = prepare_start(request, /*sync=*/false);
  if (!started) return reply(rules::to_api_error(started.error()));
  if (const auto& e = started->existing) {
    // The same name and input while it runs is the same start; anything else is refused.
    if (e->status == "RUNNING" && e->input == (rules::string_field(request, "input").value()
                                                   .value_or("{}"))) {
      return reply(json::object{{"executionArn", e->arn}, {"startDate", date(e->start_ms)}});
    }
    return reply(error("ExecutionAlreadyExists", "Execution Already Exists: '" + e->arn + "'"));
  }
  std::unique_ptr<Live> live = std::move(started->live);
  Live& l = *live;
  const std::string arn = l.rec.arn;
  const Millis start_ms = l.rec.start_ms;
  if (!l.express()) running_delta(l.rec.state_machine_arn, +1);
  live_.emplace(arn, std::move(live));
  begin(l, started->input, [arn, start_ms, reply = std::move(reply)](const Status& st) {
    if (!st.ok()) return reply(api::ApiError::internal("The execution could not be stored: " +
                                                       st.error().cause));
    reply(json::object{{"executionArn", arn}, {"startDate", date(start_ms)}});
  });
}

void Executions::start_sync_execution(const json::value& request, api::Reply reply) {
  auto started = prepare_start(request, /*sync=*/true);
  if (!started) return reply(rules::to_api_error(started.error()));
  std::unique_ptr<Live> live = std::move(started->live);
  if (!live) return reply(api::ApiError::internal("An Express start found an execution"));
  Live& l = *live;
  l.on_finish.push_back([reply = std::move(reply)](const ExecutionOutcome& out) {
    reply(sync_json(out.record));
  });
  const std::string arn = l.rec.arn;
  live_.emplace(arn, std::move(live));
  begin(l, started->input, {});
}

// ---------------------------------------------------------------------------- nested starts

Result<StartedChild> Executions::start_child(const ChildStart& child, ChildClosed on_close) {
  json::object request{{"stateMachineArn", child.state_machine_arn},
                       {"name", child.name},
                       {"input", child.input}};
  if (!child.trace_header.empty()) request["traceHeader"] = child.trace_header;
  auto started = prepare_start(request, /*sync=*/false);
  if (!started) return started.error();
  if (const auto& e = started->existing) {
    // A Task re-issued after a restart finds the child it started before: re-attach to it.
    if (e->parent_arn != child.parent_arn || e->input != child.input)
      return Error{"ExecutionAlreadyExists", "Execution Already Exists: '" + e->arn + "'"};
    if (on_close) {
      wake(e->arn);  // a dormant child must be in memory to tell its parent when it ends
      if (auto it = live_.find(e->arn); it != live_.end()) {
        it->second->on_finish.push_back(
            [on_close](const ExecutionOutcome& out) { on_close(out.record); });
      } else if (e->status != "RUNNING") {
        loop_.post([on_close, rec = *e] { on_close(rec); });
      }
    }
    return StartedChild{e->arn, e->start_ms};
  }
  std::unique_ptr<Live> live = std::move(started->live);
  Live& l = *live;
  l.rec.parent_arn = child.parent_arn;
  if (on_close) {
    l.on_finish.push_back([on_close](const ExecutionOutcome& out) { on_close(out.record); });
  }
  StartedChild answer{l.rec.arn, l.rec.start_ms};
  if (!l.express()) running_delta(l.rec.state_machine_arn, +1);
  live_.emplace(answer.execution_arn, std::move(live));
  begin(l, started->input, {});
  return answer;
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
  for (const auto& [task_id, sent] : l.tasks) {
    if (sent.get() == &request || (!request.task_id.empty() && sent->task_id == request.task_id)) {
      id = task_id;
      break;
    }
  }
  if (!id) return;
  engine::StepEvent ev;
  switch (p.kind) {
    case TaskProgress::Kind::kHeartbeat: ev.kind = engine::StepEvent::Kind::kHeartbeat; break;
    case TaskProgress::Kind::kSubmitted: ev.kind = engine::StepEvent::Kind::kTaskSubmitted; break;
    case TaskProgress::Kind::kStarted: ev.kind = engine::StepEvent::Kind::kTaskStarted; break;
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
  if (!arn || !v.empty()) return reply(arn ? api::Response(v.error()) : arn_failure(arn.error(), v));
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
    if (!st.ok()) return reply(api::ApiError::internal("The stop could not be stored: " +
                                                       st.error().cause));
    auto rec = store_.get_execution(text);
    const bool read = rec.ok() && rec->has_value();  // else the stop is durable: answer now
    reply(json::object{{"stopDate", date(read ? (*rec)->stop_ms : loop_.clock().now_ms())}});
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
  if (live_.count(rec->arn) > 0 ||
      redrive_status(*rec, now, &reason) != "REDRIVABLE") {
    if (reason.empty()) reason = "Execution is " + rec->status + " and cannot be redriven";
    return reply(error("ExecutionNotRedrivable", reason));
  }
  auto live = rebuild(*rec);
  if (!live) {
    return reply(api::ApiError::internal("The execution could not be rebuilt: " +
                                         live.error().cause));
  }
  Live& l = **live;
  if (!l.exec->redrive(now)) {
    return reply(error("ExecutionNotRedrivable",
                       "Execution is " + rec->status + " and cannot be redriven"));
  }
  l.rec.status = "RUNNING";
  l.rec.output.reset();
  l.rec.error.reset();
  l.rec.cause.reset();
  l.rec.stop_ms = 0;
  l.rec.redrive_count = l.exec->redrive_count();
  l.rec.redrive_ms = now;
  const std::string exec_arn = l.rec.arn;
  running_delta(l.rec.state_machine_arn, +1);
  live_.emplace(exec_arn, std::move(*live));
  step_done(l, now, encode_redrive(now), true, [now, reply = std::move(reply)](const Status& st) {
    if (!st.ok()) return reply(api::ApiError::internal("The redrive could not be stored: " +
                                                       st.error().cause));
    reply(json::object{{"redriveDate", date(now)}});
  });
}

// ---------------------------------------------------------------------------- reads

api::Response Executions::describe_execution(const json::value& request) {
  Violations v;
  auto arn = execution_arn(request, v);
  if (!arn) return arn_failure(arn.error(), v);
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());
  auto& rec = *read;
  if (!rec) return execution_does_not_exist(arn->text);
  return describe_json(*rec, loop_.clock().now_ms());
}

api::Response Executions::describe_state_machine_for_execution(const json::value& request) {
  Violations v;
  auto arn = execution_arn(request, v);
  if (!arn) return arn_failure(arn.error(), v);
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());
  auto& rec = *read;
  if (!rec) return execution_does_not_exist(arn->text);
  json::object o;
  o["stateMachineArn"] = rec->version_arn.empty() ? rec->state_machine_arn : rec->version_arn;
  auto parsed = rules::parse_arn(rec->state_machine_arn);
  o["name"] = parsed ? parsed->name : rec->state_machine_arn;
  o["definition"] = rec->definition;
  o["roleArn"] = rec->role_arn;
  json::value logging = json::object{{"level", "OFF"}, {"includeExecutionData", false}};
  json::value tracing = json::object{{"enabled", false}};
  Millis update_ms = rec->start_ms;
  auto machine = registry_.machine(rec->state_machine_arn);
  if (!machine.ok()) return rules::to_api_error(machine.error());
  if (auto& m = *machine) {
    if (m->logging_configuration.is_object()) logging = m->logging_configuration;
    if (m->tracing_configuration.is_object()) tracing = m->tracing_configuration;
    update_ms = m->updated_ms != 0 ? m->updated_ms : m->created_ms;
    if (m->definition == rec->definition && !m->revision_id.empty()) o["revisionId"] = m->revision_id;
  }
  o["updateDate"] = date(update_ms);
  o["loggingConfiguration"] = logging;
  o["tracingConfiguration"] = tracing;
  return o;
}

api::Response Executions::list_executions(const json::value& request) {
  Violations v;
  auto arn_text = rules::string_field(request, "stateMachineArn");
  auto status = rules::string_field(request, "statusFilter");
  if (!arn_text) return rules::to_api_error(arn_text.error());
  if (!status) return rules::to_api_error(status.error());
  auto page = page_request(request, v);
  if (!page) return rules::to_api_error(page.error());
  if (*status && std::find(std::begin(kStatuses), std::end(kStatuses), **status) == std::end(kStatuses)) {
    v.add("statusFilter", **status,
          "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, "
          "FAILED, RUNNING]");
  }
  if (!v.empty()) return v.error();
  if (!*arn_text) {
    if (request.is_object() && request.as_object().contains("mapRunArn"))
      return error("ResourceNotFound", "Resource not found: Stepwise runs no Distributed Map runs");
    return error("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
  }
  auto parsed = rules::parse_arn(**arn_text);
  if (!parsed) return rules::to_api_error(parsed.error());
  if (parsed->type != "stateMachine") return rules::wrong_resource_type(*parsed);
  auto resolved = registry_.resolve(**arn_text);
  if (!resolved) return rules::to_api_error(resolved.error());
  if (resolved->type == "EXPRESS") return type_not_supported();

  store::ExecutionQuery q;
  q.state_machine_arn = resolved->state_machine_arn;
  if (!parsed->qualifier.empty()) {
    if (parsed->is_version()) q.version_arn = parsed->text;
    else q.alias_arn = parsed->text;
  }
  if (*status) q.status = **status;
  const std::string list = "executions:" + parsed->text + ":" + q.status;
  if (page->token) {
    auto pos = rules::decode_token(list, *page->token);
    if (!pos) return rules::to_api_error(pos.error());
    q.after_arn = pos->after_key;
  }
  q.limit = page->limit + 1;
  auto read = store_.list_executions(q);
  if (!read.ok()) return rules::to_api_error(read.error());
  const std::vector<store::ExecutionRecord>& rows = *read;
  json::array items;
  for (std::size_t i = 0; i < rows.size() && i < page->limit; ++i) items.push_back(list_item_json(rows[i]));
  json::object o;
  o["executions"] = std::move(items);
  if (rows.size() > page->limit) o["nextToken"] = rules::encode_token(list, rows[page->limit - 1].arn, 0);
  return o;
}

api::Response Executions::get_execution_history(const json::value& request) {
  Violations v;
  auto arn = execution_arn(request, v);
  auto reverse = rules::bool_field(request, "reverseOrder");
  auto data = rules::bool_field(request, "includeExecutionData");
  if (!reverse) return rules::to_api_error(reverse.error());
  if (!data) return rules::to_api_error(data.error());
  auto page = page_request(request, v);
  if (!page) return rules::to_api_error(page.error());
  if (!arn || !v.empty()) return arn ? api::Response(v.error()) : arn_failure(arn.error(), v);
  auto read = store_.get_execution(arn->text);
  if (!read.ok()) return rules::to_api_error(read.error());
  auto& rec = *read;
  if (!rec) return execution_does_not_exist(arn->text);
  store::HistoryQuery q;
  q.execution_arn = arn->text;
  q.reverse = reverse->value_or(false);
  const std::string list = std::string("history:") + (q.reverse ? "r:" : "f:") + arn->text;
  if (page->token) {
    auto pos = rules::decode_token(list, *page->token);
    if (!pos) return rules::to_api_error(pos.error());
    q.after_id = static_cast<std::int64_t>(pos->position);
  }
  q.limit = page->limit + 1;
  auto read_events = store_.history(q);
  if (!read_events.ok()) return rules::to_api_error(read_events.error());
  const std::vector<engine::HistoryEvent>& events = *read_events;
  const bool include_data = data->value_or(true);
  json::array out;
  for (std::size_t i = 0; i < events.size() && i < page->limit; ++i) {
    json::value e = events[i].to_json();
    if (!include_data) strip_execution_data(e);
    out.push_back(std::move(e));
  }
  json::object o;
  o["events"] = std::move(out);
  if (events.size() > page->limit) {
    const std::int64_t last = events[page->limit - 1].id;
    o["nextToken"] = rules::encode_token(list, std::to_string(last), static_cast<std::size_t>(last));
  }
  return o;
}

}  // namespace stepwise::sfn
