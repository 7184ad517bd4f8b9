"""Scratch copies of the repository for the harness tests: what a learner has after cloning.

Tests that run pytest, the katas command or the checks the way a learner or a maintainer
would, do it in a copy under tmp_path, so they never touch (or depend on) the working tree's
own progress record, caches or work in progress.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The harness, both trees and the configuration: enough to run every kata.
PARTS = ["katalib", "katas", "solutions", "katas.toml", "conftest.py", "settings.py"]
PARTS += ["pyproject.toml"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "kata-results.json")


HARNESS = ["katalib", "conftest.py", "settings.py", "pyproject.toml"]


def harness_repo(folder: Path) -> Path:
    """The harness only, with empty katas/ and solutions/ packages, for synthetic katas."""
    copy_repo(folder, HARNESS)
    for tree in ["katas", "solutions"]:
        (folder / tree).mkdir()
        (folder / tree / "__init__.py").write_text("")
    return folder


def copy_repo(folder: Path, parts: list[str] = PARTS) -> Path:
    """Copy ``parts`` of the repository into ``folder`` (created); return ``folder``."""
    folder.mkdir(parents=True)
    for name in parts:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=IGNORED)
        else:
            shutil.copy2(source, folder / name)
    return folder
