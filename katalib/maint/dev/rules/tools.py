"""The rules run by tools: ruff, mypy (pyproject.toml configures both)."""

from __future__ import annotations

import subprocess
import sys

from katalib.base import manifest
from katalib.maint.dev.problems import Found, Problem, Repo, indent


def check_ruff(repo: Repo) -> list[Problem]:
    paths = (
        [
            f"{tree}/{name}"
            for name in repo.selected
            for tree in manifest.TARGETS
            if (repo.root / tree / name).is_dir()
        ]
        if repo.scoped
        else ["."]
    )
    if not paths:
        return []
    problems = Found("ruff")
    for command, fix in (
        (
            ["check", "--quiet", "--output-format", "concise", *paths],
            f"ruff check --fix {' '.join(paths)}, then by hand",
        ),
        (
            ["format", "--check", "--quiet", "--output-format", "concise", *paths],
            f"ruff format {' '.join(paths)}",
        ),
    ):
        try:
            done = subprocess.run(
                [sys.executable, "-m", "ruff", *command],
                cwd=repo.root,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            return [Problem("ruff", f"ruff could not run: {exc}", 'pip install -e ".[dev]"')]
        if done.returncode != 0 and "No module named ruff" in done.stderr:
            return [Problem("ruff", "ruff is not installed.", 'pip install -e ".[dev]"')]
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            problems.add(f"ruff {command[0]} failed:\n{indent(output)}", fix)
    return problems


def check_mypy(repo: Repo) -> list[Problem]:
    """``mypy`` as configured in pyproject.toml (katalib, with django-stubs). Skipped where the
    dev extra is not installed: learners don't install it, and katalib is not theirs to fix."""
    problems = Found("mypy")
    if repo.scoped:  # like ruff, a --kata run checks the chosen katas; katalib is none of them
        problems.skipped = "it checks katalib, which --kata leaves out"
        return problems
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mypy"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        return [Problem("mypy", f"mypy could not run: {exc}", 'pip install -e ".[dev]"')]
    output = (done.stdout + done.stderr).strip()
    missing = "No module named mypy" in done.stderr or (
        "No module named 'mypy_django_plugin'" in output
    )
    if done.returncode != 0 and missing:
        problems.skipped = 'mypy or django-stubs is not installed (pip install -e ".[dev]")'
    elif done.returncode != 0:
        problems.add(
            f"mypy failed:\n{indent(output)}",
            "fix each error it names (a narrow `# type: ignore[code]  # why` only where the "
            "stubs are wrong), then run python -m mypy",
        )
    return problems
