#!/usr/bin/env python3
"""Checks the API server with a real AWS client (boto3): success, error shapes, SigV4.

Usage: start `stepwise-load --serve PORT [--auth-keys FILE]`, then
  boto3_check.py PORT [KEY_ID SECRET]
Exits non-zero on the first unexpected answer. Loopback only.
"""
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

port = int(sys.argv[1])
key, secret = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else ("any", "any")


def client(k, s):
    return boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}",
                        region_name="eu-west-1", aws_access_key_id=k, aws_secret_access_key=s,
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def expect_error(call, code):
    try:
        call()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {e}"
        assert e.response["ResponseMetadata"]["RequestId"], "no request id"
        print(f"ok: {code} ({e.response['ResponseMetadata']['HTTPStatusCode']})")
        return
    raise AssertionError(f"expected {code}, call succeeded")


sfn = client(key, secret)
r = sfn.list_state_machines()
assert r["stateMachines"] == [], r
print("ok: ListStateMachines", r["ResponseMetadata"]["RequestId"])
expect_error(lambda: sfn.describe_state_machine(stateMachineArn="arn:aws:states:eu-west-1:1:stateMachine:x"),
             "UnknownOperationException")
if len(sys.argv) > 3:
    expect_error(lambda: client("NOSUCHKEY", secret).list_state_machines(), "UnrecognizedClientException")
    expect_error(lambda: client(key, secret + "x").list_state_machines(), "InvalidSignatureException")
print("all ok")
