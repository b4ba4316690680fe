// Seeded workflows for the simulation (tests/sim): random ASL definitions over Pass, Task,
// Choice, Wait, Parallel, Map, Succeed and Fail, with Retry and Catch, and the inputs of the
// executions that run them. Everything comes from one seed, so a failing run rebuilds exactly.
//
// The definitions are built to end: every transition goes forward (state i only names states
// after it), loops are bounded by Retry's MaxAttempts, and Wait times and task delays are short
// next to the TimeoutSeconds the generator sets. They use no context-object field that holds
// the time ($$.State.EnteredTime), so two runs on the same timeline give the same outputs.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/random.h"

namespace stepwise::sim {

// Task resources the fake runner (sim_world.h) answers. Each call's fate (delay, success or
// which error) is a pure function of the run's seed and the call's idempotency key.
inline constexpr const char* kFunctionWithEffects =
    "arn:aws:lambda:us-east-1:123456789012:function:effects";
inline constexpr const char* kFunctionRepeatable =
    "arn:aws:lambda:us-east-1:123456789012:function:repeatable";
// Error names the fake runner fails with (Retry/Catch name them too).
inline constexpr const char* kErrorNames[] = {"Sim.Flaky", "Sim.Broken", "States.TaskFailed"};

// One definition (JSON text) drawn from `rng`.
std::string random_definition(SplitMix64& rng);
// An execution input drawn from `rng` (a JSON object with numbers, strings and a list).
std::string random_input(SplitMix64& rng);

}  // namespace stepwise::sim
