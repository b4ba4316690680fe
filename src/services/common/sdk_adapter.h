// SdkAdapter: a service's answers as the AWS SDK for Java v2 inside Step Functions shows them to
// an aws-sdk:<service>:* integration, for services whose operations answer in AWS JSON shapes.
//  - Errors: the SDK knows only the exceptions its service model declares; any other error code
//    reaches the workflow as the service's generic exception (an invalid secret name, a
//    ValidationException, is "SecretsManager.SecretsManagerException"). SdkRunner then shapes
//    the failure from the renamed type.
//  - Timestamps: the JSON protocol's epoch seconds become ISO-8601 text as Java's Instant
//    writes it ("2025-01-02T03:04:05Z", "2025-01-02T03:04:05.120Z"), the way Step Functions
//    serialises the SDK's results (S3's LastModified in the recordings).
//
// Thread-safety: as the wrapped Dispatcher (the lists are read-only after construction).
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"

namespace stepwise::services {

class SdkAdapter final : public api::Dispatcher {
 public:
  // modelled: the error types the SDK models ("ResourceNotFoundException"); generic: the type
  // every other error becomes ("SecretsManagerException"); timestamps: the member names that
  // hold timestamps anywhere in an answer ("CreatedDate").
  SdkAdapter(api::Dispatcher& inner, std::vector<std::string> modelled, std::string generic,
             std::vector<std::string> timestamps = {})
      : inner_(inner),
        modelled_(std::move(modelled)),
        generic_(std::move(generic)),
        timestamps_(std::move(timestamps)) {}

  void dispatch(std::string_view operation, json::value request, const api::RequestInfo& info,
                api::Reply reply) override {
    inner_.dispatch(operation, std::move(request), info,
                    [this, reply = std::move(reply)](api::Response r) {
                      if (!r.is_error()) {
                        json::value body = r.body();
                        iso_timestamps(body);
                        return reply(std::move(body));
                      }
                      if (listed(modelled_, r.error().type)) return reply(std::move(r));
                      api::ApiError e = r.error();
                      e.type = generic_;
                      reply(std::move(e));
                    });
  }

  // Instant.toString of epoch seconds (whole or with milliseconds).
  static std::string instant_text(double seconds) {
    const auto ms = static_cast<Millis>(seconds * 1000.0 + (seconds >= 0 ? 0.5 : -0.5));
    std::string iso = format_iso8601_ms(ms);  // 2025-01-02T03:04:05.678Z
    if (ms % 1000 == 0) return iso.substr(0, 19) + "Z";
    return iso;
  }

 private:
  static bool listed(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }
  void iso_timestamps(json::value& v) const {
    if (timestamps_.empty()) return;
    if (auto* a = v.if_array()) {
      for (auto& item : *a) iso_timestamps(item);
    } else if (auto* o = v.if_object()) {
      for (auto& kv : *o) {
        if (json::is_number(kv.value()) && listed(timestamps_, kv.key())) {
          kv.value() = instant_text(json::as_double(kv.value()));
        } else {
          iso_timestamps(kv.value());
        }
      }
    }
  }

  api::Dispatcher& inner_;
  std::vector<std::string> modelled_;
  std::string generic_;
  std::vector<std::string> timestamps_;
};

}  // namespace stepwise::services
