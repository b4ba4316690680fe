#!/usr/bin/env python3
"""boto3 against the built-in Secrets Manager of `stepwise serve`, and workflows calling it.

Run through tests/clients/run.py (suites secretsmanager-boto3 and secretsmanager-boto3-debian:
the newest boto3 and Debian's 1.26, both AWS JSON 1.1). A second server on an SQLite store
shows that an acknowledged PutSecretValue survives kill -9; a third, with a connection that
names a secret, shows HTTP tasks authenticating with the secret's current value.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import unittest
import warnings

import boto3
import botocore
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_support import (  # noqa: E402,F401
    ENDPOINT, ROLE, SETTLE_TIMEOUT_S, client, code_of, unique)
from stepwise_server import StepwiseServer  # noqa: E402

warnings.simplefilter("ignore", ResourceWarning)


SM = client("secretsmanager")
SFN = client("stepfunctions")


def run_machine(sfn, arn, payload):
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=ex)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{ex} still RUNNING")


def run_workflow(definition, payload):
    arn = SFN.create_state_machine(name=unique("sm-flow"), definition=json.dumps(definition),
                                   roleArn=ROLE)["stateMachineArn"]
    return run_machine(SFN, arn, payload)


class Secrets(unittest.TestCase):
    def test_create_get_put_stages(self):
        name = unique("app/db")
        created = SM.create_secret(Name=name, SecretString="v1", Description="db password")
        self.assertRegex(created["ARN"],
                         rf"^arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-\w{{6}}$")
        got = SM.get_secret_value(SecretId=created["ARN"])
        self.assertEqual(got["SecretString"], "v1")
        self.assertEqual(got["VersionStages"], ["AWSCURRENT"])
        self.assertEqual(got["VersionId"], created["VersionId"])
        put = SM.put_secret_value(SecretId=name, SecretString="v2")
        self.assertEqual(put["VersionStages"], ["AWSCURRENT"])
        self.assertEqual(SM.get_secret_value(SecretId=name)["SecretString"], "v2")
        prev = SM.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
        self.assertEqual(prev["SecretString"], "v1")
        self.assertEqual(SM.get_secret_value(SecretId=name,
                                             VersionId=created["VersionId"])["SecretString"], "v1")
        described = SM.describe_secret(SecretId=name)
        self.assertEqual(described["Description"], "db password")
        self.assertEqual(sorted(sum(described["VersionIdsToStages"].values(), [])),
                         ["AWSCURRENT", "AWSPREVIOUS"])
        versions = SM.list_secret_version_ids(SecretId=name)["Versions"]
        self.assertEqual(len(versions), 2)
        SM.update_secret(SecretId=name, SecretString="v3", Description="new")
        self.assertEqual(SM.get_secret_value(SecretId=name)["SecretString"], "v3")
        self.assertEqual(SM.describe_secret(SecretId=name)["Description"], "new")

    def test_binary(self):
        name = unique("bin")
        SM.create_secret(Name=name, SecretBinary=b"\x00\x01\xffkey")
        self.assertEqual(SM.get_secret_value(SecretId=name)["SecretBinary"], b"\x00\x01\xffkey")

    def test_errors(self):
        with self.assertRaises(SM.exceptions.ResourceNotFoundException) as e:
            SM.get_secret_value(SecretId=unique("missing"))
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Secrets Manager can't find the specified secret.")
        name = unique("dup")
        SM.create_secret(Name=name, SecretString="x")
        with self.assertRaises(SM.exceptions.ResourceExistsException):
            SM.create_secret(Name=name, SecretString="y")
        with self.assertRaises(ClientError) as e:
            SM.create_secret(Name="has spaces", SecretString="x")
        self.assertEqual(code_of(e.exception), "ValidationException")
        with self.assertRaises(SM.exceptions.InvalidParameterException):
            SM.delete_secret(SecretId=name, RecoveryWindowInDays=3)

    def test_delete_restore_force(self):
        name = unique("del")
        SM.create_secret(Name=name, SecretString="x")
        out = SM.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        self.assertIn("DeletionDate", out)
        with self.assertRaises(SM.exceptions.InvalidRequestException) as e:
            SM.get_secret_value(SecretId=name)
        self.assertIn("marked for deletion", e.exception.response["Error"]["Message"])
        self.assertIn("DeletedDate", SM.describe_secret(SecretId=name))
        SM.restore_secret(SecretId=name)
        self.assertEqual(SM.get_secret_value(SecretId=name)["SecretString"], "x")
        SM.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        with self.assertRaises(SM.exceptions.ResourceNotFoundException):
            SM.describe_secret(SecretId=name)

    def test_list_paging_filters_tags(self):
        prefix = unique("list")
        for i in range(3):
            SM.create_secret(Name=f"{prefix}/{i}", SecretString="x",
                             Tags=[{"Key": "n", "Value": str(i)}])
        flt = [{"Key": "name", "Values": [prefix]}]
        page = SM.list_secrets(Filters=flt, MaxResults=2)
        self.assertEqual(len(page["SecretList"]), 2)
        rest = SM.list_secrets(Filters=flt, MaxResults=2, NextToken=page["NextToken"])
        names = [s["Name"] for s in page["SecretList"] + rest["SecretList"]]
        self.assertEqual(sorted(names), [f"{prefix}/{i}" for i in range(3)])
        paginated = [s["Name"] for p in SM.get_paginator("list_secrets").paginate(
            Filters=flt, PaginationConfig={"PageSize": 1}) for s in p["SecretList"]]
        self.assertEqual(sorted(paginated), sorted(names))
        SM.tag_resource(SecretId=f"{prefix}/0", Tags=[{"Key": "env", "Value": "dev"}])
        SM.untag_resource(SecretId=f"{prefix}/0", TagKeys=["n"])
        self.assertEqual(SM.describe_secret(SecretId=f"{prefix}/0")["Tags"],
                         [{"Key": "env", "Value": "dev"}])


class Workflows(unittest.TestCase):
    def test_aws_sdk_get_secret_value(self):
        name = unique("wf")
        SM.create_secret(Name=name, SecretString=json.dumps({"user": "u", "password": "p"}))
        d = run_workflow({"StartAt": "Get", "States": {"Get": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            "Parameters": {"SecretId.$": "$.name"},
            "ResultSelector": {"creds.$": "States.StringToJson($.SecretString)",
                               "created.$": "$.CreatedDate"},
            "End": True}}}, {"name": name})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["creds"], {"user": "u", "password": "p"})
        # The SDK's timestamps reach the workflow as ISO-8601 text.
        self.assertRegex(out["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")

    def test_aws_sdk_errors(self):
        d = run_workflow({"StartAt": "Create", "States": {"Create": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:createSecret",
            "Parameters": {"Name": "Invalid Name", "SecretString": "x"}, "End": True}}}, {})
        self.assertEqual(d["status"], "FAILED")
        history = SFN.get_execution_history(executionArn=d["executionArn"])["events"]
        failed = [e for e in history if e["type"] == "TaskFailed"][0]["taskFailedEventDetails"]
        self.assertEqual(failed["error"], "SecretsManager.SecretsManagerException")
        self.assertTrue(failed["cause"].startswith("Invalid name. Must be a valid name"),
                        failed["cause"])
        d = run_workflow({"StartAt": "Get", "States": {"Get": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            "Parameters": {"SecretId": unique("nope")}, "End": True}}}, {})
        history = SFN.get_execution_history(executionArn=d["executionArn"])["events"]
        failed = [e for e in history if e["type"] == "TaskFailed"][0]["taskFailedEventDetails"]
        self.assertEqual(failed["error"], "SecretsManager.ResourceNotFoundException")


class Durability(unittest.TestCase):
    def test_acknowledged_put_survives_kill_9(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        data = tempfile.mkdtemp(prefix="stepwise-sm-durable-")
        args = ("--store", "sqlite", "--data-dir", data)
        try:
            server = StepwiseServer(binary, log_dir=data, base_args=args)
            server.start()
            sm = client("secretsmanager", server.endpoint)
            arn = sm.create_secret(Name="durable", SecretString="v0")["ARN"]
            for i in range(1, 6):
                sm.put_secret_value(SecretId="durable", SecretString=f"v{i}")
            sm.delete_secret(SecretId="durable", RecoveryWindowInDays=7)
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            again = StepwiseServer(binary, log_dir=data, base_args=args)
            again.start()
            try:
                sm = client("secretsmanager", again.endpoint)
                sm.restore_secret(SecretId=arn)
                self.assertEqual(sm.get_secret_value(SecretId=arn)["SecretString"], "v5")
                self.assertEqual(sm.get_secret_value(SecretId="durable",
                                                     VersionStage="AWSPREVIOUS")["SecretString"],
                                 "v4")
            finally:
                self.assertEqual(again.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with {} and keeps its headers."""
    seen = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Recorder.seen.append(dict(self.headers))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Connections(unittest.TestCase):
    def test_http_task_connection_reads_its_secret(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        target = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=target.serve_forever, daemon=True).start()
        work = tempfile.mkdtemp(prefix="stepwise-sm-connection-")
        config = os.path.join(work, "functions.yaml")
        with open(config, "w") as f:
            f.write("connections:\n  Payments:\n    secret: payments/api\n"
                    "    headers: {X-Env: test}\n")
        server = StepwiseServer(binary, extra_args=("--functions", config), log_dir=work)
        server.start()
        try:
            sm = client("secretsmanager", server.endpoint)
            sfn = client("stepfunctions", server.endpoint)
            sm.create_secret(Name="payments/api", SecretString=json.dumps(
                {"api_key_name": "X-Api-Key", "api_key_value": "k1"}))
            definition = {"StartAt": "Call", "States": {"Call": {
                "Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {
                    "ApiEndpoint": f"http://127.0.0.1:{target.server_port}/pay",
                    "Method": "GET",
                    "Authentication": {"ConnectionArn":
                                       "arn:aws:events:us-east-1:123456789012:connection/"
                                       "Payments/0f1e2d3c"}},
                "ResultSelector": {"status.$": "$.StatusCode"}, "End": True}}}
            arn = sfn.create_state_machine(name="pay", definition=json.dumps(definition),
                                           roleArn=ROLE)["stateMachineArn"]

            def run():
                return run_machine(sfn, arn, {})

            self.assertEqual(run()["status"], "SUCCEEDED")
            self.assertEqual(Recorder.seen[-1].get("X-Api-Key"), "k1")
            self.assertEqual(Recorder.seen[-1].get("X-Env"), "test")
            sm.put_secret_value(SecretId="payments/api", SecretString=json.dumps(
                {"api_key_name": "X-Api-Key", "api_key_value": "k2"}))
            self.assertEqual(run()["status"], "SUCCEEDED")
            self.assertEqual(Recorder.seen[-1].get("X-Api-Key"), "k2")
            sm.delete_secret(SecretId="payments/api", ForceDeleteWithoutRecovery=True)
            d = run()
            self.assertEqual(d["status"], "FAILED")
            self.assertEqual(d["error"], "States.Runtime")
            self.assertIn("payments/api", d["cause"])
        finally:
            self.assertEqual(server.stop(), 0)
            target.shutdown()
            target.server_close()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(f"secretsmanager clients: botocore {botocore.__version__}", flush=True)
    unittest.main()
