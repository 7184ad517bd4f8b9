"""The one way katas run Hypothesis ``@given`` tests against the database.

pytest-django does not isolate Hypothesis examples: with ``@pytest.mark.django_db`` every
example shares one transaction and rows leak from one example into the next (no health check
warns you). ``hypothesis.extra.django.TestCase`` wraps *each example* in its own transaction
and rolls it back, so every example starts from an empty database. Kata tests subclass
``KataHypothesisTestCase``::

    class TestTagCounts(KataHypothesisTestCase):
        @given(graph=blog_graphs())
        def test_counts(self, graph):
            models = self.kata_models()
            ...

No health check is suppressed: the function-scoped-fixture check never fires because no
pytest fixture is requested.
"""

from __future__ import annotations

import inspect
import unittest
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis.extra.django import TestCase

from katalib.core import loader


class KataHypothesisTestCase(TestCase):
    """A Hypothesis TestCase that finds its kata's code and fails fast on untouched stubs."""

    def _label(self) -> str:
        from katalib.core.plugin import kata_of

        kata = kata_of(Path(inspect.getfile(type(self))))
        if kata is None:
            raise RuntimeError(f"{type(self).__name__} is not inside a kata folder")
        return kata.label

    def kata_models(self) -> ModuleType | None:
        return loader.kata_models(self._label())

    def kata_module(self, name: str) -> ModuleType:
        return loader.kata_module(self._label(), name)

    def execute_example(self, f):
        self.setup_example()  # hypothesis.extra.django: open this example's transaction
        try:
            return f()
        except (NotImplementedError, pytest.fail.Exception) as exc:
            # An untouched stub (NotImplementedError) or a kata that can't run yet (a broken
            # file, "do task 1 first": pytest.fail) fails the same way for every example.
            # Hypothesis re-raises skip exceptions at once instead of shrinking, so leave as one
            # (no seconds of building rows for shrink candidates); _callTestMethod turns it
            # back into the original failure.
            raise _StubNotWritten(str(exc)) from exc
        finally:
            self.teardown_example(None)  # ...and roll it back

    def _callTestMethod(self, method) -> None:
        try:
            method()
        except _StubNotWritten as skip:
            raise (skip.__cause__ or skip) from None  # the stub's own error: a failure


class _StubNotWritten(unittest.SkipTest):
    """Carries a failure that no example can change past Hypothesis, without shrinking."""
