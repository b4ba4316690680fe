#!/usr/bin/env python3
"""Regenerates the realistic part of fuzz/corpus/* from the recorded conformance cases.

Usage: python3 fuzz/make_seeds.py [CASES_DIR]   (default: ../shared/conformance/cases)

Seeds are small and varied: a fixed-seed sample of the cases, so rerunning gives the same files.
Nasty seeds (deep nesting, huge numbers, bad UTF-8, unterminated strings, ...) are written as
nasty_*; crash inputs found by a fuzzer are kept as crash_* and never touched here. Input format of each target: see the
header comment of fuzz/<target>_fuzz.cpp (most are "first line: program, rest: input JSON").
"""
import glob
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "conformance", "cases")
PER_TARGET = 40
MAX_BYTES = 4000  # keep seeds small: libFuzzer mutates small inputs far better

PATH_KEYS = {"InputPath", "OutputPath", "ResultPath", "ItemsPath", "SecondsPath", "TimestampPath",
             "HeartbeatSecondsPath", "TimeoutSecondsPath", "ToleratedFailureCountPath",
             "ToleratedFailurePercentagePath", "MaxConcurrencyPath", "Variable", "ErrorPath", "CausePath"}
TEMPLATE_KEYS = {"Parameters", "ResultSelector", "ItemSelector", "Arguments", "Assign"}


def walk(node, visit):
    if isinstance(node, dict):
        for k, v in node.items():
            visit(k, v)
            walk(v, visit)
    elif isinstance(node, list):
        for v in node:
            walk(v, visit)


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def load_cases():
    cases = []
    for f in sorted(glob.glob(os.path.join(CASES, "*.json"))):
        with open(f, encoding="utf-8") as fh:
            cases.append(json.load(fh))
    return cases


def collect(cases):
    out = {k: [] for k in ("json", "jsonpath", "template", "intrinsic", "jsonata", "asl")}
    for c in cases:
        d = c.get("definition")
        inp = c.get("input", {})
        inp_text = compact(inp) if "input_raw" not in c else c["input_raw"]
        if d is not None:
            out["asl"].append(compact(d))
            out["json"].append(json.dumps(d, indent=1))
        elif "definition_raw" in c:
            out["asl"].append(c["definition_raw"])
        out["json"].append(inp_text)

        def visit(k, v):
            if isinstance(v, str) and (k in PATH_KEYS or k.endswith(".$")) and v.startswith("$"):
                out["jsonpath"].append(v + "\n" + inp_text)
            if isinstance(v, str) and k.endswith(".$") and v.startswith("States."):
                out["intrinsic"].append(v + "\n" + inp_text)
            if k in TEMPLATE_KEYS and isinstance(v, dict) and "{%" not in compact(v):
                out["template"].append(compact(v) + "\n" + inp_text)
            if isinstance(v, str) and v.startswith("{%") and v.endswith("%}"):
                expr = v[2:-2].strip().replace("\n", " ")
                out["jsonata"].append(expr + "\n" + inp_text)
        if d is not None:
            walk(d, visit)
    return out


def write(target, items):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "seed_*")):
        os.remove(f)
    unique = sorted({i for i in items if len(i.encode("utf-8")) <= MAX_BYTES})
    random.Random(20261125).shuffle(unique)
    for n, text in enumerate(unique[:PER_TARGET]):
        with open(os.path.join(folder, "seed_%02d" % n), "w", encoding="utf-8") as fh:
            fh.write(text)
    print(target, min(len(unique), PER_TARGET), "seeds of", len(unique))


DEEP = 5000  # far beyond limits::json_depth_max (512) and any recursion bound
BAD_UTF8 = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xed\xa0\x80"
BIG_NUMBERS = "[1e400,-1e400,1E-400,18446744073709551616,-9223372036854775809,9223372036854775807," \
              "0.1e-999999999999,123456789012345678901234567890,-0,-0.0,4.9e-324,1.7976931348623157e308]"


def nasty():
    """Hostile inputs per target, as bytes."""
    deep_arr = b"[" * DEEP + b"]" * DEEP
    deep_obj = b'{"a":' * DEEP + b"1" + b"}" * DEEP
    deep_open = b"[" * DEEP
    doc = b'{"a":{"b":[1,2,{"c":"x"}]},"s":"' + BAD_UTF8 + b'","n":' + BIG_NUMBERS.encode() + b"}"
    return {
        "json": {
            "deep_array": deep_arr, "deep_object": deep_obj, "deep_unclosed": deep_open,
            "big_numbers": BIG_NUMBERS.encode(), "bad_utf8": b'"' + BAD_UTF8 + b'"',
            "unterminated_string": b'{"a":"abc', "lone_surrogates": b'["\\ud800","\\udfff\\ud800"]',
            "bom_trailing_comma": b'\xef\xbb\xbf{"a":1,}', "comments_nan": b'[NaN, Infinity, /*c*/ 1]',
            "duplicate_keys": b'{"a":1,"a":2,"a":{"a":3}}', "nul_bytes": b'{"a\x00":"\x00"}',
            "escapes": b'"\\u0000\\b\\f\\n\\r\\t\\/\\\\\\"\\u2028\\uD83D\\uDE00"',
        },
        "jsonpath": {
            "deep_path": b"$" + b".a" * DEEP + b"\n{}", "scan_all": b"$..*\n" + doc,
            "filters": b"$..[?(@.c == 'x' || @ > 1 && !(@.d))]\n" + doc,
            "regex_filter": b"$.a.b[?(@.c =~ /x.*/i)]\n" + doc,
            "unterminated": b"$['a\n" + doc, "huge_index": b"$.a.b[99999999999999999999999]\n" + doc,
            "min_index": b"$.a.b[-9223372036854775808]\n" + doc, "zero_step": b"$.a.b[0:10:0]\n" + doc,
            "unions": b"$['a','s','n'][0,1,-1,2:,:-1]\n" + doc, "context": b"$$.Execution.Input.a\n" + doc,
            "variable": b"$x.a.b\n" + doc, "bad_utf8": b"$." + BAD_UTF8 + b"\n" + doc,
            "empty": b"\n" + doc, "deep_input": b"$..a\n" + deep_obj,
        },
        "template": {
            "deep_template": deep_obj + b"\n{}", "deep_template_paths": b'{"a":' * 400 + b'{"b.$":"$.a"}' + b"}" * 400 + b"\n" + doc,
            "mixed": b'{"x.$":"$.a.b[*]","y.$":"States.Format(\'{}\', $.s)","z":{"w.$":"$$.Execution"},"k.$":"$.missing"}\n' + doc,
            "bad_field": b'{"x.$":5,"y.$":null,"z.$":"not a path"}\n' + doc, "not_object": b"[1,2]\n" + doc,
            "bad_utf8": b'{"' + BAD_UTF8 + b'.$":"$.s"}\n' + doc,
        },
        "intrinsic": {
            "deep_nesting": b"States.JsonToString(" * 50 + b"$.a" + b")" * 50 + b"\n" + doc,
            "very_deep_nesting": b"States.Array(" * DEEP + b")" * DEEP + b"\n{}",
            "range_huge": b"States.ArrayRange(0, 999999999999, 1)\n{}",
            "range_zero_step": b"States.ArrayRange(0, 10, 0)\n{}",
            "format_many": b"States.Format('" + b"{}" * 200 + b"', $.a)\n" + doc,
            "unterminated": b"States.Format('abc\n{}", "escapes": b"States.Format('\\{\\}\\'\\\\{}', 'x')\n{}",
            "math_big": b"States.MathAdd(9223372036854775807, 1)\n{}",
            "base64_bad": b"States.Base64Decode('%%%===')\n{}", "hash_bad": b"States.Hash($.s, 'MD4')\n" + doc,
            "split_bad_utf8": b"States.StringSplit($.s, '')\n" + doc,
            "string_to_json_deep": b"States.StringToJson($.t)\n{\"t\":\"" + b"[" * DEEP + b"\"}",
            "partition_zero": b"States.ArrayPartition($.a.b, 0)\n" + doc,
            "uuid_random": b"States.MathRandom(1, 0, 42)\n{}",
        },
        "jsonata": {
            "deep_parens": b"(" * DEEP + b"1" + b")" * DEEP + b"\n{}",
            "deep_arrays": b"[" * DEEP + b"]" * DEEP + b"\n{}",
            "huge_range": b"[1..10000000000]\n{}", "infinite_recursion": b"($f := function($x){$f($x)}; $f(1))\n{}",
            "mutual_recursion": b"($a := function($x){$b($x)}; $b := function($x){$a($x)}; $a(1))\n{}",
            "pad_huge": b'$pad("x", 1000000000)\n{}', "unterminated": b'"abc\n{}', "comment": b"/* x\n{}",
            "regex": b'$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)\n{}',
            "number_overflow": b"1e308 * 10\n{}", "bad_utf8": b'"' + BAD_UTF8 + b'"\n{}',
            "sort_deep_input": b"$sort($.a)\n" + deep_arr, "string_deep_input": b"$string($)\n" + deep_obj,
            "transform": b'$ ~> |a|{"x":1}|\n' + doc, "parent": b"a.b.%.%.%\n" + doc,
            "format_number": b"$formatNumber(1e300, '#,##0.00')\n{}", "eval": b'$eval("$eval(\\"1\\")")\n{}',
        },
        "asl": {
            "deep_parallel": b'{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[' * 200
            + b'{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}' + b"]}}}" * 200,
            "cycle": ('{"StartAt":"S0","States":{' + ",".join(
                '"S%d":{"Type":"Pass","Next":"S%d"}' % (i, (i + 1) % 300) for i in range(300)) + "}}").encode(),
            "unknown_fields": b'{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Pass","Bar":[1],"End":true}}}',
            "wrong_types": b'{"StartAt":1,"States":{"A":{"Type":["Pass"],"End":"yes","Next":{}}},"TimeoutSeconds":"x"}',
            "deep_template": b'{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Parameters":'
            + deep_obj + b"}}}", "not_object": b"[1,2,3]", "empty": b"", "bad_utf8": b'{"StartAt":"' + BAD_UTF8 + b'","States":{}}',
            "choice_deep": b'{"StartAt":"C","States":{"C":{"Type":"Choice","Default":"E","Choices":[{"Next":"E",'
            + b'"Not":{' * 300 + b'"Variable":"$.a","IsPresent":true' + b"}" * 300 + b'}]},"E":{"Type":"Succeed"}}}',
            "jsonata_bad": b'{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% (((( %}","End":true}}}',
            "huge_numbers": b'{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1e400,"End":true}}}',
        },
    }


def write_nasty():
    for target, seeds in nasty().items():
        folder = os.path.join(HERE, "corpus", target)
        for f in glob.glob(os.path.join(folder, "nasty_*")):
            os.remove(f)
        for name, data in seeds.items():
            with open(os.path.join(folder, "nasty_" + name), "wb") as fh:
                fh.write(data)
        print(target, len(seeds), "nasty seeds")


def write_config_seeds():
    """The config target: the examples' own files, each behind its parser-selector byte
    (0 tasks config, 1 functions, 2 mock config), plus hostile YAML and JSON."""
    folder = os.path.join(HERE, "corpus", "config")
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "seed_*")) + glob.glob(os.path.join(folder, "nasty_*")):
        os.remove(f)
    examples = os.path.join(HERE, "..", "examples")
    seeds = {}
    for path in sorted(glob.glob(os.path.join(examples, "*", "functions.yaml"))):
        name = os.path.basename(os.path.dirname(path))
        text = open(path, "rb").read()
        seeds["seed_tasks_" + name] = b"\x00" + text
        seeds["seed_functions_" + name] = b"\x01" + text
    for path in sorted(glob.glob(os.path.join(examples, "*", "mocks.json"))):
        name = os.path.basename(os.path.dirname(path))
        seeds["seed_mocks_" + name] = b"\x02" + open(path, "rb").read()
    deep_yaml = b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 400))
    seeds.update({
        "nasty_yaml_anchors": b"\x00a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\n"
                              b"functions: [*c, *c, *c]\n",
        "nasty_yaml_deep": b"\x01" + deep_yaml,
        "nasty_yaml_tabs": b"\x00functions:\n\tf: {command: [x]}\n",
        "nasty_functions_types": b"\x01functions: {f: {command: 5, timeout: -1, concurrency: 1e99}}\n",
        "nasty_jobs_types": b"\x00jobs: {j: {command: [], cwd: {}}}\nconnections: [1, 2]\n",
        "nasty_mock_missing": b'\x02{"StateMachines":{"m":{"TestCases":{"t":{"S":"nope"}}}},'
                              b'"MockedResponses":{}}',
        "nasty_mock_types": b'\x02{"StateMachines":[],"MockedResponses":{"r":{"0":{"Return":1}}}}',
        "nasty_mock_ranges": b'\x02{"StateMachines":{},"MockedResponses":{"r":{"9-1":{"Return":1},'
                             b'"0-99999999999999999999":{"Throw":{}}}}}',
        "nasty_bad_utf8": b"\x02" + BAD_UTF8,
        "nasty_empty": b"\x00",
    })
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    print("config", len(seeds), "seeds")


def write_journal_seeds():
    """The journal target: one entry of each kind as the service writes them, and damaged ones
    (missing fields, wrong types, numbers no integer holds)."""
    folder = os.path.join(HERE, "corpus", "journal")
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "seed_*")) + glob.glob(os.path.join(folder, "nasty_*")):
        os.remove(f)
    seeds = {
        "seed_succeeded": {"kind": "succeeded", "id": 3, "now": 1700000000123, "output": {"a": [1, "x"]}},
        "seed_failed": {"kind": "failed", "id": 4, "now": 1700000000200, "error": "Lambda.Unknown",
                        "cause": "it failed"},
        "seed_failed_no_error": {"kind": "failed", "id": 5, "now": 7, "no_error": True, "no_cause": True},
        "seed_timer": {"kind": "timer", "id": 9, "now": 1700000005000},
        "seed_stop": {"kind": "stop", "id": 0, "now": 1700000009000, "error": "E", "cause": "C"},
        "seed_heartbeat": {"kind": "heartbeat", "id": 2, "now": 1700000001000},
        "seed_submitted": {"kind": "submitted", "id": 2, "now": 1, "output": {"StatusCode": 200}},
        "seed_started": {"kind": "started", "id": 6, "now": 2, "output": "worker-1"},
        "seed_started_anonymous": {"kind": "started", "id": 6, "now": 2, "output": None},
        "seed_redispatch": {"kind": "redispatch", "id": 12, "now": 1700000003000},
        "seed_redrive": {"kind": "redrive", "id": 0, "now": 1700000100000},
        "nasty_unknown_kind": {"kind": "explode", "id": 1, "now": 1},
        "nasty_no_now": {"kind": "timer", "id": 1},
        "nasty_string_id": {"kind": "timer", "id": "1", "now": 1},
        "nasty_huge_id": {"kind": "timer", "id": 1e300, "now": 1},
        "nasty_negative_id": {"kind": "timer", "id": -1, "now": -1e300},
        "nasty_fraction": {"kind": "succeeded", "id": 1.5, "now": 2.5, "output": 1},
        "nasty_big_integers": {"kind": "timer", "id": 18446744073709551615, "now": 9223372036854775807},
        "nasty_error_types": {"kind": "failed", "id": 1, "now": 1, "error": 5, "cause": ["x"]},
        "nasty_not_object": [1, 2, 3],
    }
    for name, entry in seeds.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(compact(entry))
    with open(os.path.join(folder, "nasty_overflow_text"), "w", encoding="utf-8") as fh:
        fh.write('{"kind":"timer","id":1e400,"now":-1e400}')
    print("journal", len(seeds) + 1, "seeds")


def write_teststate_seeds(cases):
    """The teststate_request target: the recorded TestState cases' request bodies as a client
    sends them (definition and input as text), a fixed-seed sample, plus damaged ones."""
    folder = os.path.join(HERE, "corpus", "teststate_request")
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "seed_*")) + glob.glob(os.path.join(folder, "nasty_*")):
        os.remove(f)
    bodies = []
    for c in cases:
        if c.get("kind") != "test_state" or "definition" not in c:
            continue
        body = dict(c.get("request") or {})
        body["definition"] = compact(c["definition"])
        if "input" in c:
            body["input"] = compact(c["input"])
        bodies.append(compact(body))
    unique = sorted({b for b in bodies if len(b.encode("utf-8")) <= MAX_BYTES})
    random.Random(20261204).shuffle(unique)
    seeds = {"seed_%02d" % n: b for n, b in enumerate(unique[:PER_TARGET])}
    seeds.update({
        "nasty_definition_not_text": compact({"definition": {"Type": "Pass", "End": True}}),
        "nasty_input_not_json": compact({"definition": '{"Type":"Pass","End":true}', "input": "{"}),
        "nasty_mock_on_pass": compact({"definition": '{"Type":"Pass","End":true}',
                                       "mock": {"result": "{}"}}),
        "nasty_mock_both": compact({"definition": '{"Type":"Task","Resource":"arn:aws:states:::'
                                                  'lambda:invoke","End":true}',
                                    "mock": {"result": "1", "errorOutput": {"error": "E"}}}),
        "nasty_config_numbers": compact({"definition": '{"Type":"Task","Resource":"arn:aws:states'
                                                       ':::lambda:invoke","Retry":[{"ErrorEquals":'
                                                       '["States.ALL"]}],"End":true}',
                                         "mock": {"errorOutput": {"error": "E", "cause": "c"}},
                                         "stateConfiguration": {"retrierRetryCount": 1e300}}),
        "nasty_state_name_missing": compact({"definition": '{"StartAt":"A","States":{"A":{"Type":'
                                                           '"Succeed"}}}', "stateName": "B"}),
        "nasty_wait_forever": compact({"definition": '{"Type":"Wait","Seconds":99999999,'
                                                     '"End":true}'}),
    })
    for name, text in seeds.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    print("teststate_request", len(seeds), "seeds")


def to_block_yaml(v, indent=0):
    """A JSON value as block-style YAML (strings quoted as JSON, which YAML reads the same)."""
    pad = "  " * indent
    if isinstance(v, dict) and v:
        lines = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}{json.dumps(k)}:\n{to_block_yaml(x, indent + 1)}")
            else:
                lines.append(f"{pad}{json.dumps(k)}: {json.dumps(x)}")
        return "\n".join(lines)
    if isinstance(v, list) and v:
        lines = []
        for x in v:
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}-\n{to_block_yaml(x, indent + 1)}")
            else:
                lines.append(f"{pad}- {json.dumps(x)}")
        return "\n".join(lines)
    return pad + json.dumps(v)


def write_definition_file_seeds():
    """The definition_file target: the examples' definitions as JSON and as block YAML, plus
    hostile YAML (aliases that expand, deep nesting, tags, several documents, a non-map root)."""
    folder = os.path.join(HERE, "corpus", "definition_file")
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "seed_*")) + glob.glob(os.path.join(folder, "nasty_*")):
        os.remove(f)
    seeds = {}
    examples = sorted(glob.glob(os.path.join(HERE, "..", "examples", "*", "*.asl.json")))
    for path in examples[:8]:
        name = os.path.basename(os.path.dirname(path))
        text = open(path, encoding="utf-8").read()
        if len(text) > MAX_BYTES:
            continue
        seeds["seed_json_" + name] = text
        seeds["seed_yaml_" + name] = to_block_yaml(json.loads(text)) + "\n"
    laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    seeds.update({
        "seed_yaml_flow": "StartAt: A\nStates: {A: {Type: Pass, Result: {n: 3, s: '3', z: ~}, "
                          "End: true}}\n",
        "seed_yaml_aliases": "d: &d {Type: Pass, End: true}\nStartAt: A\nStates: {A: *d}\n",
        "nasty_billion_laughs": laughs,
        "nasty_deep_flow": "a: " + "[" * 3000 + "]" * 3000 + "\n",
        "nasty_deep_block": "a:\n" + "".join("  " * i + "- \n" for i in range(1, 300)),
        "nasty_tags": "StartAt: !!str 1\nStates: !custom {A: !!binary aGk=}\n",
        "nasty_documents": "StartAt: A\n---\nStartAt: B\n...\n",
        "nasty_root_sequence": "- a\n- b\n",
        "nasty_complex_key": "? [a, b]\n: c\n",
        "nasty_tabs": "StartAt: A\nStates:\n\tA: {}\n",
        "nasty_duplicate_keys": "StartAt: A\nStartAt: B\n",
        "nasty_numbers": "n: [1e400, -0, 0x1F, .inf, .nan, 1_000, 0o17, 9223372036854775808]\n",
    })
    for name, text in seeds.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    print("definition_file", len(seeds), "seeds")


def write_event_pattern_seeds():
    """The event_pattern target: "PATTERN\nEVENT" from the recorded EventBridge cases (the
    pattern's own text, newlines made spaces; the event as sent), plus hostile ones: deep nesting,
    long and complex wildcards, "$or" multiplying, arrays making many combinations, numbers at
    and past the comparable range, bad CIDRs, bad UTF-8, duplicate keys."""
    folder = os.path.join(HERE, "corpus", "event_pattern")
    cases_dir = os.path.join(HERE, "..", "..", "shared", "conformance", "event-patterns", "cases")
    items = []
    for path in sorted(glob.glob(os.path.join(cases_dir, "*.json"))):
        case = json.load(open(path, encoding="utf-8"))
        if case.get("via") == "PutEvents":
            pattern, event = case.get("rule_pattern_text", ""), json.dumps(case.get("event"))
        else:
            pattern = case.get("request", {}).get("EventPattern", "")
            event = case.get("request", {}).get("Event", "")
        items.append(pattern.replace("\r", " ").replace("\n", " ") + "\n" + event)
    if items:
        write("event_pattern", items)
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "nasty_*")):
        os.remove(f)
    event = '{"id":"1","source":"s","detail-type":"t","account":"1","region":"r","time":"t",'
    combos = '{"a":[' + ",".join('{"x":1},{"z":1}' for _ in range(40)) + "]" + "".join(
        ',"f%d":[%s]' % (f, ",".join(['{"v":1}'] * 40)) for f in range(10)) + "}"
    nasty = {
        "nasty_deep_pattern": '{"a":' * 800 + "[1]" + "}" * 800 + "\n{}",
        "nasty_deep_event": '{"a":[{"exists":true}]}\n' + '{"a":' * DEEP + "1" + "}" * DEEP,
        "nasty_deep_arrays": '{"a":[1]}\n{"a":' + "[" * DEEP + "]" * DEEP + "}",
        "nasty_wildcards": '{"a":[{"wildcard":"' + "*a" * 60 + '"}]}\n{"a":"' + "a" * 3000 + '"}',
        "nasty_wildcard_list": '{"a":[{"anything-but":{"wildcard":[' + ",".join(
            '"*%d*"' % i for i in range(40)) + "]}}]}\n{}",
        "nasty_or": "{" + ",".join(['"$or":[{"a":[1]},{"b":[2]},{"c":[3]}]'] * 12) + "}\n{}",
        "nasty_combinations": '{"a":{"x":[1],"z":[1]},' + ",".join(
            '"f%d":{"v":[1]}' % f for f in range(10)) + "}\n" + combos,
        "nasty_numbers": '{"n":[5e9,-5e9,5000000000.000001,1e-7,1e400,0.1e-999999999999],'
                         '"m":[{"numeric":[">=",-5e9,"<=",5e9]}]}\n{"n":5E+9,"m":4999999999.999999}',
        "nasty_numeric_bad": '{"n":[{"numeric":[">",1e10]}],"m":[{"numeric":["=",0.0000001]}]}\n{}',
        "nasty_cidr": '{"ip":[{"cidr":"::ffff:1.2.3.4/96"},{"cidr":"1.2.3.4/-1"},'
                      '{"cidr":"1:2:3:4:5:6:7:8:9/1"}]}\n{"ip":"::1"}',
        "nasty_escapes": '{"a\\u0000":["\\ud800","\\udc00\\ud800x"],"b":[{"wildcard":"\\\\\\*"}]}\n'
                         '{"a\\u0000":"\\ud800"}',
        "nasty_duplicates": '{"a":["x"],"a":{"b":["y"]},"a":["z"],"$or":[{"a":[1]},{"a":[2]}]}\n'
                            + event + '"a":"z","a":{"b":"y"}}',
        "nasty_trailing": '{"a":[1]} trailing {"b":\n' + event + '"a":1} trailing',
    }
    for name, text in nasty.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(os.path.join(folder, "nasty_bad_utf8"), "wb") as fh:
        fh.write(b'{"a":["' + BAD_UTF8 + b'"]}\n{"a":"' + BAD_UTF8 + b'"}')
    print("event_pattern", len(nasty) + 1, "nasty seeds")


def main():
    cases = load_cases()
    for target, items in collect(cases).items():
        write(target, items)
    write_nasty()
    write_config_seeds()
    write_journal_seeds()
    write_teststate_seeds(cases)
    write_definition_file_seeds()
    write_event_pattern_seeds()


if __name__ == "__main__":
    main()
