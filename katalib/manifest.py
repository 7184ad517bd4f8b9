"""The one manifest, ``katas.toml``: kata order, titles, editable files and first hints.

The progress summary, the settings (which apps exist) and the verification all read it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def _find_root() -> Path:
    """The repository: next to this package (editable install), else the working directory."""
    here = Path(__file__).resolve().parent.parent
    if (here / "katas.toml").is_file():
        return here
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "katas.toml").is_file():
            return folder
    raise SystemExit("katas.toml not found: run pytest from the kata repository")


ROOT = _find_root()
TARGETS = ("katas", "solutions")
# Set by the pytest plugin when a run names some katas only: only their apps are installed.
ONLY_ENV = "_KATA_ONLY"


@dataclass(frozen=True)
class Kata:
    dir: str  # folder name under katas/ and solutions/, e.g. "02_many_to_one"
    title: str
    track: str  # "lesson" or "bonus"
    hint: str  # the first hint, shown in the progress summary
    files: tuple[str, ...] = ()  # the files the learner edits, e.g. ("models.py", "queries.py")
    concept: str = ""  # the "Concept" column of README.md's kata table (default: the title)
    # Tests that no wrong_ variant needs to make fail, each with its one-line reason:
    # (("test_name", "reason"), ...). katas dev check requires every other test to fail on one.
    guards: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """Django app label: the same whichever tree (katas/ or solutions/) is loaded."""
        return "k" + self.dir

    @property
    def readme(self) -> str:
        return f"katas/{self.dir}/README.md"

    def folder(self, tree: str | None = None, root: Path = ROOT) -> Path:
        """The kata's folder in ``tree`` (default: the tree under test)."""
        return root / (tree or target()) / self.dir

    def editable(self, tree: str | None = None, root: Path = ROOT) -> list[Path]:
        """The files the learner edits, in ``tree`` (default: the tree under test)."""
        return [self.folder(tree, root) / name for name in self.files]


@cache
def load(root: Path = ROOT) -> tuple[Kata, ...]:
    with open(root / "katas.toml", "rb") as fh:
        data = tomllib.load(fh)
    return tuple(
        Kata(
            dir=entry["dir"],
            title=entry["title"],
            track=entry.get("track", "lesson"),
            hint=entry["hint"].strip(),
            files=tuple(entry.get("files", ())),
            concept=entry.get("concept", entry["title"]).strip(),
            guards=tuple((str(k), str(v)) for k, v in entry.get("guards", {}).items()),
        )
        for entry in data.get("kata", [])
    )


def installed() -> tuple[Kata, ...]:
    """The katas whose apps this run installs: all, or those a run of some katas names."""
    only = {name for name in os.environ.get(ONLY_ENV, "").split(",") if name}
    return tuple(k for k in load() if not only or k.dir in only)


def kata_at(
    path: Path | str, trees: tuple[str, ...] = ("katas",), root: Path = ROOT
) -> Kata | None:
    """The kata whose folder (in one of ``trees``) holds the file ``path``, or None."""
    parts = _parts_under(str(path), root)
    if parts is not None and len(parts) >= 3 and parts[0] in trees:
        return by_dir(parts[1])
    return None


@cache
def _parts_under(path: str, root: Path) -> tuple[str, ...] | None:
    # Asked for every test several times a run (progress, fixtures, reports): resolve() once.
    try:
        return Path(path).resolve().relative_to(root).parts
    except (ValueError, OSError):
        return None


def by_dir(name: str) -> Kata | None:
    return next((k for k in load() if k.dir == name), None)


def by_label(label: str) -> Kata:
    return next(k for k in load() if k.label == label)


def target() -> str:
    """Which tree the tests run against: ``katas`` (the learner's files) or ``solutions``."""
    value = os.environ.get("KATA_TARGET", "katas")
    if value not in TARGETS:
        raise SystemExit(f"KATA_TARGET must be one of {TARGETS}, not {value!r}")
    return value
