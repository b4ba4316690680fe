"""A stand-in for the AWS Lambda Python runtime, speaking Stepwise's local-function protocols.

Each handler script in this folder ends with ``lambda_runtime.main(handler)``. Run as a command
(the default), it reads one event (JSON) from stdin and
  - on success prints the result on stdout (json.dumps of the returned value, or the raw bytes
    when the handler returns bytes, as the Lambda runtime passes bytes through) and exits 0;
  - on an exception prints the error object exactly as the Lambda Python runtime reports it
    (errorMessage, errorType, requestId, stackTrace; json.dumps layout) and exits 1.
Run with ``--worker`` it serves one JSON request per line (``{"id": N, "event": ...}``) and answers
one line per request (``{"id": N, "result": ...}`` or ``{"id": N, "error": {...}}``).

Stack trace lines name ``/var/task/handler.py``, the path of a handler module in Lambda, so the
traces match what AWS recorded for the same handler source.
"""
import json
import os
import sys
import time
import traceback
import uuid

LAMBDA_HANDLER_PATH = "/var/task/handler.py"


class Context:
    """The subset of Lambda's context object that handlers commonly read."""

    def __init__(self, request_id, timeout_ms=60000):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "128"
        self._deadline = time.time() + timeout_ms / 1000.0

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.time()) * 1000))


def _stack_trace(exc):
    """Formatted frames below the runtime, the handler's file shown under Lambda's path."""
    script = os.path.abspath(sys.argv[0])
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__)[1:]:  # drop the runtime's own frame
        name = LAMBDA_HANDLER_PATH if os.path.abspath(frame.filename) == script else frame.filename
        frames.append(traceback.FrameSummary(name, frame.lineno, frame.name, line=frame.line))
    return traceback.format_list(frames)


def _error(exc, request_id):
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": _stack_trace(exc),
    }


def _invoke(handler, event):
    """Returns (payload_bytes, None) or (None, error_object)."""
    request_id = str(uuid.uuid4())
    try:
        result = handler(event, Context(request_id))
    except Exception as exc:  # noqa: BLE001 - the runtime reports every handler exception
        return None, _error(exc, request_id)
    if isinstance(result, (bytes, bytearray)):
        return bytes(result), None
    try:
        return json.dumps(result).encode("utf-8"), None
    except (TypeError, ValueError) as exc:
        return None, {
            "errorMessage": "Unable to marshal response: %s" % exc,
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }


def _serve_command(handler):
    raw = sys.stdin.buffer.read()
    event = json.loads(raw) if raw.strip() else {}
    payload, error = _invoke(handler, event)
    if error is not None:
        sys.stdout.write(json.dumps(error))
        sys.stdout.flush()
        sys.exit(1)
    sys.stdout.buffer.write(payload)
    sys.stdout.flush()


def _serve_worker(handler):
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        payload, error = _invoke(handler, request.get("event"))
        if error is not None:
            answer = {"id": request.get("id"), "error": error}
        else:
            try:
                result = json.loads(payload)
            except ValueError:
                result = payload.decode("utf-8", "replace")
            answer = {"id": request.get("id"), "result": result}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def main(handler):
    if "--worker" in sys.argv[1:]:
        _serve_worker(handler)
    else:
        _serve_command(handler)
