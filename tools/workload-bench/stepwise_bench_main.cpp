// stepwise-bench: the benchmark workloads in-process, beside the peers. See docs/BENCHMARKS.md.
#include "bench/bench.h"
#include "bench/bench_cli.h"

int main(int argc, char** argv) {
  stepwise::bench::BenchOptions options;
  CLI::App app{"Stepwise benchmarks: workloads in-process, side by side with the peers"};
  stepwise::bench::add_bench_options(app, options);
  stepwise::bench::ServicesBenchOptions services;
  auto* services_cmd = stepwise::bench::add_services_bench_command(app, services);
  CLI11_PARSE(app, argc, argv);
  if (services_cmd->parsed()) return stepwise::bench::run_services_bench(services);
  return stepwise::bench::run_bench(options);
}
