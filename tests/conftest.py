"""Harness tests import helpers from each other (test_verify uses test_isolation's builders).

Many of them run whole pytest processes (a kata's run, the verification, the warm runner): they
get a time limit of their own instead of the 30 s a learner's kata test has, so a slow or busy
machine makes them slow, not red.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

HARNESS_TEST_TIMEOUT = 900  # seconds; the slowest measured (test_warm under load) took ~80 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(HARNESS_TEST_TIMEOUT))
