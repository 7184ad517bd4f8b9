"""The probe's verdicts: what loading a kata file did, and what the learner reads about it.

A verdict is a JSON object (the child writes it, the cache keeps it): ``{"verdict": "ok"}``,
``{"verdict": "error", "type": ...}`` (an ordinary exception: pytest reports it itself), or
``{"verdict": "fatal", "kind": ..., "where": ...}`` for a file that would end, hang or interrupt
the run, with ``kind`` one of ``sys_exit``, ``os_exit``, ``interrupt``, ``hang``, ``crash`` and
``base`` (any other BaseException). ``broken()`` turns a fatal one into the kata's ``KataBroken``.
"""

from __future__ import annotations

import contextlib
import linecache
import re
import signal
import traceback
from pathlib import Path

from katalib.base import env, places
from katalib.core.probe.config import TIMEOUT_INI, timeout


class KataBroken(Exception):
    """A kata that can't run, with everything the learner needs to fix it.

    ``katalib.core.loader.broken_kata_message`` prints: ``Kata <dir> is broken: <problem>.``, then
    ``at <where>``, the ``summary`` line, and the ❌/✅ ``explanation``.
    """

    def __init__(
        self,
        *,
        file: str,
        problem: str,
        summary: str,
        explanation: str,
        where: str = "",
        rule: str | None = None,
    ) -> None:
        super().__init__(summary)
        self.file = file
        self.problem = problem
        self.summary = summary
        self.explanation = explanation
        self.where = where
        self.rule = rule  # the name of what explained it (the mistake corpus checks it)


# --- What the learner reads -------------------------------------------------------------------


def broken(file: str, data: dict) -> KataBroken:
    """A ``KataBroken`` from a verdict (the child's, the cache's or this process's)."""
    from katalib.teach.explain import render

    kind = data.get("kind")
    where = data.get("where", "")
    top_level = (
        "Code at the top level of a kata file runs when the tests load the file, before any "
        "test starts."
    )
    move = 'or move it into a function (or under if __name__ == "__main__":)'
    if kind == "sys_exit":
        code = data.get("text", "")
        summary = f"SystemExit: {code}" if code else "SystemExit"
        text = render(
            f"SystemExit: {file} asks Python to stop while it loads.",
            f"{top_level} sys.exit(), exit() and quit() there would end the whole test run, so "
            "this kata is switched off instead.",
            f"remove that call, {move}, so it runs only when called.",
        )
    elif kind == "os_exit":
        summary = f"os._exit({data.get('code')}) ended Python"
        text = render(
            f"os._exit({data.get('code')}) in {file} ends Python at once while the file loads.",
            f"{top_level} os._exit() skips every clean-up and report: the whole test run would "
            "stop without a word. The file was loaded in a separate process first, so only this "
            "kata is switched off.",
            f"remove that call, {move}, so it runs only when called.",
        )
    elif kind == "interrupt":
        summary = "KeyboardInterrupt"
        text = render(
            f"KeyboardInterrupt raised while {file} loads.",
            "KeyboardInterrupt is what Ctrl+C raises to stop a program: raised by a kata file, it "
            "would stop the whole test run.",
            "remove the raise; to signal an error, raise an ordinary exception such as ValueError.",
        )
    elif kind == "hang":
        seconds = float(data.get("seconds") or timeout())
        summary = f"TimeoutError: {file} was still loading after {seconds:g} s"
        text = render(
            f"{file} did not finish loading within {seconds:g} s.",
            f"{top_level} A loop that never ends (while True: ...) or a long wait there would "
            "hold up every kata"
            + (", and the line shown is where it was when time ran out." if where else "."),
            f"end the loop, {move}. If the file is only slow to load, raise the limit: "
            f'{env.IMPORT_TIMEOUT}=60 pytest (or {TIMEOUT_INI} = "60" under [tool.pytest]).',
        )
    elif kind == "crash":
        detail = data.get("detail", "")
        summary = f"Python crashed: {detail}"
        text = render(
            f"Python crashed while {file} loads ({detail}).",
            "The file was loaded in a separate process first, so only this kata is switched "
            "off; in the test run it would have ended every kata.",
            "look at the line shown (ctypes, os.kill, signal, a recursion deep in C code...) and "
            "remove what ends the process.",
        )
    else:  # "base": any other BaseException that isn't an Exception
        name, message = data.get("type", "BaseException"), data.get("text", "")
        summary = f"{name}: {message}" if message else name
        text = render(
            f"{summary} raised while {file} loads.",
            f"{name} is not an ordinary error (it does not derive from Exception): like Ctrl+C "
            "or sys.exit() it would stop the whole test run.",
            "remove it; raise an ordinary exception (ValueError, RuntimeError...) if you mean "
            "an error.",
        )
    return KataBroken(
        file=file,
        problem=f"{file} does not load",
        summary=summary,
        explanation=text,
        where=where,
        rule=f"file ends the run while it loads: {kind or 'base'}",
    )


def describe(exc: BaseException, tree: Path) -> dict:
    """A verdict for a BaseException that is not an Exception (SystemExit, KeyboardInterrupt...)."""
    frames = [(f.filename, f.lineno, f.line or "") for f in traceback.extract_tb(exc.__traceback__)]
    where = places.of_frames(frames, tree)
    if isinstance(exc, SystemExit):
        code = exc.code
        return {"verdict": "fatal", "kind": "sys_exit", "where": where,
                "text": "" if code is None else str(code)}  # fmt: skip
    if isinstance(exc, KeyboardInterrupt):
        return {"verdict": "fatal", "kind": "interrupt", "where": where}
    return {"verdict": "fatal", "kind": "base", "where": where, "type": type(exc).__name__,
            "text": str(exc)}  # fmt: skip


# --- A child that ended in the middle of a file ---------------------------------------------------


def of_ended_child(
    tree: Path, limit: float, returncode: int, os_exit: dict | None, faults: str, killed: bool
) -> dict:
    """The verdict of the file a child was loading when it ended: ``os._exit()`` (the child's
    spy reported it), a hang (killed, or faulthandler's time-out) or a crash."""
    frames = fault_frames(faults)
    if os_exit is not None:
        return {"verdict": "fatal", "kind": "os_exit", "code": os_exit["code"],
                "where": os_exit["where"]}  # fmt: skip
    if killed or faults.lstrip().startswith("Timeout ("):
        return {"verdict": "fatal", "kind": "hang", "seconds": limit,
                "where": places.of_frames(frames, tree)}  # fmt: skip
    fatal = re.search(r"(?:Fatal Python error|Windows fatal exception): (.+)", faults)
    detail = fatal.group(1).strip() if fatal else exit_status(returncode)
    return {"verdict": "fatal", "kind": "crash", "detail": detail,
            "where": places.of_frames(frames, tree)}  # fmt: skip


def exit_status(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by signal {signal.Signals(-returncode).name}"
        return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def fault_frames(text: str) -> list[tuple[str, int, str]]:
    """Frames of faulthandler's first thread dump, outermost first (it prints innermost first)."""
    frames: list[tuple[str, int, str]] = []
    for line in text.splitlines():
        if frames and not line.strip():
            break  # the next thread
        match = re.match(r'\s+File "(.+)", line (\d+) in ', line)
        if match:
            path, lineno = match.group(1), int(match.group(2))
            frames.append((path, lineno, linecache.getline(path, lineno)))
    return frames[::-1]
