"""A kata file that pytest imports itself (its verdict was "may load"): what it raised, and whose.

``loading()`` goes around the import (``katalib.core.apps`` for ``models.py``,
``katalib.core.loader`` for the other files) and ``kata_error()`` turns what it raised into the
kata's error. Two questions are answered here:

- Ctrl+C, or a KeyboardInterrupt raised by kata code? Only a real SIGINT stops the run
  (``ctrl_c_watch``); a raised one fails its kata like any ``BaseException`` that is not an
  ``Exception`` (``from_exception``: a ``KataBroken`` with the same story as the child's).
- In retry mode (the warm runner's children, ``config.mode``) a file that ends, interrupts or
  hangs this process ends it for a retry with the probe (``retry_with_probe``, ``import_guard``).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import threading
from collections.abc import Iterator
from types import SimpleNamespace

from katalib.base import manifest
from katalib.core.probe.config import RETRY_EXIT, RETRY_HANG, mode, timeout
from katalib.core.probe.verdicts import KataBroken, broken, describe


def retry_with_probe() -> None:
    """In retry mode: end this run now, without a verdict (see ``mode``). Otherwise nothing."""
    if mode() == "retry":
        os._exit(RETRY_EXIT)


@contextlib.contextmanager
def import_guard() -> Iterator[None]:
    """Around a kata file's import in this process: in retry mode, a file still loading after
    ``RETRY_HANG`` seconds (or the import limit, if lower) ends the run for a retry."""
    if mode() != "retry":
        yield
        return
    with open(os.devnull, "w", encoding="utf-8") as null:
        faulthandler.dump_traceback_later(min(timeout(), RETRY_HANG), exit=True, file=null)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()


def from_exception(exc: BaseException, kata: manifest.Kata, file: str) -> KataBroken:
    """The ``KataBroken`` for a SystemExit, KeyboardInterrupt... raised in this process."""
    return broken(file, describe(exc, kata.folder()))


@contextlib.contextmanager
def ctrl_c_watch() -> Iterator[SimpleNamespace]:
    """``state.pressed`` tells whether SIGINT arrived while the block ran.

    A KeyboardInterrupt raised while importing a kata file is the learner's Ctrl+C only if
    SIGINT came in; otherwise the file raised it, and only its kata should fail.
    """
    state = SimpleNamespace(pressed=False)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # ignored, default, or not ours to change: nothing to watch
        yield state
        return

    def watch(signum, frame):
        state.pressed = True
        previous(signum, frame)

    signal.signal(signal.SIGINT, watch)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def loading() -> Iterator[SimpleNamespace]:
    """Around this process's import of a kata file: ``ctrl_c_watch`` and ``import_guard``.
    Hand what the import raised to ``kata_error`` with the state it yields."""
    with ctrl_c_watch() as ctrl_c, import_guard():
        yield ctrl_c


def kata_error(
    exc: BaseException, ctrl_c: SimpleNamespace, kata: manifest.Kata, file: str
) -> BaseException:
    """What importing ``file`` of ``kata`` raised, as that kata's error.

    Ctrl+C and pytest's own failures go through (``reraise_if_run_control``); in retry mode an
    exit or interrupt ends the run for a retry (``retry_with_probe``); any other exception that
    is not an ``Exception`` becomes a ``KataBroken`` (``from_exception``).
    """
    reraise_if_run_control(exc, ctrl_c)
    if isinstance(exc, Exception):
        return exc
    retry_with_probe()
    return from_exception(exc, kata, file)


def reraise_if_run_control(exc: BaseException, ctrl_c: SimpleNamespace) -> None:
    """Let through what is not the kata's fault: Ctrl+C, and pytest's own test failure (the
    pytest-timeout of a test that imports a kata module)."""
    import pytest

    if isinstance(exc, KeyboardInterrupt) and ctrl_c.pressed:
        raise exc
    if isinstance(exc, pytest.fail.Exception):
        raise exc
