"""The kata progress as a Markdown table, from the results file of a pytest run.

    python -m katalib.report kata-results.json                 # print the table
    python -m katalib.report kata-results.json --checksums     # ... plus the test-file check
    python -m katalib.report kata-results.json --outputs       # solved=N and total=N lines

The learner's CI appends the table to the job summary (``$GITHUB_STEP_SUMMARY``) and the
``--outputs`` lines to ``$GITHUB_OUTPUT``. The results file is written by every pytest run
(``--kata-results PATH``, default ``kata-results.json``); its format is in docs/teaching.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from katalib.base import marks
from katalib.teach.progress import Row, rows_of

TRACKS = {"lesson": "The lesson", "bonus": "Bonus katas (beyond the lesson)"}


def _cell(text: str) -> str:
    # A title such as "<model>_set" would otherwise be read as an HTML tag and vanish.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> list[str]:
    lines = ["| | Kata | Title | Tests passing |", "|---|---|---|---|"]
    for row in rows:
        if not row.ran:
            mark, score = marks.REPORT_NOT_RUN, "–"
        else:
            mark = marks.REPORT_SOLVED if row.solved else marks.REPORT_FAILING
            score = f"{row.passed}/{row.total}"
        lines.append(f"| {mark} | `{row.kata}` | {_cell(row.title)} | {score} |")
    return lines


def counts(results: dict) -> tuple[int, int]:
    rows = rows_of(results)
    return sum(r.solved for r in rows), len(rows)


def markdown(results: dict, checksum_lines: list[str] | None = None) -> str:
    solved, total = counts(results)
    tree = results.get("target", "katas")
    out = [
        "## Kata progress",
        "",
        (
            f"**{solved} of {total} katas solved** (testing `{tree}/` with Python "
            f"{results.get('python', '?')}, Django {results.get('django', '?')}, "
            f"{results.get('database', '?')})"
        ),
        "",
    ]
    rows = rows_of(results)
    tracks = [t for t in TRACKS if any(r.track == t for r in rows)]
    for track in tracks:
        if len(tracks) > 1:
            out += [f"### {TRACKS[track]}", ""]
        out += table([r for r in rows if r.track == track])
        out.append("")
    todo = next((r for r in rows if r.ran and not r.solved), None)
    if todo is not None:
        out += [
            f"Next: `katas/{todo.kata}/README.md`, then run `pytest katas/{todo.kata}`.",
            "",
        ]
    if checksum_lines is not None:
        out += [*checksum_lines, ""]
    return "\n".join(out)


def checksum_summary() -> list[str]:
    from katalib.base import checksums

    if not (checksums.ROOT / checksums.CHECKSUM_FILE).is_file():
        return [f"⚠️ `{checksums.CHECKSUM_FILE}` is missing: the tests could not be compared."]
    diffs = checksums.differences()
    if not diffs:
        count = len(checksums.recorded())
        return [
            f"{marks.GOOD} Tests unchanged: all {count} files match `{checksums.CHECKSUM_FILE}`."
        ]
    lines = [
        (
            f"⚠️ **{len(diffs)} test or harness file(s) differ from "
            f"`{checksums.CHECKSUM_FILE}`**: a kata counts as solved only with the tests as "
            "shipped (restore them: docs/reset-and-update.md)."
        ),
        "",
    ]
    lines += [f"- {what}: `{name}`" for name, what in diffs]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m katalib.report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("results", type=Path, help="the results file (kata-results.json)")
    parser.add_argument(
        "--checksums", action="store_true", help="add whether the test files are unchanged"
    )
    parser.add_argument(
        "--outputs", action="store_true", help="print solved=N and total=N instead of a table"
    )
    args = parser.parse_args(argv)
    try:
        results = json.loads(args.results.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"## Kata progress\n\nNo results to show: {args.results}: {exc}")
        return 1
    if args.outputs:
        solved, total = counts(results)
        print(f"solved={solved}\ntotal={total}")
        return 0
    text = markdown(results, checksum_summary() if args.checksums else None)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
