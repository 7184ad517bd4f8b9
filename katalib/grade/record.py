"""Record what honest grading runs raise: ``python -m katalib.grade.record``.

Grades every honest copy of the katas (the untouched stubs, the solutions, and the solutions
with each ``ok_`` or ``wrong_`` variant applied) with the audit hook (``katalib.grade.guard``)
recording instead of refusing, and merges the keys it saw into ``guard_events.json``: the
allowlist the hook enforces when grading. Run it on each platform the grader runs on.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from katalib.grade.guard import ALSO, EVENTS_FILE, current_key


def honest_forks(folder: Path) -> list[tuple[str, Path, bool]]:
    """Copies of the kata files that no one would call cheating, as (name, folder, solved?):
    the untouched stubs, the solutions, and the solutions with each ``ok_`` (valid) or
    ``wrong_`` (a plausible mistake: failing tests, an endless loop, a broken model) variant of
    ``solutions/*/variants.toml`` applied: the i-th variant of every kata in one copy."""
    from katalib.base import manifest
    from katalib.maint import verify

    katas = manifest.load()

    def fork(name: str, tree: str, variants: dict[str, verify.Variant]) -> Path:
        root = folder / name
        for kata in katas:
            target = root / "katas" / kata.dir
            target.mkdir(parents=True)
            for file in kata.files:
                shutil.copy(manifest.ROOT / tree / kata.dir / file, target / file)
            if kata.dir in variants:
                problem = verify.apply_edits(variants[kata.dir], target)
                if problem:
                    raise SystemExit(f"{variants[kata.dir].name}: {problem}")
        return root

    forks = [("stubs", fork("stubs", "katas", {}), False)]
    forks.append(("solutions", fork("solutions", "solutions", {}), True))
    variants = verify.find_variants(set())
    for prefix in ("ok_", "wrong_"):
        by_kata: dict[str, list[verify.Variant]] = {}
        for variant in variants:
            if variant.key.startswith(prefix):
                by_kata.setdefault(variant.kata.dir, []).append(variant)
        for i in range(max((len(v) for v in by_kata.values()), default=0)):
            chosen = {kata: found[i] for kata, found in by_kata.items() if i < len(found)}
            name = f"{prefix}{i + 1}"
            forks.append((name, fork(name, "solutions", chosen), prefix == "ok_"))
    return forks


def record(jobs: int, fresh: bool, only: list[str] | None = None, out: Path = EVENTS_FILE) -> int:
    """Grade every honest copy with the hook recording, and store the keys it saw."""
    import django

    from katalib.base import manifest
    from katalib.grade import jail
    from katalib.grade.grader import grade_all
    from katalib.grade.upstream import load_upstream

    upstream = load_upstream(manifest.ROOT)
    with tempfile.TemporaryDirectory(prefix="kata-guard-record-") as tmp:
        forks = [f for f in honest_forks(Path(tmp)) if not only or f[0] in only]
        keys_file = Path(tmp) / "keys.txt"
        keys_file.touch()
        jail.GUARD_MODE, jail.RECORD_TO = "record", keys_file
        try:
            print(f"grading {len(forks)} honest copies with the audit hook recording", flush=True)
            graded = grade_all([str(p) for _, p, _ in forks], upstream, 900, jobs, True)
        finally:
            jail.GUARD_MODE, jail.RECORD_TO = "enforce", None
        keys = set(keys_file.read_text(encoding="utf-8").split())
    problems = []
    for (name, _, solved), entry in zip(forks, graded, strict=True):
        if entry["error"]:
            problems.append(f"{name}: {entry['error']}")
        elif solved and not all(k["solved"] for k in entry["katas"].values()):
            problems.append(f"{name}: not every kata solved {entry['katas']}")
        if entry["flags"]:
            problems.append(f"{name}: flagged {entry['flags']}")
    if problems:
        print(
            "not recorded: these honest copies did not grade as they should:", *problems, sep="\n"
        )
        return 1
    old = {} if fresh else _read(out)
    database = os.environ.get("DATABASE_URL", "").split(":", 1)[0] or "sqlite"
    platform = f"{sys.platform}, Python {sys.version.split()[0]}, Django {django.get_version()}"
    platform += f", {database}"
    platforms = sorted({*old.get("recorded_on", []), platform})
    before = {current_key(k) for k in old.get("events", [])}
    events = sorted(keys | before)
    added = sorted(keys - before)
    data = {
        "about": (
            "Audit-event keys raised by honest grading runs once a kata file has run "
            "(katalib/grade/guard.py). Written by: python -m katalib.grade.record (on each platform "
            "the grader runs on: the keys are merged)."
        ),
        "recorded_on": platforms,
        "events": events,
        "also": ALSO,
    }
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{out.name}: {len(events)} keys ({len(added)} new: {', '.join(added) or 'none'})")
    print(f"recorded on {platform}")
    return 0


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m katalib.grade.record",
        description="Record the audit events of honest grading runs into guard_events.json.",
    )
    parser.add_argument("--record", action="store_true", help="(the default; kept for old scripts)")
    parser.add_argument("--fresh", action="store_true", help="forget the keys recorded before")
    parser.add_argument("--jobs", type=int, default=2, help="copies graded at once")
    parser.add_argument(
        "--only", action="append", metavar="NAME",
        help="only this copy: stubs, solutions, ok_1, wrong_3... (repeatable; a quick re-run)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    return record(args.jobs, args.fresh, args.only)


if __name__ == "__main__":
    raise SystemExit(main())
