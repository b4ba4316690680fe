// The 18 States.* intrinsic functions, on evaluated arguments. Numbers follow Java as AWS runs
// it: MathAdd/MathRandom round with Math.round (half up), Format prints Java's toString.
#include <openssl/evp.h>

#include <cmath>
#include <unordered_set>

#include "base/limits.h"
#include "base/random.h"
#include "jsonpath/intrinsic_ast.h"
#include "jsonpath/java_text.h"

namespace stepwise::jsonpath::detail {
namespace {

struct FnInfo {
  const char* name;
  Fn fn;
  int min_args;
  int max_args;  // -1: any number
};

constexpr FnInfo kFunctions[] = {
    {"States.Format", Fn::kFormat, 1, -1},
    {"States.StringToJson", Fn::kStringToJson, 1, 1},
    {"States.JsonToString", Fn::kJsonToString, 1, 1},
    {"States.Array", Fn::kArray, 0, -1},
    {"States.ArrayPartition", Fn::kArrayPartition, 2, 2},
    {"States.ArrayContains", Fn::kArrayContains, 2, 2},
    {"States.ArrayRange", Fn::kArrayRange, 3, 3},
    {"States.ArrayGetItem", Fn::kArrayGetItem, 2, 2},
    {"States.ArrayLength", Fn::kArrayLength, 1, 1},
    {"States.ArrayUnique", Fn::kArrayUnique, 1, 1},
    {"States.Base64Encode", Fn::kBase64Encode, 1, 1},
    {"States.Base64Decode", Fn::kBase64Decode, 1, 1},
    {"States.Hash", Fn::kHash, 2, 2},
    {"States.JsonMerge", Fn::kJsonMerge, 3, 3},
    {"States.MathRandom", Fn::kMathRandom, 2, 3},
    {"States.MathAdd", Fn::kMathAdd, 2, 2},
    {"States.StringSplit", Fn::kStringSplit, 2, 2},
    {"States.UUID", Fn::kUuid, 0, 0},
};

const FnInfo& info(Fn fn) { return kFunctions[static_cast<int>(fn)]; }

Error failure(const Call& call, const std::string& what) {
  return Error{"States.IntrinsicFailure", "Invalid arguments in " + call.name + ": " + what};
}

// Java's Math.round: half up, toward positive infinity.
bool round_to_long(const json::value& v, std::int64_t& out) {
  if (v.is_int64()) {
    out = v.get_int64();
    return true;
  }
  if (!json::is_number(v)) return false;
  double d = std::floor(json::as_double(v) + 0.5);
  if (!(d >= -9.2e18 && d <= 9.2e18)) return false;
  out = static_cast<std::int64_t>(d);
  return true;
}

bool exact_integer(const json::value& v, std::int64_t& out) {
  if (!json::is_integral_number(v)) return false;
  return round_to_long(v, out);
}

Result<json::value> format(const Call& call, const std::vector<json::value>& args) {
  if (!args[0].is_string()) return failure(call, "the format string must be a string");
  // A literal template keeps its escapes so "\{" stays a brace, never a placeholder.
  const Arg& t = call.args[0];
  std::string_view tmpl = t.is_string_literal ? std::string_view(t.raw) : args[0].get_string();
  std::string out;
  std::size_t next = 1;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '\\' && t.is_string_literal && i + 1 < tmpl.size()) {
      out += tmpl[++i];
    } else if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      if (next >= args.size()) return failure(call, "more placeholders than arguments");
      append_java_string(args[next++], out);
      ++i;
    } else {
      out += c;
    }
  }
  if (next != args.size()) return failure(call, "more arguments than placeholders");
  return json::value(json::string(out));
}

Result<json::value> string_to_json(const Call& call, const std::vector<json::value>& args) {
  const json::string* s = args[0].if_string();
  if (s == nullptr) return failure(call, "the argument must be a string");
  std::string_view text = *s;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  if (text.empty()) return json::value(nullptr);  // Jackson reads nothing as null
  auto v = json::parse(text);
  if (!v) return failure(call, "the string is not valid JSON");
  return std::move(v).value();
}

Result<json::value> array_partition(const Call& call, const std::vector<json::value>& args) {
  const json::array* a = args[0].if_array();
  std::int64_t n = 0;
  if (a == nullptr) return failure(call, "the first argument must be an array");
  if (!exact_integer(args[1], n) || n <= 0)
    return failure(call, "the chunk size must be a positive integer");
  json::array out;
  for (std::size_t i = 0; i < a->size(); i += static_cast<std::size_t>(n)) {
    std::size_t end = std::min(a->size(), i + static_cast<std::size_t>(n));
    out.push_back(json::array(a->begin() + static_cast<std::ptrdiff_t>(i),
                              a->begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return json::value(std::move(out));
}

Result<json::value> array_range(const Call& call, const std::vector<json::value>& args) {
  std::int64_t start = 0, end = 0, step = 0;
  if (!exact_integer(args[0], start) || !exact_integer(args[1], end) ||
      !exact_integer(args[2], step)) {
    return failure(call, "all arguments must be integers");
  }
  if (step == 0) return failure(call, "the step must not be 0");
  std::int64_t count = 0;
  if ((step > 0 && start <= end) || (step < 0 && start >= end)) {
    // Computed in long double so huge spans cannot overflow.
    long double span = (static_cast<long double>(end) - start) / step;
    count = span >= limits::array_range_items_max ? limits::array_range_items_max + 1
                                                  : static_cast<std::int64_t>(span) + 1;
  }
  if (count > static_cast<std::int64_t>(limits::array_range_items_max)) {
    return failure(call, "the result would have more than 1000 items");
  }
  json::array out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) out.push_back(start + i * step);
  return json::value(std::move(out));
}

Result<json::value> array_get_item(const Call& call, const std::vector<json::value>& args) {
  const json::array* a = args[0].if_array();
  std::int64_t i = 0;
  if (a == nullptr) return failure(call, "the first argument must be an array");
  if (!exact_integer(args[1], i)) return failure(call, "the index must be an integer");
  if (i < 0 || i >= static_cast<std::int64_t>(a->size()))
    return failure(call, "the index is out of range");
  return (*a)[static_cast<std::size_t>(i)];
}

Result<json::value> array_unique(const Call& call, const std::vector<json::value>& args) {
  const json::array* a = args[0].if_array();
  if (a == nullptr) return failure(call, "the argument must be an array");
  std::unordered_set<std::string> seen;
  json::array out;
  for (const auto& v : *a)
    if (seen.insert(json::dump(v)).second) out.push_back(v);
  return json::value(std::move(out));
}

Result<json::value> base64_encode(const Call& call, const std::vector<json::value>& args) {
  const json::string* s = args[0].if_string();
  if (s == nullptr) return failure(call, "the argument must be a string");
  if (s->size() > limits::intrinsic_string_chars_max)
    return failure(call, "the input is longer than 10000 characters");
  std::string out(4 * ((s->size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s->data()),
                          static_cast<int>(s->size()));
  out.resize(static_cast<std::size_t>(n));
  return json::value(json::string(out));
}

Result<json::value> base64_decode(const Call& call, const std::vector<json::value>& args) {
  const json::string* s = args[0].if_string();
  if (s == nullptr) return failure(call, "the argument must be a string");
  if (s->size() > limits::intrinsic_string_chars_max)
    return failure(call, "the input is longer than 10000 characters");
  if (s->size() % 4 != 0) return failure(call, "the input is not valid Base64");
  std::string out(s->size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s->data()),
                          static_cast<int>(s->size()));
  if (n < 0) return failure(call, "the input is not valid Base64");
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  if (s->size() >= 1 && (*s)[s->size() - 1] == '=') --len;
  if (s->size() >= 2 && (*s)[s->size() - 2] == '=') --len;
  out.resize(len);
  return json::value(json::string(out));
}

Result<json::value> hash(const Call& call, const std::vector<json::value>& args) {
  std::string data = args[0].is_string() ? std::string(args[0].get_string()) : json::dump(args[0]);
  if (data.size() > limits::intrinsic_string_chars_max)
    return failure(call, "the input is longer than 10000 characters");
  const json::string* alg = args[1].if_string();
  const EVP_MD* md = nullptr;
  if (alg != nullptr) {
    if (*alg == "MD5") md = EVP_md5();
    if (*alg == "SHA-1") md = EVP_sha1();
    if (*alg == "SHA-256") md = EVP_sha256();
    if (*alg == "SHA-384") md = EVP_sha384();
    if (*alg == "SHA-512") md = EVP_sha512();
  }
  if (md == nullptr)
    return failure(call, "the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr) != 1)
    return failure(call, "hashing failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return json::value(json::string(out));
}

Result<json::value> json_merge(const Call& call, const std::vector<json::value>& args) {
  if (!args[0].is_object() || !args[1].is_object())
    return failure(call, "the first two arguments must be objects");
  if (!args[2].is_bool()) return failure(call, "the third argument must be a boolean");
  // AWS supports only the shallow mode: "you must specify the boolean value as false".
  if (args[2].get_bool())
    return failure(call, "deep merge is not supported, the third argument must be false");
  json::object out = args[0].get_object();
  for (const auto& kv : args[1].get_object()) out[kv.key()] = kv.value();
  return json::value(std::move(out));
}

std::uint64_t splitmix64(std::uint64_t x) { return SplitMix64(x).next(); }

std::uint64_t draw(const EvalContext& ctx) {
  if (ctx.random != nullptr && *ctx.random) return (*ctx.random)();
  return entropy_seed();  // only when the caller injected no source
}

Result<json::value> math_random(const Call& call, const std::vector<json::value>& args,
                                const EvalContext& ctx) {
  std::int64_t lo = 0, hi = 0, seed = 0;
  if (!round_to_long(args[0], lo) || !round_to_long(args[1], hi))
    return failure(call, "start and end must be numbers");
  if (args.size() == 3 && !round_to_long(args[2], seed))
    return failure(call, "the seed must be a number");
  if (lo >= hi) return failure(call, "the start must be less than the end");
  // Same seed, same number; otherwise the injected source. End is exclusive.
  std::uint64_t r = args.size() == 3 ? splitmix64(static_cast<std::uint64_t>(seed)) : draw(ctx);
  auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  return json::value(static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + r % span));
}

Result<json::value> math_add(const Call& call, const std::vector<json::value>& args) {
  std::int64_t a = 0, b = 0;
  if (!round_to_long(args[0], a) || !round_to_long(args[1], b))
    return failure(call, "both arguments must be numbers");
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return failure(call, "the sum overflows");
  return json::value(sum);
}

Result<json::value> string_split(const Call& call, const std::vector<json::value>& args) {
  const json::string* s = args[0].if_string();
  const json::string* d = args[1].if_string();
  if (s == nullptr || d == nullptr) return failure(call, "both arguments must be strings");
  // Java's StringTokenizer: any delimiter character splits; empty tokens are dropped.
  std::string_view text = *s, delims = *d;
  json::array out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = text.find_first_not_of(delims, i);
    if (start == std::string_view::npos) break;
    std::size_t end = text.find_first_of(delims, start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(json::string(text.substr(start, end - start)));
    i = end;
  }
  return json::value(std::move(out));
}

json::value uuid(const EvalContext& ctx) {
  std::uint64_t hi = draw(ctx), lo = draw(ctx);
  hi = (hi & ~0xF000ULL) | 0x4000ULL;        // version 4
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    std::uint64_t word = i < 16 ? hi : lo;
    out += kHex[(word >> (60 - 4 * (i % 16))) & 15];
  }
  return json::value(json::string(out));
}

}  // namespace

bool find_function(std::string_view name, Fn& fn) {
  for (const FnInfo& f : kFunctions) {
    if (name == f.name) {
      fn = f.fn;
      return true;
    }
  }
  return false;
}

std::string check_call(const Call& call) {
  const FnInfo& f = info(call.fn);
  auto n = static_cast<int>(call.args.size());
  if (n < f.min_args || (f.max_args >= 0 && n > f.max_args)) {
    return "wrong number of arguments for " + call.name;
  }
  if (call.fn == Fn::kJsonToString && call.args[0].kind != Arg::Kind::kPath) {
    return "the argument of States.JsonToString must be a path";
  }
  return "";
}

Result<json::value> apply(const Call& call, std::vector<json::value>& args,
                          const EvalContext& ctx) {
  switch (call.fn) {
    case Fn::kFormat:
      return format(call, args);
    case Fn::kStringToJson:
      return string_to_json(call, args);
    case Fn::kJsonToString:
      return json::value(json::string(json::dump(args[0])));
    case Fn::kArray:
      return json::value(json::array(args.begin(), args.end()));
    case Fn::kArrayPartition:
      return array_partition(call, args);
    case Fn::kArrayContains: {
      const json::array* a = args[0].if_array();
      if (a == nullptr) return failure(call, "the first argument must be an array");
      for (const auto& v : *a)
        if (json::equal(v, args[1])) return json::value(true);
      return json::value(false);
    }
    case Fn::kArrayRange:
      return array_range(call, args);
    case Fn::kArrayGetItem:
      return array_get_item(call, args);
    case Fn::kArrayLength: {
      const json::array* a = args[0].if_array();
      if (a == nullptr) return failure(call, "the argument must be an array");
      return json::value(static_cast<std::int64_t>(a->size()));
    }
    case Fn::kArrayUnique:
      return array_unique(call, args);
    case Fn::kBase64Encode:
      return base64_encode(call, args);
    case Fn::kBase64Decode:
      return base64_decode(call, args);
    case Fn::kHash:
      return hash(call, args);
    case Fn::kJsonMerge:
      return json_merge(call, args);
    case Fn::kMathRandom:
      return math_random(call, args, ctx);
    case Fn::kMathAdd:
      return math_add(call, args);
    case Fn::kStringSplit:
      return string_split(call, args);
    case Fn::kUuid:
      return uuid(ctx);
  }
  return failure(call, "unknown function");
}

}  // namespace stepwise::jsonpath::detail
