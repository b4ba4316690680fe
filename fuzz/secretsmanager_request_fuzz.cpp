// Fuzz target: the built-in Secrets Manager's request decoding. Input: "OPERATION\nBODY": the
// body (JSON; anything else is sent as a JSON string, which must be refused) goes to that
// operation of a fresh in-memory service holding one secret with two versions. Every request
// must be answered exactly once, an error always has a type; afterwards the service still
// answers ListSecrets and, unless the input deleted or changed it, GetSecretValue.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "services/common/record_log.h"
#include "services/secretsmanager/secrets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  using namespace stepwise::services;
  std::string_view text = fuzz::as_text(data, size);
  auto newline = text.find('\n');
  std::string op(newline == std::string_view::npos ? text : text.substr(0, newline));
  std::string_view body = newline == std::string_view::npos ? "" : text.substr(newline + 1);
  auto parsed = json::parse(body);
  json::value request = parsed.ok() ? std::move(parsed).value() : json::value(std::string(body));
  ManualClock clock(1'700'000'000'000);
  MemoryRecordLog log;
  secretsmanager::SecretsManager sm(
      secretsmanager::SecretsOptions{.clock = clock, .log = log, .id_seed = 1});
  int answers = 0;
  auto count = [&](api::Response r) {
    ++answers;
    if (r.is_error() && r.error().type.empty())
      fuzz::invariant_failed("an error without a type", text);
  };
  api::RequestInfo info;
  sm.dispatch("CreateSecret", json::object{{"Name", "s"}, {"SecretString", "v1"}}, info, count);
  sm.dispatch("PutSecretValue", json::object{{"SecretId", "s"}, {"SecretString", "v2"}}, info,
              count);
  sm.dispatch(op, std::move(request), info, count);
  clock.advance_by(31LL * 86'400'000);  // past any recovery window the input asked for
  sm.dispatch("ListSecrets", json::object{{"IncludePlannedDeletion", true}}, info, count);
  if (answers != 4) fuzz::invariant_failed("a request was not answered exactly once", text);
  // Records read back into a second service without damage.
  secretsmanager::SecretsManager again(
      secretsmanager::SecretsOptions{.clock = clock, .log = log, .id_seed = 2});
  std::size_t damaged = 0;
  if (!again.load(&damaged).ok() || damaged != 0)
    fuzz::invariant_failed("records did not read back", text);
  if (again.secret_count() != sm.secret_count())
    fuzz::invariant_failed("a different number of secrets read back", text);
  return 0;
}
