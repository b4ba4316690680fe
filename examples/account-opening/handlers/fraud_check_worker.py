"""Fraud check as a long-lived worker: one JSON request per line in, one response per line out."""
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    applicant = request["event"].get("applicant", {})
    risk = "low" if applicant.get("country") in ("US", "GB", "DE") else "high"
    print(json.dumps({"id": request["id"], "result": {"risk": risk}}), flush=True)
