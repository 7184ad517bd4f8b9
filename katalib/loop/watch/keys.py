"""The watch loop's keys: single key presses from the terminal, read without Enter (cbreak mode
on POSIX, msvcrt on Windows), and the wake-up pipe a saved file writes to."""

from __future__ import annotations

import os
import select
import sys
import time
from typing import Any


class Keys:
    """Single key presses from the terminal, without Enter; nothing when stdin is no terminal."""

    def __init__(self) -> None:
        self.active = False
        self._saved: list[Any] | None = None  # termios.tcgetattr's settings, to restore

    def start(self) -> None:
        try:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        except (AttributeError, ValueError):
            interactive = False
        if not interactive:
            return
        if os.name == "nt":  # pragma: no cover - Windows
            self.active = True
            return
        import termios
        import tty

        try:
            fd = sys.stdin.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
            self.active = True
        except (termios.error, OSError):
            self._saved = None

    def stop(self) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout: float, wake: int | None = None) -> str:
        """The keys pressed, waiting at most ``timeout`` seconds for one, or until a byte
        arrives on the ``wake`` pipe (a file was saved)."""
        if os.name != "nt" and wake is not None:
            waiting = [wake, *([sys.stdin] if self.active else [])]
            ready, _, _ = select.select(waiting, [], [], timeout)
            if wake in ready:
                os.read(wake, 4096)
            if not (self.active and sys.stdin in ready):
                return ""
            data = os.read(sys.stdin.fileno(), 64)
            return data.decode("utf-8", "ignore") if data else "q"  # end of input: quit
        if not self.active:
            time.sleep(timeout)
            return ""
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            end = time.monotonic() + timeout
            while not msvcrt.kbhit() and time.monotonic() < end:
                time.sleep(0.02)
            keys = ""
            while msvcrt.kbhit():
                keys += msvcrt.getwch()
            return keys
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
        if not ready:
            return ""
        data = os.read(sys.stdin.fileno(), 64)
        return data.decode("utf-8", "ignore") if data else "q"  # end of input: quit
