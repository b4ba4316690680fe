// The HTTP load driver of `stepwise bench services`: N clients on one Asio thread, each with a
// keep-alive connection (re-opened when the server answers `Connection: close`, as moto's does
// and as the SDKs then do), each running its scenario's requests in a loop — a warm-up, then a
// measured window, then the clients finish the request they are in and stop.
//
// A Scenario says what one client sends next and whether an answer is right; the requests are
// what the AWS SDKs send (services_requests.h). The driver is built to cost the server as little
// CPU as possible on a shared machine: requests are pre-formatted text, one thread, no
// allocation per request beyond the response body.
//
// Thread-safety: run_load runs on the calling thread; the scenario is called only from it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace stepwise::bench {

// Bounds: a benchmark, never an unbounded flood.
inline constexpr int load_clients_max = 4096;
inline constexpr double load_seconds_max = 3600;
inline constexpr std::size_t response_body_bytes_max = 64 * 1024 * 1024;
// Latencies kept per run (one per measured request); beyond it, every request still counts.
inline constexpr std::size_t latency_samples_max = 20'000'000;

// One client's place in its scenario.
struct ClientState {
  int client = 0;
  std::int64_t iteration = -1;  // a number unique over all clients of the run
  int step = 0;                 // the request of the iteration the client is at
  std::string memo;             // what a step needs from the one before (a receipt handle)
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  // The full HTTP/1.1 request text of the client's current step into `request`.
  virtual void request(const ClientState& s, std::string& request) = 0;
  // The answer to it. Returns false (and why) when it is wrong. Sets *iteration_done when the
  // client's iteration ended with this step (the driver then starts its next iteration);
  // otherwise the scenario advanced s.step itself.
  virtual bool answer(ClientState& s, unsigned status, std::string_view body, bool* iteration_done,
                      std::string* why) = 0;
};

struct LoadOptions {
  int port = 0;  // 127.0.0.1:port
  int clients = 64;
  double warmup_s = 1;
  double duration_s = 5;            // the measured window
  std::int64_t iterations_max = 0;  // > 0: stop after this many iterations (fill mode)
  // Called when the measured window opens and when it closes (to read the server's CPU).
  std::function<void()> on_window_open, on_window_close;
};

struct LoadResult {
  double seconds = 0;           // the measured window
  std::int64_t requests = 0;    // answered right in the window
  std::int64_t iterations = 0;  // iterations that ended in the window
  std::int64_t errors = 0;      // wrong answers and connection errors, all phases
  std::int64_t reconnects = 0;  // connections opened after a server's close
  std::string first_error;
  std::vector<std::uint32_t> latencies_us;  // one per request answered in the window
  double driver_cpu_s = 0;                  // this process's CPU in the window

  double requests_per_s() const { return seconds > 0 ? requests / seconds : 0; }
  double iterations_per_s() const { return seconds > 0 ? iterations / seconds : 0; }
};

// Runs the clients against the scenario. Errors: bad options only (a server that fails
// requests gives errors in the result).
Result<LoadResult> run_load(const LoadOptions& options, Scenario& scenario);

// The p-th quantile (0..1) of the samples in milliseconds, nearest rank; 0 for none. Reorders.
double percentile_ms(std::vector<std::uint32_t>& samples_us, double p);

}  // namespace stepwise::bench
