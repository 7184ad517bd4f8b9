"""What a grading run decides: each test's outcome, the canaries' word, each kata's grade
(the types are katalib.grade.contracts')."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from katalib.base import junit
from katalib.grade import canary
from katalib.grade.contracts import Flag, KataGrade, Outcome
from katalib.grade.upstream import Upstream


def junit_key(nodeid: str) -> str:
    """A test id as pytest's JUnit XML names it: ``classname::name`` (mangle_test_address)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return "::".join([".".join(names[:-1]), names[-1]])


def junit_outcomes(xml: Path) -> dict[str, Outcome]:
    """``classname::name`` -> "passed", "failed" (an error in setup or teardown too), "skipped"."""
    try:
        cases = junit.read(xml)
    except (OSError, ET.ParseError):
        return {}
    return {
        f"{classname}::{name}": _outcome(outcome) for (classname, name), outcome in cases.items()
    }


def _outcome(outcome: junit.Outcome) -> Outcome:
    if outcome.rejected:
        return "failed"
    return "skipped" if outcome.status == "skipped" else "passed"


# --- Must-fail canaries ------------------------------------------------------------------------


def canary_ids(canaries: list[canary.Canary], ids: list[str]) -> dict[str, str]:
    """canary node id -> the original's, for every test id of a kata."""
    return {cid: oid for c in canaries for cid, oid in c.ids(ids).items()}


def check_canaries(
    canaries: dict[str, list[canary.Canary]], upstream: Upstream, outcomes: dict[str, Outcome]
) -> list[Flag]:
    """A flag for each canary module with a copy that did not fail (passed, did not run, or
    was skipped where the original was not): the run cannot be trusted."""
    flags: list[Flag] = []
    for kata_dir, modules in canaries.items():
        for module in modules:
            wrong = []
            for cid, oid in module.ids(upstream.ids[kata_dir]).items():
                outcome = outcomes.get(junit_key(cid))
                if outcome == "failed" or (
                    outcome == "skipped" and outcomes.get(junit_key(oid)) != "passed"
                ):
                    continue
                what = {"passed": "passed", "skipped": "was skipped"}.get(
                    outcome or "", "did not run"
                )

                wrong.append((oid.split("::", 1)[1], what))
            if not wrong:
                continue
            first = wrong[0][0].split("[", 1)[0]
            listed = ", ".join(f"{name} {what}" for name, what in wrong[:3])
            more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
            flags.append({
                "kind": "canary",
                "file": module.original,
                "line": module.lines.get(first, 0),
                "reason": (
                    f"must-fail copies of its tests ({module.path}, expected answers corrupted): "
                    f"{listed}{more}. Something in the run makes tests pass whatever they "
                    "check (a patched report, an answer equal to anything, an answer read from "
                    "the test), so no kata of this run counts"
                ),
            })  # fmt: skip
    return flags


def canary_counts(
    copies: dict[str, dict[str, str]], outcomes: dict[str, Outcome]
) -> dict[str, int]:
    """``{"run": n, "failed": n}``: the must-fail copies of the run, and how many failed."""
    return {
        "run": sum(len(c) for c in copies.values()),
        "failed": sum(outcomes.get(junit_key(i)) == "failed" for c in copies.values() for i in c),
    }


# --- Each kata -----------------------------------------------------------------------------------


def harness_results(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """What the harness of the run wrote (``--kata-results``): kata dir -> its row, and the
    run's Python, Django and database. Empty when the file is missing or not the harness's."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        rows = {row["kata"]: row for row in payload.get("katas", [])}
        return rows, {k: payload.get(k) for k in ("python", "django", "database")}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}, {}


def kata_grades(
    upstream: Upstream,
    outcomes: dict[str, Outcome],
    copies: dict[str, dict[str, str]],
    harness_says: dict[str, dict[str, Any]],
    flagged: set[str],
) -> dict[str, KataGrade]:
    """Each kata's grade: solved only when every test id the upstream defines for it passed,
    the harness's counts (canaries included) agree, and no flag voided it."""
    grades: dict[str, KataGrade] = {}
    for kata in upstream.katas:
        ids = upstream.ids[kata.dir]
        passed = sum(outcomes.get(junit_key(i)) == "passed" for i in ids)
        row = harness_says.get(kata.dir) or {}
        # The harness counted the kata's test files, canaries included: it must agree.
        both = [*ids, *copies[kata.dir]]
        harness_agrees = row.get("total") == len(both) and row.get("passed") == sum(
            outcomes.get(junit_key(i)) == "passed" for i in both
        )
        solved = bool(ids) and passed == len(ids) and harness_agrees
        solved = solved and kata.dir not in flagged
        entry: KataGrade = {"solved": solved, "passed": passed, "total": len(ids)}
        if kata.dir in flagged:
            entry["flagged"] = True
        grades[kata.dir] = entry
    return grades
