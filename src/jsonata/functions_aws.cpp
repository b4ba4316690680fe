// The functions AWS adds to JSONata in Step Functions: $partition, $range, $hash, $uuid, $parse.
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "json/json.h"

#include "jsonata/functions_internal.h"

namespace stepwise::jsonata::builtins {
namespace {

// ---- AWS additions ----

Value f_partition(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  double size = arg(a, 1).num();
  if (!(size >= 1)) fail_value("D3030", arg(a, 1));
  auto n = static_cast<std::size_t>(size);
  Value out = make_array();
  const auto& xs = items(a[0]);
  for (std::size_t i = 0; i < xs.size(); i += n) {
    std::vector<Value> chunk(xs.begin() + static_cast<std::ptrdiff_t>(i),
                             xs.begin() + static_cast<std::ptrdiff_t>(std::min(i + n, xs.size())));
    out.arr().items.push_back(make_array(std::move(chunk)));
  }
  return out;
}

// AWS caps generated ranges; the same cap as the range operator keeps memory bounded.
constexpr double aws_range_items_max = 1e7;

Value f_range(Context&, Args& a, const Value&, const FramePtr&) {
  double start = arg(a, 0).num(), end = arg(a, 1).num();
  double step = arg(a, 2).undefined() ? 1 : a[2].num();
  if (step == 0 || !std::isfinite(step)) fail_value("D3030", arg(a, 2));
  Value out = make_array();
  double count = 0;
  for (double x = start; step > 0 ? x <= end : x >= end; x += step) {
    if (++count > aws_range_items_max) fail_value("D2014", Value::number(count));
    out.arr().items.push_back(Value::number(x));
  }
  return out;
}

Value f_hash(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  std::string algo = arg(a, 1).is_string() ? text(a[1]) : "SHA-256";
  const EVP_MD* md = algo == "MD5"       ? EVP_md5()
                     : algo == "SHA-1"   ? EVP_sha1()
                     : algo == "SHA-256" ? EVP_sha256()
                     : algo == "SHA-384" ? EVP_sha384()
                     : algo == "SHA-512" ? EVP_sha512()
                                         : nullptr;
  if (!md) fail_value("D3030", arg(a, 1));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  const std::string& s = a[0].str();
  EVP_Digest(s.data(), s.size(), digest, &len, md, nullptr);
  std::string out;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    out += buf;
  }
  return Value::string(out);
}

Value f_uuid(Context& ctx, Args&, const Value&, const FramePtr&) {
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(next_random(ctx) * 256);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  std::string out;
  char buf[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    out += buf;
  }
  return Value::string(out);
}

}  // namespace
}  // namespace stepwise::jsonata::builtins

namespace stepwise::jsonata {

Value from_json_value(const json::value& v, std::size_t depth);

}  // namespace stepwise::jsonata

namespace stepwise::jsonata::builtins {
namespace {

Value f_parse(Context&, Args& a, const Value&, const FramePtr&) {
  if (arg(a, 0).undefined()) return Value();
  auto parsed = json::parse(a[0].str());
  if (!parsed.ok()) {
    JError err{"D3030"};
    err.value = a[0];
    throw err;
  }
  return from_json_value(*parsed, 0);
}

}  // namespace

std::vector<Builtin> aws() {
  return {
      {"partition", f_partition, "<an:a>", 2, nullptr}, {"range", f_range, "<nnn?:a>", 3, nullptr},
      {"hash", f_hash, "<s-s?:s>", 2, nullptr},         {"uuid", f_uuid, "<:s>", 0, nullptr},
      {"parse", f_parse, "<s-:j>", 1, nullptr},
  };
}

}  // namespace stepwise::jsonata::builtins
