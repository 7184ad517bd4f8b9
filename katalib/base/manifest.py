"""The one manifest, ``katas.toml``: kata order, titles, editable files and first hints.

The progress summary, the settings (which apps exist) and the verification all read it.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from katalib.base import env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


PROJECT = "django-relationship-katas"  # pyproject.toml's [project] name


def is_repository(folder: Path) -> bool:
    """A kata repository: ``katas.toml`` beside the harness (``katalib/``) or this project's
    ``pyproject.toml``."""
    if not (folder / "katas.toml").is_file():
        return False
    if (folder / "katalib").is_dir():
        return True
    try:
        with open(folder / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh).get("project", {}).get("name") == PROJECT
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _installed_from() -> Path | None:
    """The kata repository this package was installed from, when it is one."""
    here = Path(__file__).resolve().parents[2]  # katalib/base/manifest.py -> the repository
    if is_repository(here):  # an editable install, or katalib/ imported from a checkout
        return here
    from urllib.parse import urlparse  # only here: urllib.request is slow to import
    from urllib.request import url2pathname

    try:  # a regular install: pip's record of where it came from (PEP 610)
        text = metadata.distribution(PROJECT).read_text("direct_url.json") or "{}"
        url = urlparse(json.loads(text).get("url", ""))
    except (metadata.PackageNotFoundError, ValueError, AttributeError):
        return None
    source = Path(url2pathname(url.path)) if url.scheme == "file" else None
    return source if source is not None and is_repository(source) else None


def _find_root() -> Path:
    """The kata repository of the working directory (it or the nearest folder above it that is
    one), else the one this package was installed from: one virtualenv serves several clones."""
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working directory was deleted
        cwd = None
    for folder in (cwd, *cwd.parents) if cwd else ():
        if is_repository(folder):
            return folder
    if INSTALLED_FROM is not None:
        return INSTALLED_FROM
    raise SystemExit("katas.toml not found: run pytest from the kata repository")


INSTALLED_FROM = _installed_from()
ROOT = _find_root()


def elsewhere_note() -> str | None:
    """One line when the repository in use is not the one this package was installed from."""
    if INSTALLED_FROM is None or INSTALLED_FROM == ROOT:
        return None
    return f"katas: using the kata repository {ROOT} (installed from {INSTALLED_FROM})"


TARGETS = ("katas", "solutions")
# What the maintainers' tools say in a students' copy (python -m katalib.grade template).
NO_SOLUTIONS = (
    "this repository has no solutions/: it is the students' copy of the katas (made with "
    "python -m katalib.grade template). Run this in the teacher's full kata repository."
)
# The JUnit XML property naming the explanation rule that spoke for a test (written by the
# plugin, read by katalib.maint.verify for the mistake corpus).
RULE_PROPERTY = "kata_explanation_rule"
# Set by the pytest plugin when a run names some katas only: only their apps are installed.


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
    only = {name for name in os.environ.get(env.ONLY, "").split(",") if name}
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
    value = os.environ.get(env.TARGET, "katas")
    if value not in TARGETS:
        raise SystemExit(f"{env.TARGET} must be one of {TARGETS}, not {value!r}")
    return value
