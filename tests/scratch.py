"""Scratch copies of the repository for the harness tests: what a learner has after cloning.

Tests that run pytest, the katas command or the checks the way a learner or a maintainer
would, do it in a copy under tmp_path, so they never touch (or depend on) the working tree's
own progress record, caches or work in progress.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from katalib.base import repo

ROOT = Path(__file__).resolve().parent.parent  # tests/scratch.py -> the repository
# The harness, both trees and the configuration: enough to run every kata.
PARTS = [*repo.HARNESS, *repo.TREES]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "kata-results.json")


HARNESS = [p for p in repo.HARNESS if p != "katas.toml"]  # synthetic katas write their own


def harness_repo(folder: Path) -> Path:
    """The harness only, with empty katas/ and solutions/ packages, for synthetic katas."""
    copy_repo(folder, HARNESS)
    for tree in ["katas", "solutions"]:
        (folder / tree).mkdir()
        (folder / tree / "__init__.py").write_text("")
    return folder


def copy_repo(folder: Path, parts: list[str] = PARTS) -> Path:
    """Copy ``parts`` of the repository into ``folder`` (created); return ``folder``."""
    folder.mkdir(parents=True)
    for name in parts:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=IGNORED)
        else:
            shutil.copy2(source, folder / name)
    return folder


# --- Synthetic katas: small kata folders written by a test --------------------------------------


def kata_repo(folder: Path, katas: dict[str, dict[str, str]]) -> Path:
    """The harness with synthetic katas: kata folder -> {file name: text}. Every file but the
    tests (``test_*``) and HINTS.md is a learner's file in the manifest."""
    repo = harness_repo(folder)
    manifest = []
    for name, files in katas.items():
        kata = repo / "katas" / name
        kata.mkdir()
        (kata / "__init__.py").write_text("")
        for file, text in files.items():
            (kata / file).write_text(text)
        editable = [f for f in files if f.endswith(".py") and not f.startswith("test_")]
        manifest.append(
            f'[[kata]]\ndir = "{name}"\nfiles = {editable!r}\n'.replace("'", '"')
            + f'title = "{name}"\nhint = "hint for {name}"\n'
        )
    (repo / "katas.toml").write_text("\n".join(manifest))
    return repo


# --- Running what a learner runs ----------------------------------------------------------------

# Plugins a maintainer may have installed that add lines of their own (a fresh learner's
# install has none of them).
OPTIONAL_PLUGINS = ["-p", "no:randomly", "-p", "no:sugar", "-p", "no:instafail"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


def run(
    repo: Path, *args: str, columns: int = 80, cache: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """pytest in a scratch repository, as a learner runs it (``cache=False``: no
    .pytest_cache, so no progress is remembered)."""
    variables = {**os.environ, "COLUMNS": str(columns), "KATA_TARGET": "katas", **env}
    variables.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", *OPTIONAL_PLUGINS,
            *([] if cache else ["-p", "no:cacheprovider"]), *args,
        ],
        check=False,
        cwd=repo,
        env=variables,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
    )  # fmt: skip


def solve(repo: Path, kata: str) -> None:
    """Copy the kata's solution files over the learner's files."""
    for path in (repo / "solutions" / kata).glob("*.py"):
        shutil.copy2(path, repo / "katas" / kata / path.name)


def environment(repo: Path) -> dict[str, str]:
    """A learner's environment for the katas command in ``repo``: no harness variables, a git
    identity, a copy outside git kept outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KATA_", "PYTEST_"))}
    env.update(
        GIT_CEILING_DIRECTORIES=str(repo.parent),
        GIT_AUTHOR_NAME="Learner",
        GIT_AUTHOR_EMAIL="learner@example.com",
        GIT_COMMITTER_NAME="Learner",
        GIT_COMMITTER_EMAIL="learner@example.com",
        PYTHONIOENCODING="utf-8",
    )
    return env


def scratch_repo(tmp_path: Path) -> Path:
    """A copy of the repository as a learner has it, in ``tmp_path``."""
    return copy_repo(tmp_path / "repo")


class Output:
    """A process's output, read in the background, to wait for a pattern in it."""

    def __init__(self, read) -> None:
        self.chunks: queue.Queue[str] = queue.Queue()
        self.text = ""
        self.seen = 0

        def pump() -> None:
            while True:
                try:
                    data = read()
                except OSError:  # the pty closed: the process is gone
                    data = b""
                if not data:
                    self.chunks.put("")
                    return
                self.chunks.put(data.decode("utf-8", "replace"))

        threading.Thread(target=pump, daemon=True).start()

    def expect(self, pattern: str, timeout: float = 120) -> re.Match:
        end = time.monotonic() + timeout
        while True:
            found = re.compile(pattern).search(ANSI.sub("", self.text), self.seen)
            if found:
                self.seen = found.end()
                return found
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{pattern!r} not seen; output so far:\n{self.text}")
            try:
                self.text += self.chunks.get(timeout=min(left, 1))
            except queue.Empty:
                continue


def start_katas(repo: Path) -> tuple[subprocess.Popen[bytes], Output]:
    """``katas`` (as ``python -m katalib``) in ``repo`` without a terminal, and its output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "katalib"],
        cwd=repo,
        env=environment(repo),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return process, Output(lambda: process.stdout.read1(4096))


# Synthetic katas (folder -> models.py, queries.py), each with the same two tests.
HEALTHY_MODELS = """
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
"""
HEALTHY_QUERIES = "def answer():\n    return 42\n"
TESTS = """
import pytest

pytestmark = pytest.mark.django_db


def test_models_work(kata_models):
    author = kata_models.Author.objects.create(name="a")
    assert kata_models.Post.objects.create(author=author).author == author


def test_queries_work(kata_module):
    assert kata_module("queries").answer() == 42
"""


def make_repo(tmp_path: Path, katas: dict[str, tuple[str, str]]) -> Path:
    """Synthetic katas, folder -> (models.py, queries.py), each with TESTS."""
    return kata_repo(
        tmp_path / "repo",
        {
            folder: {"models.py": models, "queries.py": queries, "test_kata.py": TESTS}
            for folder, (models, queries) in katas.items()
        },
    )


def run_uncached(
    repo: Path, *args: str, cache: bool = False, **env: str
) -> subprocess.CompletedProcess[str]:
    """pytest in the scratch repo, as a learner runs it (``cache=False``: no .pytest_cache)."""
    return run(repo, *args, cache=cache, **env)
