// Fuzz target: what `stepwise bench services` reads from a server under test and from /proc
// (src/bench/server_process.h, services_requests.h). Input: a selector byte (0 /proc/PID/stat,
// 1 /proc/PID/status with the key on the first line, 2 a JSON answer with the member name on
// the first line), then the text. Nothing may crash; a found string member lies inside the
// answer, and CPU ticks are never negative.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/server_process.h"
#include "bench/services_requests.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using stepwise::fuzz::invariant_failed;
  std::string_view text = stepwise::fuzz::as_text(data, size);
  if (text.empty()) return 0;
  const unsigned selector = static_cast<unsigned char>(text[0]) % 3;
  text.remove_prefix(1);
  auto newline = text.find('\n');
  std::string_view first = text.substr(0, newline);
  std::string_view rest = newline == std::string_view::npos ? "" : text.substr(newline + 1);
  if (selector == 0) {
    auto ticks = stepwise::bench::parse_stat_cpu_ticks(text);
    if (ticks && *ticks < 0) invariant_failed("negative CPU ticks", text);
  } else if (selector == 1) {
    (void)stepwise::bench::parse_status_kb(rest, first);
  } else {
    auto found = stepwise::bench::find_json_string(rest, first);
    if (found && rest.find(*found) == std::string_view::npos)
      invariant_failed("a member's text that is not in the answer", *found);
    for (unsigned status : {200u, 400u, 404u, 500u})
      (void)stepwise::bench::is_unknown_operation(status, rest);
  }
  return 0;
}
