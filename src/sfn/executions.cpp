// Executions: live executions, their steps, commits, commands and recovery. The operations'
// request parsing and answers are in executions_ops.cpp.
#include "sfn/executions.h"

#include <algorithm>

#include "engine/interpreter.h"
#include "sfn/execution_log.h"
#include "sfn/executions_internal.h"
#include "sfn/registry_rules.h"
#include "store/errors.h"
#include "store/paging.h"

namespace stepwise::sfn {

using engine::Command;
using engine::StepEvent;

// ---------------------------------------------------------------------------- journal entries
// A journal entry is the outside event of a step and the time it was handled: replaying it with
// handle() at that time rebuilds exactly the step that was committed.

json::value encode_redrive(Millis now_ms) {
  return json::object{{"kind", "redrive"}, {"id", 0}, {"now", now_ms}};
}

json::value encode_journal(const StepEvent& ev, Millis now_ms) {
  json::object o;
  const char* kind = "timer";
  switch (ev.kind) {
    case StepEvent::Kind::kTaskSucceeded:
      kind = "succeeded";
      break;
    case StepEvent::Kind::kTaskFailed:
      kind = "failed";
      break;
    case StepEvent::Kind::kTimerFired:
      kind = "timer";
      break;
    case StepEvent::Kind::kStop:
      kind = "stop";
      break;
    case StepEvent::Kind::kHeartbeat:
      kind = "heartbeat";
      break;
    case StepEvent::Kind::kTaskSubmitted:
      kind = "submitted";
      break;
    case StepEvent::Kind::kTaskStarted:
      kind = "started";
      break;
    case StepEvent::Kind::kTaskRedispatched:
      kind = "redispatch";
      break;
    case StepEvent::Kind::kUpdateMapRun:
      kind = "map_run_update";
      break;
  }
  o["kind"] = kind;
  o["id"] = ev.id;
  o["now"] = now_ms;
  if (ev.kind == StepEvent::Kind::kTaskSucceeded || ev.kind == StepEvent::Kind::kTaskSubmitted ||
      ev.kind == StepEvent::Kind::kTaskStarted || ev.kind == StepEvent::Kind::kUpdateMapRun)
    o["output"] = ev.output;
  if (!ev.error.empty()) o["error"] = ev.error;
  if (!ev.cause.empty()) o["cause"] = ev.cause;
  if (!ev.has_cause) o["no_cause"] = true;
  if (!ev.has_error) o["no_error"] = true;  // absent in journals written before it existed
  return o;
}

Result<JournalEvent> decode_journal(const json::value& entry) {
  const json::object* o = entry.if_object();
  if (o == nullptr) return Error{"Journal", "entry is not an object"};
  JournalEvent out;
  const json::value* kind = o->if_contains("kind");
  const json::value* id = o->if_contains("id");
  const json::value* now = o->if_contains("now");
  if (kind == nullptr || !kind->is_string() || id == nullptr || now == nullptr ||
      !json::is_number(*id) || !json::is_number(*now)) {
    return Error{"Journal", "entry lacks kind, id or now"};
  }
  const json::string& k = kind->get_string();
  if (k == "succeeded") {
    out.event.kind = StepEvent::Kind::kTaskSucceeded;
  } else if (k == "failed") {
    out.event.kind = StepEvent::Kind::kTaskFailed;
  } else if (k == "timer") {
    out.event.kind = StepEvent::Kind::kTimerFired;
  } else if (k == "stop") {
    out.event.kind = StepEvent::Kind::kStop;
  } else if (k == "heartbeat") {
    out.event.kind = StepEvent::Kind::kHeartbeat;
  } else if (k == "submitted") {
    out.event.kind = StepEvent::Kind::kTaskSubmitted;
  } else if (k == "started") {
    out.event.kind = StepEvent::Kind::kTaskStarted;
  } else if (k == "redispatch") {
    out.event.kind = StepEvent::Kind::kTaskRedispatched;
  } else if (k == "map_run_update") {
    out.event.kind = StepEvent::Kind::kUpdateMapRun;
  } else if (k == "redrive") {
    out.redrive = true;
  } else {
    return Error{"Journal", "unknown kind '" + std::string(k) + "'"};
  }
  // Exactly representable or refused: casting an out-of-range double (a damaged entry's 1e300)
  // to an integer is undefined behaviour.
  boost::system::error_code id_error;
  boost::system::error_code now_error;
  out.event.id = id->to_number<std::uint64_t>(id_error);
  out.now_ms = now->to_number<Millis>(now_error);
  if (id_error || now_error)
    return Error{"Journal", "entry's id or now is not an integer in range"};
  if (const json::value* v = o->if_contains("output")) out.event.output = *v;
  if (const json::value* v = o->if_contains("error"); v != nullptr && v->is_string())
    out.event.error = std::string(v->get_string());
  if (const json::value* v = o->if_contains("cause"); v != nullptr && v->is_string())
    out.event.cause = std::string(v->get_string());
  out.event.has_cause = o->if_contains("no_cause") == nullptr;
  out.event.has_error = o->if_contains("no_error") == nullptr;
  return out;
}

// ---------------------------------------------------------------------------- live executions

Executions::Executions(EventLoop& loop, store::ExecutionStore& store, SharedRegistry& registry,
                       IdGenerator& ids, tasks::TaskRunner& router, const tasks::MockConfig* mocks)
    : loop_(loop),
      store_(store),
      registry_(registry),
      ids_(ids),
      router_(router),
      mocks_(mocks),
      driver_(loop, *this) {}

Executions::~Executions() { shutdown(); }

void Executions::shutdown() {
  // Timers go; tasks in flight are dropped, not cancelled: a cancel means "the execution no
  // longer wants this" (a nested runner would stop the child), while a shutdown only pauses
  // everything until the next start re-issues them. Their late answers find no execution.
  for (auto& [arn, l] : live_) driver_.drop_all(l->in_flight);
  live_.clear();
  by_key_.clear();
  for (auto& [arn, timer] : dormant_) loop_.cancel(timer);
  dormant_.clear();
}

Result<tasks::TaskRunner*> Executions::runner_for(const std::string& machine_name,
                                                  const std::string& test_case) {
  if (test_case.empty()) return &router_;
  if (mocks_ == nullptr) {
    return Error{"ValidationException", "Test case '" + test_case +
                                            "' needs a mock config (--mock-config or "
                                            "SFN_MOCK_CONFIG), and none is loaded."};
  }
  const std::string key = machine_name + "#" + test_case;
  auto it = mock_runners_.find(key);
  if (it != mock_runners_.end()) return it->second.get();
  auto tc = mocks_->test_case(machine_name, test_case);
  if (!tc) return Error{"ValidationException", tc.error().cause};
  auto runner = std::make_unique<tasks::MockRunner>(std::move(*tc), &router_);
  tasks::TaskRunner* raw = runner.get();
  mock_runners_.emplace(key, std::move(runner));
  return raw;
}

std::unique_ptr<Executions::Live> Executions::make_live(
    store::ExecutionRecord rec, std::shared_ptr<const asl::StateMachine> machine,
    const json::value& logging) {
  auto l = std::make_unique<Live>();
  if (logger_ != nullptr) {
    if (auto settings = parse_logging_configuration(logging))
      l->log = std::make_shared<const LogSettings>(std::move(*settings));
  }
  l->rng = SplitMix64(rec.seed);
  // Its own stream (ExecutionInfo::sync_token_random), never the main one advanced: executions
  // journalled before `.sync` tasks had tokens replay the same.
  l->sync_rng = SplitMix64(SplitMix64(rec.seed ^ 0x5EC0DA7A5EC0DA7AULL).next());
  engine::ExecutionInfo info;
  info.execution_arn = rec.arn;
  info.execution_name = rec.name;
  info.state_machine_arn = rec.state_machine_arn;
  auto parsed = rules::parse_arn(rec.state_machine_arn);
  info.state_machine_name = parsed ? parsed->name : rec.state_machine_arn;
  info.role_arn = rec.role_arn;
  info.region = registry_.place().region;
  info.account = registry_.place().account;
  info.express = rec.type == "EXPRESS";
  // Express builds no events unless they are logged: that is most of its speed.
  info.keep_history = !info.express || l->log != nullptr;
  if (info.express) info.step_history_events_max = log_limits::step_events_max;
  // Express's 5-minute limit must arrive even in a loop of Pass states under a manual clock.
  info.transition_charge_us = loop_.clock().is_manual() ? 100 : 1;
  Live* raw = l.get();
  info.sync_token_random = [raw] { return raw->sync_rng.next(); };
  if (rec.test_case.empty()) {  // a mocked test case runs no real activity
    info.activity_exists = [this, raw](const std::string& arn) {
      if (raw->activity_check == Live::ActivityCheck::kAssume) return true;
      // A store that cannot answer is not "no such activity".
      auto a = registry_.activity(arn);
      if (!a.ok()) return true;
      if (!a->has_value()) return false;
      return raw->activity_check == Live::ActivityCheck::kLive ||
             (*a)->created_ms <= raw->activity_check_ms;
    };
  }
  l->exec = std::make_unique<engine::Execution>(std::move(machine), std::move(info),
                                                [raw] { return raw->rng.next(); });
  l->rec = std::move(rec);
  return l;
}

void Executions::running_delta(const std::string& machine_arn, std::int64_t delta) {
  registry_.add_running(machine_arn, delta);
}

// Copies what the step changed into the row.
void sync_row(Executions::Live& l, Millis now_ms) {
  store::ExecutionRecord& r = l.rec;
  r.history_count = l.exec->event_count();
  r.wake_ms = l.express() ? 0 : l.exec->wake_time().value_or(0);
  if (!l.exec->finished() || r.stop_ms != 0) return;
  r.status = l.exec->status();
  if (l.exec->output()) r.output = json::dump(*l.exec->output());
  r.error = l.exec->error();
  r.cause = l.exec->cause();
  r.stop_ms = now_ms;
}

void Executions::begin(Live& l, const json::value& input, StepAfter after) {
  l.exec->start(input, l.rec.start_ms, l.rec.input);
  step_done(l, l.rec.start_ms, json::value(), false, std::move(after));
}

// An outside event after which the execution makes a state transition (a task's or a timer's
// end), as opposed to progress reports (heartbeat, submitted, started, redispatch) and stops.
static bool moves_on(const StepEvent& ev) {
  return ev.kind == StepEvent::Kind::kTaskSucceeded || ev.kind == StepEvent::Kind::kTaskFailed ||
         ev.kind == StepEvent::Kind::kTimerFired;
}

void Executions::deliver(const std::string& arn, StepEvent ev, StepAfter after) {
  auto it = live_.find(arn);
  if (it == live_.end() && wake(arn)) it = live_.find(arn);
  if (it == live_.end() || it->second->exec->finished()) {
    if (after) after(ok_status());
    return;
  }
  Live& l = *it->second;
  const Millis now = loop_.clock().now_ms();
  const bool durable = !l.express();
  if (durable && moves_on(ev) && registry_.deleting(l.rec.state_machine_arn)) {
    // AWS (DeleteStateMachine): "On the next state transition, the state machine's executions
    // are terminated." The event that would move it on stops it instead, and the journal keeps
    // the stop, so a replay terminates it at the same point.
    ev = StepEvent{};
    ev.kind = StepEvent::Kind::kStop;
  }
  json::value journal = durable ? encode_journal(ev, now) : json::value();
  l.exec->handle(std::move(ev), now);
  step_done(l, now, std::move(journal), durable, std::move(after));
}

void Executions::step_done(Live& l, Millis now_ms, json::value journal, bool has_journal,
                           StepAfter after) {
  sync_row(l, now_ms);
  std::vector<Command> commands;
  commands.swap(l.exec->commands());
  const std::string arn = l.rec.arn;
  if (l.express()) {
    if (l.log) logger_->log(l.log, arn, l.rec.redrive_count, l.exec->history());
    l.exec->history().clear();
    dispatch(l, commands);
    if (after) after(ok_status());
    maybe_finish(arn);
    return;
  }
  store::StepRecord step;
  l.exec->take_map_run_changes(step.map_runs, step.map_run_children);
  // An event the engine ignored (a stale timer or task) changed nothing: nothing to commit.
  if (l.exec->history().empty() && commands.empty() && !after && !l.exec->finished() &&
      step.map_runs.empty())
    return;
  if (has_journal) {
    // Not the first step (only begin() commits without a journal entry): the store keeps the
    // input and definition its first step wrote (store.h), so these texts, the largest of the
    // row, are not copied again.
    std::string input = std::move(l.rec.input);
    std::string definition = std::move(l.rec.definition);
    step.execution = l.rec;
    l.rec.input = std::move(input);
    l.rec.definition = std::move(definition);
  } else {
    // The first step takes the definition to the store; the live execution never reads it
    // again (a rebuild reads the row), so memory does not keep a copy per execution.
    std::string definition = std::move(l.rec.definition);
    step.execution = l.rec;
    step.execution.definition = std::move(definition);
  }
  step.events = std::move(l.exec->history());
  l.exec->history().clear();
  step.journal = std::move(journal);
  step.has_journal = has_journal;
  l.uncommitted.push_back(Live::Pending{std::move(commands), std::move(after), {}});
  // Standard logs a step once it is durable (committed()): a step lost to a failed commit runs
  // again after the restart, and would otherwise be logged twice.
  if (l.log) {
    for (const engine::HistoryEvent& e : step.events)
      if (level_logs(l.log->level, e.type)) l.uncommitted.back().logged.push_back(e);
  }
  l.held.push_back(std::move(step));
  if (l.in_store == 0 && !l.gathering) send_held(l);
}

void Executions::send_held(Live& l) {
  // One commit of an execution at a time: were step N+1 sent while N is in flight, a failure of
  // N (a transient I/O error) could leave N+1 to be written after a gap in the history. Steps
  // made meanwhile wait in `held` and go together, in one call, when N is durable.
  std::vector<store::StepRecord> steps;
  steps.swap(l.held);
  l.in_store = steps.size();
  // A commit in flight is outside work: a manual clock must not jump past it.
  loop_.add_pending_work();
  store_.commit_steps(fence_, std::move(steps), [this, arn = l.rec.arn](Status status) {
    loop_.post([this, arn, status = std::move(status)] { committed(arn, status); });
    loop_.done_pending_work();
  });
}

void Executions::committed(const std::string& arn, const Status& status) {
  auto it = live_.find(arn);
  if (it == live_.end() || it->second->in_store == 0) return;
  Live& l = *it->second;
  const std::size_t n = l.in_store;
  l.in_store = 0;
  if (!status.ok()) {
    // The steps are not durable, so their commands must not run. The execution stops here, in
    // memory; its last committed step stays in the store and resumes at the next start — or,
    // refused by the fence (Store.Fenced), on the node that claimed the shard since. Whoever
    // waits on one of these steps, or on one held behind them (never sent), hears of it.
    const bool fenced = status.error().name == store::errors::fenced;
    report(log_, "stepwise: could not commit a step of " + arn + " (" + status.error().name + ": " +
                     status.error().cause + "); the execution " +
                     (fenced ? "is left to the shard's new owner" : "waits for a restart"));
    std::vector<StepAfter> waiting;
    for (; !l.uncommitted.empty(); l.uncommitted.pop_front()) {
      if (l.uncommitted.front().after) waiting.push_back(std::move(l.uncommitted.front().after));
    }
    for (auto& after : waiting) after(status);
    abandon(arn);
    return;
  }
  if (observer_ != nullptr) observer_->changed(l.rec);
  std::vector<StepAfter> waiting;
  for (std::size_t i = 0; i < n && !l.uncommitted.empty(); ++i) {
    Live::Pending p = std::move(l.uncommitted.front());
    l.uncommitted.pop_front();
    if (l.log && !p.logged.empty()) logger_->log(l.log, arn, l.rec.redrive_count, p.logged);
    dispatch(l, p.commands);
    if (p.after) waiting.push_back(std::move(p.after));
  }
  if (!l.held.empty()) send_held(l);
  // Last: a reply may lead anywhere, `l` included.
  for (auto& after : waiting) after(status);
  maybe_finish(arn);
  if (auto again = live_.find(arn); again != live_.end()) maybe_sleep(*again->second);
}

Executions::Live& Executions::adopt(std::unique_ptr<Live> live) {
  Live& l = *live;
  l.key = next_key_++;
  by_key_.emplace(l.key, &l);
  live_.emplace(l.rec.arn, std::move(live));
  return l;
}

std::unique_ptr<Executions::Live> Executions::release(const std::string& arn) {
  auto it = live_.find(arn);
  if (it == live_.end()) return nullptr;
  std::unique_ptr<Live> l = std::move(it->second);
  live_.erase(it);
  by_key_.erase(l->key);
  return l;
}

engine::InFlight* Executions::in_flight(std::uint64_t key) {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second->in_flight;
}

void Executions::deliver(std::uint64_t key, StepEvent ev) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  const std::string arn = it->second->rec.arn;  // a copy: the step may end the execution
  deliver(arn, std::move(ev));
}

void Executions::abandon(const std::string& arn) {
  std::unique_ptr<Live> l = release(arn);
  if (!l) return;
  driver_.cancel_all(l->in_flight);
  if (!l->express()) running_delta(l->rec.state_machine_arn, -1);
}

void Executions::dispatch(Live& l, std::vector<Command>& commands) {
  driver_.carry(l.key, l.in_flight, commands);
}

void Executions::maybe_finish(const std::string& arn) {
  auto it = live_.find(arn);
  if (it == live_.end()) return;
  Live& l = *it->second;
  if (!l.exec->finished() || !l.uncommitted.empty()) return;
  std::unique_ptr<Live> done = release(arn);
  driver_.cancel_all(done->in_flight);
  if (done->mock != nullptr) done->mock->forget_execution(arn);
  if (!done->express()) running_delta(done->rec.state_machine_arn, -1);
  ExecutionOutcome outcome{std::move(done->rec)};
  for (auto& cb : done->on_finish) cb(outcome);
}

// ---------------------------------------------------------------------------- recovery

void Executions::recover_one(const store::RunningExecution& index,
                             std::vector<std::pair<std::string, std::vector<Command>>>& reissue,
                             std::size_t& slept) {
  if (index.type == "EXPRESS" || live_.count(index.arn) > 0 || dormant_.count(index.arn) > 0)
    return;
  if (owned_ && !owned_(index.arn)) return;  // another shard's
  if (index.wake_ms > 0 && dormant_after_ms_ >= 0 &&
      dormant_.size() < execution_limits::dormant_executions_max) {
    running_delta(index.state_machine_arn, +1);
    sleep(index.arn, index.wake_ms);
    ++slept;
    return;
  }
  auto read = store_.get_execution(index.arn);
  if (!read.ok()) {
    report(log_, "stepwise: could not read " + index.arn + " (" + read.error().cause +
                     "); it resumes at the next start");
    return;
  }
  auto& rec = *read;
  if (!rec || rec->status != "RUNNING") return;
  if (auto commands = resume(*rec)) reissue.emplace_back(rec->arn, std::move(*commands));
}

std::size_t Executions::recover() {
  // Two passes: every execution is rebuilt before any re-issues its commands, so a parent's
  // re-issued startExecution task finds its child live (and waits on it) whatever the order.
  // A dormant execution (wake_ms set) is not rebuilt now: it sleeps again until its timer.
  std::vector<std::pair<std::string, std::vector<Command>>> reissue;
  std::size_t slept = 0;
  // Page by page, keeping only this shard's: N shards never hold N copies of the whole index.
  store::RunningKey after;
  for (;;) {
    auto page = store_.running_index(after, store::read_page_items_default);
    if (!page.ok()) {
      report(log_, "stepwise: could not read the running executions (" + page.error().name + ": " +
                       page.error().cause + "); those not read yet were not resumed");
      break;
    }
    if (page->empty()) break;
    after = store::RunningKey{page->back().start_ms, page->back().arn};
    for (const store::RunningExecution& index : *page) recover_one(index, reissue, slept);
    if (page->size() < store::read_page_items_default) break;
  }
  for (auto& [arn, commands] : reissue) {
    auto it = live_.find(arn);
    if (it != live_.end()) this->reissue(*it->second, commands);
  }
  return reissue.size() + slept;
}

// The request again, marked as resuming a call that got somewhere before the restart.
static std::shared_ptr<const tasks::TaskRequest> resuming(const tasks::TaskRequest& request,
                                                          tasks::TaskRequest::Resume how) {
  auto copy = std::make_shared<tasks::TaskRequest>(request);
  copy->resume = how;
  return copy;
}

void Executions::reissue(Live& l, std::vector<Command>& commands) {
  using Phase = engine::Execution::TaskPhase;
  using Resume = tasks::TaskRequest::Resume;
  // Calls whose re-dispatch has effects (visible) go out only once a Redispatched step saying
  // so is durable; the rest could go at once. But everything waits for that step when there is
  // one: the commands keep the order they were issued in (outstanding() sorts by id), so two
  // things due at the same millisecond — a Task's timeout and its call's answer, a Wait's end
  // and a sibling branch's answer — are queued in the loop in the order the original run
  // queued them, and ties break the same way after a restart (found by tests/sim).
  std::vector<std::uint64_t> visible_ids;
  for (Command& c : commands) {
    if (c.kind != Command::Kind::kInvokeTask || !c.request) continue;
    const Phase phase = l.exec->task_phase(c.id);
    if (phase == Phase::kTaken) {
      c.request = resuming(*c.request, Resume::kTaken);
    } else if (phase == Phase::kSubmitted && c.request->resource.ends_with(".waitForTaskToken")) {
      c.request = resuming(*c.request, Resume::kSubmitted);
    } else if (l.in_flight.runner->redispatch_has_effects(*c.request)) {
      visible_ids.push_back(c.id);
    }
  }
  if (visible_ids.empty()) {
    dispatch(l, commands);
    return;
  }
  const std::string arn = l.rec.arn;
  struct Gathered {
    std::vector<Command> commands;
    std::size_t waiting = 0;  // Redispatched steps not yet durable
    bool failed = false;
  };
  auto gathered = std::make_shared<Gathered>();
  gathered->waiting = visible_ids.size();
  gathered->commands = std::move(commands);
  commands.clear();
  // One step per re-dispatch (each is a journal entry), but one commit for them all: sent one
  // by one, the first call would go out a store round trip before the others (one commit in
  // flight at a time), and its answer could be handled before they were even sent again.
  l.gathering = true;
  for (std::uint64_t id : visible_ids) {
    StepEvent ev;
    ev.kind = StepEvent::Kind::kTaskRedispatched;
    ev.id = id;
    deliver(arn, std::move(ev), [this, arn, gathered](const Status& st) {
      // Not durable: nothing may go out (the execution is abandoned; the next start retries).
      if (!st.ok()) gathered->failed = true;
      if (--gathered->waiting > 0 || gathered->failed) return;
      auto it = live_.find(arn);
      if (it == live_.end() || it->second->exec->finished()) return;
      Live& now = *it->second;
      // Only what is still outstanding: a step in between (a stop, a task token's answer) may
      // have ended some of them, and dispatched its own commands already.
      std::vector<Command> still = now.exec->outstanding();
      std::vector<std::uint64_t> ids;
      ids.reserve(still.size());
      for (const Command& c : still) ids.push_back(c.id);  // sorted: outstanding() is by id
      std::vector<Command> send;
      for (Command& c : gathered->commands)
        if (std::binary_search(ids.begin(), ids.end(), c.id)) send.push_back(std::move(c));
      dispatch(now, send);
    });
  }
  if (auto it = live_.find(arn); it != live_.end() && it->second->gathering) {
    Live& again = *it->second;
    again.gathering = false;
    if (again.in_store == 0 && !again.held.empty()) send_held(again);
  }
}

Result<std::unique_ptr<Executions::Live>> Executions::rebuild(const store::ExecutionRecord& rec) {
  auto machine = registry_.compiled(rec.definition);
  if (!machine) return machine.error();
  auto input = json::parse(rec.input.empty() ? "{}" : rec.input);
  if (!input) return Error{"Journal", "the input is not JSON: " + input.error().cause};
  auto parsed = rules::parse_arn(rec.state_machine_arn);
  auto runner = runner_for(parsed ? parsed->name : "", rec.test_case);
  if (!runner) return runner.error();
  auto read = store::read_journal(store_, rec.arn, execution_limits::journal_entries_max);
  if (!read.ok()) return std::move(read).error();
  const std::vector<store::JournalEntry>& journal = *read;
  if (journal.size() > execution_limits::journal_entries_max)
    return Error{"Journal", "the journal holds more entries than any execution can write"};

  std::unique_ptr<Live> live =
      make_live(rec, std::move(*machine),
                logger_ ? registry_.logging_configuration(rec.state_machine_arn, rec.version_arn)
                        : json::value());
  Live& l = *live;
  l.in_flight.runner = *runner;
  if (!rec.test_case.empty()) l.mock = static_cast<tasks::MockRunner*>(*runner);
  // Which steps closed the execution (see Live::activity_check): each before a redrive entry,
  // and the last of a closed execution.
  const bool closed = rec.status != "RUNNING";
  auto closing_step = [&](std::size_t next) {  // `next`: the entry after the step
    if (next == journal.size()) return closed;
    const json::object* o = journal[next].journal.if_object();
    const json::value* kind = o ? o->if_contains("kind") : nullptr;
    return kind != nullptr && kind->is_string() && kind->get_string() == "redrive";
  };
  auto check_for = [&](std::size_t next, Millis at) {
    l.activity_check =
        closing_step(next) ? Live::ActivityCheck::kAsOf : Live::ActivityCheck::kAssume;
    l.activity_check_ms = at;
  };
  check_for(0, rec.start_ms);
  l.exec->start(std::move(*input), rec.start_ms, rec.input);
  std::vector<store::MapRunRecord> runs;  // replayed: committed already
  std::vector<store::MapRunChild> children;
  l.exec->history().clear();
  l.exec->commands().clear();
  l.exec->take_map_run_changes(runs, children);
  for (std::size_t i = 0; i < journal.size(); ++i) {
    const store::JournalEntry& entry = journal[i];
    auto ev = decode_journal(entry.journal);
    if (ev) check_for(i + 1, ev->now_ms);
    if (!ev) {
      return Error{"Journal",
                   "entry " + std::to_string(entry.seq) + " is unreadable: " + ev.error().cause};
    }
    if (ev->redrive) {
      l.exec->redrive(ev->now_ms);
    } else {
      l.exec->handle(std::move(ev->event), ev->now_ms);
    }
    l.exec->history().clear();
    l.exec->commands().clear();
    l.exec->take_map_run_changes(runs, children);
  }
  l.activity_check = Live::ActivityCheck::kLive;
  if (l.exec->event_count() != rec.history_count) {
    // The replay wrote a different number of events than were committed: the definition or the
    // engine changed under the execution. Go on (the store rejects a duplicate event id if it
    // comes to that) but say so.
    report(log_, "stepwise: warning: replay of " + rec.arn + " rebuilt " +
                     std::to_string(l.exec->event_count()) + " events, the store holds " +
                     std::to_string(rec.history_count));
  }
  return live;
}

std::optional<std::vector<Command>> Executions::resume(const store::ExecutionRecord& rec,
                                                       bool counted) {
  auto live = rebuild(rec);
  if (!live) {
    report(log_, "stepwise: cannot resume " + rec.arn + ": " + live.error().cause);
    return std::nullopt;
  }
  Live& l = **live;
  if (l.exec->finished()) {
    report(log_,
           "stepwise: cannot resume " + rec.arn + ": its journal replays to a finished execution");
    return std::nullopt;
  }
  // What was in flight at the crash goes out again: due timers fire at once (the loop runs any
  // timer whose time has passed), tasks are dispatched again.
  std::vector<Command> reissue = l.exec->outstanding();
  adopt(std::move(*live));
  if (!counted) running_delta(rec.state_machine_arn, +1);
  return reissue;
}

// ---------------------------------------------------------------------------- dormant executions

void Executions::maybe_sleep(Live& l) {
  if (dormant_after_ms_ < 0 || l.express() || l.rec.wake_ms == 0 || l.exec->finished() ||
      !l.in_flight.tasks.empty() || !l.uncommitted.empty() || !l.on_finish.empty() ||
      l.mock != nullptr || dormant_.size() >= execution_limits::dormant_executions_max) {
    return;
  }
  // A mock runner counts calls per execution in memory, and whoever waits on on_finish holds
  // a callback: those stay awake (the checks above).
  if (l.rec.wake_ms - loop_.clock().now_ms() < dormant_after_ms_) return;
  const std::string arn = l.rec.arn;
  const Millis wake_ms = l.rec.wake_ms;
  std::unique_ptr<Live> gone = release(arn);
  if (!gone) return;
  driver_.drop_all(gone->in_flight);
  sleep(arn, wake_ms);  // still RUNNING: running_ keeps counting it
}

void Executions::sleep(const std::string& arn, Millis wake_ms) {
  dormant_[arn] = loop_.schedule_at(wake_ms, [this, arn] {
    // The loop timer has fired: forget it before wake() tries to cancel it.
    auto it = dormant_.find(arn);
    if (it == dormant_.end()) return;
    it->second = 0;
    wake(arn);
  });
}

bool Executions::wake(const std::string& arn) {
  auto it = dormant_.find(arn);
  if (it == dormant_.end()) return false;
  if (it->second != 0) loop_.cancel(it->second);
  dormant_.erase(it);
  auto read = store_.get_execution(arn);
  if (!read.ok()) return false;  // as a failed resume: it stays RUNNING in the store
  auto& rec = *read;
  if (!rec) return false;
  // It counted as running all along while dormant, and goes on counting once resumed.
  auto commands = rec->status == "RUNNING" ? resume(*rec, /*counted=*/true) : std::nullopt;
  if (!commands) {
    running_delta(rec->state_machine_arn, -1);
    return false;
  }
  auto live = live_.find(arn);
  if (live == live_.end()) return false;
  reissue(*live->second, *commands);
  return true;
}

}  // namespace stepwise::sfn
