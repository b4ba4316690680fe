// Create-time checks of workflow variable names and scopes (see variables_check.h).
#include "asl/variables_check.h"

#include <string>

#include "base/limits.h"

namespace stepwise::asl {
namespace {

constexpr std::size_t variable_name_chars_max = 80;

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes decode as U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size()) return 0xFFFD;
    auto cc = static_cast<unsigned char>(s[i]);
    if ((cc & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (cc & 0x3F);
    ++i;
  }
  return cp;
}

// ASCII exactly as Unicode defines ID_Start/ID_Continue; beyond ASCII, letters of every script
// are accepted except the punctuation, symbol and space blocks most likely to be typos. (A full
// Unicode property table is out of proportion for names that are nearly always ASCII.)
bool non_ascii_identifier_char(char32_t cp) {
  if (cp == 0xFFFD) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows, shapes
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK symbols and punctuation
  if (cp == 0x00A0 || cp == 0xFEFF) return false;  // no-break space, BOM
  if (cp >= 0x00A1 && cp <= 0x00BF && cp != 0x00AA && cp != 0x00B5 && cp != 0x00BA) return false;
  return true;
}

bool id_start(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
  return non_ascii_identifier_char(cp);
}

bool id_continue(char32_t cp) {
  if (cp < 0x80) return id_start(cp) || (cp >= '0' && cp <= '9');
  return non_ascii_identifier_char(cp);
}

class Checker {
 public:
  explicit Checker(std::vector<Diagnostic>& out) : out_(out) {}

  // One States block and the blocks nested in its states.
  void block(const json::object& machine, const std::string& loc, std::size_t depth) {
    const auto* states = machine.if_contains("States");
    if (!states || !states->is_object() || depth > limits::nesting_depth_max) return;
    for (const auto& kv : states->as_object()) {
      if (!kv.value().is_object()) continue;
      const auto& s = kv.value().as_object();
      std::string sloc = loc + "/States/" + std::string(kv.key());
      for_each_assign(s, sloc, [&](const json::object& assign, const std::string& aloc) {
        for (const auto& a : assign) check_name(std::string(a.key()), aloc);
      });
      nested(s, sloc, depth);
    }
  }

 private:
  void check_name(std::string name, const std::string& aloc) {
    // JSONPath mode: "name.$" assigns the value of a path or intrinsic to "name".
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".$") == 0)
      name.resize(name.size() - 2);
    if (valid_variable_name(name)) return;
    error("The variable name '" + name +
              "' is not valid: a variable name starts with a letter or '_', continues with "
              "letters, digits or '_', has at most 80 characters and is not 'states'",
          aloc);
  }

  template <typename Fn>
  void for_each_assign(const json::object& s, const std::string& sloc, Fn&& fn) {
    if (const auto* a = s.if_contains("Assign"); a && a->is_object())
      fn(a->as_object(), sloc + "/Assign");
    for (const char* list : {"Choices", "Catch"}) {
      const auto* items = s.if_contains(list);
      if (!items || !items->is_array()) continue;
      std::size_t i = 0;
      for (const auto& item : items->as_array()) {
        if (item.is_object())
          if (const auto* a = item.as_object().if_contains("Assign"); a && a->is_object())
            fn(a->as_object(), sloc + "/" + list + "[" + std::to_string(i) + "]/Assign");
        ++i;
      }
    }
  }

  void nested(const json::object& s, const std::string& sloc, std::size_t depth) {
    if (const auto* branches = s.if_contains("Branches"); branches && branches->is_array()) {
      std::size_t i = 0;
      for (const auto& b : branches->as_array()) {
        if (b.is_object())
          block(b.as_object(), sloc + "/Branches[" + std::to_string(i) + "]", depth + 1);
        ++i;
      }
    }
    for (const char* field : {"ItemProcessor", "Iterator"}) {
      const auto* p = s.if_contains(field);
      if (p && p->is_object()) block(p->as_object(), sloc + "/" + field, depth + 1);
    }
  }

  void error(std::string message, std::string location) {
    out_.push_back(Diagnostic{
        "ERROR", "SCHEMA_VALIDATION_FAILED", std::move(message), std::move(location), {}});
  }

  std::vector<Diagnostic>& out_;
};

}  // namespace

bool valid_variable_name(std::string_view name) {
  if (name.empty() || name == "states") return false;
  std::size_t i = 0, count = 0;
  while (i < name.size()) {
    char32_t cp = next_code_point(name, i);
    if (count == 0 ? !id_start(cp) : !id_continue(cp)) return false;
    if (++count > variable_name_chars_max) return false;
  }
  return true;
}

void check_variables(const json::object& machine, std::vector<Diagnostic>& out) {
  Checker(out).block(machine, "", 0);
}

}  // namespace stepwise::asl
