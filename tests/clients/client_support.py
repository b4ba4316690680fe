"""What the boto3 client suites share: where the server is, a client signed with the suites'
key, unique names and error codes. Suites start the server with stepwise_server.py."""
import os
import uuid

import boto3
from botocore.config import Config

ENDPOINT = os.environ.get("STEPWISE_ENDPOINT", "http://127.0.0.1:8083")
ROLE = "arn:aws:iam::123456789012:role/stepwise-clients"
SETTLE_TIMEOUT_S = 30


def client(service, endpoint=ENDPOINT, **config):
    """A client of `service` on the server; `config` adds to (or overrides) the botocore Config
    (one attempt, no retries)."""
    settings = {"retries": {"mode": "standard", "max_attempts": 1}}
    settings.update(config)
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDSTEPWISECLIENTS",
                        aws_secret_access_key="stepwise-clients-secret",
                        config=Config(**settings))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code_of(err):
    return err.response["Error"]["Code"]
