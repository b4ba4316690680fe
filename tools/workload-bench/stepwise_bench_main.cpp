// stepwise-bench: the benchmark workloads in-process, beside the peers. See docs/BENCHMARKS.md.
#include "bench/bench.h"
#include "bench/bench_cli.h"

int main(int argc, char** argv) {
  stepwise::bench::BenchOptions options;
  CLI::App app{"Stepwise benchmarks: workloads in-process, side by side with the peers"};
  stepwise::bench::add_bench_options(app, options);
  CLI11_PARSE(app, argc, argv);
  return stepwise::bench::run_bench(options);
}
