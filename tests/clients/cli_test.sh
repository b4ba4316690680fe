#!/usr/bin/env bash
# The AWS CLI against `stepwise serve`: a representative run (create, start, sync start, describe,
# history, list, stop, errors) as a user types it. Run through tests/clients/run.py, which starts
# the server and sets STEPWISE_PORT and dummy credentials.
#
# Usage: cli_test.sh /path/to/aws
#
# StartSyncExecution: every CLI prepends the host prefix `sync-` to the endpoint's host, and the
# Debian CLI v2 (2.9) ignores AWS_DISABLE_HOST_PREFIX_INJECTION. Giving the endpoint a user name
# (http://stepwise@127.0.0.1:PORT) makes the prefix land in the user-name part
# (sync-stepwise@127.0.0.1), which the client ignores when it connects: no /etc/hosts entry
# needed. docs/API.md explains it for users.
set -uo pipefail

AWS=${1:?usage: cli_test.sh /path/to/aws}
PORT=${STEPWISE_PORT:?STEPWISE_PORT not set (run through tests/clients/run.py)}
ENDPOINT="http://127.0.0.1:${PORT}"
SYNC_ENDPOINT="http://stepwise@127.0.0.1:${PORT}"
ROLE="arn:aws:iam::123456789012:role/stepwise-clients"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0

sfn() { "$AWS" stepfunctions --endpoint-url "$ENDPOINT" --output json "$@"; }

# check NAME JSON PYTHON-EXPR: the expression, with `d` the parsed JSON, must be true.
check() {
  local name=$1 json=$2 expr=$3
  if python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if ($expr) else 1)" \
      "$json" 2>"$WORK/check.err"; then
    PASSED=$((PASSED + 1)); echo "ok: $name"
  else
    FAILED=$((FAILED + 1)); echo "FAIL: $name: expected $expr in: ${json:0:800}"
    cat "$WORK/check.err"
  fi
}

# field JSON PYTHON-EXPR: prints the value of the expression (with `d` the parsed JSON).
field() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1" 2>/dev/null; }

# wait_closed ARN: polls describe-execution until the status is not RUNNING; prints the answer.
wait_closed() {
  local out
  for _ in $(seq 1 300); do
    out=$(sfn describe-execution --execution-arn "$1")
    [ "$(field "$out" "d['status']")" != "RUNNING" ] && break
    sleep 0.1
  done
  echo "$out"
}

echo "client: $("$AWS" --version 2>&1)"

cat >"$WORK/pass.json" <<'EOF'
{"StartAt": "Hello",
 "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "ResultPath": "$.pass",
                      "End": true}}}
EOF
cat >"$WORK/five.json" <<'EOF'
{"StartAt": "Init",
 "States": {
   "Init": {"Type": "Pass", "Parameters": {"n.$": "$.n", "tag": "five"}, "Next": "Double"},
   "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)", "tag.$": "$.tag"},
              "Next": "Check"},
   "Check": {"Type": "Choice", "Default": "Label",
             "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1000, "Next": "Done"}]},
   "Label": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "Next": "Done"},
   "Done": {"Type": "Succeed"}}}
EOF

# create (and create again: idempotent), describe, list with small pages
suffix=$RANDOM$RANDOM
out=$(sfn create-state-machine --name "cli-pass-$suffix" --definition "file://$WORK/pass.json" \
        --role-arn "$ROLE")
check "create-state-machine" "$out" "d['stateMachineArn'].endswith(':stateMachine:cli-pass-$suffix')"
SM=$(field "$out" "d['stateMachineArn']")
again=$(sfn create-state-machine --name "cli-pass-$suffix" --definition "file://$WORK/pass.json" \
          --role-arn "$ROLE")
check "create-state-machine is idempotent" "$again" "d['stateMachineArn'] == '$SM'"
out=$(sfn describe-state-machine --state-machine-arn "$SM")
check "describe-state-machine" "$out" \
  "d['name'] == 'cli-pass-$suffix' and d['status'] == 'ACTIVE' and json.loads(d['definition'])['StartAt'] == 'Hello'"
for i in 1 2 3; do
  sfn create-state-machine --name "cli-more-$suffix-$i" --definition "file://$WORK/pass.json" \
    --role-arn "$ROLE" >/dev/null
done
out=$(sfn list-state-machines --page-size 1)
check "list-state-machines walks pages of 1" "$out" \
  "len([m for m in d['stateMachines'] if m['name'].startswith(('cli-pass-$suffix', 'cli-more-$suffix'))]) == 4 and 'NextToken' not in d"
out=$(sfn list-state-machines --max-items 2)
check "list-state-machines --max-items gives a NextToken" "$out" \
  "len(d['stateMachines']) == 2 and 'NextToken' in d"

# start, describe, history, list
out=$(sfn start-execution --state-machine-arn "$SM" --name run1 --input '{"a": 1}')
check "start-execution" "$out" "d['executionArn'].endswith(':cli-pass-$suffix:run1') and 'startDate' in d"
EXEC=$(field "$out" "d['executionArn']")
out=$(wait_closed "$EXEC")
check "describe-execution" "$out" \
  "d['status'] == 'SUCCEEDED' and json.loads(d['output']) == {'a': 1, 'pass': {'greeting': 'hi'}}"
out=$(sfn get-execution-history --execution-arn "$EXEC")
check "get-execution-history" "$out" \
  "[e['type'] for e in d['events']] == ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']"
out=$(sfn get-execution-history --execution-arn "$EXEC" --reverse-order --page-size 1)
check "get-execution-history --reverse-order, pages of 1" "$out" \
  "[e['id'] for e in d['events']] == [4, 3, 2, 1]"
out=$(sfn list-executions --state-machine-arn "$SM" --status-filter SUCCEEDED)
check "list-executions --status-filter" "$out" \
  "[e['executionArn'] for e in d['executions']] == ['$EXEC']"

# stop: an activity task nobody works on keeps the execution running
ACT=$(field "$(sfn create-activity --name "cli-act-$suffix")" "d['activityArn']")
cat >"$WORK/activity.json" <<EOF
{"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "$ACT", "End": true}}}
EOF
SM2=$(field "$(sfn create-state-machine --name "cli-wait-$suffix" \
                 --definition "file://$WORK/activity.json" --role-arn "$ROLE")" \
            "d['stateMachineArn']")
EXEC2=$(field "$(sfn start-execution --state-machine-arn "$SM2")" "d['executionArn']")
out=$(sfn list-executions --state-machine-arn "$SM2" --status-filter RUNNING)
check "list-executions RUNNING" "$out" "[e['executionArn'] for e in d['executions']] == ['$EXEC2']"
out=$(sfn stop-execution --execution-arn "$EXEC2" --error Cli.Stop --cause "from the cli")
check "stop-execution" "$out" "'stopDate' in d"
out=$(sfn describe-execution --execution-arn "$EXEC2")
check "stopped execution is ABORTED" "$out" \
  "d['status'] == 'ABORTED' and d['error'] == 'Cli.Stop' and d['cause'] == 'from the cli'"

# start-sync-execution on an EXPRESS machine, through the user-name endpoint (see the top)
SM3=$(field "$(sfn create-state-machine --name "cli-express-$suffix" --type EXPRESS \
                 --definition "file://$WORK/five.json" --role-arn "$ROLE")" "d['stateMachineArn']")
out=$("$AWS" stepfunctions --endpoint-url "$SYNC_ENDPOINT" --output json start-sync-execution \
        --state-machine-arn "$SM3" --input '{"n": 3}' 2>&1)
check "start-sync-execution" "$out" \
  "d['status'] == 'SUCCEEDED' and json.loads(d['output']) == {'n': 6, 'tag': 'five', 'size': 'small'}"

# errors: exit code 254 (CLI v2) or 255 (CLI v1) and AWS's message on stderr
MISSING="${SM}-missing"
sfn describe-state-machine --state-machine-arn "$MISSING" >"$WORK/out" 2>"$WORK/err"
code=$?
err=$(cat "$WORK/err")
expected="An error occurred (StateMachineDoesNotExist) when calling the DescribeStateMachine operation: State Machine Does Not Exist: '$MISSING'"
if { [ $code -eq 254 ] || [ $code -eq 255 ]; } && [[ "$err" == *"$expected"* ]]; then
  PASSED=$((PASSED + 1)); echo "ok: error exit code $code and message"
else
  FAILED=$((FAILED + 1)); echo "FAIL: error: exit $code, stderr: $err"
fi
sfn start-execution --state-machine-arn "$SM" --name run1 --input '{"other": 2}' \
  >"$WORK/out" 2>"$WORK/err"
code=$?
expected="An error occurred (ExecutionAlreadyExists) when calling the StartExecution operation: Execution Already Exists: '$EXEC'"
if [ $code -ne 0 ] && [[ "$(cat "$WORK/err")" == *"$expected"* ]]; then
  PASSED=$((PASSED + 1)); echo "ok: ExecutionAlreadyExists"
else
  FAILED=$((FAILED + 1)); echo "FAIL: ExecutionAlreadyExists: exit $code, stderr: $(cat "$WORK/err")"
fi

sfn delete-state-machine --state-machine-arn "$SM3" >/dev/null
out=$(sfn list-state-machines)
check "delete-state-machine" "$out" "'$SM3' not in [m['stateMachineArn'] for m in d['stateMachines']]"

# The built-in Secrets Manager and EventBridge (docs/SERVICES.md), and workflows calling them.
smc() { "$AWS" secretsmanager --endpoint-url "$ENDPOINT" --region us-east-1 --output json "$@"; }
evc() { "$AWS" events --endpoint-url "$ENDPOINT" --region us-east-1 --output json "$@"; }
SECRET="cli/db-$RANDOM$RANDOM"
out=$(smc create-secret --name "$SECRET" --secret-string '{"user":"u","password":"p1"}')
check "secretsmanager create-secret" "$out" "d['ARN'].startswith('arn:aws:secretsmanager:us-east-1:123456789012:secret:$SECRET-') and len(d['ARN']) == len('arn:aws:secretsmanager:us-east-1:123456789012:secret:$SECRET-') + 6"
smc put-secret-value --secret-id "$SECRET" --secret-string '{"user":"u","password":"p2"}' >/dev/null
out=$(smc get-secret-value --secret-id "$SECRET")
check "secretsmanager get-secret-value" "$out" "json.loads(d['SecretString'])['password'] == 'p2' and d['VersionStages'] == ['AWSCURRENT']"
out=$(smc get-secret-value --secret-id "$SECRET" --version-stage AWSPREVIOUS)
check "secretsmanager AWSPREVIOUS" "$out" "json.loads(d['SecretString'])['password'] == 'p1'"
out=$(smc list-secrets --filters Key=name,Values="$SECRET")
check "secretsmanager list-secrets" "$out" "[s['Name'] for s in d['SecretList']] == ['$SECRET']"
SM_FLOW=$(sfn create-state-machine --name "secret-flow-$RANDOM$RANDOM" --role-arn "$ROLE" \
  --definition '{"StartAt":"Get","States":{"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:secretsmanager:getSecretValue","Parameters":{"SecretId.$":"$.id"},"ResultSelector":{"creds.$":"States.StringToJson($.SecretString)"},"Next":"Emit"},"Emit":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[{"Source":"cli.test","DetailType":"CredsRead","Detail":{"user.$":"$.creds.user"}}]},"End":true}}}')
SM_FLOW=$(field "$SM_FLOW" "d['stateMachineArn']")
out=$(sfn start-execution --state-machine-arn "$SM_FLOW" --input "{\"id\": \"$SECRET\"}")
out=$(wait_closed "$(field "$out" "d['executionArn']")")
check "workflow: aws-sdk:secretsmanager + events:putEvents" "$out" "d['status'] == 'SUCCEEDED' and json.loads(d['output'])['FailedEntryCount'] == 0"
smc delete-secret --secret-id "$SECRET" --recovery-window-in-days 7 >/dev/null
smc get-secret-value --secret-id "$SECRET" >"$WORK/out" 2>"$WORK/err"
if [ $? -ne 0 ] && grep -q "InvalidRequestException" "$WORK/err"; then
  PASSED=$((PASSED + 1)); echo "ok: secretsmanager marked for deletion"
else
  FAILED=$((FAILED + 1)); echo "FAIL: secretsmanager marked for deletion: $(cat "$WORK/err")"
fi
BUS="cli-bus-$RANDOM$RANDOM"
out=$(evc create-event-bus --name "$BUS")
check "events create-event-bus" "$out" "d['EventBusArn'] == 'arn:aws:events:us-east-1:123456789012:event-bus/$BUS'"
out=$(evc put-events --entries "[{\"Source\":\"cli\",\"DetailType\":\"t\",\"Detail\":\"{\\\"a\\\":1}\",\"EventBusName\":\"$BUS\"},{\"Source\":\"cli\",\"DetailType\":\"t\",\"Detail\":\"[1]\"}]")
check "events put-events" "$out" "d['FailedEntryCount'] == 1 and 'EventId' in d['Entries'][0] and d['Entries'][1]['ErrorCode'] == 'MalformedDetail'"
out=$(evc list-event-buses --name-prefix "$BUS")
check "events list-event-buses" "$out" "[b['Name'] for b in d['EventBuses']] == ['$BUS']"
evc delete-event-bus --name "$BUS" >/dev/null
out=$(evc list-event-buses)
check "events delete-event-bus" "$out" "'$BUS' not in [b['Name'] for b in d['EventBuses']] and 'default' in [b['Name'] for b in d['EventBuses']]"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
