"""An activity worker for Stepwise (or AWS): long-polls GetActivityTask, decides, answers.

    python3 examples/activity-worker/worker.py [--endpoint http://127.0.0.1:8083] [--once]

Approves invoices up to 1,000 and rejects the others (SendTaskFailure with an error a Catch can
match). Sends a heartbeat before working, as a long task should within HeartbeatSeconds.
"""
import argparse
import json

import boto3
from botocore.config import Config

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:invoice-approval"


def decide(invoice):
    if invoice.get("amount", 0) <= 1000:
        return {"approved": True, "by": "worker.py"}
    raise ValueError(f"amount {invoice.get('amount')} needs a human")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default="http://127.0.0.1:8083")
    parser.add_argument("--once", action="store_true", help="stop after one task")
    args = parser.parse_args()
    sfn = boto3.client("stepfunctions", endpoint_url=args.endpoint, region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local",
                       # A poll is held up to ~55 s: the read timeout must be longer.
                       config=Config(read_timeout=70, retries={"max_attempts": 2}))
    while True:
        task = sfn.get_activity_task(activityArn=ACTIVITY, workerName="invoice-worker")
        token = task.get("taskToken")
        if not token:
            continue  # the poll ended empty: poll again
        sfn.send_task_heartbeat(taskToken=token)
        try:
            result = decide(json.loads(task["input"]))
            sfn.send_task_success(taskToken=token, output=json.dumps(result))
        except ValueError as e:
            sfn.send_task_failure(taskToken=token, error="Invoice.NeedsHuman", cause=str(e))
        if args.once:
            return


if __name__ == "__main__":
    main()
