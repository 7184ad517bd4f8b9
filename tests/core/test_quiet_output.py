"""Harness tests: focused output without noise, and guidance that names the task failing now.

Each test copies the real repository into a scratch folder, makes the mistakes learners made in
the run-throughs (a blank left in kata 01, related_name missing in kata 02, kata 03's stub that
Django's checks reject, a post_count off by one that only Hypothesis finds in kata 04, a missing
distinct() in kata 07, a broken task 3 in katas 02 and 05) and runs pytest or ``katas`` there in a
subprocess, as a learner would. pytest's own lines that only repeat or distract must be gone from
the default (focused) output; Django's message, the ❌/✅ explanation and the file and line must
stay. Every header, hint and summary line names the first failing task as it is now.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from katalib.base import manifest
from katalib.core import tidy
from katalib.loop import screen
from katalib.teach import focus
from tests.scratch import copy_repo, run, solve, start_katas

KATAS = ["01_foreign_key_blanks", "02_many_to_one", "03_on_delete", "04_reverse_access"]
KATAS += ["07_filter_across"]
BLANK = "a blank (____) is still not filled in"
HIDDEN = "All traceback entries are hidden"
HEADER = r"^_{3,} (?:ERROR at \w+ of )?(\S+) _{3,}$"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str, after: str = "") -> int:
    """The number of the first line of ``path`` holding ``text`` (after one holding ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines[start:], start) if text in line) + 1


def mistakes(repo: Path) -> None:
    """The learners' mistakes, one kata each (the others solved or untouched)."""
    kata = repo / "katas"
    # Kata 01: the first blank filled in; task 2's three tests all say "a blank ...".
    edit(kata / KATAS[0] / "fk_helper.py", 'FIELD_TYPE = "____"', 'FIELD_TYPE = "ForeignKey"')
    # Kata 02: solved but for related_name="posts" (its test has a message and a hasattr()).
    solve(repo, KATAS[1])
    edit(kata / KATAS[1] / "models.py", ', related_name="posts"', "")
    # Kata 03: the stub, which Django's system checks reject (fields.E320): an error raised by
    # the harness, every frame of which the traceback filter hides.
    # Kata 04: solved but for a post_count that is off by one for the authors called a1:
    # only the Hypothesis test (decorated with @given) finds it.
    solve(repo, KATAS[3])
    edit(
        kata / KATAS[3] / "queries.py",
        "return author.post_set.count()",
        'return author.post_set.count() + (author.name == "a1")',
    )
    # Kata 07: solved but for the distinct() of authors_using_tag (a list compared to a list).
    solve(repo, KATAS[4])
    edit(
        kata / KATAS[4] / "queries.py",
        "return Author.objects.filter(posts__tags__name=tag_name).distinct()",
        "return Author.objects.filter(posts__tags__name=tag_name)",
    )


def sections(output: str) -> dict[str, str]:
    """Each failure shown, by test name (``Class.test`` for a TestCase's)."""
    parts = re.split(HEADER, output.split("kata progress", 1)[0], flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture(scope="module")
def focused(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The five katas run as `pytest katas/01_... katas/02_... ...`: each kata in focus."""
    repo = copy_repo(tmp_path_factory.mktemp("quiet") / "repo")
    mistakes(repo)
    done = run(repo, "-p", "no:cacheprovider", *(f"katas/{kata}" for kata in KATAS))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "INTERNALERROR" not in done.stdout + done.stderr
    return repo, done.stdout


def test_no_hidden_frames_note_under_a_broken_kata(focused: tuple[Path, str]) -> None:
    """Kata 03's stub: Django's check message and the ❌/✅ lines, not pytest's note."""
    _, output = focused
    shown = sections(output)
    text = shown["test_the_models_pass_djangos_checks"]
    assert "Kata 03_on_delete: Django's system checks reject the models" in text
    assert "fields.E320" in text and "SET_NULL, but cannot be null" in text  # Django's message
    assert "❌" in text and "✅" in text  # the explanation
    assert "katas/03_on_delete/models.py" in text  # the file to edit
    assert HIDDEN not in output and "--full-trace" not in output


def test_own_message_without_assertion_rewriting_lines(focused: tuple[Path, str]) -> None:
    """Kata 02: the test's message restates call, actual and expected; no `where` chain."""
    repo, output = focused
    text = sections(output)["test_related_name_is_posts"]
    test_file = repo / "katas" / KATAS[1] / "test_many_to_one.py"
    line = line_of(test_file, 'assert hasattr(alice, "posts")')
    assert f"test_many_to_one.py:{line}: in test_related_name_is_posts" in text  # file, line
    assert "alice.posts does not exist. Set related_name='posts' on Post.author." in text
    assert "where" not in text and "hasattr(<Author: Alice>" not in text
    assert not re.search(r"^E\s+assert ", output, re.MULTILINE), output


def test_no_more_diff_note_under_a_list_comparison(focused: tuple[Path, str]) -> None:
    """Kata 07: the message names what came back and what was expected; no "Use -v"."""
    _, output = focused
    text = sections(output)["test_authors_using_tag_lists_each_author_once"]
    assert "authors_using_tag(\"django\") returned ['Alice', 'Alice', 'Bob']" in text
    assert "test_filter_across.py:" in text  # file and line
    assert tidy.MORE_DIFF not in output and "At index 1 diff" not in output


def test_hypothesis_decorator_is_not_shown_as_frames(focused: tuple[Path, str]) -> None:
    """Kata 04: the @given test's failure shows the test's assert line, once; no decorator."""
    repo, output = focused
    text = sections(output)["TestPostCountMatchesEveryAuthor.test_counts"]
    test_file = repo / "katas" / KATAS[3] / "test_reverse_access.py"
    decorator = line_of(test_file, "@given(", after="class TestPostCountMatchesEveryAuthor")
    failing = line_of(test_file, "assert got == expected[i]", after="def test_counts")
    assert f"test_reverse_access.py:{decorator}:" not in text
    assert "@given(" not in text
    assert text.count(f"test_reverse_access.py:{failing}: in test_counts") == 1
    assert "post_count(<Author: a1>)" in text  # the test's message
    assert "Failing test case" in text  # Hypothesis's example, which the learner can replay


def test_one_message_of_one_task_is_shown_once(focused: tuple[Path, str]) -> None:
    """Kata 01, the first blank filled in: task 2's three tests say the very same thing."""
    _, output = focused
    assert output.count(BLANK) == 1, output
    assert (
        "2 more tests fail for this reason: test_points_at_author, test_prints_the_definition"
        in output
    )


def test_show_all_keeps_pytests_own_lines(tmp_path: Path) -> None:
    """--show-all prints failures as pytest does, its assertion explanation included."""
    repo = copy_repo(tmp_path / "repo")
    mistakes(repo)
    done = run(repo, "-p", "no:cacheprovider", "--show-all", f"katas/{KATAS[1]}")
    assert done.returncode == 1, done.stdout[-3000:]
    assert "+  where False = hasattr(<Author: Alice>, 'posts')" in done.stdout


def test_an_assertion_without_a_message_keeps_its_explanation() -> None:
    """Without the test's own message pytest's explanation is all there is: it stays, without
    "Use -v to get more diff" (which -v keeps)."""
    text = "assert [1, 2] == [1, 3]\n  \n  At index 1 diff: 2 != 3\n  Use -v to get more diff"
    quiet = AssertionError(text)
    tidy.own_message_only(quiet)
    assert str(quiet) == "assert [1, 2] == [1, 3]\n  \n  At index 1 diff: 2 != 3"
    verbose = AssertionError(text)
    tidy.own_message_only(verbose, verbosity=1)
    assert str(verbose) == text
    said = AssertionError("got 1\n  (two lines)\nassert 1 == 2\n +  where 1 = f()")
    tidy.own_message_only(said)
    assert str(said) == "got 1\n  (two lines)"
    raised = AssertionError("1 != 2 : 2 queries executed, 1 expected")  # Django's, kept
    tidy.own_message_only(raised)
    assert str(raised) == "1 != 2 : 2 queries executed, 1 expected"


# --- Guidance that names the task failing now ----------------------------------------------------


def hint_lines(output: str) -> str:
    summary = output.split("kata progress", 1)[-1]
    return "\n".join(line for line in summary.splitlines() if not line.startswith(" "))


def test_summary_hint_after_a_partial_run_is_not_task_1s(tmp_path: Path) -> None:
    """Kata 05 with task 3 (untag) failing: after the files change, a run of only task 4's test
    does not know which task fails first, so the summary names no task (before: task 1's hint,
    a task that passed); a run that sees task 3 fail names task 3."""
    repo = copy_repo(tmp_path / "repo")
    kata = manifest.by_dir("05_many_to_many")
    solve(repo, kata.dir)
    queries = repo / "katas" / kata.dir / "queries.py"
    edit(queries, "post.tags.remove(*Tag.objects.filter(name__in=names))", "return None")
    full = run(repo, f"katas/{kata.dir}")
    assert "Hint for task 3:" in full.stdout, full.stdout[-2000:]
    queries.write_text(queries.read_text(encoding="utf-8") + "# saved again\n", encoding="utf-8")
    partial = run(repo, f"katas/{kata.dir}", "-k", "retag")
    assert partial.returncode == 0, partial.stdout[-2000:]
    said = hint_lines(partial.stdout)
    assert "Hint" not in said and kata.hint.split(":")[0] not in said, said
    assert f"Next: {kata.dir} changed since its last run: katas run {kata.dir}" in said
    failing = run(repo, f"katas/{kata.dir}", "-k", "untag_removes or retag")
    assert "Hint for task 3:" in hint_lines(failing.stdout), failing.stdout[-2000:]
    assert "Hint for task 1" not in failing.stdout


def test_katas_header_names_the_first_failing_task(tmp_path: Path) -> None:
    """`katas` moves on from a solved kata 01 to kata 02, whose tasks 1 and 2 are done and task
    3 (author_name) fails: its header says Task 3, not Task 1."""
    repo = copy_repo(tmp_path / "repo")
    solve(repo, "01_foreign_key_blanks")
    solve(repo, KATAS[1])
    edit(repo / "katas" / KATAS[1] / "queries.py", "return post.author.name", 'return ""')
    process, output = start_katas(repo)
    try:
        output.expect(r"On to the next kata: 02_many_to_one")
        output.expect(r"Kata 02_many_to_one · Many-to-one: Post -> Author")
        output.expect(r"Task 3: Forward access\. `author_name\(post\)` returns")
        output.expect(r"02_many_to_one: 5/6 tests pass, task 3 first\.")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert "Task 1:" not in output.text.split("On to the next kata", 1)[1]


def test_intro_names_the_task_it_is_given() -> None:
    kata = manifest.by_dir(KATAS[1])
    assert "Task 3: Forward access." in screen.intro(kata, 3)
    assert "Task" not in screen.intro(kata, None)


# --- Each reason once, and hints that fit the failure shown -------------------------------------


def test_a_kata_that_stops_loading_gets_no_stale_task_hint(tmp_path: Path) -> None:
    """Kata 03 solved, then null=True taken out (fields.E320), and kata 02 with related_names=
    (a TypeError as the file loads): every test fails for that one error, so the footer points
    at the ❌/✅ above instead of task 1's hint, which is about the stub's error."""
    repo = copy_repo(tmp_path / "repo")
    for kata, old, new in [
        ("03_on_delete", "models.SET_NULL, null=True, blank=True", "models.SET_NULL, blank=True"),
        ("02_many_to_one", 'CASCADE, related_name="posts"', 'CASCADE, related_names="posts"'),
    ]:
        solve(repo, kata)
        edit(repo / "katas" / kata / "models.py", old, new)
        done = run(repo, f"katas/{kata}")
        said = hint_lines(done.stdout)
        assert "Hint: the ❌/✅ above says what stops the kata" in said, said
        # Neither task 1's HINTS.md bullet nor katas.toml's first hint (both about the stub).
        assert "Hint for task" not in said and manifest.by_dir(kata).hint[:30] not in said, said


def test_untouched_stubs_get_the_manifests_first_hint(tmp_path: Path) -> None:
    """Kata 02 as shipped: its TypeError is the one katas.toml's first hint is about."""
    repo = copy_repo(tmp_path / "repo")
    done = run(repo, "katas/02_many_to_one")
    said = " ".join(hint_lines(done.stdout).split())
    assert f"Hint: {manifest.by_dir('02_many_to_one').hint}" in said, said


def test_one_explanation_is_shown_once_whatever_values_it_quotes(tmp_path: Path) -> None:
    """Kata 07's filter(author=name) fails six tests with one explanation that quotes each
    test's name ('Alice', 'ALICE', ...); a list returned instead of a QuerySet fails them with
    one message quoting each name too: one block each time, the others named under it."""
    repo = copy_repo(tmp_path / "repo")
    solve(repo, KATAS[4])
    queries = repo / "katas" / KATAS[4] / "queries.py"
    original = queries.read_text(encoding="utf-8")
    edit(queries, "filter(author__name=name)", "filter(author=name)")
    shown = run(repo, f"katas/{KATAS[4]}", columns=120).stdout.split("kata progress")[0]
    assert shown.count("❌ ValueError: a relation was compared") == 1, shown
    assert "5 more tests fail for this reason" in shown, shown
    queries.write_text(original, encoding="utf-8")
    edit(
        queries,
        "return Post.objects.filter(author__name=name)",
        "return list(Post.objects.filter(author__name=name))",
    )
    shown = run(repo, f"katas/{KATAS[4]}", columns=120).stdout.split("kata progress")[0]
    assert shown.count("returned a list; expected a QuerySet") == 1, shown


def test_one_rule_at_one_line_is_one_reason(tmp_path: Path) -> None:
    """Kata 03's deleted_member() returning get_or_create()'s pair: one test fails with an
    AttributeError, one with a TypeError, both explained by one rule pointing at one line."""
    repo = copy_repo(tmp_path / "repo")
    solve(repo, KATAS[2])
    edit(
        repo / "katas" / KATAS[2] / "models.py",
        '\n    ghost, _created = Member.objects.get_or_create(name="[deleted]")  # one row, reused'
        "\n    return ghost",
        '\n    return Member.objects.get_or_create(name="[deleted]")',
    )
    shown = run(repo, f"katas/{KATAS[2]}", columns=120).stdout.split("kata progress")[0]
    assert shown.count("get_or_create() returns a pair") == 1, shown
    assert "1 more test fails for this reason" in shown, shown


def test_without_values_keeps_the_words_and_drops_the_values() -> None:
    say = "filter(author=…) compares the Author's id with 'ALICE' (ran 22 queries, size 20)"
    # The apostrophe of "Author's" opens no quote; values and numbers go, words stay.
    assert focus.without_values(say) == (
        "filter(author=…) compares the Author's id with … (ran … queries, size …)"
    )


def test_later_tasks_count_each_test_under_its_own_task(tmp_path: Path) -> None:
    """Kata 11 with unique=True on Tagging.post: one IntegrityError fails one test of task 4 and
    two of task 5 (before: "task 4 (3 tests)")."""
    repo = copy_repo(tmp_path / "repo")
    solve(repo, "11_through_models")
    models = repo / "katas" / "11_through_models" / "models.py"
    edit(
        models,
        "post = models.ForeignKey(Post, on_delete=models.CASCADE)",
        "post = models.ForeignKey(Post, on_delete=models.CASCADE, unique=True)",
    )
    done = run(repo, "katas/11_through_models", columns=120)
    assert "Later tasks fail too: task 4 (1 test), task 5 (2 tests)." in done.stdout, done.stdout


def test_a_budget_failure_of_one_size_claims_no_fixed_count(tmp_path: Path) -> None:
    """Kata 10's post_cards with an extra query and the authors one per post: size 1 only
    compares the blog with itself, so its "over the budget" may not call 4 queries "a fixed
    number" while sizes 5 and 20 show the count growing."""
    repo = copy_repo(tmp_path / "repo")
    solve(repo, "10_n_plus_one")
    edit(
        repo / "katas" / "10_n_plus_one" / "queries.py",
        'posts = Post.objects.select_related("author").prefetch_related("tags")',
        'Author.objects.count()\n    posts = Post.objects.prefetch_related("tags")',
    )
    done = run(repo, "katas/10_n_plus_one", columns=120)
    assert "ran 4 queries for the blog of size 1" in done.stdout, done.stdout
    assert "over its budget of 3" in done.stdout
    assert "a fixed number" not in done.stdout
    assert "must not grow with the data" in done.stdout


def test_the_progress_table_fits_the_terminal(tmp_path: Path) -> None:
    """Each row of the progress table is fitted to the width of the terminal pytest writes to
    (``config.get_terminal_writer()``): the kata's title cut at 60 columns, whole at 120."""
    repo = copy_repo(tmp_path / "repo")
    solve(repo, KATAS[1])
    title = manifest.by_dir(KATAS[1]).title
    for columns in (60, 120):
        done = run(repo, f"katas/{KATAS[1]}", columns=columns)
        table = done.stdout.split("kata progress", 1)[-1]
        row = next(line for line in table.splitlines() if f" {KATAS[1]} " in line)
        assert len(row) < columns, done.stdout
        # The width was read from the terminal: the title is cut only where it cannot fit.
        assert (title in row) is (columns == 120), row
