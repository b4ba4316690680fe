#!/usr/bin/env bash
# clang-tidy (.clang-tidy) on the C++ sources the newest commit changed, as compiled in BUILD
# (its compile_commands.json). Only changed files: a whole-tree run takes an hour on 2 cores;
# every file is checked when it is next touched. At most files_max files, newest first.
# Usage: clang_tidy_changed.sh ROOT BUILD [BASE]   (BASE: what to diff against; default HEAD~1)
set -euo pipefail
root=$1 build=$2 base=${3:-HEAD~1}
files_max=25
cd "$root"
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$tidy" ]; then echo "clang-tidy: not installed (scripts/install-deps.sh test)"; exit 1; fi
if ! git rev-parse -q --verify "$base" >/dev/null; then
  echo "clang-tidy: no $base to compare with (a one-commit clone): nothing to check"; exit 0
fi
mapfile -t files < <(git diff --name-only --diff-filter=AM "$base" HEAD -- 'src/*.cpp' \
                       'tools/*.cpp' | head -n "$files_max")
# Only files the build compiles (a test-only or fuzz file may not be in this build).
checked=0
failed=0
for f in "${files[@]}"; do
  grep -q "\"file\": \"[^\"]*$f\"" "$build/compile_commands.json" || continue
  checked=$((checked + 1))
  "$tidy" -p "$build" --quiet "$f" 2>/dev/null || failed=1
done
echo "clang-tidy: $checked changed files checked"
exit $failed
