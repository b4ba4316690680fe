// Fuzz target: the config files a user writes by hand — the functions/connections/jobs file
// (tasks::parse_tasks_config, tasks::parse_functions) and Step Functions Local's mock config
// (tasks::parse_mock_config). The first byte picks the parser so one corpus drives all three.
// Invariants: never a crash or hang; every refusal carries a name and a cause; a mock config
// that parses resolves each of its test cases or refuses with a named error.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "tasks/functions.h"
#include "tasks/mock_config.h"
#include "tasks/tasks_config.h"

namespace {

template <typename R>
void check_refusal(const R& result, const char* what) {
  if (result.ok()) return;
  if (result.error().name.empty() || result.error().cause.empty())
    stepwise::fuzz::invariant_failed(what, "refusal without a name or a cause");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stepwise;
  if (size == 0) return 0;
  std::string_view text = fuzz::as_text(data + 1, size - 1);
  // A base directory that never exists: parsing must not touch the file system.
  const std::string base_dir = "/nonexistent-fuzz-dir";
  switch (data[0] % 3) {
    case 0:
      check_refusal(tasks::parse_tasks_config(text, base_dir), "tasks config");
      break;
    case 1:
      check_refusal(tasks::parse_functions(text, base_dir), "functions");
      break;
    default: {
      auto config = tasks::parse_mock_config(text);
      check_refusal(config, "mock config");
      if (!config.ok()) break;
      for (const auto& [machine, cases] : config->machines) {
        for (const auto& [name, states] : cases) {
          check_refusal(config->test_case(machine, name), "mock test case");
        }
      }
    }
  }
  return 0;
}
