#!/usr/bin/env python3
"""boto3 and the AWS CLI against the built-in SNS of `stepwise serve`, and workflows calling it.

Run through tests/clients/run.py (suites sns-boto3 and sns-boto3-debian). Every boto3 speaks the
query protocol to SNS (form POSTs, XML answers), so the same file covers the newest and Debian's
1.26. Deliveries are checked end to end: to built-in SQS queues (envelope, raw, filter policies,
FIFO), to an HTTP endpoint served by this test (confirmation, notifications, retries), and to the
e-mail file of a second server with a data directory, which also shows that topics,
subscriptions and an acknowledged publish to a queue survive kill -9.
"""
import http.server
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
import urllib.request
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


def client(service, endpoint=ENDPOINT):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDSTEPWISECLIENTS",
                        aws_secret_access_key="stepwise-clients-secret",
                        config=Config(inject_host_prefix=False, read_timeout=70,
                                      retries={"mode": "standard", "max_attempts": 1}))


SNS = client("sns")
SQS = client("sqs")
SFN = client("stepfunctions")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code_of(err):
    return err.response["Error"]["Code"]


def queue(name=None, attributes=None):
    """A queue: (url, arn)."""
    url = SQS.create_queue(QueueName=name or unique("q"), Attributes=attributes or {})["QueueUrl"]
    attrs = SQS.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    arn = attrs["QueueArn"]
    return url, arn


def receive_all(url, want, timeout=10):
    got = []
    deadline = time.time() + timeout
    while len(got) < want and time.time() < deadline:
        for m in SQS.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                     MessageAttributeNames=["All"]).get("Messages", []):
            got.append(m)
            SQS.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def wait_execution(arn):
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = SFN.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING")


def machine(definition):
    return SFN.create_state_machine(name=unique("sns-flow"), definition=json.dumps(definition),
                                    roleArn=ROLE)["stateMachineArn"]


class Topics(unittest.TestCase):
    def test_create_list_attributes_delete(self):
        name = unique("t")
        arn = SNS.create_topic(Name=name)["TopicArn"]
        self.assertEqual(arn, f"arn:aws:sns:us-east-1:123456789012:{name}")
        self.assertEqual(SNS.create_topic(Name=name)["TopicArn"], arn)
        SNS.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="D")
        attrs = SNS.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["DisplayName"], "D")
        self.assertEqual(attrs["Owner"], "123456789012")
        arns = [t["TopicArn"] for page in SNS.get_paginator("list_topics").paginate()
                for t in page["Topics"]]
        self.assertIn(arn, arns)
        SNS.delete_topic(TopicArn=arn)
        with self.assertRaises(ClientError) as e:
            SNS.get_topic_attributes(TopicArn=arn)
        self.assertEqual(code_of(e.exception), "NotFound")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_paging(self):
        prefix = unique("page")
        made = {SNS.create_topic(Name=f"{prefix}-{i}")["TopicArn"] for i in range(105)}
        first = SNS.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        self.assertIn("NextToken", first)
        arns = [t["TopicArn"] for page in SNS.get_paginator("list_topics").paginate()
                for t in page["Topics"]]
        self.assertTrue(made <= set(arns))
        for arn in made:
            SNS.delete_topic(TopicArn=arn)

    def test_bad_names_and_fifo(self):
        with self.assertRaises(ClientError) as e:
            SNS.create_topic(Name="bad name")
        self.assertEqual(code_of(e.exception), "InvalidParameter")
        self.assertEqual(e.exception.response["Error"]["Message"], "Invalid parameter: Topic Name")
        arn = SNS.create_topic(Name=unique("f") + ".fifo",
                               Attributes={"FifoTopic": "true",
                                           "ContentBasedDeduplication": "true"})["TopicArn"]
        attrs = SNS.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["FifoTopic"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "true")

    def test_tags(self):
        arn = SNS.create_topic(Name=unique("t"), Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
        SNS.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        tags = {t["Key"]: t["Value"] for t in SNS.list_tags_for_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"team": "a", "env": "dev"})
        SNS.untag_resource(ResourceArn=arn, TagKeys=["team"])
        tags = SNS.list_tags_for_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(tags, [{"Key": "env", "Value": "dev"}])


class Subscriptions(unittest.TestCase):
    def test_subscribe_list_attributes_unsubscribe(self):
        topic = SNS.create_topic(Name=unique("t"))["TopicArn"]
        _, qarn = queue()
        sub = SNS.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn,
                            Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        self.assertTrue(sub.startswith(topic + ":"))
        listed = SNS.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual([(s["SubscriptionArn"], s["Protocol"], s["Endpoint"]) for s in listed],
                         [(sub, "sqs", qarn)])
        SNS.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                        AttributeValue='{"k":["v"]}')
        attrs = SNS.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), {"k": ["v"]})
        with self.assertRaises(ClientError) as e:
            SNS.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                            AttributeValue='{"k":[{"bogus":1}]}')
        self.assertEqual(code_of(e.exception), "InvalidParameter")
        self.assertIn("FilterPolicy", e.exception.response["Error"]["Message"])
        SNS.unsubscribe(SubscriptionArn=sub)
        with self.assertRaises(ClientError) as e:
            SNS.get_subscription_attributes(SubscriptionArn=sub)
        self.assertEqual(code_of(e.exception), "NotFound")

    def test_bad_protocol(self):
        topic = SNS.create_topic(Name=unique("t"))["TopicArn"]
        with self.assertRaises(ClientError) as e:
            SNS.subscribe(TopicArn=topic, Protocol="pigeon", Endpoint="x")
        self.assertEqual(code_of(e.exception), "InvalidParameter")


class Publishing(unittest.TestCase):
    def setUp(self):
        self.topic = SNS.create_topic(Name=unique("t"))["TopicArn"]

    def test_envelope_to_sqs(self):
        url, qarn = queue()
        sub = SNS.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
        mid = SNS.publish(TopicArn=self.topic, Message="hello", Subject="greeting",
                          MessageAttributes={"color": {"DataType": "String",
                                                       "StringValue": "red"},
                                             "blob": {"DataType": "Binary",
                                                      "BinaryValue": b"\x00\x01"}})["MessageId"]
        [m] = receive_all(url, 1)
        env = json.loads(m["Body"])
        self.assertEqual(env["Type"], "Notification")
        self.assertEqual(env["MessageId"], mid)
        self.assertEqual(env["Subject"], "greeting")
        self.assertEqual(env["Message"], "hello")
        self.assertEqual(env["MessageAttributes"]["color"], {"Type": "String", "Value": "red"})
        self.assertEqual(env["MessageAttributes"]["blob"], {"Type": "Binary", "Value": "AAE="})
        self.assertTrue(env["UnsubscribeURL"].endswith(f"SubscriptionArn={sub}"))
        for key in ("Timestamp", "SignatureVersion", "Signature", "SigningCertURL"):
            self.assertIn(key, env)

    def test_raw_delivery_and_filters(self):
        raw_url, raw_arn = queue()
        red_url, red_arn = queue()
        SNS.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=raw_arn,
                      Attributes={"RawMessageDelivery": "true"})
        SNS.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=red_arn,
                      Attributes={"FilterPolicy": '{"color":["red"],"n":[{"numeric":[">",3]}]}'})
        for color, n in (("red", 5), ("red", 1), ("blue", 9)):
            SNS.publish(TopicArn=self.topic, Message=f"{color}-{n}",
                        MessageAttributes={"color": {"DataType": "String", "StringValue": color},
                                           "n": {"DataType": "Number", "StringValue": str(n)}})
        raw = receive_all(raw_url, 3)
        self.assertEqual(sorted(m["Body"] for m in raw), ["blue-9", "red-1", "red-5"])
        self.assertEqual(raw[0]["MessageAttributes"]["n"]["DataType"], "Number")
        red = receive_all(red_url, 1)
        self.assertEqual([json.loads(m["Body"])["Message"] for m in red], ["red-5"])
        time.sleep(0.3)
        self.assertEqual(receive_all(red_url, 1, timeout=1), [])

    def test_body_filter(self):
        url, arn = queue()
        SNS.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"FilterPolicyScope": "MessageBody", "RawMessageDelivery": "true",
                                  "FilterPolicy": '{"order":{"status":["paid"]}}'})
        SNS.publish(TopicArn=self.topic, Message='{"order":{"status":"open"}}')
        SNS.publish(TopicArn=self.topic, Message='{"order":{"status":"paid"}}')
        self.assertEqual([m["Body"] for m in receive_all(url, 1)], ['{"order":{"status":"paid"}}'])

    def test_batch_and_limits(self):
        url, arn = queue()
        SNS.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
        out = SNS.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
            {"Id": f"e{i}", "Message": f"m{i}"} for i in range(10)])
        self.assertEqual(len(out["Successful"]), 10)
        self.assertEqual(len(receive_all(url, 10)), 10)
        with self.assertRaises(ClientError) as e:
            SNS.publish_batch(TopicArn=self.topic, PublishBatchRequestEntries=[
                {"Id": f"e{i}", "Message": "m"} for i in range(11)])
        self.assertEqual(code_of(e.exception), "TooManyEntriesInBatchRequest")
        with self.assertRaises(ClientError) as e:
            SNS.publish(TopicArn=self.topic, Message="x" * (256 * 1024 + 1))
        self.assertEqual(code_of(e.exception), "InvalidParameter")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Invalid parameter: Message too long")
        with self.assertRaises(ClientError) as e:
            SNS.publish(TopicArn=self.topic + "-gone", Message="x")
        self.assertEqual(code_of(e.exception), "NotFound")

    def test_fifo(self):
        topic = SNS.create_topic(Name=unique("f") + ".fifo",
                                 Attributes={"FifoTopic": "true"})["TopicArn"]
        url, arn = queue(unique("fq") + ".fifo", {"FifoQueue": "true"})
        SNS.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
        with self.assertRaises(ClientError) as e:
            SNS.publish(TopicArn=topic, Message="m")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Invalid parameter: The MessageGroupId parameter is required for FIFO "
                         "topics")
        a = SNS.publish(TopicArn=topic, Message="one", MessageGroupId="g",
                        MessageDeduplicationId="d1")
        b = SNS.publish(TopicArn=topic, Message="one", MessageGroupId="g",
                        MessageDeduplicationId="d1")
        SNS.publish(TopicArn=topic, Message="two", MessageGroupId="g", MessageDeduplicationId="d2")
        self.assertEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(len(a["SequenceNumber"]), 20)
        got = receive_all(url, 2)
        self.assertEqual([m["Body"] for m in got], ["one", "two"])


class Hook(http.server.BaseHTTPRequestHandler):
    """An HTTP subscriber: records every POST; fails the first `fail` notifications."""
    posts = []
    fail = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        kind = self.headers.get("x-amz-sns-message-type")
        Hook.posts.append((kind, dict(self.headers), body))
        status = 200
        if kind == "Notification" and Hook.fail > 0:
            Hook.fail -= 1
            status = 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Http(unittest.TestCase):
    def test_confirmation_notifications_and_retries(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
            topic = SNS.create_topic(Name=unique("t"))["TopicArn"]
            out = SNS.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook, Attributes={
                "DeliveryPolicy": '{"healthyRetryPolicy":{"numRetries":3,"minDelayTarget":1,'
                                  '"maxDelayTarget":1}}'})
            self.assertEqual(out["SubscriptionArn"], "pending confirmation")
            confirm = self.wait_for("SubscriptionConfirmation")
            env = json.loads(confirm[2])
            self.assertEqual(env["TopicArn"], topic)
            # Visiting SubscribeURL confirms, as with AWS.
            subscribe_url = env["SubscribeURL"].replace("http://localhost:", "http://127.0.0.1:")
            with urllib.request.urlopen(subscribe_url) as r:
                self.assertIn(b"ConfirmSubscriptionResult", r.read())
            subs = SNS.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertNotEqual(subs[0]["SubscriptionArn"], "PendingConfirmation")
            Hook.fail = 2
            mid = SNS.publish(TopicArn=topic, Message="to the hook")["MessageId"]
            note = self.wait_for("Notification", count=3, timeout=15)
            self.assertEqual(json.loads(note[2])["MessageId"], mid)
            self.assertEqual(note[1]["x-amz-sns-message-id"], mid)
            self.assertEqual(note[1]["x-amz-sns-subscription-arn"], subs[0]["SubscriptionArn"])
        finally:
            server.shutdown()

    def wait_for(self, kind, count=1, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            seen = [p for p in Hook.posts if p[0] == kind]
            if len(seen) >= count:
                return seen[-1]
            time.sleep(0.05)
        self.fail(f"{count} {kind} POSTs did not arrive: {[p[0] for p in Hook.posts]}")


class Workflows(unittest.TestCase):
    def setUp(self):
        self.topic = SNS.create_topic(Name=unique("wf"))["TopicArn"]
        self.url, arn = queue()
        SNS.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=arn)

    def test_publish_delivers_to_a_queue(self):
        arn = machine({"StartAt": "Notify", "States": {"Notify": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn.$": "$.t", "Message": {"order.$": "$.order"},
                           "MessageAttributes": {"kind": {"DataType": "String",
                                                          "StringValue": "order"}}},
            "End": True}}})
        d = wait_execution(SFN.start_execution(
            stateMachineArn=arn, input=json.dumps({"t": self.topic, "order": 7}))["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"], "text/xml")
        self.assertEqual(out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"], "294")
        [m] = receive_all(self.url, 1)
        env = json.loads(m["Body"])
        self.assertEqual(env["MessageId"], out["MessageId"])
        self.assertEqual(json.loads(env["Message"]), {"order": 7})
        self.assertEqual(env["MessageAttributes"]["kind"]["Value"], "order")

    def test_optimized_error(self):
        arn = machine({"StartAt": "Notify", "States": {"Notify": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": self.topic + "-gone", "Message": "x"}, "End": True}}})
        d = wait_execution(SFN.start_execution(stateMachineArn=arn)["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "SNS.NotFoundException")
        self.assertTrue(d["cause"].startswith(
            "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound;"),
            d["cause"])

    def test_wait_for_task_token(self):
        arn = machine({"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
            "Parameters": {"TopicArn.$": "$.t", "Message": {"token.$": "$$.Task.Token"}},
            "End": True}}})
        run = SFN.start_execution(stateMachineArn=arn, input=json.dumps({"t": self.topic}))
        [m] = receive_all(self.url, 1)
        token = json.loads(json.loads(m["Body"])["Message"])["token"]
        SFN.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
        d = wait_execution(run["executionArn"])
        self.assertEqual(json.loads(d["output"]), {"approved": True})

    def test_aws_sdk_calls(self):
        arn = machine({"StartAt": "Attrs", "States": {
            "Attrs": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:getTopicAttributes",
                      "Parameters": {"TopicArn.$": "$.t"}, "ResultPath": "$.attrs",
                      "Next": "Publish"},
            "Publish": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:publish",
                        "Parameters": {"TopicArn.$": "$.t", "Message": "sdk"},
                        "ResultPath": "$.sent", "Next": "Missing"},
            "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:publish",
                        "Parameters": {"TopicArn.$": "States.Format('{}-gone', $.t)",
                                       "Message": "x"}, "End": True}}})
        d = wait_execution(SFN.start_execution(stateMachineArn=arn,
                                               input=json.dumps({"t": self.topic}))["executionArn"])
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "Sns.NotFoundException")
        events = SFN.get_execution_history(executionArn=d["executionArn"])["events"]
        outputs = [json.loads(e["taskSucceededEventDetails"]["output"])
                   for e in events if e["type"] == "TaskSucceeded"]
        self.assertEqual(outputs[0]["Attributes"]["TopicArn"], self.topic)
        self.assertIn("MessageId", outputs[1])
        [m] = receive_all(self.url, 1)
        self.assertEqual(json.loads(m["Body"])["Message"], "sdk")


class Cli(unittest.TestCase):
    def aws(self, *args):
        exe = shutil.which("aws")
        if not exe:
            self.skipTest("no AWS CLI")
        out = subprocess.run([exe, "--endpoint-url", ENDPOINT, "--output", "json", "sns", *args],
                             capture_output=True, text=True, timeout=60)
        return out.returncode, out.stdout, out.stderr

    def test_aws_sns(self):
        name = unique("cli")
        rc, out, err = self.aws("create-topic", "--name", name)
        self.assertEqual(rc, 0, err)
        arn = json.loads(out)["TopicArn"]
        url, qarn = queue()
        rc, out, err = self.aws("subscribe", "--topic-arn", arn, "--protocol", "sqs",
                                "--notification-endpoint", qarn, "--attributes",
                                "RawMessageDelivery=true")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.aws("publish", "--topic-arn", arn, "--message", "from the cli",
                                "--message-attributes",
                                '{"k":{"DataType":"String","StringValue":"v"}}')
        self.assertEqual(rc, 0, err)
        self.assertIn("MessageId", json.loads(out))
        [m] = receive_all(url, 1)
        self.assertEqual(m["Body"], "from the cli")
        rc, out, err = self.aws("list-subscriptions-by-topic", "--topic-arn", arn)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(json.loads(out)["Subscriptions"]), 1)
        rc, out, err = self.aws("get-topic-attributes", "--topic-arn", arn + "-gone")
        self.assertNotEqual(rc, 0)
        self.assertIn("(NotFound)", err)
        rc, out, err = self.aws("delete-topic", "--topic-arn", arn)
        self.assertEqual(rc, 0, err)


class DataDirectory(unittest.TestCase):
    """A second server on an SQLite store with a data directory and a local function: e-mail
    lines, a lambda subscriber, and kill -9."""

    def test_email_lambda_and_kill_9(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        data = tempfile.mkdtemp(prefix="stepwise-sns-durable-")
        email = os.path.join(data, "sns-email.jsonl")
        events = os.path.join(data, "lambda-events.jsonl")
        functions = os.path.join(data, "functions.json")
        with open(functions, "w") as f:
            json.dump({"functions": {"recorder": {"command": [
                sys.executable, "-c",
                "import sys; e = sys.stdin.read(); "
                f"open({events!r}, 'a').write(e.replace(chr(10), ' ') + chr(10)); print('{{}}')"
            ]}}}, f)
        args = ("--store", "sqlite", "--data-dir", data, "--functions", functions)
        try:
            server = StepwiseServer(binary, log_dir=data, base_args=args)
            server.start()
            sns = client("sns", server.endpoint)
            sqs = client("sqs", server.endpoint)
            topic = sns.create_topic(Name="approvals")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="lambda",
                          Endpoint="arn:aws:lambda:us-east-1:123456789012:function:recorder")
            sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="approver@example.com")
            line = self.wait_line(email, 1)
            self.assertEqual(line["Type"], "SubscriptionConfirmation")
            sns.confirm_subscription(TopicArn=topic, Token=line["Token"])
            sns.publish(TopicArn=topic, Subject="Approve?", Message="Approve order 42")
            note = self.wait_line(email, 2)
            self.assertEqual((note["To"], note["Subject"], note["Body"]),
                             ("approver@example.com", "Approve?", "Approve order 42"))
            event = self.wait_line(events, 1)
            record = event["Records"][0]
            self.assertEqual(record["EventSource"], "aws:sns")
            self.assertEqual((record["Sns"]["Message"], record["Sns"]["Subject"]),
                             ("Approve order 42", "Approve?"))
            url = sqs.create_queue(QueueName="durable")["QueueUrl"]
            sns.subscribe(TopicArn=topic, Protocol="sqs",
                          Endpoint="arn:aws:sqs:us-east-1:123456789012:durable",
                          Attributes={"RawMessageDelivery": "true"})
            for i in range(20):
                sns.publish(TopicArn=topic, Message=f"m{i}")
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            again = StepwiseServer(binary, log_dir=data, base_args=args)
            again.start()
            try:
                sns = client("sns", again.endpoint)
                sqs = client("sqs", again.endpoint)
                subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
                self.assertEqual(sorted(s["Protocol"] for s in subs), ["email", "lambda", "sqs"])
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

    def wait_line(self, path, n, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(path):
                with open(path) as f:
                    lines = [json.loads(x) for x in f if x.strip()]
                if len(lines) >= n:
                    return lines[n - 1]
            time.sleep(0.05)
        self.fail(f"line {n} of {path} did not appear")


if __name__ == "__main__":
    print(f"sns clients: botocore {botocore.__version__} (query protocol)", flush=True)
    unittest.main()
