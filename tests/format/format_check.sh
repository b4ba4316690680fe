#!/usr/bin/env bash
# The house style (.clang-format: Google's, 100 columns), checked on every C++ file git tracks.
# Fails with clang-format's own report (file:line and the change it wants); `scripts/format.sh`
# applies it. Usage: format_check.sh [ROOT]
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ]; then
  echo "format: clang-format is not installed (scripts/install-deps.sh test)"; exit 1
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^console/node_modules/')
if "$format" --dry-run --Werror "${files[@]}" 2>/tmp/stepwise-format.$$; then
  echo "format: ${#files[@]} files as .clang-format says"
  rm -f /tmp/stepwise-format.$$
  exit 0
fi
head -60 /tmp/stepwise-format.$$
echo "format: files differ from .clang-format; run scripts/format.sh"
rm -f /tmp/stepwise-format.$$
exit 1
