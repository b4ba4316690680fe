// For the engine's tests only: compile a definition given as text and run it on an input given
// as text, failing the current test (not crashing) when either does not parse.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "asl/compile.h"
#include "engine/run.h"

namespace stepwise::engine {

inline RunResult run_text(const std::string& definition, const std::string& input,
                          const RunOptions& opts) {
  auto m = asl::compile_text(definition);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().cause);
  if (!m.ok()) return RunResult{};
  auto in = json::parse(input);
  EXPECT_TRUE(in.ok());
  if (!in.ok()) return RunResult{};
  auto r = run_execution(**m, *in, opts);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(*r) : RunResult{};
}

}  // namespace stepwise::engine
