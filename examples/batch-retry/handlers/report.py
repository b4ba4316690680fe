# A Batch job stand-in: the Task's parameters arrive as JSON on stdin. The first attempt fails
# (exit 1, as a flaky container would); a retry succeeds and reports through stdout, whose JSON
# object fields are merged into the job description Step Functions returns.
import json
import sys

request = json.load(sys.stdin)
params = request.get("Parameters", {})
if params.get("attempt") == "0":
    print("transient failure: the warehouse is not ready", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"Report": {"day": params["day"], "rows": 42}}))
