"""Harness tests: the verification catches every way a kata can fail to prove itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.scratch import HEALTHY_MODELS, make_repo

STUB_QUERIES = "def answer():\n    raise NotImplementedError\n"
GOOD_TESTS = """
def test_answer(kata_module):
    assert kata_module("queries").answer() == 42
"""
NON_DISCRIMINATING = """
def test_always_true(kata_models):
    assert kata_models is not None
"""


def build(tmp_path: Path, tests: str, variants: dict[str, str]) -> Path:
    """A one-kata repo; ``variants`` maps a variant name to what ``answer()`` returns."""
    repo = make_repo(tmp_path, {"01_kata": (HEALTHY_MODELS, STUB_QUERIES)})
    (repo / "katas" / "01_kata" / "test_kata.py").write_text(tests)
    solution = repo / "solutions" / "01_kata"
    solution.mkdir()
    (solution / "__init__.py").write_text("")
    (solution / "models.py").write_text(HEALTHY_MODELS)
    (solution / "queries.py").write_text("def answer():\n    return 42\n")
    entries = [
        f'[{name}]\nwhy = "test"\n[[{name}.edit]]\nfile = "queries.py"\n'
        f'old = "return 42"\nnew = "return {value}"\n'
        for name, value in variants.items()
    ]
    (solution / "variants.toml").write_text("\n".join(entries))
    return repo


def verify(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "katalib.verify", *args],
        check=False,
        cwd=repo,
        env={k: v for k, v in os.environ.items() if k != "KATA_TARGET"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_proven_kata_passes(tmp_path: Path) -> None:
    """Fails on the stub, passes on the solution, wrong variant rejected, valid one accepted."""
    repo = build(
        tmp_path,
        GOOD_TESTS,
        {
            "wrong_off_by_one": "41",
            "ok_sum": "40 + 2",
        },
    )
    done = verify(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rejected by test_answer" in done.stdout


def test_a_test_that_passes_on_the_stub_is_named(tmp_path: Path) -> None:
    """A test that cannot fail on the untouched stub is reported by its pytest node id."""
    repo = build(tmp_path, GOOD_TESTS + NON_DISCRIMINATING, {})
    done = verify(repo)
    assert done.returncode == 1
    assert (
        "passes on the untouched stub (passed): katas/01_kata/test_kata.py::test_always_true"
        in done.stdout
    )


def test_a_test_failing_on_the_solution_shows_pytests_reason(tmp_path: Path) -> None:
    """The node id can be pasted into pytest, and pytest's own reason comes with it."""
    failing = GOOD_TESTS + (
        "\n\nclass TestMore:\n    def test_wrong_answer(self, kata_module):\n"
        '        assert kata_module("queries").answer() == 7, "seven expected"\n'
    )
    repo = build(tmp_path, failing, {})
    done = verify(repo)
    assert done.returncode == 1
    assert (
        "does not pass on the solution (failed): "
        "katas/01_kata/test_kata.py::TestMore::test_wrong_answer" in done.stdout
    )
    assert "pytest: AssertionError: seven expected" in done.stdout


def test_an_unknown_kata_lists_the_real_ones(tmp_path: Path) -> None:
    """A typo in --kata is not "no tests were collected": the real names, exit code 2."""
    repo = build(tmp_path, GOOD_TESTS, {})
    done = verify(repo, "--kata", "01_kata_typo")
    assert done.returncode == 2
    assert "there is no kata '01_kata_typo'" in done.stderr
    assert "01_kata" in done.stderr.split("are:", 1)[1]


def test_a_folder_missing_from_the_manifest_is_named(tmp_path: Path) -> None:
    """A kata folder forgotten in katas.toml is said to be so, not five failing tests."""
    repo = build(tmp_path, GOOD_TESTS, {})
    (repo / "katas.toml").write_text("")
    done = verify(repo, "--kata", "01_kata")
    assert done.returncode == 1
    assert "01_kata is a folder on disk but not listed in katas.toml" in done.stdout


def test_an_accepted_wrong_solution_and_a_rejected_valid_one_are_named(tmp_path: Path) -> None:
    """Variants that behave the other way round fail the verification, by name."""
    repo = build(
        tmp_path,
        GOOD_TESTS,
        {
            "wrong_but_passes": "42",
            "ok_but_fails": "0",
        },
    )
    done = verify(repo)
    assert done.returncode == 1
    assert "01_kata/wrong_but_passes: wrong solution accepted" in done.stdout
    assert "01_kata/ok_but_fails: valid alternative rejected" in done.stdout


def test_an_edit_that_no_longer_fits_is_named(tmp_path: Path) -> None:
    """A variant whose `old` text is gone from the solution fails loudly, by name."""
    repo = build(tmp_path, GOOD_TESTS, {"wrong_stale": "41"})
    solution = repo / "solutions" / "01_kata" / "queries.py"
    solution.write_text("def answer():\n    return 6 * 7\n")
    done = verify(repo)
    assert done.returncode == 1
    assert "01_kata/wrong_stale: edit of queries.py found its `old` text 0 times" in done.stdout


def test_no_tests_is_a_failure(tmp_path: Path) -> None:
    """An empty suite (pytest's exit code 5) never counts as proof."""
    repo = build(tmp_path, "", {})
    done = verify(repo)
    assert done.returncode == 1
    assert "no tests were collected" in done.stdout


# --- The mistake corpus: what a wrong variant's output must and must never say ---------------

SAYS_TESTS = """
def test_answer(kata_module):
    got = kata_module("queries").answer()
    assert got == 42, f"answer() returned {got}, expected 42: count the posts, not the tags"
"""


def add_words(repo: Path, variant: str, words: str) -> None:
    path = repo / "solutions" / "01_kata" / "variants.toml"
    text = path.read_text()
    head = f'[{variant}]\nwhy = "test"\n'
    assert head in text
    path.write_text(text.replace(head, head + words))


def test_a_mistake_that_says_what_it_must_passes(tmp_path: Path) -> None:
    """The phrase is found however the output wraps it; a phrase that isn't there is not."""
    repo = build(tmp_path, SAYS_TESTS, {"wrong_off_by_one": "41"})
    add_words(repo, "wrong_off_by_one", 'says = ["count the posts", "expected 42"]\n')
    done = verify(repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_mistake_missing_its_words_is_named_with_the_lines_shown(tmp_path: Path) -> None:
    repo = build(tmp_path, SAYS_TESTS, {"wrong_off_by_one": "41"})
    add_words(repo, "wrong_off_by_one", 'says = ["to_attr"]\n')
    done = verify(repo)
    assert done.returncode == 1
    assert "01_kata/wrong_off_by_one: does not say: 'to_attr'" in done.stdout
    assert "| E   AssertionError: answer() returned 41" in done.stdout  # what it did say


def test_a_mistake_told_what_it_must_never_be_told_is_named(tmp_path: Path) -> None:
    repo = build(tmp_path, SAYS_TESTS, {"wrong_off_by_one": "41"})
    add_words(repo, "wrong_off_by_one", 'says = ["expected 42"]\nnever_says = ["not the tags"]\n')
    done = verify(repo)
    assert done.returncode == 1
    assert "01_kata/wrong_off_by_one: says what it must not: 'not the tags'" in done.stdout


def test_a_mistake_names_the_explanation_rule_that_must_speak(tmp_path: Path) -> None:
    """The plugin records the rule that spoke in the JUnit XML; verify compares it."""
    repo = build(tmp_path, SAYS_TESTS, {"wrong_stub": "undefined_name", "wrong_nine": "9"})
    add_words(repo, "wrong_stub", 'says = ["is not defined"]\nrule = "name error"\n')
    add_words(repo, "wrong_nine", 'says = ["expected 42"]\nrule = "name error"\n')
    done = verify(repo)
    assert done.returncode == 1
    assert "wrong_stub: no explanation from the rule" not in done.stdout
    assert "01_kata/wrong_nine: no explanation from the rule: 'name error'" in done.stdout
    assert "rules that spoke: none" in done.stdout


def test_words_belong_to_wrong_variants_only(tmp_path: Path) -> None:
    repo = build(tmp_path, SAYS_TESTS, {"ok_sum": "40 + 2"})
    add_words(repo, "ok_sum", 'says = ["anything"]\n')
    done = verify(repo)
    assert done.returncode == 1
    assert "[ok_sum] passes every test: it has nothing to say" in done.stdout + done.stderr


def test_a_mistake_that_never_ends_is_stopped_by_its_own_timeout(tmp_path: Path) -> None:
    """timeout = N: the variant's tests get N seconds each instead of verify's 120 s."""
    repo = build(tmp_path, SAYS_TESTS, {"wrong_forever": "__import__('time').sleep(600)"})
    add_words(repo, "wrong_forever", 'says = ["Timeout (>2.0s)"]\ntimeout = 2\n')
    done = verify(repo, "--skip-two-way")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rejected by test_answer" in done.stdout


def test_a_teardown_error_keeps_the_rule_that_explained_it(tmp_path: Path) -> None:
    """JUnit writes a test that fails and then errors in teardown (a dangling foreign key found
    by the constraint check) as two testcases: the failure stays the story, and the rule that
    explained the teardown error counts as spoken."""
    from katalib.base import manifest
    from katalib.maint import verify as verify_module

    (tmp_path / "katas").mkdir()
    (tmp_path / "katas" / "test_x.py").write_text("")
    rule = f'<property name="{manifest.RULE_PROPERTY}" value="dangling foreign key"/>'
    xml = tmp_path / "result.xml"
    xml.write_text(
        "<testsuites><testsuite>"
        '<testcase classname="katas.test_x" name="test_y">'
        '<failure message="AssertionError: expected Inbox">x</failure></testcase>'
        f'<testcase classname="katas.test_x" name="test_y"><properties>{rule}</properties>'
        '<error message="failed on teardown with IntegrityError">y</error></testcase>'
        "</testsuite></testsuites>"
    )
    found = verify_module.outcomes(xml, tmp_path)["katas/test_x.py::test_y"]
    assert found.status == "failed" and "expected Inbox" in found.reason
    assert found.rules == ("dangling foreign key",)
