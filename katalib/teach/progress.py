"""Progress that tells the truth: which katas are solved on the files as they are *now*.

Every pytest run records, per test id, its outcome and a fingerprint of the kata's files at
the time it ran; and, whenever a kata's tests were collected in full, the complete list of
its test ids. From that record:

- a kata is **solved** only when every test id of the kata passed on its current files;
- a test that ran before the kata's files changed is **stale**: the kata shows "changed
  since", and a stale result never counts as solved or failing;
- a run of some of a kata's tests (one node id, ``-k``, ``--lf``) updates only those tests
  and says so (``3/12, 4 ran``).

The record lives in pytest's cache (katalib.base.cache says where; key
``katas/progress-<tree>``), so the ``katas`` command can read it without running pytest
(``load_rows``). A kata's status is a ``Row``; its ``state`` a ``katalib.base.marks.State``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katalib.base import cache, manifest
from katalib.base.marks import CHANGED_WORDS, NOT_RUN_WORDS, State

VERSION = 1


@dataclass(frozen=True)
class Row:
    """One kata's status, as the progress table, ``katas list``, the Markdown report and
    kata-results.json (``as_json``) say it."""

    kata: str  # its folder
    title: str
    track: str  # "lesson" or "bonus"
    state: State
    passed: int  # its tests that passed on its current files
    total: int  # its tests (when not known: those on record)
    total_known: bool = True  # its complete list of tests is on record
    ran: bool = False  # some of its tests ran in this run
    ran_tests: int = 0
    stale_tests: int = 0  # results from before its files changed
    failing_tasks: list[int] = field(default_factory=list)  # task numbers, lowest first

    @property
    def solved(self) -> bool:
        return self.state is State.SOLVED

    def as_json(self) -> dict[str, Any]:
        """The row in kata-results.json (docs/teaching.md), its keys in this order."""
        return {
            "kata": self.kata,
            "title": self.title,
            "track": self.track,
            "state": self.state.value,
            "solved": self.solved,
            "passed": self.passed,
            "total": self.total,
            "total_known": self.total_known,
            "ran": self.ran,
            "ran_tests": self.ran_tests,
            "stale_tests": self.stale_tests,
            "failing_tasks": list(self.failing_tasks),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        """A row of a results file. The documented keys (docs/teaching.md: kata, title, ran,
        solved, passed, total; track) are enough: the grader's summary gives no more, and
        without a state ``ran`` and ``solved`` say it."""
        ran = bool(data["ran"])
        if "state" in data:
            state = State(data["state"])
        elif data["solved"]:
            state = State.SOLVED
        else:
            state = State.FAILING if ran else State.NOT_RUN
        return cls(
            kata=data["kata"],
            title=data["title"],
            track=data.get("track", "lesson"),
            state=state,
            passed=int(data["passed"]),
            total=int(data["total"]),
            total_known=bool(data.get("total_known", True)),
            ran=ran,
            ran_tests=int(data.get("ran_tests", 0)),
            stale_tests=int(data.get("stale_tests", 0)),
            failing_tasks=[int(t) for t in data.get("failing_tasks") or []],
        )


def rows_of(results: dict[str, Any]) -> list[Row]:
    """The rows of a results file (kata-results.json, or the grader's summary of a copy)."""
    return [Row.from_json(row) for row in results["katas"]]


def cache_key(tree: str) -> str:
    return f"katas/progress-{tree}"


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def code_fingerprint(kata: manifest.Kata, tree: str | None = None) -> str:
    """The kata's Python files as they are now: the learner's files, the given ones, the tests.

    The tests always come from katas/ (``--solutions`` swaps only the code under test).
    """
    tree = tree or manifest.target()
    code = sorted(p for p in kata.folder(tree).glob("*.py") if not p.name.startswith("test_"))
    return _digest(code + test_files(kata))


def test_files(kata: manifest.Kata) -> list[Path]:
    return sorted(kata.folder("katas").glob("test_*.py"))


def tests_fingerprint(kata: manifest.Kata) -> str:
    return _digest(test_files(kata))


def empty_state() -> dict:
    return {"version": VERSION, "katas": {}, "tests": {}}


def valid_state(state: object) -> dict:
    if isinstance(state, dict) and state.get("version") == VERSION:
        return state
    return empty_state()


def record(
    state: dict,
    outcomes: dict[str, str],
    tasks: dict[str, int | None],
    full_ids: dict[str, list[str]],
    tree: str,
) -> dict:
    """``state`` updated with one run: its outcomes and the katas collected in full."""
    katas = {k.dir: k for k in manifest.load()}
    fingerprints: dict[str, str] = {}
    for folder, ids in full_ids.items():
        kata = katas.get(folder)
        if kata is None:
            continue
        state["katas"][folder] = {"tests": tests_fingerprint(kata), "ids": sorted(ids)}
        # A full collection also says which tests no longer exist.
        prefix = f"katas/{folder}/"
        for gone in [i for i in state["tests"] if i.startswith(prefix) and i not in ids]:
            del state["tests"][gone]
    for nodeid, outcome in outcomes.items():
        kata = katas.get(kata_dir(nodeid) or "")
        if kata is None:
            continue
        if kata.dir not in fingerprints:
            fingerprints[kata.dir] = code_fingerprint(kata, tree)
        state["tests"][nodeid] = {
            "outcome": outcome,
            "code": fingerprints[kata.dir],
            "task": tasks.get(nodeid),
        }
    return state


def kata_dir(nodeid: str) -> str | None:
    """The kata folder of a test's node id (``katas/<dir>/test_x.py::name``), or None."""
    parts = nodeid.split("/", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "katas" else None


def kata_row(
    kata: manifest.Kata, state: dict, ran: set[str] | None = None, tree: str | None = None
) -> Row:
    """One kata's truthful status. ``ran``: the test ids of this kata that ran this run."""
    ran = ran or set()
    entry = state["katas"].get(kata.dir)
    ids = entry["ids"] if entry and entry["tests"] == tests_fingerprint(kata) else None
    prefix = f"katas/{kata.dir}/"
    records = {
        nodeid: rec
        for nodeid, rec in state["tests"].items()
        if nodeid.startswith(prefix) and (ids is None or nodeid in ids)
    }
    now = code_fingerprint(kata, tree)
    current = {nodeid: rec for nodeid, rec in records.items() if rec["code"] == now}
    stale = len(records) - len(current)
    passed = sum(rec["outcome"] == "passed" for rec in current.values())
    failed = [rec for rec in current.values() if rec["outcome"] != "passed"]
    total = len(ids) if ids is not None else len(records)
    if ids is not None and ids and passed == len(ids):
        status = State.SOLVED
    elif failed:
        status = State.FAILING
    elif stale:
        status = State.CHANGED
    elif current:
        status = State.PARTIAL
    else:
        status = State.NOT_RUN
    return Row(
        kata=kata.dir,
        title=kata.title,
        track=kata.track,
        state=status,
        passed=passed,
        total=total,
        total_known=ids is not None,
        ran=bool(ran),
        ran_tests=len(ran),
        stale_tests=stale,
        failing_tasks=sorted({rec["task"] for rec in failed if rec.get("task")}),
    )


def rows(state: dict, ran: dict[str, set[str]] | None = None, tree: str | None = None) -> list[Row]:
    ran = ran or {}
    return [kata_row(kata, state, ran.get(kata.dir), tree) for kata in manifest.load()]


def current(all_rows: list[Row]) -> Row | None:
    """The kata to work on: the first one, in lesson order, not solved on its current files."""
    return next((row for row in all_rows if not row.solved), None)


def cache_file(tree: str, root: Path = manifest.ROOT) -> Path:
    """Where pytest's cache keeps the record (katalib.base.cache: pytest's cache_dir)."""
    return cache.path(cache_key(tree), root=root)


def load_state(tree: str = "katas", root: Path = manifest.ROOT) -> dict:
    try:
        return valid_state(json.loads(cache_file(tree, root).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return empty_state()


def load_rows(target: str = "katas") -> list[Row]:
    """Every kata's status from the record of earlier runs, checked against the files now."""
    return rows(load_state(target), tree=target)


def score(row: Row) -> str:
    """``3/12 tests``, ``3/12 tests, 4 ran``, ``changed since the last run`` ..."""
    total = row.total if row.total_known else "?"
    text = f"{row.passed}/{total} tests"
    if row.state is State.NOT_RUN:
        return NOT_RUN_WORDS
    if row.state is State.CHANGED:
        return f"{text} ({CHANGED_WORDS})"
    if row.ran and row.total_known and row.ran_tests < row.total:
        text += f", {row.ran_tests} ran"
    elif not row.ran:
        text += " (earlier run)"
    return text
