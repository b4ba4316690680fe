// ResultWriter: the files a Distributed Map with a ResultWriter leaves in S3 once its Map Run
// ends, and the state's output that points at them (interpreter_map_io.cpp writes them).
//
// Like the ItemReader (item_reader.h), the writer's Resource (arn:aws:states:::s3:putObject) is
// sent as the aws-sdk:s3:putObject integration through the registry, one call per file, so the
// built-in S3 or a pass-through endpoint stores them alike. AWS's layout under
// Parameters.Bucket / Parameters.Prefix:
//   PREFIX/MAPRUNID/SUCCEEDED_0.json  the iterations that succeeded,   } JSON arrays, one entry
//   PREFIX/MAPRUNID/FAILED_0.json     the ones that failed (tolerated),} per iteration, written
//   PREFIX/MAPRUNID/PENDING_0.json    the ones never started           } only when not empty
//   PREFIX/MAPRUNID/manifest.json     {"DestinationBucket", "MapRunArn", "ResultFiles":
//                                      {"FAILED": [...], "PENDING": [...], "SUCCEEDED": [...]}}
//                                     each list holding {"Key", "Size"} of its files; last.
// An entry is shaped like AWS's ({"ExecutionArn", "Input", "InputDetails", "Name", "Output",
// "OutputDetails", "RedriveCount", "RedriveStatus", "RedriveStatusReason", "StartDate",
// "StateMachineArn", "Status", "StopDate"}, plus "Error"/"Cause" when failed); Input and Output
// are JSON text as in AWS's files. A Distributed Map's iterations run inside the parent
// execution here (no child executions), so ExecutionArn and Name are derived from the Map Run
// and the item's index: stable across replays, unique per iteration.
// The state's output is {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key": manifest key}}.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "json/json.h"

namespace stepwise::engine::result_writer {

inline constexpr const char* kFailed = "States.ResultWriterFailed";

// One iteration of the Map Run, as the result files show it.
struct Record {
  std::int64_t index = 0;
  std::string status;  // SUCCEEDED, FAILED, PENDING
  std::string input;   // JSON text ("" when never started)
  std::string output;  // JSON text (SUCCEEDED)
  std::string error;   // FAILED
  std::string cause;
  Millis start_ms = 0;
  Millis stop_ms = 0;
};

// A file to put. The body goes as a JSON value: the s3:putObject integration (AWS's and the
// built-in one alike) stores a Body as its JSON text, so a value arrives as the file's JSON,
// while text would arrive quoted. `size` is that text's length (the manifest lists it).
struct File {
  std::string key;
  json::value body;
  std::int64_t size = 0;
};

// Where the Map Run's files go: the evaluated Parameters (Bucket, Prefix) and the Map Run.
struct Target {
  std::string bucket;
  std::string prefix;
  std::string map_run_arn;
  std::string state_machine_arn;  // the Map Run's state machine: "<machine arn>/<label>"
};

// The Map Run's id: the part of its ARN after the last ':'.
std::string map_run_id(const std::string& map_run_arn);
// PREFIX/MAPRUNID/NAME ("MAPRUNID/NAME" with no prefix; a prefix ending in '/' keeps one).
std::string key_of(const Target& t, const std::string& name);
// The result files (non-empty statuses only) followed by manifest.json, in the order to write.
std::vector<File> files(const Target& t, const std::vector<Record>& records);
// The Map state's result once every file is written.
json::value output(const Target& t);
// The putObject call's parameters for one file.
json::value put_parameters(const Target& t, const File& f);

}  // namespace stepwise::engine::result_writer
