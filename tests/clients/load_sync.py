#!/usr/bin/env python3
"""Measures `stepwise serve` with stepwise-load: StartSyncExecution of a 5-state EXPRESS workflow
and StartExecution of the same workflow as STANDARD (issue 3's load figures). Not a test.

Usage: load_sync.py --stepwise build/stepwise --load build/stepwise-load
                    [-c 64] [-n 100000] [--store memory|sqlite] [--only sync|standard]
                    [--server-arg=--shards=2 ...]
Server CPU per request is the server process's utime + stime (/proc/<pid>/stat, i.e. what
getrusage reports for it) over the run, divided by the requests: the load generator's share
does not count.
Loopback only; every run is bounded by stepwise-load's request count and duration.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stepwise_server import StepwiseServer  # noqa: E402

FIVE_STATE_DEF = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Parameters": {"n.$": "$.n", "tag": "five"}, "Next": "Double"},
        "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)",
                                                   "tag.$": "$.tag"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Default": "Label",
                  "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1000, "Next": "Done"}]},
        "Label": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def call(endpoint, operation, body):
    """One unsigned AWS JSON 1.0 request (the server accepts any credentials by default)."""
    request = urllib.request.Request(endpoint, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/x-amz-json-1.0",
                                              "X-Amz-Target": f"AWSStepFunctions.{operation}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc), to report CPU per request:
    unlike req/s it does not depend on what else the shared machine is doing."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stepwise", required=True)
    parser.add_argument("--load", required=True, help="the stepwise-load binary")
    parser.add_argument("-c", "--connections", type=int, default=64)
    parser.add_argument("-n", "--requests", type=int, default=100000)
    parser.add_argument("--store", default="memory", choices=["memory", "sqlite"])
    parser.add_argument("--only", choices=["sync", "standard"],
                        help="run only StartSyncExecution (EXPRESS) or StartExecution (STANDARD)")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="one more `stepwise serve` argument, e.g. --server-arg=--shards=2")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="stepwise-load-")
    extra = ["--store", args.store, "--data-dir", os.path.join(work, "data")] + args.server_arg
    server = StepwiseServer(os.path.abspath(args.stepwise), log_dir=work, base_args=extra)
    with server:
        role = "arn:aws:iam::123456789012:role/load"
        runs = (("EXPRESS", "StartSyncExecution"), ("STANDARD", "StartExecution"))
        if args.only:
            runs = runs[:1] if args.only == "sync" else runs[1:]
        for machine_type, operation in runs:
            arn = call(server.endpoint, "CreateStateMachine", {
                "name": f"load-{machine_type.lower()}", "type": machine_type, "roleArn": role,
                "definition": json.dumps(FIVE_STATE_DEF)})["stateMachineArn"]
            body = json.dumps({"stateMachineArn": arn, "input": json.dumps({"n": 3})})
            print(f"== {operation} ({machine_type}, 5 states), {args.connections} connections, "
                  f"{args.requests} requests, store {args.store}", flush=True)
            before = cpu_seconds(server.proc.pid)
            subprocess.run([args.load, "--port", str(server.port), "-c", str(args.connections),
                            "-n", str(args.requests), "--operation", operation, "--body", body],
                           check=False)
            used = cpu_seconds(server.proc.pid) - before
            print(f"server CPU       {used:.2f} s = {used / args.requests * 1e6:.1f} us/request "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    print(f"server exit code {server.proc.returncode}")


if __name__ == "__main__":
    main()
