#!/usr/bin/env python3
"""boto3 against `stepwise serve`: every operation of issue 3, with AWS's answers and errors.

Run through tests/clients/run.py, which starts the server and sets STEPWISE_ENDPOINT (and
STEPWISE_BIN, used here to start a second server with --auth-keys). Expected texts come from
AWS's API reference and the recorded conformance cases (../shared/conformance/cases).

An operation missing from the installed botocore's service model (Debian's boto3 1.26 predates
versions, aliases, TestState, RedriveExecution and ValidateStateMachineDefinition) is skipped,
unless STEPWISE_BOTO3_REQUIRE_ALL=1, which makes it a failure: run.py sets that for the suite run
with the newest boto3 on the machine, so CI covers every operation at least once.
"""
import http.client
import http.server
import json
import os
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
REQUIRE_ALL = os.environ.get("STEPWISE_BOTO3_REQUIRE_ALL") == "1"
ROLE = "arn:aws:iam::123456789012:role/stepwise-clients"
POLL_S = 0.05          # DescribeExecution polling interval
SETTLE_TIMEOUT_S = 30  # an execution of Pass/Choice states finishes far faster than this


def make_client(endpoint=ENDPOINT, key="AKIDSTEPWISECLIENTS", secret="stepwise-clients-secret"):
    """The client a user writes: endpoint, any credentials, no host prefix (StartSyncExecution)
    and a read timeout above the ~55 s long poll of GetActivityTask."""
    return boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(inject_host_prefix=False, read_timeout=70, connect_timeout=5,
                      retries={"mode": "standard", "max_attempts": 1}))


SFN = make_client()
# Clients made in worker threads are left to the garbage collector: their sockets are noise.
warnings.simplefilter("ignore", ResourceWarning)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def needs(operation):
    """Skip (or fail with REQUIRE_ALL) when botocore's model lacks the operation."""
    def wrap(test):
        def run(self, *args, **kwargs):
            if operation not in SFN.meta.service_model.operation_names:
                message = f"botocore {botocore.__version__} has no {operation}"
                if REQUIRE_ALL:
                    self.fail(message)
                self.skipTest(message)
            return test(self, *args, **kwargs)
        run.__name__ = test.__name__
        run.__doc__ = test.__doc__
        return run
    return wrap


# --- definitions -----------------------------------------------------------------------------

PASS_DEF = {
    "Comment": "one Pass state",
    "StartAt": "Hello",
    "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "ResultPath": "$.pass",
                         "End": True}},
}

# Five states, all visited for a small n: Init → Double → Check → Label → Done.
FIVE_STATE_DEF = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Parameters": {"n.$": "$.n", "tag": "five"}, "Next": "Double"},
        "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)",
                                                   "tag.$": "$.tag"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Default": "Label",
                  "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1000, "Next": "Done"}]},
        "Label": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

FAIL_DEF = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Clients.Boom", "Cause": "failed on purpose"}},
}


def activity_def(activity_arn):
    return {"StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": activity_arn, "End": True}}}


# A callback: the token goes to a local function (fixtures/functions.json) and the execution
# waits until someone answers with SendTaskSuccess/Failure.
CALLBACK_DEF = {
    "StartAt": "WaitForHuman",
    "States": {"WaitForHuman": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "clients-echo",
                       "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
        "End": True}},
}

LAMBDA_DEF = {
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:clients-echo",
                        "End": True}},
}

# Named as in fixtures/mock-config.json: its test cases mock the CallService state.
MOCKED_DEF = {
    "StartAt": "CallService",
    "States": {"CallService": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "not-a-local-function", "Payload.$": "$"},
        "OutputPath": "$.Payload", "End": True}},
}


def create_machine(definition, name=None, machine_type="STANDARD", **extra):
    return SFN.create_state_machine(name=name or unique("sm"), definition=json.dumps(definition),
                                    roleArn=ROLE, type=machine_type, **extra)


def wait_closed(execution_arn, timeout_s=SETTLE_TIMEOUT_S, client=SFN):
    """Polls DescribeExecution until the execution leaves RUNNING; returns the description."""
    deadline = time.monotonic() + timeout_s
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(POLL_S)


def history(execution_arn, **kwargs):
    events, token = [], None
    while True:
        page = SFN.get_execution_history(executionArn=execution_arn, **kwargs,
                                         **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def wait_for_event(execution_arn, event_type, timeout_s=SETTLE_TIMEOUT_S):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in history(execution_arn):
            if event["type"] == event_type:
                return event
        time.sleep(POLL_S)
    raise AssertionError(f"no {event_type} event in {execution_arn} within {timeout_s} s")


class ApiTestCase(unittest.TestCase):
    maxDiff = None

    def assertApiError(self, code, call, message=None, message_prefix=None):
        """The call fails with HTTP 400, `code` as the error code and (if given) AWS's text."""
        with self.assertRaises(ClientError) as caught:
            call()
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, caught.exception.response)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(error["Message"], message)
        if message_prefix is not None:
            self.assertTrue(error["Message"].startswith(message_prefix), error["Message"])
        return error


# --- state machines --------------------------------------------------------------------------

class StateMachineTest(ApiTestCase):
    def test_create_is_idempotent_and_describe_returns_what_was_created(self):
        name = unique("create")
        first = create_machine(PASS_DEF, name=name)
        again = create_machine(PASS_DEF, name=name)
        self.assertEqual(first["stateMachineArn"], again["stateMachineArn"])
        self.assertTrue(first["stateMachineArn"].endswith(f":stateMachine:{name}"))
        self.assertTrue(first["stateMachineArn"].startswith("arn:aws:states:"))
        described = SFN.describe_state_machine(stateMachineArn=first["stateMachineArn"])
        self.assertEqual(described["name"], name)
        self.assertEqual(described["status"], "ACTIVE")
        self.assertEqual(described["type"], "STANDARD")
        self.assertEqual(described["roleArn"], ROLE)
        self.assertEqual(json.loads(described["definition"]), PASS_DEF)
        self.assertEqual(described["creationDate"], first["creationDate"])

    def test_create_with_same_name_and_other_definition_is_rejected(self):
        arn = create_machine(PASS_DEF, name=unique("dup"))["stateMachineArn"]
        name = arn.rsplit(":", 1)[1]
        self.assertApiError("StateMachineAlreadyExists",
                            lambda: create_machine(FAIL_DEF, name=name),
                            message=f"State Machine Already Exists: '{arn}'")

    def test_create_rejects_bad_definitions_and_names(self):
        self.assertApiError("InvalidDefinition", lambda: SFN.create_state_machine(
            name=unique("bad"), definition="{not json", roleArn=ROLE),
            message_prefix="Invalid State Machine Definition: ")
        missing_next = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
        error = self.assertApiError("InvalidDefinition", lambda: create_machine(missing_next),
                                    message_prefix="Invalid State Machine Definition: ")
        self.assertIn("MISSING_TRANSITION_TARGET", error["Message"])
        self.assertApiError("InvalidName", lambda: create_machine(PASS_DEF, name="bad name"),
                            message="Invalid Name: 'bad name'")

    def test_describe_errors_name_the_arn(self):
        self.assertApiError("InvalidArn", lambda: SFN.describe_state_machine(
            stateMachineArn="not_a_valid_arn"),
            message="Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
        arn = create_machine(PASS_DEF)["stateMachineArn"] + "-nonexistent"
        self.assertApiError("StateMachineDoesNotExist",
                            lambda: SFN.describe_state_machine(stateMachineArn=arn),
                            message=f"State Machine Does Not Exist: '{arn}'")

    def test_update_changes_the_definition(self):
        arn = create_machine(PASS_DEF)["stateMachineArn"]
        updated = SFN.update_state_machine(stateMachineArn=arn,
                                           definition=json.dumps(FIVE_STATE_DEF))
        self.assertIn("updateDate", updated)
        described = SFN.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(json.loads(described["definition"]), FIVE_STATE_DEF)
        run = SFN.start_execution(stateMachineArn=arn, input='{"n": 600}')["executionArn"]
        self.assertEqual(json.loads(wait_closed(run)["output"]), {"n": 1200, "tag": "five"})
        self.assertApiError(
            "MissingRequiredParameter", lambda: SFN.update_state_machine(stateMachineArn=arn),
            message="Either the definition, the role ARN, the LoggingConfiguration, "
                    "or the TracingConfiguration must be specified")

    def test_delete_makes_the_machine_disappear(self):
        arn = create_machine(PASS_DEF)["stateMachineArn"]
        self.assertEqual(set(SFN.delete_state_machine(stateMachineArn=arn)) - {"ResponseMetadata"},
                         set())
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:  # deletion is asynchronous on AWS (DELETING first)
            try:
                self.assertEqual(SFN.describe_state_machine(stateMachineArn=arn)["status"],
                                 "DELETING")
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "StateMachineDoesNotExist")
                break
            time.sleep(POLL_S)
        arns = [m["stateMachineArn"] for m in SFN.list_state_machines()["stateMachines"]]
        self.assertNotIn(arn, arns)

    def test_list_state_machines_pages_with_next_token(self):
        prefix = unique("page")
        made = {create_machine(PASS_DEF, name=f"{prefix}-{i}")["stateMachineArn"]
                for i in range(5)}
        seen, token, pages = [], None, 0
        while True:
            page = SFN.list_state_machines(maxResults=2, **({"nextToken": token} if token else {}))
            self.assertLessEqual(len(page["stateMachines"]), 2)
            seen += [m["stateMachineArn"] for m in page["stateMachines"]]
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        self.assertGreaterEqual(pages, 3)
        self.assertEqual(len(seen), len(set(seen)), "a machine listed twice")
        self.assertLessEqual(made, set(seen))
        listed = {m["stateMachineArn"]: m for m in SFN.list_state_machines()["stateMachines"]}
        some = listed[sorted(made)[0]]
        self.assertEqual(some["type"], "STANDARD")
        self.assertTrue(some["name"].startswith(prefix))
        self.assertIn("creationDate", some)
        # The paginator botocore ships walks the same pages.
        via_paginator = [m["stateMachineArn"] for p in SFN.get_paginator(
            "list_state_machines").paginate(PaginationConfig={"PageSize": 2})
            for m in p["stateMachines"]]
        self.assertLessEqual(made, set(via_paginator))

    def test_list_rejects_max_results_over_1000(self):
        self.assertApiError(
            "ValidationException", lambda: SFN.list_state_machines(maxResults=1001),
            message="1 validation error detected: Value '1001' at 'maxResults' failed to "
                    "satisfy constraint: Member must have value less than or equal to 1000")


# --- executions ------------------------------------------------------------------------------

class ExecutionTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pass_arn = create_machine(PASS_DEF)["stateMachineArn"]
        cls.fail_arn = create_machine(FAIL_DEF)["stateMachineArn"]
        cls.activity_arn = SFN.create_activity(name=unique("never-worked"))["activityArn"]
        cls.waiting_arn = create_machine(activity_def(cls.activity_arn))["stateMachineArn"]

    def test_start_and_describe_a_succeeded_execution(self):
        started = SFN.start_execution(stateMachineArn=self.pass_arn, name="first",
                                      input=json.dumps({"a": 1}))
        machine_name = self.pass_arn.rsplit(":", 1)[1]
        self.assertTrue(started["executionArn"].endswith(f":execution:{machine_name}:first"))
        described = wait_closed(started["executionArn"])
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(described["name"], "first")
        self.assertEqual(described["stateMachineArn"], self.pass_arn)
        self.assertEqual(json.loads(described["input"]), {"a": 1})
        self.assertEqual(json.loads(described["output"]), {"a": 1, "pass": {"greeting": "hi"}})
        self.assertEqual(described["startDate"], started["startDate"])
        self.assertGreaterEqual(described["stopDate"], described["startDate"])

    def test_start_without_name_or_input_uses_a_uuid_and_empty_object(self):
        started = SFN.start_execution(stateMachineArn=self.pass_arn)
        name = started["executionArn"].rsplit(":", 1)[1]
        self.assertEqual(str(uuid.UUID(name)), name)
        self.assertEqual(json.loads(wait_closed(started["executionArn"])["input"]), {})

    def test_failed_execution_reports_error_and_cause(self):
        arn = SFN.start_execution(stateMachineArn=self.fail_arn)["executionArn"]
        described = wait_closed(arn)
        self.assertEqual(described["status"], "FAILED")
        self.assertEqual(described["error"], "Clients.Boom")
        self.assertEqual(described["cause"], "failed on purpose")
        self.assertNotIn("output", described)

    def test_start_is_idempotent_by_name_and_input_while_running(self):
        first = SFN.start_execution(stateMachineArn=self.waiting_arn, name="idem", input="{}")
        again = SFN.start_execution(stateMachineArn=self.waiting_arn, name="idem", input="{}")
        self.assertEqual(first["executionArn"], again["executionArn"])
        self.assertEqual(first["startDate"], again["startDate"])
        self.assertApiError("ExecutionAlreadyExists", lambda: SFN.start_execution(
            stateMachineArn=self.waiting_arn, name="idem", input='{"other": true}'),
            message=f"Execution Already Exists: '{first['executionArn']}'")
        SFN.stop_execution(executionArn=first["executionArn"])

    def test_a_closed_execution_name_cannot_be_reused(self):
        arn = SFN.start_execution(stateMachineArn=self.pass_arn, name="once")["executionArn"]
        wait_closed(arn)
        self.assertApiError("ExecutionAlreadyExists", lambda: SFN.start_execution(
            stateMachineArn=self.pass_arn, name="once"),
            message=f"Execution Already Exists: '{arn}'")

    def test_start_rejects_input_that_is_not_json(self):
        self.assertApiError("InvalidExecutionInput", lambda: SFN.start_execution(
            stateMachineArn=self.pass_arn, input="not some json"),
            message_prefix="Invalid State Machine Execution Input: ")

    def test_start_on_a_missing_machine_names_it(self):
        arn = self.pass_arn + "-gone"
        self.assertApiError("StateMachineDoesNotExist",
                            lambda: SFN.start_execution(stateMachineArn=arn),
                            message=f"State Machine Does Not Exist: '{arn}'")

    def test_describe_execution_errors(self):
        missing = self.pass_arn.replace(":stateMachine:", ":execution:") + ":no-such-run"
        self.assertApiError("ExecutionDoesNotExist",
                            lambda: SFN.describe_execution(executionArn=missing),
                            message=f"Execution Does Not Exist: '{missing}'")
        self.assertApiError("InvalidArn", lambda: SFN.describe_execution(
            executionArn="invalid_state_machine_arn"),
            message="Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")

    def test_describe_state_machine_for_execution_returns_the_definition_it_ran(self):
        arn = create_machine(PASS_DEF)["stateMachineArn"]
        execution = SFN.start_execution(stateMachineArn=arn)["executionArn"]
        wait_closed(execution)
        SFN.update_state_machine(stateMachineArn=arn, definition=json.dumps(FIVE_STATE_DEF))
        described = SFN.describe_state_machine_for_execution(executionArn=execution)
        self.assertEqual(described["stateMachineArn"], arn)
        self.assertEqual(json.loads(described["definition"]), PASS_DEF)
        self.assertEqual(described["roleArn"], ROLE)
        self.assertIn("updateDate", described)

    def test_stop_aborts_a_running_execution_with_error_and_cause(self):
        arn = SFN.start_execution(stateMachineArn=self.waiting_arn)["executionArn"]
        wait_for_event(arn, "ActivityScheduled")
        stopped = SFN.stop_execution(executionArn=arn, error="Clients.Stop", cause="enough")
        self.assertIn("stopDate", stopped)
        described = SFN.describe_execution(executionArn=arn)
        self.assertEqual(described["status"], "ABORTED")
        self.assertEqual(described["error"], "Clients.Stop")
        self.assertEqual(described["cause"], "enough")
        last = SFN.get_execution_history(executionArn=arn, reverseOrder=True,
                                         maxResults=1)["events"][0]
        self.assertEqual(last["type"], "ExecutionAborted")
        self.assertEqual(last["executionAbortedEventDetails"],
                         {"error": "Clients.Stop", "cause": "enough"})

    def test_list_executions_filters_by_status_and_pages(self):
        arn = create_machine(activity_def(self.activity_arn))["stateMachineArn"]
        running = [SFN.start_execution(stateMachineArn=arn, name=f"run-{i}")["executionArn"]
                   for i in range(3)]
        SFN.stop_execution(executionArn=running[0])
        seen, token = [], None
        while True:
            page = SFN.list_executions(stateMachineArn=arn, maxResults=1,
                                       **({"nextToken": token} if token else {}))
            self.assertLessEqual(len(page["executions"]), 1)
            seen += page["executions"]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(sorted(e["executionArn"] for e in seen), sorted(running))
        self.assertEqual([e["name"] for e in seen], ["run-2", "run-1", "run-0"],
                         "newest first, as AWS lists them")
        only_running = SFN.list_executions(stateMachineArn=arn, statusFilter="RUNNING")
        self.assertEqual(sorted(e["executionArn"] for e in only_running["executions"]),
                         sorted(running[1:]))
        aborted = SFN.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
        self.assertEqual([e["executionArn"] for e in aborted], running[:1])
        self.assertEqual(aborted[0]["status"], "ABORTED")
        self.assertEqual(aborted[0]["stateMachineArn"], arn)
        for execution in running[1:]:
            SFN.stop_execution(executionArn=execution)

    def test_list_executions_errors(self):
        self.assertApiError(
            "ValidationException", lambda: SFN.list_executions(
                stateMachineArn=self.pass_arn, statusFilter="succeeded"),
            message="1 validation error detected: Value 'succeeded' at 'statusFilter' failed "
                    "to satisfy constraint: Member must satisfy enum value set: "
                    "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]")
        self.assertApiError("InvalidArn", lambda: SFN.list_executions(
            stateMachineArn="invalid_state_machine_arn"),
            message="Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")
        missing = self.pass_arn + "-gone"
        self.assertApiError("StateMachineDoesNotExist",
                            lambda: SFN.list_executions(stateMachineArn=missing),
                            message=f"State Machine Does Not Exist: '{missing}'")

    def test_history_in_order_reversed_paged_and_without_data(self):
        arn = SFN.start_execution(stateMachineArn=self.pass_arn,
                                  input=json.dumps({"k": "v"}))["executionArn"]
        wait_closed(arn)
        events = SFN.get_execution_history(executionArn=arn)["events"]
        self.assertEqual([e["type"] for e in events],
                         ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                          "ExecutionSucceeded"])
        self.assertEqual([e["id"] for e in events], [1, 2, 3, 4])
        self.assertEqual(events[0]["previousEventId"], 0)
        self.assertEqual(events[2]["previousEventId"], 2)
        started = events[0]["executionStartedEventDetails"]
        self.assertEqual(json.loads(started["input"]), {"k": "v"})
        self.assertEqual(started["roleArn"], ROLE)
        self.assertEqual(events[1]["stateEnteredEventDetails"]["name"], "Hello")
        self.assertEqual(json.loads(events[3]["executionSucceededEventDetails"]["output"]),
                         {"k": "v", "pass": {"greeting": "hi"}})
        self.assertTrue(all("timestamp" in e for e in events))

        reversed_events = SFN.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
        self.assertEqual([e["id"] for e in reversed_events], [4, 3, 2, 1])

        paged = history(arn, maxResults=1)
        self.assertEqual([e["id"] for e in paged], [1, 2, 3, 4])
        paged_back = history(arn, maxResults=3, reverseOrder=True)
        self.assertEqual([e["id"] for e in paged_back], [4, 3, 2, 1])

        bare = SFN.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
        self.assertNotIn("input", bare[0]["executionStartedEventDetails"])
        self.assertNotIn("output", bare[3]["executionSucceededEventDetails"])
        self.assertEqual(bare[1]["stateEnteredEventDetails"]["name"], "Hello")

    def test_history_errors(self):
        self.assertApiError("InvalidArn", lambda: SFN.get_execution_history(
            executionArn="invalid_state_machine_arn"),
            message="Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")
        arn = SFN.start_execution(stateMachineArn=self.pass_arn)["executionArn"]
        self.assertApiError("ValidationException", lambda: SFN.get_execution_history(
            executionArn=arn, maxResults=1001),
            message="1 validation error detected: Value '1001' at 'maxResults' failed to "
                    "satisfy constraint: Member must have value less than or equal to 1000")

    def test_local_function_task(self):
        arn = create_machine(LAMBDA_DEF)["stateMachineArn"]
        execution = SFN.start_execution(stateMachineArn=arn, input='{"x": [1, 2]}')
        described = wait_closed(execution["executionArn"])
        self.assertEqual(described["status"], "SUCCEEDED", described)
        self.assertEqual(json.loads(described["output"]), {"echoed": {"x": [1, 2]}})

    def test_mock_config_test_case_runs_on_arn_hash_name(self):
        arn = create_machine(MOCKED_DEF, name="ClientsMocked")["stateMachineArn"]
        happy = SFN.start_execution(stateMachineArn=arn + "#HappyPath", input="{}")
        described = wait_closed(happy["executionArn"])
        self.assertEqual(described["status"], "SUCCEEDED", described)
        self.assertEqual(json.loads(described["output"]), {"mocked": "yes"})
        sad = SFN.start_execution(stateMachineArn=arn + "#SadPath", input="{}")
        described = wait_closed(sad["executionArn"])
        self.assertEqual(described["status"], "FAILED")
        self.assertEqual(described["error"], "Mocked.Error")
        self.assertEqual(described["cause"], "mocked failure")


# --- express and StartSyncExecution ----------------------------------------------------------

class SyncExecutionTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.express_arn = create_machine(FIVE_STATE_DEF, machine_type="EXPRESS")["stateMachineArn"]

    def test_sync_execution_returns_the_output(self):
        answer = SFN.start_sync_execution(stateMachineArn=self.express_arn, name="sync-1",
                                          input=json.dumps({"n": 3}))
        self.assertEqual(answer["status"], "SUCCEEDED")
        self.assertEqual(json.loads(answer["output"]), {"n": 6, "tag": "five", "size": "small"})
        self.assertEqual(json.loads(answer["input"]), {"n": 3})
        self.assertEqual(answer["name"], "sync-1")
        self.assertEqual(answer["stateMachineArn"], self.express_arn)
        self.assertIn(":express:", answer["executionArn"])
        self.assertGreaterEqual(answer["stopDate"], answer["startDate"])

    def test_a_sync_prefixed_host_header_is_served(self):
        """What a client sends when its `sync-` host resolves (e.g. through /etc/hosts): the
        server must not care about Host. Sent raw, as botocore would not send it here."""
        port = int(ENDPOINT.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = json.dumps({"stateMachineArn": self.express_arn, "input": '{"n": 2}'})
        connection.request("POST", "/", body=body, headers={
            "Host": f"sync-localhost.stepwise:{port}",
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AWSStepFunctions.StartSyncExecution"})
        answer = connection.getresponse()
        payload = json.loads(answer.read())
        connection.close()
        self.assertEqual(answer.status, 200, payload)
        self.assertEqual(payload["status"], "SUCCEEDED")
        self.assertEqual(json.loads(payload["output"]), {"n": 4, "tag": "five", "size": "small"})

    def test_sync_execution_reports_a_failure(self):
        arn = create_machine(FAIL_DEF, machine_type="EXPRESS")["stateMachineArn"]
        answer = SFN.start_sync_execution(stateMachineArn=arn)
        self.assertEqual(answer["status"], "FAILED")
        self.assertEqual(answer["error"], "Clients.Boom")
        self.assertEqual(answer["cause"], "failed on purpose")

    def test_sync_execution_needs_an_express_machine(self):
        arn = create_machine(PASS_DEF)["stateMachineArn"]
        self.assertApiError("StateMachineTypeNotSupported",
                            lambda: SFN.start_sync_execution(stateMachineArn=arn, input="{}"),
                            message="This operation is not supported by this type of state "
                                    "machine")

    def test_express_executions_have_no_describe_or_history(self):
        arn = SFN.start_execution(stateMachineArn=self.express_arn,
                                  input='{"n": 1}')["executionArn"]
        self.assertIn(":express:", arn)
        message = "Invalid Arn: 'Resource type not valid in this context: express'"
        self.assertApiError("InvalidArn", lambda: SFN.describe_execution(executionArn=arn),
                            message=message)
        self.assertApiError("InvalidArn", lambda: SFN.get_execution_history(executionArn=arn),
                            message=message)
        self.assertApiError("StateMachineTypeNotSupported", lambda: SFN.list_executions(
            stateMachineArn=self.express_arn),
            message="This operation is not supported by this type of state machine")


# --- activities ------------------------------------------------------------------------------

class ActivityTest(ApiTestCase):
    def test_create_describe_list_delete(self):
        name = unique("act")
        created = SFN.create_activity(name=name)
        self.assertTrue(created["activityArn"].endswith(f":activity:{name}"))
        self.assertEqual(SFN.create_activity(name=name)["activityArn"], created["activityArn"])
        described = SFN.describe_activity(activityArn=created["activityArn"])
        self.assertEqual(described["name"], name)
        self.assertEqual(described["creationDate"], created["creationDate"])
        listed = [a for p in SFN.get_paginator("list_activities").paginate(
            PaginationConfig={"PageSize": 1}) for a in p["activities"]]
        self.assertIn(created["activityArn"], [a["activityArn"] for a in listed])
        SFN.delete_activity(activityArn=created["activityArn"])
        self.assertApiError("ActivityDoesNotExist", lambda: SFN.describe_activity(
            activityArn=created["activityArn"]),
            message=f"Activity Does Not Exist: '{created['activityArn']}'")
        self.assertApiError("ActivityDoesNotExist", lambda: SFN.get_activity_task(
            activityArn=created["activityArn"]),
            message=f"Activity Does Not Exist: '{created['activityArn']}'")

    def test_activity_names_are_checked(self):
        for bad in ["activity name", "activity#name", "activity?name", "activity{name"]:
            self.assertApiError("InvalidName", lambda: SFN.create_activity(name=bad),
                                message=f"Invalid Name: '{bad}'")

    def test_worker_loop_completes_executions(self):
        """A worker thread long-polls GetActivityTask and answers each task: success with a
        heartbeat first, or failure when the input asks for it."""
        activity = SFN.create_activity(name=unique("worker"))["activityArn"]
        machine = create_machine(activity_def(activity))["stateMachineArn"]
        handled = []

        def worker():
            client = make_client()  # a client per thread, as boto3 advises
            while True:  # until the sentinel task {"last": true}
                task = client.get_activity_task(activityArn=activity, workerName="w1")
                if not task.get("taskToken"):
                    continue  # an empty poll: {} after the long-poll time
                work = json.loads(task["input"])
                handled.append(work["i"])
                client.send_task_heartbeat(taskToken=task["taskToken"])
                if work.get("fail"):
                    client.send_task_failure(taskToken=task["taskToken"],
                                             error="Worker.Refused", cause=f"item {work['i']}")
                else:
                    client.send_task_success(taskToken=task["taskToken"],
                                             output=json.dumps({"done": work["i"] * 10}))
                if work.get("last"):
                    return

        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        try:
            runs = [SFN.start_execution(stateMachineArn=machine,
                                        input=json.dumps({"i": i, "fail": i == 2}))
                    ["executionArn"] for i in range(4)]
            results = [wait_closed(arn, timeout_s=60) for arn in runs]
        finally:  # the sentinel ends the worker, whatever happened above
            last = SFN.start_execution(stateMachineArn=machine,
                                       input='{"i": 9, "last": true}')["executionArn"]
            thread.join(timeout=70)
        self.assertFalse(thread.is_alive())
        self.assertEqual(wait_closed(last)["status"], "SUCCEEDED")
        for i, described in enumerate(results):
            if i == 2:
                self.assertEqual(described["status"], "FAILED", described)
                self.assertEqual(described["error"], "Worker.Refused")
                self.assertEqual(described["cause"], "item 2")
            else:
                self.assertEqual(described["status"], "SUCCEEDED", described)
                self.assertEqual(json.loads(described["output"]), {"done": i * 10})
        self.assertEqual(sorted(handled), [0, 1, 2, 3, 9])
        types = [e["type"] for e in history(runs[0])]
        for expected in ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]:
            self.assertIn(expected, types)
        started = next(e for e in history(runs[0]) if e["type"] == "ActivityStarted")
        self.assertEqual(started["activityStartedEventDetails"]["workerName"], "w1")

    def test_an_empty_poll_answers_without_a_task_within_a_minute(self):
        """AWS holds GetActivityTask up to 60 s, then answers {} (no taskToken). ~55 s here, so
        only the full-model run (STEPWISE_BOTO3_REQUIRE_ALL) waits for it."""
        if not REQUIRE_ALL:
            self.skipTest("slow (up to ~55 s): run once, in the clients_boto3 suite")
        activity = SFN.create_activity(name=unique("idle"))["activityArn"]
        began = time.monotonic()
        answer = SFN.get_activity_task(activityArn=activity, workerName="idle")
        elapsed = time.monotonic() - began
        self.assertNotIn("taskToken", answer)
        self.assertNotIn("input", answer)
        self.assertLess(elapsed, 62, "the poll must end before the SDKs' 60 s read timeout")

    def test_task_tokens_are_checked(self):
        self.assertApiError("InvalidToken",
                            lambda: SFN.send_task_success(taskToken="NoSuchTaskToken",
                                                          output="{}"),
                            message="Invalid Token: 'Invalid token'")
        self.assertApiError("InvalidToken",
                            lambda: SFN.send_task_failure(taskToken="NoSuchTaskToken"))
        self.assertApiError("InvalidToken",
                            lambda: SFN.send_task_heartbeat(taskToken="NoSuchTaskToken"))

    def test_a_used_token_is_rejected(self):
        activity = SFN.create_activity(name=unique("once"))["activityArn"]
        machine = create_machine(activity_def(activity))["stateMachineArn"]
        execution = SFN.start_execution(stateMachineArn=machine, input='{"v": 1}')["executionArn"]
        task = SFN.get_activity_task(activityArn=activity)
        self.assertEqual(json.loads(task["input"]), {"v": 1})
        SFN.send_task_success(taskToken=task["taskToken"], output='{"v": 2}')
        self.assertEqual(json.loads(wait_closed(execution)["output"]), {"v": 2})
        self.assertApiError("TaskTimedOut", lambda: SFN.send_task_success(
            taskToken=task["taskToken"], output="{}"))

    def test_output_must_be_json(self):
        activity = SFN.create_activity(name=unique("badout"))["activityArn"]
        machine = create_machine(activity_def(activity))["stateMachineArn"]
        execution = SFN.start_execution(stateMachineArn=machine)["executionArn"]
        token = SFN.get_activity_task(activityArn=activity)["taskToken"]
        self.assertApiError("InvalidOutput", lambda: SFN.send_task_success(
            taskToken=token, output="not json"), message_prefix="Invalid Output: ")
        SFN.send_task_failure(taskToken=token, error="Clients.Gave.Up")
        self.assertEqual(wait_closed(execution)["error"], "Clients.Gave.Up")


# --- callbacks (.waitForTaskToken) -------------------------------------------------------------

ANSWER_SCRIPT = """
import sys, boto3
from botocore.config import Config
endpoint, token, output = sys.argv[1:4]
sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="AKIDOTHER", aws_secret_access_key="other",
                   config=Config(retries={"mode": "standard", "max_attempts": 1}))
sfn.send_task_success(taskToken=token, output=output)
print("answered")
"""


class CallbackTest(ApiTestCase):
    def test_wait_for_task_token_answered_by_another_process(self):
        machine = create_machine(CALLBACK_DEF)["stateMachineArn"]
        execution = SFN.start_execution(stateMachineArn=machine,
                                        input=json.dumps({"order": 42}))["executionArn"]
        scheduled = wait_for_event(execution, "TaskScheduled")
        details = scheduled["taskScheduledEventDetails"]
        self.assertEqual(details["resourceType"], "lambda")
        self.assertEqual(details["resource"], "invoke.waitForTaskToken")
        payload = json.loads(details["parameters"])["Payload"]
        self.assertEqual(payload["order"], 42)
        token = payload["token"]
        self.assertGreaterEqual(len(token), 32, "tokens must be unguessable")
        self.assertEqual(SFN.describe_execution(executionArn=execution)["status"], "RUNNING")
        answered = subprocess.run(
            [sys.executable, "-c", ANSWER_SCRIPT, ENDPOINT, token, '{"approved": true}'],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(answered.returncode, 0, answered.stderr)
        described = wait_closed(execution)
        self.assertEqual(described["status"], "SUCCEEDED", described)
        self.assertEqual(json.loads(described["output"]), {"approved": True})
        self.assertApiError("TaskTimedOut", lambda: SFN.send_task_success(
            taskToken=token, output="{}"))

    def test_wait_for_task_token_failure(self):
        machine = create_machine(CALLBACK_DEF)["stateMachineArn"]
        execution = SFN.start_execution(stateMachineArn=machine,
                                        input=json.dumps({"order": 7}))["executionArn"]
        scheduled = wait_for_event(execution, "TaskScheduled")
        token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
        SFN.send_task_heartbeat(taskToken=token)
        SFN.send_task_failure(taskToken=token, error="Human.Rejected", cause="no stock")
        described = wait_closed(execution)
        self.assertEqual(described["status"], "FAILED")
        self.assertEqual(described["error"], "Human.Rejected")
        self.assertEqual(described["cause"], "no stock")


# --- task kinds through the API (issue 5) -----------------------------------------------------

class _JsonHandler(http.server.BaseHTTPRequestHandler):
    """A local HTTP endpoint for the HTTP task: echoes the method, path and query as JSON."""

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        body = json.dumps({"method": "GET", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class TaskKindsTest(ApiTestCase):
    def test_http_task_calls_a_local_server(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _JsonHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            endpoint = f"http://127.0.0.1:{server.server_address[1]}/orders"
            machine = create_machine({"StartAt": "Call", "States": {"Call": {
                "Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint": endpoint, "Method": "GET",
                               "QueryParameters": {"id.$": "$.id"}},
                "ResultSelector": {"status.$": "$.StatusCode", "body.$": "$.ResponseBody"},
                "End": True}}})["stateMachineArn"]
            run = SFN.start_execution(stateMachineArn=machine, input='{"id": "42"}')
            described = wait_closed(run["executionArn"])
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(described["status"], "SUCCEEDED", described)
        self.assertEqual(json.loads(described["output"]),
                         {"status": 200, "body": {"method": "GET", "path": "/orders?id=42"}})

    def test_nested_sync2_three_levels_deep(self):
        leaf = create_machine({"StartAt": "Leaf", "States": {"Leaf": {
            "Type": "Pass", "Parameters": {"depth": 3, "from.$": "$.from"}, "End": True}}})
        def parent(child_arn, depth):
            return {"StartAt": "Child", "States": {"Child": {
                "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child_arn,
                               "Input": {"from.$": "$.from"}},
                "ResultSelector": {"child.$": "$.Output", "status.$": "$.Status"},
                "ResultPath": f"$.level{depth}", "End": True}}}
        middle = create_machine(parent(leaf["stateMachineArn"], 2))
        top = create_machine(parent(middle["stateMachineArn"], 1))
        run = SFN.start_execution(stateMachineArn=top["stateMachineArn"], input='{"from": "top"}')
        described = wait_closed(run["executionArn"])
        self.assertEqual(described["status"], "SUCCEEDED", described)
        self.assertEqual(json.loads(described["output"]), {
            "from": "top",
            "level1": {"status": "SUCCEEDED", "child": {
                "from": "top",
                "level2": {"status": "SUCCEEDED", "child": {"depth": 3, "from": "top"}}}}})
        # Each child names its parent, as AWS's StartExecution from a Task does.
        children = SFN.list_executions(stateMachineArn=middle["stateMachineArn"])["executions"]
        self.assertEqual(len(children), 1)

    def test_a_failing_job_is_retried_and_succeeds(self):
        machine = create_machine({"StartAt": "Report", "States": {"Report": {
            "Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
            "Parameters": {"JobName": "clients-report", "JobQueue": "q",
                           "JobDefinition": "clients-report",
                           "Parameters": {"attempt.$": "States.Format('{}', $$.State.RetryCount)"}},
            "ResultSelector": {"status.$": "$.Status", "report.$": "$.Report"},
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1,
                       "MaxAttempts": 2}],
            "End": True}}})["stateMachineArn"]
        run = SFN.start_execution(stateMachineArn=machine, input="{}")
        described = wait_closed(run["executionArn"])
        self.assertEqual(described["status"], "SUCCEEDED", described)
        self.assertEqual(json.loads(described["output"]),
                         {"status": "SUCCEEDED", "report": "done on attempt 1"})
        types = [e["type"] for e in history(run["executionArn"])]
        self.assertEqual(types.count("TaskFailed"), 1, types)
        self.assertEqual(types.count("TaskSucceeded"), 1, types)
        failed = next(e for e in history(run["executionArn"]) if e["type"] == "TaskFailed")
        self.assertEqual(failed["taskFailedEventDetails"]["error"], "States.TaskFailed")


# --- versions and aliases --------------------------------------------------------------------

class VersionAliasTest(ApiTestCase):
    @needs("PublishStateMachineVersion")
    def test_versions_publish_list_describe_run_delete(self):
        created = create_machine(PASS_DEF, publish=True, versionDescription="v one")
        arn = created["stateMachineArn"]
        v1 = created["stateMachineVersionArn"]
        self.assertEqual(v1, arn + ":1")
        SFN.update_state_machine(stateMachineArn=arn, definition=json.dumps(FIVE_STATE_DEF))
        revision = SFN.describe_state_machine(stateMachineArn=arn)["revisionId"]
        published = SFN.publish_state_machine_version(stateMachineArn=arn, revisionId=revision,
                                                      description="v two")
        v2 = published["stateMachineVersionArn"]
        self.assertEqual(v2, arn + ":2")
        self.assertIn("creationDate", published)
        versions = SFN.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
        self.assertEqual([v["stateMachineVersionArn"] for v in versions], [v2, v1])
        paged = SFN.list_state_machine_versions(stateMachineArn=arn, maxResults=1)
        self.assertEqual(len(paged["stateMachineVersions"]), 1)
        self.assertIn("nextToken", paged)

        described = SFN.describe_state_machine(stateMachineArn=v1)
        self.assertEqual(json.loads(described["definition"]), PASS_DEF)
        self.assertEqual(described["description"], "v one")
        self.assertEqual(described["stateMachineArn"], v1)

        run = SFN.start_execution(stateMachineArn=v1, input='{"z": 0}')["executionArn"]
        self.assertTrue(run.startswith(arn.replace(":stateMachine:", ":execution:") + ":"))
        finished = wait_closed(run)
        self.assertEqual(finished["stateMachineVersionArn"], v1)
        self.assertEqual(json.loads(finished["output"]), {"z": 0, "pass": {"greeting": "hi"}})

        SFN.delete_state_machine_version(stateMachineVersionArn=v1)
        versions = SFN.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
        self.assertEqual([v["stateMachineVersionArn"] for v in versions], [v2])
        self.assertApiError("StateMachineDoesNotExist",
                            lambda: SFN.describe_state_machine(stateMachineArn=v1))

    @needs("PublishStateMachineVersion")
    def test_update_with_publish_makes_a_version_with_its_description(self):
        arn = create_machine(PASS_DEF)["stateMachineArn"]
        updated = SFN.update_state_machine(stateMachineArn=arn,
                                           definition=json.dumps(FIVE_STATE_DEF),
                                           publish=True, versionDescription="five states")
        self.assertEqual(updated["stateMachineVersionArn"], arn + ":1")
        self.assertIn("revisionId", updated)
        version = SFN.describe_state_machine(stateMachineArn=updated["stateMachineVersionArn"])
        self.assertEqual(version["description"], "five states")
        self.assertEqual(json.loads(version["definition"]), FIVE_STATE_DEF)

    @needs("PublishStateMachineVersion")
    def test_publish_errors(self):
        arn = create_machine(PASS_DEF)["stateMachineArn"]
        self.assertApiError("ConflictException", lambda: SFN.publish_state_machine_version(
            stateMachineArn=arn, revisionId="revisionId"),
            message_prefix="Failed to publish the State Machine version for revision ")
        self.assertApiError("InvalidArn", lambda: SFN.publish_state_machine_version(
            stateMachineArn="invalid_arn"),
            message="Invalid Arn: 'Invalid ARN prefix: invalid_arn'")

    @needs("CreateStateMachineAlias")
    def test_aliases_route_executions_to_versions(self):
        created = create_machine(PASS_DEF, publish=True)
        arn, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
        v2 = SFN.update_state_machine(stateMachineArn=arn, definition=json.dumps(FIVE_STATE_DEF),
                                      publish=True)["stateMachineVersionArn"]
        alias = SFN.create_state_machine_alias(
            name="live", description="the live one",
            routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
        alias_arn = alias["stateMachineAliasArn"]
        self.assertEqual(alias_arn, arn + ":live")
        self.assertEqual(SFN.create_state_machine_alias(
            name="live", description="the live one",
            routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
        )["stateMachineAliasArn"], alias_arn, "same alias again is idempotent")
        self.assertApiError("ConflictException", lambda: SFN.create_state_machine_alias(
            name="live", routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]),
            message="Failed to create alias because an alias with the same name and a "
                    "different routing configuration already exists.")

        described = SFN.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
        self.assertEqual(described["name"], "live")
        self.assertEqual(described["description"], "the live one")
        self.assertEqual(described["routingConfiguration"],
                         [{"stateMachineVersionArn": v1, "weight": 100}])
        listed = SFN.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
        self.assertEqual([a["stateMachineAliasArn"] for a in listed], [alias_arn])

        run = wait_closed(SFN.start_execution(stateMachineArn=alias_arn,
                                              input='{"n": 1}')["executionArn"])
        self.assertEqual(run["stateMachineAliasArn"], alias_arn)
        self.assertEqual(run["stateMachineVersionArn"], v1)
        self.assertEqual(json.loads(run["output"]), {"n": 1, "pass": {"greeting": "hi"}})

        SFN.update_state_machine_alias(
            stateMachineAliasArn=alias_arn,
            routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}])
        run = wait_closed(SFN.start_execution(stateMachineArn=alias_arn,
                                              input='{"n": 1}')["executionArn"])
        self.assertEqual(run["stateMachineVersionArn"], v2)
        self.assertEqual(json.loads(run["output"]), {"n": 2, "tag": "five", "size": "small"})

        self.assertApiError("ConflictException", lambda: SFN.delete_state_machine_version(
            stateMachineVersionArn=v2),
            message="Version to be deleted must not be referenced by an alias. Current list of "
                    "aliases referencing this version: [live]")
        SFN.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
        self.assertEqual(SFN.list_state_machine_aliases(stateMachineArn=arn)
                         ["stateMachineAliases"], [])
        SFN.delete_state_machine_version(stateMachineVersionArn=v2)

    @needs("CreateStateMachineAlias")
    def test_alias_validation(self):
        created = create_machine(PASS_DEF, publish=True)
        v1 = created["stateMachineVersionArn"]
        self.assertApiError("ValidationException", lambda: SFN.create_state_machine_alias(
            name="split", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 50}]),
            message_prefix="Sum of routing configuration weights must equal 100.")
        self.assertApiError("ValidationException", lambda: SFN.create_state_machine_alias(
            name="plain", routingConfiguration=[
                {"stateMachineVersionArn": created["stateMachineArn"], "weight": 100}]),
            message_prefix="Routing configuration must contain state machine version A")


# --- tags ------------------------------------------------------------------------------------

class TagTest(ApiTestCase):
    def test_tag_list_untag_machine_and_activity(self):
        machine = create_machine(PASS_DEF, tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
        activity = SFN.create_activity(name=unique("tagged"))["activityArn"]
        for arn in (machine, activity):
            SFN.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"},
                                                    {"key": "team", "value": "b"}])
            tags = SFN.list_tags_for_resource(resourceArn=arn)["tags"]
            self.assertEqual(sorted((t["key"], t["value"]) for t in tags),
                             [("env", "test"), ("team", "b")])
            SFN.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
            self.assertEqual(SFN.list_tags_for_resource(resourceArn=arn)["tags"],
                             [{"key": "env", "value": "test"}])

    def test_tagging_a_missing_resource_fails(self):
        missing = create_machine(PASS_DEF)["stateMachineArn"] + "-gone"
        self.assertApiError("ResourceNotFound", lambda: SFN.tag_resource(
            resourceArn=missing, tags=[{"key": "k", "value": "v"}]),
            message=f"Resource not found: '{missing}'")
        self.assertApiError("ResourceNotFound",
                            lambda: SFN.list_tags_for_resource(resourceArn=missing))


# --- validation, TestState, redrive ----------------------------------------------------------

class ValidateTestStateRedriveTest(ApiTestCase):
    @needs("ValidateStateMachineDefinition")
    def test_validate_definition(self):
        ok = SFN.validate_state_machine_definition(definition=json.dumps(PASS_DEF),
                                                   type="STANDARD")
        self.assertEqual(ok["result"], "OK")
        self.assertEqual(ok["diagnostics"], [])
        bad = SFN.validate_state_machine_definition(definition=json.dumps(
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}))
        self.assertEqual(bad["result"], "FAIL")
        self.assertTrue(bad["diagnostics"])
        self.assertEqual(bad["diagnostics"][0]["severity"], "ERROR")
        self.assertEqual(bad["diagnostics"][0]["code"], "MISSING_TRANSITION_TARGET")
        self.assertIn("message", bad["diagnostics"][0])

    @needs("TestState")
    def test_test_state_runs_one_state(self):
        state = {"Type": "Pass", "InputPath": "$.initialData",
                 "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
                 "Result": {"resultKey": "result value"}, "ResultPath": "$.modifiedData",
                 "End": True}
        given = {"initialData": {"fieldFromInput": "value from input"}, "other": 1}
        answer = SFN.test_state(definition=json.dumps(state), roleArn=ROLE,
                                input=json.dumps(given), inspectionLevel="DEBUG")
        self.assertEqual(answer["status"], "SUCCEEDED")
        expected = dict(given, modifiedData={"resultKey": "result value"})
        self.assertEqual(json.loads(answer["output"]), expected)
        inspection = answer["inspectionData"]
        self.assertEqual(json.loads(inspection["input"]), given)
        self.assertEqual(json.loads(inspection["afterResultPath"]), expected)

        failed = SFN.test_state(definition=json.dumps(
            {"Type": "Fail", "Error": "E", "Cause": "C"}), roleArn=ROLE, input="{}")
        self.assertEqual((failed["status"], failed["error"], failed["cause"]),
                         ("FAILED", "E", "C"))

    @needs("TestState")
    def test_test_state_with_a_mock_and_a_state_name(self):
        state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True}
        mocked = SFN.test_state(definition=json.dumps(state), input="{}", inspectionLevel="INFO",
                                mock={"result": json.dumps({"Payload": "function output"})})
        self.assertEqual(mocked["status"], "SUCCEEDED")
        self.assertEqual(json.loads(mocked["output"]), {"Payload": "function output"})
        picked = SFN.test_state(definition=json.dumps(FIVE_STATE_DEF), stateName="Double",
                                roleArn=ROLE, input=json.dumps({"n": 4, "tag": "t"}))
        self.assertEqual(json.loads(picked["output"]), {"n": 8, "tag": "t"})
        self.assertEqual(picked["nextState"], "Check")
        self.assertApiError("ValidationException", lambda: SFN.test_state(
            definition=json.dumps(FIVE_STATE_DEF), stateName="Nope", roleArn=ROLE, input="{}"),
            message="State not found in definition")

    @needs("RedriveExecution")
    def test_redrive_a_failed_execution(self):
        machine = create_machine(FAIL_DEF)["stateMachineArn"]
        arn = SFN.start_execution(stateMachineArn=machine)["executionArn"]
        failed = wait_closed(arn)
        self.assertEqual(failed["status"], "FAILED")
        self.assertEqual(failed["redriveStatus"], "REDRIVABLE")
        redriven = SFN.redrive_execution(executionArn=arn)
        self.assertIn("redriveDate", redriven)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            again = SFN.describe_execution(executionArn=arn)
            if again.get("redriveCount") == 1 and again["status"] != "RUNNING":
                break
            time.sleep(POLL_S)
        self.assertEqual(again["redriveCount"], 1)
        self.assertEqual(again["status"], "FAILED")
        self.assertIn("ExecutionRedriven", [e["type"] for e in history(arn)])

    @needs("RedriveExecution")
    def test_a_succeeded_execution_cannot_be_redriven(self):
        machine = create_machine(PASS_DEF)["stateMachineArn"]
        arn = SFN.start_execution(stateMachineArn=machine)["executionArn"]
        self.assertEqual(wait_closed(arn)["status"], "SUCCEEDED")
        self.assertApiError("ExecutionNotRedrivable",
                            lambda: SFN.redrive_execution(executionArn=arn))


# --- SigV4 -----------------------------------------------------------------------------------

class AuthenticationTest(ApiTestCase):
    """A second server with --auth-keys: the right keys pass, wrong ones get AWS's errors."""

    @classmethod
    def setUpClass(cls):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            raise unittest.SkipTest("STEPWISE_BIN not set (run through tests/clients/run.py)")
        cls.dir = tempfile.mkdtemp(prefix="stepwise-clients-auth-")
        keys = os.path.join(cls.dir, "keys.json")
        with open(keys, "w") as f:
            json.dump({"AKIDGOOD": "good-secret/with+chars"}, f)
        cls.server = StepwiseServer(binary, ["--auth-keys", keys], log_dir=cls.dir).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError(f"auth server exited with {code}:\n{cls.server.log_tail()}")

    def test_good_keys_pass(self):
        client = make_client(self.server.endpoint, "AKIDGOOD", "good-secret/with+chars")
        arn = client.create_state_machine(name=unique("signed"), definition=json.dumps(PASS_DEF),
                                          roleArn=ROLE)["stateMachineArn"]
        self.assertIn(arn, [m["stateMachineArn"]
                            for m in client.list_state_machines()["stateMachines"]])

    def test_wrong_secret_is_an_invalid_signature(self):
        client = make_client(self.server.endpoint, "AKIDGOOD", "wrong-secret")
        self.assertApiError(
            "InvalidSignatureException", client.list_state_machines,
            message="The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult the "
                    "service documentation for details.")

    def test_unknown_key_is_unrecognized(self):
        client = make_client(self.server.endpoint, "AKIDUNKNOWN", "good-secret/with+chars")
        self.assertApiError("UnrecognizedClientException", client.list_state_machines,
                            message="The security token included in the request is invalid.")


if __name__ == "__main__":
    print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}, python {sys.version}",
          flush=True)
    unittest.main()
