#include "services/secretsmanager/secrets_service.h"

namespace stepwise::services::secretsmanager {

SecretsService::SecretsService(SecretsOptions options)
    : secrets_(options),
      sdk_adapter_(secrets_, SecretsManager::modelled_errors(), "SecretsManagerException",
                   {"CreatedDate", "LastChangedDate", "LastAccessedDate", "DeletedDate",
                    "DeletionDate", "LastRotatedDate", "NextRotationDate"}),
      sdk_(sdk_adapter_, "secretsmanager", "SecretsManager",
           options.id_seed ? options.id_seed + 1 : 0, /*any_loop=*/true) {}

void SecretsService::add_routes(api::Router& router) {
  router.add_json_service("secretsmanager.", "secretsmanager", secrets_,
                          {.version = api::JsonVersion::v1_1});
}

Status SecretsService::add_integrations(tasks::IntegrationRegistry& registry) {
  return registry.add("aws-sdk:secretsmanager:*", &sdk_);
}

}  // namespace stepwise::services::secretsmanager
