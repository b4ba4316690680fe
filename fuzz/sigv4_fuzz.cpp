// Fuzz target: the SigV4 Authorization header parser and verifier. Input
// "AUTHORIZATION\nX-AMZ-DATE\nBODY": verifies a POST / carrying that header and date against a
// fixed key store and clock (states rules, then S3 rules). Never accepts (the signature cannot
// match by chance); every refusal names an AWS error type; scope_service() returns a part of
// the header's Credential.
#include <cstddef>
#include <cstdint>

#include "api/sigv4.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  std::string_view text = fuzz::as_text(data, size);
  std::size_t first = text.find('\n');
  std::string_view header = text.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? "" : text.substr(first + 1);
  std::size_t second = rest.find('\n');
  std::string_view date = rest.substr(0, second);
  std::string_view body = second == std::string_view::npos ? "" : rest.substr(second + 1);

  api::sigv4::AuthorizationParts parts = api::sigv4::parse_authorization(header);
  std::string_view service = api::sigv4::scope_service(header);
  if (!service.empty() && parts.credential.find(service) == std::string_view::npos)
    fuzz::invariant_failed("scope service is not in the credential", header);

  static const api::KeyStore keys = [] {
    api::KeyStore k;
    k.add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return k;
  }();
  api::SignedRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Host", "localhost:8083"},
                     {"X-Amz-Date", std::string(date)},
                     {"Authorization", std::string(header)},
                     {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  request.body = body;
  constexpr Millis now_ms = 1'440'938'160'000;  // 2015-08-30T12:36:00Z, the AWS test vectors'
  for (const api::SigningRules& rules :
       {api::SigningRules{}, api::SigningRules{"s3", true, true}}) {
    api::Verified v = api::verify_sigv4(request, keys, now_ms, rules);
    if (v.ok()) fuzz::invariant_failed("a fuzzed signature verified", header);
    if (v.error.type.empty() || v.error.status != 400)
      fuzz::invariant_failed("a refusal without an AWS type", header);
  }
  return 0;
}
