// What `stepwise --version` prints: the project version (CMake's project(VERSION)), the git
// commit the binary was built from (captured at every build by cmake/version_info.cmake; "-dirty"
// when tracked files had uncommitted changes, "unknown" outside a git checkout) and the build
// type. Thread-safety: immutable after first use.
#pragma once

#include <string>

namespace stepwise::app {

struct BuildInfo {
  const char* version;     // "0.1.0"
  const char* commit;      // "54209c4a1b2c", "54209c4a1b2c-dirty" or "unknown"
  const char* build_type;  // "RelWithDebInfo", "Release", "Debug", ...
};

// Defined in the generated version_info.cpp (library stepwise_version).
const BuildInfo& build_info();

// "stepwise 0.1.0 (commit 54209c4a1b2c, RelWithDebInfo)".
inline std::string version_text() {
  const BuildInfo& b = build_info();
  return std::string("stepwise ") + b.version + " (commit " + b.commit + ", " + b.build_type + ")";
}

}  // namespace stepwise::app
