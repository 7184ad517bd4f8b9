"""Running pytest for the grader: the fixed options and environment, a command in its own
process group under a time limit, and the grading run itself, fenced in (katalib.grade.jail:
no network, limits, no secrets, the audit hook) and with the test data redrawn from a seed."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from katalib.base import env as environment
from katalib.grade import jail

# Always given, after any configuration: pytest reads only the upstream's pyproject.toml.
PYTEST_FIXED = ["-c", "pyproject.toml", "--rootdir", ".", "-p", "no:cacheprovider"]
# Variables that would change what pytest loads or let learner code reach the CI's files.
DROPPED_ENV = ("PYTEST_", "GITHUB_", "ACTIONS_", "RUNNER_", "HYPOTHESIS_", "COV_CORE_")
DROPPED_ENV_NAMES = (
    environment.TARGET,
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "PYTHONINSPECT",
)


def pytest_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(DROPPED_ENV) and key not in DROPPED_ENV_NAMES
    }
    env.update({
        environment.TARGET: "katas",
        "HYPOTHESIS_PROFILE": "ci",  # derandomised: every copy meets the same examples
        environment.TEST_DB_NAME: f"test_katas_{uuid.uuid4().hex[:12]}",  # parallel runs
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LFS_SKIP_SMUDGE": "1",
    })  # fmt: skip
    return env


def run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float, output: Path
) -> int | None:
    """Run ``command``; its output goes to ``output``. None when it ran out of time.

    The command gets a process group of its own, which is killed when it ends or times out,
    so that nothing it started outlives it."""
    group: dict[str, Any] = (
        {"start_new_session": True}
        if os.name == "posix"
        else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    )
    with open(output, "wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, **group,
        )  # fmt: skip

        try:
            code = process.wait(timeout=max(timeout, 0.1))
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _kill_group(process)
    return code


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _kill_group(process: subprocess.Popen) -> None:
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif process.poll() is None:
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
        pass


@dataclass
class Run:
    """One grading run of pytest in the scratch tree, after it ended."""

    code: int | None  # pytest's exit code; None: it ran out of time
    results: Path  # the harness's --kata-results
    junit: Path  # --junitxml
    output: Path  # what pytest printed
    jail: jail.Jail  # what fenced it in (describe(), refusals())


def failure(code: int, output: Path) -> str:
    """Why pytest could not run the tests: exit ``code`` > 1, or < 0 (killed by a signal)."""
    tail = output.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    how = f"exit code {code}" if code > 0 else f"killed by {_signal_name(-code)}"
    return f"the tests could not run (pytest {how}): " + " / ".join(tail)


def run_tests(
    tmp: Path,
    stage: Path,
    python: str,
    katas: list[str],
    env: dict[str, str],
    seed: str,
    remaining: float,
) -> Run:
    """Run the tests of ``katas`` in the scratch tree ``stage`` with the interpreter ``python``,
    inside the jail, the test data redrawn from ``seed``, for at most ``remaining`` seconds."""
    env = {**env, environment.SEED: seed}  # names and titles the kata files cannot know
    # The verdict files: written once by the run itself, never changed after (katalib/grade/guard.py).
    verdict = tmp / "verdict"
    verdict.mkdir()
    results, junit, output = (
        verdict / "kata-results.json",
        verdict / "junit.xml",
        tmp / "pytest.txt",
    )
    command = [
        python, "-m", "pytest", *PYTEST_FIXED, *jail.GUARD_ARGS, "-q",
        f"--kata-results={results}", f"--junitxml={junit}", *(f"katas/{k}" for k in katas),
    ]  # fmt: skip
    # No network, resource limits, no secrets, the audit hook (katalib/grade/jail.py, guard.py).
    prison = jail.prepare(tmp, env, remaining, sealed=(results, junit))
    code = run(prison.wrap(command), stage, prison.env, remaining, output)
    return Run(code, results, junit, output, prison)
