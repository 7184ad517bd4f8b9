"""Harness tests: Hypothesis examples that touch the database never see each other's rows."""

from __future__ import annotations

import time
from pathlib import Path

from tests.scratch import HEALTHY_MODELS, HEALTHY_QUERIES, make_repo
from tests.scratch import run_uncached as run

ISOLATED = """
from hypothesis import given, strategies as st

from katalib.core.testcase import KataHypothesisTestCase


class TestRowsPerExample(KataHypothesisTestCase):
    @given(n=st.integers(0, 5))
    def test_each_example_starts_empty(self, n):
        Author = self.kata_models().Author
        Author.objects.bulk_create(Author(name=f"a{i}") for i in range(n))
        # Only this example's rows exist: earlier examples were rolled back.
        assert Author.objects.count() == n


def test_nothing_leaked_after_the_examples(kata_models, db):
    assert kata_models.Author.objects.count() == 0
"""
# The trap the shared base class avoids: @given under one pytest-django transaction.
LEAKY = """
import pytest
from hypothesis import given, strategies as st


@pytest.mark.django_db
@given(n=st.integers(1, 5))
def test_each_example_starts_empty(n):
    from katalib.core.loader import kata_models
    Author = kata_models("k01_kata").Author
    Author.objects.bulk_create(Author(name=f"a{i}") for i in range(n))
    assert Author.objects.count() == n
"""
STUB = """
from hypothesis import given, strategies as st

from katalib.core.testcase import KataHypothesisTestCase


class TestStub(KataHypothesisTestCase):
    @given(n=st.lists(st.integers(0, 100), max_size=20))
    def test_stub(self, n):
        Author = self.kata_models().Author
        Author.objects.bulk_create(Author(name=f"a{i}") for i in n)
        self.kata_module("queries").answer()
"""


def repo_with(tmp_path: Path, tests: str, queries: str = HEALTHY_QUERIES) -> Path:
    repo = make_repo(tmp_path, {"01_kata": (HEALTHY_MODELS, queries)})
    (repo / "katas" / "01_kata" / "test_kata.py").write_text(tests)
    return repo


def test_each_example_runs_in_its_own_rolled_back_transaction(tmp_path: Path) -> None:
    """KataHypothesisTestCase: 100 examples, each sees only its own rows, none leak out."""
    done = run(repo_with(tmp_path, ISOLATED), "--hypothesis-profile=ci")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout


def test_the_trap_it_avoids_is_real(tmp_path: Path) -> None:
    """Without a per-example rollback the same check fails: rows leak between examples."""
    done = run(repo_with(tmp_path, LEAKY), "--hypothesis-profile=ci")
    assert done.returncode == 1
    assert "Author.objects.count() == n" in done.stdout


def test_untouched_stub_fails_fast(tmp_path: Path) -> None:
    """A NotImplementedError stub fails without seconds of shrinking database examples."""
    started = time.perf_counter()
    done = run(repo_with(tmp_path, STUB, "def answer():\n    raise NotImplementedError\n"))
    elapsed = time.perf_counter() - started
    assert done.returncode == 1
    assert "this kata function is still a stub" in done.stdout
    # The stub's failure is reported as it is: no shrinking, no Flaky replay errors on top.
    assert "Flaky" not in done.stdout and "Inconsistent" not in done.stdout
    # Not a timing assertion on the harness's speed: a generous bound that only a shrinking
    # loop over database rows would exceed.
    assert elapsed < 60
