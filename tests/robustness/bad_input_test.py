#!/usr/bin/env python3
"""Bad input never crashes `stepwise`: each hostile definition or input ends with exit status 1
or 2 (never a signal), a clear message, and within a time bound.

Usage: bad_input_test.py PATH/TO/stepwise [-v] [-k NAME_SUBSTRING] [--sanitized]

--sanitized (ctest passes it for a STEPWISE_SANITIZE build): a sanitizer reserves terabytes of
address space for its shadow memory, so the address-space bound would stop every run at start;
the bound is then ASan's own RSS check (hard_rss_limit_mb), and the time bound is tripled for the
instrumented code.

Big inputs (10,000-state machines, 100k-level nesting, 10 MB strings) are generated here into
a temporary directory, never committed. Each case says which command runs, what the exit status
must be, and a word the message must contain. `stepwise run` reports on stderr; `stepwise
validate` answers ValidateStateMachineDefinition's JSON on stdout (result FAIL + diagnostics),
so for it the diagnostics are the message.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

TIME_LIMIT_S = 10         # every run must end within this
MESSAGE_BYTES_MAX = 64 * 1024  # a "clear" message is short: it never echoes a whole payload
MEMORY_BYTES_MAX = 4 * 1024 ** 3  # address space per run: a runaway fails instead of eating the host
KNOWN_FAILURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_failures.txt")


def pass_chain(n, cycle):
    """n states S0 -> S1 -> ... -> S(n-1). Chain: the last one ends. Cycle: the last one is a
    Choice whose exit never matches ({} has no $.stop) and whose Default goes back to S0, so the
    machine is valid ASL (a terminal state exists) yet loops forever."""
    states = {}
    for i in range(n):
        state = {"Type": "Pass"}
        if i + 1 < n:
            state["Next"] = "S%d" % (i + 1)
        elif cycle:
            state = {"Type": "Choice", "Default": "S0",
                     "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}]}
        else:
            state["End"] = True
        states["S%d" % i] = state
    if cycle:
        states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "S0", "States": states}


def pure_cycle(n):
    """n Pass states in a ring: no terminal state at all (AWS rejects it)."""
    states = {"S%d" % i: {"Type": "Pass", "Next": "S%d" % ((i + 1) % n)} for i in range(n)}
    return {"StartAt": "S0", "States": states}


def simple(state_fields=None, top_fields=None):
    state = {"Type": "Pass", "End": True}
    state.update(state_fields or {})
    d = {"StartAt": "A", "States": {"A": state}}
    d.update(top_fields or {})
    return d


def nested_parallel(depth):
    d = {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}
    for _ in range(depth):
        d = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [d]}}}
    return d


BAD_UTF8 = b"\xff\xfe\xc3\x28\xed\xa0\x80"
OK_DEF = json.dumps(simple()).encode()

# Each case: name, command ("run"/"validate"), definition bytes, input (bytes for @file, or None
# for the default {}), extra flags, allowed exit statuses, words of which one must appear in the
# message. Statuses: run 0 ok / 1 execution failed / 2 invalid; validate 0 OK / 1 FAIL / 2 unreadable.
CASES = [
    # Malformed JSON.
    ("run_truncated_definition", "run", b'{"StartAt":"A","States":{', None, [], {2}, ["InvalidDefinition"]),
    ("validate_truncated_definition", "validate", b'{"StartAt":"A","States":{', None, [], {1}, ["INVALID_JSON", "JSON"]),
    ("run_empty_definition", "run", b"", None, [], {2}, ["InvalidDefinition"]),
    ("validate_empty_definition", "validate", b"", None, [], {1}, ["JSON"]),
    ("run_definition_not_object", "run", b"[1,2,3]", None, [], {2}, ["InvalidDefinition"]),
    ("validate_definition_not_object", "validate", b"[1,2,3]", None, [], {1}, ["JSON object"]),
    ("run_trailing_garbage", "run", OK_DEF + b" }}}", None, [], {2}, ["InvalidDefinition"]),
    ("run_malformed_input", "run", OK_DEF, b'{"a":', [], {2}, ["not JSON"]),
    ("run_input_nan", "run", OK_DEF, b"[NaN]", [], {2}, ["not JSON"]),
    ("run_input_unterminated_string", "run", OK_DEF, b'"abc', [], {2}, ["not JSON"]),
    ("run_missing_definition_file", "run", None, None, [], {2}, ["No such file", "unreadable", "cannot"]),
    ("run_missing_input_file", "run", OK_DEF, "@/nonexistent/input.json", [], {2}, ["No such file", "cannot"]),
    # Huge graphs.
    ("run_cycle_10000_pass_states", "run", json.dumps(pass_chain(10000, True)).encode(), None,
     ["--fast-time"], {1}, ["States.Runtime", "history"]),
    ("validate_cycle_10000_pass_states", "validate", json.dumps(pass_chain(10000, True)).encode(), None,
     [], {0, 1}, ["result"]),
    ("run_pure_cycle_no_terminal", "run", json.dumps(pure_cycle(10000)).encode(), None, ["--fast-time"],
     {2}, ["MISSING_END_STATE", "terminal"]),
    ("validate_pure_cycle_no_terminal", "validate", json.dumps(pure_cycle(10000)).encode(), None, [],
     {1}, ["MISSING_END_STATE", "terminal"]),
    ("run_chain_10000_pass_states", "run", json.dumps(pass_chain(10000, False)).encode(), None,
     ["--fast-time"], {0}, []),
    ("validate_chain_10000_pass_states", "validate", json.dumps(pass_chain(10000, False)).encode(), None,
     [], {0}, ["OK"]),
    ("run_parallel_nested_100_deep", "run", json.dumps(nested_parallel(100)).encode(), None,
     ["--fast-time"], {0, 2}, ["InvalidDefinition", "deep", "nest"]),
    # Deep nesting.
    ("run_input_nested_100k_arrays", "run", OK_DEF, b"[" * 100000 + b"]" * 100000, [], {2}, ["depth", "deep", "nest"]),
    # 40,000 levels: deep enough to be refused for its depth, small enough (240 KB) to pass the
    # 256 KiB input quota that `run` checks first, as StartExecution does.
    ("run_input_nested_40k_objects", "run", OK_DEF, b'{"a":' * 40000 + b"1" + b"}" * 40000, [], {2},
     ["depth", "deep", "nest"]),
    ("run_definition_nested_100k", "run", b"[" * 100000 + b"]" * 100000, None, [], {2}, ["InvalidDefinition"]),
    ("validate_definition_nested_100k", "validate", b"[" * 100000 + b"]" * 100000, None, [], {1}, ["JSON"]),
    ("run_definition_yaml_nested_100k", "run", b"a: " + b"[" * 100000, None, [], {2}, ["InvalidDefinition"]),
    ("validate_definition_yaml_nested_100k", "validate", b"a: " + b"[" * 100000, None, [], {1}, ["JSON"]),
    ("run_parameters_nested_600", "run",
     b'{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Parameters":' + b'{"a":' * 600 + b"1"
     + b"}" * 600 + b"}}}", None, [], {2}, ["InvalidDefinition"]),
    ("run_choice_not_nested_400", "run",
     b'{"StartAt":"C","States":{"C":{"Type":"Choice","Default":"E","Choices":[{"Next":"E",'
     + b'"Not":{' * 400 + b'"Variable":"$.a","IsPresent":true' + b"}" * 400
     + b'}]},"E":{"Type":"Succeed"}}}', None, [], {0, 2}, ["InvalidDefinition"]),
    # Huge strings.
    ("run_input_10MB_string", "run", OK_DEF, b'{"s":"' + b"x" * (10 * 1024 * 1024) + b'"}', [], {1, 2},
     ["DataLimitExceeded", "too large", "size", "limit"]),
    ("run_input_300KB_string", "run", OK_DEF, b'{"s":"' + b"x" * (300 * 1024) + b'"}', [], {1, 2},
     ["DataLimitExceeded", "too large", "size", "limit", "less than or equal to 262144"]),
    ("run_result_300KB_string", "run", json.dumps(simple({"Result": {"s": "x" * 300 * 1024}})).encode(), None,
     [], {1, 2}, ["DataLimitExceeded", "too large", "size", "limit"]),
    ("run_definition_2MB_comment", "run", json.dumps(simple(top_fields={"Comment": "c" * 2 * 1024 * 1024})).encode(),
     None, [], {1, 2}, ["InvalidDefinition", "too large", "size", "limit"]),
    ("validate_definition_2MB_comment", "validate",
     json.dumps(simple(top_fields={"Comment": "c" * 2 * 1024 * 1024})).encode(), None, [], {0, 1},
     ["result"]),
    ("run_definition_10MB_file", "run", json.dumps(simple(top_fields={"Comment": "c" * 10 * 1024 * 1024})).encode(),
     None, [], {2}, ["too large", "size", "limit"]),
    # Unknown fields.
    ("run_unknown_state_field", "run", json.dumps(simple({"Bogus": 1})).encode(), None, [], {2},
     ["SCHEMA_VALIDATION_FAILED", "InvalidDefinition"]),
    ("validate_unknown_state_field", "validate", json.dumps(simple({"Bogus": 1})).encode(), None, [], {1},
     ["SCHEMA_VALIDATION_FAILED"]),
    ("run_unknown_top_field", "run", json.dumps(simple(top_fields={"Bogus": {}})).encode(), None, [], {2},
     ["SCHEMA_VALIDATION_FAILED", "InvalidDefinition"]),
    ("run_unknown_state_type", "run", json.dumps(simple({"Type": "Teleport"})).encode(), None, [], {2},
     ["InvalidDefinition"]),
    # Wrong types everywhere.
    ("run_wrong_types", "run",
     b'{"StartAt":1,"States":{"A":{"Type":["Pass"],"End":"yes","Next":{}}},"TimeoutSeconds":"x"}', None, [],
     {2}, ["InvalidDefinition"]),
    ("validate_wrong_types", "validate",
     b'{"StartAt":1,"States":{"A":{"Type":["Pass"],"End":"yes","Next":{}}},"TimeoutSeconds":"x"}', None, [],
     {1}, ["SCHEMA_VALIDATION_FAILED"]),
    ("run_states_is_array", "run", b'{"StartAt":"A","States":[{"Type":"Pass"}]}', None, [], {2}, ["InvalidDefinition"]),
    ("run_wait_seconds_huge", "run",
     json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1e300, "End": True}}}).encode(),
     None, ["--fast-time"], {2}, ["InvalidDefinition"]),
    ("run_paths_wrong_types", "run", json.dumps(simple({"InputPath": 5, "ResultPath": [], "Parameters": "x"})).encode(),
     None, [], {2}, ["InvalidDefinition"]),
    ("run_bad_jsonpath", "run", json.dumps(simple({"InputPath": "$..[?(@.a =="})).encode(), None, [], {2},
     ["InvalidDefinition"]),
    ("run_bad_intrinsic", "run", json.dumps(simple({"Parameters": {"x.$": "States.Format('abc"}})).encode(), None,
     [], {2}, ["InvalidDefinition"]),
    ("run_runtime_path_miss", "run", json.dumps(simple({"InputPath": "$.missing"})).encode(), None, [], {1},
     ["States.Runtime"]),
    ("run_intrinsic_range_huge", "run",
     json.dumps(simple({"Parameters": {"x.$": "States.ArrayRange(0, 999999999, 1)"}})).encode(), None, [], {1},
     ["States.IntrinsicFailure"]),
    ("run_jsonata_infinite_recursion", "run",
     json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
         "Type": "Pass", "Output": "{% ($f := function($x){$f($x)}; $f(1)) %}", "End": True}}}).encode(),
     None, [], {1}, ["States.QueryEvaluationError"]),
    ("run_jsonata_huge_range", "run",
     json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
         "Type": "Pass", "Output": "{% [1..100000000] %}", "End": True}}}).encode(),
     None, [], {1}, ["States.QueryEvaluationError", "DataLimitExceeded"]),
    ("run_jsonata_syntax_error", "run",
     json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
         "Type": "Pass", "Output": "{% (((( %}", "End": True}}}).encode(),
     None, [], {2}, ["InvalidDefinition"]),
    # Invalid UTF-8.
    ("run_definition_invalid_utf8", "run", b'{"StartAt":"A","Comment":"' + BAD_UTF8 + b'","States":{"A":{"Type":"Pass","End":true}}}',
     None, [], {0, 2}, ["InvalidDefinition", "UTF"]),
    ("validate_definition_invalid_utf8", "validate", b'{"StartAt":"' + BAD_UTF8 + b'","States":{}}', None, [], {1},
     ["result"]),
    ("run_input_invalid_utf8", "run", OK_DEF, b'{"s":"' + BAD_UTF8 + b'"}', [], {0, 2}, ["not JSON", "UTF"]),
    ("run_state_name_invalid_utf8", "run", b'{"StartAt":"' + BAD_UTF8 + b'","States":{"' + BAD_UTF8
     + b'":{"Type":"Pass","End":true}}}', None, [], {0, 2}, ["InvalidDefinition", "UTF"]),
    # Express: no history limit; an endless loop must still end (AWS: the 5-minute duration).
    ("run_express_cycle_fast_time", "run", json.dumps(pass_chain(3, True)).encode(), None,
     ["--express", "--fast-time"], {1}, ["States.Timeout", "Timeout", "timed out"]),
]


SANITIZED = "--sanitized" in sys.argv
if SANITIZED:
    TIME_LIMIT_S *= 3


def limit_memory():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES_MAX, MEMORY_BYTES_MAX))


def run_environment():
    env = dict(os.environ)
    if SANITIZED:
        rss = "hard_rss_limit_mb=%d" % (MEMORY_BYTES_MAX // 1024 ** 2)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), rss]))
    return env


def known_failures():
    """Case names listed in known_failures.txt (one per line, '#' starts a comment)."""
    try:
        with open(KNOWN_FAILURES, encoding="utf-8") as fh:
            lines = [line.split("#", 1)[0].strip() for line in fh]
    except OSError:
        return set()
    return {line for line in lines if line}


def run_case(binary, tmp, case, verbose):
    name, command, definition, input_data, flags, statuses, words = case
    def_path = os.path.join(tmp, name + ".asl.json")
    if definition is None:
        def_path = os.path.join(tmp, "does-not-exist.json")
    else:
        with open(def_path, "wb") as fh:
            fh.write(definition)
    args = [binary, command, def_path] + flags
    if isinstance(input_data, bytes):
        input_path = os.path.join(tmp, name + ".input.json")
        with open(input_path, "wb") as fh:
            fh.write(input_data)
        args += ["--input", "@" + input_path]
    elif isinstance(input_data, str):
        args += ["--input", input_data]
    start = time.monotonic()
    problems = []
    try:
        proc = subprocess.run(args, capture_output=True, timeout=TIME_LIMIT_S,
                              preexec_fn=limit_memory, env=run_environment())
    except subprocess.TimeoutExpired:
        return ["HANG: no answer within %d s" % TIME_LIMIT_S], TIME_LIMIT_S, ""
    elapsed = time.monotonic() - start
    code = proc.returncode
    # `run` reports on stderr; `validate` answers on stdout (its diagnostics are the message).
    message = proc.stderr if command == "run" else proc.stdout + proc.stderr
    text = message.decode("utf-8", "replace")
    if code < 0:
        problems.append("CRASH: killed by signal %s" % signal.Signals(-code).name)
    elif code not in statuses:
        problems.append("exit status %d, expected one of %s" % (code, sorted(statuses)))
    if code != 0 and not text.strip():
        problems.append("UNCLEAR: no message")
    if len(message) > MESSAGE_BYTES_MAX:
        problems.append("UNCLEAR: message of %d bytes" % len(message))
    if code != 0 and words and not any(w.lower() in text.lower() for w in words):
        problems.append("UNCLEAR: message names none of %s" % words)
    if "terminate called" in text or "Assertion" in text:
        problems.append("CRASH: %s" % text[:200])
    return problems, elapsed, text


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    verbose = "-v" in sys.argv
    only = sys.argv[sys.argv.index("-k") + 1] if "-k" in sys.argv else ""
    known = known_failures()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="stepwise-robustness-") as tmp:
        for case in CASES:
            if only not in case[0]:
                continue
            problems, elapsed, text = run_case(binary, tmp, case, verbose)
            if case[0] in known:
                # Listed cases must keep failing, so the list only shrinks.
                status = "KNOWN" if problems else "FIXED"
                problems = problems or ["passes now: remove it from known_failures.txt"]
            else:
                status = "FAIL" if problems else "ok"
            print("%-5s %-40s %5.2fs  %s" % (status, case[0], elapsed, "; ".join(problems)))
            if problems or verbose:
                print("      message: %s" % text.strip()[:300].replace("\n", " | "))
            failures += status in ("FAIL", "FIXED")
    print("%d cases, %d failed" % (sum(only in c[0] for c in CASES), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
