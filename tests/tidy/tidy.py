#!/usr/bin/env python3
"""Tidy: the rules a machine checks on every build (run by ctest as `tidy`).

Determinism and injection: a journal replay must take the path the live run took, and tests must
control time, randomness and the outside world. So outside the composition roots (src/base, which
implements the injected interfaces, and src/app, src/cli, tools/, which wire them) no source file
may read the wall clock, draw entropy, read the environment or write to std::cerr directly:

  system_clock / steady_clock::now / high_resolution_clock   -> base::Clock (base/clock.h)
  random_device, unseeded IdGenerator                        -> base/random.h, a seed from the caller
  getenv                                                     -> a setting passed in by src/app
  std::cerr                                                  -> a log sink given by src/app

Test files (*_test.cpp, test_*.h) are exempt: they are composition roots of their own.

Locks: clang's thread-safety analysis (tests/tidy/thread_safety.py) checks only what is
annotated, and libstdc++'s std::mutex carries no annotations. So outside src/base (which wraps
them) no src file but a *_test.cpp may use the std primitives; shared test helpers (test_*.h)
included, since the code they lock is checked with them:

  std::mutex, std::shared_mutex, std::condition_variable     -> base::Mutex, SharedMutex, CondVar
  std::lock_guard, std::unique_lock, std::scoped_lock,
  std::shared_lock                                           -> base::MutexLock, WriterLock,
                                                                ReaderLock (base/mutex.h)

A line may opt out of any rule with a trailing `// tidy: allow <why>` comment; the why is required.

One seeded generator: base/random.h's SplitMix64 is the only PRNG (replay and tests seed it), so
no other engine (std::mt19937, minstd_rand, rand()) appears outside src/base.

Long files stay readable: every .cpp, .h and .py file under src/, tests/, tools/, bench/ and fuzz/
over 500 lines has a row in docs/ARCHITECTURE.md's "Files over 500 lines" table (and every row
names such a file), and a file over 800 lines that is not a test says in its header comment
(its first 60 lines) "Why this file is long:".

Usage: tidy.py [ROOT]   (ROOT: the repository; default: the folder above tests/)
Exit 0 when clean; 1 with one line per finding (file:line: rule: text).
"""
import pathlib
import re
import sys

ROOTS_ALLOWED = ("src/base/", "src/app/", "src/cli/", "tools/")
RULES = [
    ("wall clock", re.compile(r"\b(system_clock|high_resolution_clock)\b|steady_clock::now\s*\(")),
    ("entropy", re.compile(r"\brandom_device\b")),
    # A local or struct field (members, named `x_`, are seeded in their constructor's initialiser).
    ("unseeded ids",
     re.compile(r"\bIdGenerator\s+\w*[^_\s]\s*(GUARDED_BY\(\w+\)\s*)?(;|\{\s*\})")),
    ("environment", re.compile(r"\b(std::)?getenv\s*\(")),
    ("stderr", re.compile(r"\bstd::cerr\b")),
    ("second PRNG", re.compile(r"\b(mt19937(_64)?|minstd_rand0?|ranlux\w*|knuth_b|"
                               r"default_random_engine)\b|(?<![\w.:>])s?rand\s*\(")),
]
# Only in src/, outside src/base; *_test.cpp files are exempt, test_*.h helpers are not.
LOCK_RULES = [
    ("unannotated lock", re.compile(
        r"\bstd::(mutex|shared_mutex|recursive_mutex|timed_mutex|condition_variable(_any)?|"
        r"lock_guard|unique_lock|scoped_lock|shared_lock)\b")),
]

LONG_DIRS = ("src", "tests", "tools", "bench", "fuzz")
LONG_SUFFIXES = (".cpp", ".h", ".py")
LIST_LINES = 500    # listed in docs/ARCHITECTURE.md beyond this
REASON_LINES = 800  # beyond this a non-test file says why it is one file
REASON = re.compile(r"Why this file is long:")
HEADER_LINES = 60
TABLE_HEADING = "## Files over 500 lines"
TABLE_ROW = re.compile(r"^\|\s*\d+\s*\|\s*`?([^|`\s]+)`?\s*\|")
ALLOW = re.compile(r"//\s*tidy:\s*allow\s+\S")


def is_test(path: pathlib.Path) -> bool:
    return path.name.endswith("_test.cpp") or path.name.startswith("test_") or "_fuzz" in path.name


def is_test_source(path: pathlib.Path) -> bool:
    return path.name.endswith("_test.cpp") or "_fuzz" in path.name
def is_long_exempt(path: pathlib.Path) -> bool:
    n = path.name
    return n.endswith(("_test.cpp", "_test.py")) or n.startswith("test_")


def listed_long_files(root: pathlib.Path):
    """The file column of the table under TABLE_HEADING, or None when the section is missing."""
    doc = root / "docs" / "ARCHITECTURE.md"
    if not doc.exists():
        return None
    listed, inside, found = set(), False, False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip() == TABLE_HEADING
            found = found or inside
            continue
        m = TABLE_ROW.match(line) if inside else None
        if m:
            listed.add(m.group(1))
    return listed if found else None


def long_file_findings(root: pathlib.Path):
    findings = []
    listed = listed_long_files(root)
    if listed is None:
        return [f"docs/ARCHITECTURE.md: long files: no table under '{TABLE_HEADING}'"]
    long_files = set()
    for d in LONG_DIRS:
        for path in sorted((root / d).rglob("*")):
            if path.suffix not in LONG_SUFFIXES or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            if len(lines) <= LIST_LINES:
                continue
            long_files.add(rel)
            if rel not in listed:
                findings.append(f"{rel}:1: long file: {len(lines)} lines, not in "
                                f"docs/ARCHITECTURE.md's '{TABLE_HEADING}' table")
            head = "\n".join(lines[:HEADER_LINES])
            if len(lines) > REASON_LINES and not is_long_exempt(path) and not REASON.search(head):
                findings.append(f"{rel}:1: long file: {len(lines)} lines (over {REASON_LINES}) "
                                f"and no 'Why this file is long:' in its header comment; "
                                f"split it by concern or say why")
    for rel in sorted(listed - long_files):
        findings.append(f"docs/ARCHITECTURE.md: long files: '{rel}' is listed but is not a "
                        f"file over {LIST_LINES} lines (gone, renamed or shorter): drop the row")
    return findings


def strip_comment(line: str) -> str:
    # Good enough for this code base: rules match code, not prose after `//`.
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_str = not in_str
        elif not in_str and line.startswith("//", i):
            return line[:i]
    return line


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2])
    findings = []
    files = sorted(p for d in ("src", "tools") for p in (root / d).rglob("*")
                   if p.suffix in (".cpp", ".h"))
    for path in files:
        rel = path.relative_to(root).as_posix()
        rules = [] if rel.startswith(ROOTS_ALLOWED) or is_test(path) else list(RULES)
        if rel.startswith("src/") and not rel.startswith("src/base/") and not is_test_source(path):
            rules += LOCK_RULES
        if not rules:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ALLOW.search(line):
                continue
            code = strip_comment(line)
            for name, rx in rules:
                if rx.search(code):
                    findings.append(f"{rel}:{n}: {name}: {line.strip()}")
    findings += long_file_findings(root)
    for f in findings:
        print(f)
    print(f"tidy: {len(files)} files, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
