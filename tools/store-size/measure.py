#!/usr/bin/env python3
"""Measures the SQLite store's size per execution and per history event (docs/STORE.md, "Size on
disk"): starts `stepwise serve` on a fresh data directory, runs N executions of a workflow whose
input carries a payload of the given size, reads stepwise_store_bytes from /metrics before and
after (with a WAL checkpoint forced by a restart), and prints the figures.
Usage: measure.py STEPWISE [--executions N] [--payload-bytes B ...]"""
import argparse
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

# A typical small workflow: Pass, Choice, Task-like Pass with ResultPath, Wait 0, Succeed
# (12 history events per execution, payload carried through every state).
DEFINITION = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "ResultPath": "$.validated", "Result": True,
                     "Next": "Route"},
        "Route": {"Type": "Choice", "Default": "Enrich",
                  "Choices": [{"Variable": "$.validated", "BooleanEquals": False,
                               "Next": "Done"}]},
        "Enrich": {"Type": "Pass", "Parameters": {"order.$": "$.order", "score": 7},
                   "ResultPath": "$.enriched", "Next": "Settle"},
        "Settle": {"Type": "Wait", "Seconds": 0, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, stepwise, data_dir):
        self.port = free_port()
        self.proc = subprocess.Popen([stepwise, "serve", "--data-dir", data_dir, "--port",
                                      str(self.port), "--fast-time"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("server did not start")

    def call(self, op, body):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": f"AWSStepFunctions.{op}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def store_bytes(self):
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics").read().decode()
        for line in text.splitlines():
            if line.startswith("stepwise_store_bytes "):
                return int(line.split()[1])
        raise SystemExit("no stepwise_store_bytes in /metrics")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def measure(stepwise, executions, payload_bytes):
    with tempfile.TemporaryDirectory() as d:
        server = Server(stepwise, d)
        arn = server.call("CreateStateMachine", {
            "name": "sized", "definition": json.dumps(DEFINITION),
            "roleArn": "arn:aws:iam::123456789012:role/x"})["stateMachineArn"]
        # A first execution, so that the baseline includes the schema and the machine.
        first = server.call("StartExecution", {"stateMachineArn": arn, "input": "{}"})
        server.stop()
        server = Server(stepwise, d)
        before = os.path.getsize(f"{d}/stepwise.db")
        order = {"id": "ORD-1", "notes": "x" * payload_bytes}
        arns = []
        for i in range(executions):
            arns.append(server.call("StartExecution", {
                "stateMachineArn": arn, "input": json.dumps({"order": order, "n": i})})
                ["executionArn"])
        for a in arns:
            while server.call("DescribeExecution", {"executionArn": a})["status"] == "RUNNING":
                time.sleep(0.01)
        events = len(server.call("GetExecutionHistory", {"executionArn": arns[-1]})["events"])
        # A restart checkpoints the WAL into the database file: what is left is the store.
        server.stop()
        after = os.path.getsize(f"{d}/stepwise.db")
        per_execution = (after - before) / executions
        print(f"payload {payload_bytes:>6} B: {executions} executions, {events} events each: "
              f"{after - before:>10} B, {per_execution:>8.0f} B/execution, "
              f"{per_execution / events:>6.0f} B/event")
        del first


parser = argparse.ArgumentParser()
parser.add_argument("stepwise")
parser.add_argument("--executions", type=int, default=1000)
parser.add_argument("--payload-bytes", type=int, nargs="+", default=[100, 1024, 10240])
args = parser.parse_args()
for size in args.payload_bytes:
    measure(os.path.abspath(args.stepwise), args.executions, size)
