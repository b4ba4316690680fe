#!/usr/bin/env python3
"""Crash test of durable Standard executions (issue 4 item 7): kill -9 the server, restart, check.

Starts `stepwise serve` (SQLite store, fresh data dir) with a local worker function `calc`
(calc_worker.py), creates four Standard state machines mixing Wait, Task, Parallel, inline Map,
Retry and a `.waitForTaskToken` callback, starts --executions executions while kill -9-ing the
server --kills times at random moments (restarting it on the same data dir each time), answers
the callbacks (token read from the TaskScheduled parameters in the history, sent once the
function has received it), then checks:

  1. every execution exists, SUCCEEDED, with the expected output;
  2. every history has event ids 1..n (no gap, no duplicate) and ends with ExecutionSucceeded;
  3. the function: every attempt in a history (LambdaFunctionScheduled / TaskScheduled, whose
     parameters carry the execution, call key and $$.State.RetryCount) ran at least once, no
     call ran that no history shows, and each attempt ran at most as many times as its history
     shows it dispatched: its Started events (LambdaFunctionStarted / TaskStarted chained to the
     attempt's Scheduled event), the first dispatch plus every re-dispatch recovery made after a
     crash. Every call of one attempt carried the same idempotency key, and no two attempts the
     same one. With --strict-once (CI) a call beyond its recorded dispatches fails the test;
     without, it is reported.
  4. no function worker process outlives the server.
A restart that finds the port still held by the killed server's worker processes (they inherit
its listening socket) waits for it and is reported as a NOTE, not failed.

Usage: crash_test.py STEPWISE_BINARY [--executions N] [--kills K] [--seed S] [--strict-once]
Exit 0 when every check passes. Python 3 standard library only; loopback, no auth.
"""
import argparse
import collections
import http.client
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading

from server_process import Server
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REGION, ACCOUNT = "us-east-1", "123456789012"
CALC_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:calc"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/CrashTest"
READY_TIMEOUT_S = 60        # a restart replays every running execution's journal first
REQUEST_TIMEOUT_S = 30
CALLBACK_RESEND_S = 3.0     # a SendTaskSuccess lost in a crash is sent again after this
PORT_WAIT_S = 60            # how long a restart waits for the killed server's port


# ---------------------------------------------------------------------------- state machines

def task(key, x_path="$.x", **extra):
    """Parameters of a `calc` call: who calls (execution, key, attempt) and the value."""
    params = {"exec.$": "$$.Execution.Name", "key": key, "attempt.$": "$$.State.RetryCount",
              "x.$": x_path}
    params.update(extra)
    return params


RETRY = [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "MaxAttempts": 2,
          "BackoffRate": 1.0}]

MACHINES = {
    # Wait, then a Task.
    "wait_task": {"StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Calc"},
        "Calc": {"Type": "Task", "Resource": CALC_ARN, "Parameters": task("Calc"),
                 "ResultPath": "$.calc", "End": True}}},
    # Parallel: a Task failing its first attempt (Retry), and a Wait then a Task.
    "parallel_retry": {"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Flaky", "States": {
                "Flaky": {"Type": "Task", "Resource": CALC_ARN,
                          "Parameters": task("Flaky", failFirst=True), "Retry": RETRY,
                          "End": True}}},
            {"StartAt": "Nap", "States": {
                "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Later"},
                "Later": {"Type": "Task", "Resource": CALC_ARN,
                          "Parameters": task("Later", x_path="States.MathAdd($.x, 1)"),
                          "End": True}}}]}}},
    # Inline Map over three items, some failing their first attempt (Retry), then a Wait.
    "map_retry": {"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0,
                 "ItemSelector": {"idx.$": "$$.Map.Item.Index", "item.$": "$$.Map.Item.Value",
                                  "exec.$": "$$.Execution.Name"},
                 "ItemProcessor": {
                     "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item", "States": {
                         "Item": {"Type": "Task", "Resource": CALC_ARN, "Retry": RETRY,
                                  "End": True, "Parameters": {
                                      "exec.$": "$.exec",
                                      "key.$": "States.Format('Item#{}', $.idx)",
                                      "attempt.$": "$$.State.RetryCount",
                                      "x.$": "$.item.v", "failFirst.$": "$.item.flaky"}}}},
                 "ResultPath": "$.ys", "Next": "Rest"},
        "Rest": {"Type": "Wait", "Seconds": 1, "End": True}}},
    # A callback: the function is invoked with a task token the test answers (SendTaskSuccess).
    "callback": {"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "calc",
                               "Payload": task("Ask", **{"token.$": "$$.Task.Token"})},
                "ResultPath": "$.answer", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "End": True}}},
}


def calc(x):
    """What calc_worker.py answers for x."""
    return {"y": 3 * x + 1}


def callback_answer(x):
    return {"approved": 7 * x}


def plan(i):
    """Execution i: its machine, name, input and expected output (all pure functions of i)."""
    kinds = list(MACHINES)
    kind = kinds[i % len(kinds)]
    x = i
    name = f"{kind}-{i:06d}"
    if kind == "wait_task":
        inp = {"x": x}
        out = {"x": x, "calc": calc(x)}
    elif kind == "parallel_retry":
        inp = {"x": x}
        out = [calc(x), calc(x + 1)]
    elif kind == "map_retry":
        items = [{"v": x, "flaky": True}, {"v": x + 1, "flaky": False},
                 {"v": x + 2, "flaky": x % 2 == 0}]
        inp = {"items": items}
        out = {"items": items, "ys": [calc(it["v"]) for it in items]}
    else:
        inp = {"x": x}
        out = {"x": x, "answer": callback_answer(x)}
    return kind, name, inp, out


# ---------------------------------------------------------------------------- API client

class Unavailable(Exception):
    """The server did not answer (killed, restarting)."""


class ApiError(Exception):
    def __init__(self, status, kind, message):
        super().__init__(f"{status} {kind}: {message}")
        self.status, self.kind, self.message = status, kind, message


class Client:
    """AWS JSON 1.0 over one keep-alive connection. One instance per thread."""

    def __init__(self, port, stop=None):
        self.port = port
        self.stop = stop      # a threading.Event: once set, call_retrying gives up at once
        self.conn = None

    def call(self, op, body):
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": f"AWSStepFunctions.{op}"}
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=REQUEST_TIMEOUT_S)
            self.conn.request("POST", "/", data, headers)
            resp = self.conn.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise Unavailable(str(e)) from e
        try:
            answer = json.loads(payload) if payload else {}
        except ValueError:
            answer = {"message": payload[:200].decode(errors="replace")}
        if resp.status != 200:
            if resp.status >= 500:
                raise Unavailable(f"{resp.status}: {answer}")
            kind = str(answer.get("__type", "")).split("#")[-1]
            raise ApiError(resp.status, kind, answer.get("message", answer.get("Message", "")))
        return answer

    def call_retrying(self, op, body, deadline_s=READY_TIMEOUT_S * 2):
        """Retries while the server is down (between a kill and its restart)."""
        end = time.monotonic() + deadline_s
        while True:
            try:
                return self.call(op, body)
            except Unavailable:
                if time.monotonic() > end or (self.stop is not None and self.stop.is_set()):
                    raise
                time.sleep(0.05)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def pages(self, op, body, key):
        token = None
        while True:
            req = dict(body)
            if token:
                req["nextToken"] = token
            answer = self.call_retrying(op, req)
            yield from answer.get(key, [])
            token = answer.get("nextToken")
            if not token:
                return


# ---------------------------------------------------------------------------- the server

def sfn_ready(port):
    """True once the Step Functions API answers."""
    client = Client(port)
    try:
        client.call("ListStateMachines", {"maxResults": 1})
        return True
    except Unavailable:
        return False
    finally:
        client.close()


# ---------------------------------------------------------------------------- the run

class Run:
    def __init__(self, args, server, arns):
        self.args, self.server, self.arns = args, server, arns
        self.started = {}          # execution name -> arn
        self.start_done = threading.Event()
        self.stop = threading.Event()
        self.errors = []
        self.lock = threading.Lock()
        self.callbacks_sent = 0

    def error(self, text):
        with self.lock:
            self.errors.append(text)

    # Starts every execution at --rate per second; a start lost in a crash is retried with the
    # same name and input (AWS: same answer while it runs, ExecutionAlreadyExists once closed).
    def starter(self):
        client = Client(self.server.port, self.stop)
        t0 = time.monotonic()
        try:
            for i in range(self.args.executions):
                kind, name, inp, _ = plan(i)
                delay = t0 + i / self.args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                body = {"stateMachineArn": self.arns[kind], "name": name,
                        "input": json.dumps(inp)}
                try:
                    arn = client.call_retrying("StartExecution", body)["executionArn"]
                except ApiError as e:
                    if e.kind != "ExecutionAlreadyExists":
                        self.error(f"StartExecution {name}: {e}")
                        continue
                    arn = self.arns[kind].replace(":stateMachine:", ":execution:") + ":" + name
                except Unavailable as e:
                    self.error(f"StartExecution {name}: server unavailable: {e}")
                    if self.stop.is_set():
                        return
                    continue
                self.started[name] = arn
        finally:
            client.close()
            self.start_done.set()

    # Answers callbacks: the token is in the parameters of the TaskScheduled event of each
    # RUNNING `callback` execution that has no TaskSucceeded yet. As a real token holder, it
    # answers only once the function has been called with that token (its call is in the log):
    # answering earlier would let the task succeed before its queued invocation runs.
    def answerer(self):
        client = Client(self.server.port, self.stop)
        sent = {}                      # token -> monotonic time of the last SendTaskSuccess
        calls = CallLog(self.args.call_log)
        while not self.stop.is_set():
            try:
                self.answer_round(client, sent, calls.read_new())
            except Unavailable:
                pass
            except (ApiError, KeyError, ValueError) as e:
                # A wrong answer or history: record it and keep answering the others.
                self.error(f"answering callbacks: {e!r}")
            self.stop.wait(0.3)
        client.close()

    def answer_round(self, client, sent, called):
        running = client.pages("ListExecutions", {"stateMachineArn": self.arns["callback"],
                                                  "statusFilter": "RUNNING",
                                                  "maxResults": 1000}, "executions")
        for ex in list(running):
            token, x, attempt = pending_token(client, ex["executionArn"])
            if token is None or (ex["name"], "Ask", attempt) not in called:
                continue
            last = sent.get(token)
            if last is not None and time.monotonic() - last < CALLBACK_RESEND_S:
                continue
            sent[token] = time.monotonic()
            try:
                client.call("SendTaskSuccess", {"taskToken": token,
                                                "output": json.dumps(callback_answer(x))})
                self.callbacks_sent += 1
            except ApiError as e:
                # Already answered (an answer committed before a crash lost its response).
                if e.kind not in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                    self.error(f"SendTaskSuccess {ex['executionArn']}: {e}")

    # Kills the server at random moments spread over the start phase and a little after.
    def killer(self):
        span = self.args.executions / self.args.rate + 2.0
        t0 = time.monotonic()
        moments = sorted(random.uniform(0.2, span) for _ in range(self.args.kills))
        for k, at in enumerate(moments, 1):
            # Also kill soon after a restart (during recovery), never before it is ready.
            time.sleep(max(at - (time.monotonic() - t0), random.uniform(0.0, 0.5)))
            self.server.kill()
            print(f"  kill {k}/{self.args.kills} at {time.monotonic() - t0:.1f} s "
                  f"({len(self.started)} started)", flush=True)
            self.server.start()

    def wait_all_closed(self):
        client = Client(self.server.port)
        end = time.monotonic() + self.args.timeout
        while time.monotonic() < end:
            running = 0
            for arn in self.arns.values():
                running += sum(1 for _ in client.pages(
                    "ListExecutions", {"stateMachineArn": arn, "statusFilter": "RUNNING",
                                       "maxResults": 1000}, "executions"))
            if running == 0:
                client.close()
                return True
            time.sleep(0.5)
        client.close()
        self.error(f"executions still RUNNING after {self.args.timeout} s")
        return False


class CallLog:
    """The function's call log read as it grows: the set of (execution, key, attempt) called."""

    def __init__(self, path):
        self.path, self.offset, self.called = path, 0, set()

    def read_new(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return self.called
        end = chunk.rfind(b"\n") + 1       # a line still being written waits for next time
        self.offset += end
        for line in chunk[:end].splitlines():
            rec = json.loads(line)
            self.called.add((rec["exec"], rec["key"], rec["attempt"]))
        return self.called


def pending_token(client, arn):
    """(token, x, attempt) of the callback this execution waits for, or (None, None, None)."""
    events = list(client.pages("GetExecutionHistory", {"executionArn": arn, "maxResults": 1000},
                               "events"))
    token = x = attempt = None
    for ev in events:
        if ev["type"] == "TaskScheduled":
            payload = json.loads(ev["taskScheduledEventDetails"]["parameters"])["Payload"]
            token, x, attempt = payload["token"], payload["x"], payload["attempt"]
        elif ev["type"] == "TaskSucceeded":
            token = None
    return token, x, attempt


# ---------------------------------------------------------------------------- checks

def attempt_of(ev):
    """(key, attempt) of a function call this history event schedules, else None."""
    if ev["type"] == "LambdaFunctionScheduled":
        params = json.loads(ev["lambdaFunctionScheduledEventDetails"]["input"])
    elif ev["type"] == "TaskScheduled":
        params = json.loads(ev["taskScheduledEventDetails"]["parameters"])["Payload"]
    else:
        return None
    return params["key"], params["attempt"]


def dispatches_of(events):
    """(key, attempt) -> number of Started events chained to that attempt's Scheduled event."""
    by_id = {ev["id"]: ev for ev in events}
    out = collections.Counter()
    for ev in events:
        if ev["type"] in ("LambdaFunctionStarted", "TaskStarted"):
            scheduled = by_id.get(ev.get("previousEventId"))
            a = attempt_of(scheduled) if scheduled is not None else None
            if a is not None:
                out[a] += 1
    return out


def check_executions(run, client, attempts, dispatches):
    """Checks 1 and 2; fills attempts with the (exec, key, attempt) scheduled in histories and
    dispatches with how many times each went out (its Started events)."""
    bad = 0
    for i in range(run.args.executions):
        kind, name, _, want = plan(i)
        arn = run.started.get(name)
        if arn is None:
            continue  # its start failed: already reported
        problems = []
        try:
            desc = client.call_retrying("DescribeExecution", {"executionArn": arn})
        except ApiError as e:
            run.error(f"{name}: DescribeExecution: {e} (execution lost?)")
            bad += 1
            continue
        if desc.get("status") != "SUCCEEDED":
            problems.append(f"status {desc.get('status')} ({desc.get('error')}: "
                            f"{desc.get('cause')})")
        elif json.loads(desc.get("output", "null")) != want:
            problems.append(f"output {desc.get('output')} != {json.dumps(want)}")
        events = list(client.pages("GetExecutionHistory",
                                   {"executionArn": arn, "maxResults": 1000}, "events"))
        ids = [ev["id"] for ev in events]
        if ids != list(range(1, len(ids) + 1)):
            problems.append(f"history ids are not 1..{len(ids)}: {ids}")
        if not events or events[-1]["type"] != "ExecutionSucceeded":
            problems.append(f"history ends with {events[-1]['type'] if events else 'nothing'}")
        for ev in events:
            a = attempt_of(ev)
            if a is not None:
                attempts[(name,) + a] += 1
        for a, n in dispatches_of(events).items():
            dispatches[(name,) + a] += n
        if problems:
            bad += 1
            if bad <= 20:
                run.error(f"{name}: " + "; ".join(problems))
    return bad


def check_calls(run, log_path, attempts, dispatches):
    """Check 3: calls in the function's log against attempts and dispatches in the histories."""
    calls = collections.Counter()
    keys = collections.defaultdict(set)   # attempt -> idempotency keys its calls carried
    with open(log_path) as f:
        for line in f:
            rec = json.loads(line)
            a = (rec["exec"], rec["key"], rec["attempt"])
            calls[a] += 1
            keys[a].add(rec.get("idem"))
    twice_in_history = sum(n - 1 for n in attempts.values() if n > 1)
    never_ran = [a for a in attempts if calls[a] == 0]
    unscheduled = [c for c in calls if c not in attempts]
    repeated = sum(n - 1 for n in calls.values() if n > 1)
    redispatched = sum(n - 1 for n in dispatches.values() if n > 1)
    beyond = {a: (n, dispatches[a]) for a, n in calls.items() if n > dispatches[a]}
    by_state = collections.Counter()
    for (_, key, _), n in calls.items():
        if n > 1:
            by_state[key.split("#")[0]] += n - 1
    print(f"function calls: {sum(calls.values())} recorded, {sum(attempts.values())} attempts "
          f"in histories, {sum(dispatches.values())} dispatches recorded ({redispatched} "
          f"re-dispatches after a crash); {repeated} calls of an attempt already called (by "
          f"state: {dict(by_state)}), {sum(n - d for n, d in beyond.values())} calls beyond "
          f"the recorded dispatches")
    if twice_in_history:
        run.error(f"{twice_in_history} attempts appear twice in histories")
    if never_ran:
        run.error(f"{len(never_ran)} attempts in histories never ran, e.g. {never_ran[:3]}")
    if unscheduled:
        run.error(f"{len(unscheduled)} calls ran for no attempt in any history, "
                  f"e.g. {unscheduled[:3]}")
    check_keys(run, keys)
    if beyond:
        examples = list(beyond.items())[:3]
        if run.args.strict_once:
            run.error(f"{len(beyond)} attempts ran more often than their history shows them "
                      f"dispatched (--strict-once), e.g. (attempt, (calls, dispatches)) "
                      f"{examples}")
        else:
            print(f"NOTE: {len(beyond)} attempts ran more often than their history shows them "
                  f"dispatched; a failure with --strict-once. e.g. {examples}")


def check_keys(run, keys):
    """Every call of an attempt carried one idempotency key, "<execution arn>:<entered event
    id>:<attempt>", and no two attempts share a key."""
    owner = {}
    bad = []
    for a, ks in keys.items():
        (key,) = ks if len(ks) == 1 else (None,)
        ok = (isinstance(key, str) and key.endswith(f":{a[2]}")
              and f":execution:" in key and f":{a[0]}:" in key)
        if not ok or owner.setdefault(key, a) != a:
            bad.append((a, sorted(map(str, ks))))
    if bad:
        run.error(f"{len(bad)} attempts with a missing, varying or shared idempotency key, "
                  f"e.g. {bad[:3]}")


def leftover_workers(log_path, grace_s=10.0):
    """Pids of function workers (found by their CRASH_CALL_LOG) still alive grace_s after the
    server stopped: each should exit when its stdin closes with the server."""
    needle = f"CRASH_CALL_LOG={log_path}".encode()
    end = time.monotonic() + grace_s
    while True:
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        pids.append(int(pid))
            except OSError:
                continue
        if not pids or time.monotonic() > end:
            return pids
        time.sleep(0.2)


# ---------------------------------------------------------------------------- main

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("stepwise", help="path to the stepwise binary")
    p.add_argument("--executions", type=int, default=2000)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--rate", type=float, default=200.0, help="executions started per second")
    p.add_argument("--seed", type=int, default=None, help="random seed of the kill moments")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds to wait for every execution to close after the last start")
    p.add_argument("--strict-once", action="store_true",
                   help="fail when an attempt ran more often than its history shows it "
                        "dispatched (CI runs with it)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    return p.parse_args()


def write_functions_file(work, log_path):
    path = os.path.join(work, "functions.json")
    spec = {"functions": {"calc": {
        "worker": [sys.executable, os.path.join(HERE, "calc_worker.py")],
        "concurrency": 4, "timeout_seconds": 60, "env": {"CRASH_CALL_LOG": log_path}}}}
    with open(path, "w") as f:
        json.dump(spec, f)
    return path


def create_machines(client):
    arns = {}
    for kind, definition in MACHINES.items():
        answer = client.call_retrying("CreateStateMachine", {
            "name": kind, "definition": json.dumps(definition), "roleArn": ROLE,
            "type": "STANDARD"})
        arns[kind] = answer["stateMachineArn"]
    return arns


def main():
    args = parse_args()
    # ctest's timeout sends SIGTERM: unwind so the server is stopped, not left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    work = tempfile.mkdtemp(prefix="stepwise-crash-")
    log_path = os.path.join(work, "calls.log")
    args.call_log = log_path
    server = Server(os.path.abspath(args.stepwise), work,
                    ["--functions", write_functions_file(work, log_path)], sfn_ready,
                    READY_TIMEOUT_S, PORT_WAIT_S)
    print(f"crash test: {args.executions} executions, {args.kills} kills, seed {seed}, "
          f"work dir {work}", flush=True)
    t0 = time.monotonic()
    ok = False
    try:
        server.start()
        client = Client(server.port)
        run = Run(args, server, create_machines(client))
        threads = [threading.Thread(target=run.starter, daemon=True),
                   threading.Thread(target=run.answerer, daemon=True)]
        for t in threads:
            t.start()
        try:
            run.killer()
            run.start_done.wait()
            run.wait_all_closed()
        finally:
            run.stop.set()
            for t in threads:
                t.join()
        print(f"all closed after {time.monotonic() - t0:.1f} s ({server.generation} server "
              f"starts, {run.callbacks_sent} callbacks answered); checking", flush=True)
        attempts = collections.Counter()
        dispatches = collections.Counter()
        bad = check_executions(run, client, attempts, dispatches)
        client.close()
        check_calls(run, log_path, attempts, dispatches)
        if server.port_waits:
            print(f"NOTE: {server.port_waits} restarts found the port still in use and had to "
                  "wait: the killed server's listening socket lives on in its function worker "
                  "processes (inherited, not close-on-exec). Not a failure of this test.")
        print(f"executions: {len(run.started)} started, {len(run.started) - bad} succeeded with "
              f"the expected output and a gapless history, {bad} bad")
        for e in run.errors:
            print("FAIL:", e)
        ok = not run.errors
    finally:
        server.stop()
        if os.path.isdir("/proc"):
            left = leftover_workers(log_path)
            if left:
                print(f"FAIL: function worker processes still running after the server "
                      f"stopped: {left}")
                ok = False
        if not ok:
            print(f"last server log ({server.log_path}):\n{server.tail()}")
    print(f"{'PASS' if ok else 'FAIL'} in {time.monotonic() - t0:.1f} s (seed {seed})")
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
