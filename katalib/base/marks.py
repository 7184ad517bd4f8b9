"""The marks and words of a verdict: ❌/✅ with their ASCII fallbacks, and each progress state
with its mark and words, for the terminal (the plugin's table, ``katas list``), the explanations
and the Markdown report. A leaf: it imports no other module of katalib.

The browser page (web/src/app.js) keeps its own copy for now.
"""

from __future__ import annotations

# A kata's progress state (katalib.teach.progress computes it).
SOLVED, FAILING, PARTIAL, CHANGED, NOT_RUN = "solved", "failing", "partial", "changed", "not run"
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


def state_marks(bad: str, good: str) -> dict[str, str]:
    """Each progress state's mark in the terminal's tables, with ``symbols_for``'s pair."""
    return {SOLVED: good, FAILING: bad, PARTIAL: "~", CHANGED: "?", NOT_RUN: "-"}


# What a state says in words where it has no score of its own.
NOT_RUN_WORDS = "not run yet"
CHANGED_WORDS = "changed since its last run"

# The Markdown report (GitHub renders every mark): a kata's cell by whether it ran and passed.
REPORT_SOLVED, REPORT_FAILING, REPORT_NOT_RUN = f"{GOOD} solved", f"{BAD} not yet", "➖ not run"
