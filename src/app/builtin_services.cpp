#include "app/builtin_services.h"

#include <algorithm>
#include <sstream>

#include "services/common/sqlite_record_log.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/events/events_service.h"
#include "services/s3/s3_service.h"
#include "services/secretsmanager/secrets_service.h"
#include "services/sns/sns_service.h"
#include "services/sqs/sqs_service.h"

namespace stepwise::app {

Result<std::unique_ptr<BuiltinServices>> BuiltinServices::open(
    const BuiltinServicesOptions& options) {
  std::unique_ptr<BuiltinServices> s(new BuiltinServices());
  if (options.database.empty()) {
    s->log_ = std::make_unique<services::MemoryRecordLog>();
  } else {
    auto log = services::SqliteRecordLog::open(options.database);
    if (!log.ok()) return log.error();
    s->log_ = std::move(log).value();
  }
  s->timers_ = std::make_unique<services::ThreadTimers>();
  // SQS first: SNS delivers to its queues in process; EventBridge last: its rules deliver to
  // SQS and SNS.
  std::vector<std::string> order;
  for (const auto& name : options.enabled)
    order.insert(name == "sqs" ? order.begin() : order.end(), name);
  std::stable_partition(order.begin(), order.end(),
                        [](const std::string& name) { return name != "events"; });
  for (const auto& name : order) {
    if (s->find(name) != nullptr) continue;
    if (name == "sqs") {
      auto sqs = std::make_unique<services::sqs::SqsService>(
          services::sqs::SqsOptions{.clock = options.clock,
                                    .log = *s->log_,
                                    .timers = *s->timers_,
                                    .place = options.place,
                                    .id_seed = options.id_seed});
      std::size_t damaged = 0;
      if (auto st = sqs->sqs().load(&damaged); !st.ok()) return st.error();
      s->services_.push_back(std::move(sqs));
    } else if (name == "sns") {
      services::BuiltinService* sqs = s->find("sqs");
      auto sns = std::make_unique<services::sns::SnsService>(services::sns::SnsServiceOptions{
          .clock = options.clock,
          .log = *s->log_,
          .timers = *s->timers_,
          .place = options.place,
          .id_seed = options.id_seed ? options.id_seed + 100 : 0,
          .sqs = sqs ? &sqs->operations() : options.routed_sqs,
          .sqs_url = sqs ? services::EndpointUrl() : options.routed_sqs_url,
          .email_file = options.data_dir.empty() ? std::filesystem::path()
                                                 : options.data_dir / "sns-email.jsonl"});
      std::size_t damaged = 0;
      if (auto st = sns->sns().load(&damaged); !st.ok()) return st.error();
      s->services_.push_back(std::move(sns));
    } else if (name == "s3") {
      auto s3 = services::s3::S3Service::open(services::s3::S3Options{
          .clock = options.clock,
          .log = *s->log_,
          .blob_dir = options.database.empty() ? std::filesystem::path()
                                               : options.database.parent_path() / "s3" / "blobs",
          .place = options.place,
          .put_bytes_max = options.s3_put_bytes_max,
          .id_seed = options.id_seed});
      if (!s3.ok()) return s3.error();
      std::size_t damaged = 0;
      if (auto st = (*s3)->s3().load(&damaged); !st.ok()) return st.error();
      s->services_.push_back(std::move(s3).value());
    } else if (name == "dynamodb") {
      auto ddb =
          std::make_unique<services::dynamodb::DynamoDbService>(services::dynamodb::DynamoDbOptions{
              .clock = options.clock,
              .log = *s->log_,
              .place = options.place,
              .id_seed = options.id_seed ? options.id_seed + 200 : 0});
      std::size_t damaged = 0;
      if (auto st = ddb->dynamodb().load(&damaged); !st.ok()) return st.error();
      s->services_.push_back(std::move(ddb));
    } else if (name == "secretsmanager") {
      auto sm = std::make_unique<services::secretsmanager::SecretsService>(
          services::secretsmanager::SecretsOptions{
              .clock = options.clock,
              .log = *s->log_,
              .place = options.place,
              .id_seed = options.id_seed ? options.id_seed + 200 : 0});
      std::size_t damaged = 0;
      if (auto st = sm->secrets().load(&damaged); !st.ok()) return st.error();
      s->services_.push_back(std::move(sm));
    } else if (name == "events") {
      // Rules deliver to the built-in SQS and SNS in process (both made before EventBridge), or
      // to their pass-through endpoints.
      services::BuiltinService* sqs = s->find("sqs");
      services::BuiltinService* sns = s->find("sns");
      auto ev = std::make_unique<services::events::EventsService>(services::events::EventsOptions{
          .clock = options.clock,
          .log = *s->log_,
          .place = options.place,
          .id_seed = options.id_seed ? options.id_seed + 300 : 0,
          .timers = s->timers_.get(),
          .sqs = sqs ? &sqs->operations() : options.routed_sqs,
          .sns = sns ? &sns->operations() : options.routed_sns,
          .sqs_url = sqs ? services::EndpointUrl() : options.routed_sqs_url});
      std::size_t damaged = 0;
      if (auto st = ev->events().load(&damaged); !st.ok()) return st.error();
      s->services_.push_back(std::move(ev));
    } else {
      return Error{"Usage", "unknown built-in service '" + name +
                                "' (known: sqs, sns, s3, dynamodb, secretsmanager, events)"};
    }
  }
  return s;
}

BuiltinServices::~BuiltinServices() {
  stop();
  // Newest first: SNS (which holds SQS's operations) goes before SQS.
  while (!services_.empty()) services_.pop_back();
}

Status BuiltinServices::add_integrations(tasks::IntegrationRegistry& registry) {
  for (auto& s : services_)
    if (auto st = s->add_integrations(registry); !st.ok()) return st;
  return ok_status();
}

void BuiltinServices::add_routes(api::Router& router) {
  for (auto& s : services_) s->add_routes(router);
}

services::BuiltinService* BuiltinServices::find(std::string_view name) {
  for (auto& s : services_)
    if (s->name() == name) return s.get();
  return nullptr;
}

void BuiltinServices::set_execution_starter(api::Dispatcher* sfn) {
  auto* events = dynamic_cast<services::events::EventsService*>(find("events"));
  if (events == nullptr) return;
  if (sfn == nullptr) return events->events().set_execution_starter(nullptr);
  events->events().set_execution_starter([sfn](const std::string& arn, std::string input,
                                               std::function<void(bool, std::string)> done) {
    json::object request{{"stateMachineArn", arn}, {"input", std::move(input)}};
    sfn->dispatch("StartExecution", json::value(std::move(request)), api::RequestInfo{},
                  [done = std::move(done)](api::Response r) {
                    if (!r.is_error()) return done(true, "");
                    done(false, r.error().type + ": " + r.error().message);
                  });
  });
}

void BuiltinServices::stop() {
  // In reverse: a service stops before those it delivers to (SNS before SQS).
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) (*it)->stop();
  if (log_) log_->flush();
}

std::vector<std::string> parse_service_list(const std::string& text) {
  std::vector<std::string> out;
  if (text == "none") return out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

const std::vector<std::string>& builtin_service_names() {
  static const std::vector<std::string> names = {"sqs",   "sns", "s3", "dynamodb", "secretsmanager",
                                                 "events"};
  return names;
}

const std::vector<std::string>& builtin_integration_names(std::string_view service) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> sqs = {"sqs:sendMessage", "aws-sdk:sqs:*"};
  static const std::vector<std::string> sns = {"sns:publish", "aws-sdk:sns:*"};
  if (service == "sqs") return sqs;
  static const std::vector<std::string> s3 = {"aws-sdk:s3:*"};
  if (service == "sns") return sns;
  if (service == "s3") return s3;
  if (service == "dynamodb") return services::dynamodb::DynamoDbService::integration_names();
  static const std::vector<std::string> secrets = {"aws-sdk:secretsmanager:*"};
  static const std::vector<std::string> events = {"events:putEvents", "aws-sdk:eventbridge:*"};
  if (service == "secretsmanager") return secrets;
  if (service == "events") return events;
  return none;
}

}  // namespace stepwise::app
