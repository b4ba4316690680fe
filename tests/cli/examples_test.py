#!/usr/bin/env python3
"""`stepwise serve --examples`: each example becomes a state machine and the resources its test
file sets up (tables, buckets, queues, topics) are made on the built-in services, so an example
that calls them runs from the console or the CLI with no preparation. Started twice on the same
durable store: the second start finds them there and says nothing about it.

Usage: examples_test.py PATH/TO/stepwise REPO_ROOT. Exit 0 passed, 1 failed.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sfn_http import call, free_port, wait_done, wait_healthy  # noqa: E402

ACCOUNT = "123456789012"


def machine_arn(name):
    return f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}"


def start(stepwise, root, data, log):
    port = free_port()
    proc = subprocess.Popen(
        [stepwise, "serve", "--port", str(port), "--data-dir", data, "--fast-time",
         "--examples", os.path.join(root, "examples")],
        stdout=log, stderr=subprocess.STDOUT)
    if not wait_healthy(port):
        proc.kill()
        raise SystemExit("examples: FAILED: the server did not start")
    return proc, port


def run(port, name, execution_input):
    arn = call(port, "StartExecution", {"stateMachineArn": machine_arn(name),
                                        "input": json.dumps(execution_input)})["executionArn"]
    return wait_done(port, arn)


def main():
    stepwise, root = sys.argv[1], sys.argv[2]
    problems = []
    with tempfile.TemporaryDirectory(prefix="stepwise-examples-") as d:
        data, log_path = os.path.join(d, "data"), os.path.join(d, "serve.log")
        for attempt, invoice in (("first start", "INV-100"), ("second start", "INV-200")):
            with open(log_path, "w") as log:
                proc, port = start(stepwise, root, data, log)
                try:
                    r = run(port, "invoice-approval",
                            {"invoiceId": invoice, "vendor": "Acme", "amount": 420})
                    want = {"invoiceId": invoice, "status": "APPROVED", "amount": 420}
                    if r.get("status") != "SUCCEEDED" or json.loads(r.get("output", "null")) != want:
                        problems.append(f"{attempt}: invoice-approval: {r}")
                    r = run(port, "order-archive", {"orderId": invoice, "priority": "low"})
                    if r.get("status") != "SUCCEEDED":
                        problems.append(f"{attempt}: order-archive: {r}")
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
            with open(log_path) as log:
                complaints = [line for line in log
                              if ": example " in line and "example state machine" not in line]
            if complaints:
                problems.append(f"{attempt}: the server complained: {complaints}")
    for p in problems:
        print(f"examples: FAILED: {p}")
    if not problems:
        print("examples: ok (set-up resources made once, examples run on both starts)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
