#!/usr/bin/env python3
"""boto3 against the built-in EventBridge (minimal) of `stepwise serve`, and workflows calling it.

Run through tests/clients/run.py (suites events-boto3 and events-boto3-debian: the newest boto3
and Debian's 1.26, both AWS JSON 1.1). Buses and PutEvents' answers as AWS gives them; rules and
targets (their operations and errors, and events delivered to an SQS queue and to a state
machine's execution); tags on rules and buses (on create, TagResource, UntagResource,
ListTagsForResource, an unknown ARN's error); the events:putEvents integration, its failed-entry
error; a second server on an SQLite store shows that an acknowledged custom bus, rule, target and
tags survive kill -9.
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time
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


EVENTS = client("events")
SFN = client("stepfunctions")
SQS = client("sqs")


def run_workflow(definition, payload):
    arn = SFN.create_state_machine(name=unique("ev-flow"), definition=json.dumps(definition),
                                   roleArn=ROLE)["stateMachineArn"]
    ex = SFN.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = SFN.describe_execution(executionArn=ex)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{ex} still RUNNING")


PUT_EVENTS = {"StartAt": "Put", "States": {"Put": {
    "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
    "Parameters": {"Entries.$": "$.Entries"}, "End": True}}}


class Buses(unittest.TestCase):
    def test_default_and_custom(self):
        d = EVENTS.describe_event_bus()
        self.assertEqual(d["Name"], "default")
        self.assertEqual(d["Arn"], "arn:aws:events:us-east-1:123456789012:event-bus/default")
        name = unique("bus")
        arn = EVENTS.create_event_bus(Name=name)["EventBusArn"]
        self.assertEqual(arn, f"arn:aws:events:us-east-1:123456789012:event-bus/{name}")
        with self.assertRaises(EVENTS.exceptions.ResourceAlreadyExistsException):
            EVENTS.create_event_bus(Name=name)
        self.assertEqual(EVENTS.describe_event_bus(Name=arn)["Name"], name)
        listed = EVENTS.list_event_buses(NamePrefix=name)["EventBuses"]
        self.assertEqual([b["Name"] for b in listed], [name])
        EVENTS.delete_event_bus(Name=name)
        with self.assertRaises(EVENTS.exceptions.ResourceNotFoundException):
            EVENTS.describe_event_bus(Name=name)
        with self.assertRaises(ClientError) as e:
            EVENTS.delete_event_bus(Name="default")
        self.assertEqual(code_of(e.exception), "ValidationException")


class PutEvents(unittest.TestCase):
    def test_entries_checked_as_aws(self):
        out = EVENTS.put_events(Entries=[
            {"Source": "app", "DetailType": "t", "Detail": json.dumps({"a": 1})},
            {"Source": "app", "DetailType": "t", "Detail": "\"jsonstring\""},
            {"DetailType": "t", "Detail": "{}"}])
        self.assertEqual(out["FailedEntryCount"], 2)
        self.assertIn("EventId", out["Entries"][0])
        self.assertEqual(out["Entries"][1], {"ErrorCode": "MalformedDetail",
                                             "ErrorMessage": "Detail is malformed."})
        self.assertEqual(out["Entries"][2]["ErrorMessage"],
                         "Parameter Source is not valid. Reason: Source is a required argument.")

    def test_custom_bus_and_limits(self):
        name = unique("bus")
        EVENTS.create_event_bus(Name=name)
        out = EVENTS.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}",
                                          "EventBusName": name, "Resources": ["arn:x"]}])
        self.assertEqual(out["FailedEntryCount"], 0)
        with self.assertRaises(ClientError) as e:
            EVENTS.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11)
        self.assertEqual(code_of(e.exception), "ValidationException")
        big = json.dumps({"x": "a" * (200 * 1024)})
        with self.assertRaises(ClientError) as e:
            EVENTS.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": big}] * 2)
        self.assertEqual(code_of(e.exception), "ValidationException")


def receive_bodies(queue_url, count):
    bodies = []
    deadline = time.time() + SETTLE_TIMEOUT_S
    while len(bodies) < count and time.time() < deadline:
        got = SQS.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies += [json.loads(m["Body"]) for m in got.get("Messages", [])]
    return bodies


class Rules(unittest.TestCase):
    def test_events_reach_a_queue_and_a_state_machine(self):
        source = unique("orders")
        queue_url = SQS.create_queue(QueueName=unique("ev-q"))["QueueUrl"]
        queue_arn = SQS.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        machine = SFN.create_state_machine(
            name=unique("ev-target"), roleArn=ROLE, definition=json.dumps(
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        )["stateMachineArn"]
        rule = unique("rule")
        rule_arn = EVENTS.put_rule(Name=rule, EventPattern=json.dumps(
            {"source": [source], "detail": {"kind": ["big"]}}))["RuleArn"]
        self.assertTrue(rule_arn.endswith(f":rule/{rule}"), rule_arn)
        out = EVENTS.put_targets(Rule=rule, Targets=[
            {"Id": "queue", "Arn": queue_arn},
            {"Id": "machine", "Arn": machine, "RoleArn": ROLE},
            {"Id": "shaped", "Arn": queue_arn, "InputTransformer": {
                "InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": '{"n": <n>}'}}])
        self.assertEqual(out["FailedEntryCount"], 0)
        self.assertEqual(out["FailedEntries"], [])
        put = EVENTS.put_events(Entries=[
            {"Source": source, "DetailType": "Placed", "Detail": json.dumps({"kind": "big", "n": 1})},
            {"Source": source, "DetailType": "Placed", "Detail": json.dumps({"kind": "small"})}])
        self.assertEqual(put["FailedEntryCount"], 0)
        bodies = receive_bodies(queue_url, 2)
        self.assertEqual(len(bodies), 2, bodies)
        events = [b for b in bodies if "source" in b]
        self.assertEqual(len(events), 1, bodies)
        self.assertEqual(events[0]["id"], put["Entries"][0]["EventId"])
        self.assertEqual(events[0]["detail"], {"kind": "big", "n": 1})
        self.assertIn({"n": 1}, bodies)
        deadline = time.time() + SETTLE_TIMEOUT_S
        executions = []
        while not executions and time.time() < deadline:
            executions = SFN.list_executions(stateMachineArn=machine)["executions"]
            time.sleep(0.05)
        self.assertEqual(len(executions), 1)
        started = json.loads(
            SFN.describe_execution(executionArn=executions[0]["executionArn"])["input"])
        self.assertEqual(started["id"], put["Entries"][0]["EventId"])
        self.assertEqual(started["source"], source)
        self.assertEqual(started["detail-type"], "Placed")
        self.assertEqual(started["detail"], {"kind": "big", "n": 1})

    def test_rule_operations_and_errors(self):
        rule = unique("crud")
        EVENTS.put_rule(Name=rule, EventPattern='{"source": ["x"]}', State="DISABLED",
                        Description="d")
        d = EVENTS.describe_rule(Name=rule)
        self.assertEqual((d["State"], d["Description"], d["EventBusName"]),
                         ("DISABLED", "d", "default"))
        EVENTS.enable_rule(Name=rule)
        self.assertEqual(EVENTS.describe_rule(Name=rule)["State"], "ENABLED")
        listed = EVENTS.list_rules(NamePrefix=rule)["Rules"]
        self.assertEqual([r["Name"] for r in listed], [rule])
        target = "arn:aws:sqs:us-east-1:123456789012:" + unique("nowhere")
        EVENTS.put_targets(Rule=rule, Targets=[{"Id": "t", "Arn": target}])
        self.assertEqual([t["Id"] for t in EVENTS.list_targets_by_rule(Rule=rule)["Targets"]],
                         ["t"])
        self.assertEqual(EVENTS.list_rule_names_by_target(TargetArn=target)["RuleNames"], [rule])
        with self.assertRaises(ClientError) as e:
            EVENTS.delete_rule(Name=rule)
        self.assertEqual(code_of(e.exception), "ValidationException")
        EVENTS.remove_targets(Rule=rule, Ids=["t"])
        EVENTS.delete_rule(Name=rule)
        with self.assertRaises(ClientError) as e:
            EVENTS.describe_rule(Name=rule)
        self.assertEqual(code_of(e.exception), "ResourceNotFoundException")
        with self.assertRaises(ClientError) as e:
            EVENTS.put_rule(Name=rule, ScheduleExpression="rate(1 minutes)")
        self.assertEqual(code_of(e.exception), "ValidationException")
        with self.assertRaises(ClientError) as e:  # cron's L: not supported yet, never ignored
            EVENTS.put_rule(Name=rule, ScheduleExpression="cron(0 0 L * ? *)")
        self.assertEqual(code_of(e.exception), "ValidationException")
        scheduled = unique("sched")
        EVENTS.put_rule(Name=scheduled, ScheduleExpression="cron(0 12 ? * MON-FRI *)")
        self.assertEqual(EVENTS.describe_rule(Name=scheduled)["ScheduleExpression"],
                         "cron(0 12 ? * MON-FRI *)")
        EVENTS.delete_rule(Name=scheduled)
        with self.assertRaises(ClientError) as e:
            EVENTS.put_rule(Name=rule, EventPattern='{"source": "not-a-list"}')
        self.assertEqual(code_of(e.exception), "InvalidEventPatternException")


class Tags(unittest.TestCase):
    def test_tag_round_trip(self):
        bus = unique("tagbus")
        bus_arn = EVENTS.create_event_bus(Name=bus, Tags=[{"Key": "team", "Value": "a"}])[
            "EventBusArn"]
        self.assertEqual(EVENTS.list_tags_for_resource(ResourceARN=bus_arn)["Tags"],
                         [{"Key": "team", "Value": "a"}])
        rule = unique("tagrule")
        rule_arn = EVENTS.put_rule(Name=rule, EventBusName=bus, EventPattern='{"source": ["x"]}',
                                   Tags=[{"Key": "owner", "Value": "me"}])["RuleArn"]
        self.assertEqual(rule_arn, f"arn:aws:events:us-east-1:123456789012:rule/{bus}/{rule}")
        self.assertEqual(EVENTS.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                         [{"Key": "owner", "Value": "me"}])
        EVENTS.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "owner", "Value": "you"},
                                                        {"Key": "env", "Value": "test"}])
        self.assertEqual(EVENTS.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                         [{"Key": "owner", "Value": "you"}, {"Key": "env", "Value": "test"}])
        EVENTS.untag_resource(ResourceARN=rule_arn, TagKeys=["owner"])
        self.assertEqual(EVENTS.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                         [{"Key": "env", "Value": "test"}])
        EVENTS.untag_resource(ResourceARN=bus_arn, TagKeys=["team"])
        self.assertEqual(EVENTS.list_tags_for_resource(ResourceARN=bus_arn)["Tags"], [])
        with self.assertRaises(ClientError) as e:
            EVENTS.list_tags_for_resource(ResourceARN=rule_arn + "-missing")
        self.assertEqual(code_of(e.exception), "ResourceNotFoundException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         f"Rule {rule}-missing does not exist on EventBus {bus}.")
        with self.assertRaises(ClientError) as e:
            EVENTS.tag_resource(ResourceARN=bus_arn, Tags=[{"Key": "k" * 129, "Value": "v"}])
        self.assertEqual(code_of(e.exception), "ValidationException")
        EVENTS.delete_rule(Name=rule, EventBusName=bus)
        EVENTS.delete_event_bus(Name=bus)
        with self.assertRaises(ClientError) as e:
            EVENTS.list_tags_for_resource(ResourceARN=bus_arn)
        self.assertEqual(code_of(e.exception), "ResourceNotFoundException")


class Workflows(unittest.TestCase):
    def test_put_events_integration(self):
        d = run_workflow(PUT_EVENTS, {"Entries": [
            {"Source": "orders", "DetailType": "Placed", "Detail": {"id": 7}}]})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["FailedEntryCount"], 0)
        self.assertEqual(list(out["Entries"][0]), ["EventId"])

    def test_put_events_failed_entry(self):
        d = run_workflow(PUT_EVENTS, {"Entries": [
            {"Source": "orders", "DetailType": "Placed", "Detail": {"id": 7}},
            {"Source": "orders", "DetailType": "Placed", "Detail": "\"jsonstring\""}]})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "EventBridge.FailedEntry")
        cause = json.loads(d["cause"])
        self.assertEqual(cause["FailedEntryCount"], 1)
        self.assertEqual(cause["Entries"][1]["ErrorCode"], "MalformedDetail")

    def test_put_events_wait_for_task_token(self):
        arn = SFN.create_state_machine(name=unique("ev-wait"), roleArn=ROLE, definition=json.dumps(
            {"StartAt": "Put", "States": {"Put": {
                "Type": "Task", "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken",
                "Parameters": {"Entries": [{"Source": "approvals", "DetailType": "Asked",
                                            "Detail": {"token.$": "$$.Task.Token"}}]},
                "End": True}}}))["stateMachineArn"]
        ex = SFN.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        token = None
        deadline = time.time() + SETTLE_TIMEOUT_S
        while token is None and time.time() < deadline:
            for e in SFN.get_execution_history(executionArn=ex)["events"]:
                if e["type"] == "TaskSubmitted":
                    submitted = json.loads(e["taskSubmittedEventDetails"]["output"])
                    self.assertEqual(submitted["FailedEntryCount"], 0)
                if e["type"] == "TaskScheduled":
                    params = json.loads(e["taskScheduledEventDetails"]["parameters"])
                    detail = params["Entries"][0]["Detail"]
                    token = detail["token"] if isinstance(detail, dict) else None
            time.sleep(0.05)
        self.assertIsNotNone(token)
        self.assertEqual(SFN.describe_execution(executionArn=ex)["status"], "RUNNING")
        SFN.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
        deadline = time.time() + SETTLE_TIMEOUT_S
        while SFN.describe_execution(executionArn=ex)["status"] == "RUNNING":
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        d = SFN.describe_execution(executionArn=ex)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"approved": True})

    def test_aws_sdk_eventbridge(self):
        name = unique("sdkbus")
        d = run_workflow({"StartAt": "Create", "States": {
            "Create": {"Type": "Task",
                       "Resource": "arn:aws:states:::aws-sdk:eventbridge:createEventBus",
                       "Parameters": {"Name.$": "$.name"}, "ResultPath": "$.created",
                       "Next": "Again"},
            "Again": {"Type": "Task",
                      "Resource": "arn:aws:states:::aws-sdk:eventbridge:createEventBus",
                      "Parameters": {"Name.$": "$.name"}, "End": True}}}, {"name": name})
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "EventBridge.ResourceAlreadyExistsException")
        self.assertEqual(EVENTS.describe_event_bus(Name=name)["Name"], name)


class Durability(unittest.TestCase):
    def test_bus_survives_kill_9(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        data = tempfile.mkdtemp(prefix="stepwise-events-durable-")
        args = ("--store", "sqlite", "--data-dir", data)
        try:
            server = StepwiseServer(binary, log_dir=data, base_args=args)
            server.start()
            events = client("events", server.endpoint)
            arn = events.create_event_bus(Name="durable",
                                          Tags=[{"Key": "t", "Value": "1"}])["EventBusArn"]
            rule_arn = events.put_rule(Name="kept", EventBusName="durable",
                                       EventPattern='{"source": ["s"]}')["RuleArn"]
            events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "r", "Value": "2"}])
            events.put_targets(Rule="kept", EventBusName="durable", Targets=[
                {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:kept"}])
            for _ in range(5):
                events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}",
                                            "EventBusName": "durable"}])
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            again = StepwiseServer(binary, log_dir=data, base_args=args)
            again.start()
            try:
                events = client("events", again.endpoint)
                self.assertEqual(events.describe_event_bus(Name="durable")["Arn"], arn)
                self.assertEqual(events.describe_rule(Name="kept", EventBusName="durable")["State"],
                                 "ENABLED")
                targets = events.list_targets_by_rule(Rule="kept", EventBusName="durable")
                self.assertEqual([t["Id"] for t in targets["Targets"]], ["q"])
                self.assertEqual(events.list_tags_for_resource(ResourceARN=arn)["Tags"],
                                 [{"Key": "t", "Value": "1"}])
                self.assertEqual(events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"],
                                 [{"Key": "r", "Value": "2"}])
            finally:
                self.assertEqual(again.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(f"events clients: botocore {botocore.__version__}", flush=True)
    unittest.main()
