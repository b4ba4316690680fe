// AWS Signature Version 4 verification (any region) for the service a request was routed to
// (`states` by default; the router passes each route's signing name and rules), and the key
// store it checks against (access key id -> secret, loaded from the --auth-keys file).
//
// Why here and not a library: the server only verifies; the algorithm is short and fully
// specified (docs.aws.amazon.com "Create a signed AWS API request"), and HMAC-SHA256 comes from
// OpenSSL. Errors carry AWS's own __type names and wording.
//
// Thread-safety: KeyStore is immutable after loading and safe to share; the functions are pure.
#pragma once

#include <openssl/types.h>

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

// How a service signs. S3 signs the path as sent (no dot-segment removal, no second encoding)
// and may sign the literal UNSIGNED-PAYLOAD or STREAMING-* in x-amz-content-sha256 instead of
// the body's hash (the chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are not
// verified here: the seed signature is). An empty service accepts whatever the scope names
// (requests no route claims are still authenticated before they are refused).
struct SigningRules {
  std::string_view service = sigv4_service;
  bool s3_path = false;
  bool unsigned_payload_allowed = false;
};

// Verifies the Authorization header against keys at time now. Errors: ApiError with
// MissingAuthenticationTokenException, IncompleteSignatureException, UnrecognizedClientException
// or InvalidSignatureException (bad signature, wrong service, expired, not yet current).
struct Verified {
  std::optional<Identity> identity;
  ApiError error;
  bool ok() const { return identity.has_value(); }
};
Verified verify_sigv4(const SignedRequest& request, const KeyStore& keys, Millis now_ms,
                      const SigningRules& rules = {});

// The building blocks, exposed for known-answer tests and for clients (the load tool signs).
namespace sigv4 {
std::string hex(std::string_view bytes);
std::string sha256_hex(std::string_view data);
// An OpenSSL digest fetched once by name ("SHA256", "MD5"), for a static to keep: given
// EVP_sha256() or EVP_md5(), OpenSSL 3 looks the algorithm up again on every digest
// (EVP_MD_fetch): perf put that at over half the time of hashing a short text (an S3 key, an SQS
// body).
const EVP_MD* fetched_digest(const char* name);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// payload_hash: the hash line; empty means the SHA-256 of request.body.
std::string canonical_request(const SignedRequest& request,
                              const std::vector<std::string>& signed_headers, bool s3_path = false,
                              std::string_view payload_hash = {});
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);
// The Authorization header value for a request (headers must already hold host and
// x-amz-date). Signs every header given, lowercased and sorted.
std::string authorization(const SignedRequest& request, std::string_view access_key_id,
                          std::string_view secret, std::string_view region,
                          std::string_view service, std::string_view amz_date, bool s3_path = false,
                          std::string_view payload_hash = {});
// The Authorization header's parts (views into the header). Never fails: missing parts are
// empty and flagged, for the caller to word the error.
struct AuthorizationParts {
  std::string_view algorithm, credential, signed_headers, signature;
  bool has_credential = false, has_signed_headers = false, has_signature = false;
};
AuthorizationParts parse_authorization(std::string_view header);
// The service named in the credential scope (`AKID/DATE/REGION/SERVICE/aws4_request`), or
// empty when the header does not hold a well-formed scope. No allocation: the router asks this
// of every request to decide between services that share an action or a path.
std::string_view scope_service(std::string_view authorization_header);
// "20261125T112322Z" for an epoch-millisecond time.
std::string amz_date(Millis t);
}  // namespace sigv4

}  // namespace stepwise::api
