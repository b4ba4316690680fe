#!/usr/bin/env python3
"""`stepwise test`: every example's test file passes, with a JUnit report that parses as XML and
counts what ran; failing cases show their first difference, exit non-zero, and count as failures
(or errors when they cannot run) in the report. Usage: test_runner_test.py STEPWISE SOURCE_DIR."""
import glob
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

stepwise, source = os.path.abspath(sys.argv[1]), sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
problems = []


def run(args, junit):
    r = subprocess.run([stepwise, "test", "--junit", junit] + args, capture_output=True,
                       text=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def counts(junit):
    root = ET.parse(junit).getroot()  # raises on invalid XML
    if root.tag != "testsuites":
        problems.append(f"{junit}: root is <{root.tag}>")
    total = {k: int(root.get(k)) for k in ("tests", "failures", "errors")}
    cases = root.findall("./testsuite/testcase")
    seen = {"tests": len(cases), "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None)}
    for suite in root.findall("testsuite"):
        if int(suite.get("tests")) != len(suite.findall("testcase")):
            problems.append(f"suite {suite.get('name')}: tests attribute != its testcases")
    if total != seen:
        problems.append(f"{junit}: attributes {total} but testcases {seen}")
    return seen


with tempfile.TemporaryDirectory() as d:
    # Every example: as many cases as the files list ("  - name:" opens a case), all passing.
    files = sorted(glob.glob(f"{source}/examples/*/*.test.yaml"))
    expected_cases = sum(len(re.findall(r"^  - name:", open(f).read(), re.M)) for f in files)
    if len(files) < 7:
        problems.append(f"only {len(files)} example test files")
    code, out, err = run([f"{source}/examples"], f"{d}/examples.xml")
    if code != 0:
        problems.append(f"examples: exit {code}\n{out}\n{err}")
    got = counts(f"{d}/examples.xml")
    if got != {"tests": expected_cases, "failures": 0, "errors": 0}:
        problems.append(f"examples: JUnit {got}, expected {expected_cases} passing cases")

    # Nested executions pass; the failing file fails four ways; the broken one is an error.
    code, out, err = run([f"{here}/testfiles", "-j", "3"], f"{d}/failing.xml")
    if code != 1:
        problems.append(f"failing suite: exit {code}, expected 1\n{out}\n{err}")
    got = counts(f"{d}/failing.xml")
    if got != {"tests": 7, "failures": 4, "errors": 1}:
        problems.append(f"failing suite: JUnit {got}, expected 7 tests, 4 failures, 1 error")
    for text in ["PASS  " + f"{here}/testfiles/nested.test.yaml: the child doubles the number",
                 "output differs at $.doubled: expected 3, got 2",
                 "path differs at state 2: expected Again, got (end)",
                 "assertion jsonata doubled > 5: got false, not true",
                 "status: expected FAILED, got SUCCEEDED",
                 "tests: 2 passed, 4 failed, 1 errors (7 cases"]:
        if text not in out:
            problems.append(f"report lacks {text!r}:\n{out}")

    # Built-in services in a case's world: checks after the run fail with their first
    # difference; a failing setup call makes the case an error.
    code, out, err = run([f"{here}/service-testfiles"], f"{d}/services.xml")
    if code != 1:
        problems.append(f"service checks: exit {code}, expected 1\n{out}\n{err}")
    got = counts(f"{d}/services.xml")
    if got != {"tests": 5, "failures": 2, "errors": 1}:
        problems.append(f"service checks: JUnit {got}, expected 5 tests, 2 failures, 1 error")
    for text in ["expect.calls[0] (sqs: ReceiveMessage) at $.Messages[0].Body: "
                 'expected "goodbye", got "hello"',
                 "expect.calls[0] (sqs: GetQueueUrl): expected error QueueDoesNotExist, "
                 "got an answer",
                 "setup[0] (sqs: DeleteQueue): QueueDoesNotExist",
                 "PASS  " + f"{here}/service-testfiles/checks.test.yaml: a missing queue fails",
                 "tests: 2 passed, 2 failed, 1 errors (5 cases"]:
        if text not in out:
            problems.append(f"service report lacks {text!r}:\n{out}")

for p in problems:
    print("FAIL", p)
if not problems:
    print("ok: examples pass with a valid JUnit report; failures show their first difference")
sys.exit(1 if problems else 0)
