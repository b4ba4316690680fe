// SecretsService: the built-in Secrets Manager as a BuiltinService — its operations on the
// router (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Operation>`, SigV4 name
// `secretsmanager`) and the integration `aws-sdk:secretsmanager:<action>` (every operation, as
// the SDK v2 inside Step Functions calls it; errors "SecretsManager.<Code>Exception" for the
// exceptions the SDK models, "SecretsManager.SecretsManagerException" for the rest; timestamps as
// ISO-8601 text).
//
// Thread-safety: as BuiltinService.
#pragma once

#include "services/common/builtin_service.h"
#include "services/common/sdk_adapter.h"
#include "services/common/sdk_runner.h"
#include "services/secretsmanager/secrets.h"

namespace stepwise::services::secretsmanager {

class SecretsService final : public BuiltinService {
 public:
  explicit SecretsService(SecretsOptions options);
  std::string_view name() const override { return "secretsmanager"; }
  void add_routes(api::Router& router) override;
  Status add_integrations(tasks::IntegrationRegistry& registry) override;
  api::Dispatcher& operations() override { return secrets_; }
  SecretsManager& secrets() { return secrets_; }

 private:
  SecretsManager secrets_;
  SdkAdapter sdk_adapter_;
  SdkRunner sdk_;
};

}  // namespace stepwise::services::secretsmanager
