"""Watch mode: re-run the tests every time you save a file.

    python -m katalib.watch katas/03_on_delete        # re-run one kata's tests on every save
    python -m katalib.watch --poll katas/03_on_delete # where saves go unnoticed (Docker, WSL, network drives)

This is pytest-watcher (``ptw``) with the repository's settings: ``[tool.pytest-watcher]`` in
pyproject.toml (run at once, clear the screen, which files count). Everything after the options
goes to pytest unchanged, e.g. ``-x`` or ``-k reverse``. Press Ctrl+C to stop.

What this wrapper adds to a plain ``ptw .``:

- pytest runs with the Python running this command (``python -m pytest``), so watch mode works
  without activating the virtual environment first;
- ``--poll`` (or ``KATA_WATCH_POLL=1``) swaps watchdog's native observer for its polling one: it
  looks at the files every second instead of waiting for events that Docker bind mounts, WSL
  (``/mnt/c``) and network drives never deliver;
- folders that are never kata code (``.venv``, ``.git``, caches, ``__pycache__``) are neither
  polled (a virtual environment has thousands of files) nor allowed to trigger a run;
- a pattern without a folder, such as ``*.py``, matches in every folder. watchdog 7 matches
  patterns against the whole path, so a bare ``*.py`` would otherwise never match;
- each run is warm (katalib.loop.warm): pytest, Django and Hypothesis stay imported between saves,
  and every run is a fresh fork that reads your files anew. Where that can't serve, the run is
  a cold ``python -m pytest`` and one line says why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest_watcher
from pytest_watcher import watcher
from watchdog.observers.polling import PollingObserverVFS

from katalib.base import env
from katalib.base.manifest import ROOT
from katalib.loop.warm import WarmPytest

POLL_INTERVAL = 1.0  # seconds between two looks at the files in --poll mode
SKIPPED_DIRS = {"__pycache__", "node_modules", "venv", "env", "build", "dist", "htmlcov"}

USAGE = __doc__.split("\n\n", 2)[1]


def skipped_dir(name: str) -> bool:
    """Folders that never hold kata code: hidden ones (.venv, .git, caches) and build output."""
    return name.startswith(".") or name in SKIPPED_DIRS or name.endswith(".egg-info")


def _watched(path: str) -> bool:
    parts = Path(path).parts
    return not any(skipped_dir(part) for part in parts[:-1])


def _scandir(path: str | None) -> Iterator[os.DirEntry]:
    """os.scandir without the skipped folders, so polling never walks into them."""
    with os.scandir(path) as entries:
        for entry in entries:
            if not (skipped_dir(entry.name) and entry.is_dir(follow_symlinks=False)):
                yield entry


class PollingObserver(PollingObserverVFS):
    """watchdog's polling observer, minus the skipped folders."""

    def __init__(self) -> None:
        super().__init__(os.stat, _scandir, polling_interval=POLL_INTERVAL)


class EventHandler(watcher.EventHandler):
    """pytest-watcher's event handler with whole-path patterns and the skipped folders."""

    def __init__(self, trigger, patterns=None, ignore_patterns=None) -> None:
        super().__init__(
            trigger,
            patterns=[_anywhere(p) for p in patterns or ["*.py"]],
            ignore_patterns=[_anywhere(p) for p in ignore_patterns or []],
        )

    def _is_event_watched(self, event) -> bool:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        return any(p and _watched(p) for p in paths) and super()._is_event_watched(event)


def _anywhere(pattern: str) -> str:
    return pattern if "/" in pattern else f"**/{pattern}"


class WarmSubprocess:
    """Stands in for the ``subprocess`` module in pytest-watcher's loop: its pytest runs warm."""

    CalledProcessError = subprocess.CalledProcessError

    def __init__(self, warm: WarmPytest) -> None:
        self.warm = warm

    def run(self, cmd: list[str], check: bool = False, **kwargs) -> subprocess.CompletedProcess:
        if list(cmd[:3]) == [sys.executable, "-m", "pytest"]:
            code = self.warm.run(list(cmd[3:]))
            if code is not None:
                if check and code:
                    raise subprocess.CalledProcessError(code, cmd)
                return subprocess.CompletedProcess(cmd, code)
            print(f"[katas] {self.warm.note}", flush=True)
        return subprocess.run(cmd, check=check, **kwargs)


def polling_requested(args: list[str]) -> bool:
    value = os.environ.get(env.WATCH_POLL, "").strip().lower()
    return "--poll" in args or value not in {"", "0", "false", "no", "off"}


def main(args: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if args is None else args)
    if args and args[0] in {"-h", "--help"}:
        print(USAGE)
        print("Options of pytest-watcher (before the pytest arguments):")
        sys.argv = ["python -m katalib.watch", "--help"]
        return pytest_watcher.run()
    poll = polling_requested(args)
    args = [a for a in args if a != "--poll"]

    # pytest-watcher's own names, replaced on purpose (its API has no hooks for these).
    watcher.EventHandler = EventHandler  # type: ignore[misc]
    if poll:
        watcher.Observer = PollingObserver  # type: ignore[assignment]
        print(f"[katas] polling for changes every {POLL_INTERVAL:g} s (--poll)")
    # The path to watch comes first: pytest-watcher reads [tool.pytest-watcher] from the
    # pyproject.toml in that folder. Options it knows (--now, --delay, ...) still work; the rest
    # goes to pytest, after "-m pytest".
    sys.argv = ["ptw", str(ROOT), "--runner", sys.executable, "-m", "pytest", *args]
    os.chdir(ROOT)
    warm = WarmPytest()
    # pytest-watcher's module global, replaced: its public --runner starts a cold process on every
    # save; warm runs save 70 to 80% of an edit -> verdict (docs/benchmark.md, case p-ptw).
    watcher.subprocess = WarmSubprocess(warm)  # type: ignore[assignment]

    try:
        return pytest_watcher.run()
    finally:
        warm.stop()


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        raise SystemExit(0) from None
