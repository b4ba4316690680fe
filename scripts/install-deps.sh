#!/usr/bin/env bash
# Installs every Debian package Stepwise needs to build, test and run (Debian 12), and the npm
# packages of the JavaScript client tests (tests/clients/js) and of the web console (console/:
# its build and its browser tests), each from its package-lock.json.
# Idempotent: packages already present are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git python3
  libboost1.81-dev libboost-json1.81-dev   # Boost.JSON/Beast/Asio: 1.74 (the default) has no JSON
  libsqlite3-dev libpq-dev libcurl4-openssl-dev libssl-dev
  libre2-dev libyaml-cpp-dev libfmt-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  awscli python3-boto3 nodejs                # tests/clients: the real AWS clients
  chromium                                   # tests/console: the browser tests (Playwright)
)
# Debian's npm conflicts with a nodejs that bundles its own npm (NodeSource's): add it only when
# there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

# The JavaScript SDK for tests/clients/js, exactly as locked (npm ci), unless already there.
install_js_clients() {
  if [ -d tests/clients/js/node_modules/@aws-sdk/client-sfn ]; then return 0; fi
  echo "install-deps: npm ci in tests/clients/js"
  (cd tests/clients/js && npm ci --no-audit --no-fund --loglevel=error)
}
# The console's build (TypeScript, Vite, elkjs, the SDK) and playwright-core, as locked.
install_console() {
  if [ -f console/node_modules/.package-lock.json ]; then return 0; fi
  echo "install-deps: npm ci in console"
  (cd console && npm ci --no-audit --no-fund --loglevel=error)
}

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
