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
import signal
import sys

from katalib.base import manifest, marks, repo, reset
from katalib.loop.runner import run_kata
from katalib.loop.screen import list_text, status_line, symbols
from katalib.teach import hints, progress

USAGE = "\n\n".join(__doc__.split("\n\n")[1:3])
COMMANDS = ("watch", "list", "hint", "run", "reset", "schema", "dev", "web")


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
    row = progress.current(progress.load_rows())
    return find_kata(row.kata) if row else None


# --- Commands ------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    print(list_text(progress.load_rows()))
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
    row = next((row for row in progress.load_rows() if row.kata == kata.dir), None)
    if row is not None and row.state is marks.State.FAILING:
        tasks = row.failing_tasks
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


def cmd_watch(args: argparse.Namespace) -> int:
    from katalib.loop.ptw import polling_requested
    from katalib.loop.watch import Watch

    if args.kata:
        kata, named = find_kata(args.kata), True
    else:
        row = progress.current(progress.load_rows())
        if row is None:
            print("Every kata is solved. Watch one again with: katas watch <kata>")
            return 0
        kata, named = find_kata(row.kata), False
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
