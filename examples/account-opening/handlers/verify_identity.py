"""Identity check: verified when the applicant has an id and a name."""
import json
import sys

event = json.load(sys.stdin)
applicant = event.get("applicant", {})
print(json.dumps({"verified": bool(applicant.get("id")) and bool(applicant.get("name"))}))
