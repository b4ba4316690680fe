#!/bin/sh
# Builds the console into DIST (called by src/console/CMakeLists.txt): installs the locked npm
# packages when they are missing (npm ci), type-checks, bundles with Vite.
# Usage: build.sh DIST [AUTO|ON]. With AUTO, a failed `npm ci` (no network) is not a build
# failure: DIST gets a `.placeholder` saying why, and / serves that page.
set -e
cd "$(dirname "$0")"
dist="$1"
mode="${2:-AUTO}"
mkdir -p "$dist"
rm -f "$dist/.placeholder"
# Installed, and from this lock file? (npm ci records the lock it installed as
# node_modules/.package-lock.json; a lock file that changed since, e.g. a pulled commit that
# added a package, needs npm ci again.)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    if [ "$mode" = "ON" ]; then exit 1; fi
    echo "console: npm ci failed; the binary serves a placeholder page" >&2
    echo "npm ci failed in console/ when this stepwise was built (no network?)." \
      > "$dist/.placeholder"
    touch "$dist/index.html"
    exit 0
  fi
fi
node node_modules/typescript/bin/tsc --noEmit -p .
node node_modules/vite/bin/vite.js build --outDir "$dist" --emptyOutDir --logLevel warn
