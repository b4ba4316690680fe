"""Credit score: a deterministic score from the applicant id (a stand-in for a bureau call)."""
import json
import sys

event = json.load(sys.stdin)
applicant = event.get("applicant", {})
if "id" not in applicant:
    print(json.dumps({"errorType": "Checks.InvalidApplicant", "errorMessage": "no applicant id"}))
    sys.exit(1)
print(json.dumps({"score": 550 + applicant["id"] % 300}))
