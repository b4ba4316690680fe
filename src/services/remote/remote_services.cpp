#include "services/remote/remote_services.h"

#include <algorithm>
#include <cctype>

#include "services/common/sdk_runner.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/events/events_service.h"
#include "services/remote/remote_json.h"
#include "services/remote/remote_query.h"
#include "services/remote/remote_s3.h"
#include "services/s3/s3_service.h"
#include "services/sns/sns_service.h"
#include "services/sqs/sqs_service.h"

namespace stepwise::services::remote {

struct RemoteServices::Service {
  std::string name;
  std::unique_ptr<RemoteDispatcher> dispatcher;
  // The optimized runner first where the service has one, the aws-sdk:* runner last.
  std::vector<std::unique_ptr<tasks::TaskRunner>> runners;
};

namespace {

struct Kind {
  std::string_view name;
  std::string_view signing_name;
  std::string_view host_prefix;  // of the AWS endpoint
  std::string_view json_prefix;  // X-Amz-Target prefix; empty: not a JSON service
  std::string_view json_version;
  std::string_view sdk_service;  // aws-sdk:<this>:*
  std::string_view sdk_prefix;   // error names: <this>.<Code>Exception
};

constexpr Kind kKinds[] = {
    {"sqs", "sqs", "sqs", "AmazonSQS", "1.0", "sqs", "Sqs"},
    {"sns", "sns", "sns", "", "", "sns", "Sns"},
    {"s3", "s3", "s3", "", "", "s3", "S3"},
    {"dynamodb", "dynamodb", "dynamodb", "DynamoDB_20120810", "1.0", "dynamodb", "DynamoDb"},
    {"secretsmanager", "secretsmanager", "secretsmanager", "secretsmanager", "1.1",
     "secretsmanager", "SecretsManager"},
    {"events", "events", "events", "AWSEvents", "1.1", "eventbridge", "EventBridge"},
};

const Kind* kind_of(std::string_view name) {
  for (const auto& k : kKinds)
    if (k.name == name) return &k;
  return nullptr;
}

std::uint64_t seed(std::uint64_t base, std::uint64_t offset) { return base ? base + offset : 0; }

}  // namespace

std::string aws_endpoint_url(std::string_view service, std::string_view region) {
  const Kind* k = kind_of(service);
  std::string host = k ? std::string(k->host_prefix) : std::string(service);
  return "https://" + host + "." + std::string(region) + ".amazonaws.com";
}

namespace {

// Where `setting`'s calls go, signed for its region (else `region`). Errors (Usage): an unknown
// service, a malformed URL.
Result<Endpoint> resolve_endpoint(const EndpointSetting& setting, const std::string& region) {
  const Kind* k = kind_of(setting.service);
  if (k == nullptr) {
    std::string known;
    for (const auto& n : service_names()) known += (known.empty() ? "" : ", ") + n;
    return Error{"Usage", "no pass-through endpoint for a service named '" + setting.service +
                              "' (known: " + known + ")"};
  }
  const std::string r = setting.region.empty() ? region : setting.region;
  const std::string url = setting.url == "aws" ? aws_endpoint_url(setting.service, r) : setting.url;
  auto endpoint = parse_endpoint(url, r, std::string(k->signing_name));
  if (!endpoint) return Error{"Usage", setting.service + ": " + endpoint.error().cause};
  return endpoint;
}

}  // namespace

const std::vector<std::string>& service_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& k : kKinds) out.emplace_back(k.name);
    return out;
  }();
  return names;
}

std::string endpoint_variable(std::string_view service) {
  std::string out(service);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out + "_ENDPOINT";
}

const std::vector<std::string>& integration_names(std::string_view service) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> sqs = {"sqs:sendMessage", "aws-sdk:sqs:*"};
  static const std::vector<std::string> sns = {"sns:publish", "aws-sdk:sns:*"};
  static const std::vector<std::string> s3 = {"aws-sdk:s3:*"};
  static const std::vector<std::string> dynamodb = {"dynamodb:getItem", "dynamodb:putItem",
                                                    "dynamodb:updateItem", "dynamodb:deleteItem",
                                                    "aws-sdk:dynamodb:*"};
  static const std::vector<std::string> secrets = {"aws-sdk:secretsmanager:*"};
  static const std::vector<std::string> events = {"events:putEvents", "aws-sdk:eventbridge:*"};
  if (service == "sqs") return sqs;
  if (service == "sns") return sns;
  if (service == "s3") return s3;
  if (service == "dynamodb") return dynamodb;
  if (service == "secretsmanager") return secrets;
  if (service == "events") return events;
  return none;
}

Result<std::unique_ptr<RemoteServices>> RemoteServices::open(RemoteServicesOptions options) {
  std::unique_ptr<RemoteServices> out(new RemoteServices());
  out->client_ = std::make_unique<AwsClient>(options.clock, std::move(options.credentials));
  std::uint64_t offset = 0;
  for (const auto& setting : options.endpoints) {
    auto endpoint = resolve_endpoint(setting, options.region);
    if (!endpoint) return endpoint.error();
    if (out->find(setting.service) != nullptr) {
      return Error{"Usage", "the endpoint of " + setting.service + " is given twice"};
    }
    const Kind* k = kind_of(setting.service);
    auto s = std::make_unique<Service>();
    s->name = setting.service;
    AwsClient& client = *out->client_;
    if (k->name == "sns") {
      s->dispatcher = std::make_unique<RemoteSnsDispatcher>(client, std::move(*endpoint));
    } else if (k->name == "s3") {
      s->dispatcher = std::make_unique<RemoteS3Dispatcher>(client, std::move(*endpoint));
    } else {
      s->dispatcher = std::make_unique<RemoteJsonDispatcher>(
          client, std::move(*endpoint),
          JsonProtocol{std::string(k->json_prefix), std::string(k->json_version),
                       k->name == "sqs"});
    }
    api::Dispatcher& d = *s->dispatcher;
    offset += 10;
    if (k->name == "sqs") {
      s->runners.push_back(
          std::make_unique<sqs::SendMessageRunner>(d, seed(options.id_seed, offset)));
    } else if (k->name == "sns") {
      s->runners.push_back(std::make_unique<sns::PublishRunner>(d, seed(options.id_seed, offset)));
    } else if (k->name == "events") {
      s->runners.push_back(
          std::make_unique<events::PutEventsRunner>(d, seed(options.id_seed, offset)));
    } else if (k->name == "dynamodb") {
      s->runners.push_back(
          std::make_unique<dynamodb::OptimizedRunner>(d, seed(options.id_seed, offset)));
    }
    if (k->name == "s3") {
      s->runners.push_back(std::make_unique<s3::S3SdkRunner>(d, seed(options.id_seed, offset + 1)));
    } else if (k->name == "dynamodb") {
      // DynamoDB's own aws-sdk runner: its modelled exception names, as the built-in one gives.
      s->runners.push_back(
          std::make_unique<dynamodb::DynamoDbSdkRunner>(d, seed(options.id_seed, offset + 1)));
    } else {
      s->runners.push_back(std::make_unique<SdkRunner>(d, std::string(k->sdk_service),
                                                       std::string(k->sdk_prefix),
                                                       seed(options.id_seed, offset + 1)));
    }
    out->services_.push_back(std::move(s));
  }
  return out;
}

RemoteServices::~RemoteServices() { stop(); }

Status RemoteServices::add_integrations(tasks::IntegrationRegistry& registry) {
  for (const auto& s : services_) {
    for (const auto& name : integration_names(s->name)) {
      tasks::TaskRunner* runner =
          name.starts_with("aws-sdk:") ? s->runners.back().get() : s->runners.front().get();
      if (auto st = registry.add(name, runner); !st) return st;
    }
  }
  return ok_status();
}

api::Dispatcher* RemoteServices::find(std::string_view service) {
  for (const auto& s : services_)
    if (s->name == service) return s->dispatcher.get();
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> RemoteServices::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : services_) out.emplace_back(s->name, s->dispatcher->endpoint().url);
  return out;
}

std::string RemoteServices::url_of(std::string_view service) const {
  for (const auto& s : services_)
    if (s->name == service) return s->dispatcher->endpoint().url;
  return {};
}

Status RemoteServices::reload(const Credentials& credentials, const std::string& region,
                              const std::vector<EndpointSetting>& endpoints) {
  // Everything is checked before anything changes: a refused reload leaves the old routes.
  std::vector<Endpoint> next(services_.size());
  std::vector<bool> given(services_.size(), false);
  for (const auto& setting : endpoints) {
    auto endpoint = resolve_endpoint(setting, region);
    if (!endpoint) return endpoint.error();
    auto it = std::find_if(services_.begin(), services_.end(),
                           [&](const auto& s) { return s->name == setting.service; });
    if (it == services_.end()) {
      return Error{"Usage", setting.service +
                                " has no endpoint since the start; routing it needs a restart "
                                "(its built-in service runs)"};
    }
    const auto i = static_cast<std::size_t>(it - services_.begin());
    if (given[i]) return Error{"Usage", "the endpoint of " + setting.service + " is given twice"};
    given[i] = true;
    next[i] = std::move(endpoint).value();
  }
  for (std::size_t i = 0; i < services_.size(); ++i) {
    if (!given[i]) {
      return Error{"Usage",
                   services_[i]->name + " lost its endpoint; serving it built in needs a restart"};
    }
  }
  client_->set_credentials(credentials);
  for (std::size_t i = 0; i < services_.size(); ++i)
    services_[i]->dispatcher->set_endpoint(std::move(next[i]));
  return ok_status();
}

void RemoteServices::stop() {
  if (client_) client_->stop();
}

}  // namespace stepwise::services::remote
