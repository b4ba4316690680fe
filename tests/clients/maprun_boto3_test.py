#!/usr/bin/env python3
"""boto3 against the Map Run API of `stepwise serve`: DescribeMapRun, ListMapRuns, UpdateMapRun
(and its validation errors), ListExecutions(mapRunArn=...) and DescribeExecution /
GetExecutionHistory of a Map Run's child execution, on Distributed Maps with inline items, and
a redrive of a parent whose Map Run failed (the same run redriven, as AWS does).

Run through tests/clients/run.py (suites maprun-boto3 with the newest boto3, maprun-boto3-debian
with Debian's 1.26, whose botocore 1.29 already has the Map Run operations but not the 2023
redrive fields). The shapes are botocore's stepfunctions model; the error texts are those of
docs/ERRORS.md ("Map Runs"). A running Map Run is held by an activity its iterations call, so
the test decides when each child ends.
"""
import json
import os
import time
import unittest
import uuid
import warnings

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("STEPWISE_ENDPOINT", "http://127.0.0.1:8083")
ROLE = "arn:aws:iam::123456789012:role/stepwise-clients"
SETTLE_TIMEOUT_S = 30
POLL_S = 0.05
warnings.simplefilter("ignore", ResourceWarning)


def client(validate=True):
    """validate=False sends what botocore's own checks would refuse (a negative count), so the
    server's answer is what is tested."""
    return boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id="AKIDSTEPWISECLIENTS",
                        aws_secret_access_key="stepwise-clients-secret",
                        config=Config(inject_host_prefix=False, read_timeout=70,
                                      parameter_validation=validate,
                                      retries={"mode": "standard", "max_attempts": 1}))


SFN = client()
RAW = client(validate=False)
MODEL = SFN.meta.service_model
# Debian's botocore 1.29 predates the redrive fields (redriveCount, redriveDate).
HAS_REDRIVE_FIELDS = "redriveCount" in MODEL.operation_model("DescribeMapRun").output_shape.members
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
COUNT_FIELDS = {"pending", "running", "succeeded", "failed", "timedOut", "aborted", "total",
                "resultsWritten"}


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def machine(definition, prefix="maprun"):
    name = unique(prefix)
    arn = SFN.create_state_machine(name=name, definition=json.dumps(definition),
                                   roleArn=ROLE)["stateMachineArn"]
    return name, arn


def wait_until(what, probe, timeout=SETTLE_TIMEOUT_S):
    deadline = time.time() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(POLL_S)


def finished(arn):
    return wait_until(f"{arn} to end", lambda: (
        lambda d: d if d["status"] != "RUNNING" else None)(SFN.describe_execution(executionArn=arn)))


def distributed(processor, **map_fields):
    """A machine of one Distributed Map over $.items, labelled `fanout`."""
    processor = dict(processor, ProcessorConfig={"Mode": "DISTRIBUTED",
                                                 "ExecutionType": "STANDARD"})
    return {"StartAt": "Each", "States": {"Each": dict(
        {"Type": "Map", "Label": "fanout", "ItemsPath": "$.items", "End": True,
         "ItemProcessor": processor}, **map_fields)}}


# Iterations fail for an item with "bad": true.
CHECK = {"StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Default": "Fine",
              "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Boom"}]},
    "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "item refused"},
    "Fine": {"Type": "Pass", "Parameters": {"seen.$": "$.n"}, "End": True}}}


class MapRunCase(unittest.TestCase):
    maxDiff = None

    def assertApiError(self, code, call, message=None, pattern=None):
        with self.assertRaises(ClientError) as caught:
            call()
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, caught.exception.response)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(error["Message"], message)
        if pattern is not None:
            self.assertRegex(error["Message"], pattern)
        return error


class FinishedRunTest(MapRunCase):
    """One Distributed Map over 5 items, the 4th failing, one failure tolerated."""

    @classmethod
    def setUpClass(cls):
        cls.name, cls.machine = machine(distributed(CHECK, MaxConcurrency=2,
                                                    ToleratedFailureCount=1))
        items = [{"n": i, "bad": i == 3} for i in range(5)]
        cls.execution = SFN.start_execution(stateMachineArn=cls.machine,
                                            input=json.dumps({"items": items}))["executionArn"]
        cls.final = finished(cls.execution)
        cls.runs = SFN.list_map_runs(executionArn=cls.execution)["mapRuns"]
        cls.run_arn = cls.runs[0]["mapRunArn"] if cls.runs else None

    def test_the_execution_tolerated_the_failure(self):
        self.assertEqual(self.final["status"], "SUCCEEDED", self.final)

    def test_list_map_runs(self):
        self.assertEqual(len(self.runs), 1, self.runs)
        run = self.runs[0]
        self.assertEqual(run["executionArn"], self.execution)
        self.assertRegex(run["mapRunArn"], rf"^arn:aws:states:us-east-1:123456789012:mapRun:"
                                           rf"{self.name}/fanout:{UUID}$")
        self.assertEqual(run["stateMachineArn"], f"{self.machine}/fanout")
        self.assertLessEqual(run["startDate"], run["stopDate"])
        # The history's MapRunStarted names the same run.
        events = SFN.get_execution_history(executionArn=self.execution)["events"]
        started = [e["mapRunStartedEventDetails"]["mapRunArn"] for e in events
                   if e["type"] == "MapRunStarted"]
        self.assertEqual(started, [run["mapRunArn"]])
        self.assertIn("MapRunSucceeded", [e["type"] for e in events])

    def test_describe_map_run(self):
        run = SFN.describe_map_run(mapRunArn=self.run_arn)
        self.assertEqual(run["mapRunArn"], self.run_arn)
        self.assertEqual(run["executionArn"], self.execution)
        self.assertEqual(run["status"], "SUCCEEDED")
        self.assertLessEqual(run["startDate"], run["stopDate"])
        self.assertEqual(run["maxConcurrency"], 2)
        self.assertEqual(run["toleratedFailureCount"], 1)
        self.assertEqual(run["toleratedFailurePercentage"], 0.0)
        want = {"pending": 0, "running": 0, "succeeded": 4, "failed": 1, "timedOut": 0,
                "aborted": 0, "total": 5, "resultsWritten": 0}
        for counts in ("itemCounts", "executionCounts"):
            self.assertEqual({k: run[counts][k] for k in COUNT_FIELDS}, want, counts)
        if HAS_REDRIVE_FIELDS:
            self.assertEqual(run["redriveCount"], 0)
            self.assertNotIn("redriveDate", run)
            self.assertEqual(run["itemCounts"]["pendingRedrive"], 0)

    def children(self, **kwargs):
        return SFN.list_executions(mapRunArn=self.run_arn, **kwargs)["executions"]

    def test_list_executions_by_map_run(self):
        children = self.children()
        self.assertEqual(len(children), 5)
        self.assertEqual(sorted(c["status"] for c in children), ["FAILED"] + ["SUCCEEDED"] * 4)
        prefix = self.machine.replace(":stateMachine:", ":execution:") + "/fanout:"
        for c in children:
            self.assertEqual(c["mapRunArn"], self.run_arn)
            self.assertEqual(c["stateMachineArn"], f"{self.machine}/fanout")
            self.assertEqual(c["executionArn"], prefix + c["name"])
            self.assertRegex(c["name"], f"^{UUID}$")
            self.assertEqual(c["itemCount"], 1)
            self.assertLessEqual(c["startDate"], c["stopDate"])
        self.assertEqual(len({c["executionArn"] for c in children}), 5)
        failed = self.children(statusFilter="FAILED")
        self.assertEqual([c["status"] for c in failed], ["FAILED"])
        self.assertEqual(self.children(statusFilter="RUNNING"), [])

    def test_children_page_with_next_token_and_the_paginator(self):
        seen, token, pages = [], None, 0
        while True:
            kwargs = {"nextToken": token} if token else {}
            page = SFN.list_executions(mapRunArn=self.run_arn, maxResults=2, **kwargs)
            self.assertLessEqual(len(page["executions"]), 2)
            seen += [c["executionArn"] for c in page["executions"]]
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(c["executionArn"] for c in self.children()))
        paginated = [c["executionArn"] for p in SFN.get_paginator("list_executions").paginate(
            mapRunArn=self.run_arn, PaginationConfig={"PageSize": 2}) for c in p["executions"]]
        self.assertEqual(sorted(paginated), sorted(seen))
        # A token is for the list it came from.
        first = SFN.list_executions(mapRunArn=self.run_arn, maxResults=2)["nextToken"]
        self.assertApiError("InvalidToken", lambda: SFN.list_executions(
            mapRunArn=self.run_arn, statusFilter="FAILED", nextToken=first))

    def test_describe_and_history_of_a_child(self):
        by_status = {}
        for c in self.children():
            by_status.setdefault(c["status"], c)
        ok = SFN.describe_execution(executionArn=by_status["SUCCEEDED"]["executionArn"])
        self.assertEqual(ok["status"], "SUCCEEDED")
        self.assertEqual(ok["mapRunArn"], self.run_arn)
        self.assertEqual(ok["name"], by_status["SUCCEEDED"]["name"])
        item = json.loads(ok["input"])
        self.assertEqual(json.loads(ok["output"]), {"seen": item["n"]})
        self.assertTrue(ok["inputDetails"]["included"])
        bad = SFN.describe_execution(executionArn=by_status["FAILED"]["executionArn"])
        self.assertEqual((bad["status"], bad["error"], bad["cause"]),
                         ("FAILED", "Item.Bad", "item refused"))
        self.assertEqual(json.loads(bad["input"]), {"n": 3, "bad": True})
        self.assertNotIn("output", bad)
        if HAS_REDRIVE_FIELDS:
            self.assertEqual(bad["redriveStatus"], "NOT_REDRIVABLE")
        history = SFN.get_execution_history(executionArn=bad["executionArn"])["events"]
        self.assertEqual([e["type"] for e in history], ["ExecutionStarted", "ExecutionFailed"])
        self.assertEqual(history[1]["executionFailedEventDetails"]["error"], "Item.Bad")

    def test_an_ended_run_cannot_be_updated(self):
        self.assertApiError(
            "ValidationException", lambda: SFN.update_map_run(mapRunArn=self.run_arn,
                                                              maxConcurrency=5),
            f"Map Run {self.run_arn} is SUCCEEDED and cannot be updated")


class RunningRunTest(MapRunCase):
    """A Map Run whose iterations wait on an activity: counts while it runs, UpdateMapRun."""

    def test_update_map_run_while_it_runs(self):
        activity = SFN.create_activity(name=unique("maprun-work"))["activityArn"]
        _, arn = machine(distributed({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": activity, "End": True}}}, MaxConcurrency=1))
        execution = SFN.start_execution(stateMachineArn=arn, input=json.dumps(
            {"items": [{"n": i} for i in range(3)]}))["executionArn"]
        runs = wait_until("a Map Run", lambda: SFN.list_map_runs(executionArn=execution)["mapRuns"])
        run_arn = runs[0]["mapRunArn"]
        self.assertNotIn("stopDate", runs[0])
        described = wait_until("one running child", lambda: (lambda r: r if r["executionCounts"][
            "running"] == 1 else None)(SFN.describe_map_run(mapRunArn=run_arn)))
        self.assertEqual(described["status"], "RUNNING")
        self.assertNotIn("stopDate", described)
        self.assertEqual({k: described["itemCounts"][k] for k in ("pending", "running", "total")},
                         {"pending": 2, "running": 1, "total": 3})
        running = SFN.list_executions(mapRunArn=run_arn, statusFilter="RUNNING")["executions"]
        self.assertEqual(len(running), 1)
        self.assertNotIn("stopDate", running[0])
        child = SFN.describe_execution(executionArn=running[0]["executionArn"])
        self.assertEqual(child["status"], "RUNNING")
        self.assertNotIn("output", child)

        SFN.update_map_run(mapRunArn=run_arn, maxConcurrency=3)
        after = wait_until("three running children", lambda: (lambda r: r if r["executionCounts"][
            "running"] == 3 else None)(SFN.describe_map_run(mapRunArn=run_arn)))
        self.assertEqual(after["maxConcurrency"], 3)
        self.assertEqual(after["itemCounts"]["pending"], 0)
        SFN.update_map_run(mapRunArn=run_arn, toleratedFailurePercentage=50.5)
        SFN.update_map_run(mapRunArn=run_arn, toleratedFailureCount=2)
        after = SFN.describe_map_run(mapRunArn=run_arn)
        self.assertEqual((after["maxConcurrency"], after["toleratedFailurePercentage"],
                          after["toleratedFailureCount"]), (3, 50.5, 2))

        # Two failures are now tolerated: the run succeeds with one.
        for i in range(3):
            task = SFN.get_activity_task(activityArn=activity, workerName="maprun-test")
            self.assertIn("taskToken", task)
            if i == 0:
                SFN.send_task_failure(taskToken=task["taskToken"], error="Work.Failed",
                                      cause="the first one fails")
            else:
                SFN.send_task_success(taskToken=task["taskToken"], output=json.dumps({"i": i}))
        self.assertEqual(finished(execution)["status"], "SUCCEEDED")
        final = SFN.describe_map_run(mapRunArn=run_arn)
        self.assertEqual(final["status"], "SUCCEEDED")
        self.assertEqual({k: final["executionCounts"][k] for k in ("succeeded", "failed", "total")},
                         {"succeeded": 2, "failed": 1, "total": 3})
        self.assertEqual(final["maxConcurrency"], 3)


class RedriveTest(MapRunCase):
    """A parent whose Distributed Map failed, redriven: the same Map Run, its redriveCount and
    redriveDate, only the unsuccessful children again (botocore 1.31+: RedriveExecution)."""

    def test_redriving_the_parent_redrives_the_map_run(self):
        if "RedriveExecution" not in MODEL.operation_names:
            self.skipTest(f"botocore {botocore.__version__} has no RedriveExecution")
        activity = SFN.create_activity(name=unique("maprun-redrive"))["activityArn"]
        _, arn = machine(distributed({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": activity, "End": True}}}, MaxConcurrency=1))
        execution = SFN.start_execution(stateMachineArn=arn, input=json.dumps(
            {"items": [{"n": i} for i in range(3)]}))["executionArn"]
        # Item 0 succeeds, item 1 fails: the run fails with item 2 never started.
        for outcome in ("success", "failure"):
            task = SFN.get_activity_task(activityArn=activity, workerName="maprun-test")
            if outcome == "success":
                SFN.send_task_success(taskToken=task["taskToken"], output='{"ok":0}')
            else:
                SFN.send_task_failure(taskToken=task["taskToken"], error="Work.Failed",
                                      cause="try again")
        self.assertEqual(finished(execution)["status"], "FAILED")
        run_arn = SFN.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
        failed = SFN.describe_map_run(mapRunArn=run_arn)
        self.assertEqual(failed["status"], "FAILED")
        self.assertEqual({k: failed["executionCounts"][k] for k in ("succeeded", "failed",
                                                                    "pending")},
                         {"succeeded": 1, "failed": 1, "pending": 1})
        self.assertEqual(failed["redriveCount"], 0)
        first_child = SFN.list_executions(mapRunArn=run_arn, statusFilter="SUCCEEDED")[
            "executions"][0]

        SFN.redrive_execution(executionArn=execution)
        run = wait_until("the run redriven", lambda: (lambda r: r if r["status"] == "RUNNING"
                                                      else None)(
            SFN.describe_map_run(mapRunArn=run_arn)))
        self.assertEqual(run["redriveCount"], 1)
        self.assertIn("redriveDate", run)
        self.assertNotIn("stopDate", run)
        self.assertEqual(SFN.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"],
                         run_arn)
        for _ in range(2):  # the failed child again, then the one never started
            task = SFN.get_activity_task(activityArn=activity, workerName="maprun-test")
            SFN.send_task_success(taskToken=task["taskToken"], output='{"ok":1}')
        self.assertEqual(finished(execution)["status"], "SUCCEEDED")
        done = SFN.describe_map_run(mapRunArn=run_arn)
        self.assertEqual(done["status"], "SUCCEEDED")
        self.assertEqual(done["redriveCount"], 1)
        self.assertEqual({k: done["executionCounts"][k] for k in ("succeeded", "failed",
                                                                  "pendingRedrive", "total")},
                         {"succeeded": 3, "failed": 0, "pendingRedrive": 0, "total": 3})
        self.assertEqual(len(SFN.list_map_runs(executionArn=execution)["mapRuns"]), 1)
        # The child that had succeeded did not run again.
        again = SFN.describe_execution(executionArn=first_child["executionArn"])
        self.assertEqual(again["startDate"], first_child["startDate"])
        events = SFN.get_execution_history(executionArn=execution)["events"]
        redriven = [e for e in events if e["type"] == "MapRunRedriven"]
        self.assertEqual(len(redriven), 1)
        self.assertEqual(redriven[0]["mapRunRedrivenEventDetails"],
                         {"mapRunArn": run_arn, "redriveCount": 1})
        self.assertEqual([e["type"] for e in events].count("MapRunStarted"), 1)


class ValidationTest(MapRunCase):
    MISSING = "arn:aws:states:us-east-1:123456789012:mapRun:nope/fanout:" \
              "00000000-0000-4000-8000-000000000000"

    @classmethod
    def setUpClass(cls):
        activity = SFN.create_activity(name=unique("maprun-hold"))["activityArn"]
        cls.activity = activity
        _, arn = machine(distributed({"StartAt": "Hold", "States": {
            "Hold": {"Type": "Task", "Resource": activity, "End": True}}}))
        cls.execution = SFN.start_execution(stateMachineArn=arn, input=json.dumps(
            {"items": [{"n": 1}]}))["executionArn"]
        cls.run_arn = wait_until("a Map Run", lambda: SFN.list_map_runs(
            executionArn=cls.execution)["mapRuns"])[0]["mapRunArn"]

    @classmethod
    def tearDownClass(cls):
        SFN.stop_execution(executionArn=cls.execution)

    def test_update_needs_a_field(self):
        self.assertApiError(
            "ValidationException", lambda: SFN.update_map_run(mapRunArn=self.run_arn),
            "At least one of maxConcurrency, toleratedFailurePercentage or "
            "toleratedFailureCount must be given")

    def test_update_fields_out_of_range(self):
        for field, value, bound in (("maxConcurrency", -1, "greater than or equal to 0"),
                                    ("toleratedFailureCount", -2, "greater than or equal to 0"),
                                    ("toleratedFailurePercentage", -0.5,
                                     "greater than or equal to 0"),
                                    ("toleratedFailurePercentage", 100.5,
                                     "less than or equal to 100")):
            with self.subTest(field=field, value=value):
                error = self.assertApiError("ValidationException", lambda: RAW.update_map_run(
                    mapRunArn=self.run_arn, **{field: value}))
                self.assertIn(field, error["Message"])
                self.assertIn(f"Member must have value {bound}", error["Message"])
        # Nothing changed.
        run = SFN.describe_map_run(mapRunArn=self.run_arn)
        self.assertEqual((run["maxConcurrency"], run["toleratedFailureCount"],
                          run["toleratedFailurePercentage"]), (0, 0, 0.0))

    def test_unknown_map_run(self):
        message = f"Resource not found: '{self.MISSING}'"
        self.assertApiError("ResourceNotFound",
                            lambda: SFN.describe_map_run(mapRunArn=self.MISSING), message)
        self.assertApiError("ResourceNotFound",
                            lambda: SFN.update_map_run(mapRunArn=self.MISSING, maxConcurrency=1),
                            message)
        self.assertApiError("ResourceNotFound",
                            lambda: SFN.list_executions(mapRunArn=self.MISSING), message)

    def test_malformed_arns(self):
        for bad in ("not-an-arn",
                    self.execution,  # an execution's ARN where a Map Run's belongs
                    "arn:aws:states:us-east-1:123456789012:mapRun:"):
            with self.subTest(arn=bad):
                self.assertApiError("InvalidArn",
                                    lambda: SFN.describe_map_run(mapRunArn=bad),
                                    pattern=r"^Invalid Arn")
                self.assertApiError("InvalidArn", lambda: SFN.update_map_run(
                    mapRunArn=bad, maxConcurrency=1), pattern=r"^Invalid Arn")

    def test_list_map_runs_of_unknown_execution(self):
        missing = self.execution.rsplit(":", 1)[0] + ":no-such-execution"
        self.assertApiError("ExecutionDoesNotExist",
                            lambda: SFN.list_map_runs(executionArn=missing))
        self.assertApiError("InvalidArn", lambda: SFN.list_map_runs(executionArn="nope"))

    def test_list_executions_takes_one_arn(self):
        machine_arn = SFN.describe_execution(executionArn=self.execution)["stateMachineArn"]
        self.assertApiError("ValidationException", lambda: SFN.list_executions(
            stateMachineArn=machine_arn, mapRunArn=self.run_arn),
            "Must provide only a StateMachine ARN or MapRun ARN")

    def test_a_map_run_is_not_an_execution(self):
        self.assertApiError("InvalidArn",
                            lambda: SFN.describe_execution(executionArn=self.run_arn))


if __name__ == "__main__":
    print(f"botocore {botocore.__version__}; redrive fields in the model: {HAS_REDRIVE_FIELDS}")
    unittest.main()
