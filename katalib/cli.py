"""``katas``: the learner's command. pytest stays the engine; this only decides what to run.

    katas                    watch the current kata: re-run it on every save, move on when green
    katas watch [KATA]       the same, starting at KATA (03_on_delete, 03 or katas/03_on_delete)
    katas list               every kata and its status
    katas hint [KATA]        the next hint for the first task that still fails
    katas run [KATA]         run one kata once (exit code: pytest's)
    katas reset KATA         put the kata's files back as they were (your version is kept)
    katas schema [KATA]      draw the kata's tables from your models.py (--target: then the
                             lesson's, and what differs; --sql: the CREATE TABLE statements)
    katas web build DIR      the katas in a browser tab: write the static site to DIR
    katas web serve          build that site and serve it on this machine (katalib/web/build.py)
    katas dev new|check      maintainers: add a kata; check every rule and prove the katas

In watch mode, keys: h next hint · l list · r run again · q quit (Ctrl+C also quits).
--poll (or KATA_WATCH_POLL=1) looks at the files every second, for folders whose saves go
unnoticed (Docker, WSL on /mnt/c, network drives). Also available as python -m katalib.
"""

from __future__ import annotations

import argparse
import io
import os
import queue
import select
import signal
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from katalib.base import manifest, marks, repo, reset
from katalib.loop.runner import RunResult, run_kata
from katalib.loop.warm import WarmPytest
from katalib.teach import hints

KEYS = "h hint · l list · r run again · q quit"
USAGE = "\n\n".join(__doc__.split("\n\n")[1:3])
COMMANDS = ("watch", "list", "hint", "run", "reset", "schema", "dev", "web")


# --- Status of every kata (katalib.teach.progress) -------------------------------------------------


def status_rows() -> list[dict]:
    """Every kata's status: state solved / failing / changed / not run, passed, total, tasks."""
    try:
        from katalib.teach import progress
    except ModuleNotFoundError as exc:  # until katalib.teach.progress exists: nothing is known
        if exc.name != "katalib.teach.progress":
            raise
        return [
            {"kata": k.dir, "title": k.title, "track": k.track, "state": "not run", "passed": 0,
             "total": 0, "failing_tasks": []}
            for k in manifest.load()
        ]  # fmt: skip
    return progress.load_rows("katas")


def current_row(rows: list[dict]) -> dict | None:
    """The first kata not solved on its current files."""
    return next((row for row in rows if row.get("state") != "solved"), None)


def row_of(rows: list[dict], kata: manifest.Kata) -> dict:
    return next((row for row in rows if row.get("kata") == kata.dir), {})


# --- Names ---------------------------------------------------------------------------------------


UnknownKata = repo.UnknownKata


def find_kata(name: str) -> manifest.Kata:
    """A kata by folder name (03_on_delete), number (03, 3), path (katas/03_on_delete) or topic."""
    katas = {k.dir: k for k in manifest.load()}
    return katas[repo.kata_dir(name, list(katas))]


def unknown_kata(name: str) -> int:
    lines = [f"katas: there is no kata {name!r}. The katas are:"]
    lines += [f"  {k.dir:<24} {k.title}" for k in manifest.load()]
    lines.append("Name one by folder, number or path: 03_on_delete, 03 or katas/03_on_delete.")
    print("\n".join(lines), file=sys.stderr)
    return 2


def chosen_or_current(name: str | None) -> manifest.Kata | None:
    if name:
        return find_kata(name)
    row = current_row(status_rows())
    return find_kata(row["kata"]) if row else None


# --- Output --------------------------------------------------------------------------------------


def symbols() -> tuple[str, str]:
    """❌/✅ where the console can print them (cp1252 Windows consoles can't)."""
    return marks.symbols_for(getattr(sys.stdout, "encoding", None))


def status_line(result: RunResult, keys: str = "") -> str:
    bad, good = symbols()
    kata = result.kata.dir
    if result.solved:
        text = f"{good} {kata} solved: {result.passed}/{result.total} tests pass."
    elif result.broken:
        text = (
            f"{bad} {kata}: the tests could not run (pytest exit code {result.returncode}), "
            "see above."
        )
    else:
        text = f"{bad} {kata}: {result.passed}/{result.total} tests pass"
        text += f", task {result.first_task} first." if result.first_task else "."
    return f"{text}  {keys}" if keys else text


def intro(kata: manifest.Kata, task: int | None = 1) -> str:
    """The kata's header: its title, the task to do now (the first that fails), its files."""
    lines = [f"Kata {kata.dir} · {kata.title}"]
    text = hints.task(kata, task) if task else None
    if text:
        lines.append(f"Task {task}: {text}")
    files = ", ".join(kata.files) or "the files its README names"
    lines.append(f"Read {kata.readme} and edit {files}.")
    return "\n".join(lines)


def list_text(rows: list[dict]) -> str:
    state_marks = marks.state_marks(*symbols())  # the same as pytest's progress table
    katas = {k.dir: k for k in manifest.load()}
    here = current_row(rows)
    lines = ["Kata progress (katas/)"]
    for track, heading in (("lesson", "The lesson"), ("bonus", "Bonus katas (beyond the lesson)")):
        track_rows = [r for r in rows if r.get("track", "lesson") == track]
        if track_rows:
            lines.append(heading)
        for row in track_rows:
            mark = state_marks.get(row.get("state") or "", "?")
            title = katas[row["kata"]].title if row["kata"] in katas else row.get("title", "")
            if len(title) > 46:
                title = title[:45] + "…"
            lines.append(f" {_pad(mark, 3)}{row['kata']:<23} {title:<46} {describe(row)}")
    solved = sum(r.get("state") == "solved" for r in rows)
    lines.append(f"{solved} of {len(rows)} katas solved.")
    if here is not None:
        lines.append(f"Current kata: {here['kata']}  (katas watch {here['kata']})")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (❌ and ✅ take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - columns)


def describe(row: dict) -> str:
    state, passed, total = row.get("state"), row.get("passed", 0), row.get("total", 0)
    total_text = total if row.get("total_known", True) else "?"
    if state == "solved":
        return f"solved, {passed}/{total_text} tests"
    if state == marks.NOT_RUN:
        return marks.NOT_RUN_WORDS
    if state == marks.CHANGED:
        return marks.CHANGED_WORDS
    text = f"{passed}/{total_text} tests"
    if state == "failing" and row.get("failing_tasks"):
        text += f", task {min(row['failing_tasks'])} first"
    elif state == "partial":
        text += ", only some ran"
    elif state != "failing":
        text += f" ({state})"
    return text


def clear_screen() -> None:
    if not sys.stdout.isatty() or os.environ.get("TERM") == "dumb":
        return
    if os.name == "nt":  # pragma: no cover - Windows
        os.system("cls")
    else:
        sys.stdout.write("\033[H\033[2J\033[3J")
        sys.stdout.flush()


# --- Commands ------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    print(list_text(status_rows()))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    kata = chosen_or_current(args.kata)
    if kata is None:
        print("Every kata is solved. Run one again with: katas run <kata>")
        return 0
    result = run_kata(kata, extra=tuple(args.pytest_args))
    print(status_line(result))
    if not result.solved and not result.broken:
        print(f"A hint: katas hint {kata.dir}   Watch and re-run on save: katas watch {kata.dir}")
    return result.returncode


def cmd_hint(args: argparse.Namespace) -> int:
    kata = chosen_or_current(args.kata)
    if kata is None:
        print("Every kata is solved: no hints needed. Name one to see its hints: katas hint 03")
        return 0
    row = row_of(status_rows(), kata)
    if row.get("state") == "failing":
        tasks = row.get("failing_tasks") or []
    else:  # not run, or changed since: find out which task fails first
        print(f"(running {kata.dir} to see which task fails first...)", flush=True)
        result = run_kata(kata, quiet=True)
        if result.solved:
            print(f"Kata {kata.dir} is solved: every task passes. All its hints: "
                  f"katas/{kata.dir}/HINTS.md")  # fmt: skip
            return 0
        tasks = result.failing_tasks
    print(hints.next_hint(kata, tasks))
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    kata = find_kata(args.kata)
    changes = reset.plan(kata)
    if not changes:
        print(f"Kata {kata.dir} is already as it was shipped: nothing to reset.")
        return 0
    print(f"Reset kata {kata.dir} to its original files? These change:")
    for change in changes:
        print(f"  {change.rel}" + ("  (missing)" if change.current is None else ""))
    print(f"Your version will be kept, {reset.storage(kata, changes)}.")
    if not args.yes and not confirm("Reset? [y/N] "):
        print("Nothing changed.")
        return 1
    saved = reset.save(kata, changes)
    reset.apply(changes)
    print(f"Kata {kata.dir} is back to its original files.")
    if saved.how == "stash":
        print(f'Your version is in the git stash: {saved.where} "katas reset {kata.dir}"'
              " (git stash list shows it).")  # fmt: skip
    elif saved.how == "commit":
        print(f"Your version is in commit {saved.where} (nothing new to stash: the files were "
              "committed and unchanged).")  # fmt: skip
    elif saved.how == "backup":
        print(f"Your version is saved in {saved.where}/ ({saved.note}).")
    if saved.restore:
        print(f"To get it back: {saved.restore}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from katalib.loop import draw as command  # Django is set up only for this command

    kata = chosen_or_current(args.kata)
    if kata is None:
        print("Every kata is solved. Draw the tables of one with: katas schema <kata>")
        return 0
    bad, _ = symbols()
    # Box drawing where the console can print ❌ and ✅, plain ASCII where it can't.
    return command.show(kata, target=args.target, sql=args.sql, ascii=bad != marks.BAD, bad=bad)


def confirm(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        print("\n(no answer: use --yes to reset without the question)")
        return False
    return answer.strip().lower() in {"y", "yes"}


# --- Watch mode ----------------------------------------------------------------------------------


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


def _relevant(path: str, root: Path) -> bool:
    from katalib.loop.ptw import skipped_dir

    try:
        parts = Path(path).resolve().relative_to(root).parts
    except (ValueError, OSError):
        return False
    if not parts or not parts[-1].endswith((".py", ".toml")):
        return False
    return not any(skipped_dir(part) for part in parts[:-1])


def start_observer(root: Path, poll: bool, changed: Callable[[str], None]):
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
                if path and _relevant(path, root):
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
                    print(list_text(status_rows()), flush=True)
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
        rows = {row["kata"]: row for row in status_rows()}
        katas = list(manifest.load())
        index = katas.index(self.kata)
        for kata in katas[index + 1 :] + katas[:index]:
            if rows.get(kata.dir, {}).get("state") != "solved":
                return kata
        return None

    def hint(self) -> None:
        result = self.result
        if result is not None and result.solved:
            print(f"Kata {self.kata.dir} is solved: every task passes.", flush=True)
            return
        tasks = result.failing_tasks if result is not None else []
        print("\n" + hints.next_hint(self.kata, tasks), flush=True)


def cmd_watch(args: argparse.Namespace) -> int:
    from katalib.loop.ptw import polling_requested

    if args.kata:
        kata, named = find_kata(args.kata), True
    else:
        row = current_row(status_rows())
        if row is None:
            print("Every kata is solved. Watch one again with: katas watch <kata>")
            return 0
        kata, named = find_kata(row["kata"]), False
    poll = polling_requested(["--poll"] if args.poll else [])
    return Watch(kata, named=named, poll=poll).run()


# --- Entry point ---------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="katas",
        description="Django relationship katas: run, watch and get hints. pytest does the testing.",
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    kata_help = "a kata: 03_on_delete, 03 or katas/03_on_delete (default: the current one)"

    watch = commands.add_parser("watch", help="run the current kata on every save (the default)")
    watch.add_argument("kata", nargs="?", help=kata_help)
    watch.add_argument("--poll", action="store_true",
                       help="look at the files every second (Docker, WSL, network drives)")  # fmt: skip
    watch.set_defaults(handler=cmd_watch)

    listing = commands.add_parser("list", help="every kata and its status")
    listing.set_defaults(handler=cmd_list)

    hint = commands.add_parser("hint", help="the next hint for the first failing task")
    hint.add_argument("kata", nargs="?", help=kata_help)
    hint.set_defaults(handler=cmd_hint)

    run = commands.add_parser("run", help="run one kata once (exit code: pytest's)")
    run.add_argument("kata", nargs="?", help=kata_help)
    run.add_argument("pytest_args", nargs=argparse.REMAINDER,
                     help="more pytest options, after the kata: katas run 03 -x")  # fmt: skip
    run.set_defaults(handler=cmd_run)

    again = commands.add_parser("reset", help="put a kata's files back as shipped")
    again.add_argument("kata", help="the kata: 03_on_delete, 03 or katas/03_on_delete")
    again.add_argument("--yes", "-y", action="store_true", help="don't ask first")
    again.set_defaults(handler=cmd_reset)

    schema = commands.add_parser(
        "schema", help="draw the kata's tables, columns and links from your models.py"
    )
    schema.add_argument("kata", nargs="?", help=kata_help)
    schema.add_argument("--target", action="store_true",
                        help="also draw the lesson's tables (solutions/) and say what differs")  # fmt: skip
    schema.add_argument("--sql", action="store_true",
                        help="print the CREATE TABLE statements Django would run instead")  # fmt: skip
    schema.set_defaults(handler=cmd_schema)

    from katalib.maint import dev  # maintainers: katas dev new / check / readme

    maintain = commands.add_parser("dev", help="maintainers: add a kata, check the repository")
    dev.add_arguments(maintain)
    maintain.set_defaults(handler=dev.run)

    from katalib.web import (
        build as web,  # katas web build / serve: the katas in a browser tab (web/)
    )

    web.add_commands(commands)
    return top


def _with_default_command(argv: list[str]) -> list[str]:
    """``katas`` alone (or ``katas --poll``, ``katas 03``) means ``katas watch ...``."""
    if not argv or argv[0] in ("-h", "--help"):
        return ["watch", *argv] if not argv else argv
    if argv[0] in COMMANDS:
        return argv
    if argv[0].startswith("-"):
        return ["watch", *argv]
    try:
        find_kata(argv[0])
    except UnknownKata:
        return argv  # argparse says which commands exist
    return ["watch", *argv]


def _stop_on_sigterm() -> None:
    def stop(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # pragma: no cover - not the main thread
        pass


def main(argv: list[str] | None = None) -> int:
    argv = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    args = parser().parse_args(argv)
    try:
        if isinstance(sys.stdout, io.TextIOWrapper):  # not a replaced stdout
            sys.stdout.reconfigure(line_buffering=True)
    except (AttributeError, ValueError):  # pragma: no cover - replaced stdout
        pass
    _stop_on_sigterm()
    note = manifest.elsewhere_note()  # the working directory's clone, not the installed one
    if note:
        print(note, file=sys.stderr, flush=True)
    try:
        return args.handler(args)
    except UnknownKata as exc:
        return unknown_kata(str(exc))
    except KeyboardInterrupt:
        print("\nStopped.")
        return 0 if args.command == "watch" else 130
    except BrokenPipeError:  # katas list | head: the reader is gone, nothing more to say
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes it at exit
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
