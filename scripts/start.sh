#!/usr/bin/env bash
# Installs dependencies, builds Stepwise, and runs the server: the Step Functions API on
# http://127.0.0.1:8083 with durable state in ./stepwise-data (embedded SQLite) and every example
# workflow in examples/ created as a state machine. Stop it with Ctrl-C (SIGINT): it drains and
# exits cleanly; a restart resumes every running execution.
# Extra arguments go to `stepwise serve` (e.g. --port 9000, --store memory, --functions FILE).
# It installs only what building and running need (install-deps.sh run: no test toolchain) and
# builds only the `stepwise` program, and only what changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh run
bash scripts/build.sh stepwise
cat <<'HINT'
Try, in another terminal:
  aws stepfunctions --endpoint-url http://127.0.0.1:8083 list-state-machines
  aws stepfunctions --endpoint-url http://127.0.0.1:8083 start-execution \
      --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:hello \
      --input '{"name":"Ada","visits":11}'
(the AWS CLI needs some credentials and a region, any values: see README.md)
HINT
exec build/stepwise serve --examples examples "$@"
