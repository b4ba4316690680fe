// The compiled state machine model. (Filled in by the engine work: see docs/ARCHITECTURE.md.)
#pragma once

namespace stepwise::asl {
struct StateMachine;
}  // namespace stepwise::asl
