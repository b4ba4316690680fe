#!/usr/bin/env python3
"""Clang's thread-safety analysis over every src/ translation unit (ctest `thread_safety`).

Every mutex-protected member is annotated (GUARDED_BY, REQUIRES: base/thread_annotations.h,
base/mutex.h); clang's -Wthread-safety checks those annotations at compile time. A full clang
build is the costly way to run it, so this runs `clang++ -fsyntax-only` on each translation unit
of an existing build's compile_commands.json (gcc's or clang's: the flags are the same), with
the build's warning flags replaced by -Wthread-safety -Werror=thread-safety alone: the other
warnings are the normal and sanitizer builds' job. This is the "clang CI variant" at a fraction
of a build's cost (about 2 CPU-seconds a file; `-j` files at once).

Usage: thread_safety.py ROOT BUILD [-j N] [PATH_SUBSTRING...]
  BUILD: a build folder with compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS is on).
  PATH_SUBSTRING: only translation units whose path contains one of them (for a quick re-check).
Exit 0 when every file is clean; 1 with clang's findings, file by file.
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

ANALYSIS = ["-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety"]


def clang_command(entry: dict, clang: str) -> list:
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out = [clang]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        # The build's own warning set (and -Werror) is not this check's business.
        if a in ("-c", entry["file"]) or a.startswith("-W") or a == "-pedantic":
            continue
        out.append(a)
    return out + ANALYSIS + [entry["file"]]


def check(entry: dict, clang: str) -> tuple:
    run = subprocess.run(clang_command(entry, clang), cwd=entry["directory"],
                         capture_output=True, text=True)
    return entry["file"], run.returncode, run.stderr


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("build")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("only", nargs="*")
    opts = parser.parse_intermixed_args()
    clang = shutil.which("clang++-14") or shutil.which("clang++")
    if not clang:
        print("thread_safety: clang++ is not installed (scripts/install-deps.sh test)")
        return 1
    src = str(pathlib.Path(opts.root).resolve() / "src") + "/"
    commands = json.loads((pathlib.Path(opts.build) / "compile_commands.json").read_text())
    entries = {}
    for e in commands:
        path = os.path.normpath(os.path.join(e["directory"], e["file"]))
        # Sources under src/ only: generated files (console assets, version info) hold no locks.
        if path.startswith(src) and (not opts.only or any(s in path for s in opts.only)):
            entries.setdefault(path, e)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for path, rc, err in pool.map(lambda e: check(e, clang), entries.values()):
            if rc != 0:
                failed += 1
                print(f"--- {os.path.relpath(path, opts.root)}\n{err}", end="")
    print(f"thread_safety: {len(entries)} translation units, {failed} with findings")
    return 1 if failed or not entries else 0


if __name__ == "__main__":
    sys.exit(main())
