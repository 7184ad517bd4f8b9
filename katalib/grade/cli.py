"""Grade learners' copies of the katas without trusting them: ``python -m katalib.grade``.

    python -m katalib.grade ../alice-katas https://github.com/bob/django-relationship-katas
    python -m katalib.grade --roster roster.txt --csv grades.csv --markdown grades.md
    python -m katalib.grade --roster roster.txt --shard 2/4 --json > shard-2.json
    python -m katalib.grade merge shard-*.json --csv grades.csv --markdown grades.md
    python -m katalib.grade template ../class-katas   # the students' repository (template.py)

How a copy is graded, and what is enforced and what is not: katalib/grade/__init__.py.

Output: ``--json`` prints ``{"forks": [{"fork", "katas": {kata: {"solved", "passed",
"total"}}, "changed_outside", "flags", "matches_solution", "canaries": {"run", "failed"},
...}]}``; ``--csv FILE`` and ``--markdown FILE`` write the teacher's table (student x kata, last
commit time, flags); ``--summary FILE`` appends the learner's view (the CI job summary);
``--github`` prints GitHub Actions annotations (katalib.grade.outputs). Copies are graded in
parallel (``--jobs``), each in its own temporary folder; one that cannot be cloned, runs out of
time or whose pytest is killed (a limit, a crash) gets a row saying so and the others are still
graded. ``merge`` combines the ``--json`` outputs of several runs (the shards of a classroom
workflow) into one table.

Exit code: 0 when every copy was graded (solved or not), 1 when some copy could not be graded,
2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from katalib.base import manifest
from katalib.grade import template
from katalib.grade.grader import DEFAULT_TIMEOUT, grade_all
from katalib.grade.outputs import csv_text, learner_summary, markdown_text, merge, workflow_commands
from katalib.grade.upstream import kata_meta, load_upstream

PROG = "python -m katalib.grade"


def read_roster(path: Path) -> list[str]:
    """The forks of a roster file: one a line, ``#`` comments and blank lines aside."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def shard(forks: list[str], spec: str) -> list[str]:
    """The K-th of N shards of ``forks`` (``spec`` is "K/N"): every N-th, from the K-th."""
    match = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise SystemExit(f"--shard wants K/N with 1 <= K <= N, e.g. 2/4, not {spec!r}")
    k, n = int(match[1]), int(match[2])
    return forks[k - 1 :: n]


def write_outputs(result: dict[str, Any], args: argparse.Namespace) -> None:
    if args.csv == "-":
        sys.stdout.write(csv_text(result))
    elif args.csv:
        Path(args.csv).write_text(csv_text(result), encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(markdown_text(result), encoding="utf-8")
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--csv", metavar="FILE", help="write the table as CSV ('-': stdout)")
    parser.add_argument("--markdown", metavar="FILE", help="write the table as Markdown")


def grade_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("forks", nargs="*", metavar="FORK", help="a local folder or a git URL")
    parser.add_argument("--roster", type=Path, help="a file of forks, one a line (# comments)")
    parser.add_argument("--shard", metavar="K/N", help="grade only every N-th fork, from the K-th")
    parser.add_argument(
        "--upstream", type=Path, default=manifest.ROOT,
        help="the pristine kata repository to grade against (default: this checkout)",
    )  # fmt: skip
    parser.add_argument(
        "--kata",
        action="append",
        default=[],
        help="grade only this kata: 03_on_delete, 03 or on_delete (repeatable)",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT,
        help=f"seconds per copy, cloning included (default {DEFAULT_TIMEOUT:g})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 2, help="copies graded at once"
    )
    parser.add_argument(
        "--seed", help="redraw the test data from this seed (default: a new one per copy, "
        "recorded in the JSON; give it again to repeat a run)",
    )  # fmt: skip
    _common(parser)
    parser.add_argument(
        "--summary", metavar="FILE", help="append the learner's view of each copy (job summary)"
    )
    parser.add_argument("--github", action="store_true", help="print GitHub Actions annotations")
    parser.add_argument(
        "--outputs", metavar="FILE", help="append solved=N and total=N ($GITHUB_OUTPUT)"
    )
    args = parser.parse_args(argv)
    if sum([args.json, args.github, args.csv == "-"]) > 1:
        parser.error("--json, --github and --csv - all print to stdout: choose one")
    forks = list(args.forks)
    if args.roster:
        forks += read_roster(args.roster)
    if args.shard:
        forks = shard(forks, args.shard)
    if not forks and not args.shard:
        parser.error("no forks to grade: name them, or give --roster FILE")

    upstream = load_upstream(args.upstream, args.kata)
    graded = grade_all(forks, upstream, args.timeout, args.jobs, seed=args.seed)
    result: dict[str, Any] = {
        "upstream": str(upstream.root),
        "graded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "katas": kata_meta(upstream),
        "forks": graded,
    }
    write_outputs(result, args)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as fh:
            fh.writelines(learner_summary(result, fork) + "\n" for fork in graded)
    if args.github:
        for fork in graded:
            print("\n".join(workflow_commands(fork)))
    if args.outputs:
        solved = sum(e["solved"] for f in graded for e in f["katas"].values())
        total = sum(len(f["katas"]) for f in graded)
        with open(args.outputs, "a", encoding="utf-8") as fh:
            fh.write(f"solved={solved}\ntotal={total}\n")
    return 1 if any(f["error"] for f in graded) else 0


def merge_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} merge",
        description="Merge the --json outputs of several grading runs into one table.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="JSON files written by --json")
    _common(parser)
    args = parser.parse_args(argv)
    results = []
    for path in args.files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            parser.error(f"{path}: {exc}")
        if not isinstance(data, dict) or not isinstance(data.get("forks"), list):
            parser.error(f'{path}: not a grading result ({{"forks": [...]}})')
        results.append(data)
    merged = merge(results)
    if not (args.json or args.csv or args.markdown):
        args.json = True
    write_outputs(merged, args)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    if argv[:1] == ["template"]:  # the students' repository, without the answers
        return template.main(argv[1:], prog=f"{PROG} template")
    return grade_main(argv)
