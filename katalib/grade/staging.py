"""The scratch tree a copy is graded in: the upstream's harness, tests and given files, ONLY the
learner's kata files (those ``katas.toml`` names, each read first: ``katalib.grade.scan``), and
beside each kata's tests their must-fail canaries (``katalib.grade.canary``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from katalib.grade import canary
from katalib.grade.contracts import Flag
from katalib.grade.scan import published_solution, scan
from katalib.grade.trees import compare, copy_tree, tree_digests
from katalib.grade.upstream import HARNESS, Upstream

MAX_KATA_FILE = 256 * 1024  # bytes; a kata file is a few KB


class Match(TypedDict):
    """A kata file that is the upstream's published solution: a row of matches_solution."""

    file: str
    solution: str


@dataclass
class Stage:
    """A copy's scratch tree, ready to run."""

    root: Path
    flags: list[Flag]  # kata files that were not used (a link, too large, flagged by the scan)
    flagged: set[str]  # the kata dirs those flags void
    matches_solution: list[Match]  # a note for the teacher, not a fail
    canaries: dict[str, list[canary.Canary]]  # kata dir -> its must-fail test modules
    expected: dict[str, str]  # digests of the pristine part: harness, tests, given files, canaries

    def tampering(self) -> list[Flag]:
        """A flag for each pristine file the run changed, added or deleted."""
        after = tree_digests(self.root, HARNESS)
        return [
            {
                "kind": "tampered",
                "file": changed,
                "line": 0,
                "reason": f"{change} by the learner's code during the run",
            }
            for changed, change in compare(self.expected, after)
        ]


def stage(root: Path, source: Path, upstream: Upstream) -> Stage:
    """Build in ``root`` the scratch tree of the copy ``source``: the pristine tree, plus the
    learner's kata files (and nothing else), plus the canaries."""
    copy_tree(upstream.root, root, HARNESS)
    flags: list[Flag] = []
    flagged: set[str] = set()
    matches: list[Match] = []
    for kata in upstream.all_katas:
        for name in kata.files:
            rel = f"katas/{kata.dir}/{name}"
            path = source / rel
            if path.is_symlink() or (
                path.exists() and not path.resolve().is_relative_to(source.resolve())
            ):
                flags.append(
                    {"kind": "file", "file": rel, "line": 0, "reason": "is a symbolic link"}
                )
                flagged.add(kata.dir)
                continue
            if not path.is_file():
                continue  # the stub stays: the kata is not solved
            data = path.read_bytes()
            if len(data) > MAX_KATA_FILE:
                flags.append(
                    {
                        "kind": "file",
                        "file": rel,
                        "line": 0,
                        "reason": f"is larger than {MAX_KATA_FILE} bytes",
                    }
                )
                flagged.add(kata.dir)
                continue
            found = scan(data, rel)
            for line, reason in found:
                flags.append({"kind": "scan", "file": rel, "line": line, "reason": reason})
                flagged.add(kata.dir)
            if not found:  # a flagged file never runs: its stub stays in its place
                (root / rel).write_bytes(data)
            if kata in upstream.katas and published_solution(upstream.root, kata, name, data):
                matches.append({"file": rel, "solution": f"solutions/{kata.dir}/{name}"})
    # Beside each kata's tests, their must-fail copies: part of the pristine tree from here on,
    # so a run that rewrites them is caught like any other change.
    canaries = write_canaries(root, upstream)
    return Stage(root, flags, flagged, matches, canaries, tree_digests(root, HARNESS))


def write_canaries(root: Path, upstream: Upstream) -> dict[str, list[canary.Canary]]:
    """kata dir -> the must-fail copies of its test files, written beside them for this run."""
    made: dict[str, list[canary.Canary]] = {}
    for kata in upstream.katas:
        files = sorted({i.split("::", 1)[0] for i in upstream.ids[kata.dir]})
        made[kata.dir] = [canary.write(root, test_file) for test_file in files]
    return made
