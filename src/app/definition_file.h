// Reading the files the command line names: a definition (JSON, or YAML for the same document)
// and an execution input (`--input JSON` or `--input @FILE`).
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>

#include "base/result.h"
#include "json/json.h"

namespace stepwise::app {

// Files the command line reads are refused beyond this size (AWS's definition quota is 1 MiB;
// YAML and inputs get some room above it).
inline constexpr std::size_t input_file_bytes_max = 8 * 1024 * 1024;

// What a YAML file may expand to once its aliases are repeated: values (scalars, sequences,
// maps) and bytes of scalar text. A definition within AWS's 1 MiB quota holds far fewer.
inline constexpr std::size_t yaml_values_max = 1'000'000;
inline constexpr std::size_t yaml_bytes_max = 16 * 1024 * 1024;

// The whole file. Errors: "FileUnreadable" with the path and the reason.
Result<std::string> read_text_file(const std::string& path);

// JSON text as is; otherwise YAML converted to JSON (plain scalars typed as YAML 1.2's core
// schema: null, booleans, numbers; quoted scalars stay strings). Errors: "InvalidDefinition".
Result<json::value> parse_json_or_yaml(const std::string& text);

// A definition file as JSON text: the file itself when it is JSON, else its YAML converted.
Result<std::string> load_definition_text(const std::string& path);

// The state machine name a definition file stands for: its file name without the whole
// definition suffix (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"), so that
// `orders.asl.json` is `orders` (what a mock config names), not `orders.asl`. Any other name
// loses only its last extension.
std::string machine_name_of_path(const std::string& path);

// `--input`: JSON text, or "@path" for a file holding it.
Result<json::value> parse_input_argument(const std::string& argument);

}  // namespace stepwise::app
