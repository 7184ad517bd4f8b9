"""Shared fixtures and Hypothesis profiles for every kata. Learners don't edit this file.

The rest of the harness (``--solutions``, the ❌/✅ explanations, the progress summary) is the
pytest plugin in ``katalib/core/plugin.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType

import pytest
from hypothesis import Phase, settings

from katalib.core import loader, probe, schema
from katalib.core.plugin import kata_of


def pytest_addoption(parser: pytest.Parser) -> None:
    # kata_import_timeout: seconds a kata file may take to load (katalib.core.probe).
    probe.add_ini(parser)


# Learners: quick runs, no deadline (database work makes example timings noisy), and no
# "explain" phase (its extra report lines point into library code, not at the kata).
settings.register_profile(
    "learner",
    max_examples=25,
    deadline=None,
    phases=[phase for phase in Phase if phase is not Phase.explain],
    # One failure, the simplest: not an exception group of every distinct bug found.
    report_multiple_bugs=False,
)
# Hypothesis loads its built-in "ci" profile (derandomised, no deadline) when it detects CI;
# HYPOTHESIS_PROFILE=<name> or --hypothesis-profile=<name> chooses any profile.
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif settings.get_current_profile_name() != "ci":
    settings.load_profile("learner")


@pytest.fixture(scope="session")
def django_db_use_migrations(django_db_use_migrations: bool) -> bool:
    """pytest-django's own value. Asked for just before it builds the test database: make
    Django build each kata's tables on their own, so that tables the database refuses fail
    only their kata (katalib.core.schema)."""
    schema.install()
    return django_db_use_migrations


def _label(request: pytest.FixtureRequest) -> str:
    kata = kata_of(request.path)
    if kata is None:
        pytest.fail(f"{request.path} is not inside a kata folder listed in katas.toml")
    return kata.label


@pytest.fixture
def kata_models(request: pytest.FixtureRequest) -> ModuleType | None:
    """The models module of this test's kata, from katas/ or (with --solutions) solutions/."""
    return loader.kata_models(_label(request))


@pytest.fixture
def kata_module(request: pytest.FixtureRequest) -> Callable[[str], ModuleType]:
    """``kata_module("queries")`` imports that module of this test's kata."""
    label = _label(request)
    loader.kata_models(label)  # broken models fail at setup, like the kata_models fixture
    return lambda name: loader.kata_module(label, name)
