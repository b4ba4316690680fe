// ModelledErrors: the error names an aws-sdk:<service>:* integration reports. The AWS SDK for
// Java v2 inside Step Functions knows only the exceptions its service model declares; any other
// error code reaches the workflow as the service's generic exception (an invalid secret name,
// a ValidationException, is "SecretsManager.SecretsManagerException"). Wrapping a service's
// operations in this Dispatcher renames the other codes before SdkRunner shapes the failure.
//
// Thread-safety: as the wrapped Dispatcher (the lists are read-only after construction).
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "api/dispatcher.h"

namespace stepwise::services {

class ModelledErrors final : public api::Dispatcher {
 public:
  // modelled: the error types the SDK models ("ResourceNotFoundException"); generic: the
  // type every other error becomes ("SecretsManagerException").
  ModelledErrors(api::Dispatcher& inner, std::vector<std::string> modelled, std::string generic)
      : inner_(inner), modelled_(std::move(modelled)), generic_(std::move(generic)) {}

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override {
    inner_.dispatch(operation, std::move(request), info,
                    [this, reply = std::move(reply)](api::Response r) {
                      if (!r.is_error() || is_modelled(r.error().type)) return reply(std::move(r));
                      api::ApiError e = r.error();
                      e.type = generic_;
                      reply(std::move(e));
                    });
  }

 private:
  bool is_modelled(const std::string& type) const {
    return std::find(modelled_.begin(), modelled_.end(), type) != modelled_.end();
  }
  api::Dispatcher& inner_;
  std::vector<std::string> modelled_;
  std::string generic_;
};

}  // namespace stepwise::services
