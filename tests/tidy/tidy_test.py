#!/usr/bin/env python3
"""Tests of tidy.py's own rules on small trees built in a temporary folder (ctest tidy_self_test):
each rule must fire on the case it is for and stay quiet on the case next to it."""
import pathlib
import subprocess
import sys
import tempfile
import unittest

TIDY = pathlib.Path(__file__).with_name("tidy.py")


def run(files):
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        r = subprocess.run([sys.executable, str(TIDY), str(root)], capture_output=True, text=True)
        return r.returncode, r.stdout


def doc(*rows):
    table = "".join(f"| 1 | {r} | x |\n" for r in rows)
    return f"# A\n\n## Files over 500 lines\n\n| Lines | File | What |\n|---:|---|---|\n{table}"


def lines(n, header="// a file\n"):
    return header + "int x;\n" * (n - header.count("\n"))


class LongFiles(unittest.TestCase):
    def test_listed_long_file_passes_and_unlisted_fails(self):
        rc, out = run({"src/a/big.cpp": lines(501), "docs/ARCHITECTURE.md": doc("src/a/big.cpp")})
        self.assertEqual(rc, 0, out)
        rc, out = run({"src/a/big.cpp": lines(501), "docs/ARCHITECTURE.md": doc("src/a/x.cpp")})
        self.assertEqual(rc, 1)
        self.assertIn("src/a/big.cpp:1: long file: 501 lines, not in", out)

    def test_file_of_500_lines_needs_no_row_and_a_stale_row_fails(self):
        rc, out = run({"src/a/ok.cpp": lines(500), "docs/ARCHITECTURE.md": doc("src/a/gone.cpp")})
        self.assertEqual(rc, 1)
        self.assertIn("'src/a/gone.cpp' is listed but", out)
        self.assertNotIn("src/a/ok.cpp", out)

    def test_over_800_lines_needs_a_reason_unless_a_test(self):
        files = {"src/a/huge.cpp": lines(801), "src/a/huge_test.cpp": lines(900),
                 "docs/ARCHITECTURE.md": doc("src/a/huge.cpp", "src/a/huge_test.cpp")}
        rc, out = run(files)
        self.assertEqual(rc, 1)
        self.assertIn("src/a/huge.cpp:1: long file: 801 lines (over 800)", out)
        self.assertNotIn("huge_test.cpp:1", out)
        files["src/a/huge.cpp"] = lines(801, "// A table.\n// Why this file is long: one table.\n")
        rc, out = run(files)
        self.assertEqual(rc, 0, out)

    def test_missing_table_fails(self):
        rc, out = run({"src/a/x.cpp": lines(3), "docs/ARCHITECTURE.md": "# nothing\n"})
        self.assertEqual(rc, 1)
        self.assertIn("no table under", out)


class SecondPrng(unittest.TestCase):
    def test_other_engines_fail_outside_base(self):
        ok = {"docs/ARCHITECTURE.md": doc()}
        for code in ("std::mt19937_64 g;", "int r = rand();", "std::minstd_rand g;"):
            rc, out = run({**ok, "src/a/x.cpp": code + "\n"})
            self.assertEqual(rc, 1, code)
            self.assertIn("second PRNG", out)
        rc, out = run({**ok, "src/base/random.cpp": "std::mt19937 g;\n",
                       "src/a/y.cpp": "int n = operand(1); x.rand(); s.brand(2);\n"})
        self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main()
