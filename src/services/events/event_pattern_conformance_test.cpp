// AWS's recorded event-pattern cases (../shared/conformance/event-patterns/cases, README.md
// there), run when the folder exists: each case's pattern and event through
// test_event_pattern (TestEventPattern's logic; a PutEvents case's rule pattern and the event AWS
// built from the entry), compared as the README says: Result and error codes exactly, the
// message's text up to "Reason:" exactly and the reason itself softly (a different reason is a
// WARN line, not a failure).
//
// Known failures: tests/conformance/event_pattern_known_failures.txt, one case name per line
// with its reason. A listed case that fails is reported as known; a listed case that passes
// fails the run (the list only shrinks), as does any unlisted failure. The ctest
// conformance_event_patterns runs this test; STEPWISE_EVENT_PATTERN_CASES and
// STEPWISE_EVENT_PATTERN_KNOWN_FAILURES point it at other recordings and lists.
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
  const std::string code = str(at(c, {"expected", "error_code"}));
  const std::string message = str(at(c, {"expected", "error_message"}));
  if (got.error_code != code) {
    v.why = "expected " + code + ", got " +
            (got.error_code.empty() ? std::string(got.result ? "Result true" : "Result false")
                                    : got.error_code + ": " + got.message);
    return v;
  }
  const auto reason = message.find("Reason:");
  const std::size_t fixed = reason == std::string::npos ? message.size() : reason + 7;
  if (got.message.compare(0, fixed, message, 0, fixed) != 0) {
    v.why = "expected message \"" + message + "\", got \"" + got.message + "\"";
    return v;
  }
  if (got.message != message) v.warn = "reason \"" + got.message + "\", AWS: \"" + message + "\"";
  v.passed = true;
  return v;
}

TEST(EventPatternConformance, RecordedCases) {
  const std::string root = STEPWISE_SOURCE_DIR;
  const fs::path dir =
      setting("STEPWISE_EVENT_PATTERN_CASES", root + "/../shared/conformance/event-patterns/cases");
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
    const Verdict v = c.ok() ? judge(*c) : Verdict{false, "unreadable case", ""};
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
  std::cout << passed << " passed, " << failed << " failed, " << listed << " known failures, "
            << fixed << " fixed, " << warned << " with another reason text, of " << files.size()
            << " cases\n";
  EXPECT_EQ(failed, 0) << "cases fail that the known-failures list does not name";
  EXPECT_EQ(fixed, 0) << "listed cases pass: take them off the known-failures list";
}

}  // namespace
}  // namespace stepwise::services::events
