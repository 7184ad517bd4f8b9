"""Grading copies, one after another or in parallel: fetch the copy (``learner``), build its
scratch tree (``staging``), run the tests there (``running``), decide (``verdict``).

``grade_fork`` never raises for anything a copy does: what went wrong is its row's ``error``.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katalib.grade import contracts, learner, running, staging, verdict
from katalib.grade.upstream import Upstream

DEFAULT_TIMEOUT = 600.0  # seconds per copy: clone and tests


@dataclass
class Graded:
    """One copy's row of the JSON's ``forks`` (``as_dict``)."""

    fork: str
    student: str
    katas: dict[str, contracts.KataGrade] = field(default_factory=dict)
    changed_outside: list[learner.Changed] = field(default_factory=list)
    flags: list[contracts.Flag] = field(default_factory=list)
    # Kata files that are the upstream's shipped solution: a note for the teacher, not a fail.
    matches_solution: list[staging.Match] = field(default_factory=list)
    canaries: dict[str, int] = field(default_factory=dict)  # {"run", "failed"}: must-fail copies
    error: str | None = None
    commit: str = ""
    committed: str = ""
    environment: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    seed: str = ""  # the run's test data was redrawn from it (katalib/base/seed.py)

    def as_dict(self) -> dict[str, Any]:
        return {
            "fork": self.fork,
            "student": self.student,
            "commit": self.commit,
            "committed": self.committed,
            "error": self.error,
            "katas": self.katas,
            "changed_outside": self.changed_outside,
            "flags": self.flags,
            "matches_solution": self.matches_solution,
            "canaries": self.canaries,
            "environment": self.environment,
            "seed": self.seed,
            "seconds": round(self.seconds, 1),
        }


def grade_fork(
    fork: str, upstream: Upstream, timeout: float = DEFAULT_TIMEOUT, seed: str | None = None
) -> dict[str, Any]:
    """Grade one copy; never raises for anything the copy does.

    The test data is redrawn from ``seed`` (default: a new one for this copy)."""
    start = time.monotonic()
    graded = Graded(fork, learner.student_name(fork), seed=seed or secrets.token_hex(6))
    graded.katas = {
        kata.dir: {"solved": False, "passed": 0, "total": len(upstream.ids[kata.dir])}
        for kata in upstream.katas
    }
    with tempfile.TemporaryDirectory(prefix="kata-grade-") as tmp:
        try:
            _grade(graded, Path(tmp), upstream, start + timeout)
        except contracts.NotGraded as exc:
            graded.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad copy must not stop the others
            graded.error = f"could not grade: {type(exc).__name__}: {exc}"
    graded.seconds = time.monotonic() - start
    return graded.as_dict()


def _grade(graded: Graded, tmp: Path, upstream: Upstream, deadline: float) -> None:
    env = running.pytest_env()
    source = learner.fetch(graded.fork, tmp, env, deadline)
    graded.commit, graded.committed = learner.last_commit(source, tmp, env)
    graded.changed_outside = learner.changed_outside(source, upstream)

    stage = staging.stage(tmp / "stage", source, upstream)
    graded.flags += stage.flags
    graded.matches_solution = stage.matches_solution
    flagged = set(stage.flagged)
    every_kata = {k.dir for k in upstream.katas}

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise contracts.NotGraded(
            "ran out of time before the tests (cloning took the whole time limit)"
        )
    katas = [k.dir for k in upstream.katas]
    ran = running.run_tests(tmp, stage.root, upstream.python, katas, env, graded.seed, remaining)
    graded.environment = {"sandbox": ran.jail.describe()}
    if ran.code is None:
        raise contracts.NotGraded(
            f"the tests took longer than the time limit ({remaining:.0f} s left)"
        )

    # The run must not have changed the pristine files it was given.
    tampered = stage.tampering()
    graded.flags += tampered
    if tampered:
        flagged |= every_kata
    refused = ran.jail.refusals(ran.code)  # the audit hook ended the run: nothing of it counts
    graded.flags += refused
    if refused:
        flagged |= every_kata
    elif ran.code > 1 or ran.code < 0:  # < 0: killed by a signal (a limit, a crash)
        raise contracts.NotGraded(running.failure(ran.code, ran.output))

    outcomes = verdict.junit_outcomes(ran.junit)
    # Every must-fail copy failed, or nothing of this run counts. (A run the audit hook ended
    # is void already: its canaries did not run, and saying so would only repeat it.)
    forged = [] if refused else verdict.check_canaries(stage.canaries, upstream, outcomes)
    graded.flags += forged
    if forged:
        flagged |= every_kata
    copies = {
        k.dir: verdict.canary_ids(stage.canaries[k.dir], upstream.ids[k.dir])
        for k in upstream.katas
    }
    graded.canaries = verdict.canary_counts(copies, outcomes)
    harness_says, environment = verdict.harness_results(ran.results)
    graded.environment.update(environment)
    graded.katas = verdict.kata_grades(upstream, outcomes, copies, harness_says, flagged)


def grade_all(
    forks: list[str],
    upstream: Upstream,
    timeout: float,
    jobs: int,
    quiet: bool = False,
    seed: str | None = None,
) -> list[dict[str, Any]]:
    """Grade ``forks``, ``jobs`` at a time, each in its own temporary folder, in their order."""

    def one(fork: str) -> dict[str, Any]:
        if not quiet:
            print(f"grading {fork}", file=sys.stderr)
        entry = grade_fork(fork, upstream, timeout, seed)
        if not quiet:
            solved = sum(k["solved"] for k in entry["katas"].values())
            status = entry["error"] or f"{solved} of {len(entry['katas'])} katas solved"
            print(f"graded {fork}: {status} ({entry['seconds']} s)", file=sys.stderr)
        return entry

    with ThreadPoolExecutor(max(1, min(jobs, len(forks) or 1))) as pool:
        return list(pool.map(one, forks))
