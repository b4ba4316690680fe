// ASCII case folding for protocol text (HTTP header names, S3 metadata keys, INI keys): the
// locale-independent lower case AWS's wire formats use. One definition for every module.
#pragma once

#include <string>
#include <string_view>

namespace stepwise {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace stepwise
