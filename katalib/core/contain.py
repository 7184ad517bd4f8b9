"""Keep a kata file that ends, hangs or interrupts Python from taking the whole run with it.

Loading a kata's files runs the learner's code. Most mistakes raise an ordinary exception, which
``katalib.core.apps`` and ``katalib.core.loader`` catch and report against that kata alone. Some can't be
caught in the process that runs the tests:

- ``sys.exit()`` / ``exit()`` / ``raise KeyboardInterrupt`` at the top level of a file stop pytest;
- ``os._exit()``, or a crash, ends Python at once, without a report;
- a loop that never ends hangs the run before the first test (pytest-timeout only covers tests).

So before Django imports the kata apps, the files of each kata (``models.py``, the files
``katas.toml`` lists under ``files``, and any other module of the kata folder but the tests) are
loaded once in a child process, each with a time limit. A file that ends, hangs, crashes or
interrupts the child is never imported by pytest: ``verdict()`` gives its kata a ``KataBroken``
error with the file, the line and a ❌/✅ explanation, and every other kata runs. The child's
output is discarded; it reports through a file, line by line, so that whatever kills it, the
file it was loading is known (and faulthandler's dump gives the line a hang or crash was at).

The probe is cheap. On POSIX the child is a ``fork()`` of pytest, taken when Django is about to
import the first kata: Python, Django and its own apps are loaded already, so the child only
loads the kata files (a few hundredths of a second). Where there is no ``fork()`` (Windows) it
is a fresh ``python -m katalib.core.contain`` (about 0.2 s of CPU to set up Django), started as soon
as the settings load so that it overlaps with pytest setting up Django. Either way only katas
whose files changed since the last probe are loaded: verdicts are kept by content hash in
``.pytest_cache/v/katas/`` (not with ``-p no:cacheprovider``), so an unchanged repository starts
no child at all.

Settings (environment variables, or the ini options registered in ``conftest.py``):

- ``KATA_IMPORT_TIMEOUT`` / ``kata_import_timeout``: seconds a kata file may take to load
  (default 10);
- ``KATA_PROBE=0``: no child process (broken files are then caught in-process only, as far as
  that is possible); ``KATA_PROBE=spawn``: a fresh Python even where ``fork()`` exists;
- ``KATA_PROBE_LOG=<file>``: append one line per run to that file: what was probed, how long it
  took, and why the probe could not run, if it could not (``header()`` gives the same line).
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import functools
import gc
import hashlib
import importlib
import json
import linecache
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any, NoReturn, TypedDict

from katalib.base import manifest, places

DEFAULT_TIMEOUT = 10.0
TIMEOUT_ENV = "KATA_IMPORT_TIMEOUT"
TIMEOUT_INI = "kata_import_timeout"
CHILD_ENV = "KATA_PROBE_CHILD"
# Bump when what the child reports changes: older cached verdicts are then ignored.
PROTOCOL = 1
# Time for the child to start Python and Django, on top of the time limit of each file.
STARTUP_ALLOWANCE = 60.0


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


# --- Settings ---------------------------------------------------------------------------------


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
        cache_dir = Path(os.path.expandvars(str(config.getini("cache_dir"))))
        _options["cache_dir"] = config.rootpath / cache_dir


def add_ini(parser) -> None:
    parser.addini(
        TIMEOUT_INI,
        f"seconds a kata file may take to load before its kata is marked broken "
        f"(default {DEFAULT_TIMEOUT:g}; the {TIMEOUT_ENV} environment variable wins)",
        default="",
    )


def timeout() -> float:
    """Seconds each kata file may take to load."""
    for value in (os.environ.get(TIMEOUT_ENV), _options.get("timeout"), _pyproject_timeout()):
        if value in (None, ""):
            continue
        try:
            if not isinstance(value, (str, int, float)):  # pyproject.toml: a list, a table...
                raise TypeError(value)
            seconds = float(value)
        except (TypeError, ValueError):
            raise SystemExit(f"{TIMEOUT_ENV} must be a number of seconds, not {value!r}") from None
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
    """``fork`` (POSIX), ``spawn`` (a fresh ``python -m katalib.core.contain``; Windows), ``retry``
    or ``off``.

    ``KATA_PROBE=0`` turns the probe off; ``KATA_PROBE=spawn`` uses a fresh process even where
    ``fork()`` exists (the harness tests run both ways). ``KATA_PROBE=retry`` is how the warm
    runner's children run (katalib.loop.warm): no probe child, the kata files load in this process,
    and one that would end, hang or interrupt the run ends this process at once instead
    (``retry_with_probe``), with no verdict; the warm server then runs the same request again
    with the probe. Verdicts cached by content hash are used as always.
    """
    value = os.environ.get("KATA_PROBE", "").strip().lower()
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


def in_child() -> bool:
    return _child is not None


def _cache_file(tree: str) -> Path | None:
    use = _options.get("cache")
    if use is None:  # not told by pytest: read the command line the way pytest will
        words = [*sys.argv, *os.environ.get("PYTEST_ADDOPTS", "").split()]
        use = not any(
            w in ("no:cacheprovider", "-pno:cacheprovider") or w.endswith("=no:cacheprovider")
            for w in words
        )
    if not use:
        return None
    cache_dir = Path(_options.get("cache_dir") or manifest.ROOT / ".pytest_cache")
    return cache_dir / "v" / "katas" / f"probe-{tree}"


# --- Which files, and whether they changed ------------------------------------------------------


def probe_files(kata: manifest.Kata, tree: str) -> list[str]:
    """``models.py`` first, then the files the learner edits, then any other module of the kata
    (each one a test may import through ``kata_module``); never the tests themselves."""
    folder = kata.folder(tree)
    if not folder.is_dir():
        return []
    others = sorted(
        path.name
        for path in folder.glob("*.py")
        if not (path.name.startswith("test_") or path.name in {"__init__.py", "conftest.py"})
    )
    names = ["models.py", *(f for f in kata.files if f.endswith(".py")), *others]
    return [name for name in dict.fromkeys(names) if (folder / name).is_file()]


def fingerprint(kata: manifest.Kata, tree: str) -> str:
    """Content hash of the kata's Python files, tests excepted: what the verdicts depend on."""
    digest = hashlib.sha256()
    folder = kata.folder(tree)
    for path in sorted(folder.rglob("*.py")):
        if (
            "__pycache__" in path.parts
            or path.name.startswith("test_")
            or path.name == "conftest.py"
        ):
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def _environment_key() -> str:
    """Verdicts also depend on the harness, Python and Django."""
    digest = hashlib.sha256(f"{PROTOCOL} {sys.version} {sys.prefix}".encode())
    with contextlib.suppress(ImportError):
        import django

        digest.update(django.__version__.encode())
    for name in ("settings.py", "katalib/core/apps.py", "katalib/core/contain.py"):
        with contextlib.suppress(OSError):
            digest.update((manifest.ROOT / name).read_bytes())
    return digest.hexdigest()


# Verdicts that are the same every time the same file loads. A time-out or a crash may depend on
# the machine's load, so those files are probed again on the next run.
_REPEATABLE = {"ok", "error", "sys_exit", "os_exit", "interrupt", "base"}


def _kind(result: dict) -> str:
    return result.get("kind") or result["verdict"]


# --- The parent: start the probe, wait for it, hand out verdicts -----------------------------


class _Probe:
    def __init__(self, katas: list[manifest.Kata], tree: str) -> None:
        self.tree = tree
        self.started = time.perf_counter()
        self.limit = timeout()
        self.katas = {kata.label: kata for kata in katas}
        self.results: dict[tuple[str, str], dict] = {}
        self.cache_path = _cache_file(tree)
        self.env_key = _environment_key()
        self.prints: dict[str, str] = {kata.label: fingerprint(kata, tree) for kata in katas}
        cached = self._read_cache()
        self.todo: dict[str, list[str]] = {}
        for kata in katas:
            files = probe_files(kata, tree)
            entry = cached.get(kata.label)
            if entry and entry.get("fingerprint") == self.prints[kata.label]:
                for name, result in entry["files"].items():
                    self.results[(kata.label, name)] = result
            elif files:
                self.todo[kata.label] = files
        self.cached_katas = len(katas) - len(self.todo)
        self.children = 0
        self.mode = mode()
        self.process: subprocess.Popen | None = None
        self.pid: int | None = None  # a forked child
        self.scratch: Path | None = None
        self.done = not self.todo
        self.finished = False
        self.failure = ""
        if self.todo and self.mode == "spawn":
            # A fresh Python needs ~0.2 s to set up Django: start it now, while pytest sets up
            # Django's own apps. A fork (wait()) starts from those, so it waits until then.
            self._launch()

    # -- cache --

    def _read_cache(self) -> dict:
        if self.cache_path is None:
            return {}
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("environment") != self.env_key:
            return {}
        return data.get("katas", {})

    def _write_cache(self) -> None:
        if self.cache_path is None:
            return
        katas = {}
        for label in self.katas:
            files = {f: r for (lab, f), r in self.results.items() if lab == label}
            if all(_kind(r) in _REPEATABLE for r in files.values()):
                katas[label] = {"fingerprint": self.prints[label], "files": files}
        payload = {"environment": self.env_key, "katas": katas}
        with contextlib.suppress(OSError):
            folder = self.cache_path.parent
            if not folder.parent.parent.exists():
                # Made before pytest's cache plugin: add what it adds, so git ignores it.
                folder.parent.parent.mkdir(parents=True)
                (folder.parent.parent / ".gitignore").write_text(
                    "# Created by pytest automatically.\n*\n", encoding="utf-8"
                )
            folder.mkdir(parents=True, exist_ok=True)
            # Written aside, then renamed: parallel runs (pytest-xdist workers) never read half.
            fd, scratch = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=2)
            os.replace(scratch, self.cache_path)

    # -- the child --

    def _pending(self) -> dict[str, list[str]]:
        pending: dict[str, list[str]] = {}
        for label, files in self.todo.items():
            models = self.results.get((label, "models.py"))
            if models is not None and models["verdict"] != "ok":
                continue  # the kata is broken by its models: its other files never load
            left = [f for f in files if (label, f) not in self.results]
            if left:
                pending[label] = files  # models.py loads again (unguarded if already judged)
        return pending

    def _launch(self) -> None:
        pending = self._pending()
        if not pending:
            self.done = True
            return
        if self.scratch is None:
            self.scratch = Path(tempfile.mkdtemp(prefix="kata-probe-"))
        self.children += 1
        job: dict[str, Any] = {  # JSON for the child
            "protocol": str(self.scratch / f"protocol{self.children}.jsonl"),
            "faults": str(self.scratch / f"faults{self.children}.txt"),
            "timeout": self.limit,
            "katas": pending,
            "judged": [[label, name] for (label, name) in self.results if label in pending],
        }
        self.protocol, self.faults = Path(job["protocol"]), Path(job["faults"])
        self.files_this_child = sum(len(files) for files in pending.values())
        # fork() copies only the calling thread: with other threads (pytest-xdist's) it is unsafe.
        if self.mode == "fork" and threading.active_count() == 1:
            try:
                self._fork(job)
            except OSError as exc:  # fork() exists but can't run here: load in-process
                self.failure = f"could not start the probe process: {exc}"
                self.done = True
        else:
            self._spawn(job)

    def _fork(self, job: dict) -> None:
        real_exit = os._exit  # the child spies on os._exit; this one ends it for sure
        self.pid = os.fork()
        if self.pid == 0:  # the child: probe, then end here, never back into pytest
            try:
                _forked_child(job)
            except BaseException:  # noqa: BLE001 - a harness bug: say so, pytest carries on
                with open(job["protocol"], "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"event": "setup_failed", "error": traceback.format_exc()}))
                    fh.write("\n")
            finally:
                real_exit(70)

    def _spawn(self, job: dict) -> None:
        path = Path(job["protocol"]).with_name(f"job{self.children}.json")  # in self.scratch

        path.write_text(json.dumps(job), encoding="utf-8")
        env = dict(os.environ)
        env[CHILD_ENV] = "1"
        env["KATA_TARGET"] = self.tree
        env["DJANGO_SETTINGS_MODULE"] = "settings"
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(manifest.ROOT), env.get("PYTHONPATH", "")) if p
        )
        env.pop("PYTHONSTARTUP", None)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "katalib.core.contain", str(path)],
                cwd=manifest.ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            self.failure = f"could not start the probe process: {exc}"
            self.done = True

    def wait(self) -> None:
        if self.finished:
            return
        if self.mode == "retry":  # no child: the cached verdicts only (see mode())
            self.done = self.finished = True
            self._finish()
            return
        try:
            if not self.done and self.process is None and self.pid is None:
                self._launch()  # fork mode: now that Django's own apps are loaded
            while not self.done:
                self._wait_child()
        except BaseException:  # Ctrl+C while waiting: no child outlives the run
            self.abandon()
            raise
        self.finished = True
        self._finish()

    def _reap(self, budget: float) -> tuple[int, bool]:
        """Wait for the child: (its exit code, negative for a signal; whether it was killed)."""
        if self.process is not None:
            process, self.process = self.process, None
            try:
                return process.wait(timeout=budget), False
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait(), True
        assert self.pid is not None
        pid, self.pid = self.pid, None
        deadline, pause = time.monotonic() + budget, 0.001
        try:  # Linux: a pidfd turns readable the moment the child ends (no polling lag)
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        if pidfd is not None:
            try:
                select.select([pidfd], [], [], budget)
            except OSError:
                pass
            finally:
                os.close(pidfd)
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), False
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), True
            time.sleep(pause)
            pause = min(pause * 2, 0.005)

    def _wait_child(self) -> None:
        budget = STARTUP_ALLOWANCE + self.limit * (self.files_this_child + 1)
        returncode, killed = self._reap(budget)
        events = _read_events(self.protocol)
        started = None
        os_exit = None
        for event in events:
            kind = event.get("event")
            if kind == "start":
                started = (event["label"], event["file"])
            elif kind == "end":
                self.results[(event["label"], event["file"])] = event["verdict"]
                started = None
            elif kind == "os_exit":
                os_exit = event
            elif kind == "setup_failed":
                self.failure = "the probe process failed:\n" + event["error"]
        if any(e.get("event") == "done" for e in events):
            self.done = True
            return
        if started is None:
            # Gone before or between kata files: nothing to blame on a kata. pytest loads the
            # files itself (and catches what it can).
            self.failure = self.failure or f"the probe process ended ({_exit_status(returncode)})"
            self.done = True
            return
        faults = ""
        with contextlib.suppress(OSError):
            faults = self.faults.read_text(encoding="utf-8", errors="replace")
        self.results[started] = self._culprit(started, returncode, os_exit, faults, killed)
        self._launch()

    def _culprit(
        self,
        started: tuple[str, str],
        returncode: int,
        os_exit: dict | None,
        faults: str,
        killed: bool,
    ) -> dict:
        label = started[0]
        tree = self.katas[label].folder(self.tree)
        frames = _fault_frames(faults)
        if os_exit is not None:
            return {"verdict": "fatal", "kind": "os_exit", "code": os_exit["code"],
                    "where": os_exit["where"]}  # fmt: skip
        if killed or faults.lstrip().startswith("Timeout ("):
            return {"verdict": "fatal", "kind": "hang", "seconds": self.limit,
                    "where": places.of_frames(frames, tree)}  # fmt: skip
        fatal = re.search(r"(?:Fatal Python error|Windows fatal exception): (.+)", faults)
        detail = fatal.group(1).strip() if fatal else _exit_status(returncode)
        return {"verdict": "fatal", "kind": "crash", "detail": detail,
                "where": places.of_frames(frames, tree)}  # fmt: skip

    def abandon(self) -> None:
        """At exit: no child outlives the run, no scratch folder stays behind."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def _finish(self) -> None:
        self.abandon()
        if not self.failure and self.mode != "retry":  # retry: nothing new was judged
            self._write_cache()
        log = os.environ.get("KATA_PROBE_LOG")
        if log:
            with contextlib.suppress(OSError), open(log, "a", encoding="utf-8") as fh:
                fh.write(self.summary() + "\n")

    def summary(self) -> str:
        return (
            f"kata probe: {len(self.todo)} kata(s) loaded in {self.children} child process(es) "
            f"({self.mode}), "
            f"{self.cached_katas} unchanged (cached), {time.perf_counter() - self.started:.2f} s"
            + (f"; {self.failure}" if self.failure else "")
        )


def _read_events(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    events = []
    for line in lines:
        with contextlib.suppress(ValueError):
            events.append(json.loads(line))
    return events


def _exit_status(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by signal {signal.Signals(-returncode).name}"
        return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def _fault_frames(text: str) -> list[tuple[str, int, str]]:
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


_probe: _Probe | None = None
_child: SimpleNamespace | None = None


def start(katas: list[manifest.Kata], tree: str | None = None) -> None:
    """Probe these katas' files in a child process; ``verdict()`` waits for the answers."""
    global _probe
    if _child is not None or os.environ.get(CHILD_ENV) or mode() == "off" or _probe is not None:
        return
    _probe = _Probe(list(katas), tree or manifest.target())
    atexit.register(_probe.abandon)  # e.g. pytest --help: nobody asks for the verdicts


def header() -> str | None:
    """For pytest's report header: a line only when the probe could not run."""
    if _probe is None or not _probe.finished or not _probe.failure:
        return None
    return _probe.summary()


def verdict(label: str, file: str) -> KataBroken | None:
    """The error of ``file`` (e.g. ``"models.py"``) of the kata, if loading it would end, hang
    or interrupt the test run; None when pytest may import it (any ordinary exception it raises
    is then caught there)."""
    if _probe is None:
        return None
    _probe.wait()
    result = _probe.results.get((label, file))
    if result is None or result["verdict"] != "fatal":
        return None
    return broken(file, result)


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
            f'{TIMEOUT_ENV}=60 pytest (or {TIMEOUT_INI} = "60" under [tool.pytest]).',
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


def from_exception(exc: BaseException, kata: manifest.Kata, file: str) -> KataBroken:
    """The ``KataBroken`` for a SystemExit, KeyboardInterrupt... raised in this process."""
    return broken(file, describe(exc, kata.folder()))


# --- Ctrl+C, or a KeyboardInterrupt raised by kata code? ---------------------------------------


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


# --- The child: ``python -m katalib.core.contain <job.json>`` ---------------------------------------


def _emit(**event) -> None:
    assert _child is not None
    _child.protocol.write(json.dumps(event) + "\n")
    _child.protocol.flush()


def _begin_child(job: dict) -> SimpleNamespace:
    """Both kinds of child: the state, the crash and time-out reports, the os._exit spy."""
    global _child
    real_exit = os._exit
    _child = child = SimpleNamespace(
        protocol=open(job["protocol"], "a", encoding="utf-8"),  # noqa: SIM115 - until _exit
        faults=open(job["faults"], "w", encoding="utf-8"),  # noqa: SIM115
        timeout=float(job["timeout"]),
        katas=job["katas"],
        judged={tuple(pair) for pair in job["judged"]},
        loaded_models=set(),
        real_exit=real_exit,
        current=None,
    )
    faulthandler.enable(file=child.faults, all_threads=True)

    def recording_exit(status: int = 0) -> NoReturn:
        tree = _tree_of(child.current[0]) if child.current else manifest.ROOT
        frames = []
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            name, number = frame.f_code.co_filename, frame.f_lineno
            frames.append((name, number, linecache.getline(name, number)))
            frame = frame.f_back
        _emit(event="os_exit", code=status, where=places.of_frames(frames[::-1], tree))
        real_exit(status)

    os._exit = recording_exit
    return child


def _child_main(job_path: str) -> None:
    """``python -m katalib.core.contain <job.json>``: set up Django on the katas and load their files."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends the child; pytest stops the run
    child = _begin_child(json.loads(Path(job_path).read_text(encoding="utf-8")))
    try:
        import django

        django.setup()  # KataConfig.import_models calls child_import_models for each kata
    except BaseException:  # noqa: BLE001 - report anything, then end
        _emit(event="setup_failed", error=traceback.format_exc())
        child.real_exit(2)
    _load_other_files()


def _forked_child(job: dict) -> None:
    """A fork of pytest, made while Django imports the first kata's models: Django and its own
    apps are loaded already, so only the kata files are left to load."""
    from django.apps import AppConfig, apps

    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # not into pytest's captured output
        os.dup2(null, fd)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends the child; pytest stops the run
    gc.disable()  # no finalizer of pytest's objects may run in here
    child = _begin_child(job)
    for label in child.katas:
        config = apps.get_app_config(label)
        child_import_models(config, functools.partial(AppConfig.import_models, config))
    for config in apps.get_app_configs():  # the katas pytest has yet to load, left out here
        if config.models is None:
            config.models = apps.all_models[config.label]
    apps.models_ready = apps.ready = True  # as when the tests import the other files
    apps.clear_cache()
    _load_other_files()


def _load_other_files() -> None:
    assert _child is not None
    for label, files in _child.katas.items():
        if label not in _child.loaded_models:
            continue
        kata = manifest.by_label(label)
        for name in files:
            if name == "models.py" or (label, name) in _child.judged:
                continue
            dotted = f"{manifest.target()}.{kata.dir}.{name.removesuffix('.py')}"
            _guarded(label, name, lambda dotted=dotted: importlib.import_module(dotted))
    _emit(event="done")
    _child.real_exit(0)


def _tree_of(label: str) -> Path:
    return manifest.by_label(label).folder()


def _guarded(label: str, name: str, load) -> dict:
    """Load one kata file under the time limit; report its start and its verdict."""
    assert _child is not None
    _child.current = (label, name)
    _emit(event="start", label=label, file=name)
    faulthandler.dump_traceback_later(_child.timeout, exit=True, file=_child.faults)
    try:
        load()
    except Exception as exc:  # noqa: BLE001 - pytest reports ordinary errors itself
        result = {"verdict": "error", "type": type(exc).__name__}
    except BaseException as exc:  # noqa: BLE001 - what this probe is for
        result = describe(exc, _tree_of(label))
    else:
        result = {"verdict": "ok"}
    finally:
        faulthandler.cancel_dump_traceback_later()
        _child.current = None
    _emit(event="end", label=label, file=name, verdict=result)
    return result


def child_import_models(config, import_models) -> None:
    """``KataConfig.import_models`` in the child: load the models only of katas being probed."""
    assert _child is not None
    label = config.label
    if label not in _child.katas:
        config.skip_models()
        return
    if "models.py" not in _child.katas[label] or (label, "models.py") in _child.judged:
        try:  # known to load (it was judged by an earlier child): needed by the other files
            import_models()
        except BaseException:  # noqa: BLE001
            config.skip_models()
            return
        _child.loaded_models.add(label)
        return
    result = _guarded(label, "models.py", import_models)
    if result["verdict"] == "ok":
        _child.loaded_models.add(label)
    else:
        config.skip_models()


if __name__ == "__main__":
    # Run in the package's module, not in __main__: katalib.core.apps finds the child state there.
    importlib.import_module("katalib.core.contain")._child_main(sys.argv[1])
