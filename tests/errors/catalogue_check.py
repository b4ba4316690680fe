#!/usr/bin/env python3
"""Checks that every error text the Step Functions code can produce is listed in docs/ERRORS.md.

Convention (what counts as an error text), documented in docs/ERRORS.md ("How the catalogue is
checked"):
  * Scanned: the non-test C++ sources (*.cpp, *.h, not *_test.cpp / test_*.h) of the directories
    in SCANNED_DIRS: the engine, the validator, paths and intrinsics, JSONata, TestState, the
    Step Functions API and the task integrations.
  * A statement (the code between `;`, a block's `{` and `}`) raises an error when it
    constructs one (`Error{`, `ApiError{`, `Failure{`, `Result<...>::fail(`) or calls an
    error-raising helper: any function whose name contains `fail`, `error`, `invalid`,
    `missing` or `exception` (`runtime_failure(`, `validation_error(`, `invalid_arn(`...), or
    any function the scanned sources declare as returning an `Error`, `ApiError` or `Failure`
    (found by their declarations, so a new helper is picked up without editing this script).
    Code that words a message away from the raise site is named to match (`..._message(`,
    `..._cause(` count too), or its statements carry the marker comment `// error-text`.
  * A statement holding a table of coded messages (three or more literals shaped like a
    JSONata error code, "T1006") counts as raising: the table is the messages.
  * Every string literal in such a statement is a fragment of an error name or text. A
    fragment is catalogued when it appears verbatim in docs/ERRORS.md (inside a table row or a
    code span). Fragments with fewer than 3 letters ("' : ", ", ") are ignored, as are
    statements marked `// not-error-text` (log lines, JSON keys that happen to sit beside a
    raise).
Exit status 1 lists every fragment missing from the catalogue, with its file and line.
"""
import argparse
import os
import re
import sys

SCANNED_DIRS = ["api", "asl", "engine", "jsonpath", "jsonata", "sfn", "teststate", "tasks",
                "integrations"]
TRIGGER = re.compile(
    r"\b(?:Api)?Error\s*\{|\bFailure\s*\{|::fail\s*\(|"
    r"(?<![.>])\b[A-Za-z_]*(?:fail|error|Error|invalid|missing|exception|_message|_cause)"
    r"[A-Za-z_]*\s*\(")
NOT_TRIGGER = re.compile(r"\b(?:is_error|has_errors|is_failure|ok)\s*\(")
HELPER_DECL = re.compile(
    r"\b(?:api::)?(?:ApiError|Error|Failure)\s+(?:[A-Za-z_]+::)?([a-z_]\w*)\s*\(")


def tokens(text):
    """Yields (kind, value, line) for comments, string literals and code characters."""
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "#" and (i == 0 or text[i - 1] == "\n"):
            j = text.find("\n", i)  # a preprocessor line: never part of a statement
            j = n if j < 0 else j
            yield ("sep", "", line)
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield ("comment", text[i:j], line)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            yield ("comment", text[i:j], line)
            line += text.count("\n", i, j)
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i)
            yield ("string", text[i + len(m.group(0)):end], line)
            j = end + len(m.group(1)) + 2
            line += text.count("\n", i, j)
            i = j
        elif c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    buf.append(unescape(text[j:j + 2]))
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            yield ("string", "".join(buf), line)
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            yield ("code", "'c'", line)
            i = j + 1
        else:
            if c == "\n":
                line += 1
            yield ("code", c, line)
            i += 1


def unescape(esc):
    return {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\\\": "\\", "\\'": "'"}.get(esc, esc)


def statements(text):
    """Splits a source into statements: lists of tokens between `;` and block braces."""
    cur, last_code = [], ""
    toks = list(tokens(text))
    for k, (kind, val, line) in enumerate(toks):
        if kind == "sep" or (kind == "code" and val == ";"):
            yield cur
            cur = []
            continue
        if kind == "code" and val == "{" and re.search(r"(\)|\belse|\bdo|\btry|const)\s*$",
                                                      last_code):
            yield cur
            cur, last_code = [], ""
            continue
        if kind == "code" and val == "}":
            rest = "".join(v for kd, v, _ in toks[k + 1:k + 4] if kd == "code")
            if not re.match(r"\s*[;,)}\]]", rest):
                cur.append((kind, val, line))
                yield cur
                cur, last_code = [], ""
                continue
        cur.append((kind, val, line))
        if kind == "code":
            last_code = (last_code + val)[-40:]
        elif kind == "string":
            last_code += '""'


CODE = re.compile(r"^[A-Z]\d{4}$")
NAME = re.compile(r"^(?:States\.[\w.]+|[A-Z]\w*(?:Exception|Error|Failure|Exist|Exists|Exceeded|"
                  r"Supported|Timeout|TimedOut|Arn|Name|Token|Definition|Input|Output|Found|"
                  r"Configuration|Failed|Deleting|Allowed|Parameter|Action|Invalid))$")


def template(st):
    """A readable form of a raising statement: its literals, with `<expr>` where code is spliced
    in between two of them and ` · ` between separate arguments."""
    parts, pending = [], None
    for kind, val, _ in st:
        if kind == "string":
            if pending is not None and parts:
                code = " ".join(pending.split())
                m = re.fullmatch(r"\+\s*(.*?)\s*\+", code)
                if m:
                    parts.append("<" + m.group(1)[:40] + ">")
                elif code:
                    parts.append(" · ")
            parts.append(val)
            pending = ""
        elif kind == "code" and pending is not None:
            pending += val
    return "".join(parts)


def raising_statements(path, helpers):
    """The raising statements of one source file: (line, [fragments], template)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for st in statements(text):
        code = "".join(v if k == "code" else ('""' if k == "string" else " ") for k, v, _ in st)
        comments = " ".join(v for k, v, _ in st if k == "comment")
        if "not-error-text" in comments:
            continue
        code = NOT_TRIGGER.sub("", code)
        raising = TRIGGER.search(code) or helpers.search(code) or "error-text" in comments
        # A table of coded messages (JSONata's {"T1006", "Attempted to invoke ..."}).
        raising = raising or sum(1 for k, v, _ in st if k == "string" and CODE.match(v)) >= 3
        if not raising:
            continue
        frags = [(line, val) for kind, val, line in st
                 if kind == "string" and sum(ch.isalpha() for ch in val) >= 3]
        if frags:
            out.append((frags[0][0], frags, template(st)))
    return out


def sources(root):
    for d in SCANNED_DIRS:
        for dirpath, _, files in sorted(os.walk(os.path.join(root, "src", d))):
            for name in sorted(files):
                if name.endswith((".cpp", ".h")) and not name.endswith("_test.cpp") and \
                        not name.startswith("test_"):
                    yield os.path.join(dirpath, name)


def helper_names(paths):
    """Functions declared as returning an error: calling one raises."""
    names = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            names.update(HELPER_DECL.findall(f.read()))
    names.discard("if")
    return re.compile(r"(?<![.>\w])(?:" + "|".join(sorted(names)) + r")\s*\(")


def scan(root):
    paths = list(sources(root))
    helpers = helper_names(paths)
    found = []
    for path in paths:
        for _, frags, _ in raising_statements(path, helpers):
            for line, frag in frags:
                found.append((os.path.relpath(path, root), line, frag))
    return found


def draft(root, catalogue, only_missing):
    """Markdown rows for raising statements (those with an uncatalogued fragment), by file."""
    paths = list(sources(root))
    helpers = helper_names(paths)
    for path in paths:
        rel = os.path.relpath(path, root)
        for line, frags, text in raising_statements(path, helpers):
            if only_missing and all(fr in catalogue for _, fr in frags):
                continue
            name = next((fr for _, fr in frags if NAME.match(fr)), "")
            cell = text.replace("|", "\\|").replace("\n", "\\n")
            print(f"| {name} | `{cell}` | {rel}:{line} | |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--catalogue", help="default: ROOT/docs/ERRORS.md")
    ap.add_argument("--list", action="store_true", help="print every fragment found")
    ap.add_argument("--draft", action="store_true",
                    help="print draft catalogue rows for the statements with uncatalogued text")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    catalogue_path = args.catalogue or os.path.join(root, "docs", "ERRORS.md")
    found = scan(root)
    if args.list:
        for path, line, frag in found:
            print(f"{path}:{line}: {frag!r}")
        return 0
    catalogue = ""
    if os.path.exists(catalogue_path):
        with open(catalogue_path, encoding="utf-8") as f:
            catalogue = f.read()
    # Table cells escape `|` as `\|` and a newline as `\n`; compare with the escapes undone.
    catalogue = catalogue.replace("\\|", "|").replace("\\n", "\n")
    if args.draft:
        draft(root, catalogue, only_missing=True)
        return 0
    missing = [(p, ln, fr) for p, ln, fr in found if fr not in catalogue]
    for path, line, frag in missing:
        print(f"{path}:{line}: not in docs/ERRORS.md: {frag!r}")
    texts = {fr for _, _, fr in found}
    print(f"{len(found)} error-text fragments ({len(texts)} distinct) in "
          f"{len(SCANNED_DIRS)} directories; {len(missing)} not catalogued")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
