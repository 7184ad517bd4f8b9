"""Moved: grading is ``python -m katalib.grade`` now (see docs/teaching.md).

    python tools/grade_forks.py repos.txt        # python -m katalib.grade --roster repos.txt --csv -
    python tools/grade_forks.py repos.txt --kata 03_on_delete --out grades.csv

This wrapper keeps the old command line working. The CSV is the new one: one row per copy,
one column per kata (``solved`` or ``passed/total``), plus what was changed outside the kata
files and any flags. Unlike the old tool, the copy's own tests, settings and checksum checker
are never used: each copy is graded with this checkout's files and only its kata files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from katalib.grade import cli  # after the path above: this checkout's katalib
from katalib.grade.grader import DEFAULT_TIMEOUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", type=Path, help="a file with one git URL per line")
    parser.add_argument("--kata", help="grade only this kata folder, e.g. 03_on_delete")
    parser.add_argument("--out", help="write the CSV here instead of stdout")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    forwarded = ["--roster", str(args.repos), "--timeout", str(args.timeout)]
    forwarded += ["--csv", args.out or "-", *(["--kata", args.kata] if args.kata else [])]
    return cli.main(forwarded)


if __name__ == "__main__":
    raise SystemExit(main())
