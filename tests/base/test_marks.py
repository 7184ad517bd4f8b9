"""Harness tests: the marks and words of a verdict have one owner, katalib/base/marks.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from katalib.base import marks
from katalib.base.marks import State
from katalib.grade.scan import documented
from katalib.loop import screen
from katalib.teach import progress, report
from katalib.teach.explain import symbols_for

ROOT = Path(__file__).resolve().parents[2]
# What only katalib/base/marks.py may spell out: the marks and their ASCII fallbacks ("->" is too
# common to look for; "[FIX]" was explain's own fallback for ✅).
OWNED = (marks.BAD, marks.GOOD, marks.ASCII[marks.BAD], marks.ASCII[marks.GOOD], "[FIX]")


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of ``path`` but its docstrings (plain and f-string parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(docstring) for _node, docstring in documented(tree)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


def test_no_module_spells_out_a_mark_of_its_own() -> None:
    """❌, ✅, [X], [OK] come from katalib.base.marks everywhere (the terminal, the explanations,
    the report, the grader): a second spelling is how [OK] and [FIX] drifted apart."""
    copies = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted(ROOT.glob("katalib/**/*.py"))
        if path.name != "marks.py"
        for line, text in _strings(path)
        if any(mark in text for mark in OWNED)
    ]
    assert not copies, "\n".join(copies)


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", None, "no-such-codec"])
def test_every_console_without_the_marks_gets_the_same_fallback(encoding: str | None) -> None:
    # The explanations (katalib.teach.explain) and the status line (katalib.loop.screen) read the
    # same pair.
    assert symbols_for(encoding) == marks.symbols_for(encoding) == ("[X]", "[OK]")
    assert marks.arrow_for(encoding) == "->"


def test_a_utf8_console_gets_the_marks() -> None:
    assert marks.symbols_for("utf-8") == ("❌", "✅")
    assert marks.arrow_for("utf-8") == "→"


def test_every_progress_state_has_one_mark() -> None:
    """The plugin's table and ``katas list`` mark each state alike."""
    assert set(marks.state_marks("B", "G")) == set(State)
    assert marks.state_marks("B", "G")[State.SOLVED] == "G"


def _row(state: State) -> progress.Row:
    return progress.Row(
        kata="02_many_to_one",
        title="t",
        track="lesson",
        state=state,
        passed=3,
        total=12,
        ran=state is not State.NOT_RUN,
        ran_tests=12,
    )


@pytest.mark.parametrize("state", [State.CHANGED, State.NOT_RUN])
def test_the_table_and_katas_list_use_the_same_words(state: State) -> None:
    """pytest's table (progress.score) and ``katas list`` (screen.describe) say a state alike."""
    words = {State.CHANGED: marks.CHANGED_WORDS, State.NOT_RUN: marks.NOT_RUN_WORDS}[state]
    assert words in progress.score(_row(state))
    assert words in screen.describe(_row(state))


def test_the_report_marks_come_from_the_owner() -> None:
    lines = report.table([_row(State.SOLVED), _row(State.FAILING), _row(State.NOT_RUN)])
    assert marks.REPORT_SOLVED in lines[2]
    assert marks.REPORT_FAILING in lines[3]
    assert marks.REPORT_NOT_RUN in lines[4]
