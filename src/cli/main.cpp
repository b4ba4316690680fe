// stepwise: the command line. Each subcommand's flags map onto a struct of src/app, which does
// the work; this file only parses.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "app/child_processes.h"
#include "app/commands.h"
#include "app/serve_command.h"
#include "app/test_command.h"
#include "app/version.h"
#if STEPWISE_HAVE_BENCH
#include "bench/bench.h"
#include "bench/bench_cli.h"
#endif

namespace {

using stepwise::app::ConformanceCommand;
using stepwise::app::RunCommand;
using stepwise::app::ServeCommand;
using stepwise::app::ValidateCommand;

CLI::App* add_run(CLI::App& app, RunCommand& c) {
  auto* run = app.add_subcommand("run", "Run one execution in-process; output JSON on stdout");
  run->add_option("definition", c.definition_path, "definition file (JSON or YAML)")->required();
  run->add_option("-i,--input", c.input, "execution input: JSON text or @FILE (default {})");
  run->add_flag("--express", c.express, "Express semantics (no history)");
  run->add_flag("--history", c.history,
                "after the output, print {\"events\":[...]} as GetExecutionHistory would");
  run->add_flag("--fast-time", c.fast_time, "manual clock: waits and retry intervals are instant");
  run->add_option("--functions", c.functions_files,
                  "local functions file or directory of them (repeatable; docs/FUNCTIONS.md)");
  run->add_flag("--trace", c.trace,
                "on stderr: each state entered with its input, left with its output and time");
  auto* mock = run->add_option("--mock-config", c.mock_config_file,
                               "Step Functions Local MockConfigFile (JSON)");
  run->add_option("--test-case", c.test_case, "test case of the mock config")->needs(mock);
  run->add_option("--name", c.state_machine_name,
                  "state machine name (default: the definition file's stem)");
  return run;
}

CLI::App* add_validate(CLI::App& app, ValidateCommand& c) {
  auto* v =
      app.add_subcommand("validate", "Validate a definition as ValidateStateMachineDefinition");
  v->add_option("definition", c.definition_path, "definition file (JSON or YAML)")->required();
  v->add_flag("--express", c.express, "validate as an EXPRESS state machine");
  v->add_flag("--aws-only", c.aws_only,
              "check only what AWS checks (not whether Stepwise runs each integration)");
  return v;
}

CLI::App* add_conformance(CLI::App& app, ConformanceCommand& c) {
  auto& s = c.suite;
  auto* conf = app.add_subcommand("conformance", "Run recorded AWS conformance cases");
  conf->add_option("dir", s.dir, "directory of case files (*.json)")->required();
  conf->add_option("-c,--category", s.categories, "only this category (repeatable)");
  conf->add_option("--name", s.name_contains, "only cases whose name contains this text");
  conf->add_option("--known-failures", s.known_failures_file,
                   "cases expected to fail: reported as known; exit 1 if one passes");
  conf->add_flag("--prune-known-failures", s.prune_known_failures,
                 "remove the cases that now pass from the --known-failures file");
  conf->add_flag("-v,--verbose", s.verbose, "also print skipped, known and soft differences");
  conf->add_option("-j,--threads", s.threads, "cases run at once")->capture_default_str();
  conf->add_option("--handlers", s.runner.handlers_dir,
                   "Lambda handlers directory (default $STEPWISE_HANDLERS_DIR or the source "
                   "tree's tests/conformance/handlers)");
  conf->add_option("--python", s.runner.python, "python interpreter for the handlers")
      ->capture_default_str();
  conf->add_flag("--replay-every-step", s.runner.replay_every_step,
                 "run each execution case a second time, rebuilt from its journal after every "
                 "step as recovery does; its history must be the straight run's");
  conf->add_option("--dump-actual", s.runner.dump_actual_dir,
                   "write each execution's result to DIR/<case>.json (compare.py's ACTUAL shape)");
  return conf;
}

CLI::App* add_test(CLI::App& app, stepwise::app::TestCommand& c) {
  auto* t = app.add_subcommand("test", "Run workflow test files (docs/TESTING.md) in-process");
  t->add_option("paths", c.paths,
                "test files, or directories searched for *.test.yaml|yml|json (default .)");
  t->add_option("--junit", c.junit_file, "write a JUnit XML report to FILE");
  t->add_option("-j,--threads", c.threads, "cases run at once (default: the number of cores)");
  t->add_option("--name", c.name_contains, "only cases whose \"file: name\" contains this text");
  t->add_flag("--trace", c.trace, "print each case's states with input, output and time");
  return t;
}

CLI::App* add_serve(CLI::App& app, ServeCommand& c) {
  auto* serve = app.add_subcommand("serve", "Serve the Step Functions API (AWS CLI, boto3, SDKs)");
  serve->add_option("--port", c.port, "TCP port")->capture_default_str();
  serve->add_option("--bind", c.bind, "address to listen on")->capture_default_str();
  serve->add_option("--auth-keys", c.auth_keys_file,
                    "file of access key -> secret pairs: turns on SigV4 verification");
  serve->add_option("--threads", c.threads, "I/O threads (1..16)")->capture_default_str();
  serve->add_option("--shards", c.shards,
                    "engine shards: live executions spread over this many engine loops "
                    "(default: the number of cores)");
  serve->add_option("--store", c.store, "where state is kept: sqlite or memory")
      ->check(CLI::IsMember({"sqlite", "memory"}))
      ->capture_default_str();
  serve->add_option("--data-dir", c.data_dir, "directory of the sqlite store")
      ->capture_default_str();
  serve->add_option("--log-dir", c.log_dir,
                    "where execution logs (a machine's loggingConfiguration) are written, one "
                    "<log group>.jsonl per log group (default <data-dir>/logs; with --store "
                    "memory ./stepwise-logs; docs/LOGGING.md)");
  serve->add_option("--functions", c.functions_files,
                    "local functions file or directory of them (repeatable; docs/FUNCTIONS.md); "
                    "SIGHUP reloads the functions");
  serve->add_option("--mock-config", c.mock_config_file,
                    "Step Functions Local MockConfigFile (default $SFN_MOCK_CONFIG): a start on "
                    "<stateMachineArn>#<TestCase> runs that test case");
  serve->add_option("--examples", c.examples_dir,
                    "create a state machine from each example folder at start");
  serve->add_flag("--fast-time", c.fast_time, "manual clock: waits complete at once (tests)");
  serve->add_flag("--accept-unsupported", c.accept_unsupported,
                  "accept machines with Task integrations Stepwise does not run (they fail "
                  "with States.Runtime when run); default: CreateStateMachine refuses them, "
                  "unless a mock config is given");
  serve->add_option("--region", c.region, "region in ARNs")->capture_default_str();
  serve->add_option("--account", c.account, "account id in ARNs")->capture_default_str();
  serve
      ->add_option("--services", c.services,
                   "built-in AWS services on the same port (docs/SERVICES.md): a comma-separated "
                   "list, or none")
      ->capture_default_str();
  serve
      ->add_option("--s3-max-put-bytes", c.s3_max_put_bytes,
                   "built-in S3: the largest single PUT or UploadPart in bytes (AWS: 5 GiB)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{5} * 1024 * 1024 * 1024))
      ->capture_default_str();
  serve
      ->add_option("--retention-days", c.retention_days,
                   "days closed executions are kept before being purged (>= 14; 0: forever)")
      ->capture_default_str();
  return serve;
}

// Ctrl-C or SIGTERM: every process the command started ends with it (app/child_processes.h).
void install_stop_handler() {
  stepwise::app::install_stop_handler([](int sig) {
    std::cerr << "stepwise: " << (sig == SIGINT ? "interrupted" : "terminated")
              << ": ending the processes it started\n"
              << std::flush;
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Stepwise: a self-hosted engine for AWS Step Functions (Amazon States Language)"};
  // Version, commit and build type: what a bug report needs to name the binary.
  app.set_version_flag("--version", stepwise::app::version_text());
  app.require_subcommand(1);
  RunCommand run;
  ValidateCommand validate;
  ConformanceCommand conformance;
  ServeCommand serve;
  stepwise::app::TestCommand test;
  auto* run_cmd = add_run(app, run);
  auto* validate_cmd = add_validate(app, validate);
  auto* conformance_cmd = add_conformance(app, conformance);
  auto* serve_cmd = add_serve(app, serve);
  auto* test_cmd = add_test(app, test);
#if STEPWISE_HAVE_BENCH
  stepwise::bench::BenchOptions bench;
  auto* bench_cmd = app.add_subcommand("bench", "Benchmark workloads in-process, beside peers");
  stepwise::bench::add_bench_options(*bench_cmd, bench);
  stepwise::bench::ServicesBenchOptions services_bench;
  auto* services_bench_cmd =
      stepwise::bench::add_services_bench_command(*bench_cmd, services_bench);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help exits 0; bad arguments exit 2, as documented.
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (run_cmd->parsed()) {
    install_stop_handler();
    return stepwise::app::run_command(run, std::cout, std::cerr);
  }
  if (validate_cmd->parsed())
    return stepwise::app::validate_command(validate, std::cout, std::cerr);
  if (conformance_cmd->parsed())
    return stepwise::app::conformance_command(conformance, std::cout, std::cerr);
  if (test_cmd->parsed()) {
    install_stop_handler();
    return stepwise::app::test_command(test, std::cout, std::cerr);
  }
  if (serve_cmd->parsed()) return stepwise::app::serve_command(serve, std::cout, std::cerr);
#if STEPWISE_HAVE_BENCH
  if (services_bench_cmd->parsed()) {
    install_stop_handler();
    return stepwise::bench::run_services_bench(services_bench);
  }
  if (bench_cmd->parsed()) return stepwise::bench::run_bench(bench);
#endif
  return 2;
}
