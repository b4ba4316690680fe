#!/usr/bin/env python3
"""Crash test of the built-in services (issue 12 item 7): every acknowledged write survives kill -9.

Client threads send SQS messages, put DynamoDB items and put S3 objects against `stepwise serve`
(SQLite store) while the server is killed with SIGKILL at random moments and restarted on the same
data directory. A write counts as acknowledged when its 200 answer arrived; a write cut off by the
kill may or may not be there. At the end every acknowledged message must be received (with its
body intact), every acknowledged item read back and every acknowledged object read back with its
exact bytes. Requests go over plain HTTP (no SDK), as AWS's JSON and REST protocols shape them.

Usage: services_crash_test.py STEPWISE [--kills N] [--seconds S] [--seed N]
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time

from server_process import Server

READY_TIMEOUT_S = 30
PORT_WAIT_S = 20
CLIENTS_PER_SERVICE = 2
QUEUE = "crash-queue"
TABLE = "crash-table"
BUCKET = "crash-bucket"


class Unavailable(Exception):
    """The server did not answer (killed, restarting)."""


class Http:
    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=b"", headers=None):
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=headers or {})
            r = self.conn.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise Unavailable(str(e)) from e

    def json_call(self, target, payload, version="1.0"):
        status, body = self.request(
            "POST", "/", json.dumps(payload).encode(),
            {"Content-Type": f"application/x-amz-json-{version}", "X-Amz-Target": target})
        if status != 200:
            raise RuntimeError(f"{target}: HTTP {status}: {body[:300]!r}")
        return json.loads(body or b"{}")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def services_ready(port):
    """True once the server answers /health."""
    client = Http(port)
    try:
        return client.request("GET", "/health")[0] == 200
    except Unavailable:
        return False
    finally:
        client.close()


class Acked:
    """What the server acknowledged, per service (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = set()   # bodies
        self.items = {}         # id -> value
        self.objects = {}       # key -> sha256 of the bytes

    def add(self, kind, key, value=None):
        with self.lock:
            if kind == "sqs":
                self.messages.add(key)
            elif kind == "ddb":
                self.items[key] = value
            else:
                self.objects[key] = value


def writer(kind, index, port, queue_url, acked, stop, seed, errors):
    rng = random.Random(seed)
    client = Http(port)
    n = 0
    while not stop.is_set():
        n += 1
        key = f"{kind}-{index}-{n}"
        try:
            if kind == "sqs":
                body = json.dumps({"id": key, "pad": "x" * rng.randrange(0, 2000)})
                client.json_call("AmazonSQS.SendMessage",
                                 {"QueueUrl": queue_url, "MessageBody": body})
                acked.add("sqs", body)
            elif kind == "ddb":
                value = rng.randrange(1 << 40)
                client.json_call("DynamoDB_20120810.PutItem",
                                 {"TableName": TABLE,
                                  "Item": {"id": {"S": key}, "v": {"N": str(value)}}})
                acked.add("ddb", key, value)
            else:
                data = os.urandom(rng.randrange(1, 64 * 1024))
                status, body = client.request("PUT", f"/{BUCKET}/{key}", data,
                                              {"Content-Type": "application/octet-stream"})
                if status != 200:
                    raise RuntimeError(f"PutObject: HTTP {status}: {body[:300]!r}")
                acked.add("s3", key, hashlib.sha256(data).hexdigest())
        except Unavailable:
            time.sleep(0.05)  # killed: the write may or may not be there; go on after restart
        except RuntimeError as e:
            errors.append(str(e))
            return


def setup(port):
    c = Http(port)
    queue_url = c.json_call("AmazonSQS.CreateQueue", {"QueueName": QUEUE})["QueueUrl"]
    c.json_call("DynamoDB_20120810.CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
    status, body = c.request("PUT", f"/{BUCKET}")
    if status != 200:
        raise RuntimeError(f"CreateBucket: HTTP {status}: {body[:300]!r}")
    c.close()
    return queue_url


def verify(port, queue_url, acked):
    problems = []
    c = Http(port)
    received = set()
    empty_polls = 0
    while empty_polls < 3:
        r = c.json_call("AmazonSQS.ReceiveMessage",
                        {"QueueUrl": queue_url, "MaxNumberOfMessages": 10,
                         "VisibilityTimeout": 600, "WaitTimeSeconds": 0})
        msgs = r.get("Messages", [])
        empty_polls = empty_polls + 1 if not msgs else 0
        for m in msgs:
            received.add(m["Body"])
    lost = acked.messages - received
    if lost:
        problems.append(f"SQS: {len(lost)} acknowledged messages lost, e.g. {sorted(lost)[0][:80]}")
    for key, value in acked.items.items():
        item = c.json_call("DynamoDB_20120810.GetItem",
                           {"TableName": TABLE, "Key": {"id": {"S": key}},
                            "ConsistentRead": True}).get("Item")
        if item is None or item["v"]["N"] != str(value):
            problems.append(f"DynamoDB: item {key} lost or changed: {item}")
            break
    for key, digest in acked.objects.items():
        status, data = c.request("GET", f"/{BUCKET}/{key}")
        if status != 200 or hashlib.sha256(data).hexdigest() != digest:
            problems.append(f"S3: object {key} lost or changed (HTTP {status}, {len(data)} bytes)")
            break
    c.close()
    return problems, len(received)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stepwise")
    ap.add_argument("--kills", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=12.0, help="writing time in all")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"services crash test: seed {args.seed}, {args.kills} kills, {args.seconds} s")
    with tempfile.TemporaryDirectory() as work:
        server = Server(os.path.abspath(args.stepwise), work, ["--services", "sqs,dynamodb,s3"],
                        services_ready, READY_TIMEOUT_S, PORT_WAIT_S)
        server.start()
        try:
            queue_url = setup(server.port)
            acked, stop, errors = Acked(), threading.Event(), []
            threads = [threading.Thread(target=writer,
                                        args=(kind, i, server.port, queue_url, acked, stop,
                                              rng.randrange(1 << 30), errors))
                       for kind in ("sqs", "ddb", "s3") for i in range(CLIENTS_PER_SERVICE)]
            for t in threads:
                t.start()
            slice_s = args.seconds / (args.kills + 1)
            for _ in range(args.kills):
                time.sleep(rng.uniform(0.3, 1.7) * slice_s)
                server.kill()
                time.sleep(rng.uniform(0, 0.3))
                server.start()
            time.sleep(slice_s)
            stop.set()
            for t in threads:
                t.join()
            if errors:
                print("FAIL: a write was refused:", errors[0])
                return 1
            # One more kill with nothing in flight: what was acknowledged is on disk, not in
            # a buffer that a clean stop would have flushed.
            server.kill()
            server.start()
            problems, received = verify(server.port, queue_url, acked)
        finally:
            server.stop()
        print(f"acknowledged: {len(acked.messages)} messages ({received} received), "
              f"{len(acked.items)} items, {len(acked.objects)} objects; "
              f"{server.generation - 1} kills")
        if not acked.messages or not acked.items or not acked.objects:
            print("FAIL: a service acknowledged nothing; the test checked nothing")
            return 1
        for p in problems:
            print("FAIL", p)
        if problems:
            print(f"(replay with --seed {args.seed})")
            return 1
        print("ok: every acknowledged write survived kill -9")
        return 0


if __name__ == "__main__":
    sys.exit(main())
