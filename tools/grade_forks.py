"""Grade many learners' copies of the katas: clone each, run pytest, collect the results.

    python tools/grade_forks.py repos.txt                  # every kata, CSV on stdout
    python tools/grade_forks.py repos.txt --kata 03_on_delete --out grades.csv

repos.txt holds one git URL per line (``#`` starts a comment). Run it from the project's virtual
environment (``python -m pip install -e .``): each copy is tested with that environment's
packages and its own katas/, tests and katalib/. One CSV row per copy and kata: solved (yes/no),
tests passed / total, and whether its tests differ from test-checksums.sha256 of *this*
checkout (so grade with the same upstream version the learners started from).

Warning: this runs the learners' code. Run it in a container or a throwaway machine.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
FIELDS = ["repo", "kata", "solved", "passed", "total", "tests_changed", "error"]


def grade(url: str, work: Path, kata: str | None, timeout: int) -> list[dict]:
    name = url.rstrip("/").removesuffix(".git").replace(":", "/").split("/")
    folder = work / "_".join(name[-2:])
    row = {"repo": url, "kata": kata or "", "solved": "", "passed": "", "total": ""}
    clone = subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", url, str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if clone.returncode:
        return [{**row, "error": f"git clone failed: {clone.stderr.strip()}"}]
    results = folder / "grading-results.json"
    # "python -m pytest" from inside the copy: its own katalib/ is imported, not an installed one.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--kata-results={results}", *([f"katas/{kata}"] if kata else [])]  # fmt: skip
    try:
        run = subprocess.run(command, cwd=folder, capture_output=True, check=False, timeout=timeout)
        code = run.returncode
    except subprocess.TimeoutExpired:
        return [{**row, "error": f"pytest took longer than {timeout} s"}]
    # Compare with *this* checkout's list, not the copy's own (which its owner could rewrite).
    shutil.copyfile(HERE / "test-checksums.sha256", folder / "test-checksums.sha256")
    checked = subprocess.run(
        [sys.executable, "-m", "katalib.checksums", "--check"],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    changed = {0: "no", 1: "yes"}.get(checked.returncode, "unknown")
    if not results.is_file():
        return [{**row, "tests_changed": changed, "error": f"no results (pytest exit code {code})"}]
    rows = []
    for entry in json.loads(results.read_text(encoding="utf-8"))["katas"]:
        if entry["ran"]:
            rows.append({
                "repo": url, "kata": entry["kata"], "solved": "yes" if entry["solved"] else "no",
                "passed": entry["passed"], "total": entry["total"], "tests_changed": changed,
                "error": "",
            })  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", type=Path, help="a file with one git URL per line")
    parser.add_argument("--kata", help="grade only this kata folder, e.g. 03_on_delete")
    parser.add_argument("--out", type=Path, help="write the CSV here instead of stdout")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per copy (600)")
    args = parser.parse_args(argv)

    urls = [line.split("#", 1)[0].strip() for line in args.repos.read_text().splitlines()]
    with (
        (
            open(args.out, "w", newline="", encoding="utf-8")
            if args.out
            else contextlib.nullcontext(sys.stdout)
        ) as out,
        tempfile.TemporaryDirectory(prefix="kata-grading-") as tmp,
    ):
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for url in filter(None, urls):
            print(f"grading {url}", file=sys.stderr)
            writer.writerows(grade(url, Path(tmp), args.kata, args.timeout))
            out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
