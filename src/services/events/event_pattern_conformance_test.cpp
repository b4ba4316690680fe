// AWS's recorded event-pattern cases (../shared/conformance/event-patterns/cases, README.md
// there), run when the folder exists: each case's pattern and event through
// test_event_pattern (TestEventPattern's logic; a PutEvents case's rule pattern and the event AWS
// built from the entry), compared as the README says: Result and error codes exactly, the
// message's text up to "Reason:" exactly and the reason itself softly (a different reason is a
// WARN line, not a failure). The input-transformer cases (input-transformers/ there) run the
// same way through check_target_input and target_input: the delivered text byte for byte, or as
// JSON without the masked paths, or nothing delivered, or PutTargets' error.
//
// Known failures: tests/conformance/event_pattern_known_failures.txt, one case name per line
// with its reason. A listed case that fails is reported as known; a listed case that passes
// fails the run (the list only shrinks), as does any unlisted failure. The ctest
// conformance_event_patterns runs these tests; STEPWISE_EVENT_PATTERN_CASES,
// STEPWISE_INPUT_TRANSFORMER_CASES and STEPWISE_EVENT_PATTERN_KNOWN_FAILURES point them at other
// recordings and lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "json/json.h"
#include "services/events/event_pattern.h"
#include "services/events/input_transformer.h"

namespace stepwise::services::events {
namespace {

namespace fs = std::filesystem;

std::string setting(const char* env, const std::string& fallback) {
  const char* v = std::getenv(env);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One name per line; '#' starts a comment (whole-line or after the name).
std::set<std::string> known_failures(const std::string& path) {
  std::set<std::string> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const auto e = line.find_first_of(" \t\r", b);
    out.insert(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
  }
  return out;
}

const json::value* at(const json::value& v, std::initializer_list<const char*> keys) {
  const json::value* cur = &v;
  for (const char* k : keys) {
    if (!cur->is_object()) return nullptr;
    cur = cur->get_object().if_contains(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

std::string str(const json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The event AWS delivers for a PutEvents entry: the case's fields, with the entry's Detail text
// itself (a number's spelling in it matters) as "detail".
std::string put_events_event(const json::value& c) {
  const json::value* event = at(c, {"event"});
  const json::value* detail = at(c, {"put_events_entry", "Detail"});
  if (event == nullptr || !event->is_object()) return "";
  std::string out = "{";
  for (const auto& [k, v] : event->get_object()) {
    if (out.size() > 1) out += ", ";
    out += json::quote(k) + ": ";
    out += k == "detail" && detail != nullptr && detail->is_string() ? str(detail) : json::dump(v);
  }
  return out + "}";
}

struct Verdict {
  bool passed = false;
  std::string why;   // a failure's reason
  std::string warn;  // a different reason text
};

// An expected error: the code exactly, the message up to "Reason:" (all of it when it has none)
// exactly, the reason softly.
Verdict expect_error(const json::value& c, const std::string& got_code,
                     const std::string& got_message) {
  const std::string code = str(at(c, {"expected", "error_code"}));
  const std::string message = str(at(c, {"expected", "error_message"}));
  Verdict v;
  if (got_code != code) {
    v.why = "expected " + code + ", got " + (got_code.empty() ? "" : got_code + ": ") + got_message;
    return v;
  }
  const auto reason = message.find("Reason:");
  const std::size_t fixed = reason == std::string::npos ? message.size() : reason + 7;
  if (got_message.compare(0, fixed, message, 0, fixed) != 0) {
    v.why = "expected message \"" + message + "\", got \"" + got_message + "\"";
    return v;
  }
  if (got_message != message) v.warn = "reason \"" + got_message + "\", AWS: \"" + message + "\"";
  v.passed = true;
  return v;
}

Verdict judge(const json::value& c) {
  std::string pattern, event;
  if (str(at(c, {"via"})) == "PutEvents") {
    pattern = str(at(c, {"rule_pattern_text"}));
    event = put_events_event(c);
  } else {
    pattern = str(at(c, {"request", "EventPattern"}));
    event = str(at(c, {"request", "Event"}));
  }
  const PatternTest got = test_event_pattern(pattern, event);
  Verdict v;
  if (const auto* result = at(c, {"expected", "result"}); result != nullptr) {
    if (!got.error_code.empty())
      v.why =
          "expected Result " + json::dump(*result) + ", got " + got.error_code + ": " + got.message;
    else if (!result->is_bool() || result->get_bool() != got.result)
      v.why = "expected Result " + json::dump(*result) + ", got " + (got.result ? "true" : "false");
    v.passed = v.why.empty();
    return v;
  }
  return expect_error(c, got.error_code,
                      got.error_code.empty()
                          ? std::string(got.result ? "Result true" : "Result false")
                          : got.message);
}

// Drops `path` ("$.a.b") from `v`: a value the recording masked.
void erase_path(json::value& v, const std::string& path) {
  json::value* cur = &v;
  std::size_t i = 2;  // after "$."
  while (cur->is_object() && i <= path.size()) {
    const std::size_t dot = path.find('.', i);
    const std::string key = path.substr(i, dot == std::string::npos ? std::string::npos : dot - i);
    if (dot == std::string::npos) {
      cur->get_object().erase(key);
      return;
    }
    json::value* next = cur->get_object().if_contains(key);
    if (next == nullptr) return;
    cur = next;
    i = dot + 1;
  }
}

TargetInputSpec spec_of(const json::value& c) {
  TargetInputSpec t;
  t.id = "<target-id>";  // as the recording writes the target's Id in messages
  const json::value* target = at(c, {"target"});
  if (target == nullptr || !target->is_object()) return t;
  if (const auto* v = at(*target, {"Input"}); v && v->is_string()) t.input = str(v);
  if (const auto* v = at(*target, {"InputPath"}); v && v->is_string()) t.input_path = str(v);
  if (const auto* x = at(*target, {"InputTransformer"}); x && x->is_object()) {
    t.has_transformer = true;
    t.input_template = str(at(*x, {"InputTemplate"}));
    if (const auto* m = at(*x, {"InputPathsMap"}); m && m->is_object())
      for (const auto& [k, v] : m->get_object()) t.paths_map.emplace_back(k, str(&v));
  }
  return t;
}

Verdict judge_input(const json::value& c) {
  const TargetInputSpec target = spec_of(c);
  const auto refused = check_target_input(target);
  if (at(c, {"expected", "error_code"}) != nullptr)
    return expect_error(c, refused ? "ValidationException" : "", refused.value_or("accepted"));
  Verdict v;
  if (refused) return v.why = "PutTargets refused it: " + *refused, v;
  DeliveryContext context;
  context.rule_arn = str(at(c, {"context", "aws.events.rule-arn"}));
  context.rule_name = str(at(c, {"context", "aws.events.rule-name"}));
  context.ingestion_time = str(at(c, {"context", "aws.events.event.ingestion-time"}));
  const json::value* event = at(c, {"event"});
  const auto got = target_input(target, event ? *event : json::value(), context);
  if (const auto* d = at(c, {"expected", "delivered"}); d && d->is_bool() && !d->get_bool()) {
    if (got) v.why = "expected nothing delivered, got " + *got;
  } else if (!got) {
    v.why = "nothing delivered";
  } else if (const auto* text = at(c, {"expected", "output_text"})) {
    if (*got != str(text)) v.why = "expected " + str(text) + ", got " + *got;
  } else if (const auto* expected = at(c, {"expected", "output_json"})) {
    auto parsed = json::parse(*got);
    json::value want = *expected;
    json::value have = parsed.ok() ? *parsed : json::value();
    if (const auto* ignore = at(c, {"expected", "ignore_paths"}); ignore && ignore->is_array())
      for (const auto& p : ignore->get_array())
        erase_path(want, str(&p)), erase_path(have, str(&p));
    if (!parsed.ok() || !json::equal(want, have))
      v.why = "expected " + json::dump(*expected) + ", got " + *got;
  }
  v.passed = v.why.empty();
  return v;
}

// Runs every case of `folder` (under event-patterns/) through `judge_case` against the
// known-failures list, printing one line per case that is not a plain pass and a summary.
void run_folder(const char* env, const std::string& folder,
                Verdict (*judge_case)(const json::value&)) {
  const std::string root = STEPWISE_SOURCE_DIR;
  const fs::path dir = setting(env, root + "/../shared/conformance/event-patterns/" + folder);
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is not here";
  const auto known =
      known_failures(setting("STEPWISE_EVENT_PATTERN_KNOWN_FAILURES",
                             root + "/tests/conformance/event_pattern_known_failures.txt"));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  int passed = 0, failed = 0, listed = 0, fixed = 0, warned = 0;
  for (const auto& f : files) {
    auto c = json::parse(read_file(f));
    const std::string name = c.ok() ? str(at(*c, {"name"})) : f.filename().string();
    const Verdict v = c.ok() ? judge_case(*c) : Verdict{false, "unreadable case", ""};
    const bool is_listed = known.count(name) > 0;
    if (!v.warn.empty()) {
      ++warned;
      std::cout << "WARN " << name << ": " << v.warn << "\n";
    }
    if (v.passed && is_listed) {
      ++fixed;
      std::cout << "FIXED " << name << ": passes; remove it from the known failures\n";
    } else if (v.passed) {
      ++passed;
    } else if (is_listed) {
      ++listed;
      std::cout << "KNOWN " << name << ": " << v.why << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << name << ": " << v.why << "\n";
    }
  }
  std::cout << folder << ": " << passed << " passed, " << failed << " failed, " << listed
            << " known failures, " << fixed << " fixed, " << warned
            << " with another reason text, of " << files.size() << " cases\n";
  EXPECT_EQ(failed, 0) << "cases fail that the known-failures list does not name";
  EXPECT_EQ(fixed, 0) << "listed cases pass: take them off the known-failures list";
}

TEST(EventPatternConformance, RecordedCases) {
  run_folder("STEPWISE_EVENT_PATTERN_CASES", "cases", judge);
}

TEST(EventPatternConformance, InputTransformerCases) {
  run_folder("STEPWISE_INPUT_TRANSFORMER_CASES", "input-transformers", judge_input);
}

}  // namespace
}  // namespace stepwise::services::events
