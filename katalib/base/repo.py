"""Facts about a kata repository's files: what the harness is, and how a kata is named.

The one owner of these lists: the checksums, the warm server, the browser build, the grader,
the verification, the harness tests and the benchmark each pick a named set from here. No
import of other katalib modules (tools/bench.py and tests/scratch.py read it without a
repository set up).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

PACKAGE = "katalib"  # the harness's Python package
# The harness's layers, lowest first: a module imports its own layer and the ones before it,
# never one after it. Above them all, at the package's top: the ``katas`` command (cli.py) and
# the ``python -m katalib.X`` commands kept by their documented names.
LAYERS = ("base", "teach", "core", "loop", "maint", "grade", "web")
ORIGINALS = f"{PACKAGE}/originals.json"  # the text every editable file starts from
# The configuration a pytest run reads at the repository's top.
CONFIG = ("conftest.py", "settings.py", "pyproject.toml", "katas.toml")
TREES = ("katas", "solutions")  # the learner's stubs and the reference solutions

# The harness as top-level names, to copy whole (a folder with everything under it).
HARNESS = (PACKAGE, *CONFIG)
# The harness file by file, as recursive glob patterns (a subpackage of katalib/ is included;
# *.tmpl: the files katas dev new fills in, katalib/maint/dev/templates/).
HARNESS_FILES = (f"{PACKAGE}/**/*.py", f"{PACKAGE}/**/*.tmpl", ORIGINALS, *CONFIG)
# Files of katalib/ that no kata run reads: the audit events the grader allows (katalib.grade.guard).
GRADING_ONLY = (f"{PACKAGE}/grade/guard_events.json",)
# What decides whether a warm pytest server is still current: the harness's code and config.
HARNESS_SOURCES = tuple(p for p in HARNESS_FILES if p != ORIGINALS)
# The files a learner never needs to edit, whose changes could make a kata "pass" unsolved
# (test-checksums.sha256, katalib.base.checksums): the tests and the harness but pyproject.toml.
CHECKSUMMED = (
    "katas/*/test_*.py",
    "katas/**/conftest.py",
    *(p for p in HARNESS_FILES if p != "pyproject.toml"),
)


class UnknownKata(LookupError):
    """A kata name (folder, number, path or topic) that names no kata."""


def kata_dir(name: str, dirs: Sequence[str]) -> str:
    """The kata folder of ``dirs`` that ``name`` names; raises UnknownKata.

    ``name`` is a folder (``03_on_delete``), a number (``03``, ``3``), a path with the folder
    somewhere in it (``katas/03_on_delete/models.py``) or the topic after the number
    (``on_delete``). Each form must name exactly one folder.
    """
    parts = [p for p in name.strip().replace("\\", "/").split("/") if p not in ("", ".")]
    for part in parts:  # a path names the kata folder somewhere in it
        if part in dirs:
            return part
    last = parts[-1] if parts else ""
    if last.isdigit():
        matches = [d for d in dirs if _number(d) == int(last)]
    else:
        matches = [d for d in dirs if "_" in d and d.split("_", 1)[1] == last]
    if len(matches) != 1:
        raise UnknownKata(name)
    return matches[0]


def kata_dirs(names: Iterable[str], dirs: Sequence[str]) -> list[str]:
    """``kata_dir`` of each name, without repeats, in the order given."""
    return list(dict.fromkeys(kata_dir(name, dirs) for name in names))


def _number(folder: str) -> int | None:
    head = folder.split("_", 1)[0]
    return int(head) if head.isdigit() else None
