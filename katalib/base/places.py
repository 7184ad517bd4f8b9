"""Where in the learner's code something happened: ``katas/<dir>/<file>, line N`` and its source.

Shared by the loader (a kata file that raised while loading) and the probe (katalib.core.probe: a
file that ended, hung or interrupted the run) and the schema checks, so that both say it alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from katalib.base import manifest


def inside(filename: str, tree: Path) -> bool:
    """``filename`` is under the folder ``tree``."""
    try:
        Path(filename).resolve().relative_to(tree.resolve())
    except (ValueError, OSError):
        return False
    return True


def rel(filename: str) -> str:
    """``filename`` relative to the repository (as given when it is outside)."""
    try:
        return Path(filename).resolve().relative_to(manifest.ROOT.resolve()).as_posix()
    except (ValueError, OSError):
        return filename


def of_frames(stack: Sequence[tuple[str, int | None, str | None]], tree: Path) -> str:
    """The frames ``(file, line number, source)`` of ``stack`` (outermost first) inside ``tree``:
    the outermost, and the innermost if different (where the error really happened), or ""."""
    found = [f for f in stack if inside(f[0], tree)]
    if not found:
        return ""
    shown = [found[0]] if found[0] == found[-1] else [found[0], found[-1]]
    return "\n  which called ".join(
        f"{rel(path)}, line {lineno}\n    {(line or '').strip()}" for path, lineno, line in shown
    )
