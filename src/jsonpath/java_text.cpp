#include "jsonpath/java_text.h"

#include "base/limits.h"

namespace stepwise::jsonpath::detail {
namespace {

void append(const json::value& v, std::string& out, std::size_t depth) {
  if (depth > limits::json_depth_max) return;
  if (const json::string* s = v.if_string()) {
    out.append(s->data(), s->size());
  } else if (const json::object* o = v.if_object()) {
    out += '{';
    bool first = true;
    for (const auto& kv : *o) {
      if (!first) out += ", ";
      first = false;
      out.append(kv.key().data(), kv.key().size());
      out += '=';
      append(kv.value(), out, depth + 1);
    }
    out += '}';
  } else if (const json::array* a = v.if_array()) {
    out += '[';
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (i > 0) out += ", ";
      append((*a)[i], out, depth + 1);
    }
    out += ']';
  } else {
    json::dump_to(v, out);
  }
}

}  // namespace

void append_java_string(const json::value& v, std::string& out) { append(v, out, 0); }

}  // namespace stepwise::jsonpath::detail
