#!/usr/bin/env bash
# JSONata micro-benchmark: Stepwise against the npm reference (jsonata 2.0.6), in one run.
#   bench/jsonata/run.sh BUILD_DIR/stepwise-jsonata-bench [--rounds 5] [--target-ms 500]
#                        [--only name,name] [--markdown] [--keep DIR]
# Installs the reference into $JSONATA_REF_DIR (default /tmp/jsonata-ref) if missing; builds
# nothing. Checks once that both implementations give the same result for every expression,
# then runs --rounds rounds, each one repetition of every expression in both, alternating who
# goes first; prints the table (medians, ratio = median of per-round ratios).
# Exit status: 0 even if an expression misses the 5x target; non-zero on any error, and a
# result that differs between the two implementations is an error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ref_dir="${JSONATA_REF_DIR:-/tmp/jsonata-ref}"
ref_version=2.0.6

usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 ]] || usage
bin="$1"; shift
rounds=5 target_ms=500 only=() markdown=() keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --target-ms) target_ms="$2"; shift 2 ;;
    --only) only=(--only "$2"); shift 2 ;;
    --markdown) markdown=(--markdown); shift ;;
    --keep) keep="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[[ -x "$bin" ]] || { echo "no executable $bin (cmake --build <dir> --target stepwise-jsonata-bench)" >&2; exit 2; }
command -v node >/dev/null || { echo "node is required for the reference" >&2; exit 2; }

installed="$(node -p "require('$ref_dir/node_modules/jsonata/package.json').version" 2>/dev/null || true)"
if [[ "$installed" != "$ref_version" ]]; then
  echo "installing jsonata@$ref_version into $ref_dir" >&2
  mkdir -p "$ref_dir"
  (cd "$ref_dir" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
     npm i --no-audit --no-fund "jsonata@$ref_version" >&2)
fi

work="${keep:-$(mktemp -d /tmp/jsonata-bench.XXXXXX)}"
mkdir -p "$work"
rm -f "$work"/[sr].*.jsonl
[[ -n "$keep" ]] || trap 'rm -rf "$work"' EXIT

ours=("$bin" "${only[@]}")
theirs=(node "$here/ref-bench.js" --ref-dir "$ref_dir" "${only[@]}")

"${ours[@]}" --print-results > "$work/results.stepwise"
"${theirs[@]}" --print-results > "$work/results.reference"
node "$here/report.js" compare "$work/results.stepwise" "$work/results.reference"

for ((k = 1; k <= rounds; k++)); do
  echo "round $k/$rounds" >&2
  run_ours() { "${ours[@]}" --json --reps 1 --target-ms "$target_ms" > "$work/s.$k.jsonl"; }
  run_theirs() { "${theirs[@]}" --reps 1 --target-ms "$target_ms" > "$work/r.$k.jsonl"; }
  if ((k % 2)); then run_ours; run_theirs; else run_theirs; run_ours; fi
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); node $(node --version)"
node "$here/report.js" table "${markdown[@]}" "$work"
