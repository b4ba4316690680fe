// The console's built files (console/, built by Vite), compiled into the `stepwise` binary by a
// generated source (src/console/CMakeLists.txt, embed/embed.cpp). When node and npm were missing
// at build time the generated source holds one placeholder page that says so instead.
//
// Thread-safety: constant data.
#pragma once

#include <cstddef>
#include <string_view>

namespace stepwise::console {

struct Asset {
  std::string_view path;          // "index.html", "assets/index-3f2a9c.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8", ...
  std::string_view bytes;
  std::string_view etag;   // a quoted hash of the bytes
  bool immutable = false;  // a content-hashed name (assets/): cached for a year
};

// nullptr when there is no such file.
const Asset* find_asset(std::string_view path);
// False when the placeholder page stands in for the console (node/npm missing at build time).
bool console_built();
std::size_t asset_count();

}  // namespace stepwise::console
