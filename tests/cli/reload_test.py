#!/usr/bin/env python3
"""SIGHUP on `stepwise serve` reloads the functions config: an execution already calling the old
function finishes with it, the next one runs the new function, and a broken file is refused with
a message while the functions in use stay. Usage: reload_test.py STEPWISE."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from sfn_http import call, free_port, wait_done, wait_healthy

stepwise = os.path.abspath(sys.argv[1])
problems = []


def write_functions(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)  # atomic: the server never reads half a file


def version(v, sleep_s=0):
    script = f"cat >/dev/null; sleep {sleep_s}; echo '\"{v}\"'"
    return f"functions:\n  greet: {{command: [/bin/sh, -c, {json.dumps(script)}]}}\n"


class Server:
    def __init__(self, d):
        self.port = free_port()
        self.err_lines = []
        self.proc = subprocess.Popen(
            [stepwise, "serve", "--store", "memory", "--port", str(self.port),
             "--functions", f"{d}/functions.yaml", "--log-dir", f"{d}/logs"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read_err, daemon=True).start()
        if not wait_healthy(self.port):
            raise SystemExit(f"server did not start: {self.err_lines}")

    def _read_err(self):
        for line in self.proc.stderr:
            self.err_lines.append(line.rstrip("\n"))

    def call(self, op, body):
        return call(self.port, op, body)

    def wait_log(self, text, timeout_s=10):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(text in line for line in self.err_lines):
                return True
            time.sleep(0.05)
        return False

    def result(self, arn):
        return wait_done(self.port, arn)


with tempfile.TemporaryDirectory() as d:
    functions = f"{d}/functions.yaml"
    write_functions(functions, version("v1", sleep_s=2))
    server = Server(d)
    try:
        machine = server.call("CreateStateMachine", {
            "name": "greeter", "roleArn": "arn:aws:iam::123456789012:role/x",
            "definition": json.dumps({"StartAt": "Greet", "States": {"Greet": {
                "Type": "Task", "End": True,
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet"}}})})
        arn = machine["stateMachineArn"]
        first = server.call("StartExecution", {"stateMachineArn": arn})["executionArn"]
        time.sleep(0.5)  # the first call is running v1 (it sleeps 2 s)
        write_functions(functions, version("v2"))
        server.proc.send_signal(signal.SIGHUP)
        if not server.wait_log("SIGHUP: reloaded 1 functions"):
            problems.append(f"no reload message: {server.err_lines}")
        second = server.call("StartExecution", {"stateMachineArn": arn})["executionArn"]
        a, b = server.result(first), server.result(second)
        if a.get("output") != '"v1"':
            problems.append(f"the in-flight call was dropped or changed: {a}")
        if b.get("output") != '"v2"':
            problems.append(f"the reloaded function did not run: {b}")

        write_functions(functions, "functions:\n  greet: {command: [unclosed\n")
        server.proc.send_signal(signal.SIGHUP)
        if not server.wait_log("reload refused, the functions in use stay"):
            problems.append(f"a broken file was not refused: {server.err_lines}")
        third = server.call("StartExecution", {"stateMachineArn": arn})["executionArn"]
        c = server.result(third)
        if c.get("output") != '"v2"':
            problems.append(f"after a refused reload the functions changed: {c}")
    finally:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            problems.append("the server did not stop on SIGTERM")

for p in problems:
    print("FAIL", p)
if not problems:
    print("ok: reload kept the in-flight call, swapped the function, refused a broken file")
sys.exit(1 if problems else 0)
