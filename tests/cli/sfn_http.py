"""The Step Functions API over plain HTTP for the tests/cli scripts (no SDK, no signing: the
servers they start run without --auth-keys): a free port, one call, waiting for /health."""
import json
import socket
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, operation, body):
    """One AWS JSON 1.0 call; the answer's body (an HTTP error raises urllib's HTTPError)."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": f"AWSStepFunctions.{operation}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def wait_healthy(port, timeout_s=30):
    """True once GET /health answers, False after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_done(port, execution_arn, timeout_s=30):
    """DescribeExecution once the execution has left RUNNING (or still RUNNING at the end)."""
    deadline = time.monotonic() + timeout_s
    while True:
        d = call(port, "DescribeExecution", {"executionArn": execution_arn})
        if d["status"] != "RUNNING" or time.monotonic() > deadline:
            return d
        time.sleep(0.05)
