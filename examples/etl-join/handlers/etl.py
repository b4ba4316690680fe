"""ETL stand-ins. The check worker reports the datasets as landed on its third poll, so the
workflow's Wait loop runs twice (instantly under --fast-time)."""
import json
import sys

DATA = {
    "orders": [{"order": 1, "customer_id": 1}, {"order": 2, "customer_id": 2}, {"order": 3, "customer_id": 1}],
    "customers": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}],
}

mode = sys.argv[1]
if mode == "check-worker":
    polls = 0
    for line in sys.stdin:
        request = json.loads(line)
        polls += 1
        ready = polls >= 3
        result = {"orders": ready, "customers": ready, "polls": polls}
        print(json.dumps({"id": request["id"], "result": result}), flush=True)
elif mode == "extract":
    event = json.load(sys.stdin)
    print(json.dumps({"dataset": event["dataset"], "rows": DATA[event["dataset"]]}))
elif mode == "join":
    orders, customers = json.load(sys.stdin)
    names = {c["id"]: c["name"] for c in customers["rows"]}
    joined = [{"order": o["order"], "customer": names[o["customer_id"]]} for o in orders["rows"]]
    print(json.dumps({"rows": len(joined), "joined": joined}))
