#include "conformance/case.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace stepwise::conformance {

std::string string_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object& object_of(const json::object& o, const char* key) {
  static const json::object empty;
  auto* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : empty;
}

const json::object& Case::expected() const { return object_of(doc, "expected"); }
const json::object& Case::normalisation() const { return object_of(doc, "normalisation"); }
const json::object& Case::names() const { return object_of(doc, "names_used_when_traced"); }

std::vector<std::string> Case::strings(const json::object& o, const char* key) const {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const auto& x : v->get_array())
    if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

std::vector<std::string> Case::requires_list() const { return strings(doc, "requires"); }

bool Case::express() const {
  return kind == "execution_sync" || string_of(doc, "state_machine_type") == "EXPRESS";
}

Result<Case> load_case(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{"CaseUnreadable", path + ": " + ec.message()};
  if (size > case_file_bytes_max) return Error{"CaseUnreadable", path + ": file too large"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"CaseUnreadable", path + ": cannot open"};
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = json::parse(ss.str());
  if (!parsed.ok()) return Error{"CaseUnreadable", path + ": " + parsed.error().cause};
  if (!parsed->is_object()) return Error{"CaseUnreadable", path + ": not a JSON object"};
  Case c;
  c.file = path;
  c.doc = std::move(parsed->get_object());
  c.name = string_of(c.doc, "name");
  c.category = string_of(c.doc, "category");
  c.kind = string_of(c.doc, "kind");
  if (c.name.empty()) c.name = std::filesystem::path(path).stem().string();
  return c;
}

Result<std::vector<std::string>> list_case_files(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> out;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Error{"CaseDirectoryUnreadable", dir + ": " + ec.message()};
  for (const auto& entry : it) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".json")
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace stepwise::conformance
