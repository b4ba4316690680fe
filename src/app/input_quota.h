// StartExecution's input quota for the local commands: `stepwise run` and `stepwise test`
// refuse what `stepwise serve` refuses, in the same words.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>

namespace stepwise::app {

// "ValidationException: 1 validation error detected: Value at 'input' failed to satisfy
// constraint: Member must have length less than or equal to 262144" when the input text is over
// the 256 KiB payload quota; nullopt otherwise.
std::optional<std::string> input_quota_error(const std::string& input_text);

}  // namespace stepwise::app
