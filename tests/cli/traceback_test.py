#!/usr/bin/env python3
"""A Python function's unhandled exception under `stepwise serve`: DescribeExecution's cause is
Lambda's Python error object with the traceback's frames, the execution log (loggingConfiguration
ALL) has it in its LambdaFunctionFailed event, and the server's stderr shows the function's log
block (its own log line and the whole traceback). Usage: traceback_test.py STEPWISE."""
import json
import os
import subprocess
import sys
import tempfile

from sfn_http import call, free_port, wait_done, wait_healthy

stepwise = os.path.abspath(sys.argv[1])
problems = []
HANDLER = '''import json, sys
def handler(event):
    print("charging card", event["card"], file=sys.stderr)
    raise ValueError("card declined: " + event["card"])
handler(json.load(sys.stdin))
'''

with tempfile.TemporaryDirectory() as d:
    with open(f"{d}/charge.py", "w") as f:
        f.write(HANDLER)
    with open(f"{d}/functions.yaml", "w") as f:
        f.write("functions:\n  charge: {command: [python3, charge.py]}\n")
    port = free_port()
    with open(f"{d}/stderr.txt", "w") as err_file:
        server = subprocess.Popen([stepwise, "serve", "--store", "memory", "--port", str(port),
                                   "--functions", f"{d}/functions.yaml", "--log-dir", f"{d}/logs"],
                                  stdout=subprocess.DEVNULL, stderr=err_file)
        try:
            if not wait_healthy(port):
                raise SystemExit("the server did not start")
            group = "arn:aws:logs:us-east-1:123456789012:log-group:payments:*"
            arn = call(port, "CreateStateMachine", {
                "name": "pay", "roleArn": "arn:aws:iam::123456789012:role/x",
                "definition": json.dumps({"StartAt": "Charge", "States": {"Charge": {
                    "Type": "Task", "End": True,
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge"}}}),
                "loggingConfiguration": {"level": "ALL", "includeExecutionData": True,
                                         "destinations": [{"cloudWatchLogsLogGroup":
                                                           {"logGroupArn": group}}]}})
            execution = call(port, "StartExecution", {"stateMachineArn": arn["stateMachineArn"],
                                                      "input": json.dumps({"card": "4242"})})
            result = wait_done(port, execution["executionArn"])
        finally:
            server.terminate()
            server.wait(timeout=30)

    if result.get("error") != "ValueError":
        problems.append(f"error: {result}")
    try:
        cause = json.loads(result.get("cause", ""))
        if cause["errorMessage"] != "card declined: 4242" or len(cause["stackTrace"]) != 2:
            problems.append(f"cause: {cause}")
        elif "raise ValueError(" not in cause["stackTrace"][1]:
            problems.append(f"the frame lacks its source line: {cause['stackTrace']}")
    except (ValueError, KeyError) as e:
        problems.append(f"cause is not Lambda's error object ({e}): {result.get('cause')}")
    logged = [json.loads(line) for line in open(f"{d}/logs/payments.jsonl")]
    failed = [e for e in logged if e.get("type") == "LambdaFunctionFailed"]
    if not failed or "card declined: 4242" not in json.dumps(failed[0]) \
            or "stackTrace" not in json.dumps(failed[0]):
        problems.append(f"execution log lacks the traceback: {logged}")
    stderr = open(f"{d}/stderr.txt").read()
    for want in ["] charging card 4242\nTraceback (most recent call last):",
                 "ValueError: card declined: 4242"]:
        if want not in stderr:
            problems.append(f"server stderr lacks {want!r}: {stderr}")

for p in problems:
    print("FAIL", p)
if not problems:
    print("ok: the traceback is in the cause, the execution log and the function's log")
sys.exit(1 if problems else 0)
