"""A whole-process audit hook for the grading run: refuse what an honest run never does.

The grader (``katalib.grade.grader``) runs the learner's kata files inside pytest, so code in a kata
file can do anything that process can. This module is loaded first in that run, as a pytest
plugin (``-p kata_guard``: a copy that ``katalib.grade.jail`` puts beside the run), before
pytest-django's ``django.setup()`` imports any kata's models, and installs a PEP 578 audit
hook (``sys.addaudithook``) when ``KATA_GUARD`` is set.
A hook cannot be removed from Python, and it sees every audited event of every thread — the
decision never depends on whether a kata frame is on the stack (a thread or a callback has
none), only on *what* happens:

- Until the first kata file runs (its code is executed: the ``exec`` event of a ``.py`` file
  under ``katas/`` other than the tests, ``conftest.py`` and ``__init__.py``), only the
  upstream's code ran: nothing is refused. This is when the import probe forks
  (``katalib.core.probe``).
- From then on, every event is turned into a key: the event name; for a few events a detail
  (which attribute of what kind of object ``object.__setattr__``/``__getattr__`` touches,
  whether ``open`` and the file-changing ``os.*``/``shutil.*`` events touch a path outside the
  copy's scratch folder: ``:outside``, whether ``gc.get_referrers`` is asked about a plain
  ``Random``); and for the sensitive events (``QUALIFIED``) where the code that raised them
  lives: ``@kata``, ``@stdlib``, ``@django``, ``@hypothesis``, ``@_pytest``... (the frame that
  raised it, never a walk of the stack). The key is looked up in ``guard_events.json``: the keys
  that honest grading runs of every kata raised (solutions, ``ok_`` and ``wrong_`` variants,
  untouched stubs), recorded with ``python -m katalib.grade.record`` on each platform.
- A key not on that list is refused: the hook writes one line (the key, and the kata file and
  line of the innermost kata frame of that thread, when there is one) to the file named by
  ``KATA_GUARD_REPORT``, then ends the process with exit code ``EXIT`` (87). Ending it, rather
  than raising, means nothing the kata does afterwards (catching the exception, closing or
  redirecting the report file) can turn a refusal back into a run; the grader reads the report
  (or, without one, the exit code) and flags the copy: no kata of that run counts.

What that refuses, as recorded: ``gc.get_objects``, ``gc.get_referrers`` (but Hypothesis's own
call about its ``Random``), a kata file's own code writing a function's
``__code__``/``__defaults__``, setting a class's ``__bases__`` or an object's ``__class__``,
compiling or executing code; from any code: subprocesses and forks, sockets, ``ctypes``, new audit hooks, files written,
renamed or deleted outside the scratch folder, and every other event no honest run raised.
What it cannot see (no audit event exists): ordinary attribute writes on modules, classes and
instances, reading frames (``sys._getframe`` is raised by Django, pytest and typing, so it is
allowed), reading ``sys.modules`` or ``os.environ``, starting threads; nor what a kata reaches
through library code that honest runs use too. The grader's canaries answer those.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import FrameType
from typing import Any

MODE_ENV = "KATA_GUARD"  # "enforce" or "record"; unset: this module does nothing
REPORT_ENV = "KATA_GUARD_REPORT"  # refusals (enforce) or the keys seen (record), one a line
WRITABLE_ENV = "KATA_GUARD_WRITABLE"  # folders a run may change (os.pathsep); default: cwd
# The run's verdict files (os.pathsep), e.g. the JUnit XML: each may be opened for writing once
# (pytest's own write at the end of the session); nothing else may change them or their folder.
SEALED_ENV = "KATA_GUARD_SEALED"
EXIT = 87  # the exit code of a run the guard ended
EVENTS_FILE = Path(__file__).with_name("guard_events.json")

# Events whose path arguments (by position) are changed: their key gets ":outside" when one of
# them is outside the writable folders. ``open`` counts only when it opens for writing.
CHANGES_PATHS = {
    "open": (0,), "os.remove": (0,), "os.rename": (0, 1), "os.rmdir": (0,), "os.mkdir": (0,),
    "os.chmod": (0,), "os.chown": (0,), "os.truncate": (0,), "os.symlink": (0, 1),
    "os.link": (0, 1), "os.utime": (0,), "os.chflags": (0,), "os.lchflags": (0,),
    "os.lchmod": (0,), "os.setxattr": (0,), "os.removexattr": (0,), "shutil.rmtree": (0,),
    "shutil.copyfile": (1,), "shutil.copymode": (1,), "shutil.copystat": (1,),
    "shutil.copytree": (1,), "shutil.move": (0, 1), "shutil.chown": (0,),
    "shutil.unpack_archive": (1,), "shutil.make_archive": (0,), "tempfile.mkstemp": (0,),
    "tempfile.mkdtemp": (0,),
}  # fmt: skip
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
ATTRIBUTE_EVENTS = frozenset({"object.__setattr__", "object.__delattr__"})
# Events that honest runs raise only from library code (types.coroutine writes a function's
# __code__, Django sets an object's __class__, Hypothesis asks gc.get_referrers about its
# Random): their key names where the code that raised them lives ("@stdlib", "@django",
# "@kata"...), so the same event raised by a kata file's own code is not on the list.
QUALIFIED = frozenset({
    "object.__setattr__", "object.__delattr__", "code.__new__", "function.__new__", "compile",
    "exec", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
    "sys.addaudithook",
})  # fmt: skip
# Allowed although a recording may miss them: events that honest runs raise at moments that
# depend on timing or on which test fails (the list's "also", with the reason for each).
ALSO = {
    "sys.unraisablehook": "an exception in a finaliser or callback, reported: when gc runs",
    "sys.excepthook": "an uncaught exception in a thread (a learner's code may raise one)",
    "sys.settrace": (
        "Hypothesis and Django trace a failing test (Python < 3.12); no more power than "
        "sys._getframe, which must stay allowed"
    ),
    "sys.setprofile": "as sys.settrace",
    "sys.monitoring.register_callback": "Hypothesis, as sys.settrace (Python 3.12+)",
    "cpython.PyInterpreterState_Clear": "the interpreter shutting down",
    "cpython._PySys_ClearAuditHooks": "the interpreter shutting down",
}


def allowed_keys(path: Path = EVENTS_FILE) -> frozenset[str]:
    """The keys honest runs raised and the list's ``also`` (``guard_events.json``); empty when
    the file is missing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(data["events"]) | frozenset(data.get("also", {}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return frozenset()


def current_key(key: str) -> str:
    """A key recorded before an event left ``QUALIFIED``, as the hook makes it now."""
    base = key.split("@", 1)[0]
    return base if base.split(":", 1)[0] not in QUALIFIED else key


def _library_folders() -> list[str]:
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    folders = [paths.get("purelib", ""), paths.get("platlib", "")]
    try:
        folders += [*site.getsitepackages(), site.getusersitepackages()]
    except AttributeError:  # pragma: no cover - an embedded Python without site's functions
        pass
    return folders


def _stdlib_folders() -> list[str]:
    import sysconfig

    paths = sysconfig.get_paths()
    return [paths.get("stdlib", ""), paths.get("platstdlib", "")]


def install(
    mode: str,
    report: str,
    writable: list[str],
    allowed: frozenset[str],
    sealed: list[str] | None = None,
) -> None:
    """Add the audit hook to this process (and to every fork of it). Cannot be undone.

    The hook calls nothing a kata file could replace: every function and constant it uses is
    bound here, before any kata file runs (the os, sys, json and builtins modules, and this
    module's globals, can be changed later by kata code; the closure cannot be reached), and
    it calls only functions written in C and methods of exact ``str``/``int``/``tuple``
    values. Kata code never runs inside the hook, so the events the hook itself raises
    (``sys._getframe``) can be skipped."""
    import random
    from _thread import get_ident

    _exit, _write, _getframe, _getcwd, _getpid = (
        os._exit,
        os.write,
        sys._getframe,
        os.getcwd,
        os.getpid,
    )
    _type, _len, _any, _all, _issubclass = type, len, any, all, issubclass
    _str, _int, _bytes, _tuple, _type_type = str, int, bytes, tuple, type
    _random = random.Random
    _function = type(install)
    _code = type(install.__code__)
    encoding = sys.getfilesystemencoding()
    sep, altsep, windows = os.sep, os.altsep, os.name == "nt"
    changes_paths = dict(CHANGES_PATHS)  # a copy: the module's dict could be changed later
    write_flags, attribute_events, qualified = WRITE_FLAGS, ATTRIBUTE_EVENTS, QUALIFIED
    exit_code = EXIT

    def absolute(path: str) -> str:
        """``path`` made absolute and normalised with string operations only."""
        if altsep:
            path = path.replace(altsep, sep)
        if windows:
            path = path.lower()
            rooted = (_len(path) > 2 and path[1] == ":" and path[2] == sep) or path[:2] == sep * 2
        else:
            rooted = path[:1] == sep
        if not rooted:
            path = _getcwd() + sep + path
            if windows:
                path = path.lower()
        parts: list[str] = []
        for part in path.split(sep):
            if part == "" or part == ".":
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return sep.join(parts) if windows else sep + sep.join(parts)

    cwd = _getcwd()
    katas = absolute(os.path.join(cwd, "katas")) + sep
    roots = _tuple(
        {absolute(p) for root in writable or [cwd] for p in (root, os.path.realpath(root))}
    )
    report_path = absolute(report)
    devnull = absolute(os.devnull)
    report_fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    recording = mode == "record"
    state = {"kata": False}  # has a kata file run in this process yet?
    busy: set[int] = set()  # threads inside the hook: the events the hook itself raises
    seen: set[str] = set()
    libraries = _tuple({absolute(p) + sep for p in _library_folders() if p})
    stdlib = _tuple({absolute(p) + sep for p in _stdlib_folders() if p})
    tree = absolute(cwd) + sep
    # Verdict files: the first open for writing is the run's own (pytest writes each once, at
    # the end); any other change to one, to its folder or to a folder above it is refused.
    unwritten = {absolute(p) for p in sealed or []}
    sealed_dirs = _tuple({f.rsplit(sep, 1)[0] for f in unwritten})

    def touches_sealed(event: str, path: Any) -> bool:  # Any: an audit event's argument
        if _type(path) is _bytes:
            path = path.decode(encoding, "surrogateescape")
        if _type(path) is not _str:
            return False
        path = absolute(path)
        for folder in sealed_dirs:
            if path == folder:
                return event != "os.mkdir"  # os.makedirs(exist_ok=True) on it is harmless
            if path.startswith(folder + sep) or folder.startswith(path + sep):
                if event == "open" and path in unwritten:
                    unwritten.discard(path)  # the one write allowed
                    return False
                return True
        return False

    def kata_file(filename: Any) -> bool:
        """A learner's kata file: a module of katas/ that is not a test, conftest or package."""
        if _type(filename) is not _str:
            return False
        filename = absolute(filename)
        if not filename.startswith(katas):
            return False
        name = filename.rsplit(sep, 1)[-1]
        return (
            name.endswith(".py")
            and not name.startswith("test_")
            and name != "conftest.py"
            and name != "__init__.py"
        )

    def outside(path: Any) -> bool:
        if _type(path) is _int:  # a file descriptor that is already open
            return False
        if _type(path) is _bytes:
            path = path.decode(encoding, "surrogateescape")
        if _type(path) is not _str:
            return True
        path = absolute(path)
        if path == report_path:
            return True
        if path == devnull:
            return False
        return not _any(path == root or path.startswith(root + sep) for root in roots)

    def key(event: str, args: tuple) -> str:
        if event in attribute_events and _len(args) >= 2:
            kind = _type(args[0])  # never isinstance(): that could run the kata's __class__
            what = (
                "type"
                if _issubclass(kind, _type_type)
                else "function"
                if kind is _function
                else "object"
            )
            name = args[1] if _type(args[1]) is _str else "?"
            return f"{event}:{what}.{name}"
        if event == "object.__getattr__" and _len(args) >= 2:
            return f"{event}:{args[1] if _type(args[1]) is _str else '?'}"
        if event == "gc.get_referrers":
            objects = args[0] if args and _type(args[0]) is _tuple else ()
            plain = objects and _all(_type(o) is _random for o in objects)
            return f"{event}:{'Random' if plain else 'other'}"
        positions = changes_paths.get(event)
        if positions is not None:
            if event == "open":
                flags: Any = args[2] if _len(args) > 2 else None
                text: Any = args[1] if _len(args) > 1 else None
                writes = (
                    (flags & write_flags) != 0
                    if _type(flags) is _int
                    else _type(text) is _str and _any(c in text for c in "wax+")
                )
                if not writes:
                    return event
            if sealed_dirs and _any(
                touches_sealed(event, args[i]) for i in positions if i < _len(args)
            ):
                return f"{event}:sealed"
            if _any(outside(args[i]) for i in positions if i < _len(args)):
                return f"{event}:outside"
        return event

    def where() -> tuple[str, int]:
        """The innermost kata frame of this thread: (file relative to the tree, line)."""
        frame: FrameType | None = _getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if kata_file(filename):
                return "katas/" + absolute(filename)[_len(katas) :].replace(
                    sep, "/"
                ), frame.f_lineno
            frame = frame.f_back
        return "", 0

    def caller() -> str:
        """Where the code that raised the event lives: ``kata``, ``tree`` (the harness, the
        tests), ``stdlib``, a library's top-level package (``django``, ``hypothesis``,
        ``_pytest``), ``frozen`` (the import system) or ``other`` (code compiled from text)."""
        filename = _getframe(2).f_code.co_filename  # 0: caller(), 1: hook(), 2: the raiser
        if _type(filename) is not _str:
            return "other"
        if filename[:8] == "<frozen ":
            return "frozen"
        if kata_file(filename):
            return "kata"
        filename = absolute(filename)
        for folder in libraries:
            if filename.startswith(folder):
                top = filename[_len(folder) :].split(sep, 1)[0]
                return top.removesuffix(".py")
        for folder in stdlib:
            if filename.startswith(folder):
                return "stdlib"
        return "tree" if filename.startswith(tree) else "other"

    def hook(event: str, args: tuple) -> None:
        if not state["kata"]:
            if (
                event == "exec"
                and args
                and _type(args[0]) is _code
                and kata_file(args[0].co_filename)
            ):
                state["kata"] = True
            if not state["kata"]:
                return
        thread = get_ident()
        if thread in busy:
            return
        busy.add(thread)
        try:
            name = key(event, args)
            if event in qualified:
                name = f"{name}@{caller()}"
            if recording:
                if name not in seen:
                    seen.add(name)
                    _write(report_fd, (name + "\n").encode())
                return
            if name in allowed:
                return
            try:
                file, line = where()
                clean = name.replace("\t", " ").replace("\n", " ")
                _write(report_fd, f"{clean}\t{file}\t{line}\t{_getpid()}\n".encode())
            finally:
                _exit(exit_code)
        finally:
            busy.discard(thread)

    sys.addaudithook(hook)


def _install_from_environment() -> None:
    mode = os.environ.get(MODE_ENV, "")
    if mode not in ("enforce", "record"):
        return
    report = os.environ.get(REPORT_ENV) or os.devnull
    writable = [p for p in os.environ.get(WRITABLE_ENV, "").split(os.pathsep) if p]
    sealed = [p for p in os.environ.get(SEALED_ENV, "").split(os.pathsep) if p]
    allowed = allowed_keys() if mode == "enforce" else frozenset()
    install(mode, report, writable, allowed, sealed)


_install_from_environment()


def refusals(report: Path) -> list[dict]:
    """What the hook refused in a run, from ``KATA_GUARD_REPORT`` (the grader's side): one
    ``{"event", "file", "line"}`` a line the hook wrote."""
    try:
        text = report.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[2].isdigit():
            found.append(
                {"event": f"(an unreadable report line: {line[:80]!r})", "file": "", "line": 0}
            )
            continue
        found.append({"event": parts[0][:200], "file": parts[1][:200], "line": int(parts[2])})
    return found
