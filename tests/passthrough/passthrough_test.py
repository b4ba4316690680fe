#!/usr/bin/env python3
"""Pass-through endpoints (issue 12 item 8) end to end, with two `stepwise serve` processes.

A runs the built-in services and verifies SigV4 (--auth-keys). B runs only the built-in
EventBridge (--services events); its SQS, SNS, DynamoDB and Secrets Manager integrations go to A through
SQS_ENDPOINT, SNS_ENDPOINT, DYNAMODB_ENDPOINT and SECRETSMANAGER_ENDPOINT, its S3 integrations
through the `endpoints:` section of its config file, signed with the AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY it is given (A refuses anything else, so a call that works was signed
right). A workflow on B sends to a queue, publishes to a topic, puts and gets an object, puts,
gets and updates an item (optimized and aws-sdk) and reads a secret, and a Distributed Map
reads its items from A's bucket; boto3 against A then finds
the message, the notification, the object and the item there. The same failing workflows (a
missing queue, a missing key, a failed condition, a missing table or secret) run on A (built-in
integrations) and on B (pass-through) and must fail with the same error names and causes (but
for the request ids). B's EventBridge rules deliver to A's queue and topic. SIGHUP on B moves
its S3 endpoint to C (and refuses a malformed one). C runs the built-in services but SQS, which goes to A (SQS_ENDPOINT): its
SNS delivers to A's queues, enveloped and raw, from boto3 and from a workflow's sns:publish.

Usage: passthrough_test.py --stepwise build/stepwise. Exit 0 passed, 1 failed, 77 skipped
(boto3 missing and STEPWISE_SKIP_CLIENTS names passthrough or all).
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))
from stepwise_server import StepwiseServer  # noqa: E402

SKIPPED = 77
SETTLE_TIMEOUT_S = 60
KEY_ID, SECRET = "AKIDPASSTHROUGH", "passthrough-test-secret"
ROLE = "arn:aws:iam::123456789012:role/passthrough"

try:
    import boto3
    from botocore.config import Config
except ImportError:  # pragma: no cover - depends on the machine
    skip = os.environ.get("STEPWISE_SKIP_CLIENTS", "")
    if skip == "all" or "passthrough" in skip.split(","):
        print("passthrough: SKIPPED (no boto3)")
        sys.exit(SKIPPED)
    print("passthrough: FAILED: boto3 is not installed (scripts/install-deps.sh)")
    sys.exit(1)


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def task(resource, parameters, next_state=None, **extra):
    state = {"Type": "Task", "Resource": "arn:aws:states:::" + resource,
             "Parameters": parameters, **extra}
    if next_state:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


def run(sfn, name, states, start):
    arn = sfn.create_state_machine(
        name=f"{name}-{uuid.uuid4().hex[:8]}", roleArn=ROLE,
        definition=json.dumps({"StartAt": start, "States": states}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=execution)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.1)
    raise AssertionError(f"{name}: still running after {SETTLE_TIMEOUT_S} s")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"passthrough: ok: {what}")


# Request ids differ from call to call; everything else in a cause must be the same.
IDS = re.compile(r"(Request ID: )[^;,)]+|(Extended Request ID: )[^;,)]+")


def without_ids(cause):
    return IDS.sub(lambda m: (m.group(1) or m.group(2)) + "<id>", cause or "")


class environment:
    """Sets variables for the servers started inside (they read them at start), then restores."""

    def __init__(self, variables):
        self.variables = variables

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in self.variables}
        os.environ.update(self.variables)

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stepwise", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="stepwise-passthrough-")
    keys = os.path.join(work, "keys.json")
    with open(keys, "w") as f:
        json.dump({KEY_ID: SECRET}, f)

    a = StepwiseServer(args.stepwise, ["--auth-keys", keys], log_dir=work)
    a.start()
    b = c = None
    try:
        config = os.path.join(work, "endpoints.yaml")
        with open(config, "w") as f:
            f.write(f"endpoints:\n  s3: {a.endpoint}\n")
        env = {"SQS_ENDPOINT": a.endpoint, "SNS_ENDPOINT": a.endpoint,
               "DYNAMODB_ENDPOINT": a.endpoint, "SECRETSMANAGER_ENDPOINT": a.endpoint,
               "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(work, "none"),
               "AWS_CONFIG_FILE": os.path.join(work, "none")}
        with environment(env):
            b = StepwiseServer(args.stepwise, ["--services", "events", "--functions", config],
                               log_dir=work)
            b.start()
        sqs_only = {k: v for k, v in env.items() if not k.endswith("_ENDPOINT")}
        with environment({**sqs_only, "SQS_ENDPOINT": a.endpoint}):
            c = StepwiseServer(args.stepwise, [], log_dir=work)
            c.start()
        exercise(a, b)
        exercise_run(args.stepwise, a, env, work)
        exercise_sns_to_routed_sqs(a, c)
        exercise_events_to_routed_targets(a, b)
        exercise_reload(b, c, config)
    except Exception:
        for name, server in (("A", a), ("B", b), ("C", c)):
            if server is not None:
                print(f"--- server {name} log ---\n{server.log_tail()}")
        raise
    finally:
        codes = [s.stop() for s in (c, b, a) if s is not None]
    check(codes == [0, 0, 0], f"the servers stopped cleanly (exit codes {codes})")
    return 0


def exercise(a, b):
    sqs, sns, s3 = client("sqs", a.endpoint), client("sns", a.endpoint), client("s3", a.endpoint)
    sfn_a, sfn_b = client("stepfunctions", a.endpoint), client("stepfunctions", b.endpoint)
    check(all(f"{service} integrations go to {a.endpoint}" in b.log_tail()
              for service in ("sqs", "sns", "s3", "dynamodb", "secretsmanager")),
          "B says where its integrations go")
    ddb, secrets = client("dynamodb", a.endpoint), client("secretsmanager", a.endpoint)
    ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    secrets.create_secret(Name="approver-token", SecretString="s3cr3t")
    queue = sqs.create_queue(QueueName="direct")["QueueUrl"]
    notified = sqs.create_queue(QueueName="notified")["QueueUrl"]
    notified_arn = sqs.get_queue_attributes(
        QueueUrl=notified, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="approvals")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=notified_arn)
    s3.create_bucket(Bucket="passthrough-bucket")

    states = {
        "Send": task("sqs:sendMessage", {"QueueUrl": queue, "MessageBody": {"hello": "world"}},
                     "Publish", ResultPath="$.sent"),
        "Publish": task("sns:publish", {"TopicArn": topic, "Message": "approve order 7"},
                        "Put", ResultPath="$.published"),
        "Put": task("aws-sdk:s3:putObject", {"Bucket": "passthrough-bucket",
                                             "Key": "reports/day 1.json", "Body": {"x": 1}},
                    "Get", ResultPath="$.put"),
        "Get": task("aws-sdk:s3:getObject", {"Bucket": "passthrough-bucket",
                                             "Key": "reports/day 1.json"},
                    "List", ResultSelector={"Body.$": "$.Body", "Length.$": "$.ContentLength"},
                    ResultPath="$.got"),
        "List": task("aws-sdk:s3:listObjectsV2", {"Bucket": "passthrough-bucket",
                                                  "Prefix": "reports/"},
                     "Copy", ResultSelector={"Keys.$": "$.Contents[*].Key"},
                     ResultPath="$.listed"),
        "Copy": task("aws-sdk:s3:copyObject", {"Bucket": "passthrough-bucket", "Key": "copy.json",
                                               "CopySource":
                                                   "passthrough-bucket/reports/day 1.json"},
                     "Head", ResultPath="$.copied"),
        "Head": task("aws-sdk:s3:headObject", {"Bucket": "passthrough-bucket", "Key": "copy.json"},
                     "Delete", ResultSelector={"Length.$": "$.ContentLength",
                                               "ETag.$": "$.ETag"}, ResultPath="$.head"),
        "Delete": task("aws-sdk:s3:deleteObject", {"Bucket": "passthrough-bucket",
                                                   "Key": "reports/day 1.json"},
                       "PutItem", ResultPath="$.deleted"),
        "PutItem": task("dynamodb:putItem", {"TableName": "orders",
                                             "Item": {"id": {"S": "o-7"}, "total": {"N": "40"}}},
                        "GetItem", ResultPath="$.putItem"),
        "GetItem": task("dynamodb:getItem", {"TableName": "orders", "Key": {"id": {"S": "o-7"}}},
                        "UpdateItem", ResultSelector={"Item.$": "$.Item"}, ResultPath="$.gotItem"),
        "UpdateItem": task("aws-sdk:dynamodb:updateItem",
                           {"TableName": "orders", "Key": {"id": {"S": "o-7"}},
                            "UpdateExpression": "ADD #t :two",
                            "ExpressionAttributeNames": {"#t": "total"},
                            "ExpressionAttributeValues": {":two": {"N": "2"}},
                            "ReturnValues": "UPDATED_NEW"},
                           "Secret", ResultPath="$.updated"),
        "Secret": task("aws-sdk:secretsmanager:getSecretValue", {"SecretId": "approver-token"},
                       ResultSelector={"Value.$": "$.SecretString"}, ResultPath="$.secret"),
    }
    d = run(sfn_b, "passthrough", states, "Send")
    check(d["status"] == "SUCCEEDED", f"the workflow on B succeeded ({d.get('error')}: "
                                      f"{d.get('cause')})")
    out = json.loads(d["output"])
    check(out["sent"]["MessageId"] and out["published"]["MessageId"],
          "sqs:sendMessage and sns:publish answered with message ids")
    check(out["got"] == {"Body": '{"x":1}', "Length": 7}, f"getObject read back {out['got']}")
    check(out["listed"]["Keys"] == ["reports/day 1.json"], f"listObjectsV2: {out['listed']}")

    m = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5).get("Messages", [])
    check(len(m) == 1 and m[0]["Body"] == '{"hello":"world"}',
          f"A's queue holds the message B's workflow sent: {m}")
    check(m[0]["MessageId"] == out["sent"]["MessageId"], "with the id the task reported")
    n = sqs.receive_message(QueueUrl=notified, WaitTimeSeconds=5).get("Messages", [])
    check(len(n) == 1 and json.loads(n[0]["Body"])["Message"] == "approve order 7"
          and json.loads(n[0]["Body"])["MessageId"] == out["published"]["MessageId"],
          "A's topic delivered B's notification to its subscribed queue")
    body = s3.get_object(Bucket="passthrough-bucket", Key="copy.json")["Body"].read()
    check(body == b'{"x":1}', f"A's bucket holds the object B's workflow put and copied: {body!r}")
    check(out["head"]["Length"] == 7 and out["head"]["ETag"] == out["copied"]["CopyObjectResult"]
          ["ETag"], f"headObject and copyObject agree: {out['head']} {out['copied']}")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="passthrough-bucket").get("Contents", [])]
    check(keys == ["copy.json"], f"deleteObject removed the original from A: {keys}")
    check(out["gotItem"]["Item"] == {"id": {"S": "o-7"}, "total": {"N": "40"}}
          and "SdkHttpMetadata" in out["putItem"],
          f"dynamodb:putItem and getItem (optimized) through the endpoint: {out['gotItem']}")
    check(out["updated"].get("Attributes") == {"total": {"N": "42"}},
          f"aws-sdk:dynamodb:updateItem through the endpoint: {out['updated']}")
    item = ddb.get_item(TableName="orders", Key={"id": {"S": "o-7"}}).get("Item")
    check(item == {"id": {"S": "o-7"}, "total": {"N": "42"}}, f"A's table holds the item: {item}")
    check(out["secret"] == {"Value": "s3cr3t"}, f"getSecretValue read A's secret: {out['secret']}")

    # Distributed Map's ItemReader reads through the S3 endpoint too (its calls are S3 tasks).
    s3.put_object(Bucket="passthrough-bucket", Key="items.json", Body=b'[{"n":1},{"n":2},{"n":3}]')
    mapped = run(sfn_b, "distributed", {"M": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "passthrough-bucket", "Key": "items.json"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}, "M")
    check(mapped["status"] == "SUCCEEDED" and json.loads(mapped["output"]) == [
        {"n": 1}, {"n": 2}, {"n": 3}],
        f"a Distributed Map on B read its items from A's bucket: {mapped.get('output')} "
        f"{mapped.get('error')} {mapped.get('cause')}")

    # Errors: the same workflow on A (built-in) and on B (pass-through).
    missing = queue.rsplit("/", 1)[0] + "/no-such-queue"
    failing = {
        "missing queue": {"S": task("sqs:sendMessage", {"QueueUrl": missing,
                                                        "MessageBody": "x"})},
        "missing queue (aws-sdk)": {"S": task("aws-sdk:sqs:sendMessage",
                                              {"QueueUrl": missing, "MessageBody": "x"})},
        "missing topic": {"S": task("sns:publish", {"TopicArn": topic + "-gone",
                                                    "Message": "x"})},
        "missing key": {"S": task("aws-sdk:s3:getObject", {"Bucket": "passthrough-bucket",
                                                           "Key": "absent"})},
        "missing bucket": {"S": task("aws-sdk:s3:headObject", {"Bucket": "no-such-bucket-x",
                                                               "Key": "k"})},
        "failed condition": {"S": task("dynamodb:putItem", {
            "TableName": "orders", "Item": {"id": {"S": "o-7"}},
            "ConditionExpression": "attribute_not_exists(id)"})},
        "missing table": {"S": task("dynamodb:getItem", {"TableName": "no-such-table",
                                                         "Key": {"id": {"S": "x"}}})},
        "missing table (aws-sdk)": {"S": task("aws-sdk:dynamodb:getItem", {
            "TableName": "no-such-table", "Key": {"id": {"S": "x"}}})},
        "missing secret": {"S": task("aws-sdk:secretsmanager:getSecretValue",
                                     {"SecretId": "no-such-secret"})},
    }
    for what, machine in failing.items():
        on_a = run(sfn_a, "builtin", machine, "S")
        on_b = run(sfn_b, "passthrough", machine, "S")
        check(on_a["status"] == on_b["status"] == "FAILED", f"{what}: fails on both")
        check(on_a.get("error") == on_b.get("error"),
              f"{what}: the same error name ({on_a.get('error')} / {on_b.get('error')})")
        check(without_ids(on_a.get("cause")) == without_ids(on_b.get("cause")),
              f"{what}: the same cause ({on_b.get('cause')})")
    check(run(sfn_b, "err", failing["missing queue"], "S")["error"]
          == "SQS.QueueDoesNotExistException", "a missing queue is SQS.QueueDoesNotExistException")
    check(run(sfn_b, "err", failing["missing key"], "S")["error"] == "S3.NoSuchKeyException",
          "a missing key is S3.NoSuchKeyException")
    check(run(sfn_b, "err", failing["failed condition"], "S")["error"]
          == "DynamoDB.ConditionalCheckFailedException",
          "a failed condition is DynamoDB.ConditionalCheckFailedException")


def make_queues(sqs, prefix, names):
    """Creates `<prefix>-<name>` for each name: {name: (queue URL, queue ARN)}."""
    queues = {}
    for name in names:
        url = sqs.create_queue(QueueName=f"{prefix}-{name}")["QueueUrl"]
        queues[name] = (url, sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
    return queues


def exercise_sns_to_routed_sqs(a, c):
    """C's built-in SNS delivers to queues on SQS's endpoint (A), as it does to its own."""
    sqs, sns_c = client("sqs", a.endpoint), client("sns", c.endpoint)
    check(f"sqs integrations go to {a.endpoint}" in c.log_tail(), "C says where SQS goes")
    arns = make_queues(sqs, "from-c", ("enveloped", "raw"))
    topic = sns_c.create_topic(Name="routed")["TopicArn"]
    sns_c.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns["enveloped"][1])
    sns_c.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns["raw"][1],
                    Attributes={"RawMessageDelivery": "true"})
    published = sns_c.publish(TopicArn=topic, Message="invoice 12 needs approval",
                              MessageAttributes={"team": {"DataType": "String",
                                                          "StringValue": "billing"}})
    n = sqs.receive_message(QueueUrl=arns["enveloped"][0], WaitTimeSeconds=5).get("Messages", [])
    envelope = json.loads(n[0]["Body"]) if len(n) == 1 else {}
    check(envelope.get("Message") == "invoice 12 needs approval"
          and envelope.get("MessageId") == published["MessageId"]
          and envelope.get("TopicArn") == topic
          and envelope.get("MessageAttributes", {}).get("team", {}).get("Value") == "billing",
          f"C's SNS delivered AWS's envelope to A's queue: {n}")
    r = sqs.receive_message(QueueUrl=arns["raw"][0], WaitTimeSeconds=5,
                            MessageAttributeNames=["All"]).get("Messages", [])
    check(len(r) == 1 and r[0]["Body"] == "invoice 12 needs approval"
          and r[0].get("MessageAttributes", {}).get("team", {}).get("StringValue") == "billing",
          f"and the raw message with its attributes: {r}")
    d = run(client("stepfunctions", c.endpoint), "notify", {"Publish": task(
        "sns:publish", {"TopicArn": topic, "Message": "from a workflow on C"})}, "Publish")
    check(d["status"] == "SUCCEEDED", f"sns:publish on C succeeded ({d.get('cause')})")
    r = sqs.receive_message(QueueUrl=arns["raw"][0], WaitTimeSeconds=5).get("Messages", [])
    check([m["Body"] for m in r] == ["from a workflow on C"],
          f"a workflow's sns:publish on C reached A's queue: {r}")


def exercise_events_to_routed_targets(a, b):
    """B's built-in EventBridge delivers to SQS and SNS targets on their endpoints (A)."""
    sqs, sns, events = client("sqs", a.endpoint), client("sns", a.endpoint), \
        client("events", b.endpoint)
    queues = make_queues(sqs, "from-b", ("rule-target", "topic-subscriber"))
    topic = sns.create_topic(Name="from-b-rules")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues["topic-subscriber"][1],
                  Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="invoices", EventPattern=json.dumps({"source": ["billing"]}))
    events.put_targets(Rule="invoices", Targets=[
        {"Id": "queue", "Arn": queues["rule-target"][1]},
        {"Id": "topic", "Arn": topic, "InputPath": "$.detail"}])
    put = events.put_events(Entries=[{"Source": "billing", "DetailType": "invoice",
                                      "Detail": json.dumps({"invoice": 12})}])
    check(put["FailedEntryCount"] == 0, "B took the event")

    def one(queue):
        deadline = time.time() + SETTLE_TIMEOUT_S
        while time.time() < deadline:
            m = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
            if m:
                return m
        return []

    m = one(queues["rule-target"][0])
    event = json.loads(m[0]["Body"]) if len(m) == 1 else {}
    check(event.get("source") == "billing" and event.get("detail") == {"invoice": 12}
          and event.get("id") == put["Entries"][0]["EventId"],
          f"B's rule delivered the event to A's queue: {m}")
    m = one(queues["topic-subscriber"][0])
    check([json.loads(x["Body"]) for x in m] == [{"invoice": 12}],
          f"and its detail through A's topic: {m}")


def wait_log(server, text, timeout_s=10):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if text in server.log_tail(200):
            return True
        time.sleep(0.05)
    return False


def exercise_reload(b, c, config):
    """SIGHUP on B reads its `endpoints:` again: S3 moves from A to C; a bad URL is refused."""
    s3_c = client("s3", c.endpoint)
    s3_c.create_bucket(Bucket="after-reload")
    with open(config, "w") as f:
        f.write(f"endpoints:\n  s3: {c.endpoint}\n")
    b.proc.send_signal(signal.SIGHUP)
    check(wait_log(b, f"SIGHUP: s3 integrations go to {c.endpoint}"),
          "SIGHUP on B routes S3 to C")
    d = run(client("stepfunctions", b.endpoint), "reloaded", {"Put": task(
        "aws-sdk:s3:putObject", {"Bucket": "after-reload", "Key": "k", "Body": "moved"})}, "Put")
    check(d["status"] == "SUCCEEDED", f"B's putObject after the reload succeeded ({d.get('cause')})")
    body = s3_c.get_object(Bucket="after-reload", Key="k")["Body"].read()
    # A string Body is stored as its JSON text, as AWS does (service case test_s3_put_object[str]).
    check(body == b'"moved"', f"and the object is in C's bucket: {body}")
    with open(config, "w") as f:
        f.write("endpoints:\n  s3: ftp://nowhere\n")
    b.proc.send_signal(signal.SIGHUP)
    check(wait_log(b, "the pass-through endpoints in use stay"),
          "a malformed URL on SIGHUP is refused")
    d = run(client("stepfunctions", b.endpoint), "kept", {"Put": task(
        "aws-sdk:s3:putObject", {"Bucket": "after-reload", "Key": "k2", "Body": {"x": 2}})}, "Put")
    check(d["status"] == "SUCCEEDED"
          and s3_c.get_object(Bucket="after-reload", Key="k2")["Body"].read() == b'{"x":2}',
          f"and S3 still goes to C ({d.get('cause')})")


def exercise_run(binary, a, env, work):
    """`stepwise run` routes the same way: no server, its SQS integration goes to A."""
    sqs = client("sqs", a.endpoint)
    queue = sqs.create_queue(QueueName="from-run")["QueueUrl"]
    definition = os.path.join(work, "run.asl.json")
    with open(definition, "w") as f:
        json.dump({"StartAt": "S", "States": {"S": task("aws-sdk:sqs:sendMessage",
                                                        {"QueueUrl": queue,
                                                         "MessageBody": "from stepwise run"})}},
                  f)
    done = subprocess.run([binary, "run", definition], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)
    check(done.returncode == 0, f"stepwise run through SQS_ENDPOINT: exit {done.returncode} "
                                f"{done.stderr.strip()}")
    check("sqs integrations go to " + a.endpoint in done.stderr, "stepwise run says where")
    m = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5).get("Messages", [])
    check(len(m) == 1 and m[0]["Body"] == "from stepwise run"
          and m[0]["MessageId"] == json.loads(done.stdout)["MessageId"],
          "A's queue holds the message `stepwise run` sent")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"passthrough: FAILED: {e}")
        sys.exit(1)
