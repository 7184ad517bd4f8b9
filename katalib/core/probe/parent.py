"""The parent: start the probe, wait for it, hand out verdicts.

``start()`` (``katalib.core.apps``, as the settings load) reads the cached verdicts and, where
there is no ``fork()``, spawns ``python -m katalib.core.probe`` at once, so that it sets up
Django while pytest does. ``verdict()`` (each kata file, before pytest imports it) waits for the
child: in fork mode it forks first, now that Django's own apps are loaded. The child reports
through a file, line by line (``katalib.core.probe.child``); when it ends in the middle of a
file, that file gets a fatal verdict (``verdicts.of_ended_child``) and a new child loads the
rest. ``header()`` is the line pytest's report header shows when the probe could not run.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from katalib.base import env as environment
from katalib.base import manifest
from katalib.core.probe import child, config, files, verdicts

# Time for the child to start Python and Django, on top of the time limit of each file.
STARTUP_ALLOWANCE = 60.0


class _Probe:
    def __init__(self, katas: list[manifest.Kata], tree: str) -> None:
        self.tree = tree
        self.started = time.perf_counter()
        self.limit = config.timeout()
        self.katas = {kata.label: kata for kata in katas}
        self.results: dict[tuple[str, str], dict] = {}
        self.cache_path = config.cache_file(tree)
        self.env_key = files.environment_key()
        self.prints: dict[str, str] = {kata.label: files.fingerprint(kata, tree) for kata in katas}
        cached = files.read_cache(self.cache_path, self.env_key)
        self.todo: dict[str, list[str]] = {}
        for kata in katas:
            names = files.probe_files(kata, tree)
            entry = cached.get(kata.label)
            if entry and entry.get("fingerprint") == self.prints[kata.label]:
                for name, result in entry["files"].items():
                    self.results[(kata.label, name)] = result
            elif names:
                self.todo[kata.label] = names
        self.cached_katas = len(katas) - len(self.todo)
        self.children = 0
        self.mode = config.mode()
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

    # -- the child --

    def _pending(self) -> dict[str, list[str]]:
        pending: dict[str, list[str]] = {}
        for label, names in self.todo.items():
            models = self.results.get((label, "models.py"))
            if models is not None and models["verdict"] != "ok":
                continue  # the kata is broken by its models: its other files never load
            left = [f for f in names if (label, f) not in self.results]
            if left:
                pending[label] = names  # models.py loads again (unguarded if already judged)
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
        self.files_this_child = sum(len(names) for names in pending.values())
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
                child.forked(job)
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
        env[environment.PROBE_CHILD] = "1"
        env[environment.TARGET] = self.tree
        env["DJANGO_SETTINGS_MODULE"] = "settings"
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(manifest.ROOT), env.get("PYTHONPATH", "")) if p
        )
        env.pop("PYTHONSTARTUP", None)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "katalib.core.probe", str(path)],
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
            self.failure = (
                self.failure or f"the probe process ended ({verdicts.exit_status(returncode)})"
            )
            self.done = True
            return
        faults = ""
        with contextlib.suppress(OSError):
            faults = self.faults.read_text(encoding="utf-8", errors="replace")
        tree = self.katas[started[0]].folder(self.tree)
        self.results[started] = verdicts.of_ended_child(
            tree, self.limit, returncode, os_exit, faults, killed
        )
        self._launch()

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
            files.write_cache(self.cache_path, self.env_key, self.prints, self.results)
        log = os.environ.get(environment.PROBE_LOG)
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


_probe: _Probe | None = None  # this run's probe, once start() made it


def start(katas: list[manifest.Kata], tree: str | None = None) -> None:
    """Probe these katas' files in a child process; ``verdict()`` waits for the answers."""
    global _probe
    if child.in_child() or os.environ.get(environment.PROBE_CHILD) or _probe is not None:
        return  # a child probes nothing; one probe per run
    if config.mode() == "off":
        return
    _probe = _Probe(list(katas), tree or manifest.target())
    atexit.register(_probe.abandon)  # e.g. pytest --help: nobody asks for the verdicts


def header() -> str | None:
    """For pytest's report header: a line only when the probe could not run."""
    if _probe is None or not _probe.finished or not _probe.failure:
        return None
    return _probe.summary()


def verdict(label: str, file: str) -> verdicts.KataBroken | None:
    """The error of ``file`` (e.g. ``"models.py"``) of the kata, if loading it would end, hang
    or interrupt the test run; None when pytest may import it (any ordinary exception it raises
    is then caught there)."""
    if _probe is None:
        return None
    _probe.wait()
    result = _probe.results.get((label, file))
    if result is None or result["verdict"] != "fatal":
        return None
    return verdicts.broken(file, result)
