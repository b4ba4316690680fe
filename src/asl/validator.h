// Internal to src/asl: the validator's pieces shared by its files. validate.cpp drives the
// walk (top level, each state's common fields, paths and templates); validate_states.cpp checks
// each state type; validate_graph.cpp the transitions; validate_fields.cpp holds the schema
// table of fields per state type; validate_messages.cpp words values the way AWS's messages
// quote them (Python-style repr); json_syntax.cpp words a definition that is not JSON as
// AWS's Jackson parser does. Not part of the asl interface (see validate.h).
//
// Thread-safety: a Validator is used by one thread; the free functions are pure.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "asl/validate.h"
#include "json/json.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::asl::validation {

inline constexpr const char* kSchema = "SCHEMA_VALIDATION_FAILED";
inline constexpr const char* kMissingTarget = "MISSING_TRANSITION_TARGET";
// AWS's Map Label rules (state-map-distributed.html): at most 40 characters.
inline constexpr std::size_t label_chars_max = 40;
// AWS's schema bounds (amazon-states-language-service common.json).
inline constexpr std::int64_t max_delay_seconds_max = 31622401;

enum class Lang { kJsonPath, kJsonata };

// ---- small helpers and the field schema (validate_fields.cpp) -------------------------------

std::size_t utf8_length(std::string_view s);
bool is_jsonata_expr(const json::value& v);
// A JSON integer (or a double with no fraction, as Jackson accepts 5.0 for an int field).
std::optional<std::int64_t> as_integer(const json::value& v);
bool in_list(std::string_view key, std::initializer_list<std::string_view> list);
// Which fields each state type accepts (the union over both query languages).
const std::unordered_map<std::string_view, std::vector<std::string_view>>& state_fields();
bool jsonpath_only(std::string_view f);
bool jsonata_only(std::string_view f);

// ---- Python-style repr of definition values (validate_messages.cpp) -------------------------

std::string py_float(double d);
void py_dump(const json::value& v, std::string& out, std::size_t depth);
// Python's repr() of a one-character string's content (without quotes).
std::string py_char_repr(std::uint32_t cp, std::string_view utf8);
// Python's repr() of a str: single quotes unless the text has a single quote and no double.
std::string py_str_repr(std::string_view s);
// The first character AWS refuses in a Map Label, as (code point, its UTF-8 bytes).
std::optional<std::pair<std::uint32_t, std::string>> bad_label_char(std::string_view s);

// ---- definitions that are not JSON (json_syntax.cpp) ---------------------------------------

// The INVALID_JSON_DESCRIPTION diagnostic for text that does not parse, worded as Jackson does
// ("Unexpected character ..."); `parser_message` when the scanner cannot place the error.
Diagnostic invalid_json(std::string_view text, const std::string& parser_message);

// ---- the validator (validate.cpp, validate_states.cpp, validate_graph.cpp) -----------------

struct Transition {
  std::string target;
  std::string location;
};

// One States block (the machine, a Parallel branch, a Map processor) for the graph phase.
struct Block {
  std::string location;  // "" for the machine
  std::string start_at;
  std::vector<std::string> names;  // in definition order
  std::unordered_map<std::string, std::vector<Transition>> edges;
  std::unordered_set<std::string> terminal;
};

class Validator {
 public:
  Validator(const json::value& definition, const ValidateOptions& options)
      : definition_(definition), options_(options) {}

  std::vector<Diagnostic> run();

 private:
  void error(std::string message, std::string location) {
    out_.push_back(Diagnostic{"ERROR", kSchema, std::move(message), std::move(location), {}});
  }
  static std::string root_of(const std::string& loc) { return loc.empty() ? "/" : loc; }

  void check_machine(const json::object& m, const std::string& loc, std::size_t depth,
                     std::initializer_list<std::string_view> allowed);
  void check_top_level_fields(const json::object& m);
  void check_state(const std::string& name, const json::value& v, const std::string& loc,
                   std::size_t depth, Block& block);
  Lang state_language(const json::object& s, const std::string& loc);
  void check_fields(const json::object& s, std::string_view type, Lang lang,
                    const std::string& loc);
  void check_transition(const json::object& s, std::string_view type, const std::string& name,
                        const std::string& loc, Block& block);
  void check_common_paths(const json::object& s, Lang lang, const std::string& loc);
  void check_task(const json::object& s, Lang lang, const std::string& loc);
  void check_resource(const json::value& v, const std::string& loc);
  void check_choice(const json::object& s, Lang lang, const std::string& name,
                    const std::string& loc, Block& block);
  void check_jsonata_rule(const json::object& rule, const std::string& cloc);
  void check_jsonpath_rule(const json::value& rule_value, const std::string& cloc);
  void language_error(Lang lang, std::string_view field, const std::string& loc);
  void check_wait(const json::object& s, Lang lang, const std::string& loc);
  void check_fail(const json::object& s, Lang lang, const std::string& loc);
  void check_parallel(const json::object& s, const std::string& loc, std::size_t depth);
  void check_map(const json::object& s, Lang lang, const std::string& loc, std::size_t depth);
  void check_map_options(const json::object& s, Lang lang, const std::string& loc);
  void check_label(const json::value& v, const std::string& loc);
  // validate_map_io.cpp: ItemReader / ResultWriter resources, ReaderConfig, ItemBatcher paths.
  void check_s3_resource(const json::object& o, bool reader, const std::string& loc);
  void check_reader_config(const json::object& reader, Lang lang, const std::string& loc);
  void check_batcher_paths(const json::object& batcher, Lang lang, const std::string& loc);
  void check_retry(const json::value& v, const std::string& loc);
  void check_catch(const json::value& v, Lang lang, const std::string& name, const std::string& loc,
                   Block& block);
  void check_error_equals(const json::object& o, const std::string& loc, bool last);
  void check_path(const json::object& s, std::string_view field, jsonpath::PathKind kind,
                  const std::string& loc, bool nullable);
  void check_template(const json::value& v, std::string_view field, const std::string& loc);
  void check_template_node(const json::value& v, std::string_view field, const std::string& loc,
                           std::size_t depth);
  void check_nested_template(const json::object& o, std::string_view field, Lang lang,
                             const std::string& loc);
  void check_jsonata_value(const json::value& v, const std::string& loc, std::size_t depth);
  void check_int(const json::object& s, std::string_view field, std::int64_t min, std::int64_t max,
                 Lang lang, const std::string& loc);
  void check_exclusive(const json::object& s, std::string_view a, std::string_view b,
                       const std::string& loc);
  void check_string(const json::object& s, std::string_view field, Lang lang,
                    const std::string& loc);
  void check_enum(const json::object& s, std::string_view field,
                  std::initializer_list<std::string_view> values, const std::string& loc);
  void check_object_fields(const json::object& o, std::initializer_list<std::string_view> allowed,
                           const std::string& loc);
  void check_graph();

  const json::value& definition_;
  ValidateOptions options_;
  Lang machine_lang_ = Lang::kJsonPath;
  std::vector<Diagnostic> out_;
  std::deque<Block> blocks_;
  std::unordered_set<std::string> names_seen_;
  std::size_t states_seen_ = 0;
  bool too_large_ = false;
};

}  // namespace stepwise::asl::validation
