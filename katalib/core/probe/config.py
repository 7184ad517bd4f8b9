"""The probe's settings: the time limit, the mode, where verdicts are kept.

Environment variables, or the ini options registered in ``conftest.py``:

- ``KATA_IMPORT_TIMEOUT`` / ``kata_import_timeout``: seconds a kata file may take to load
  (default 10);
- ``KATA_PROBE=0``: no child process (broken files are then caught in-process only, as far as
  that is possible); ``KATA_PROBE=spawn``: a fresh Python even where ``fork()`` exists;
  ``KATA_PROBE=retry``: the warm runner's children (see ``mode``);
- ``KATA_PROBE_LOG=<file>``: append one line per run to that file (``katalib.core.probe.parent``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TypedDict

from katalib.base import cache, env, manifest

DEFAULT_TIMEOUT = 10.0
TIMEOUT_INI = "kata_import_timeout"


class _Options(TypedDict, total=False):
    timeout: str  # the ini option's text
    cache: bool  # False under -p no:cacheprovider
    cache_dir: Path


_options: _Options = {}


def configure(config, parser=None) -> None:
    """Take the time limit and the cache's place from pytest's config (optional).

    For ``katalib.core.plugin``'s ``pytest_load_initial_conftests(early_config, parser, args)``,
    before Django is set up; ``parser`` registers the ini option early enough to be read here
    (``-o kata_import_timeout=...`` included). Without this call: the environment and
    ``[tool.pytest]`` in pyproject.toml; ``-p no:cacheprovider`` read from the command line.
    """
    if parser is not None:
        add_ini(parser)  # conftest.py registers it too, later: the same option, harmless
    with contextlib.suppress(ValueError, KeyError):  # the ini option isn't registered
        value = config.getini(TIMEOUT_INI)
        if value not in (None, ""):
            _options["timeout"] = value
    _options["cache"] = not config.pluginmanager.is_blocked("cacheprovider")
    with contextlib.suppress(ValueError, KeyError):
        _options["cache_dir"] = cache.folder(config)


def add_ini(parser) -> None:
    parser.addini(
        TIMEOUT_INI,
        f"seconds a kata file may take to load before its kata is marked broken "
        f"(default {DEFAULT_TIMEOUT:g}; the {env.IMPORT_TIMEOUT} environment variable wins)",
        default="",
    )


def timeout() -> float:
    """Seconds each kata file may take to load."""
    for value in (
        os.environ.get(env.IMPORT_TIMEOUT),
        _options.get("timeout"),
        _pyproject_timeout(),
    ):
        if value in (None, ""):
            continue
        try:
            if not isinstance(value, (str, int, float)):  # pyproject.toml: a list, a table...
                raise TypeError(value)
            seconds = float(value)
        except (TypeError, ValueError):
            raise SystemExit(
                f"{env.IMPORT_TIMEOUT} must be a number of seconds, not {value!r}"
            ) from None
        if seconds > 0:
            return seconds
    return DEFAULT_TIMEOUT


def _pyproject_timeout() -> object:
    path = manifest.ROOT / "pyproject.toml"
    try:
        with open(path, "rb") as fh:
            tool = manifest.tomllib.load(fh).get("tool", {})
    except (OSError, ValueError):
        return None
    pytest_table = tool.get("pytest", {})
    return pytest_table.get(TIMEOUT_INI, pytest_table.get("ini_options", {}).get(TIMEOUT_INI))


def mode() -> str:
    """``fork`` (POSIX), ``spawn`` (a fresh ``python -m katalib.core.probe``; Windows), ``retry``
    or ``off``.

    ``KATA_PROBE=0`` turns the probe off; ``KATA_PROBE=spawn`` uses a fresh process even where
    ``fork()`` exists (the harness tests run both ways). ``KATA_PROBE=retry`` is how the warm
    runner's children run (katalib.loop.warm): no probe child, the kata files load in this process,
    and one that would end, hang or interrupt the run ends this process at once instead
    (``retry_with_probe``), with no verdict; the warm server then runs the same request again
    with the probe. Verdicts cached by content hash are used as always.
    """
    value = os.environ.get(env.PROBE, "").strip().lower()
    if value in {"0", "no", "false", "off"}:
        return "off"
    if sys.platform in {"emscripten", "wasi"}:
        # WebAssembly (Pyodide): os.fork exists but fails (ENOSYS) and no process can start.
        return "off"
    if value == "spawn" or not hasattr(os, "fork") or sys.platform == "win32":
        return "spawn"
    if value == "retry":
        return "retry"
    return "fork"


# The exit code of a retry-mode run that met a kata file it cannot survive (katalib.loop.warm runs
# it again with the probe). A hang in retry mode ends the run sooner than the probe's limit.
RETRY_EXIT = 85
RETRY_HANG = 2.0


def cache_file(tree: str) -> Path | None:
    """Where the verdicts of ``tree`` are kept: in pytest's cache, unless it is off."""
    use = _options.get("cache")
    if use is None:  # not told by pytest: read the command line the way pytest will
        words = [*sys.argv, *os.environ.get("PYTEST_ADDOPTS", "").split()]
        use = not any(
            w in ("no:cacheprovider", "-pno:cacheprovider") or w.endswith("=no:cacheprovider")
            for w in words
        )
    if not use:
        return None
    cache_dir = _options.get("cache_dir") or cache.folder()  # katalib.base.cache decides
    return cache_dir / "v" / "katas" / f"probe-{tree}"
