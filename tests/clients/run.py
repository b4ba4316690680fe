#!/usr/bin/env python3
"""Runs one real-client suite (boto3, AWS CLI or JavaScript SDK) against `stepwise serve`.

Usage: run.py --stepwise build/stepwise --suite SUITE
(SUITE: boto3|boto3-debian|cli|js|sqs-boto3|sqs-boto3-debian|sns-boto3|sns-boto3-debian|
        s3-boto3|s3-boto3-debian|secretsmanager-boto3|secretsmanager-boto3-debian|events-boto3|
        events-boto3-debian|dynamodb-boto3|dynamodb-boto3-debian|maprun-boto3|
        maprun-boto3-debian; the last eight run secretsmanager_boto3_test.py /
        events_boto3_test.py / dynamodb_boto3_test.py / maprun_boto3_test.py with the newest
        boto3 and Debian's)

`boto3` runs boto3_test.py with the newest boto3 on the machine and requires every operation;
`boto3-debian` runs it with Debian's python3-boto3 (1.26), skipping operations its model lacks.
`js` runs js/test.mjs (Step Functions) and js/services.mjs (SQS, SNS, S3, DynamoDB, Secrets
Manager, EventBridge and a workflow calling two of them) with the AWS SDK for JavaScript v3.
`sqs-boto3` and `sqs-boto3-debian` run sqs_boto3_test.py (the built-in SQS over AWS JSON 1.0 and
over the query protocol respectively, and workflows calling it). `sns-boto3` and
`sns-boto3-debian` run sns_boto3_test.py (the built-in SNS, query protocol, its deliveries, the
AWS CLI's `aws sns` and workflows calling it).
`s3-boto3` and `s3-boto3-debian` run s3_boto3_test.py (the built-in S3 with boto3 and the AWS CLI,
and workflows calling it).
`dynamodb-boto3` and `dynamodb-boto3-debian` run dynamodb_boto3_test.py (the built-in DynamoDB
with boto3 and the AWS CLI's `aws dynamodb`, and workflows calling it).
`maprun-boto3` and `maprun-boto3-debian` run maprun_boto3_test.py (the Map Run API on
Distributed Maps: DescribeMapRun, ListMapRuns, UpdateMapRun, ListExecutions by mapRunArn, a
child's DescribeExecution and history).

Starts `stepwise serve --port <free> --store memory --fast-time` with the fixtures' functions and
mock config, waits for the port, runs the suite with STEPWISE_ENDPOINT set, then stops the server
with SIGTERM and requires exit code 0 (graceful shutdown). Exit codes: 0 passed, 1 failed,
77 skipped (ctest's SKIP_RETURN_CODE).

A suite whose client is not installed FAILS (CI installs them with scripts/install-deps.sh). A
developer without the clients skips suites with STEPWISE_SKIP_CLIENTS=boto3,boto3-debian,cli,js (or `all`).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SUITE_TIMEOUT_S = 540   # below the ctest TIMEOUT (600 s) so the server is still stopped cleanly
SKIPPED = 77
# The js suite: test.mjs (Step Functions) and services.mjs (the built-in services), and the SDK
# packages they import (tests/clients/js/package.json).
JS_FILES = ("test.mjs", "services.mjs")
JS_PACKAGES = ("client-sfn", "client-sqs", "client-sns", "client-s3", "client-dynamodb",
               "lib-dynamodb", "client-secrets-manager", "client-eventbridge", "lib-storage")

sys.path.insert(0, HERE)
from stepwise_server import StepwiseServer  # noqa: E402


def botocore_version(python):
    """botocore's version under that interpreter as a tuple, or None without boto3."""
    if not python or not shutil.which(python):
        return None
    probe = subprocess.run([python, "-c", "import boto3, botocore; print(botocore.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    return tuple(int(p) for p in probe.stdout.strip().split(".") if p.isdigit())


def newest_boto3_python():
    """Of STEPWISE_BOTO3_PYTHON, this interpreter, `python3` and Debian's /usr/bin/python3, the
    one with the newest botocore: the suite needs a service model with every operation."""
    candidates = [os.environ.get("STEPWISE_BOTO3_PYTHON"), sys.executable,
                  shutil.which("python3"), "/usr/bin/python3"]
    found = [(botocore_version(py), py) for py in candidates]
    found = [(version, py) for version, py in found if version]
    return max(found)[1] if found else None


def newest_has_every_op():
    """True when the newest boto3 has versions, aliases, TestState and redrive (botocore 1.31+,
    mid-2023). Where only Debian's 1.26 exists, the `boto3` suite still runs every operation its
    model has and says that the others were not reached, instead of failing on the client."""
    py = newest_boto3_python()
    version = botocore_version(py) if py else None
    if version and version >= (1, 31):
        return True
    print("clients/boto3: NOTE: the newest boto3 here (botocore %s) predates versions, aliases, "
          "TestState and redrive; those tests are skipped" % (".".join(map(str, version or ())),))
    return False


def aws_cli():
    """Debian's /usr/bin/aws (CLI v2) first, then `aws` on PATH; override with STEPWISE_AWS_CLI."""
    for cli in filter(None, [os.environ.get("STEPWISE_AWS_CLI"), "/usr/bin/aws", "aws"]):
        path = shutil.which(cli)
        if path:
            return path
    return None


def suite_command(suite):
    """(argv, None) to run the suite, or (None, reason) when its client is missing."""
    if suite == "boto3":
        py = newest_boto3_python()
        if not py:
            return None, "no python3 with boto3 (Debian package python3-boto3)"
        return [py, os.path.join(HERE, "boto3_test.py"), "-v"], None
    if suite == "sqs-boto3":
        py = newest_boto3_python()
        if not py:
            return None, "no python3 with boto3 (Debian package python3-boto3)"
        return [py, os.path.join(HERE, "sqs_boto3_test.py"), "-v"], None
    if suite == "sns-boto3":
        py = newest_boto3_python()
        if not py:
            return None, "no python3 with boto3 (Debian package python3-boto3)"
        return [py, os.path.join(HERE, "sns_boto3_test.py"), "-v"], None
    if suite == "sns-boto3-debian":
        if not botocore_version("/usr/bin/python3"):
            return None, "no boto3 for /usr/bin/python3 (Debian package python3-boto3)"
        return ["/usr/bin/python3", os.path.join(HERE, "sns_boto3_test.py"), "-v"], None
    if suite == "s3-boto3":
        py = newest_boto3_python()
        if not py:
            return None, "no python3 with boto3 (Debian package python3-boto3)"
        return [py, os.path.join(HERE, "s3_boto3_test.py"), "-v"], None
    if suite == "s3-boto3-debian":
        if not botocore_version("/usr/bin/python3"):
            return None, "no boto3 for /usr/bin/python3 (Debian package python3-boto3)"
        return ["/usr/bin/python3", os.path.join(HERE, "s3_boto3_test.py"), "-v"], None
    for service in ("secretsmanager", "events", "dynamodb", "maprun"):
        if suite == f"{service}-boto3":
            py = newest_boto3_python()
            if not py:
                return None, "no python3 with boto3 (Debian package python3-boto3)"
            return [py, os.path.join(HERE, f"{service}_boto3_test.py"), "-v"], None
        if suite == f"{service}-boto3-debian":
            if not botocore_version("/usr/bin/python3"):
                return None, "no boto3 for /usr/bin/python3 (Debian package python3-boto3)"
            return ["/usr/bin/python3", os.path.join(HERE, f"{service}_boto3_test.py"), "-v"], None
    if suite == "sqs-boto3-debian":
        if not botocore_version("/usr/bin/python3"):
            return None, "no boto3 for /usr/bin/python3 (Debian package python3-boto3)"
        return ["/usr/bin/python3", os.path.join(HERE, "sqs_boto3_test.py"), "-v"], None
    if suite == "boto3-debian":
        if not botocore_version("/usr/bin/python3"):
            return None, "no boto3 for /usr/bin/python3 (Debian package python3-boto3)"
        return ["/usr/bin/python3", os.path.join(HERE, "boto3_test.py"), "-v"], None
    if suite == "cli":
        cli = aws_cli()
        if not cli:
            return None, "no `aws` command (Debian package awscli)"
        return ["bash", os.path.join(HERE, "cli_test.sh"), cli], None
    if suite == "js":
        node = shutil.which("node")
        if not node:
            return None, "no `node` (Debian package nodejs)"
        for package in JS_PACKAGES:
            if not os.path.isdir(os.path.join(HERE, "js", "node_modules", "@aws-sdk", package)):
                return None, f"no @aws-sdk/{package}: run `npm ci` in tests/clients/js"
        return [node, "--test"] + [os.path.join(HERE, "js", f) for f in JS_FILES], None
    raise ValueError(suite)


def skipped(suite):
    wanted = {s.strip() for s in os.environ.get("STEPWISE_SKIP_CLIENTS", "").split(",")}
    return "all" in wanted or suite in wanted


def suite_env(suite, server, binary, work):
    """Dummy credentials and config files of our own, so a developer's ~/.aws never leaks in."""
    env = dict(os.environ)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_S3",
                "AWS_ENDPOINT_URL_DYNAMODB"):
        env.pop(key, None)
    env.update({
        "STEPWISE_ENDPOINT": server.endpoint,
        "STEPWISE_PORT": str(server.port),
        "STEPWISE_BIN": binary,
        "STEPWISE_FIXTURES": FIXTURES,
        "AWS_ACCESS_KEY_ID": "AKIDSTEPWISECLIENTS",
        "AWS_SECRET_ACCESS_KEY": "stepwise-clients-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.path.join(work, "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(work, "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        # The newest boto3 must reach every operation; Debian's 1.26 lacks the 2023+ ones.
        "STEPWISE_BOTO3_REQUIRE_ALL": "1" if suite == "boto3" and newest_has_every_op() else "0",
    })
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stepwise", required=True, help="the stepwise binary")
    parser.add_argument("--suite", required=True,
                        choices=["boto3", "boto3-debian", "cli", "js", "sqs-boto3",
                                 "sqs-boto3-debian", "sns-boto3", "sns-boto3-debian", "s3-boto3",
                                 "s3-boto3-debian",
                                 "secretsmanager-boto3", "secretsmanager-boto3-debian",
                                 "events-boto3", "events-boto3-debian",
                                 "dynamodb-boto3", "dynamodb-boto3-debian",
                                 "maprun-boto3", "maprun-boto3-debian"])
    args = parser.parse_args()
    if skipped(args.suite):
        print(f"clients/{args.suite}: skipped (STEPWISE_SKIP_CLIENTS)")
        return SKIPPED
    argv, missing = suite_command(args.suite)
    if argv is None:
        print(f"clients/{args.suite}: FAILED: {missing}. Install with scripts/install-deps.sh, "
              f"or skip with STEPWISE_SKIP_CLIENTS={args.suite}")
        return 1
    binary = os.path.abspath(args.stepwise)
    if not os.access(binary, os.X_OK):
        print(f"clients/{args.suite}: FAILED: no stepwise binary at {binary} (build it first)")
        return 1
    work = tempfile.mkdtemp(prefix=f"stepwise-clients-{args.suite}-")
    server = StepwiseServer(binary, [
        "--functions", os.path.join(FIXTURES, "functions.json"),
        "--mock-config", os.path.join(FIXTURES, "mock-config.json")], log_dir=work)
    try:
        server.start()
    except RuntimeError as e:
        print(f"clients/{args.suite}: FAILED: {e}")
        return 1
    print(f"clients/{args.suite}: server on {server.endpoint}; running {' '.join(argv)}",
          flush=True)
    try:
        rc = subprocess.run(argv, env=suite_env(args.suite, server, binary, work), cwd=work,
                            timeout=SUITE_TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        print(f"clients/{args.suite}: FAILED: suite ran over {SUITE_TIMEOUT_S} s")
        rc = 1
    stop_rc = server.stop()
    if stop_rc != 0:
        print(f"clients/{args.suite}: FAILED: the server exited with {stop_rc} on SIGTERM "
              f"(0 expected):\n{server.log_tail()}")
        return 1
    if rc != 0:
        print(f"clients/{args.suite}: FAILED (suite exit {rc}); server log tail:\n"
              f"{server.log_tail()}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"clients/{args.suite}: passed; server stopped cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
