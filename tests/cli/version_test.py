#!/usr/bin/env python3
"""`stepwise --version` names the version of CMakeLists.txt, the commit the binary was built
from and the build type. Usage: version_test.py STEPWISE SOURCE_DIR. Exit 77 (skipped) outside a
git checkout, where there is no commit to compare with."""
import re
import subprocess
import sys

stepwise, source = sys.argv[1], sys.argv[2]
head = subprocess.run(["git", "-C", source, "rev-parse", "--short=12", "HEAD"],
                      capture_output=True, text=True)
if head.returncode != 0:
    print("not a git checkout: skipped")
    sys.exit(77)
commit = head.stdout.strip()
version = re.search(r"project\(stepwise VERSION ([0-9.]+)",
                    open(f"{source}/CMakeLists.txt").read()).group(1)

run = subprocess.run([stepwise, "--version"], capture_output=True, text=True, timeout=30)
text = run.stdout.strip()
problems = []
if run.returncode != 0:
    problems.append(f"exit {run.returncode}: {run.stderr}")
match = re.fullmatch(r"stepwise (\S+) \(commit ([0-9a-f]+)(-dirty)?, (\S+)\)", text)
if not match:
    problems.append(f"unexpected text: {text!r}")
else:
    if match.group(1) != version:
        problems.append(f"version {match.group(1)}, CMakeLists.txt says {version}")
    if match.group(2) != commit:
        problems.append(f"commit {match.group(2)}, HEAD is {commit} (rebuild after committing)")
    if match.group(4) == "":
        problems.append("no build type")
for p in problems:
    print("FAIL", p)
if not problems:
    print("ok", text)
sys.exit(1 if problems else 0)
