"""Hints one layer at a time, and the first task of a kata, from its HINTS.md and README.md.

A kata's ``HINTS.md`` has one section per task, ``## N. Title``, each a list of bullets that go
from a nudge to nearly the answer, the last one a link to Django's docs. ``katas hint`` (or
``h`` in watch mode) reveals one more bullet of the section of the first task that still fails.
How many bullets each task has shown is remembered in ``.katas-state.json`` (not committed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from katalib.base import manifest, marks

STATE_FILE = ".katas-state.json"
STATE_VERSION = 1

_SECTION = re.compile(r"^##\s+(\d+)\.\s+(.*?)\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    bullets: tuple[str, ...]


def sections(kata: manifest.Kata, root: Path = manifest.ROOT) -> list[Section]:
    """The ``## N. Title`` sections of the kata's HINTS.md, each with its bullets."""
    path = root / "katas" / kata.dir / "HINTS.md"
    found: list[Section] = []
    number: int | None = None
    title, bullets = "", list[str]()

    def close() -> None:
        if number is not None:
            found.append(Section(number, title, tuple(bullets)))

    for line in path.read_text(encoding="utf-8").splitlines():
        heading = _SECTION.match(line)
        if heading:
            close()
            number, title, bullets = int(heading.group(1)), heading.group(2), []
        elif line.startswith("#"):
            close()
            number = None
        elif number is not None and line.startswith("- "):
            bullets.append(line[2:].strip())
        elif number is not None and bullets and line[:1].isspace() and line.strip():
            bullets[-1] += " " + line.strip()  # a bullet continued on the next line
    close()
    return found


def section_for(kata: manifest.Kata, failing_tasks: list[int] | None) -> Section | None:
    """The section of the first failing task; the first section when that is unknown."""
    all_sections = sections(kata)
    if not all_sections:
        return None
    by_number = {s.number: s for s in all_sections}
    for task in sorted(failing_tasks or ()):
        if task in by_number:
            return by_number[task]
    return all_sections[0]


def first_task(kata: manifest.Kata, root: Path = manifest.ROOT) -> str | None:
    """Task 1 of the README's "## Your tasks" list, as one line of plain text."""
    return task(kata, 1, root)


def task(kata: manifest.Kata, number: int, root: Path = manifest.ROOT) -> str | None:
    """Task ``number`` of the README's "## Your tasks" list, as one line of plain text."""
    lines = (root / "katas" / kata.dir / "README.md").read_text(encoding="utf-8").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "## Your tasks")
    except StopIteration:
        return None
    text: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if not text:
            item = re.match(rf"^{number}\.\s+(.*)", line)
            if item:
                text.append(item.group(1).strip())
            continue
        if not line.strip() or not line[:1].isspace():
            break  # the end of the item: a blank line or the next item
        text.append(line.strip())
    return plain(" ".join(text)) if text else None


def plain(markdown: str) -> str:
    """Markdown inline text for a terminal: no bold markers, links as "text (address)"."""
    text = markdown.replace("**", "")
    return _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)


# --- Remembered layers ---------------------------------------------------------------------------


def state_path(root: Path = manifest.ROOT) -> Path:
    return root / STATE_FILE


def load_state(root: Path = manifest.ROOT) -> dict:
    try:
        state = json.loads(state_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        state = {"version": STATE_VERSION}
    state.setdefault("hints", {})
    return state


def save_state(state: dict, root: Path = manifest.ROOT) -> None:
    path = state_path(root)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def revealed(kata: manifest.Kata, section: Section, root: Path = manifest.ROOT) -> int:
    return int(load_state(root)["hints"].get(kata.dir, {}).get(str(section.number), 0))


def reveal_next(kata: manifest.Kata, section: Section, root: Path = manifest.ROOT) -> int:
    """One more layer of ``section`` (while there is one); returns how many are shown now."""
    state = load_state(root)
    shown = state["hints"].setdefault(kata.dir, {})
    count = min(int(shown.get(str(section.number), 0)) + 1, len(section.bullets))
    shown[str(section.number)] = count
    save_state(state, root)
    return count


def next_hint(kata: manifest.Kata, failing_tasks: list[int] | None) -> str:
    """Reveal the next layer for the first failing task; the text to print."""
    section = section_for(kata, failing_tasks)
    if section is None or not section.bullets:
        return f"Kata {kata.dir} has no hints: read katas/{kata.dir}/README.md."
    before = revealed(kata, section)
    count = reveal_next(kata, section)
    return render(kata, section, count, new=count > before)


def render(kata: manifest.Kata, section: Section, count: int, *, new: bool = True) -> str:
    """The layers revealed so far, numbered; the newest one marked with an arrow."""
    arrow = _arrow()
    width = max(40, min(100, shutil.get_terminal_size((100, 24)).columns))
    total = len(section.bullets)
    lines = [
        f"Hint {count} of {total} · kata {kata.dir} · task {section.number}: {plain(section.title)}"
    ]
    for index, bullet in enumerate(section.bullets[:count], start=1):
        mark = arrow if index == count else " " * len(arrow)
        lead = f"{mark} {index}. "
        lines += textwrap.wrap(
            plain(bullet),
            width=width,
            initial_indent=lead,
            subsequent_indent=" " * len(lead),
            break_long_words=False,
            break_on_hyphens=False,
        )
    if count < total:
        lines.append(f"(next hint: katas hint {kata.dir}, or h in watch mode)")
    elif not new:
        lines.append(
            f"No more hints for task {section.number}: the last ones are nearly the answer."
        )
    else:
        lines.append(f"That was the last hint for task {section.number}.")
    return "\n".join(lines)


def _arrow() -> str:
    return marks.arrow_for(getattr(sys.stdout, "encoding", None))
