"""Harness tests: one time limit per thing, stated as every runner applies it.

A test that never ends (a learner's endless loop) is stopped after pyproject.toml's pytest
``timeout``: in plain pytest, in ``katas`` (cold and warm: the same pytest command, no limit of its
own) and in the browser (the page's limit for a test, from the same value). Loading a kata file
is stopped after ``KATA_IMPORT_TIMEOUT`` (katalib/core/probe/config.py). The READMEs state both numbers;
every number they state for either must be the configured one.
"""

from __future__ import annotations

import re
from pathlib import Path

from katalib.base import manifest
from katalib.core import probe
from katalib.loop import runner
from katalib.web import build as web

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "web/README.md"]
# How the READMEs state each limit (whitespace normalised).
TEST_LIMIT = [
    r"(\d+) s for a test",
    r"(\d+) s in a test",
    r"fails its test after (\d+) s",
]
IMPORT_LIMIT = [
    r"(\d+) s to load a kata file",
    r"(\d+) s while a kata file loads",
    r"KATA_IMPORT_TIMEOUT`, default (\d+) s",
]


def configured_test_limit() -> float:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return float(manifest.tomllib.load(fh)["tool"]["pytest"]["timeout"])


def stated(patterns: list[str]) -> list[tuple[str, float]]:
    found = []
    for name in DOCS:
        text = " ".join((ROOT / name).read_text(encoding="utf-8").split())
        for pattern in patterns:
            found += [(f"{name}: {pattern}", float(n)) for n in re.findall(pattern, text)]
    return found


def test_the_readmes_state_the_configured_configured_test_limit() -> None:
    found = stated(TEST_LIMIT)
    assert len(found) >= 3, found  # README (twice) and web/README: the wording was changed?
    assert all(seconds == configured_test_limit() for _, seconds in found), (
        configured_test_limit(),
        found,
    )


def test_the_readmes_state_the_configured_import_limit() -> None:
    found = stated(IMPORT_LIMIT)
    assert len(found) >= 3, found
    assert all(seconds == probe.DEFAULT_TIMEOUT for _, seconds in found), found


def test_katas_runs_pytest_with_the_same_test_limit(tmp_path: Path) -> None:
    """The katas command (its cold runs and the warm runner's) sets no limit of its own."""
    kata = manifest.load()[0]
    command = runner.pytest_command(kata, tmp_path / "results.json")
    assert not any("timeout" in part for part in command), command


def test_the_browser_stops_a_test_after_the_same_limit() -> None:
    _, data = web.site_content()
    assert data["timeouts"] == {"test": configured_test_limit(), "import": probe.DEFAULT_TIMEOUT}
    # The page's own defaults (used only without those values) say the same.
    pool = (ROOT / "web/src/pool.js").read_text(encoding="utf-8")
    defaults = re.search(r"DEFAULT_TIMEOUTS = \{ import: (\d+), test: (\d+),", pool)
    assert defaults, pool[:2000]
    assert float(defaults.group(1)) == probe.DEFAULT_TIMEOUT
    assert float(defaults.group(2)) == configured_test_limit()
