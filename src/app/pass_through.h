// Pass-through endpoints as the commands set them up (docs/SERVICES.md): the `endpoints:`
// section of the config files (--functions) and the environment variables SQS_ENDPOINT,
// SNS_ENDPOINT, S3_ENDPOINT, DYNAMODB_ENDPOINT, SECRETSMANAGER_ENDPOINT and EVENTS_ENDPOINT (as
// Step Functions Local reads them; a variable wins over the file for its service), with the
// credentials and region from AWS_* variables and the shared files (services/remote/
// credentials.h). This is where the environment is read; services/remote gets the values.
//
// Thread-safety: call from the command's thread before serving.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "services/remote/remote_services.h"
#include "tasks/tasks_config.h"

namespace stepwise::app {

// The endpoints the config and the environment set, merged (the environment wins).
std::vector<services::remote::EndpointSetting> endpoint_settings(
    const std::vector<tasks::EndpointSpec>& from_config);

// The remote services for `settings`, or null when there are none. `clock` must be the real
// time (signatures); `region` is the command's (--region) when the environment names none.
// Writes one line per routed service to `out` ("stepwise serve: sqs integrations go to URL,
// signed with ..."). Errors: Usage (bad URL, unknown service), Credentials.
Result<std::unique_ptr<services::remote::RemoteServices>> open_pass_through(
    const std::vector<services::remote::EndpointSetting>& settings, Clock& clock,
    const std::string& region, const std::string& command, std::ostream& out);

// SIGHUP: the endpoints `settings` names now (the config files read again; the variables are
// those of the start) and the credentials found now (the shared files read again) replace what
// `remote` (null: nothing routed at start) sends with; writes the routes again to `out`, as
// open_pass_through does. Errors (Usage, Credentials), and nothing changes: a malformed URL, a
// service routed anew or no longer (that needs a restart), credentials not found.
Status reload_pass_through(services::remote::RemoteServices* remote,
                           const std::vector<services::remote::EndpointSetting>& settings,
                           const std::string& region, const std::string& command,
                           std::ostream& out);

// `enabled` without the services that have an endpoint (their integrations go there).
std::vector<std::string> without_routed(std::vector<std::string> enabled,
                                        const std::vector<services::remote::EndpointSetting>& s);

}  // namespace stepwise::app
