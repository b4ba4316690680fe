// Named limits and timeouts of the HTTP API server. Every byte count, connection count and wait
// a client can drive has one here, so hostile or broken clients meet a clean error or a timeout.
#pragma once

#include <chrono>
#include <cstddef>

#include "base/limits.h"

namespace stepwise::api::limits {

// AWS: maximum API request size (1 MB), the body only.
inline constexpr std::size_t body_bytes_max = stepwise::limits::request_bytes_max;
// Request line plus headers. SigV4 requests carry ~1 KiB; 16 KiB leaves room for proxies.
inline constexpr std::size_t header_bytes_max = 16 * 1024;
// Open connections at once; one more is answered 503 and closed. Sized for 10,000 idle
// keep-alive clients plus headroom; the process file limit is raised to match in serve_main.
inline constexpr std::size_t connections_max = 16 * 1024;
// From a request's first byte to the end of its headers: the slow-loris guard.
inline constexpr std::chrono::milliseconds header_read_timeout{10'000};
// Reading the body once headers are in (1 MiB at ~35 KiB/s still fits).
inline constexpr std::chrono::milliseconds body_read_timeout{30'000};
// A keep-alive connection with no request in flight. Above the SDKs' idle pools, below the
// 60 s long-poll read timeout that clients use, so idle sockets are reaped in reasonable time.
inline constexpr std::chrono::milliseconds idle_timeout{65'000};
// Writing one response to a client that does not read.
inline constexpr std::chrono::milliseconds write_timeout{30'000};
// Graceful stop: how long in-flight requests (long polls included) may still finish.
inline constexpr std::chrono::milliseconds drain_timeout{5'000};
// Pause before accepting again after accept() failed (EMFILE): no busy loop when out of fds.
inline constexpr std::chrono::milliseconds accept_retry_delay{50};
// A stream (Server-Sent Events, Router::add_stream): chunks queued for a client that has not
// read them yet. One more is refused (StreamSink::push says false), so a client that stops
// reading costs bounded memory; the console's hub then closes it and the browser reconnects.
inline constexpr std::size_t stream_chunks_max = 1024;
// --auth-keys file: size and number of keys.
inline constexpr std::size_t auth_keys_file_bytes_max = 1024 * 1024;
inline constexpr std::size_t auth_keys_max = 10'000;
// AWS SigV4: how far the request's X-Amz-Date may be from the server clock.
inline constexpr std::chrono::minutes signature_skew_max{15};
// Authorization header entries (Credential, SignedHeaders, Signature) and signed headers.
inline constexpr std::size_t signed_headers_max = 64;

}  // namespace stepwise::api::limits
