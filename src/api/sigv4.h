// AWS Signature Version 4 verification for service `states` (any region), and the key store it
// checks against (access key id -> secret, loaded from the --auth-keys file).
//
// Why here and not a library: the server only verifies; the algorithm is short and fully
// specified (docs.aws.amazon.com "Create a signed AWS API request"), and HMAC-SHA256 comes from
// OpenSSL. Errors carry AWS's own __type names and wording.
//
// Thread-safety: KeyStore is immutable after loading and safe to share; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "base/clock.h"
#include "base/result.h"

namespace stepwise::api {

inline constexpr std::string_view sigv4_service = "states";

class KeyStore {
 public:
  // The --auth-keys file: a JSON object {"<access key id>": "<secret access key>", ...}.
  static Result<KeyStore> load_file(const std::string& path);
  static Result<KeyStore> parse(std::string_view text);

  void add(std::string access_key_id, std::string secret);
  // nullptr when the key is unknown.
  const std::string* secret_for(std::string_view access_key_id) const;
  std::size_t size() const { return secrets_.size(); }

 private:
  std::unordered_map<std::string, std::string> secrets_;
};

// The parts of an HTTP request that SigV4 signs. Header names in any case; a name may repeat.
struct SignedRequest {
  std::string method;
  std::string target;  // request-target as sent: path and optional ?query, still %-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

// Who signed a verified request.
struct Identity {
  std::string access_key_id;
  std::string region;
};

// Verifies the Authorization header against keys at time now. Errors: ApiError with
// MissingAuthenticationTokenException, IncompleteSignatureException, UnrecognizedClientException
// or InvalidSignatureException (bad signature, wrong service, expired, not yet current).
struct Verified {
  std::optional<Identity> identity;
  ApiError error;
  bool ok() const { return identity.has_value(); }
};
Verified verify_sigv4(const SignedRequest& request, const KeyStore& keys, Millis now_ms);

// The building blocks, exposed for known-answer tests and for clients (the load tool signs).
namespace sigv4 {
std::string hex(std::string_view bytes);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string canonical_request(const SignedRequest& request,
                              const std::vector<std::string>& signed_headers);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);
// The Authorization header value for a request (headers must already hold host and
// x-amz-date). Signs every header given, lowercased and sorted.
std::string authorization(const SignedRequest& request, std::string_view access_key_id,
                          std::string_view secret, std::string_view region,
                          std::string_view service, std::string_view amz_date);
// "20261125T112322Z" for an epoch-millisecond time.
std::string amz_date(Millis t);
}  // namespace sigv4

}  // namespace stepwise::api
