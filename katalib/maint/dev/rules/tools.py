"""The rules run by tools: ruff, mypy (pyproject.toml configures both).

Both tools come with the dev extra, which ``katas dev check`` needs: it is the maintainers'
command (learners run the katas, never ``dev check``), the README has them install the extra,
and .ci/run installs it before it runs ``dev check``. So a tool that is not installed is a
problem of its rule, for ruff and mypy alike (and for django-stubs, whose plugin
``mypy_django_plugin`` pyproject.toml's [tool.mypy] loads), with the install as its fix. It is
never a skip: dev check's exit code counts problems only, so a skipped rule would let a CI run
with a broken install pass without the check. Whether a tool is there is asked of the import
system (importlib.util.find_spec, for the interpreter that runs dev check and the tool) before
the tool starts; what the tool writes is read as its report only. The one skip left is mypy
under ``--kata``: a choice of scope (katalib is none of the chosen katas), not a missing tool.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from importlib.util import find_spec

from katalib.base import manifest
from katalib.maint.dev.problems import Found, Problem, Repo, indent

INSTALL_DEV = 'python -m pip install -e ".[dev]"'
# The modules each rule runs, and the distribution of the dev extra that installs each.
RUFF_MODULES = {"ruff": "ruff"}
MYPY_MODULES = {"mypy": "mypy", "mypy_django_plugin": "django-stubs"}


def not_installed(rule: str, modules: Mapping[str, str]) -> list[Problem]:
    """A problem for each of ``modules`` (module -> distribution) this interpreter can't import."""
    return [
        Problem(
            rule,
            f"{dist} is not installed (no module {module}), so the {rule} rule can't run.",
            INSTALL_DEV,
        )
        for module, dist in modules.items()
        if find_spec(module) is None
    ]


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
    missing = not_installed("ruff", RUFF_MODULES)
    if missing:
        problems += missing
        return problems
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
            problems.add(f"ruff could not run: {exc}", INSTALL_DEV)
            return problems
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            problems.add(f"ruff {command[0]} failed:\n{indent(output)}", fix)
    return problems


def check_mypy(repo: Repo) -> list[Problem]:
    """``mypy`` as configured in pyproject.toml (katalib, with django-stubs); skipped under
    ``--kata`` only (katalib is none of the chosen katas)."""
    problems = Found("mypy")
    if repo.scoped:  # like ruff, a --kata run checks the chosen katas; katalib is none of them
        problems.skipped = "it checks katalib, which --kata leaves out"
        return problems
    missing = not_installed("mypy", MYPY_MODULES)
    if missing:
        problems += missing
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
        problems.add(f"mypy could not run: {exc}", INSTALL_DEV)
        return problems
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        problems.add(
            f"mypy failed:\n{indent(output)}",
            "fix each error it names (a narrow `# type: ignore[code]  # why` only where the "
            "stubs are wrong), then run python -m mypy",
        )
    return problems
