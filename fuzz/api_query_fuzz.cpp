// Fuzz target: the query protocol's form decoder. Input: a form body. decode_form must respect
// its limits; the router (form POST to /) must name an error or a query service; every decoded
// name is non-empty; the query error and response XML builders take any action name.
#include <cstddef>
#include <cstdint>

#include "api/query_protocol.h"
#include "fuzz/api_fuzz_router.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  namespace http = boost::beast::http;
  std::string_view text = fuzz::as_text(data, size);
  api::FormDecoded decoded = api::decode_form(text);
  if (decoded.ok()) {
    if (decoded.form->params.size() > api::query_limits::params_max)
      fuzz::invariant_failed("more parameters than params_max", text);
    for (const auto& [name, value] : decoded.form->params)
      if (name.empty() || name.size() > 3 * api::query_limits::name_bytes_max)
        fuzz::invariant_failed("a parameter name out of bounds", name);
    if (const std::string* action = decoded.form->find("Action")) {
      std::string xml = api::query_response_body(*action, "urn:x", "", "id");
      if (xml.find('<', 1) == std::string::npos) fuzz::invariant_failed("empty envelope", xml);
    }
  } else if (decoded.error.type != "MalformedQueryString") {
    fuzz::invariant_failed("form error is not MalformedQueryString", decoded.error.type);
  }
  api::HttpRequest request{http::verb::post, "/", 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::content_type, "application/x-www-form-urlencoded");
  request.body() = std::string(text);
  api::Route route = fuzz::fuzz_router().route(request);
  if (!fuzz::route_is_sane(route) || route.protocol != api::Protocol::query)
    fuzz::invariant_failed("a form POST did not route to the query protocol", text);
  if (route.error) (void)api::query_error_body(*route.error, "id", "urn:x");
  return 0;
}
