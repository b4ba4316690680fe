#!/usr/bin/env python3
"""boto3 against the built-in EventBridge (minimal) of `stepwise serve`, and workflows calling it.

Run through tests/clients/run.py (suites events-boto3 and events-boto3-debian: the newest boto3
and Debian's 1.26, both AWS JSON 1.1). Buses and PutEvents' answers as AWS gives them; the
events:putEvents integration, its failed-entry error; a second server on an SQLite store shows
that an acknowledged custom bus survives kill -9.
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
            arn = events.create_event_bus(Name="durable")["EventBusArn"]
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
            finally:
                self.assertEqual(again.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(f"events clients: botocore {botocore.__version__}", flush=True)
    unittest.main()
