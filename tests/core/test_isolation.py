"""Harness tests: one broken kata file breaks only its own kata, and the run still completes.

Each test builds a scratch repository with the real harness (katalib/, conftest.py,
settings.py, pyproject.toml) and small synthetic katas, some of them broken on purpose, then
runs pytest there in a subprocess, exactly as a learner would.
Run with: pytest tests
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.scratch import HEALTHY_MODELS, HEALTHY_QUERIES, make_repo
from tests.scratch import run_uncached as run

ROOT = Path(__file__).resolve().parents[2]

# kata folder -> (models.py, queries.py): each breaks the kata in one of the ways learners do.
BROKEN = {
    "11_syntax_error": (HEALTHY_MODELS + "\nclass Oops(models.Model)\n    pass\n", HEALTHY_QUERIES),
    "12_name_error": (
        HEALTHY_MODELS.replace("ForeignKey(Author", "ForeignKey(Writer"),
        HEALTHY_QUERIES,
    ),
    "13_missing_on_delete": (
        HEALTHY_MODELS.replace(", on_delete=models.CASCADE", ""),
        HEALTHY_QUERIES,
    ),
    "14_missing_model": (
        HEALTHY_MODELS.replace("ForeignKey(Author", 'ForeignKey("Writer"'),
        HEALTHY_QUERIES,
    ),
    "15_accessor_clash": (
        HEALTHY_MODELS + "    editor = models.ForeignKey(Author, on_delete=models.CASCADE)\n",
        HEALTHY_QUERIES,
    ),
    "16_set_null_without_null": (
        HEALTHY_MODELS.replace("models.CASCADE", "models.SET_NULL"),
        HEALTHY_QUERIES,
    ),
    "17_never_returns": (HEALTHY_MODELS, "def answer():\n    while True:\n        pass\n"),
    "18_broken_queries": (HEALTHY_MODELS, "def answer(:\n    return 42\n"),
}
HEALTHY = ["01_healthy", "02_also_healthy"]

# What the learner must be told, per broken kata: file, line, Django's message, the fix.
EXPECTED = {
    "11_syntax_error": [
        "katas/11_syntax_error/models.py, line 12",
        "SyntaxError",
        "Fix: fix that line",
    ],
    "12_name_error": [
        "katas/12_name_error/models.py, line 10",
        "NameError: name 'Writer'",
        # No model is called Writer (nor anything close): no quoted ForeignKey("Writer", ...),
        # which would only move the error to "a model that does not exist".
        "define or import it before the line that uses it",
    ],
    "13_missing_on_delete": [
        "katas/13_missing_on_delete/models.py, line 10",
        "missing 1 required positional argument: 'on_delete'",
        "Fix: pass on_delete",
    ],
    "14_missing_model": ["relation to a model that does not exist", "Post.author -> 'Writer'"],
    "15_accessor_clash": ["fields.E304", "Fix: two relations to the same model"],
    "16_set_null_without_null": ["fields.E320", "null=True"],
}
# The models load, so only the test that imports queries.py fails.
BROKEN_QUERIES = ["katas/18_broken_queries/queries.py, line 1", "SyntaxError"]


@pytest.fixture(scope="module")
def broken_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("isolation")
    katas = {name: (HEALTHY_MODELS, HEALTHY_QUERIES) for name in HEALTHY} | BROKEN
    repo = make_repo(tmp, katas)
    return repo, run(repo, "--timeout=3", "-rA", "--show-all")


def results(repo: Path) -> dict[str, dict]:
    data = json.loads((repo / "kata-results.json").read_text())
    return {row["kata"]: row for row in data["katas"]}


def test_run_completes_without_collection_or_internal_errors(broken_run) -> None:
    """Broken katas never stop collection: pytest runs every test and exits 1 (tests failed)."""
    _, done = broken_run
    # Exit code 1 means "some tests failed"; 2-4 would mean an interrupted or broken run.
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "errors during collection" not in done.stdout
    assert "INTERNALERROR" not in done.stdout + done.stderr


def test_healthy_katas_still_pass(broken_run) -> None:
    """Every kata that isn't broken runs normally and is solved."""
    repo, done = broken_run
    rows = results(repo)
    for name in HEALTHY:
        # The healthy katas' tests ran and passed despite eight broken neighbours.
        assert rows[name]["solved"] and rows[name]["total"] == 2, (
            name,
            rows[name],
            done.stdout[-2000:],
        )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_kata_fails_alone_with_a_clear_message(broken_run, name: str) -> None:
    """A broken kata's tests fail with the file, the line, Django's message and the fix."""
    repo, done = broken_run
    row = results(repo)[name]
    # Both tests of the broken kata fail; nothing else is affected (see the test above).
    assert row["ran"] and row["passed"] == 0 and row["total"] == 2, row
    for text in EXPECTED[name]:
        assert text in done.stdout, f"{name}: expected {text!r} in the output"


def test_broken_queries_module_fails_only_the_tests_using_it(broken_run) -> None:
    """A syntax error in queries.py fails the test that imports it; the models test passes."""
    repo, done = broken_run
    row = results(repo)["18_broken_queries"]
    assert row["passed"] == 1 and row["total"] == 2, row
    for text in BROKEN_QUERIES:
        assert text in done.stdout, f"expected {text!r} in the output"


def test_function_that_never_returns_fails_only_its_test(broken_run) -> None:
    """An endless loop in a kata function fails that test after the timeout; the run goes on."""
    repo, done = broken_run
    row = results(repo)["17_never_returns"]
    # The models test passes, the hanging query times out.
    assert row["passed"] == 1 and row["total"] == 2, row
    assert "Timeout" in done.stdout


def test_explanations_degrade_to_plain_text_on_legacy_consoles(tmp_path: Path) -> None:
    """Where the console can't encode ❌/✅ (cp1252), plain markers stand in: no UnicodeEncodeError."""
    repo = make_repo(tmp_path, {"13_missing_on_delete": BROKEN["13_missing_on_delete"]})
    done = run(repo, PYTHONIOENCODING="cp1252")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "UnicodeEncodeError" not in done.stdout + done.stderr
    # The fallback markers replace the emoji in the explanation and the summary.
    assert "[X] TypeError: ForeignKey without on_delete." in done.stdout
    assert "[OK] Fix: pass on_delete" in done.stdout


def test_summary_counts_only_tests_that_ran(tmp_path: Path) -> None:
    """With -x, katas whose tests never ran say so instead of showing 0 passed."""
    repo = make_repo(
        tmp_path,
        {
            "01_first": BROKEN["13_missing_on_delete"],
            "02_second": (HEALTHY_MODELS, HEALTHY_QUERIES),
        },
    )
    done = run(repo, "-x")
    summary = done.stdout.split("kata progress", 1)[-1]
    assert "01_first" in summary and "0/2 tests" in summary
    # Kata 02 was collected but -x stopped the run before it.
    assert next(line for line in summary.splitlines() if "02_second" in line).endswith(
        "not run yet"
    )
    assert "Next: open katas/01_first/README.md" in summary
