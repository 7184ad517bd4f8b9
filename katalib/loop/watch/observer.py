"""The watch loop's file observer: watchdog's (or, with ``--poll``, a polling one that looks every
second) calls back with each saved ``.py`` or ``.toml`` file, never for .venv, .git or caches."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def relevant(path: str, root: Path) -> bool:
    """A saved ``.py`` or ``.toml`` file under ``root``, outside the folders never watched."""
    from katalib.loop.ptw import skipped_dir

    try:
        parts = Path(path).resolve().relative_to(root).parts
    except (ValueError, OSError):
        return False
    if not parts or not parts[-1].endswith((".py", ".toml")):
        return False
    return not any(skipped_dir(part) for part in parts[:-1])


def start(root: Path, poll: bool, changed: Callable[[str], None]):
    """watchdog watching ``root`` for saved .py/.toml files, outside .venv, .git and caches."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from katalib.loop.ptw import PollingObserver, skipped_dir

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            # "opened" and "closed_no_write" come from reading (pytest reads every file).
            if event.is_directory or event.event_type not in {
                "created", "modified", "moved", "deleted", "closed"
            }:  # fmt: skip
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                path = os.fsdecode(path) if path else ""
                if path and relevant(path, root):
                    changed(path)

    observer = PollingObserver() if poll else Observer()
    handler = Handler()
    # Top-level files non-recursively, then each folder that can hold code: never .venv.
    observer.schedule(handler, str(root), recursive=False)
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and not skipped_dir(entry.name):
            observer.schedule(handler, str(entry), recursive=True)
    observer.daemon = True
    observer.start()
    return observer
