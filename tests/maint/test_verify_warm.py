"""Harness tests: verify's variant runs through the warm server say what cold runs say.

``katalib.maint.verify`` runs each variant as a fork of a warm pytest server (katalib.loop.warm), started
in the variant's own scratch copy. These tests run the same variants both ways and compare
everything the proof reads; and they show that a run imports the harness, the settings and
the kata code from its copy, and that a hung or crashing run leaves the server up.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from katalib.base import manifest, repo
from katalib.loop import warm
from katalib.maint import verify
from tests.scratch import copy_repo

pytestmark = pytest.mark.skipif(not warm.available(), reason="the warm runner needs fork()")

# A kata whose mistakes break its files as they load, and one with Hypothesis tests.
KATAS = ["02_many_to_one", "06_one_to_one"]


def some_variants(kata: str) -> list[verify.Variant]:
    """The first and last wrong_ variants that name an explanation rule, and the first ok_."""
    found = verify.find_variants({kata})
    ruled = [v for v in found if v.rules]
    ok = [v for v in found if v.expect_pass]
    return [*ruled[:1], *ruled[-1:], *ok[:1]]


def same(text: str, scratch: Path) -> str:
    """``text`` without what differs between any two runs: the folder, durations, addresses."""
    text = re.sub(r" in \d+\.\d+s", " in <time>", text.replace(str(scratch), "<scratch>"))
    return re.sub(r" at 0x[0-9a-f]+", " at <address>", text)


def shown(result: verify.VariantResult, scratch: Path) -> tuple[str, dict]:
    """A run's output, and each test's outcome: status, pytest's reason, the rules that spoke."""
    assert result.run is not None
    outcomes = {
        test: (o.status, same(o.reason, scratch), o.rules)
        for test, o in result.run.outcomes.items()
    }
    return same(result.run.output, scratch), outcomes


def test_warm_variant_runs_say_what_cold_ones_say(tmp_path: Path) -> None:
    variants = [v for kata in KATAS for v in some_variants(kata)]
    assert len(variants) == 6, [v.name for v in variants]
    runs = verify.WarmRunners()
    quiet = lambda line: None
    try:
        with ThreadPoolExecutor(2) as pool:
            hot = list(
                pool.map(
                    lambda v: verify.check_variant(v, [], tmp_path / "w", quiet, runs), variants
                )
            )
            cold = list(
                pool.map(lambda v: verify.check_variant(v, [], tmp_path / "c", quiet), variants)
            )
    finally:
        runs.stop()
    # Every run was warm: no server failed, none fell back to a cold run.
    assert (runs.served, runs.notes) == (len(variants), [])
    for h, c in zip(hot, cold, strict=True):
        name = h.variant.name
        assert h.run is not None and c.run is not None, (name, h.verdict, c.verdict)
        assert h.run.code == c.run.code, name
        assert any(o.rules for o in c.run.outcomes.values()) or h.variant.expect_pass, name
        # The focused output that words_missed reads, word for word, and each test's status,
        # pytest's reason and the kata_explanation_rule properties.
        assert shown(h, tmp_path / "w") == shown(c, tmp_path / "c"), name
        # The proof's verdict on the variant, and what the mistake corpus found missing.
        verdicts = [
            [same(str(x), tmp_path / side) for x in (r.verdict, *r.misses)]
            for r, side in ((h, "w"), (c, "c"))
        ]
        assert verdicts[0] == verdicts[1], name


def a_copy(tmp_path: Path, kata: str = "02_many_to_one") -> Path:
    """A variant's kind of scratch copy: the harness and one kata."""
    parts = [*repo.HARNESS, f"katas/{kata}", f"solutions/{kata}"]
    root = copy_repo(tmp_path / "copy", parts)
    for tree in ("katas", "solutions"):
        (root / tree / "__init__.py").write_text("")
    return root


WHERE = """
import os
import sys
from pathlib import Path

import katalib
from hypothesis.configuration import storage_directory
from hypothesis.internal.conjecture.providers import _get_local_constants

from katalib.base import manifest


def test_imports_come_from_the_copy(kata_models):
    here = os.getcwd()
    assert sys.path[0] == here
    assert manifest.ROOT == Path(here)
    for module in (katalib, sys.modules["settings"], sys.modules["conftest"], kata_models):
        assert module.__file__.startswith(here + os.sep), module.__file__
    assert "solutions" in Path(kata_models.__file__).parts
    assert storage_directory(intent_to_write=False).path == Path(here, ".hypothesis")
    # The constants Hypothesis draws examples from: those of the modules this run imported.
    pool = sorted(map(repr, _get_local_constants()))
    Path(os.environ["POOL_FILE"]).write_text("\\n".join(pool), encoding="utf-8")
"""


def test_a_warm_run_imports_everything_from_its_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = a_copy(tmp_path)
    (root / "katas" / "02_many_to_one" / "test_where.py").write_text(WHERE)
    args, xml = ["katas/02_many_to_one/test_where.py"], root / "w.xml"
    # The server runs from the working tree: its own harness is not the copy's.
    assert manifest.ROOT != root
    runs = verify.WarmRunners()
    monkeypatch.setenv("POOL_FILE", str(tmp_path / "warm.txt"))
    try:
        run = runs.run("solutions", root, args, xml)
    finally:
        runs.stop()
    assert run is not None and run.code == 0, run and run.output
    monkeypatch.setenv("POOL_FILE", str(tmp_path / "cold.txt"))
    cold = verify.run_pytest("solutions", root, args, xml)
    assert cold.code == 0, cold.output
    # Hypothesis's derandomised examples come from the same constants, warm and cold.
    assert (tmp_path / "warm.txt").read_text() == (tmp_path / "cold.txt").read_text()


HANG = "import time\n\ndef test_hangs():\n    time.sleep(60)\n"
CRASH = "import os\n\ndef test_crashes():\n    os.abort()\n"


def test_hung_and_crashing_runs_leave_the_server_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = a_copy(tmp_path)
    tests = root / "katas" / "02_many_to_one"
    (tests / "test_hang.py").write_text(HANG)
    (tests / "test_crash.py").write_text(CRASH)
    xml = root / "r.xml"

    def pytest_run(name: str, runs: verify.WarmRunners | None = None) -> verify.Run:
        # verify's outer limit: 3 s for the run that hangs, the usual 900 s for the others.
        limit = 3 if name == "test_hang.py" else 900
        monkeypatch.setattr(verify, "RUN_LIMIT", limit)
        return verify.run_pytest("solutions", root, [f"katas/02_many_to_one/{name}"], xml, runs)

    runs = verify.WarmRunners()
    try:
        names = ("test_hang.py", "test_crash.py", "test_many_to_one.py")
        warm_runs = [pytest_run(name, runs) for name in names]
    finally:
        runs.stop()
    # All three were served by the one server: neither run took it down.
    assert (runs.served, runs.notes) == (3, [])
    hung, crashed, healthy = warm_runs
    cold_hung, cold_crashed = pytest_run("test_hang.py"), pytest_run("test_crash.py")
    # Stopped at the limit, reported as the cold path reports it.
    assert (hung.code, hung.outcomes) == (cold_hung.code, cold_hung.outcomes) == (3, {})
    assert hung.output.endswith("pytest still running after 3 s: stopped")
    assert cold_hung.output.endswith("pytest still running after 3 s: stopped")
    assert crashed.code == cold_crashed.code == -6  # SIGABRT, warm as cold
    assert healthy.code == 0 and healthy.outcomes, healthy.output
