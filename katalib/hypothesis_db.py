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
from pathlib import Path
from types import ModuleType

from hypothesis.extra.django import TestCase

from katalib import loader


class KataHypothesisTestCase(TestCase):
    """A Hypothesis TestCase that finds its kata's code and fails fast on untouched stubs."""

    _stub_error: NotImplementedError | None = None

    def _label(self) -> str:
        from katalib.plugin import kata_of

        kata = kata_of(Path(inspect.getfile(type(self))))
        if kata is None:
            raise RuntimeError(f"{type(self).__name__} is not inside a kata folder")
        return kata.label

    def kata_models(self) -> ModuleType | None:
        return loader.kata_models(self._label())

    def kata_module(self, name: str) -> ModuleType:
        return loader.kata_module(self._label(), name)

    def execute_example(self, f):
        # A stub that raises NotImplementedError fails the same way for every example; re-raise
        # it at once instead of building each shrinking candidate's rows in the database.
        if self._stub_error is not None:
            raise self._stub_error
        self.setup_example()  # hypothesis.extra.django: open this example's transaction
        try:
            return f()
        except NotImplementedError as exc:
            self._stub_error = exc
            raise
        finally:
            self.teardown_example(None)  # ...and roll it back
