#include "sfn/activities.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/event_loop.h"
#include "sfn/task_tokens.h"
#include "tasks/integrations.h"

namespace stepwise::sfn {
namespace {

const std::string kArn = "arn:aws:states:us-east-1:123456789012:activity:work";

std::string token_n(int n) {
  std::string t = std::to_string(n);
  return std::string(64 - t.size(), '0') + t;
}

tasks::TaskRequest activity_task(int n, json::value params = json::object{{"n", 1}}) {
  tasks::TaskRequest r;
  r.resource = kArn;
  r.parameters = std::move(params);
  r.state_name = "Work" + std::to_string(n);
  r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  r.task_token = token_n(n);
  return r;
}

json::value poll_request(const std::string& arn, std::optional<std::string> worker) {
  json::object o{{"activityArn", arn}};
  if (worker) o["workerName"] = *worker;
  return o;
}

// Collects one reply. The reply lands in shared state: a poll still held when a test ends is
// answered by the runner's destructor, after the test's Answer objects may be gone.
struct Answer {
  std::shared_ptr<std::optional<api::Response>> slot =
      std::make_shared<std::optional<api::Response>>();
  api::Reply reply() {
    return [slot = slot](api::Response r) { *slot = std::move(r); };
  }
  const std::optional<api::Response>& got() const { return *slot; }
  bool empty_object() const {
    const auto& g = got();
    return g && !g->is_error() && g->body().is_object() && g->body().as_object().empty();
  }
  std::string token() const {
    const auto& g = got();
    if (!g || g->is_error() || !g->body().is_object()) return "";
    const auto* t = g->body().as_object().if_contains("taskToken");
    return t ? std::string(t->as_string()) : "";
  }
};

struct Fixture {
  ManualClock clock{1000};
  EventLoop loop{clock};
  tasks::CallbackRegistry registry;
  std::set<std::string> known{kArn};
  ActivityRunner activities{loop, registry,
                            [this](const std::string& a) { return known.count(a) > 0; }};
  std::vector<std::pair<tasks::TaskRequest, TaskProgress>> progress;
  std::vector<tasks::TaskOutcome> outcomes;

  Fixture() {
    activities.set_progress([this](const tasks::TaskRequest& r, TaskProgress p) {
      progress.emplace_back(r, std::move(p));
    });
  }
  tasks::TaskDone done() {
    return [this](tasks::TaskOutcome o) { outcomes.push_back(std::move(o)); };
  }
  void poll(Answer& a, std::optional<std::string> worker = "w",
            std::shared_ptr<std::atomic<bool>> gone = nullptr) {
    api::RequestInfo info;
    info.client_gone = gone;
    activities.get_activity_task(poll_request(kArn, std::move(worker)), info, a.reply());
  }
};

TEST(Activities, QueuedTaskIsAnsweredAtOnceWithTokenAndInputText) {
  Fixture f;
  f.activities.start(activity_task(1, json::object{{"Value1", "HelloWorld"}}), f.loop, f.done());
  Answer a;
  f.poll(a, "BASE_ID_ACTIVITY_CONSUMER");
  ASSERT_TRUE(a.got() && !a.got()->is_error());
  EXPECT_EQ(json::dump(a.got()->body()),
            R"({"taskToken":")" + token_n(1) + R"(","input":"{\"Value1\":\"HelloWorld\"}"})");
  ASSERT_EQ(f.progress.size(), 1u);
  EXPECT_EQ(f.progress[0].second.kind, TaskProgress::Kind::kStarted);
  EXPECT_EQ(f.progress[0].second.worker_name, "BASE_ID_ACTIVITY_CONSUMER");
  EXPECT_EQ(f.progress[0].first.state_name, "Work1");
}

TEST(Activities, WorkerWithoutNameStartsTaskWithoutWorkerName) {
  Fixture f;
  f.activities.start(activity_task(1), f.loop, f.done());
  Answer a;
  f.poll(a, std::nullopt);
  ASSERT_EQ(f.progress.size(), 1u);
  EXPECT_FALSE(f.progress[0].second.worker_name.has_value());
}

TEST(Activities, PollIsHeldUntilATaskArrives) {
  Fixture f;
  Answer a;
  f.poll(a);
  EXPECT_FALSE(a.got().has_value());
  EXPECT_EQ(f.activities.polls(kArn), 1u);
  f.activities.start(activity_task(7), f.loop, f.done());
  EXPECT_EQ(a.token(), token_n(7));
  EXPECT_EQ(f.activities.polls(kArn), 0u);
  f.loop.run();  // its timer was cancelled: nothing else answers it
  EXPECT_EQ(a.token(), token_n(7));
}

TEST(Activities, HeldPollAnswersEmptyObjectAfterThePollTime) {
  Fixture f;
  Answer a;
  f.poll(a);
  f.loop.run();  // manual clock: jumps to the poll's timer
  EXPECT_TRUE(a.empty_object());
  EXPECT_EQ(f.clock.now_ms(), 1000 + activity_limits::activity_poll_ms);
  EXPECT_EQ(f.activities.polls(kArn), 0u);
}

TEST(Activities, PollersAreServedInArrivalOrder) {
  Fixture f;
  Answer a, b, c;
  f.poll(a, "a");
  f.poll(b, "b");
  f.poll(c, "c");
  f.activities.start(activity_task(1), f.loop, f.done());
  f.activities.start(activity_task(2), f.loop, f.done());
  EXPECT_EQ(a.token(), token_n(1));
  EXPECT_EQ(b.token(), token_n(2));
  EXPECT_FALSE(c.got().has_value());
  EXPECT_EQ(f.activities.polls(kArn), 1u);
}

TEST(Activities, TasksAreHandedOutInQueueOrder) {
  Fixture f;
  for (int i = 1; i <= 3; ++i) f.activities.start(activity_task(i), f.loop, f.done());
  for (int i = 1; i <= 3; ++i) {
    Answer a;
    f.poll(a);
    EXPECT_EQ(a.token(), token_n(i));
  }
}

TEST(Activities, PollerWhoseClientLeftIsSkipped) {
  Fixture f;
  auto gone = std::make_shared<std::atomic<bool>>(false);
  Answer left, stays;
  f.poll(left, "left", gone);
  f.poll(stays, "stays");
  gone->store(true);
  f.activities.start(activity_task(1), f.loop, f.done());
  EXPECT_EQ(stays.token(), token_n(1));
  EXPECT_TRUE(left.empty_object());  // answered (to nobody), never given the task
}

TEST(Activities, EndedTaskIsNotHandedOut) {
  Fixture f;
  auto req = activity_task(1);
  f.activities.start(req, f.loop, f.done());
  f.activities.cancel(req);  // e.g. TimeoutSeconds passed while queued
  EXPECT_EQ(f.activities.queued(kArn), 0u);
  Answer a;
  f.poll(a);
  EXPECT_FALSE(a.got().has_value());
  EXPECT_TRUE(f.outcomes.empty());  // cancelled: no answer
}

TEST(Activities, UnknownActivityIsActivityDoesNotExist) {
  Fixture f;
  Answer a;
  const std::string arn = "arn:aws:states:us-east-1:123456789012:activity:gone";
  f.activities.get_activity_task(poll_request(arn, std::nullopt), {}, a.reply());
  ASSERT_TRUE(a.got() && a.got()->is_error());
  EXPECT_EQ(a.got()->error().type, "ActivityDoesNotExist");
  EXPECT_EQ(a.got()->error().message, "Activity Does Not Exist: '" + arn + "'");
}

TEST(Activities, MalformedArnsAreInvalidArn) {
  Fixture f;
  Answer a, b;
  f.activities.get_activity_task(poll_request("not_an_arn", std::nullopt), {}, a.reply());
  ASSERT_TRUE(a.got() && a.got()->is_error());
  EXPECT_EQ(a.got()->error().type, "InvalidArn");
  EXPECT_EQ(a.got()->error().message, "Invalid Arn: 'Invalid ARN prefix: not_an_arn'");
  f.activities.get_activity_task(
      poll_request("arn:aws:states:us-east-1:123456789012:stateMachine:m", std::nullopt), {},
      b.reply());
  ASSERT_TRUE(b.got() && b.got()->is_error());
  EXPECT_EQ(b.got()->error().message,
            "Invalid Arn: 'Resource type not valid in this context: stateMachine'");
}

TEST(Activities, RequestFieldsAreValidated) {
  Fixture f;
  Answer a, b;
  f.activities.get_activity_task(json::object{}, {}, a.reply());
  ASSERT_TRUE(a.got() && a.got()->is_error());
  EXPECT_EQ(a.got()->error().type, "ValidationException");
  f.activities.get_activity_task(poll_request(kArn, std::string(81, 'w')), {}, b.reply());
  ASSERT_TRUE(b.got() && b.got()->is_error());
  EXPECT_NE(b.got()->error().message.find("at 'workerName'"), std::string::npos);
}

TEST(Activities, ThousandPollsAreHeldThenWorkersAreLimited) {
  Fixture f;
  std::vector<Answer> answers(activity_limits::activity_polls_per_activity_max + 1);
  for (std::size_t i = 0; i + 1 < answers.size(); ++i) f.poll(answers[i]);
  EXPECT_EQ(f.activities.polls(kArn), activity_limits::activity_polls_per_activity_max);
  for (std::size_t i = 0; i + 1 < answers.size(); ++i) EXPECT_FALSE(answers[i].got().has_value());
  f.poll(answers.back());
  ASSERT_TRUE(answers.back().got() && answers.back().got()->is_error());
  EXPECT_EQ(answers.back().got()->error().type, "ActivityWorkerLimitExceeded");
  f.loop.run();
  for (std::size_t i = 0; i + 1 < answers.size(); ++i) EXPECT_TRUE(answers[i].empty_object());
}

TEST(Activities, ATaskScheduledBeforeItsActivityWasDeletedWaits) {
  // The engine checks existence when it schedules (activity_missing_test.cpp); a task that
  // reaches the runner (re-issued after a restart) waits for its token or its timeout.
  Fixture f;
  auto req = activity_task(1);
  req.resource = "arn:aws:states:us-east-1:123456789012:activity:missing";
  f.activities.start(req, f.loop, f.done());
  f.loop.run();
  EXPECT_TRUE(f.outcomes.empty());
}

TEST(Activities, ClosePollsAnswersEveryHeldPoll) {
  Fixture f;
  Answer a, b;
  f.poll(a);
  f.poll(b);
  f.activities.close_polls();
  EXPECT_TRUE(a.empty_object());
  EXPECT_TRUE(b.empty_object());
  f.loop.run();
  EXPECT_EQ(f.clock.now_ms(), 1000);  // their timers are gone too
}

// The whole path a worker takes: TaskTokens in front of the registry, GetActivityTask, then
// SendTaskHeartbeat and SendTaskSuccess with the token it received.
TEST(Activities, WorkerFinishesTaskThroughTaskTokens) {
  Fixture f;
  tasks::IntegrationRegistry router;
  ASSERT_TRUE(router.add("activity", &f.activities).ok());
  TaskTokens tokens(f.registry, router);
  std::vector<TaskProgress::Kind> seen;
  tokens.set_progress([&](const tasks::TaskRequest&, TaskProgress p) { seen.push_back(p.kind); });
  tokens.start(activity_task(1, json::object{{"Value1", "HelloWorld"}}), f.loop, f.done());
  Answer a;
  f.poll(a);
  ASSERT_EQ(a.token(), token_n(1));
  EXPECT_FALSE(tokens.send_task_heartbeat(json::object{{"taskToken", a.token()}}).is_error());
  const std::string input(a.got()->body().as_object().at("input").as_string());
  EXPECT_FALSE(tokens.send_task_success(json::object{{"taskToken", a.token()}, {"output", input}})
                   .is_error());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  ASSERT_TRUE(f.outcomes[0].succeeded);
  EXPECT_EQ(json::dump(f.outcomes[0].output), R"({"Value1":"HelloWorld"})");
  EXPECT_EQ(seen, std::vector<TaskProgress::Kind>{TaskProgress::Kind::kHeartbeat});
  auto again = tokens.send_task_success(json::object{{"taskToken", a.token()}, {"output", "{}"}});
  ASSERT_TRUE(again.is_error());
  EXPECT_EQ(again.error().type, "TaskTimedOut");
}

TEST(Activities, ResumedTaskWaitsForItsWorkerWithoutBeingQueued) {
  Fixture f;
  f.activities.resume_started(activity_task(1), f.loop, f.done());
  EXPECT_EQ(f.activities.queued(kArn), 0u);
  ASSERT_TRUE(f.registry.succeed(token_n(1), json::value(3)).ok());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_TRUE(f.outcomes[0].succeeded);
}

}  // namespace
}  // namespace stepwise::sfn

namespace stepwise::sfn {
namespace {

TEST(Activities, StartOfATaskATakenWorkerHoldsResumesItWithoutQueueing) {
  Fixture f;
  tasks::TaskRequest r = activity_task(1);
  r.resume = tasks::TaskRequest::Resume::kTaken;  // recovery: ActivityStarted is in its history
  f.activities.start(r, f.loop, f.done());
  EXPECT_EQ(f.activities.queued(kArn), 0u);
  Answer a;
  f.poll(a);
  EXPECT_FALSE(a.got().has_value());  // nothing to hand out: the poll is held
  ASSERT_TRUE(f.registry.succeed(token_n(1), json::value(3)).ok());
  f.loop.run();
  ASSERT_EQ(f.outcomes.size(), 1u);
  EXPECT_TRUE(f.outcomes[0].succeeded);
  f.activities.close_polls();
}

TEST(Activities, ReissuingAnActivityTaskRepeatsNothing) {
  Fixture f;
  EXPECT_FALSE(f.activities.redispatch_has_effects(activity_task(1)));
}

}  // namespace
}  // namespace stepwise::sfn
