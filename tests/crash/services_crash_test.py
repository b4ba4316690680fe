#!/usr/bin/env python3
"""Crash test of the built-in services (issue 12 item 7): every acknowledged write survives kill -9.

Client threads send SQS messages, put DynamoDB items and put S3 objects against `stepwise serve`
(SQLite store) while the server is killed with SIGKILL at random moments and restarted on the same
data directory. A write counts as acknowledged when its 200 answer arrived; a write cut off by the
kill may or may not be there. At the end every acknowledged message must be received (with its
body intact), every acknowledged item read back and every acknowledged object read back with its
exact bytes. Requests go over plain HTTP (no SDK), as AWS's JSON and REST protocols shape them.

S3 objects come in both kinds the server keeps: small ones (up to INLINE_MAX, bytes in their
SQLite record), objects at and just past that boundary, and large ones (files under
s3/blobs/); clients also overwrite earlier keys (small with large and back) and delete them. An
object cut off by a kill may hold its previous or its new content (or be absent, for a delete).
After the writes, and again after the last restart, the data directory must hold exactly one
blob file per large object and one bytes record per small object: nothing orphaned.

Usage: services_crash_test.py STEPWISE [--kills N] [--seconds S] [--seed N]
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse

from server_process import Server

READY_TIMEOUT_S = 30
PORT_WAIT_S = 20
CLIENTS_PER_SERVICE = 2
QUEUE = "crash-queue"
TABLE = "crash-table"
BUCKET = "crash-bucket"
INLINE_MAX = 64 * 1024  # s3_limits::inline_bytes_max


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
        self.objects = {}       # key -> set of what it may hold: sha256 of the bytes, or None

    def add(self, kind, key, value=None):
        with self.lock:
            if kind == "sqs":
                self.messages.add(key)
            elif kind == "ddb":
                self.items[key] = value
            else:
                self.objects[key] = value

    def s3_keys(self):
        with self.lock:
            return list(self.objects)

    def widen_s3(self, key, state):
        """A write of `key` is under way: it may hold `state` too until that is answered."""
        with self.lock:
            self.objects[key] = self.objects[key] | {state}


def object_size(rng):
    """Small objects mostly, as most of S3's traffic is; the boundary; large ones."""
    r = rng.random()
    if r < 0.5:
        return rng.randrange(0, 8 * 1024)
    if r < 0.6:
        return rng.choice([INLINE_MAX - 1, INLINE_MAX, INLINE_MAX + 1])
    if r < 0.8:
        return rng.randrange(8 * 1024, INLINE_MAX)
    return rng.randrange(INLINE_MAX + 1, 256 * 1024)


def s3_step(client, rng, index, n, acked):
    """One S3 write: a new object, an overwrite of an acknowledged one, or a delete of one.
    While it is unanswered the key may hold what it held or what this write makes it."""
    mine = [k for k in acked.s3_keys() if k.startswith(f"s3-{index}-")]
    r = rng.random()
    key = rng.choice(mine) if mine and r < 0.25 else f"s3-{index}-{n}"
    if key in mine and r < 0.05:
        new = None
        acked.widen_s3(key, new)
        status, body = client.request("DELETE", f"/{BUCKET}/{key}")
        expected = 204
    else:
        data = os.urandom(object_size(rng))
        new = hashlib.sha256(data).hexdigest()
        if key in mine:
            acked.widen_s3(key, new)
        status, body = client.request("PUT", f"/{BUCKET}/{key}", data,
                                      {"Content-Type": "application/octet-stream"})
        expected = 200
    if status != expected:
        raise RuntimeError(f"S3 {key}: HTTP {status}: {body[:300]!r}")
    acked.add("s3", key, {new})


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
                s3_step(client, rng, index, n, acked)
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
    for key, states in acked.objects.items():
        status, data = c.request("GET", f"/{BUCKET}/{key}")
        got = None if status == 404 else hashlib.sha256(data).hexdigest()
        if (status not in (200, 404)) or got not in states:
            problems.append(f"S3: object {key} lost or changed (HTTP {status}, {len(data)} bytes)")
            break
    c.close()
    return problems, len(received)


def list_sizes(port):
    """key -> size of every object in the bucket (ListObjectsV2, page by page)."""
    c = Http(port)
    sizes, token = {}, None
    while True:
        path = f"/{BUCKET}?list-type=2"
        if token:
            path += "&continuation-token=" + urllib.parse.quote(token, safe="")
        status, body = c.request("GET", path)
        if status != 200:
            raise RuntimeError(f"ListObjectsV2: HTTP {status}: {body[:300]!r}")
        text = body.decode()
        for item in re.findall(r"<Contents>(.*?)</Contents>", text, re.S):
            sizes[re.search(r"<Key>(.*?)</Key>", item).group(1)] = int(
                re.search(r"<Size>(\d+)</Size>", item).group(1))
        m = re.search(r"<NextContinuationToken>(.*?)</NextContinuationToken>", text)
        if "<IsTruncated>true</IsTruncated>" not in text or not m:
            break
        token = m.group(1)
    c.close()
    return sizes


def storage_problems(data_dir, sizes):
    """Every large object has one blob file and every small one a bytes record, nothing more.
    Read with the server running (its WAL lets this reader in) or stopped."""
    large = sum(1 for s in sizes.values() if s > INLINE_MAX)
    small = len(sizes) - large
    blob_dir = os.path.join(data_dir, "s3", "blobs")
    files = len(os.listdir(blob_dir)) if os.path.isdir(blob_dir) else 0
    db = sqlite3.connect(f"file:{os.path.join(data_dir, 'stepwise.db')}?mode=ro", uri=True)
    try:
        records = db.execute(
            "SELECT COUNT(*) FROM service_records WHERE ns = 's3.bytes'").fetchone()[0]
    finally:
        db.close()
    problems = []
    if files != large:
        problems.append(f"S3: {files} files under s3/blobs for {large} large objects")
    if records != small:
        problems.append(f"S3: {records} s3.bytes records for {small} small objects")
    return problems, small, large


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
            # Every write was answered: no file or record may be left that no object names.
            problems, _, _ = storage_problems(server.data_dir, list_sizes(server.port))
            # One more kill with nothing in flight: what was acknowledged is on disk, not in
            # a buffer that a clean stop would have flushed.
            server.kill()
            server.start()
            more, received = verify(server.port, queue_url, acked)
            problems += more
            sizes = list_sizes(server.port)
        finally:
            server.stop()
        # After the restart's sweep, and with the server stopped.
        more, small, large = storage_problems(server.data_dir, sizes)
        problems += more
        print(f"acknowledged: {len(acked.messages)} messages ({received} received), "
              f"{len(acked.items)} items, {len(acked.objects)} objects "
              f"(at the end {small} small, {large} large); {server.generation - 1} kills")
        if not acked.messages or not acked.items or not small or not large:
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
