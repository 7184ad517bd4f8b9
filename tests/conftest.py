"""Harness tests, one folder per layer of katalib (tests/<layer>/), shared helpers in
tests/scratch.py (``from tests.scratch import ...``).

Many of them run whole pytest processes (a kata's run, the verification, the warm runner): they
get a time limit of their own instead of the 30 s a learner's kata test has, so a slow or busy
machine makes them slow, not red.
"""

from pathlib import Path

import pytest

from tests.scratch import scratch_repo

HARNESS_TEST_TIMEOUT = 900  # seconds; the slowest measured (test_warm under load) took ~80 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(HARNESS_TEST_TIMEOUT))


@pytest.fixture
def repo(tmp_path) -> Path:
    """A copy of the repository as a learner has it (katalib, the config, katas/, solutions/)."""
    return scratch_repo(tmp_path)
