// Test support: a built-in SQS over a manual clock, manual timers and a memory log, with its
// integrations registered, for tests that start sqs:sendMessage / aws-sdk:sqs:* runners on it.
//
// Thread-safety: build and create queues from one thread; the service is then as SqsService.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "base/clock.h"
#include "services/common/record_log.h"
#include "services/common/timers.h"
#include "services/sqs/sqs_service.h"
#include "tasks/integrations.h"

namespace stepwise::services::sqs {

struct BuiltinSqs {
  BuiltinSqs() { EXPECT_TRUE(service.add_integrations(registry).ok()); }

  // Creates queue `name` and answers its URL (empty, with a test failure, when refused).
  std::string create_queue(const std::string& name) {
    std::optional<api::Response> created;
    service.operations().dispatch("CreateQueue", json::object{{"QueueName", name}}, {},
                                  [&](api::Response r) { created = std::move(r); });
    EXPECT_TRUE(created && !created->is_error());
    if (!created || created->is_error()) return {};
    return std::string(created->body().at("QueueUrl").as_string());
  }

  ManualClock clock{1'700'000'000'000};
  ManualTimers timers{&clock};
  MemoryRecordLog log;
  SqsService service{SqsOptions{.clock = clock,
                                .log = log,
                                .timers = timers,
                                .place = {"us-east-1", "123456789012", "http://localhost:9"},
                                .id_seed = 3}};
  tasks::IntegrationRegistry registry;
};

}  // namespace stepwise::services::sqs
