// RecordText: a record's JSON text written member by member, with the bytes json::dump would
// write for the same object. The services write a record on every send and put (an SQS message,
// an S3 object's metadata); building a json tree only to dump it cost more than the rest of the
// write (an S3 put from a workflow spent ~15% of its CPU there).
//
// Use: start with `out += '{'` and the first member (no comma), then key() (a value written by
// the caller follows), text() and integer(), and end with `out += '}'`.
//
// Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include "json/json.h"

namespace stepwise::services::record_text {

// `,"key":` — the value follows.
inline void key(std::string& out, std::string_view name) {
  out += ',';
  json::quote_to(name, out);
  out += ':';
}

inline void text(std::string& out, std::string_view name, std::string_view v) {
  key(out, name);
  json::quote_to(v, out);
}

template <typename Int>
inline void integer(std::string& out, Int v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

template <typename Int>
inline void integer(std::string& out, std::string_view name, Int v) {
  key(out, name);
  integer(out, v);
}

}  // namespace stepwise::services::record_text
