#!/usr/bin/env python3
"""Ctrl-C (SIGINT) or SIGTERM on `stepwise run` and `stepwise test` ends every process they
started: a command function with a grandchild in its process group, and a worker that ignores
SIGTERM (so it takes the SIGKILL after the grace period). Usage: signal_test.py STEPWISE."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

stepwise = os.path.abspath(sys.argv[1])
problems = []


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for_files(paths, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(os.path.exists(p) and open(p).read().strip() for p in paths):
            return True
        time.sleep(0.05)
    return False


def setup(d):
    # The function's shell and its background sleep share the function's process group.
    slow = ("cat >/dev/null; echo $$ > slow.pid; sleep 300 & echo $! > slow-child.pid; wait")
    # A worker deaf to SIGTERM: only SIGKILL ends it (and its sleep, which inherits the trap).
    stubborn = ("trap '' TERM; echo $$ > stubborn.pid; "
                "while read line; do sleep 300 & echo $! > stubborn-child.pid; wait; done")
    with open(f"{d}/functions.yaml", "w") as f:
        f.write("functions:\n"
                f"  slow: {{command: [/bin/sh, -c, {json.dumps(slow)}]}}\n"
                f"  stubborn: {{worker: [/bin/sh, -c, {json.dumps(stubborn)}]}}\n")
    lam = "arn:aws:lambda:us-east-1:123456789012:function:"
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True,
        "Branches": [
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": lam + "slow",
                                                     "End": True}}},
            {"StartAt": "Stubborn", "States": {"Stubborn": {"Type": "Task",
                                                             "Resource": lam + "stubborn",
                                                             "End": True}}}]}}}
    with open(f"{d}/long.asl.json", "w") as f:
        json.dump(definition, f)
    with open(f"{d}/long.test.yaml", "w") as f:
        f.write("definition: long.asl.json\nfunctions: functions.yaml\ntimeout_seconds: 600\n"
                "cases:\n  - name: runs for a long time\n")


def check(label, argv, sig, expected_code):
    with tempfile.TemporaryDirectory() as d:
        setup(d)
        proc = subprocess.Popen([stepwise] + argv, cwd=d, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        pid_files = [f"{d}/{n}.pid" for n in ("slow", "slow-child", "stubborn", "stubborn-child")]
        if not wait_for_files(pid_files, 30):
            proc.kill()
            out, err = proc.communicate()
            problems.append(f"{label}: the functions did not start: {err}")
            return
        pids = {os.path.basename(p): int(open(p).read()) for p in pid_files}
        sent = time.monotonic()
        proc.send_signal(sig)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            problems.append(f"{label}: stepwise did not exit after {sig.name}")
            return
        took = time.monotonic() - sent
        if proc.returncode != expected_code:
            problems.append(f"{label}: exit {proc.returncode}, expected {expected_code}: {err}")
        if "ending the processes it started" not in err:
            problems.append(f"{label}: no message on stderr: {err!r}")
        time.sleep(0.2)
        left = {name: pid for name, pid in pids.items() if alive(pid)}
        if left:
            problems.append(f"{label}: still running after {sig.name}: {left}")
            for pid in left.values():
                os.kill(pid, signal.SIGKILL)
        print(f"{label}: exit {proc.returncode} after {took:.1f}s, {len(pids)} processes ended")


check("run SIGINT", ["run", "long.asl.json", "--functions", "functions.yaml"],
      signal.SIGINT, 128 + signal.SIGINT)
check("test SIGTERM", ["test", "long.test.yaml"], signal.SIGTERM, 128 + signal.SIGTERM)
for p in problems:
    print("FAIL", p)
sys.exit(1 if problems else 0)
