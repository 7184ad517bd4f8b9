"""The marks and words of a verdict: ❌/✅ with their ASCII fallbacks, and each progress state
with its mark and words, for the terminal (the plugin's table, ``katas list``), the explanations
and the Markdown report. A leaf: it imports no other module of katalib.

The browser page shows the same marks and words: ``katas web build`` writes ``page_states()``
into the page's data (data/katas.json), and web/src/app.js keeps no copy of its own.
"""

from __future__ import annotations

from enum import Enum


class State(str, Enum):
    """A kata's progress state (katalib.teach.progress computes it). The value is the word
    kata-results.json and the browser page use."""

    SOLVED = "solved"
    FAILING = "failing"
    PARTIAL = "partial"  # only some of its tests ran, and they passed
    CHANGED = "changed"  # its files changed since its tests last ran
    NOT_RUN = "not run"

    def __str__(self) -> str:  # the word, on every Python (3.11 changed a mixin's format)
        return self.value


BAD, GOOD, ARROW = "❌", "✅", "→"
# For consoles that cannot print them (cp1252 Windows consoles).
ASCII = {BAD: "[X]", GOOD: "[OK]", ARROW: "->"}


def printable(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def symbols_for(encoding: str | None) -> tuple[str, str]:
    """``(bad, good)``: ❌/✅ where the console's encoding has them, else [X]/[OK]."""
    if printable(BAD + GOOD, encoding):
        return BAD, GOOD
    return ASCII[BAD], ASCII[GOOD]


def arrow_for(encoding: str | None) -> str:
    return ARROW if printable(ARROW, encoding) else ASCII[ARROW]


def state_marks(bad: str, good: str) -> dict[State, str]:
    """Each progress state's mark in the terminal's tables, with ``symbols_for``'s pair."""
    return {
        State.SOLVED: good,
        State.FAILING: bad,
        State.PARTIAL: "~",
        State.CHANGED: "?",
        State.NOT_RUN: "-",
    }


# What a state says in words where it has no score of its own.
NOT_RUN_WORDS = "not run yet"
CHANGED_WORDS = "changed since its last run"


def page_states() -> dict[str, dict[str, str]]:
    """What the browser page shows for each state in its kata list: the terminal's mark (a page
    always shows ❌/✅) and, for a state with no score of its own, its words."""
    words = {State.NOT_RUN: NOT_RUN_WORDS, State.CHANGED: CHANGED_WORDS}
    return {
        str(state): {"mark": mark, **({"words": words[state]} if state in words else {})}
        for state, mark in state_marks(BAD, GOOD).items()
    }


# The Markdown report (GitHub renders every mark): a kata's cell by whether it ran and passed.
REPORT_SOLVED, REPORT_FAILING, REPORT_NOT_RUN = f"{GOOD} solved", f"{BAD} not yet", "➖ not run"
