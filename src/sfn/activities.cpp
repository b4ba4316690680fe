#include "sfn/activities.h"

#include <algorithm>
#include <utility>

namespace stepwise::sfn {
namespace {

// AWS ARNs are at most 256 characters (API schema of activityArn).
constexpr std::size_t arn_chars_max = 256;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// arn:PARTITION:states:REGION:ACCOUNT:TYPE:NAME → TYPE ("" when the ARN has too few parts).
std::string resource_type(const std::string& arn) {
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  auto end = arn.find(':', pos);
  return arn.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

// AWS's answer for an activityArn that is not an activity's ARN, or nullopt.
std::optional<api::ApiError> bad_activity_arn(const std::string& arn) {
  if (!starts_with(arn, "arn:")) {
    return api::ApiError{"InvalidArn", "Invalid Arn: 'Invalid ARN prefix: " + arn + "'", 400};
  }
  std::string type = resource_type(arn);
  if (type != "activity") {
    return api::ApiError{
        "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " + type + "'", 400};
  }
  return std::nullopt;
}

const std::string* string_member(const json::value& v, const char* key, std::string* storage) {
  const auto* obj = v.if_object();
  const json::value* m = obj ? obj->if_contains(key) : nullptr;
  if (m == nullptr || !m->is_string()) return nullptr;
  *storage = std::string(m->as_string());
  return storage;
}

bool gone(const std::shared_ptr<const std::atomic<bool>>& flag) {
  return flag && flag->load(std::memory_order_relaxed);
}

}  // namespace

ActivityRunner::ActivityRunner(EventLoop& loop, tasks::CallbackRegistry& registry,
                               ActivityExists exists)
    : loop_(loop), registry_(registry), exists_(std::move(exists)) {}

ActivityRunner::~ActivityRunner() { close_polls(); }

void ActivityRunner::start(const tasks::TaskRequest& request, EventLoop& loop,
                           tasks::TaskDone done) {
  const std::string& arn = request.resource;
  if (!request.task_token || request.task_token->empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime", "An activity task needs a task token."));
    return;
  }
  // Recovery: the worker that took it before the restart still holds its token.
  if (request.resume == tasks::TaskRequest::Resume::kTaken)
    return resume_started(request, loop, std::move(done));
  // Whether the activity exists is the engine's question, asked when it schedules the task
  // (ExecutionInfo::activity_exists: AWS fails the execution before ActivityScheduled). A task
  // reaching here was scheduled while its activity existed; deleted since, it waits on like a
  // task whose activity no worker polls, after a restart too.
  Activity& a = activities_[arn];
  if (a.tasks.size() >= activity_limits::activity_queued_per_activity_max ||
      queued_total_ >= activity_limits::activity_queued_max) {
    // Tasks that ended while queued still hold places; drop them before refusing.
    std::size_t before = a.tasks.size();
    std::erase_if(a.tasks, [&](const Queued& q) { return !registry_.heartbeat(q.token).ok(); });
    queued_total_ -= before - a.tasks.size();
    if (a.tasks.size() >= activity_limits::activity_queued_per_activity_max ||
        queued_total_ >= activity_limits::activity_queued_max) {
      done(tasks::TaskOutcome::failure("States.Runtime",
                                       "Too many tasks are queued for activity '" + arn + "'."));
      return;
    }
  }
  const std::string token = *request.task_token;
  auto parked = registry_.await(token, loop, done);
  if (!parked) {
    done(tasks::TaskOutcome::failure(parked.error().name, parked.error().cause));
    return;
  }
  auto identity = std::make_shared<tasks::TaskRequest>(request);
  identity->parameters = nullptr;
  a.tasks.push_back(Queued{token, json::dump(request.parameters), std::move(identity)});
  ++queued_total_;
  hand_out(a);
}

void ActivityRunner::resume_started(const tasks::TaskRequest& request, EventLoop& loop,
                                    tasks::TaskDone done) {
  if (!request.task_token || request.task_token->empty()) {
    done(tasks::TaskOutcome::failure("States.Runtime", "An activity task needs a task token."));
    return;
  }
  auto parked = registry_.await(*request.task_token, loop, done);
  if (!parked) done(tasks::TaskOutcome::failure(parked.error().name, parked.error().cause));
}

void ActivityRunner::cancel(const tasks::TaskRequest& request) {
  // The queue entry goes when it reaches the front (its token no longer waits).
  if (request.task_token) registry_.take(*request.task_token);
}

ActivityRunner::Queued* ActivityRunner::front_task(Activity& a) {
  while (!a.tasks.empty() && !registry_.heartbeat(a.tasks.front().token).ok()) {
    a.tasks.pop_front();
    --queued_total_;
  }
  return a.tasks.empty() ? nullptr : &a.tasks.front();
}

ActivityRunner::Poll* ActivityRunner::front_poll(Activity& a) {
  while (!a.polls.empty() && gone(a.polls.front().client_gone)) {
    Poll p = std::move(a.polls.front());
    a.polls.pop_front();
    --polls_total_;
    loop_.cancel(p.timer);
    p.reply(json::object());  // nobody reads it; the Reply contract wants one answer
  }
  return a.polls.empty() ? nullptr : &a.polls.front();
}

void ActivityRunner::hand_out(Activity& a) {
  while (Poll* p = front_poll(a)) {
    Queued* q = front_task(a);
    if (q == nullptr) return;
    Poll poll = std::move(*p);
    a.polls.pop_front();
    --polls_total_;
    loop_.cancel(poll.timer);
    Queued task = std::move(*q);
    a.tasks.pop_front();
    --queued_total_;
    answer(poll, std::move(task));
  }
}

void ActivityRunner::answer(Poll& poll, Queued task) {
  json::object body;
  body["taskToken"] = task.token;
  body["input"] = std::move(task.input);
  poll.reply(std::move(body));
  if (progress_) {
    TaskProgress p;
    p.kind = TaskProgress::Kind::kStarted;
    p.worker_name = poll.worker_name;
    progress_(*task.request, std::move(p));
  }
}

std::optional<api::ApiError> ActivityRunner::check_poll(const std::string* arn,
                                                        const std::string* worker) const {
  if (arn == nullptr) return validation_error("activityArn", nullptr, "Member must not be null");
  if (arn->empty()) {
    return validation_error("activityArn", arn,
                            "Member must have length greater than or equal to 1");
  }
  if (arn->size() > arn_chars_max) {
    return validation_error(
        "activityArn", arn,
        "Member must have length less than or equal to " + std::to_string(arn_chars_max));
  }
  if (worker != nullptr && worker->size() > activity_limits::activity_worker_name_chars_max) {
    return validation_error("workerName", worker,
                            "Member must have length less than or equal to " +
                                std::to_string(activity_limits::activity_worker_name_chars_max));
  }
  if (auto bad = bad_activity_arn(*arn)) return bad;
  if (exists_ && !exists_(*arn)) {
    return api::ApiError{"ActivityDoesNotExist", "Activity Does Not Exist: '" + *arn + "'", 400};
  }
  return std::nullopt;
}

void ActivityRunner::get_activity_task(const json::value& request, const api::RequestInfo& info,
                                       api::Reply reply) {
  std::string arn_storage, worker_storage;
  const std::string* arn = string_member(request, "activityArn", &arn_storage);
  const std::string* worker = string_member(request, "workerName", &worker_storage);
  if (auto bad = check_poll(arn, worker)) return reply(*bad);
  if (gone(info.client_gone)) return reply(json::object());
  Poll p;
  p.worker_name = worker ? std::optional<std::string>(*worker) : std::nullopt;
  p.client_gone = info.client_gone;
  p.reply = std::move(reply);
  Activity& a = activities_[*arn];
  if (Queued* q = front_task(a)) {
    Queued task = std::move(*q);
    a.tasks.pop_front();
    --queued_total_;
    return answer(p, std::move(task));
  }
  prune_gone_polls(a);
  if (a.polls.size() >= activity_limits::activity_polls_per_activity_max ||
      polls_total_ >= activity_limits::activity_polls_max) {
    return p.reply(api::ApiError{"ActivityWorkerLimitExceeded",
                                 "The maximum number of workers concurrently polling for "
                                 "activity tasks has been reached.",
                                 400});
  }
  // Held: the longest-waiting poller gets the next task, or {} when the poll time is up.
  p.id = next_poll_++;
  p.timer = loop_.schedule_at(loop_.clock().now_ms() + activity_limits::activity_poll_ms,
                              [this, arn = *arn, id = p.id] { poll_timed_out(arn, id); });
  a.polls.push_back(std::move(p));
  ++polls_total_;
}

void ActivityRunner::poll_timed_out(const std::string& activity_arn, std::uint64_t poll_id) {
  auto it = activities_.find(activity_arn);
  if (it == activities_.end()) return;
  auto& polls = it->second.polls;
  auto p = std::find_if(polls.begin(), polls.end(), [&](const Poll& x) { return x.id == poll_id; });
  if (p == polls.end()) return;
  api::Reply reply = std::move(p->reply);
  polls.erase(p);
  --polls_total_;
  reply(json::object());
  forget_if_idle(activity_arn);
}

void ActivityRunner::prune_gone_polls(Activity& a) {
  for (auto it = a.polls.begin(); it != a.polls.end();) {
    if (!gone(it->client_gone)) {
      ++it;
      continue;
    }
    loop_.cancel(it->timer);
    api::Reply reply = std::move(it->reply);
    it = a.polls.erase(it);
    --polls_total_;
    reply(json::object());
  }
}

void ActivityRunner::forget_if_idle(const std::string& activity_arn) {
  auto it = activities_.find(activity_arn);
  if (it != activities_.end() && it->second.polls.empty() && it->second.tasks.empty()) {
    activities_.erase(it);
  }
}

void ActivityRunner::close_polls() {
  for (auto& [arn, a] : activities_) {
    while (!a.polls.empty()) {
      Poll p = std::move(a.polls.front());
      a.polls.pop_front();
      --polls_total_;
      loop_.cancel(p.timer);
      p.reply(json::object());
    }
  }
}

std::size_t ActivityRunner::queued(const std::string& activity_arn) const {
  auto it = activities_.find(activity_arn);
  if (it == activities_.end()) return 0;
  std::size_t n = 0;
  for (const auto& q : it->second.tasks) n += registry_.heartbeat(q.token).ok() ? 1 : 0;
  return n;
}

std::size_t ActivityRunner::polls(const std::string& activity_arn) const {
  auto it = activities_.find(activity_arn);
  return it == activities_.end() ? 0 : it->second.polls.size();
}

}  // namespace stepwise::sfn
