"""Progress that tells the truth: which katas are solved on the files as they are *now*.

Every pytest run records, per test id, its outcome and a fingerprint of the kata's files at
the time it ran; and, whenever a kata's tests were collected in full, the complete list of
its test ids. From that record:

- a kata is **solved** only when every test id of the kata passed on its current files;
- a test that ran before the kata's files changed is **stale**: the kata shows "changed
  since", and a stale result never counts as solved or failing;
- a run of some of a kata's tests (one node id, ``-k``, ``--lf``) updates only those tests
  and says so (``3/12, 4 ran``).

The record lives in pytest's cache (``.pytest_cache``, key ``katas/progress-<tree>``), so the
``katas`` command can read it without running pytest (``load_rows``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from katalib.base import manifest
from katalib.base.marks import (
    CHANGED,
    CHANGED_WORDS,
    FAILING,
    NOT_RUN,
    NOT_RUN_WORDS,
    PARTIAL,
    SOLVED,
)

VERSION = 1


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
) -> dict:
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
        status = SOLVED
    elif failed:
        status = FAILING
    elif stale:
        status = CHANGED
    elif current:
        status = PARTIAL
    else:
        status = NOT_RUN
    return {
        "kata": kata.dir,
        "title": kata.title,
        "track": kata.track,
        "state": status,
        "solved": status == SOLVED,
        "passed": passed,
        "total": total,
        "total_known": ids is not None,
        "ran": bool(ran),
        "ran_tests": len(ran),
        "stale_tests": stale,
        "failing_tasks": sorted({rec["task"] for rec in failed if rec.get("task")}),
    }


def rows(state: dict, ran: dict[str, set[str]] | None = None, tree: str | None = None) -> list:
    ran = ran or {}
    return [kata_row(kata, state, ran.get(kata.dir), tree) for kata in manifest.load()]


def current(all_rows: list[dict]) -> dict | None:
    """The kata to work on: the first one, in lesson order, not solved on its current files."""
    return next((row for row in all_rows if row["state"] != SOLVED), None)


def cache_file(tree: str, root: Path = manifest.ROOT) -> Path:
    """Where pytest's cache keeps the record (its default cache_dir)."""
    return root / ".pytest_cache" / "v" / cache_key(tree)


def load_state(tree: str = "katas", root: Path = manifest.ROOT) -> dict:
    try:
        return valid_state(json.loads(cache_file(tree, root).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return empty_state()


def load_rows(target: str = "katas") -> list[dict]:
    """Every kata's status from the record of earlier runs, checked against the files now."""
    return rows(load_state(target), tree=target)


def score(row: dict) -> str:
    """``3/12 tests``, ``3/12 tests, 4 ran``, ``changed since the last run`` ..."""
    total = row["total"] if row["total_known"] else "?"
    text = f"{row['passed']}/{total} tests"
    if row["state"] == NOT_RUN:
        return NOT_RUN_WORDS
    if row["state"] == CHANGED:
        return f"{text} ({CHANGED_WORDS})"
    if row["ran"] and row["total_known"] and row["ran_tests"] < row["total"]:
        text += f", {row['ran_tests']} ran"
    elif not row["ran"]:
        text += " (earlier run)"
    return text
