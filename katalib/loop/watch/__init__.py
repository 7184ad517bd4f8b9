"""The watch loop behind ``katas`` (``katas watch [KATA]``): run the current kata, wait for a
save (``observer``) or a key (``keys``: h next hint, l list, r run again, q quit), run it again;
when it turns green, say so and move on to the next kata not solved. Each run is warm
(katalib.loop.warm); what it prints is katalib.loop.screen's.
"""

from __future__ import annotations

import os
import queue
import time

from katalib.base import manifest
from katalib.loop.runner import RunResult, run_kata
from katalib.loop.screen import clear_screen, intro, list_text, status_line
from katalib.loop.warm import WarmPytest
from katalib.loop.watch.keys import Keys
from katalib.loop.watch.observer import start as start_observer
from katalib.teach import hints, progress

KEYS = "h hint · l list · r run again · q quit"


class Watch:
    """The watch loop: run the kata, wait for a save or a key, run again; move on when green."""

    DEBOUNCE = 0.005  # seconds: an editor's save is several file events (write, rename) in <1 ms

    def __init__(self, kata: manifest.Kata, *, named: bool, poll: bool) -> None:
        self.kata = kata
        self.poll = poll
        self.root = manifest.ROOT
        self.changes: queue.Queue[str] = queue.Queue()
        self.result: RunResult | None = None
        # Move on only when a kata *turns* green: a kata you named stays while it was green.
        self.was_solved = named
        self.new_kata = False  # a save switched to another kata: show its introduction
        self.keys_hint = ""
        self.warm = WarmPytest()  # pytest, Django and Hypothesis stay imported between saves
        # A save wakes the loop at once (POSIX): the observer writes a byte to this pipe.
        self.wake_r: int | None = None
        self.wake_w: int | None = None
        if os.name != "nt":
            self.wake_r, self.wake_w = os.pipe()

    def changed(self, path: str) -> None:
        self.changes.put(path)
        if self.wake_w is not None:
            try:
                os.write(self.wake_w, b".")
            except OSError:
                pass

    def run(self) -> int:
        if self.poll:
            print("[katas] polling for changes every 1 s (--poll)")
        observer = start_observer(self.root, self.poll, self.changed)
        keys = Keys()
        try:
            keys.start()
            self.keys_hint = KEYS if keys.active else "(save a file to run again; Ctrl+C stops)"
            self.cycle(new=True)
            return self.loop(keys)
        finally:
            keys.stop()
            observer.stop()
            self.warm.stop()
            for fd in (self.wake_r, self.wake_w):
                if fd is not None:
                    os.close(fd)

    def loop(self, keys: Keys) -> int:
        while True:
            for key in keys.read(0.1, self.wake_r):
                key = key.lower()
                if key in ("q", "\x04"):
                    print("Bye! Run katas again to carry on.")
                    return 0
                if key == "h":
                    self.hint()
                elif key == "l":
                    print(list_text(progress.load_rows()), flush=True)
                elif key in ("r", "\r", "\n"):
                    clear_screen()
                    self.cycle()
            saved = self.saved_files()
            if saved:
                self.switch_to(saved)
                clear_screen()
                self.cycle()

    def saved_files(self) -> list[str]:
        try:
            paths = [self.changes.get_nowait()]
        except queue.Empty:
            return []
        time.sleep(self.DEBOUNCE)
        while True:
            try:
                paths.append(self.changes.get_nowait())
            except queue.Empty:
                return paths

    def switch_to(self, paths: list[str]) -> None:
        """Saving a file of another kata moves the watch there."""
        for path in reversed(paths):
            kata = manifest.kata_at(path, root=self.root)
            if kata is not None:
                if kata != self.kata:
                    self.kata = kata
                    self.was_solved = True  # it was chosen: stay even if already green
                    self.new_kata = True
                return

    def cycle(self, new: bool = False) -> None:
        """Run the kata; when it turns green, say so and run the next one."""
        new = new or self.new_kata
        self.new_kata = False
        while True:
            self.result = result = run_kata(self.kata, warm=self.warm)
            if result.solved and not self.was_solved:
                print(status_line(result))
                following = self.next_kata()
                if following is None:
                    print("Every kata is solved. Your models are connected!")
                    self.was_solved = True
                    print(f"(still watching {self.kata.dir}: {self.keys_hint})", flush=True)
                    return
                print(f"On to the next kata: {following.dir}\n", flush=True)
                self.kata, self.was_solved, new = following, False, True
                continue
            self.was_solved = result.solved
            if new:  # the task the run just found failing first (none when solved)
                print("\n" + intro(self.kata, result.first_task))
            print(status_line(result, self.keys_hint), flush=True)
            return

    def next_kata(self) -> manifest.Kata | None:
        """The first unsolved kata after this one (then from the start)."""
        solved = {row.kata for row in progress.load_rows() if row.solved}
        katas = list(manifest.load())
        index = katas.index(self.kata)
        for kata in katas[index + 1 :] + katas[:index]:
            if kata.dir not in solved:
                return kata
        return None

    def hint(self) -> None:
        result = self.result
        if result is not None and result.solved:
            print(f"Kata {self.kata.dir} is solved: every task passes.", flush=True)
            return
        tasks = result.failing_tasks if result is not None else []
        print("\n" + hints.next_hint(self.kata, tasks), flush=True)
