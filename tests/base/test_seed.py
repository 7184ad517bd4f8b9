"""Harness tests: redrawn test data (katalib/base/seed.py) in the grading run.

The spelling must keep every property the katas' tests rely on (checked for any text by
Hypothesis), leave the public run untouched, keep every kata green on its solutions and red on
its stubs whatever the seed, collect the same test ids, and turn a fork with canned answers for
the public data red when it is graded.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from katalib.base import env as environment
from katalib.base import seed
from katalib.grade.grader import grade_fork
from katalib.grade.trees import copy_tree, ignored
from katalib.grade.upstream import load_upstream

ROOT = Path(__file__).resolve().parents[2]
# Letters of both cases, digits, a space and punctuation: what names and titles are made of.
TEXT = st.text(alphabet="aAbBlLzZ019 -'é", max_size=10)
SEEDS = st.sampled_from(["1", "2", "abc", "7f3a9c"])


@given(TEXT, TEXT, SEEDS)
def test_the_spelling_keeps_what_the_tests_compare(a: str, b: str, key: str) -> None:
    digits = seed.table(key)
    spelt_a, spelt_b = seed.spell(a, digits), seed.spell(b, digits)
    assert (a == b) == (spelt_a == spelt_b)
    # Case: equal ignoring case exactly when they were (iexact), different otherwise.
    assert (a.lower() == b.lower()) == (spelt_a.lower() == spelt_b.lower())
    # Order: ORDER BY name and sorted() give the same order as before.
    assert (a < b) == (spelt_a < spelt_b)
    assert b.startswith(a) == spelt_b.startswith(spelt_a)
    if not a[:1].isdigit():  # a part that starts with a digit may meet a spelling's digit
        assert (a in b) == (spelt_a in spelt_b)
        assert (a.lower() in b.lower()) == (spelt_a.lower() in spelt_b.lower())


def test_words_respells_nested_data_and_only_strings() -> None:
    data = {"Alice": ["Hello", ("World", 3)], "Eve": {"django"}, "Dan": None}
    spelt = seed.words(data, "1")
    digits = seed.table("1")
    assert spelt[seed.spell("Eve", digits)] == {seed.spell("django", digits)}
    assert spelt[seed.spell("Alice", digits)] == [
        seed.spell("Hello", digits),
        (seed.spell("World", digits), 3),
    ]
    assert spelt[seed.spell("Dan", digits)] is None  # keys are data too; None stays
    # Without a seed (the learner's run), nothing changes.
    assert seed.words(data, "") is data
    assert seed.words("Alice") == "Alice" or seed.active()


def pytest_run(
    args: list[str], key: str = "", quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != environment.SEED}
    if key:
        env[environment.SEED] = key
    command = [sys.executable, "-m", "pytest", *(["-q"] if quiet else []), "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "--kata-results=", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.parametrize("key", ["1", "2"])
def test_every_kata_is_green_on_its_solutions_and_red_on_its_stubs_whatever_the_seed(
    key: str,
) -> None:
    solutions = pytest_run(["--solutions"], key)
    assert solutions.returncode == 0, solutions.stdout[-3000:]
    stubs = pytest_run([], key)
    assert stubs.returncode == 1, stubs.stdout[-3000:]
    assert "0 of 13 solved" in stubs.stdout, stubs.stdout[-3000:]


def test_the_test_ids_do_not_depend_on_the_seed() -> None:
    """The grader collects the ids once, unseeded, and reads the seeded run's outcomes by them."""
    public = pytest_run(["--collect-only", "-q"], quiet=False)
    seeded = pytest_run(["--collect-only", "-q"], "1", quiet=False)
    ids = [line for line in public.stdout.splitlines() if "::" in line]
    assert len(ids) > 100, public.stdout[-2000:]
    assert ids == [line for line in seeded.stdout.splitlines() if "::" in line]


# --- Graded: canned answers for the public data ------------------------------------------------

KATAS = ["01_foreign_key_blanks", "02_many_to_one"]
K02 = "katas/02_many_to_one"
CANNED = '''"""author_name answered from a table of the public test data, not from the post."""

from .models import Author, Post

ANSWERS = {answers!r}


def author_name(post: Post) -> str:
    return ANSWERS.get(post.title, "")


def post_titles(author: Author) -> list[str]:
    return list(author.posts.order_by("title").values_list("title", flat=True))
'''


def public_strings(test_file: Path) -> dict[str, str]:
    """The module-level string constants of a test file, as the public run sees them:
    ``NAME = "text"``, ``A, B = ["a", "b"]``, either inside ``words(...)``."""
    found = {}
    for node in ast.parse(test_file.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.Assign):
            continue
        value = node.value
        if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "words":
            value = value.args[0]
        target = node.targets[0]
        pairs = (
            zip(target.elts, value.elts, strict=False)
            if isinstance(target, ast.Tuple) and isinstance(value, ast.List | ast.Tuple)
            else [(target, value)]
        )
        for name, text in pairs:
            if isinstance(name, ast.Name) and isinstance(getattr(text, "value", 0), str):
                found[name.id] = text.value
    return found


def test_canned_answers_for_the_public_data_pass_pytest_and_fail_the_grade(
    tmp_path: Path,
) -> None:
    strings = public_strings(ROOT / K02 / "test_many_to_one.py")
    # Every post title of kata 02's forward test, with its author's name.
    answers = {strings[t]: strings[a] for t, a in [("HELLO", "ALICE"), ("BYE", "BOB")]}
    answers[strings["DAG"]] = strings["DE_VRIES"]
    upstream_root = tmp_path / "upstream"
    copy_tree(ROOT, upstream_root, [p.name for p in ROOT.iterdir() if not ignored(p.name)])
    upstream = load_upstream(upstream_root, KATAS)
    fork = tmp_path / "fork"
    shutil.copytree(upstream_root, fork)
    for kata in KATAS:
        for name in ("models.py", "queries.py", "fk_helper.py"):
            if (ROOT / "solutions" / kata / name).is_file():
                shutil.copy(ROOT / "solutions" / kata / name, fork / "katas" / kata / name)
    (fork / K02 / "queries.py").write_text(CANNED.format(answers=answers), encoding="utf-8")

    # The learner's own pytest, on the public data: kata 02 looks solved.
    mine = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--kata-results=", K02],
        cwd=fork, env={k: v for k, v in os.environ.items() if k != environment.SEED},
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert mine.returncode == 0, mine.stdout[-3000:]
    # Graded, the data is redrawn: the canned table answers nothing.
    entry = grade_fork(str(fork), upstream)
    assert entry["error"] is None, entry["error"]
    assert entry["seed"]
    k02 = entry["katas"]["02_many_to_one"]
    assert not k02["solved"] and k02["passed"] == k02["total"] - 1, k02
    assert entry["katas"]["01_foreign_key_blanks"]["solved"]  # honest work still counts
    assert not entry["flags"], entry["flags"]  # a wrong answer, not a forged verdict
