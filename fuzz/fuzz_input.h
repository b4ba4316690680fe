// Shared helpers of the fuzz targets: how a target's bytes split into a program and its input,
// and how a target reports a broken invariant.
//
// Most targets read "PROGRAM\nINPUT": the text up to the first newline is the thing being
// compiled (a path, an intrinsic, a JSONata expression, a template) and the rest is the JSON
// document it runs on. Input that is not JSON runs as {} so the program is still exercised.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "json/json.h"

namespace stepwise::fuzz {

struct ProgramAndInput {
  std::string_view program;
  json::value input;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline ProgramAndInput split(std::string_view text) {
  auto newline = text.find('\n');
  if (newline == std::string_view::npos) return {text, json::object{}};
  auto parsed = json::parse(text.substr(newline + 1));
  return {text.substr(0, newline), parsed.ok() ? std::move(parsed).value() : json::object{}};
}

// A broken invariant is a bug even when nothing crashed: abort so libFuzzer (and the replay
// test) stop on it with the message.
[[noreturn]] inline void invariant_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz invariant failed: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// A fixed pseudo-random source (States.UUID, States.MathRandom): fuzz runs must replay exactly.
struct FixedRandom {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  std::uint64_t operator()() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state;
  }
};

}  // namespace stepwise::fuzz
