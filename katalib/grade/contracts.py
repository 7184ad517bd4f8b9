"""The grader's contracts, typed: a flag (``Flag``, its ``kind`` one of ``FlagKind``), a kata's
grade (``KataGrade``), a test's outcome (``Outcome``), a copy that cannot be graded.

A leaf of the grade layer: it imports nothing of katalib, so every module of the grader (the
jail too, which also runs alone) can name these types.
"""

from __future__ import annotations

from typing import Literal, TypedDict

# Why a copy's kata does not count (katalib.grade.outputs.FLAG_KINDS says it to the learner).
FlagKind = Literal["scan", "file", "tampered", "refused", "canary"]
# A test's outcome in the run (an error in setup or teardown is "failed").
Outcome = Literal["passed", "failed", "skipped"]


class NotGraded(Exception):
    """A copy that cannot be graded (no such folder, a failed clone, out of time, pytest
    killed): the message is its row's error, and the other copies are still graded."""


class Flag(TypedDict):
    """Something of a copy that voids a kata (or the whole run): a row of the JSON's flags."""

    kind: FlagKind
    file: str  # relative posix path, or "(the run)"
    line: int  # 0: the file as a whole
    reason: str


class _Counts(TypedDict):
    solved: bool
    passed: int  # of the upstream's test ids for the kata
    total: int


class KataGrade(_Counts, total=False):
    """A kata of a copy, as the JSON's ``katas`` has it."""

    flagged: bool  # only there (True) when a flag voided the kata
