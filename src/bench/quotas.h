// AWS's quotas switch (256 KiB payloads, 25,000 history events) for the benchmark's engine
// options, when the engine has one: the peers enforce no quota, and W3 exceeds the payload one.
// Thread-safety: pure.
#pragma once

namespace stepwise::bench {

// Sets options.enforce_quotas when the engine's options have that member. Returns false when
// quotas off was asked for and the engine cannot switch them off.
template <typename Options>
bool set_quotas(Options& options, bool on) {
  if constexpr (requires { options.enforce_quotas = on; }) {
    options.enforce_quotas = on;
    return true;
  } else {
    return on;  // AWS's quotas are then the engine's only behaviour
  }
}

}  // namespace stepwise::bench
