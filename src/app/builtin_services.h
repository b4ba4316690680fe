// The built-in AWS services (src/services) as `stepwise serve` and the conformance runner make
// them: one RecordLog (SQLite in the store's file, or memory), one timer thread, and each
// enabled service over the shared clock. The owner registers their integrations into the Step
// Functions service's registry and their operations on the router, and stops them after the
// server.
//
// Thread-safety: build and register from one thread before serving; see BuiltinService.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/result.h"
#include "services/common/builtin_service.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/s3/s3_limits.h"

namespace stepwise::app {

struct BuiltinServicesOptions {
  Clock& clock;
  services::Place place;
  // Empty: in memory. Else the SQLite file the records go to (the store's stepwise.db).
  std::filesystem::path database;
  // Names of the services to run.
  std::vector<std::string> enabled = {"sqs", "sns", "s3", "dynamodb", "secretsmanager", "events"};
  std::uint64_t id_seed = 0;  // 0: unpredictable ids
  // Where files a person reads go (SNS e-mail deliveries: sns-email.jsonl); empty: none.
  std::filesystem::path data_dir = {};
  // S3: the largest single PUT or UploadPart (docs/SERVICES.md); object bytes go to
  // `<database's folder>/s3/blobs` (in memory without a database).
  std::uint64_t s3_put_bytes_max = services::s3_limits::put_bytes_max_default;
  // When SQS has a pass-through endpoint (and so does not run here): its Dispatcher and URL,
  // where the built-in SNS delivers to subscribed queues and EventBridge to SQS targets,
  // instead of failing those deliveries. Likewise SNS's, for EventBridge's SNS targets.
  api::Dispatcher* routed_sqs = nullptr;
  services::EndpointUrl routed_sqs_url = {};
  api::Dispatcher* routed_sns = nullptr;
};

class BuiltinServices {
 public:
  // Errors: the database cannot be opened or read back, or an unknown service name.
  static Result<std::unique_ptr<BuiltinServices>> open(const BuiltinServicesOptions& options);
  ~BuiltinServices();

  Status add_integrations(tasks::IntegrationRegistry& registry);
  void add_routes(api::Router& router);
  // The service named `name` ("sqs"), or null when it is not running.
  services::BuiltinService* find(std::string_view name);
  // Ends pending long polls and waits for the last writes.
  void stop();
  // EventBridge's state-machine targets (when EventBridge runs) start their executions through
  // `sfn`'s StartExecution, with the event as input; null unhooks them (before `sfn` goes).
  void set_execution_starter(api::Dispatcher* sfn);

 private:
  BuiltinServices() = default;
  std::unique_ptr<services::RecordLog> log_;
  std::unique_ptr<services::Timers> timers_;
  std::vector<std::unique_ptr<services::BuiltinService>> services_;
};

// The integration names each built-in service registers when it runs ("sqs" →
// "sqs:sendMessage", "aws-sdk:sqs:*"): what `validate`, `run` and the create-time check count as
// supported without starting the services. Each service's add_integrations must match this.
const std::vector<std::string>& builtin_integration_names(std::string_view service);
const std::vector<std::string>& builtin_service_names();

// "sqs,sns,s3,dynamodb" → {"sqs", "sns", "s3", "dynamodb"}; "none" or "" → {}.
std::vector<std::string> parse_service_list(const std::string& text);

}  // namespace stepwise::app
