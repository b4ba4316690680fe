#!/usr/bin/env python3
"""Runs the web console's browser tests (console/tests/*.test.mjs) against `stepwise serve`.

Usage: run.py --stepwise build/stepwise --artifacts build/console-screenshots [--only WORD]

Starts `stepwise serve --store memory` (real time: the tests watch states change) on a free
loopback port, and a second one with `--auth-keys` (a keys file written here) and only the
built-in SQS for the login tests, runs console/tests/*.test.mjs with Node's test runner
(Playwright from console/node_modules, Debian's /usr/bin/chromium), then stops both servers
with SIGTERM and requires exit 0. Screenshots and the measured figures (results.json) go to
--artifacts. `--only WORD` runs only the test files whose names contain WORD (while developing).

Exit codes: 0 passed, 1 failed, 77 skipped (ctest's SKIP_RETURN_CODE). Like tests/clients, a
missing browser FAILS (CI installs it: scripts/install-deps.sh); it is skipped only when chromium
is absent and STEPWISE_SKIP_CLIENTS names `console` (or `all`).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONSOLE = os.path.join(ROOT, "console")
SUITE_TIMEOUT_S = 1700  # below the ctest TIMEOUT (1800 s): 100,000 executions take a while
SKIPPED = 77
# The key of the --auth-keys server (a test key: that server lives as long as the tests).
AUTH_KEY_ID = "AKIACONSOLETEST"
AUTH_SECRET = "console-test-secret"

sys.path.insert(0, os.path.join(ROOT, "tests", "clients"))
from stepwise_server import StepwiseServer  # noqa: E402


def chromium():
    for c in filter(None, [os.environ.get("STEPWISE_CHROMIUM"), "/usr/bin/chromium",
                           "chromium"]):
        path = shutil.which(c)
        if path:
            return path
    return None


def skip_wanted():
    wanted = {s.strip() for s in os.environ.get("STEPWISE_SKIP_CLIENTS", "").split(",")}
    return "all" in wanted or "console" in wanted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stepwise", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--only", default="", help="run only test files containing this")
    args = parser.parse_args()
    browser = chromium()
    if not browser:
        if skip_wanted():
            print("console: skipped: no chromium, and STEPWISE_SKIP_CLIENTS names console")
            return SKIPPED
        print("console: FAILED: no chromium (Debian package chromium). Install it with "
              "scripts/install-deps.sh, or skip with STEPWISE_SKIP_CLIENTS=console")
        return 1
    node = shutil.which("node")
    if not node:
        print("console: FAILED: no `node` (Debian package nodejs)")
        return 1
    if not os.path.isdir(os.path.join(CONSOLE, "node_modules", "playwright-core")):
        print("console: FAILED: no playwright-core: run `npm ci` in console/ "
              "(scripts/install-deps.sh does)")
        return 1
    binary = os.path.abspath(args.stepwise)
    artifacts = os.path.abspath(args.artifacts)
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="stepwise-console-")
    server = StepwiseServer(binary, log_dir=work, base_args=("--store", "memory"))
    # The login tests' server: requests must be signed with this key.
    keys_file = os.path.join(work, "keys.json")
    with open(keys_file, "w", encoding="utf-8") as f:
        json.dump({AUTH_KEY_ID: AUTH_SECRET}, f)
    auth_server = StepwiseServer(binary, log_dir=work,
                                 base_args=("--store", "memory", "--auth-keys", keys_file,
                                            "--services", "sqs"))
    started = []
    try:
        for s in (server, auth_server):
            s.start()
            started.append(s)
    except RuntimeError as e:
        print(f"console: FAILED: {e}")
        for s in started:
            s.stop()
        return 1
    # The time budgets (1 s for a 300-state graph, ...) are for a machine that is not
    # oversubscribed; on a shared CI host with a load above its cores they stretch by that
    # factor, and the figures (results.json) say so.
    load_factor = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    env = dict(os.environ, STEPWISE_ENDPOINT=server.endpoint, STEPWISE_CHROMIUM=browser,
               STEPWISE_CONSOLE_ARTIFACTS=artifacts,
               STEPWISE_CONSOLE_LOAD_FACTOR=f"{load_factor:.2f}",
               STEPWISE_AUTH_ENDPOINT=auth_server.endpoint, STEPWISE_AUTH_KEY_ID=AUTH_KEY_ID,
               STEPWISE_AUTH_SECRET=AUTH_SECRET)
    print(f"console: load average per core {load_factor:.2f}", flush=True)
    files = sorted(f for f in glob.glob(os.path.join(CONSOLE, "tests", "*.test.mjs"))
                   if args.only in os.path.basename(f))
    if not files:
        print(f"console: FAILED: no test file matches {args.only!r}")
        return 1
    argv = [node, "--test", "--test-concurrency=1", "--test-reporter=spec"] + files
    print(f"console: server on {server.endpoint}, chromium {browser}; artifacts in {artifacts}",
          flush=True)
    try:
        rc = subprocess.run(argv, env=env, cwd=work, timeout=SUITE_TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        print(f"console: FAILED: the tests ran over {SUITE_TIMEOUT_S} s")
        rc = 1
    for s in (server, auth_server):
        stop_rc = s.stop()
        if stop_rc != 0:
            print(f"console: FAILED: a server exited with {stop_rc} on SIGTERM:\n"
                  f"{s.log_tail()}")
            return 1
    if rc != 0:
        print(f"console: FAILED (test exit {rc}); server log tail:\n{server.log_tail()}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("console: passed; server stopped cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
