// The compiled state machine model: what asl::compile produces and the engine runs.
//
// Every field is pre-compiled (paths, templates, intrinsics, choice rules) and every transition
// is a state index, so running a state never parses text or looks a name up. One fat State
// struct (rather than a class per type) keeps dispatch a switch over a small enum: no virtual
// calls on the hot path. JSONata states carry their fields as pre-compiled JsonataTemplates in
// State::jsonata (null for JSONPath states, so the JSONPath hot path never looks at them).
//
// Thread-safety: immutable after compile; share freely across threads (shared_ptr<const>).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/choice.h"
#include "integrations/integration.h"
#include "json/json.h"
#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"

namespace stepwise::asl {

struct StateMachine;

enum class StateType { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };
enum class QueryLanguage { kJsonPath, kJsonata };

// InputPath / OutputPath / ResultPath: absent ("$"), explicitly null, or a compiled path.
struct PathField {
  enum class Kind { kDefault, kNull, kPath };
  Kind kind = Kind::kDefault;
  jsonpath::Path path;
};

// A JSON value whose strings may be JSONata expressions ("{% expr %}", at any depth), compiled
// once. A subtree without expressions is kept as one literal so evaluating it is a copy.
struct JsonataTemplate {
  enum class Kind { kLiteral, kExpression, kObject, kArray };
  Kind kind = Kind::kLiteral;
  json::value literal;                                    // kLiteral
  std::shared_ptr<const jsonata::Expression> expression;  // kExpression
  std::string text;                                       // kExpression: the text between {% %}
  std::vector<std::string> keys;                          // kObject: keys, parallel to children
  std::vector<JsonataTemplate> children;                  // kObject values / kArray items
};

// The fields of a JSONata state that may hold expressions (absent: not written).
struct JsonataFields {
  std::optional<JsonataTemplate> arguments;  // Task/Parallel Arguments
  std::optional<JsonataTemplate> output;
  std::optional<JsonataTemplate> assign;
  std::optional<JsonataTemplate> items;          // Map
  std::optional<JsonataTemplate> item_selector;  // Map
  std::optional<JsonataTemplate> max_concurrency;
  std::optional<JsonataTemplate> tolerated_failure_count;
  std::optional<JsonataTemplate> tolerated_failure_percentage;
  std::optional<JsonataTemplate> timeout_seconds;    // Task
  std::optional<JsonataTemplate> heartbeat_seconds;  // Task
  std::optional<JsonataTemplate> credentials;        // Task
  std::optional<JsonataTemplate> seconds;            // Wait
  std::optional<JsonataTemplate> timestamp;          // Wait
  std::optional<JsonataTemplate> error;              // Fail
  std::optional<JsonataTemplate> cause;              // Fail
};

// Distributed Map: where its items come from (ItemReader), how they are grouped (ItemBatcher)
// and where its results go (ResultWriter). Each Resource is AWS's optimized S3 name
// (arn:aws:states:::s3:getObject, s3:listObjectsV2, s3:putObject); `call` is the same operation
// as the aws-sdk integration (arn:aws:states:::aws-sdk:s3:getObject, resolved), which is what
// the engine asks the integration registry for, so the built-in S3 or a pass-through to another
// S3 endpoint answers alike (docs/ARCHITECTURE.md, "Distributed Map over S3").
struct S3Call {
  std::string resource;       // as written
  std::string action;         // getObject, listObjectsV2, putObject
  std::string call_resource;  // arn:PARTITION:states:::aws-sdk:s3:ACTION
  integrations::Integration call;
};

struct ItemReader {
  S3Call s3;
  std::optional<jsonpath::Template> parameters;  // JSONPath Parameters
  std::optional<JsonataTemplate> arguments;      // JSONata Arguments
  // ReaderConfig.
  std::string input_type;                         // JSON (default), JSONL, CSV
  std::string csv_header_location = "FIRST_ROW";  // or GIVEN
  std::vector<std::string> csv_headers;
  std::string csv_delimiter = "COMMA";
  std::optional<std::int64_t> max_items;             // literal MaxItems
  std::optional<jsonpath::Path> max_items_path;      // MaxItemsPath (JSONPath; may name a variable)
  std::optional<JsonataTemplate> max_items_jsonata;  // JSONata MaxItems
};

struct ItemBatcher {
  std::optional<std::int64_t> max_items;  // MaxItemsPerBatch
  std::optional<std::int64_t> max_bytes;  // MaxInputBytesPerBatch
  std::optional<jsonpath::Path> max_items_path;
  std::optional<jsonpath::Path> max_bytes_path;
  std::optional<jsonpath::Template> batch_input;  // JSONPath BatchInput
  std::optional<JsonataTemplate> max_items_jsonata;
  std::optional<JsonataTemplate> max_bytes_jsonata;
  std::optional<JsonataTemplate> batch_input_jsonata;
};

struct ResultWriter {
  S3Call s3;
  std::optional<jsonpath::Template> parameters;  // Bucket, Prefix
  std::optional<JsonataTemplate> arguments;
};

struct Retrier {
  std::vector<std::string> error_equals;
  std::int64_t interval_seconds = 1;
  std::int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<std::int64_t> max_delay_seconds;
  bool jitter_full = false;  // JitterStrategy FULL
};

struct Catcher {
  std::vector<std::string> error_equals;
  int next = -1;          // state index
  PathField result_path;  // default "$": output is the error output
  std::optional<jsonpath::Template> assign;
  std::optional<JsonataTemplate> jsonata_output;  // JSONata: Output (default: the error output)
  std::optional<JsonataTemplate> jsonata_assign;
};

struct ChoiceBranch {
  ChoiceRule rule;
  int next = -1;
  std::optional<jsonpath::Template> assign;
  std::optional<JsonataTemplate> condition;  // JSONata: Condition (a literal bool or expression)
  std::optional<JsonataTemplate> jsonata_output;
  std::optional<JsonataTemplate> jsonata_assign;
};

enum class ContextNeed : std::uint8_t { kNone, kWithoutInput, kFull };

// The context need of a state whose raw JSON text is `text` (see State::context_need).
ContextNeed context_need_of(std::string_view text);

struct State {
  std::string name;
  StateType type = StateType::kPass;
  QueryLanguage query_language = QueryLanguage::kJsonPath;
  int next = -1;  // -1 with end=true: the frame ends here
  bool end = false;
  bool uses_context = false;  // some field mentions "$$": build the context object
  // What of the context object the state's fields ("$$..." paths, JSONata's $states.context)
  // can reach, read from their text: nothing, all of it but $$.Execution.Input (a copy of the
  // execution's whole input, the costly part), or all of it. Conservative: an unclear use
  // (a bare "$$", a wildcard, $states bound whole) counts as all.
  ContextNeed context_need = ContextNeed::kNone;

  PathField input_path;
  PathField output_path;
  PathField result_path;
  std::optional<jsonpath::Template> parameters;  // Parameters (Map: legacy Parameters/ItemSelector)
  std::optional<jsonpath::Template> result_selector;
  std::optional<jsonpath::Template> assign;
  std::optional<json::value> result;  // Pass Result

  // Task
  std::string resource;
  // The Resource resolved once here (integrations/resource.h): its integration and pattern go
  // into every TaskRequest; a function ARN writes LambdaFunction* events, an activity ARN
  // Activity* events, everything else Task* events.
  integrations::Integration integration;
  std::string resource_type;   // "lambda" for arn:aws:states:::lambda:invoke
  std::string resource_short;  // "invoke", "startExecution.sync"
  std::string resource_region;
  std::optional<std::int64_t> timeout_seconds;
  std::optional<std::int64_t> heartbeat_seconds;
  std::optional<jsonpath::Path> timeout_seconds_path;
  std::optional<jsonpath::Path> heartbeat_seconds_path;
  std::optional<jsonpath::Template> credentials;
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  // Choice
  std::vector<ChoiceBranch> choices;
  int default_next = -1;

  // Wait
  std::optional<std::int64_t> seconds;
  std::optional<std::string> timestamp;  // validated text; parsed at run time
  std::optional<jsonpath::Path> seconds_path;
  std::optional<jsonpath::Path> timestamp_path;

  // Fail
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<jsonpath::Path> error_path;
  std::optional<jsonpath::Path> cause_path;
  std::optional<jsonpath::Intrinsic> error_fn;  // ErrorPath given as an intrinsic
  std::optional<jsonpath::Intrinsic> cause_fn;

  // Parallel
  std::vector<std::shared_ptr<const StateMachine>> branches;

  // Map
  std::shared_ptr<const StateMachine> processor;
  bool distributed = false;
  std::string label;
  std::optional<jsonpath::Path> items_path;
  std::int64_t max_concurrency = 0;  // 0: unlimited
  std::optional<jsonpath::Path> max_concurrency_path;
  std::optional<double> tolerated_failure_percentage;
  std::optional<std::int64_t> tolerated_failure_count;
  std::optional<jsonpath::Path> tolerated_failure_percentage_path;
  std::optional<jsonpath::Path> tolerated_failure_count_path;
  std::shared_ptr<const ItemReader> item_reader;  // Distributed Map only (else null)
  std::shared_ptr<const ItemBatcher> item_batcher;
  std::shared_ptr<const ResultWriter> result_writer;

  std::shared_ptr<const JsonataFields> jsonata;  // JSONata states only

  json::value raw;  // the state's definition as written
};

struct StateMachine {
  std::vector<State> states;
  int start_at = 0;
  std::optional<std::int64_t> timeout_seconds;
  QueryLanguage query_language = QueryLanguage::kJsonPath;
  json::value definition;  // as written (top level only)
  std::size_t depth = 0;   // 0 for the top level, +1 per Parallel/Map nesting
  // Some state may read the context object ("$$" or JSONata's $states): the interpreter then
  // keeps a copy of the execution input for $$.Execution.Input (top level only; conservative).
  bool reads_context = true;
};

}  // namespace stepwise::asl
