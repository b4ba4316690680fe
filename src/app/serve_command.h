// `stepwise serve`: the Step Functions API on a port, for the AWS CLI, boto3 and the SDKs.
//
// Composition: a Clock (real, or manual under --fast-time), a Store (SQLite under --data-dir by
// default, or memory), the local functions (--functions), the mock config (--mock-config or
// $SFN_MOCK_CONFIG), a sfn::Service with its operations in an api::OperationTable, and
// api::serve_main until SIGINT/SIGTERM. SIGHUP reloads the local functions from the same files
// (a broken file is refused with a message and the functions in use stay). --examples DIR
// creates a state machine from each example folder at start, so a newcomer finds something to
// run.
//
// Thread-safety: call once per process (serve_main installs signal handling).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace stepwise::app {

struct ServeCommand {
  std::string bind = "127.0.0.1";
  int port = 8083;
  std::string auth_keys_file;    // empty: no authentication
  int threads = 1;               // I/O threads
  int shards = 0;                // engine shards (sfn/shard.h); 0: the number of cores
  std::string store = "sqlite";  // sqlite | memory
  std::string data_dir = "./stepwise-data";
  // Execution logs (loggingConfiguration) as JSON lines, one file per log group
  // (docs/LOGGING.md). Empty: <data_dir>/logs, or ./stepwise-logs with --store memory.
  std::string log_dir;
  // Functions config files or directories (app/task_config.h); SIGHUP reads them again.
  std::vector<std::string> functions_files;
  std::string mock_config_file;  // empty: $SFN_MOCK_CONFIG if set
  std::string examples_dir;
  bool fast_time = false;  // ManualClock: waits complete at once (tests)
  // Accept at CreateStateMachine a Task integration Stepwise does not run (AWS's behaviour: it
  // fails with States.Runtime when the state runs). Off: refused, naming what is supported.
  bool accept_unsupported = false;
  std::string region = "us-east-1";
  std::string account = "123456789012";
  // Closed executions are purged this many days after they stopped (fractions allowed); 0 keeps
  // them forever. At least 14 (the redrive window): see service/retention.h.
  double retention_days = 90;
  // The built-in AWS services served on the same port (docs/SERVICES.md): a comma-separated
  // list, or "none".
  std::string services = "sqs,sns,s3,dynamodb,secretsmanager,events";
  // S3: the largest single PUT or UploadPart in bytes (AWS: 5 GiB; bodies are held in memory,
  // so the default is 64 MiB; larger objects go through multipart upload).
  std::uint64_t s3_max_put_bytes = 64ULL * 1024 * 1024;
};

// Exit status: 0 after a clean stop, 1 when the server cannot start (port, store), 2 for bad
// arguments or unreadable files.
int serve_command(const ServeCommand& command, std::ostream& out, std::ostream& err);

}  // namespace stepwise::app
