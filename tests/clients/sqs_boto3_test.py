#!/usr/bin/env python3
"""boto3 against the built-in SQS of `stepwise serve`, and workflows calling it.

Run through tests/clients/run.py (suites sqs-boto3 and sqs-boto3-debian). The newest boto3
(>= 1.32) speaks AWS JSON 1.0 (`AmazonSQS.*`) to SQS; Debian's boto3 1.26 speaks the query
protocol (form POSTs, XML answers): the same file covers both, and botocore checks every
MD5OfBody / MD5OfMessageAttributes it receives. The AWS CLI (`aws sqs`; Debian's v2.9 sends
the query protocol) runs when installed. A second server on an SQLite store shows that an
acknowledged send survives kill -9.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
import warnings

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stepwise_server import StepwiseServer  # noqa: E402

ENDPOINT = os.environ.get("STEPWISE_ENDPOINT", "http://127.0.0.1:8083")
ROLE = "arn:aws:iam::123456789012:role/stepwise-clients"
SETTLE_TIMEOUT_S = 30
warnings.simplefilter("ignore", ResourceWarning)
VERSION = tuple(int(p) for p in botocore.__version__.split(".")[:2])
PROTOCOL = "json" if VERSION >= (1, 32) else "query"


def client(service, endpoint=ENDPOINT):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDSTEPWISECLIENTS",
                        aws_secret_access_key="stepwise-clients-secret",
                        config=Config(inject_host_prefix=False, read_timeout=70,
                                      retries={"mode": "standard", "max_attempts": 1}))


SQS = client("sqs")
SFN = client("stepfunctions")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code_of(err):
    return err.response["Error"]["Code"]


def wait_execution(arn):
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = SFN.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING")


def machine(definition):
    return SFN.create_state_machine(name=unique("sqs-flow"), definition=json.dumps(definition),
                                    roleArn=ROLE)["stateMachineArn"]


class Queues(unittest.TestCase):
    def test_create_get_list_delete(self):
        name = unique("q")
        url = SQS.create_queue(QueueName=name)["QueueUrl"]
        self.assertTrue(url.endswith(f"/123456789012/{name}"), url)
        self.assertTrue(url.startswith(ENDPOINT), url)
        self.assertEqual(SQS.get_queue_url(QueueName=name)["QueueUrl"], url)
        self.assertIn(url, SQS.list_queues(QueueNamePrefix=name)["QueueUrls"])
        SQS.delete_queue(QueueUrl=url)
        with self.assertRaises(SQS.exceptions.QueueDoesNotExist):
            SQS.get_queue_url(QueueName=name)

    def test_attributes(self):
        url = SQS.create_queue(QueueName=unique("q"),
                               Attributes={"VisibilityTimeout": "7", "DelaySeconds": "0"})["QueueUrl"]
        SQS.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "600"})
        attrs = SQS.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "7")
        self.assertEqual(attrs["MessageRetentionPeriod"], "600")
        self.assertTrue(attrs["QueueArn"].startswith("arn:aws:sqs:us-east-1:123456789012:"))
        with self.assertRaises(ClientError) as e:
            SQS.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99999"})
        self.assertEqual(code_of(e.exception), "InvalidAttributeValue")

    def test_bad_name_and_missing_queue(self):
        with self.assertRaises(ClientError) as e:
            SQS.create_queue(QueueName="no spaces allowed")
        self.assertEqual(code_of(e.exception), "InvalidParameterValue")
        with self.assertRaises(SQS.exceptions.QueueDoesNotExist) as e:
            SQS.send_message(QueueUrl=f"{ENDPOINT}/123456789012/{unique('none')}",
                             MessageBody="x")
        self.assertEqual(code_of(e.exception), "AWS.SimpleQueueService.NonExistentQueue")

    def test_tags(self):
        url = SQS.create_queue(QueueName=unique("q"), tags={"team": "a"})["QueueUrl"]
        SQS.tag_queue(QueueUrl=url, Tags={"env": "test"})
        SQS.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(SQS.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})


class Messages(unittest.TestCase):
    def setUp(self):
        self.url = SQS.create_queue(QueueName=unique("m"))["QueueUrl"]

    def test_send_receive_delete_with_attributes(self):
        attrs = {"s": {"DataType": "String", "StringValue": "é\r\nx"},
                 "n": {"DataType": "Number", "StringValue": "12.5"},
                 "b": {"DataType": "Binary", "BinaryValue": b"\x00\xffbin"}}
        sent = SQS.send_message(QueueUrl=self.url, MessageBody="body with\r\nCRLF <&>",
                                MessageAttributes=attrs)
        got = SQS.receive_message(QueueUrl=self.url, MessageAttributeNames=["All"],
                                  AttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "body with\r\nCRLF <&>")
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(m["MessageAttributes"]["b"]["BinaryValue"], b"\x00\xffbin")
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        SQS.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        self.assertNotIn("Messages", SQS.receive_message(QueueUrl=self.url))

    def test_batches(self):
        out = SQS.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}])
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["a", "b"])
        got = SQS.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(sorted(m["Body"] for m in got), ["one", "two"])
        deleted = SQS.delete_message_batch(QueueUrl=self.url, Entries=[
            {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
        self.assertEqual(len(deleted["Successful"]), 2)
        with self.assertRaises(ClientError) as e:
            SQS.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "MessageBody": "x"} for i in range(11)])
        self.assertEqual(code_of(e.exception),
                         "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")

    def test_visibility_and_purge(self):
        SQS.send_message(QueueUrl=self.url, MessageBody="v")
        m = SQS.receive_message(QueueUrl=self.url, VisibilityTimeout=60)["Messages"][0]
        self.assertNotIn("Messages", SQS.receive_message(QueueUrl=self.url))
        SQS.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"],
                                      VisibilityTimeout=0)
        self.assertEqual(len(SQS.receive_message(QueueUrl=self.url)["Messages"]), 1)
        SQS.purge_queue(QueueUrl=self.url)
        with self.assertRaises(ClientError) as e:
            SQS.purge_queue(QueueUrl=self.url)
        self.assertEqual(code_of(e.exception), "AWS.SimpleQueueService.PurgeQueueInProgress")

    def test_oversize_message(self):
        with self.assertRaises(ClientError) as e:
            SQS.send_message(QueueUrl=self.url, MessageBody="x" * (256 * 1024 + 1))
        self.assertEqual(code_of(e.exception), "InvalidParameterValue")

    def test_long_poll_wakes_on_send(self):
        def later():
            time.sleep(0.5)
            client("sqs").send_message(QueueUrl=self.url, MessageBody="late")
        threading.Thread(target=later).start()
        start = time.time()
        got = SQS.receive_message(QueueUrl=self.url, WaitTimeSeconds=10)
        self.assertEqual(got["Messages"][0]["Body"], "late")
        self.assertLess(time.time() - start, 5)

    def test_long_poll_ends_empty(self):
        start = time.time()
        got = SQS.receive_message(QueueUrl=self.url, WaitTimeSeconds=1)
        self.assertNotIn("Messages", got)
        self.assertGreaterEqual(time.time() - start, 0.9)

    def test_fifo(self):
        url = SQS.create_queue(QueueName=unique("f") + ".fifo",
                               Attributes={"FifoQueue": "true",
                                           "ContentBasedDeduplication": "true"})["QueueUrl"]
        a = SQS.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
        dup = SQS.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
        self.assertEqual(a["MessageId"], dup["MessageId"])
        SQS.send_message(QueueUrl=url, MessageBody="a2", MessageGroupId="a")
        first = SQS.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
        self.assertEqual(first["Body"], "a1")
        self.assertEqual(first["Attributes"]["SequenceNumber"], a["SequenceNumber"])
        self.assertNotIn("Messages", SQS.receive_message(QueueUrl=url))
        SQS.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        self.assertEqual(SQS.receive_message(QueueUrl=url)["Messages"][0]["Body"], "a2")

    def test_dead_letter_queue(self):
        dlq = SQS.create_queue(QueueName=unique("dlq"))["QueueUrl"]
        arn = SQS.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
        policy = json.dumps({"deadLetterTargetArn": arn["Attributes"]["QueueArn"],
                             "maxReceiveCount": 1})
        src = SQS.create_queue(QueueName=unique("src"),
                               Attributes={"RedrivePolicy": policy})["QueueUrl"]
        SQS.send_message(QueueUrl=src, MessageBody="poison")
        SQS.receive_message(QueueUrl=src, VisibilityTimeout=0)
        self.assertNotIn("Messages", SQS.receive_message(QueueUrl=src))
        self.assertEqual(SQS.receive_message(QueueUrl=dlq)["Messages"][0]["Body"], "poison")
        self.assertEqual(SQS.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src])


def aws_clis():
    """Every AWS CLI found: Debian's /usr/bin/aws (v2.9, which speaks the query protocol to
    SQS) and the `aws` on PATH when it is another (a newer one speaks AWS JSON 1.0)."""
    found = []
    for cli in filter(None, [os.environ.get("STEPWISE_AWS_CLI"), "/usr/bin/aws", "aws"]):
        path = shutil.which(cli)
        if path and os.path.realpath(path) not in map(os.path.realpath, found):
            found.append(path)
    return found


class Cli(unittest.TestCase):
    """`aws sqs` end to end: the CLI checks every MD5 it is sent back, as botocore does."""

    def aws(self, *args, ok=True):
        r = subprocess.run([self.cli, "--endpoint-url", ENDPOINT, "--output", "json", "sqs",
                            *args], capture_output=True, text=True, timeout=60)
        if ok:
            self.assertEqual(r.returncode, 0, f"{self.cli} sqs {' '.join(args)}: {r.stderr}")
        return r

    def test_aws_sqs(self):
        clis = aws_clis()
        if not clis:
            self.skipTest("no AWS CLI")
        for cli in clis:
            with self.subTest(cli=cli):
                self.cli = cli
                self.exercise()

    def exercise(self):
        name = unique("cli")
        url = json.loads(self.aws("create-queue", "--queue-name", name).stdout)["QueueUrl"]
        self.assertTrue(url.endswith("/123456789012/" + name), url)
        got = json.loads(self.aws("get-queue-url", "--queue-name", name).stdout)
        self.assertEqual(got["QueueUrl"], url)
        self.assertIn(url, self.aws("list-queues", "--queue-name-prefix", name).stdout)
        sent = json.loads(self.aws(
            "send-message", "--queue-url", url, "--message-body", "from the cli",
            "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}').stdout)
        self.assertIn("MessageId", sent)
        self.assertIn("MD5OfMessageAttributes", sent)
        batch = json.loads(self.aws(
            "send-message-batch", "--queue-url", url, "--entries",
            json.dumps([{"Id": "a", "MessageBody": "second"},
                        {"Id": "b", "MessageBody": "third", "DelaySeconds": 0}])).stdout)
        self.assertEqual(sorted(e["Id"] for e in batch["Successful"]), ["a", "b"])
        bodies = {}
        deadline = time.time() + SETTLE_TIMEOUT_S
        while len(bodies) < 3 and time.time() < deadline:
            got = json.loads(self.aws("receive-message", "--queue-url", url,
                                      "--max-number-of-messages", "10", "--wait-time-seconds",
                                      "1", "--message-attribute-names", "All",
                                      "--attribute-names", "All").stdout or "{}")
            for m in got.get("Messages", []):
                bodies[m["Body"]] = m
                self.aws("delete-message", "--queue-url", url, "--receipt-handle",
                         m["ReceiptHandle"])
        self.assertEqual(sorted(bodies), ["from the cli", "second", "third"])
        first = bodies["from the cli"]
        self.assertEqual(first["MessageAttributes"]["k"]["StringValue"], "v")
        self.assertEqual(first["Attributes"]["ApproximateReceiveCount"], "1")
        attrs = json.loads(self.aws("get-queue-attributes", "--queue-url", url,
                                    "--attribute-names", "All").stdout)["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        fifo = json.loads(self.aws("create-queue", "--queue-name", unique("cli") + ".fifo",
                                   "--attributes", "FifoQueue=true,ContentBasedDeduplication=true"
                                   ).stdout)["QueueUrl"]
        first_send = json.loads(self.aws("send-message", "--queue-url", fifo, "--message-body",
                                         "once", "--message-group-id", "g").stdout)
        again = json.loads(self.aws("send-message", "--queue-url", fifo, "--message-body",
                                    "once", "--message-group-id", "g").stdout)
        self.assertEqual(again["MessageId"], first_send["MessageId"])  # deduplicated by content
        self.assertIn("SequenceNumber", first_send)
        missing = self.aws("get-queue-url", "--queue-name", unique("absent"), ok=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertRegex(missing.stderr, r"NonExistentQueue|QueueDoesNotExist")
        self.aws("purge-queue", "--queue-url", fifo)
        self.aws("delete-queue", "--queue-url", url)
        gone = self.aws("get-queue-url", "--queue-name", name, ok=False)
        self.assertNotEqual(gone.returncode, 0)


class Workflows(unittest.TestCase):
    def setUp(self):
        self.url = SQS.create_queue(QueueName=unique("wf"))["QueueUrl"]

    def test_optimized_send_message(self):
        arn = machine({"StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl.$": "$.q", "MessageBody": {"hello.$": "$.who"}},
            "End": True}}})
        run = SFN.start_execution(stateMachineArn=arn,
                                  input=json.dumps({"q": self.url, "who": "world"}))
        d = wait_execution(run["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["SdkHttpMetadata"]["HttpStatusCode"], 200)
        body = SQS.receive_message(QueueUrl=self.url)["Messages"][0]["Body"]
        self.assertEqual(json.loads(body), {"hello": "world"})

    def test_optimized_error(self):
        arn = machine({"StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": f"{ENDPOINT}/123456789012/missing", "MessageBody": "x"},
            "End": True}}})
        d = wait_execution(SFN.start_execution(stateMachineArn=arn)["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "SQS.QueueDoesNotExistException")
        self.assertIn("(Service: AmazonSQS; Status Code: 400;", d["cause"])

    def test_wait_for_task_token(self):
        arn = machine({"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl.$": "$.q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True}}})
        run = SFN.start_execution(stateMachineArn=arn, input=json.dumps({"q": self.url}))
        got = SQS.receive_message(QueueUrl=self.url, WaitTimeSeconds=10)["Messages"][0]
        token = json.loads(got["Body"])["token"]
        SFN.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
        d = wait_execution(run["executionArn"])
        self.assertEqual(json.loads(d["output"]), {"approved": True})

    def test_aws_sdk_calls(self):
        arn = machine({"StartAt": "Send", "States": {
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                     "Parameters": {"QueueUrl.$": "$.q", "MessageBody": "sdk"},
                     "ResultPath": "$.sent", "Next": "Receive"},
            "Receive": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:receiveMessage",
                        "Parameters": {"QueueUrl.$": "$.q", "WaitTimeSeconds": 1},
                        "ResultPath": "$.got", "Next": "Missing"},
            "Missing": {"Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                        "Parameters": {"QueueName": "no-such-queue"}, "End": True}}})
        d = wait_execution(SFN.start_execution(stateMachineArn=arn,
                                               input=json.dumps({"q": self.url}))["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "Sqs.QueueDoesNotExistException")
        events = SFN.get_execution_history(executionArn=d["executionArn"])["events"]
        outputs = [json.loads(e["taskSucceededEventDetails"]["output"])
                   for e in events if e["type"] == "TaskSucceeded"]
        self.assertEqual(outputs[1]["Messages"][0]["Body"], "sdk")


class Durability(unittest.TestCase):
    def test_acknowledged_send_survives_kill_9(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        data = tempfile.mkdtemp(prefix="stepwise-sqs-durable-")
        args = ("--store", "sqlite", "--data-dir", data)
        try:
            server = StepwiseServer(binary, log_dir=data, base_args=args)
            server.start()
            sqs = client("sqs", server.endpoint)
            url = sqs.create_queue(QueueName="durable")["QueueUrl"]
            for i in range(20):
                sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            again = StepwiseServer(binary, log_dir=data, base_args=args)
            again.start()
            try:
                sqs = client("sqs", again.endpoint)
                url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
                bodies = set()
                for _ in range(5):
                    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 VisibilityTimeout=300).get("Messages", []):
                        bodies.add(m["Body"])
                self.assertEqual(bodies, {f"m{i}" for i in range(20)})
            finally:
                self.assertEqual(again.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(f"sqs clients: botocore {botocore.__version__}, SQS over the {PROTOCOL} protocol",
          flush=True)
    unittest.main()
