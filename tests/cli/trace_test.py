#!/usr/bin/env python3
"""`stepwise run --trace` prints each state as the execution reaches it, not after the run: the
Wait state's entry must arrive well before its exit (a 2 s real-time wait), and the lines carry
inputs, outputs and times. Usage: trace_test.py STEPWISE"""
import json
import os
import subprocess
import sys
import tempfile
import time

stepwise = sys.argv[1]
definition = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "W"},
    "W": {"Type": "Wait", "Seconds": 2, "Next": "B"},
    "B": {"Type": "Pass", "End": True}}}
problems = []
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "slow.asl.json")
    with open(path, "w") as f:
        json.dump(definition, f)
    proc = subprocess.Popen([stepwise, "run", path, "--input", "{}", "--trace"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []  # (seconds since start, line)
    start = time.monotonic()
    for line in proc.stderr:
        seen.append((time.monotonic() - start, line.rstrip("\n")))
    out = proc.stdout.read()
    proc.wait(timeout=30)
    if proc.returncode != 0:
        problems.append(f"exit {proc.returncode}")
    if json.loads(out or "null") != {"n": 1}:
        problems.append(f"output {out!r}")
    enter_w = [t for t, l in seen if "enter W (Wait)" in l]
    exit_w = [t for t, l in seen if "exit  W  after 2." in l]
    if not enter_w or not exit_w:
        problems.append("missing Wait lines:\n" + "\n".join(l for _, l in seen))
    elif exit_w[0] - enter_w[0] < 1.5:
        problems.append(f"the Wait's entry came {exit_w[0] - enter_w[0]:.2f} s before its exit:"
                        " the trace is printed after the run, not live")
    if not any('exit  A  after 0.000s  output {"n":1}' in l for _, l in seen):
        problems.append("no output on A's exit line:\n" + "\n".join(l for _, l in seen))
for p in problems:
    print("FAIL", p)
if not problems:
    print("ok: --trace prints each state live with its input, output and time")
sys.exit(1 if problems else 0)
