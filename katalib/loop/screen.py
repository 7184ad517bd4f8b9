"""What the ``katas`` command prints about the katas: a run's status line, a kata's introduction,
``katas list``'s table (the watch loop's ``l`` too), and the screen cleared between runs.

The marks and the words of each state come from katalib.base.marks, as in pytest's table.
"""

from __future__ import annotations

import os
import sys
import unicodedata

from katalib.base import manifest, marks
from katalib.base.marks import State
from katalib.loop.runner import RunResult
from katalib.teach import hints, progress


def symbols() -> tuple[str, str]:
    """❌/✅ where the console can print them (cp1252 Windows consoles can't)."""
    return marks.symbols_for(getattr(sys.stdout, "encoding", None))


def status_line(result: RunResult, keys: str = "") -> str:
    bad, good = symbols()
    kata = result.kata.dir
    if result.solved:
        text = f"{good} {kata} solved: {result.passed}/{result.total} tests pass."
    elif result.broken:
        text = (
            f"{bad} {kata}: the tests could not run (pytest exit code {result.returncode}), "
            "see above."
        )
    else:
        text = f"{bad} {kata}: {result.passed}/{result.total} tests pass"
        text += f", task {result.first_task} first." if result.first_task else "."
    return f"{text}  {keys}" if keys else text


def intro(kata: manifest.Kata, task: int | None = 1) -> str:
    """The kata's header: its title, the task to do now (the first that fails), its files."""
    lines = [f"Kata {kata.dir} · {kata.title}"]
    text = hints.task(kata, task) if task else None
    if text:
        lines.append(f"Task {task}: {text}")
    files = ", ".join(kata.files) or "the files its README names"
    lines.append(f"Read {kata.readme} and edit {files}.")
    return "\n".join(lines)


def list_text(rows: list[progress.Row]) -> str:
    state_marks = marks.state_marks(*symbols())  # the same as pytest's progress table
    katas = {k.dir: k for k in manifest.load()}
    here = progress.current(rows)
    lines = ["Kata progress (katas/)"]
    for track, heading in (("lesson", "The lesson"), ("bonus", "Bonus katas (beyond the lesson)")):
        track_rows = [r for r in rows if r.track == track]
        if track_rows:
            lines.append(heading)
        for row in track_rows:
            mark = state_marks[row.state]
            title = katas[row.kata].title if row.kata in katas else row.title
            if len(title) > 46:
                title = title[:45] + "…"
            lines.append(f" {_pad(mark, 3)}{row.kata:<23} {title:<46} {describe(row)}")
    solved = sum(r.solved for r in rows)
    lines.append(f"{solved} of {len(rows)} katas solved.")
    if here is not None:
        lines.append(f"Current kata: {here.kata}  (katas watch {here.kata})")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (❌ and ✅ take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - columns)


def describe(row: progress.Row) -> str:
    """A row's words in ``katas list`` (pytest's table says it with ``progress.score``)."""
    total = row.total if row.total_known else "?"
    if row.state is State.SOLVED:
        return f"solved, {row.passed}/{total} tests"
    if row.state is State.NOT_RUN:
        return marks.NOT_RUN_WORDS
    if row.state is State.CHANGED:
        return marks.CHANGED_WORDS
    text = f"{row.passed}/{total} tests"
    if row.state is State.FAILING and row.failing_tasks:
        text += f", task {min(row.failing_tasks)} first"
    elif row.state is State.PARTIAL:
        text += ", only some ran"
    return text


def clear_screen() -> None:
    if not sys.stdout.isatty() or os.environ.get("TERM") == "dumb":
        return
    if os.name == "nt":  # pragma: no cover - Windows
        os.system("cls")
    else:
        sys.stdout.write("\033[H\033[2J\033[3J")
        sys.stdout.flush()
