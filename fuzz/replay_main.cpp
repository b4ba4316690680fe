// The corpus replay driver: runs every file named on the command line (or inside a directory
// named there) through LLVMFuzzerTestOneInput once. Linked with each target when libFuzzer is
// not in use, so every corpus runs under ctest with any compiler. A crash or broken invariant
// aborts the process; an input slower than slow_ms_max fails the run (hostile input must never
// hang the parser).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Generous: replays also run under sanitizers and on busy CI machines.
constexpr long long slow_ms_max = 5000;

std::vector<std::filesystem::path> inputs(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (!std::filesystem::is_directory(arg)) {
      files.push_back(arg);
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg))
      if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  auto files = inputs(argc, argv);
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  int slow = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay %s\n", file.c_str());
    auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    if (ms > slow_ms_max) {
      std::fprintf(stderr, "SLOW: %s took %lld ms\n", file.c_str(), ms);
      ++slow;
    }
  }
  std::fprintf(stderr, "%zu inputs replayed, %d slow\n", files.size(), slow);
  return slow == 0 ? 0 : 1;
}
