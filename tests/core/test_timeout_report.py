"""Harness tests: a test stopped by its time limit is reported like any failure, every time.

Measured: a kata-13 graph walk that never ended hit the test timeout and, in 1 run of 6, pytest
itself stopped with INTERNALERROR (``tb_lineno`` was None while the timeout failure was being
formatted): exit 3, no summary, no other kata reported. pytest-timeout's signal stops the code
at any instruction, and some have no line number: pytest can't format such a traceback entry.

A scratch repository holds the real harness and small katas: one whose function is stopped, as
the signal may stop it, at an instruction without a line number (every run, not 1 in 6), and
one whose graph walk never ends, stopped by a short --timeout in several runs. Each run must end
as a learner's run ends: exit code 1, every test reported, the summary printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from katalib.core import tidy
from tests import scratch
from tests.scratch import kata_repo

HINTS = "# Hints\n\n## 1. Finish\n\n- Remember what you have visited.\n"

# Stopped at the clean-up code of a `with` block: an instruction without a line number.
NO_LINE = """
import os
import sys
import types

import pytest


def walk(comment):
    seen = []
    with open(os.devnull):
        seen.append(comment)
    frame = sys._getframe()
    lasti = next(start for start, _end, line in frame.f_code.co_lines() if line is None)
    stopped = types.TracebackType(None, frame, lasti, -1)
    raise pytest.fail.Exception("Timeout (>10.0s) from pytest-timeout.").with_traceback(stopped)
"""

# Kata 13's walk, measured: it follows every reply, and a reply that answers itself (a cycle)
# keeps it going forever.
ENDLESS = """
import contextlib


def thread_size(comment):
    todo = [comment]
    count = 0
    while todo:
        node = todo.pop()
        with contextlib.suppress(AttributeError):
            todo.extend(node.replies)
        count += 1
    return count
"""

TESTS = """
from types import SimpleNamespace

import pytest


@pytest.mark.task(1)
def test_walk(kata_module):
    first = SimpleNamespace(replies=[])
    first.replies.append(first)
    kata_module("queries").{function}(first)


@pytest.mark.task(1)
def test_something_else():
    assert 1 + 1 == 3, "1 + 1 returned 2; expected 3."
"""

KATAS = {"01_no_line": ("walk", NO_LINE), "02_endless": ("thread_size", ENDLESS)}


def make_repo(tmp_path: Path) -> Path:
    files = {"models.py": "", "test_kata.py": TESTS, "HINTS.md": HINTS}
    return kata_repo(
        tmp_path / "repo",
        {
            folder: {
                **files,
                "queries.py": code,
                "test_kata.py": TESTS.replace("{function}", function),
            }
            for folder, (function, code) in KATAS.items()
        },
    )


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return scratch.run(repo, *args, columns=100, cache=False, KATA_PROBE="0")


def assert_reported(done: subprocess.CompletedProcess[str], kata: str) -> None:
    """A learner's run: exit 1, both tests of the kata reported, the progress summary."""
    output = done.stdout + done.stderr
    assert "INTERNALERROR" not in output, output[-4000:]
    assert done.returncode == 1, output[-4000:]
    assert "kata progress (katas/)" in done.stdout
    assert f" {kata} " in done.stdout.split("kata progress", 1)[1]
    assert "Timeout" in done.stdout
    assert "2 failed" in done.stdout.splitlines()[-1]


def stopped_traceback() -> types.TracebackType:
    """A traceback entry stopped at an instruction without a line number, as a signal may stop
    one (its ``tb_lineno`` is None; Python 3.10 has no such entries)."""
    with open(os.devnull):  # its clean-up code: instructions without a line number
        pass
    frame = sys._getframe()
    lasti = next(start for start, _end, line in frame.f_code.co_lines() if line is None)
    return types.TracebackType(None, frame, lasti, -1)


needs_lineless = pytest.mark.skipif(
    stopped_traceback().tb_lineno is not None,
    reason="this Python gives every traceback entry a line number",
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("timeouts"))


@needs_lineless
def test_a_frame_without_a_line_number_is_reported(repo: Path) -> None:
    """The entry without a line gets the line before it: the learner's `with` line, named in
    the traceback and in the explanation."""
    for _ in range(2):
        done = run(repo, "katas/01_no_line")
        assert_reported(done, "01_no_line")
        source = (repo / "katas/01_no_line/queries.py").read_text().splitlines()
        line = next(n for n, text in enumerate(source, 1) if "with open(os.devnull)" in text)
        assert f"katas/01_no_line/queries.py:{line}: in walk" in done.stdout
        assert f"running line {line}" in done.stdout  # the explanation's place: the same line


def test_an_endless_walk_is_reported_in_every_run(repo: Path) -> None:
    """pytest-timeout's signal stops the walk at a different instruction each time."""
    for _ in range(4):
        done = run(repo, "katas/02_endless", "--timeout=0.5")
        assert_reported(done, "02_endless")
        assert "thread_size" in done.stdout  # the kata function that never ended


@needs_lineless
def test_every_traceback_entry_gets_a_line_number() -> None:
    """tidy.numbered(): the copy of the traceback has the nearest earlier line; the exception's
    causes too; an exception whose entries all have a line keeps its traceback."""

    cause = ValueError("cause")
    cause.__traceback__ = stopped_traceback()
    error = RuntimeError("stopped")
    error.__cause__ = cause
    error.__traceback__ = stopped_traceback()
    excinfo = pytest.ExceptionInfo.from_exception(error)
    fixed = tidy.numbered(excinfo)
    assert fixed is not excinfo and fixed.value is excinfo.value
    assert isinstance(fixed.tb.tb_lineno, int) and fixed.tb.tb_lineno > 0
    assert isinstance(fixed.value.__cause__.__traceback__.tb_lineno, int)
    fixed.getrepr(style="short")  # pytest formats it
    assert tidy.numbered(fixed) is fixed
