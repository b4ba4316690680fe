#!/usr/bin/env python3
"""boto3 and the AWS CLI against the built-in DynamoDB of `stepwise serve`, and workflows
calling it.

Run through tests/clients/run.py (suites dynamodb-boto3 with the newest boto3 and
dynamodb-boto3-debian with Debian's 1.26): tables and indexes, every AttributeValue type through
boto3's serialiser (Decimal numbers, Binary, sets), expressions and their errors, Query/Scan
paginators, batches, transactions (CancellationReasons as botocore parses them), table tags
(on create, TagResource, UntagResource, ListTagsOfResource, an unknown ARN's error), the
`aws dynamodb` CLI, the dynamodb:* and aws-sdk:dynamodb:* integrations, and an acknowledged
write and tag surviving kill -9 on the SQLite store.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import warnings
from decimal import Decimal

import boto3
import botocore
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stepwise_server import StepwiseServer  # noqa: E402

ENDPOINT = os.environ.get("STEPWISE_ENDPOINT", "http://127.0.0.1:8083")
ROLE = "arn:aws:iam::123456789012:role/stepwise-clients"
SETTLE_TIMEOUT_S = 30
warnings.simplefilter("ignore", ResourceWarning)


def session_kwargs(endpoint):
    return dict(endpoint_url=endpoint, region_name="us-east-1",
                aws_access_key_id="AKIDSTEPWISECLIENTS",
                aws_secret_access_key="stepwise-clients-secret",
                config=Config(retries={"mode": "standard", "max_attempts": 1}))


def client(service, endpoint=ENDPOINT):
    return boto3.client(service, **session_kwargs(endpoint))


DDB = client("dynamodb")
RES = boto3.resource("dynamodb", **session_kwargs(ENDPOINT))
SFN = client("stepfunctions")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code_of(err):
    return err.exception.response["Error"]["Code"]


def message_of(err):
    return err.exception.response["Error"]["Message"]


def make_table(range_key=None, gsi=False):
    name = unique("t")
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": range_key})
    extra = {}
    if gsi:
        attrs.append({"AttributeName": "g", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [{
            "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
    DDB.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                     BillingMode="PAY_PER_REQUEST", **extra)
    DDB.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})
    return name


def wait_execution(arn):
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = SFN.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING")


def run(definition, payload):
    arn = SFN.create_state_machine(name=unique("ddb-flow"), definition=json.dumps(definition),
                                   roleArn=ROLE)["stateMachineArn"]
    return wait_execution(SFN.start_execution(stateMachineArn=arn,
                                              input=json.dumps(payload))["executionArn"])


class Tables(unittest.TestCase):
    def test_create_describe_list_update_delete(self):
        name = make_table("N", gsi=True)
        d = DDB.describe_table(TableName=name)["Table"]
        self.assertEqual(d["TableStatus"], "ACTIVE")
        self.assertEqual(d["KeySchema"][1], {"AttributeName": "sk", "KeyType": "RANGE"})
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(d["GlobalSecondaryIndexes"][0]["IndexName"], "by-g")
        self.assertTrue(d["TableArn"].endswith(f":table/{name}"))
        self.assertIn(name, DDB.list_tables()["TableNames"])
        names = [n for page in DDB.get_paginator("list_tables").paginate(
            PaginationConfig={"PageSize": 1}) for n in page["TableNames"]]
        self.assertIn(name, names)
        DDB.update_table(TableName=name, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                         GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}])
        d = DDB.describe_table(TableName=name)["Table"]
        self.assertEqual(d["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertNotIn("GlobalSecondaryIndexes", d)
        with self.assertRaises(ClientError) as e:
            DDB.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        self.assertEqual(code_of(e), "ResourceInUseException")
        DDB.delete_table(TableName=name)
        DDB.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})
        with self.assertRaises(ClientError) as e:
            DDB.describe_table(TableName=name)
        self.assertEqual(code_of(e), "ResourceNotFoundException")


class Tags(unittest.TestCase):
    def test_tag_round_trip(self):
        name = unique("tagged")
        arn = DDB.create_table(
            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=[{"Key": "team", "Value": "a"}])["TableDescription"]["TableArn"]
        self.assertEqual(DDB.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "a"}])
        DDB.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"},
                                                {"Key": "env", "Value": "test"}])
        listed = DDB.list_tags_of_resource(ResourceArn=arn)
        self.assertEqual(listed["Tags"], [{"Key": "team", "Value": "b"},
                                          {"Key": "env", "Value": "test"}])
        self.assertNotIn("NextToken", listed)
        DDB.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(DDB.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "env", "Value": "test"}])
        with self.assertRaises(ClientError) as e:
            DDB.list_tags_of_resource(ResourceArn=arn + "-missing")
        self.assertEqual(code_of(e), "ResourceNotFoundException")
        self.assertEqual(message_of(e),
                         f"Requested resource not found: ResourceArn: {arn}-missing not found")
        with self.assertRaises(ClientError) as e:
            DDB.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:reserved", "Value": "v"}])
        self.assertEqual(code_of(e), "ValidationException")
        DDB.delete_table(TableName=name)
        with self.assertRaises(ClientError) as e:
            DDB.list_tags_of_resource(ResourceArn=arn)
        self.assertEqual(code_of(e), "ResourceNotFoundException")


class Items(unittest.TestCase):
    def test_every_type_round_trips_through_the_resource_api(self):
        table = RES.Table(make_table())
        item = {"pk": "all", "s": "text", "n": Decimal("123.4500"), "big": Decimal("1e125"),
                "b": b"\x00\x01\xff", "ss": {"a", "b"}, "ns": {Decimal(1), Decimal("2.5")},
                "bs": {b"x", b"y"}, "m": {"nested": {"deep": [1, "two", None, True]}},
                "l": [], "null": None, "t": True, "f": False, "empty": ""}
        table.put_item(Item=item)
        got = table.get_item(Key={"pk": "all"})["Item"]
        self.assertEqual(got["n"], Decimal("123.45"))
        self.assertEqual(got["big"], Decimal("1e125"))
        self.assertEqual(got["b"].value, b"\x00\x01\xff")
        self.assertEqual(got["ss"], {"a", "b"})
        self.assertEqual(got["ns"], {Decimal(1), Decimal("2.5")})
        self.assertEqual({v.value for v in got["bs"]}, {b"x", b"y"})
        self.assertEqual(got["m"]["nested"]["deep"], [Decimal(1), "two", None, True])
        self.assertIsNone(got["null"])
        self.assertEqual((got["t"], got["f"], got["empty"], got["l"]), (True, False, "", []))

    def test_conditions_updates_and_return_values(self):
        table = RES.Table(make_table())
        table.put_item(Item={"pk": "c", "count": 1, "tags": {"a"}})
        with self.assertRaises(ClientError) as e:
            table.put_item(Item={"pk": "c"}, ConditionExpression=Attr("pk").not_exists())
        self.assertEqual(code_of(e), "ConditionalCheckFailedException")
        out = table.update_item(
            Key={"pk": "c"},
            UpdateExpression="SET #c = #c + :one, hist = list_append(if_not_exists(hist, :e), :h)"
                             " ADD tags :t",
            ConditionExpression=Attr("count").lt(10) & Attr("tags").contains("a"),
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": 1, ":e": [], ":h": ["x"], ":t": {"b"}},
            ReturnValues="ALL_NEW")["Attributes"]
        self.assertEqual(out["count"], 2)
        self.assertEqual(out["hist"], ["x"])
        self.assertEqual(out["tags"], {"a", "b"})
        old = table.update_item(Key={"pk": "c"}, UpdateExpression="REMOVE hist DELETE tags :a",
                                ExpressionAttributeValues={":a": {"a"}},
                                ReturnValues="UPDATED_OLD")["Attributes"]
        self.assertEqual(set(old), {"hist", "tags"})
        got = table.get_item(Key={"pk": "c"}, ProjectionExpression="tags, #c",
                             ExpressionAttributeNames={"#c": "count"})["Item"]
        self.assertEqual(got, {"tags": {"b"}, "count": 2})
        gone = table.delete_item(Key={"pk": "c"}, ReturnValues="ALL_OLD")["Attributes"]
        self.assertEqual(gone["pk"], "c")
        self.assertNotIn("Item", table.get_item(Key={"pk": "c"}))

    def test_validation_errors_as_aws_words_them(self):
        name = make_table()
        cases = [
            (dict(UpdateExpression="SET a = = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
             'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"'),
            (dict(UpdateExpression="SET a = :v",
                  ExpressionAttributeValues={":v": {"S": "x"}, ":x": {"S": "y"}}),
             "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
            (dict(UpdateExpression="SET data = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
             "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
             "data"),
            (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"SS": []}}),
             "ExpressionAttributeValues contains invalid value: One or more parameter values were"
             " invalid: An string set  may not be empty for key :v"),
        ]
        for extra, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(ClientError) as e:
                    DDB.update_item(TableName=name, Key={"pk": {"S": "k"}}, **extra)
                self.assertEqual(code_of(e), "ValidationException")
                self.assertEqual(message_of(e), message)
        with self.assertRaises(ClientError) as e:
            DDB.get_item(TableName=name, Key={"pk": {"N": "1"}})
        self.assertEqual(message_of(e), "The provided key element does not match the schema")
        with self.assertRaises(ClientError) as e:
            DDB.put_item(TableName=name, Item={"pk": {"S": "big"}, "v": {"S": "x" * 410_000}})
        self.assertEqual(message_of(e), "Item size has exceeded the maximum allowed size")
        with self.assertRaises(ClientError) as e:
            DDB.put_item(TableName=name + "-gone", Item={"pk": {"S": "x"}})
        self.assertEqual(code_of(e), "ResourceNotFoundException")


class Reads(unittest.TestCase):
    def test_query_and_scan_paginate_in_key_order(self):
        name = make_table("N", gsi=True)
        table = RES.Table(name)
        with table.batch_writer() as w:
            for i in range(60):
                w.put_item(Item={"pk": "p" if i < 50 else "q", "sk": i, "g": f"g{i % 3}",
                                 "pad": "x" * 100})
        pages = list(DDB.get_paginator("query").paginate(
            TableName=name, KeyConditionExpression="pk = :p AND sk >= :from",
            ExpressionAttributeValues={":p": {"S": "p"}, ":from": {"N": "10"}},
            ScanIndexForward=False, PaginationConfig={"PageSize": 7}))
        keys = [int(i["sk"]["N"]) for p in pages for i in p["Items"]]
        self.assertEqual(keys, list(range(49, 9, -1)))
        self.assertGreater(len(pages), 5)
        scanned = [i for p in DDB.get_paginator("scan").paginate(
            TableName=name, FilterExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "g1"}},
            PaginationConfig={"PageSize": 9}) for i in p["Items"]]
        self.assertEqual(len(scanned), 20)
        got = table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("g2"))
        self.assertEqual(got["Count"], 20)
        self.assertEqual(DDB.scan(TableName=name, Select="COUNT")["Count"], 60)
        segments = [DDB.scan(TableName=name, Segment=s, TotalSegments=3)["Count"]
                    for s in range(3)]
        self.assertEqual(sum(segments), 60)


class BatchesAndTransactions(unittest.TestCase):
    def test_batch_get_write_and_transactions(self):
        name = make_table()
        DDB.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}}}
            for i in range(25)]})
        got = DDB.batch_get_item(RequestItems={name: {
            "Keys": [{"pk": {"S": f"k{i}"}} for i in range(30)]}})
        self.assertEqual(len(got["Responses"][name]), 25)
        with self.assertRaises(ClientError) as e:
            DDB.batch_write_item(RequestItems={name: [
                {"PutRequest": {"Item": {"pk": {"S": f"x{i}"}}}} for i in range(26)]})
        self.assertEqual(code_of(e), "ValidationException")
        check = {"TableName": name, "Key": {"pk": {"S": "k1"}},
                 "ConditionExpression": "v = :nine",
                 "ExpressionAttributeValues": {":nine": {"N": "9"}}}
        # Debian's botocore (1.29) predates ReturnValuesOnConditionCheckFailure.
        old_items = "ReturnValuesOnConditionCheckFailure" in \
            DDB.meta.service_model.shape_for("ConditionCheck").members
        if old_items:
            check["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with self.assertRaises(ClientError) as e:
            DDB.transact_write_items(TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": "new"}}}},
                {"ConditionCheck": check}])
        self.assertEqual(code_of(e), "TransactionCanceledException")
        reasons = e.exception.response["CancellationReasons"]
        self.assertEqual(reasons[0], {"Code": "None"})
        self.assertEqual(reasons[1]["Code"], "ConditionalCheckFailed")
        if old_items:
            self.assertEqual(reasons[1]["Item"]["v"], {"N": "1"})
        self.assertNotIn("Item", DDB.get_item(TableName=name, Key={"pk": {"S": "new"}}))
        DDB.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "new"}}}},
            {"Update": {"TableName": name, "Key": {"pk": {"S": "k1"}},
                        "UpdateExpression": "SET v = v + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "k2"}}}}])
        got = DDB.transact_get_items(TransactItems=[
            {"Get": {"TableName": name, "Key": {"pk": {"S": k}}}} for k in ("new", "k1", "k2")])
        items = [r.get("Item") for r in got["Responses"]]
        self.assertEqual(items[1]["v"], {"N": "2"})
        self.assertIsNone(items[2])


class Workflows(unittest.TestCase):
    def test_optimized_and_sdk_integrations(self):
        name = make_table()
        d = run({"StartAt": "Put", "States": {
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName.$": "$.t", "Item": {"pk": {"S": "wf"},
                                                                  "v": {"N": "1"}}},
                    "ResultPath": "$.put", "Next": "Update"},
            "Update": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem",
                       "Parameters": {"TableName.$": "$.t", "Key": {"pk": {"S": "wf"}},
                                      "UpdateExpression": "SET v = v + :d",
                                      "ExpressionAttributeValues": {":d": {"N": "41"}},
                                      "ReturnValues": "UPDATED_NEW"},
                       "ResultPath": "$.update", "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Parameters": {"TableName.$": "$.t", "Key": {"pk": {"S": "wf"}}},
                    "ResultSelector": {"v.$": "$.Item.v.N"}, "End": True}}}, {"t": name})
        self.assertEqual(d["status"], "SUCCEEDED", d.get("cause"))
        self.assertEqual(json.loads(d["output"]), {"v": "42"})
        d = run({"StartAt": "Put", "States": {
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName.$": "$.t", "Item": {"pk": {"S": "wf"}},
                                   "ConditionExpression": "attribute_not_exists(pk)"},
                    "End": True}}}, {"t": name})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "DynamoDB.ConditionalCheckFailedException")
        self.assertIn("(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
                      "ConditionalCheckFailedException; Request ID: ", d["cause"])
        d = run({"StartAt": "Get", "States": {
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                    "Parameters": {"TableName": "no-such-table", "Key": {"pk": {"S": "x"}}},
                    "End": True}}}, {})
        self.assertEqual(d["error"], "DynamoDb.ResourceNotFoundException")


class Cli(unittest.TestCase):
    def aws(self, *args):
        exe = shutil.which(os.environ.get("STEPWISE_AWS_CLI", "aws"))
        if not exe:
            self.skipTest("no AWS CLI")
        out = subprocess.run([exe, "--endpoint-url", ENDPOINT, "--output", "json", "dynamodb",
                              *args], capture_output=True, text=True, timeout=60)
        return out.returncode, out.stdout, out.stderr

    def test_aws_dynamodb(self):
        name = unique("cli")
        rc, out, err = self.aws("create-table", "--table-name", name, "--attribute-definitions",
                                "AttributeName=id,AttributeType=S", "--key-schema",
                                "AttributeName=id,KeyType=HASH", "--billing-mode",
                                "PAY_PER_REQUEST")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["TableDescription"]["TableName"], name)
        rc, out, err = self.aws("wait", "table-exists", "--table-name", name)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.aws("put-item", "--table-name", name, "--item",
                                '{"id":{"S":"1"},"n":{"N":"7"}}')
        self.assertEqual(rc, 0, err)
        rc, out, err = self.aws("update-item", "--table-name", name, "--key", '{"id":{"S":"1"}}',
                                "--update-expression", "SET n = n * :x",
                                "--expression-attribute-values", '{":x":{"N":"2"}}')
        self.assertNotEqual(rc, 0)
        self.assertIn("ValidationException", err)
        rc, out, err = self.aws("get-item", "--table-name", name, "--key", '{"id":{"S":"1"}}')
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["Item"]["n"], {"N": "7"})
        rc, out, err = self.aws("scan", "--table-name", name)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["Count"], 1)
        rc, out, err = self.aws("query", "--table-name", name, "--key-condition-expression",
                                "id = :i", "--expression-attribute-values", '{":i":{"S":"1"}}')
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["Items"][0]["id"], {"S": "1"})
        rc, out, err = self.aws("delete-table", "--table-name", name)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.aws("describe-table", "--table-name", name)
        self.assertNotEqual(rc, 0)
        self.assertIn("ResourceNotFoundException", err)


class Durability(unittest.TestCase):
    def test_acknowledged_writes_survive_kill_9(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        data = tempfile.mkdtemp(prefix="stepwise-ddb-durable-")
        args = ("--store", "sqlite", "--data-dir", data)
        try:
            server = StepwiseServer(binary, log_dir=data, base_args=args)
            server.start()
            ddb = client("dynamodb", server.endpoint)
            ddb.create_table(TableName="durable", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id",
                                                    "AttributeType": "N"}],
                             Tags=[{"Key": "on-create", "Value": "1"}])
            arn = ddb.describe_table(TableName="durable")["Table"]["TableArn"]
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "later", "Value": "2"}])
            for i in range(30):
                ddb.put_item(TableName="durable", Item={"id": {"N": str(i)}, "v": {"S": "x"}})
            ddb.update_item(TableName="durable", Key={"id": {"N": "3"}},
                            UpdateExpression="SET v = :y",
                            ExpressionAttributeValues={":y": {"S": "y"}})
            ddb.delete_item(TableName="durable", Key={"id": {"N": "4"}})
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            again = StepwiseServer(binary, log_dir=data, base_args=args)
            again.start()
            try:
                ddb = client("dynamodb", again.endpoint)
                self.assertEqual(ddb.scan(TableName="durable", Select="COUNT")["Count"], 29)
                got = ddb.get_item(TableName="durable", Key={"id": {"N": "3"}})["Item"]
                self.assertEqual(got["v"], {"S": "y"})
                self.assertEqual(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                                 [{"Key": "on-create", "Value": "1"},
                                  {"Key": "later", "Value": "2"}])
            finally:
                self.assertEqual(again.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(f"dynamodb clients: botocore {botocore.__version__}", flush=True)
    unittest.main()
