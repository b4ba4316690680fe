#!/usr/bin/env python3
"""boto3 and the AWS CLI against the built-in S3 of `stepwise serve`, and workflows calling it.

Run through tests/clients/run.py (suites s3-boto3 and s3-boto3-debian). The newest boto3 sends
x-amz-checksum-crc32 with its writes and validates the checksums of what it reads (flexible
checksums); Debian's boto3 1.26 sends Content-MD5 where S3 wants it. Both go path-style
(`http://127.0.0.1:<port>/<bucket>/<key>`); virtual-host-style requests (`<bucket>.localhost`)
and aws-chunked bodies are sent raw, since `*.localhost` names do not resolve everywhere. The
AWS CLI (`aws s3 cp/ls/sync`, `aws s3api`) runs when installed. A second server on an SQLite
store shows that an acknowledged put survives kill -9.
"""
import base64
import hashlib
import http.client
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import warnings
import zlib

import boto3
import botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stepwise_server import StepwiseServer  # noqa: E402

ENDPOINT = os.environ.get("STEPWISE_ENDPOINT", "http://127.0.0.1:8083")
PORT = int(os.environ.get("STEPWISE_PORT", "8083"))
ROLE = "arn:aws:iam::123456789012:role/stepwise-clients"
SETTLE_TIMEOUT_S = 30
MIB = 1024 * 1024
warnings.simplefilter("ignore", ResourceWarning)
VERSION = tuple(int(p) for p in botocore.__version__.split(".")[:2])


def client(service, endpoint=ENDPOINT):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDSTEPWISECLIENTS",
                        aws_secret_access_key="stepwise-clients-secret",
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"mode": "standard", "max_attempts": 1}))


S3 = client("s3")
SFN = client("stepfunctions")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def bucket():
    name = unique("bkt")
    S3.create_bucket(Bucket=name)
    return name


def code_of(err):
    return err.response["Error"]["Code"]


def raw(method, path, host=None, headers=None, body=b""):
    """One request without a client library: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    h = {"Host": host or f"127.0.0.1:{PORT}"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


class Buckets(unittest.TestCase):
    def test_create_head_list_delete(self):
        name = bucket()
        S3.head_bucket(Bucket=name)
        self.assertIn(name, [b["Name"] for b in S3.list_buckets()["Buckets"]])
        S3.put_object(Bucket=name, Key="k", Body=b"x")
        with self.assertRaises(ClientError) as e:
            S3.delete_bucket(Bucket=name)
        self.assertEqual(code_of(e.exception), "BucketNotEmpty")
        S3.delete_object(Bucket=name, Key="k")
        S3.delete_bucket(Bucket=name)
        with self.assertRaises(ClientError) as e:
            S3.head_bucket(Bucket=name)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_errors(self):
        with self.assertRaises(ClientError) as e:
            S3.create_bucket(Bucket="Not_Valid")
        self.assertEqual(code_of(e.exception), "InvalidBucketName")
        with self.assertRaises(ClientError) as e:
            S3.list_objects_v2(Bucket=unique("missing"))
        self.assertEqual(code_of(e.exception), "NoSuchBucket")
        name = bucket()
        with self.assertRaises(ClientError) as e:
            S3.create_bucket(Bucket=name,
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(code_of(e.exception), "BucketAlreadyOwnedByYou")


class Objects(unittest.TestCase):
    def test_put_get_head_metadata(self):
        name = bucket()
        body = b"hello \x00\xff world"
        r = S3.put_object(Bucket=name, Key="dir/a b+c.bin", Body=body, ContentType="app/x",
                          Metadata={"owner": "me"}, CacheControl="max-age=60")
        self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        g = S3.get_object(Bucket=name, Key="dir/a b+c.bin")
        self.assertEqual(g["Body"].read(), body)
        self.assertEqual(g["ContentType"], "app/x")
        self.assertEqual(g["Metadata"], {"owner": "me"})
        self.assertEqual(g["CacheControl"], "max-age=60")
        h = S3.head_object(Bucket=name, Key="dir/a b+c.bin")
        self.assertEqual(h["ContentLength"], len(body))
        self.assertEqual(h["ETag"], r["ETag"])
        with self.assertRaises(ClientError) as e:
            S3.get_object(Bucket=name, Key="missing")
        self.assertEqual(code_of(e.exception), "NoSuchKey")
        with self.assertRaises(ClientError) as e:
            S3.head_object(Bucket=name, Key="missing")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_ranges(self):
        name = bucket()
        S3.put_object(Bucket=name, Key="r", Body=b"0123456789")
        g = S3.get_object(Bucket=name, Key="r", Range="bytes=2-4")
        self.assertEqual(g["Body"].read(), b"234")
        self.assertEqual(g["ContentRange"], "bytes 2-4/10")
        self.assertEqual(S3.get_object(Bucket=name, Key="r", Range="bytes=-3")["Body"].read(),
                         b"789")
        with self.assertRaises(ClientError) as e:
            S3.get_object(Bucket=name, Key="r", Range="bytes=20-")
        self.assertEqual(code_of(e.exception), "InvalidRange")

    def test_checksums(self):
        name = bucket()
        body = b"checked"
        crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        S3.put_object(Bucket=name, Key="c", Body=body, ChecksumAlgorithm="CRC32")
        if VERSION >= (1, 36):
            h = S3.head_object(Bucket=name, Key="c", ChecksumMode="ENABLED")
            self.assertEqual(h["ChecksumCRC32"], crc)
        md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        with self.assertRaises(ClientError) as e:
            S3.put_object(Bucket=name, Key="c", Body=body, ContentMD5=md5)
        self.assertEqual(code_of(e.exception), "BadDigest")

    def test_copy_and_delete_objects(self):
        name = bucket()
        S3.put_object(Bucket=name, Key="src", Body=b"payload", Metadata={"a": "1"})
        c = S3.copy_object(Bucket=name, Key="dst", CopySource={"Bucket": name, "Key": "src"})
        self.assertEqual(c["CopyObjectResult"]["ETag"],
                         '"%s"' % hashlib.md5(b"payload").hexdigest())
        self.assertEqual(S3.head_object(Bucket=name, Key="dst")["Metadata"], {"a": "1"})
        S3.copy_object(Bucket=name, Key="dst2", CopySource=f"{name}/src",
                       MetadataDirective="REPLACE", Metadata={"b": "2"})
        self.assertEqual(S3.head_object(Bucket=name, Key="dst2")["Metadata"], {"b": "2"})
        d = S3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "src"}, {"Key": "dst"},
                                                               {"Key": "never"}]})
        self.assertEqual(sorted(x["Key"] for x in d["Deleted"]), ["dst", "never", "src"])
        self.assertEqual([o["Key"] for o in S3.list_objects_v2(Bucket=name)["Contents"]],
                         ["dst2"])

    def test_hostile_keys_stay_keys(self):
        name = bucket()
        for key in ["../../etc/passwd", "a//b", "%2F..", "ünïcödé/ключ", "x" * 1024]:
            S3.put_object(Bucket=name, Key=key, Body=key.encode())
            self.assertEqual(S3.get_object(Bucket=name, Key=key)["Body"].read(), key.encode())
        with self.assertRaises(ClientError) as e:
            S3.put_object(Bucket=name, Key="x" * 1025, Body=b"")
        self.assertEqual(code_of(e.exception), "KeyTooLongError")


class Listing(unittest.TestCase):
    def test_v2_delimiter_prefix_paging(self):
        name = bucket()
        keys = ["a/1", "a/2", "b/1", "c", "d/e/f"] + [f"p/{i:03}" for i in range(25)]
        for k in keys:
            S3.put_object(Bucket=name, Key=k, Body=b"")
        top = S3.list_objects_v2(Bucket=name, Delimiter="/")
        self.assertEqual([o["Key"] for o in top["Contents"]], ["c"])
        self.assertEqual([p["Prefix"] for p in top["CommonPrefixes"]], ["a/", "b/", "d/", "p/"])
        self.assertEqual(top["KeyCount"], 5)
        pages = S3.get_paginator("list_objects_v2").paginate(
            Bucket=name, Prefix="p/", PaginationConfig={"PageSize": 10})
        seen = [o["Key"] for page in pages for o in page.get("Contents", [])]
        self.assertEqual(seen, [f"p/{i:03}" for i in range(25)])
        after = S3.list_objects_v2(Bucket=name, StartAfter="p/020")
        self.assertEqual([o["Key"] for o in after["Contents"]],
                         [f"p/{i:03}" for i in range(21, 25)])
        v1 = S3.list_objects(Bucket=name, Prefix="a/", MaxKeys=1)
        self.assertTrue(v1["IsTruncated"])
        self.assertEqual([o["Key"] for o in v1["Contents"]], ["a/1"])
        v1 = S3.list_objects(Bucket=name, Prefix="a/", Marker="a/1")
        self.assertEqual([o["Key"] for o in v1["Contents"]], ["a/2"])


class Multipart(unittest.TestCase):
    def test_upload_list_complete(self):
        name = bucket()
        up = S3.create_multipart_upload(Bucket=name, Key="big", ContentType="video/mp4")
        uid = up["UploadId"]
        p1 = b"a" * (5 * MIB)
        p2 = b"tail"
        e1 = S3.upload_part(Bucket=name, Key="big", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
        e2 = S3.upload_part(Bucket=name, Key="big", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
        parts = S3.list_parts(Bucket=name, Key="big", UploadId=uid)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts], [(1, 5 * MIB), (2, 4)])
        self.assertEqual([u["UploadId"] for u in
                          S3.list_multipart_uploads(Bucket=name)["Uploads"]], [uid])
        with self.assertRaises(ClientError) as e:
            S3.complete_multipart_upload(
                Bucket=name, Key="big", UploadId=uid,
                MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2},
                                           {"PartNumber": 1, "ETag": e1}]})
        self.assertEqual(code_of(e.exception), "InvalidPartOrder")
        done = S3.complete_multipart_upload(
            Bucket=name, Key="big", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1},
                                       {"PartNumber": 2, "ETag": e2}]})
        digests = hashlib.md5(p1).digest() + hashlib.md5(p2).digest()
        self.assertEqual(done["ETag"], '"%s-2"' % hashlib.md5(digests).hexdigest())
        g = S3.get_object(Bucket=name, Key="big", Range=f"bytes={5 * MIB - 2}-")
        self.assertEqual(g["Body"].read(), b"aatail")
        self.assertEqual(S3.head_object(Bucket=name, Key="big")["ContentType"], "video/mp4")
        with self.assertRaises(ClientError) as e:
            S3.upload_part(Bucket=name, Key="big", UploadId=uid, PartNumber=3, Body=b"x")
        self.assertEqual(code_of(e.exception), "NoSuchUpload")

    def test_abort(self):
        name = bucket()
        uid = S3.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
        S3.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=1, Body=b"x")
        S3.abort_multipart_upload(Bucket=name, Key="k", UploadId=uid)
        with self.assertRaises(ClientError) as e:
            S3.list_parts(Bucket=name, Key="k", UploadId=uid)
        self.assertEqual(code_of(e.exception), "NoSuchUpload")

    def test_transfer_manager(self):
        name = bucket()
        data = os.urandom(12 * MIB + 5)
        config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
        S3.upload_fileobj(io.BytesIO(data), name, "managed", Config=config)
        self.assertTrue(S3.head_object(Bucket=name, Key="managed")["ETag"].endswith('-3"'))
        out = io.BytesIO()
        S3.download_fileobj(name, "managed", out, Config=config)
        self.assertEqual(out.getvalue(), data)


class Wire(unittest.TestCase):
    def test_virtual_host_style(self):
        name = bucket()
        S3.put_object(Bucket=name, Key="vh/key", Body=b"virtual")
        for host in [f"{name}.localhost:{PORT}", f"{name}.s3.localhost:{PORT}",
                     f"{name}.s3.us-east-1.localhost:{PORT}"]:
            status, _, body = raw("GET", "/vh/key", host=host)
            self.assertEqual((status, body), (200, b"virtual"), host)
        status, _, body = raw("GET", "/?list-type=2&prefix=vh/", host=f"{name}.localhost")
        self.assertEqual(status, 200)
        self.assertIn(b"<Key>vh/key</Key>", body)
        status, _, body = raw("PUT", "/put-vh", host=f"{name}.localhost", body=b"put")
        self.assertEqual(status, 200)
        self.assertEqual(S3.get_object(Bucket=name, Key="put-vh")["Body"].read(), b"put")

    def test_aws_chunked_with_trailer(self):
        name = bucket()
        data = b"chunked body bytes"
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        body = (b"%x\r\n" % 7 + data[:7] + b"\r\n" + b"%x\r\n" % (len(data) - 7) + data[7:] +
                b"\r\n0\r\nx-amz-checksum-crc32:" + crc.encode() + b"\r\n\r\n")
        status, headers, _ = raw("PUT", f"/{name}/chunked", body=body, headers={
            "Content-Encoding": "aws-chunked",
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "x-amz-decoded-content-length": str(len(data)),
            "x-amz-trailer": "x-amz-checksum-crc32"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-amz-checksum-crc32"], crc)
        g = S3.get_object(Bucket=name, Key="chunked")
        self.assertEqual(g["Body"].read(), data)
        self.assertNotIn("ContentEncoding", g)
        bad = body.replace(crc.encode(), b"AAAAAA==")
        status, _, text = raw("PUT", f"/{name}/chunked2", body=bad, headers={
            "Content-Encoding": "aws-chunked",
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>BadDigest</Code>", text)
        status, _, text = raw("PUT", f"/{name}/chunked3", body=b"zz\r\nbroken",
                              headers={"Content-Encoding": "aws-chunked"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>IncompleteBody</Code>", text)

    def test_error_shapes(self):
        status, headers, body = raw("GET", f"/{unique('none')}/k")
        self.assertEqual(status, 404)
        self.assertIn(b"<Code>NoSuchBucket</Code>", body)
        self.assertIn("x-amz-request-id", headers)
        status, _, body = raw("HEAD", f"/{unique('none')}/k")
        self.assertEqual((status, body), (404, b""))
        name = bucket()
        status, _, body = raw("POST", f"/{name}?delete", body=b"<Delete><Object>")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MalformedXML</Code>", body)
        status, _, body = raw("GET", f"/{name}?acl")
        self.assertEqual(status, 501)


def aws_cli():
    for cli in filter(None, [os.environ.get("STEPWISE_AWS_CLI"), "/usr/bin/aws", "aws"]):
        path = shutil.which(cli)
        if path:
            return path
    return None


class Cli(unittest.TestCase):
    def aws(self, *args):
        cli = aws_cli()
        if not cli:
            self.skipTest("no aws CLI")
        r = subprocess.run([cli, "--endpoint-url", ENDPOINT, *args], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, f"aws {' '.join(args)}: {r.stderr}")
        return r.stdout

    def test_cp_ls_sync_s3api(self):
        name = unique("cli")
        self.aws("s3", "mb", f"s3://{name}")
        work = tempfile.mkdtemp(prefix="stepwise-s3-cli-")
        try:
            src = os.path.join(work, "src")
            os.makedirs(os.path.join(src, "sub"))
            files = {"a.txt": b"alpha", "sub/b.bin": os.urandom(9 * MIB)}
            for rel, data in files.items():
                with open(os.path.join(src, rel), "wb") as f:
                    f.write(data)
            self.aws("s3", "cp", os.path.join(src, "a.txt"), f"s3://{name}/one/a.txt")
            self.assertIn("one/", self.aws("s3", "ls", f"s3://{name}/"))
            self.aws("s3", "sync", src, f"s3://{name}/synced")
            listing = self.aws("s3", "ls", "--recursive", f"s3://{name}/synced/")
            self.assertIn("synced/sub/b.bin", listing)
            self.assertIn("synced/a.txt", listing)
            dst = os.path.join(work, "dst")
            self.aws("s3", "sync", f"s3://{name}/synced", dst)
            for rel, data in files.items():
                with open(os.path.join(dst, rel), "rb") as f:
                    self.assertEqual(f.read(), data, rel)
            head = json.loads(self.aws("s3api", "head-object", "--bucket", name, "--key",
                                       "synced/sub/b.bin"))
            self.assertEqual(head["ContentLength"], 9 * MIB)
            out = json.loads(self.aws("s3api", "list-objects-v2", "--bucket", name,
                                      "--delimiter", "/"))
            self.assertEqual(sorted(p["Prefix"] for p in out["CommonPrefixes"]),
                             ["one/", "synced/"])
            self.aws("s3", "rm", "--recursive", f"s3://{name}")
            self.aws("s3api", "delete-bucket", "--bucket", name)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def wait_execution(arn):
    deadline = time.time() + SETTLE_TIMEOUT_S
    while time.time() < deadline:
        d = SFN.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    raise AssertionError(f"{arn} still RUNNING")


class Workflows(unittest.TestCase):
    def test_put_get_list_through_aws_sdk_s3(self):
        name = bucket()
        definition = {
            "StartAt": "Put",
            "States": {
                "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                        "Parameters": {"Bucket.$": "$.bucket", "Key": "doc.json",
                                       "Body.$": "$.doc"},
                        "ResultPath": "$.put", "Next": "Get"},
                "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                        "Parameters": {"Bucket.$": "$.bucket", "Key": "doc.json"},
                        "ResultSelector": {"body.$": "States.StringToJson($.Body)",
                                           "etag.$": "$.ETag"},
                        "ResultPath": "$.got", "Next": "List"},
                "List": {"Type": "Task",
                         "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
                         "Parameters": {"Bucket.$": "$.bucket"},
                         "ResultSelector": {"count.$": "$.KeyCount"},
                         "ResultPath": "$.listed", "Next": "Missing"},
                "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                            "Parameters": {"Bucket.$": "$.bucket", "Key": "nope"},
                            "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"],
                                       "ResultPath": "$.error", "Next": "Done"}],
                            "End": True},
                "Done": {"Type": "Succeed"}}}
        arn = SFN.create_state_machine(name=unique("s3-flow"), definition=json.dumps(definition),
                                       roleArn=ROLE)["stateMachineArn"]
        doc = {"items": [1, 2, 3]}
        run = SFN.start_execution(stateMachineArn=arn,
                                  input=json.dumps({"bucket": name, "doc": doc}))
        d = wait_execution(run["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED", d)
        out = json.loads(d["output"])
        self.assertEqual(out["got"]["body"], doc)
        self.assertEqual(out["listed"]["count"], 1)
        self.assertEqual(out["error"]["Error"], "S3.NoSuchKeyException")
        self.assertIn("(Service: S3, Status Code: 404", out["error"]["Cause"])
        # What the workflow stored is what a client reads.
        g = S3.get_object(Bucket=name, Key="doc.json")
        self.assertEqual(json.loads(g["Body"].read()), doc)
        self.assertEqual(g["ContentType"], "text/plain; charset=UTF-8")


class Durability(unittest.TestCase):
    def test_acknowledged_put_survives_kill_9(self):
        binary = os.environ.get("STEPWISE_BIN")
        if not binary:
            self.skipTest("STEPWISE_BIN not set")
        data = tempfile.mkdtemp(prefix="stepwise-s3-durable-")
        args = ("--store", "sqlite", "--data-dir", data)
        try:
            server = StepwiseServer(binary, log_dir=data, base_args=args)
            server.start()
            s3 = client("s3", server.endpoint)
            s3.create_bucket(Bucket="durable")
            # Small objects (bytes in their record, up to 64 KiB) and large ones (files).
            inline_max = 64 * 1024
            bodies = {f"k{i}": os.urandom(1000 + i if i % 2 else inline_max - 2 + i)
                      for i in range(20)}
            for k, v in bodies.items():
                s3.put_object(Bucket="durable", Key=k, Body=v)
            s3.delete_object(Bucket="durable", Key="k0")
            del bodies["k0"]
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            again = StepwiseServer(binary, log_dir=data, base_args=args)
            again.start()
            try:
                s3 = client("s3", again.endpoint)
                listed = [o["Key"] for o in s3.list_objects_v2(Bucket="durable")["Contents"]]
                self.assertEqual(sorted(listed), sorted(bodies))
                for k, v in bodies.items():
                    self.assertEqual(s3.get_object(Bucket="durable", Key=k)["Body"].read(), v)
                # Nothing orphaned: a file per large object, a bytes record per small one.
                large = sum(1 for v in bodies.values() if len(v) > inline_max)
                blobs = os.listdir(os.path.join(data, "s3", "blobs"))
                self.assertEqual(len(blobs), large)
                db = sqlite3.connect(f"file:{os.path.join(data, 'stepwise.db')}?mode=ro", uri=True)
                try:
                    records = db.execute("SELECT COUNT(*) FROM service_records "
                                         "WHERE ns = 's3.bytes'").fetchone()[0]
                finally:
                    db.close()
                self.assertEqual(records, len(bodies) - large)
            finally:
                self.assertEqual(again.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    print(f"s3 clients: botocore {botocore.__version__}", flush=True)
    unittest.main()
