// Matching: the event is read once into the values (leaves) at the paths the pattern names,
// each with the array elements it sits in; then each alternative looks for one value per field
// that its conditions accept, values from one array coming from the same element.
#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

#include "services/events/event_pattern_internal.h"
#include "services/events/events_limits.h"

namespace stepwise::services::events {

namespace {

using Matcher = EventPattern::Matcher;
using Kind = Matcher::Kind;
using T = JsonToken;

// Where a value sits among arrays: a tree of array elements (node 0: in no array).
struct Elements {
  struct Node {
    std::uint32_t parent = 0;
    std::uint32_t array = 0;  // which array (ids from 1) this node is an element of
    std::uint32_t depth = 0;
  };
  std::vector<Node> nodes = {Node{}};

  std::uint32_t add(std::uint32_t parent, std::uint32_t array) {
    nodes.push_back(Node{parent, array, nodes[parent].depth + 1});
    return static_cast<std::uint32_t>(nodes.size() - 1);
  }
  // False when the two sit in different elements of one array. `steps` pays for the climb.
  bool compatible(std::uint32_t a, std::uint32_t b, std::size_t* steps) const {
    while (nodes[a].depth > nodes[b].depth) a = nodes[a].parent, ++*steps;
    while (nodes[b].depth > nodes[a].depth) b = nodes[b].parent, ++*steps;
    if (a == b) return true;  // one lies inside the other's element
    while (nodes[a].parent != nodes[b].parent) a = nodes[a].parent, b = nodes[b].parent, ++*steps;
    return nodes[a].array != nodes[b].array;
  }
};

struct Leaf {
  T kind = T::kNull;
  std::string text;
  std::optional<std::int64_t> micros;  // numbers within AWS's comparable range
  std::uint32_t element = 0;
};

struct FlatEvent {
  Elements elements;
  std::unordered_map<std::string, std::vector<Leaf>> at;  // wanted path -> its values
};

struct Frame {
  bool array = false;
  std::string path;
  std::uint32_t element = 0;  // the element this container sits in
  std::uint32_t array_id = 0;
};

// Reads `event` keeping only the values at `wanted` paths. False when it is not a JSON object.
bool flatten(std::string_view event, const std::set<std::string>& wanted, FlatEvent* out) {
  JsonTokens in(event, events_limits::json_depth_max);
  if (in.next() != T::kBeginObject) return false;
  std::vector<Frame> frames = {Frame{}};
  std::uint32_t arrays = 0;
  std::string key;
  for (;;) {
    const T t = in.next();
    if (t == T::kError) return false;
    if (t == T::kEnd) return in.only_space_left();
    if (t == T::kName) {
      key = in.text();
      continue;
    }
    if (t == T::kEndObject || t == T::kEndArray) {
      frames.pop_back();
      continue;
    }
    Frame& f = frames.back();
    std::string path = f.array ? f.path : (f.path.empty() ? key : f.path + "." + key);
    const std::uint32_t element = f.array ? out->elements.add(f.element, f.array_id) : f.element;
    if (t == T::kBeginObject || t == T::kBeginArray) {
      Frame child{t == T::kBeginArray, std::move(path), element, 0};
      if (child.array) child.array_id = ++arrays;
      frames.push_back(std::move(child));
      continue;
    }
    if (!wanted.count(path)) continue;
    Leaf leaf{t, in.text(), std::nullopt, element};
    if (t == T::kInt || t == T::kFloat) leaf.micros = comparable_micros(leaf.text);
    out->at[path].push_back(std::move(leaf));
  }
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool in_texts(const std::vector<std::string>& texts, const std::string& s) {
  return std::find(texts.begin(), texts.end(), s) != texts.end();
}

bool ip_in(const std::optional<IpRange>& range, const std::string& s) {
  if (!range) return false;
  const auto ip = parse_ip(s);
  return ip && range->contains(*ip);
}

bool wildcard_any(const Matcher& m, const std::string& s) {
  for (const auto& w : m.wildcards)
    if (wildcard_matches(w, s)) return true;
  return false;
}

bool affix_any(const Matcher& m, const std::string& s, bool prefix) {
  for (const auto& a : m.texts)
    if (prefix ? starts_with(s, a) : ends_with(s, a)) return true;
  return false;
}

// Whether the condition accepts the value (exists/absent are decided by the field).
bool accepts(const Matcher& m, const Leaf& v) {
  const bool str = v.kind == T::kString;
  const bool num = v.kind == T::kInt || v.kind == T::kFloat;
  switch (m.kind) {
    case Kind::kExactString:
      return str && (v.text == m.text || ip_in(m.ip, v.text));
    case Kind::kExactNumber:
      return num && (v.text == m.text || (m.micros && v.micros && *m.micros == *v.micros));
    case Kind::kLiteral:
      return v.kind == m.literal;
    case Kind::kPrefix:
      return str && starts_with(v.text, m.text);
    case Kind::kPrefixIgnoreCase:
      return str && starts_with(lowered(v.text), m.text);
    case Kind::kSuffix:
      return str && ends_with(v.text, m.text);
    case Kind::kSuffixIgnoreCase:
      return str && ends_with(lowered(v.text), m.text);
    case Kind::kEqualsIgnoreCase:
      return str && lowered(v.text) == m.text;
    case Kind::kWildcard:
      return str && wildcard_any(m, v.text);
    case Kind::kAnythingBut:
      if (!m.numbers.empty())
        return !(num && v.micros &&
                 std::find(m.numbers.begin(), m.numbers.end(), *v.micros) != m.numbers.end());
      return !(str && in_texts(m.texts, v.text));
    case Kind::kAnythingButPrefix:
      return !(str && affix_any(m, v.text, true));
    case Kind::kAnythingButSuffix:
      return !(str && affix_any(m, v.text, false));
    case Kind::kAnythingButIgnoreCase:
      return !(str && in_texts(m.texts, lowered(v.text)));
    case Kind::kAnythingButWildcard:
      return !(str && wildcard_any(m, v.text));
    case Kind::kNumeric:
      if (!num || !v.micros) return false;
      if (m.low && (*v.micros < *m.low || (m.low_open && *v.micros == *m.low))) return false;
      return !(m.high && (*v.micros > *m.high || (m.high_open && *v.micros == *m.high)));
    case Kind::kCidr:
      return str && ip_in(m.ip, v.text);
    case Kind::kExists:
      return true;
    case Kind::kAbsent:
      return false;
  }
  return false;
}

// One alternative: a value for each field, all from compatible array elements.
bool branch_matches(const EventPattern::Compiled::Branch& branch, const FlatEvent& event) {
  std::vector<std::vector<const Leaf*>> choices;  // per field still needing a value
  for (const auto& [path, matchers] : branch) {
    const auto found = event.at.find(path);
    const std::vector<Leaf>* leaves = found == event.at.end() ? nullptr : &found->second;
    bool absent_ok = false;
    std::vector<const Leaf*> fits;
    for (const auto& m : *matchers) absent_ok = absent_ok || m.kind == Kind::kAbsent;
    if (absent_ok && leaves == nullptr) continue;  // {"exists": false} holds
    if (leaves != nullptr)
      for (const auto& leaf : *leaves)
        for (const auto& m : *matchers)
          if (accepts(m, leaf)) {
            fits.push_back(&leaf);
            break;
          }
    if (fits.empty()) return false;
    choices.push_back(std::move(fits));
  }
  std::sort(choices.begin(), choices.end(),
            [](const auto& a, const auto& b) { return a.size() < b.size(); });
  // Depth-first over the fields (no recursion): `pick[i]` is field i's current candidate.
  std::vector<std::size_t> pick(choices.size(), 0);
  std::size_t steps = 0;
  std::size_t i = 0;
  while (i < choices.size()) {
    if (++steps > events_limits::match_steps_max) return false;
    bool ok = pick[i] < choices[i].size();
    for (std::size_t j = 0; ok && j < i; ++j)
      ok = event.elements.compatible(choices[i][pick[i]]->element, choices[j][pick[j]]->element,
                                     &steps);
    if (ok) {
      ++i;
      continue;
    }
    if (pick[i] < choices[i].size()) {
      ++pick[i];
      continue;
    }
    if (i == 0) return false;
    pick[i] = 0;
    ++pick[--i];
  }
  return true;
}

}  // namespace

bool EventPattern::matches(std::string_view event) const {
  std::set<std::string> wanted;
  for (const auto& branch : compiled_->branches)
    for (const auto& [path, matchers] : branch) wanted.insert(path);
  FlatEvent flat;
  if (!flatten(event, wanted, &flat)) return false;
  for (const auto& branch : compiled_->branches)
    if (branch_matches(branch, flat)) return true;
  return false;
}

bool valid_test_event(std::string_view event) {
  if (event.size() > events_limits::test_event_bytes_max) return false;
  JsonTokens in(event, events_limits::json_depth_max);
  if (in.next() != T::kBeginObject) return false;
  std::set<std::string> members;
  for (;;) {
    T t = in.next();
    if (t == T::kEndObject) break;
    if (t != T::kName) return false;
    members.insert(in.text());
    if (!in.skip_value(in.next())) return false;
  }
  if (in.next() != T::kEnd || !in.only_space_left()) return false;
  for (const char* required : {"id", "account", "source", "time", "region", "detail-type"})
    if (!members.count(required)) return false;
  return true;
}

}  // namespace stepwise::services::events
