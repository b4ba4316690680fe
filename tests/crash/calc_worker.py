#!/usr/bin/env python3
"""The crash test's local function `calc` (a worker: one JSON request per stdin line).

Every call appends one line to the log file named by $CRASH_CALL_LOG *before* answering, so a
call whose answer is lost in a server crash is still counted. The line carries the execution
name, the call key (state, plus Map index), the attempt ($$.State.RetryCount), the idempotency
key Stepwise sent with the request line (docs/FUNCTIONS.md) and a unique call id. The result is a pure function of the event, so a re-run after a crash answers the same.
With "failFirst": true the first attempt (attempt 0) fails with errorType "Transient".
"""
import json
import os
import sys
import uuid


def answer(event):
    if event.get("failFirst") and event.get("attempt") == 0:
        return {"error": {"errorMessage": "first attempt fails", "errorType": "Transient"}}
    return {"result": {"y": event["x"] * 3 + 1}}


def main():
    fd = os.open(os.environ["CRASH_CALL_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for line in sys.stdin:
        try:
            request = json.loads(line)
            event = request["event"]
        except (ValueError, KeyError, TypeError):
            continue
        record = {"exec": event.get("exec"), "key": event.get("key"),
                  "attempt": event.get("attempt"), "idem": request.get("idempotencyKey"),
                  "call": uuid.uuid4().hex}
        # One write of one line on an O_APPEND descriptor: lines of concurrent workers never mix.
        os.write(fd, (json.dumps(record) + "\n").encode())
        reply = answer(event)
        reply["id"] = request.get("id")
        try:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            return  # the server was killed: its answer is lost, the call stays in the log


if __name__ == "__main__":
    main()
