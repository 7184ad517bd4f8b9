"""Run one kata's tests once: the step that ``katas`` repeats on every save.

``run_kata(kata)`` is the only place that starts pytest for the ``katas`` command. It runs
``python -m pytest katas/<kata>`` in a subprocess (pytest stays the engine: what you see is what
plain ``pytest`` prints) and returns a :class:`RunResult`. A faster runner (a warm pytest that
stays loaded between saves) can replace this one function without touching the rest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from katalib.base import env, manifest
from katalib.loop.warm import WarmPytest
from katalib.teach import progress

# pytest's exit codes: 0 all passed, 1 some failed, 2+ the tests could not run properly.
COULD_NOT_RUN = 2


@dataclass
class RunResult:
    kata: manifest.Kata
    returncode: int
    passed: int = 0
    total: int = 0
    failing_tasks: list[int] = field(default_factory=list)  # task numbers, lowest first
    output: str | None = None  # pytest's output, only when run with quiet=True

    @property
    def solved(self) -> bool:
        """pytest's contract: exit code 0 exactly when every test of the kata passes."""
        return self.returncode == 0

    @property
    def broken(self) -> bool:
        """The tests could not run (usage or internal error, interrupted, no tests)."""
        return self.returncode >= COULD_NOT_RUN

    @property
    def first_task(self) -> int | None:
        return min(self.failing_tasks) if self.failing_tasks else None


def pytest_command(kata: manifest.Kata, results: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        f"katas/{kata.dir}",
        "-q",
        f"--kata-results={results}",
        # pytest-timeout's limit is pyproject.toml's, as in plain pytest (README states it).
        *extra,
    ]


# What every run of the katas command gets in its environment: the plugin then leaves the
# next step and the hints to this command.
COMMAND_ENV = {env.COMMAND: "1"}


def run_kata(
    kata: manifest.Kata,
    *,
    quiet: bool = False,
    extra: tuple[str, ...] = (),
    warm: WarmPytest | None = None,
) -> RunResult:
    """Run ``kata``'s tests once; pytest prints to this terminal unless ``quiet``.

    With ``warm`` (the watch loop's warm runner, katalib.loop.warm) the run is a fork of a process
    that has pytest, Django and Hypothesis imported already; where it can't serve, the run is
    cold and its one-line reason is printed. pytest runs in its own process group, so Ctrl+C
    reaches only this process: the caller decides what an interruption means, and the child
    is stopped here on the way out.
    """
    if warm is not None:
        result = _run_warm(kata, warm, quiet, extra)
        if result is not None:
            return result
        print(f"[katas] {warm.note}", flush=True)
    handle, name = tempfile.mkstemp(prefix="kata-results-", suffix=".json")
    os.close(handle)
    results = Path(name)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        process = subprocess.Popen(
            pytest_command(kata, results, extra),
            cwd=manifest.ROOT,
            env={**os.environ, **COMMAND_ENV},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if quiet else None,
            stderr=subprocess.STDOUT if quiet else None,
            **_own_process_group(),
        )
        try:
            output, _ = process.communicate()
        finally:
            _stop(process)
        result = RunResult(kata, process.returncode)
        if quiet:
            result.output = output.decode("utf-8", "replace")
        _read_results(result, results)
        return result
    finally:
        results.unlink(missing_ok=True)


def _run_warm(
    kata: manifest.Kata, warm: WarmPytest, quiet: bool, extra: tuple[str, ...]
) -> RunResult | None:
    # The same file names on every run: the same arguments, which the warm server starts ahead.
    results = warm.path("kata-results.json")
    output = str(warm.path("output.txt")) if quiet else None
    args = pytest_command(kata, results, extra)[3:]  # without "python -m pytest"
    sys.stdout.flush()
    sys.stderr.flush()
    results.unlink(missing_ok=True)  # a run that cannot write its results leaves none
    try:
        code = warm.run(args, env=COMMAND_ENV, output=output)
    except BaseException:
        warm.stop()  # an interrupted run: start the next one from a fresh server
        raise
    if code is None:
        return None
    result = RunResult(kata, code)
    if output is not None:
        result.output = Path(output).read_text(encoding="utf-8", errors="replace")
    _read_results(result, results)
    return result


def _read_results(result: RunResult, path: Path) -> None:
    try:
        rows = progress.rows_of(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return  # pytest could not run the kata: nothing written
    row = next((r for r in rows if r.kata == result.kata.dir), None)
    if row is None:
        return
    result.passed, result.total = row.passed, row.total
    result.failing_tasks = sorted(row.failing_tasks)


def _own_process_group() -> dict:
    if sys.platform == "win32":  # pragma: no cover - Windows
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}

    return {"start_new_session": True}


def _stop(process: subprocess.Popen) -> None:
    """Stop pytest if it is still running (the caller was interrupted)."""
    if process.poll() is not None:
        return
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            process.terminate()
        else:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=3)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()
