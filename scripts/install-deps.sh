#!/usr/bin/env bash
# Installs the Debian packages Stepwise needs (Debian 12). Usage: install-deps.sh [run|test]
#   run   what building and running the server needs (scripts/start.sh): the compiler, CMake and
#         the libraries Stepwise links, python3 for the examples' functions, Node.js and the
#         console's npm packages (console/package-lock.json) to build the web console
#   test  (default) that, plus the test toolchain: GoogleTest, Google Benchmark, the real AWS
#         clients (awscli, boto3, the JavaScript SDK from tests/clients/js/package-lock.json),
#         Chromium for the console's browser tests and the packaging tools (scripts/test.sh)
# Idempotent: packages already present are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"
case "$mode" in run|test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac

packages=(
  build-essential cmake ninja-build ccache pkg-config git python3
  libboost1.81-dev libboost-json1.81-dev   # Boost.JSON/Beast/Asio: 1.74 (the default) has no JSON
  libsqlite3-dev libpq-dev libcurl4-openssl-dev libssl-dev
  libre2-dev libyaml-cpp-dev libfmt-dev libspdlog-dev libcli11-dev
  libjemalloc-dev                          # the server's allocator: glibc's malloc cost 2x CPU
  nodejs                                   # console/: the web console's build (Vite)
)
# Debian's npm conflicts with a nodejs that bundles its own npm (NodeSource's): add it only when
# there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

# The console's build (TypeScript, Vite, elkjs, the SDK) and playwright-core, as locked.
install_console() {
  if [ -f console/node_modules/.package-lock.json ]; then return 0; fi
  echo "install-deps: npm ci in console"
  (cd console && npm ci --no-audit --no-fund --loglevel=error)
}

if [ "$mode" = "run" ]; then
  install_js_clients() { :; }
else
packages+=(
  libgtest-dev libgmock-dev libbenchmark-dev
  awscli python3-boto3                       # tests/clients: the real AWS clients
  dpkg-dev file                              # tests/packaging: cpack's DEB (dpkg-shlibdeps)
  chromium                                   # tests/console: the browser tests (Playwright)
  clang lld libclang-rt-14-dev               # scripts/sanitize.sh: ASan/UBSan, libFuzzer
  clang-format clang-tidy                    # tests/format, tests/tidy: style and lint
)

# The JavaScript SDK for tests/clients/js, exactly as locked (npm ci), unless already there.
# "Already there" means every @aws-sdk package package.json names is installed (a checkout that
# gained a package runs npm ci again).
install_js_clients() {
  local package missing=""
  for package in $(grep -o '"@aws-sdk/[a-z0-9-]*"' tests/clients/js/package.json | tr -d '"'); do
    [ -d "tests/clients/js/node_modules/$package" ] || missing=1
  done
  if [ -z "$missing" ]; then return 0; fi
  echo "install-deps: npm ci in tests/clients/js"
  (cd tests/clients/js && npm ci --no-audit --no-fund --loglevel=error)
}
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  install_js_clients
  install_console
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_js_clients
install_console
