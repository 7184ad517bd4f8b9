"""Where pytest keeps its cache: the progress record (katalib.teach.progress) and the probe's
verdicts (katalib.core) live in it, under ``v/katas/``.

pytest's ``cache_dir`` ini option decides (default ``.pytest_cache``; ``~`` and ``$VARIABLES``
expanded; relative to the rootdir). In a run, pytest's config says it, ``-o cache_dir=...``
included. The ``katas`` command reads the record without a run: from the place a run in this
repository would use, ``-o cache_dir=...`` in pyproject.toml's ``addopts`` or in
``PYTEST_ADDOPTS`` (the last one wins, as in pytest), else pyproject.toml's ``cache_dir``.
A ``-o cache_dir=...`` typed on one pytest command line keeps that run's record apart.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from katalib.base import manifest

if TYPE_CHECKING:  # the katas command never imports pytest
    import pytest

INI = "cache_dir"
DEFAULT = ".pytest_cache"


def folder(config: pytest.Config | None = None, root: Path = manifest.ROOT) -> Path:
    """pytest's cache folder: ``config``'s in a run, else the one a run in ``root`` uses."""
    if config is not None:
        return _resolve(str(config.getini(INI)), config.rootpath)
    table = _pytest_table(root)
    addopts = table.get("addopts", [])
    words = shlex.split(addopts) if isinstance(addopts, str) else [str(w) for w in addopts]
    words += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    value = _override(words)
    if value is None:
        value = str(table.get(INI) or _default())
    return _resolve(value, root)


def path(key: str, config: pytest.Config | None = None, root: Path = manifest.ROOT) -> Path:
    """The file of a cache key (``katas/progress-katas``), where ``config.cache.set`` writes it."""
    return folder(config, root) / "v" / key


def _default() -> str:
    # pytest's own default: under tox, in the tox environment's folder.
    tox = os.environ.get("TOX_ENV_DIR")
    return os.path.join(tox, DEFAULT) if tox else DEFAULT


def _resolve(value: str, root: Path) -> Path:
    # As pytest's cacheprovider resolves the option.
    return root / os.path.expandvars(os.path.expanduser(value))


def _pytest_table(root: Path) -> dict:
    """pyproject.toml's ``[tool.pytest]`` (pytest 9), or its ``[tool.pytest.ini_options]``."""
    try:
        with open(root / "pyproject.toml", "rb") as fh:
            table = manifest.tomllib.load(fh).get("tool", {}).get("pytest", {})
    except (OSError, ValueError):
        return {}
    return table.get("ini_options", table) if isinstance(table, dict) else {}


def _override(words: list[str]) -> str | None:
    """The last ``-o cache_dir=VALUE`` (``-oNAME=V``, ``--override-ini[=]NAME=V``) of
    ``words``."""
    found = None
    for index, word in enumerate(words):
        if word in ("-o", "--override-ini"):
            setting = words[index + 1] if index + 1 < len(words) else ""
        elif word.startswith("--override-ini="):
            setting = word.partition("=")[2]
        elif word.startswith("-o"):
            setting = word[2:]
        else:
            continue
        name, sep, value = setting.partition("=")
        if sep and name.strip() == INI:
            found = value
    return found
