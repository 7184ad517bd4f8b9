"""Harness tests: ``katas dev new`` and ``katas dev check`` (katalib/maint/dev/).

For each rule of ``dev check``, a scratch copy of this repository with one kata broken on
purpose: the check fails, and its message names the rule and the fix. Each run is scoped to
that kata with ``--kata`` (the repository-wide rules still run); the fast rules alone use
``--no-proof``. Last, ``dev new`` followed by filling in its ``TODO(new kata)`` marks gives a
kata that ``dev check`` accepts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scratch import PARTS, copy_repo

ROOT = Path(__file__).resolve().parents[2]
# What the scratch copies hold: the harness, the katas and what the repository-wide rules read.
COPIED = [*PARTS, "README.md", "test-checksums.sha256"]


def python(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=repo,
        env={k: v for k, v in os.environ.items() if k not in ("KATA_TARGET", "_KATA_ONLY")},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=600,
    )


def dev_check(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return python(repo, "-m", "katalib", "dev", "check", *args)


def refresh_checksums(repo: Path) -> None:
    """What a maintainer runs after editing tests: test-checksums.sha256 and originals.json."""
    done = python(repo, "-m", "katalib.checksums", "--write")
    assert done.returncode == 0, done.stdout + done.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is in {path} {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def failed_rule(done: subprocess.CompletedProcess[str], rule: str, *texts: str) -> str:
    """The report of ``rule``: dev check failed on it, stating the rule, the texts and a fix."""
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    start = output.find(f"\nFAIL {rule}: the rule is that ")
    assert start >= 0, f"rule {rule} did not fail:\n{output}"
    end = min(
        i for i in (output.find("\nFAIL ", start + 1), output.find("\ndev check FAILED", start))
        if i >= 0
    )  # fmt: skip
    section = output[start:end]
    for text in texts:
        assert text in section, f"{text!r} not in the {rule} report:\n{section}"
    assert "\n    fix: " in section, section
    return section


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository made consistent first (the README table and the checksums
    rewritten), so that work in progress elsewhere in the checkout can't fail these tests."""
    repo = copy_repo(tmp_path_factory.mktemp("dev") / "repo", COPIED)
    assert python(repo, "-m", "katalib", "dev", "readme").returncode == 0
    refresh_checksums(repo)
    return repo


@pytest.fixture
def repo(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(pristine, copy)
    return copy


def kata_entry(repo: Path, kata: str) -> tuple[int, int]:
    """Where the [[kata]] entry of ``kata`` starts and ends in katas.toml."""
    text = (repo / "katas.toml").read_text(encoding="utf-8")
    start = text.index(f'[[kata]]\ndir = "{kata}"')
    end = text.find("[[kata]]", start + 1)
    return start, len(text) if end < 0 else end


def set_in_entry(repo: Path, kata: str, old: str, new: str) -> None:
    path = repo / "katas.toml"
    text = path.read_text(encoding="utf-8")
    start, end = kata_entry(repo, kata)
    block = text[start:end]
    assert block.count(old) == 1, block
    path.write_text(text[:start] + block.replace(old, new) + text[end:], encoding="utf-8")


KATA = "01_foreign_key_blanks"  # the quickest kata to prove: 4 tests, 4 variants


def add_tests(repo: Path, code: str) -> None:
    path = repo / "katas" / KATA / "test_fk_helper.py"
    path.write_text(path.read_text(encoding="utf-8") + code, encoding="utf-8")
    refresh_checksums(repo)


# --- The whole check passes on a kata as shipped ---------------------------------------------


def test_an_untouched_kata_passes_every_rule(repo: Path) -> None:
    done = dev_check(repo, "--kata", KATA)
    assert done.returncode == 0, done.stdout + done.stderr
    for rule in ["manifest", "layout", "files", "hints", "checksums", "two-way", "keep"]:
        assert re.search(rf"ok +{rule} ", done.stdout), done.stdout
    assert "dev check OK" in done.stdout


def test_an_unknown_kata_lists_the_real_ones(pristine: Path) -> None:
    done = dev_check(pristine, "--kata", "1_foreign_key_blank")
    assert done.returncode == 2
    assert "there is no kata '1_foreign_key_blank'" in done.stderr
    assert KATA in done.stderr and "13_self_relations" in done.stderr


# --- manifest --------------------------------------------------------------------------------


def test_manifest_a_kata_folder_forgotten_in_katas_toml(repo: Path) -> None:
    """Named as such, not as five tests that fail on the solution; its proof is not run."""
    path = repo / "katas.toml"
    start, end = kata_entry(repo, KATA)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    done = dev_check(repo, "--kata", KATA)
    failed_rule(
        done,
        "manifest",
        f"katas/{KATA}/ is not listed in katas.toml",
        f'fix: add a [[kata]] entry with dir = "{KATA}"',
    )
    assert f"proof of {KATA} skipped" in done.stdout
    assert "does not pass" not in done.stdout


def test_manifest_a_guard_naming_no_test(repo: Path) -> None:
    set_in_entry(repo, KATA, 'files = ["fk_helper.py"]',
                 'files = ["fk_helper.py"]\nguards = { "test_gone" = "it was removed" }')  # fmt: skip
    done = dev_check(repo, "--kata", KATA, "--no-proof")
    failed_rule(done, "manifest", "guards names 'test_gone', which is not a test", "remove it")


# --- layout ----------------------------------------------------------------------------------


def test_layout_a_test_file_without_the_dont_edit_line(repo: Path) -> None:
    edit(repo / "katas" / KATA / "test_fk_helper.py", "Don't edit this file: edit", "Edit")
    refresh_checksums(repo)
    done = dev_check(repo, "--kata", KATA, "--no-proof")
    failed_rule(
        done,
        "layout",
        f'katas/{KATA}/test_fk_helper.py: the first line does not say "Don\'t edit this file"',
        'fix: start it with """Tests for kata 01. Don\'t edit this file',
    )


# --- files -----------------------------------------------------------------------------------


def test_files_a_given_file_missing_from_solutions(repo: Path) -> None:
    """No FileNotFoundError: what is missing, why it must be there, the command that fixes it."""
    (repo / "solutions" / "07_filter_across" / "models.py").unlink()
    done = dev_check(repo, "--kata", "07")
    failed_rule(
        done,
        "files",
        "solutions/07_filter_across/models.py is missing",
        "fix: copy it: cp katas/07_filter_across/models.py solutions/07_filter_across/models.py",
    )
    assert "proof of 07_filter_across skipped" in done.stdout


def test_files_an_editable_file_that_lost_its_declaration(repo: Path) -> None:
    kata = "11_through_models"
    set_in_entry(repo, kata, 'files = ["models.py", "queries.py"]', 'files = ["queries.py"]')
    refresh_checksums(repo)
    done = dev_check(repo, "--kata", kata, "--no-proof")
    failed_rule(
        done,
        "files",
        f"katas/{kata}/models.py differs from solutions/{kata}/models.py, but it is not "
        "declared editable",
        f'fix: if learners edit it, add "models.py" to files of {kata} in katas.toml',
    )


def test_files_a_stray_todo_does_not_hide_a_difference(repo: Path) -> None:
    """The word TODO no longer marks a file as editable: only katas.toml's files do."""
    path = repo / "katas" / "07_filter_across" / "models.py"
    path.write_text(path.read_text(encoding="utf-8") + "# TODO: one day, a Comment model\n")
    done = dev_check(repo, "--kata", "07", "--no-proof")
    failed_rule(done, "files", "katas/07_filter_across/models.py differs from solutions/")


# --- hints -----------------------------------------------------------------------------------


def test_hints_a_task_without_its_hints(repo: Path) -> None:
    path = repo / "katas" / KATA / "HINTS.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("## 2. ")], encoding="utf-8")
    done = dev_check(repo, "--kata", KATA, "--no-proof")
    failed_rule(
        done,
        "hints",
        f"katas/{KATA}/HINTS.md has sections [1]; README.md has tasks [1, 2]",
        "one '## N. Title' section per task",
    )


# --- readme-table ----------------------------------------------------------------------------


def test_readme_table_a_missing_row(repo: Path) -> None:
    row = f"| 01 | [foreign_key_blanks](katas/{KATA}/README.md) |"
    path = repo / "README.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(row)))
    done = dev_check(repo, "--kata", KATA, "--no-proof")
    failed_rule(done, "readme-table", f"missing or different: {row}", "fix: run katas dev readme")
    assert python(repo, "-m", "katalib", "dev", "readme").returncode == 0
    again = dev_check(repo, "--kata", KATA, "--no-proof")
    assert again.returncode == 0, again.stdout


# --- checksums -------------------------------------------------------------------------------


def test_checksums_a_test_edited_without_recording_it(repo: Path) -> None:
    path = repo / "katas" / KATA / "test_fk_helper.py"
    path.write_text(path.read_text(encoding="utf-8") + "# one more comment\n", encoding="utf-8")
    done = dev_check(repo, "--kata", KATA, "--no-proof")
    failed_rule(
        done,
        "checksums",
        f"katas/{KATA}/test_fk_helper.py is changed since test-checksums.sha256 was written",
        "fix: run python -m katalib.checksums --write",
    )


# --- ruff ------------------------------------------------------------------------------------


def test_ruff_an_unused_import(repo: Path) -> None:
    path = repo / "solutions" / KATA / "fk_helper.py"
    path.write_text(path.read_text(encoding="utf-8") + "\nimport os\n", encoding="utf-8")
    done = dev_check(repo, "--kata", KATA, "--no-proof")
    failed_rule(done, "ruff", "F401", "fix: ruff check --fix")


# --- mypy ------------------------------------------------------------------------------------


def test_mypy_a_type_error(repo: Path) -> None:
    path = repo / "katalib" / "base" / "marks.py"
    path.write_text(
        path.read_text(encoding="utf-8") + '\n\ndef _count() -> int:\n    return "none"\n',
        encoding="utf-8",
    )
    # Unscoped: a --kata run leaves katalib (all mypy checks) out.
    done = dev_check(repo, "--no-proof")
    # mypy's own line, with its file, its error code and the fix.
    failed_rule(done, "mypy", "katalib/base/marks.py:", "[return-value]", "fix: fix each error")


def fake_tools(monkeypatch: pytest.MonkeyPatch, *missing: str) -> list[list[str]]:
    """The tools' modules as installed but for ``missing`` (as find_spec sees them), and their
    runs recorded instead of started (each passes); returns the commands run."""
    from importlib.machinery import ModuleSpec

    from katalib.maint.dev.rules import tools

    runs: list[list[str]] = []

    def run(args: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        runs.append(args)
        return subprocess.CompletedProcess(args, 0, "", "")

    def find_spec(name: str) -> ModuleSpec | None:
        return None if name in missing else ModuleSpec(name, None)

    monkeypatch.setattr(tools.subprocess, "run", run)
    monkeypatch.setattr(tools, "find_spec", find_spec)
    return runs


def test_installed_tools_are_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from katalib.maint import dev
    from katalib.maint.dev.rules import tools

    runs = fake_tools(monkeypatch)
    repo = dev.Repo(ROOT, (), [], scoped=False)
    assert tools.check_ruff(repo) == [] and tools.check_mypy(repo) == []
    # ruff check, ruff format --check, then mypy, each with dev check's own interpreter.
    assert [run[:4] for run in runs] == [
        [sys.executable, "-m", "ruff", "check"],
        [sys.executable, "-m", "ruff", "format"],
        [sys.executable, "-m", "mypy"],
    ]


@pytest.mark.parametrize(
    ("rule", "module", "dist"),
    [
        ("ruff", "ruff", "ruff"),
        ("mypy", "mypy", "mypy"),
        ("mypy", "mypy_django_plugin", "django-stubs"),
    ],
)
def test_missing_tool_is_a_problem_not_a_skip(
    monkeypatch: pytest.MonkeyPatch, rule: str, module: str, dist: str
) -> None:
    """Without the dev extra, ruff and mypy alike fail with the install as the fix: a skip
    would leave dev check's exit code 0 (a CI run with a broken install would pass)."""
    from katalib.maint import dev
    from katalib.maint.dev.rules import tools

    runs = fake_tools(monkeypatch, module)
    check = tools.check_ruff if rule == "ruff" else tools.check_mypy
    found = check(dev.Repo(ROOT, (), [], scoped=False))
    assert isinstance(found, dev.Found) and found.skipped is None
    assert [(p.rule, p.fix) for p in found] == [(rule, 'python -m pip install -e ".[dev]"')]
    assert f"{dist} is not installed (no module {module})" in found[0].what
    # Found before the tool starts: nothing of it ran, and nothing parsed its error message.
    assert not [run for run in runs if run[2] == rule]


def test_mypy_skipped_under_kata(monkeypatch: pytest.MonkeyPatch) -> None:
    """A --kata run doesn't start mypy (nor ask for it: katalib is none of the chosen katas)."""
    from katalib.maint import dev
    from katalib.maint.dev.rules import tools

    runs = fake_tools(monkeypatch, "mypy")
    scoped = tools.check_mypy(dev.Repo(ROOT, (), [], scoped=True))
    assert isinstance(scoped, dev.Found) and scoped == [] and not runs
    assert scoped.skipped is not None and "--kata" in scoped.skipped


# --- two-way (the proof) ---------------------------------------------------------------------

PASSES_ON_THE_STUB = """

@pytest.mark.task(1)
def test_helper_loads(helper: ModuleType) -> None:
    assert helper is not None


@pytest.mark.task(1)
def test_field_type_is_one_to_one(helper: ModuleType) -> None:
    assert helper.FIELD_TYPE == "OneToOneField", "expected a one-to-one field"
"""


def test_two_way_tests_that_pass_on_the_stub_or_fail_on_the_solution(repo: Path) -> None:
    """Named by pytest node ids (paste them into pytest), with pytest's reason."""
    add_tests(repo, PASSES_ON_THE_STUB)
    done = dev_check(repo, "--kata", KATA)
    node = f"katas/{KATA}/test_fk_helper.py::"
    failed_rule(
        done,
        "two-way",
        f"{node}test_helper_loads passed on the untouched katas/ stub",
        f"{node}test_field_type_is_one_to_one does not pass on solutions/ (failed)",
        "pytest: AssertionError: expected a one-to-one field",
        f"fix: fix the solution or the test; see it with: pytest --solutions "
        f"{node}test_field_type_is_one_to_one",
    )


# --- variants --------------------------------------------------------------------------------

HARMLESS = """
[wrong_but_harmless]
why = "Said to be wrong, but only a comment changes."

[[wrong_but_harmless.edit]]
file = "fk_helper.py"
old = 'DELETE_RULE = "CASCADE"'
new = 'DELETE_RULE = "CASCADE"  # the rule'
"""


def test_variants_a_wrong_solution_that_every_test_accepts(repo: Path) -> None:
    path = repo / "solutions" / KATA / "variants.toml"
    path.write_text(path.read_text(encoding="utf-8") + HARMLESS, encoding="utf-8")
    done = dev_check(repo, "--kata", KATA)
    failed_rule(
        done,
        "variants",
        f"{KATA}/wrong_but_harmless: wrong solution accepted",
        "fix: add or sharpen a test that rejects it",
        "rename it ok_",
    )


# --- mistakes --------------------------------------------------------------------------------

SILENT_MISTAKE = """
[wrong_corpus_probe_field]
why = "Wrong: a OneToOneField lets an author write one post."

[[wrong_corpus_probe_field.edit]]
file = "fk_helper.py"
old = 'FIELD_TYPE = "ForeignKey"'
new = 'FIELD_TYPE = "OneToOneField"'
"""


def test_mistakes_a_wrong_variant_that_says_nothing(repo: Path) -> None:
    """A mistake without `says` is named; so is a kata with too few mistakes that say."""
    path = repo / "solutions" / KATA / "variants.toml"
    path.write_text(path.read_text(encoding="utf-8") + SILENT_MISTAKE, encoding="utf-8")
    done = dev_check(repo, "--kata", KATA)
    failed_rule(
        done,
        "mistakes",
        f"{KATA}/wrong_corpus_probe_field says nothing",
        "fix: add says = [...] to solutions/",
    )


def test_mistakes_a_misleading_phrase_shows_the_mistake_and_the_lines(repo: Path) -> None:
    path = repo / "solutions" / KATA / "variants.toml"
    text = SILENT_MISTAKE.replace(
        'why = "Wrong: a OneToOneField lets an author write one post."\n',
        'why = "Wrong: a OneToOneField lets an author write one post."\n'
        'says = ["ForeignKey"]\nnever_says = ["OneToOneField"]\n',
    )
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    done = dev_check(repo, "--kata", KATA)
    failed_rule(
        done,
        "mistakes",
        f"{KATA}/wrong_corpus_probe_field (Wrong: a OneToOneField lets an author write one post.) "
        "says what it must not: 'OneToOneField'",
        "| ",
        "fix: make the rule that says it fire only where its subject is there",
    )


# --- keep ------------------------------------------------------------------------------------

# It fails on the stub (in the shared fixture, as every test of the kata does there), passes
# on the solution, and every wrong variant is rejected by another test: only keep notices it.
# Only the fixture can fail, on the stub's blank FIELD_TYPE, which no wrong_ variant leaves (the
# variants that break fk_helper.py skip it): no wrong_ variant makes the test fail.
CANNOT_FAIL = """

@pytest.fixture
def filled_in(kata_module) -> ModuleType:
    try:
        helper = kata_module("fk_helper")
    except pytest.fail.Exception:
        pytest.skip("fk_helper.py does not load")
    assert helper.FIELD_TYPE != BLANK, "a blank is left"
    return helper


@pytest.mark.task(2)
def test_no_blanks_left(filled_in: ModuleType) -> None:
    left = [name for name in (filled_in.FIELD_TYPE, filled_in.DELETE_RULE) if name == BLANK]
    assert len(left) >= 0
"""


def test_keep_a_test_that_cannot_fail_then_its_guard(repo: Path) -> None:
    add_tests(repo, CANNOT_FAIL)
    done = dev_check(repo, "--kata", KATA)
    assert re.search(r"ok +two-way ", done.stdout), done.stdout
    assert re.search(r"ok +variants ", done.stdout), done.stdout
    failed_rule(
        done,
        "keep",
        f"katas/{KATA}/test_fk_helper.py::test_no_blanks_left: no wrong_ variant of {KATA} "
        "makes it fail",
        f"fix: add a [wrong_<mistake>] variant to solutions/{KATA}/variants.toml",
        'guards = { "test_no_blanks_left" = "<why, in one line>" }',
    )
    # A guard with its reason is accepted.
    set_in_entry(repo, KATA, 'files = ["fk_helper.py"]',
                 'files = ["fk_helper.py"]\nguards = { "test_no_blanks_left" = "a smoke test" }')  # fmt: skip
    refresh_checksums(repo)
    again = dev_check(repo, "--kata", KATA)
    assert again.returncode == 0, again.stdout


# --- dev new, filled in ----------------------------------------------------------------------


def test_dev_new_then_filling_in_the_marks_gives_a_kata_dev_check_accepts(repo: Path) -> None:
    kata = "14_generic_things"
    made = python(repo, "-m", "katalib", "dev", "new", kata, "--title", "Bonus: generic things",
                  "--bonus")  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    for tree, names in [
        ("katas", ["__init__.py", "README.md", "HINTS.md", "models.py", "queries.py",
                   "test_generic_things.py"]),
        ("solutions", ["__init__.py", "models.py", "queries.py", "variants.toml"]),
    ]:  # fmt: skip
        for name in names:
            assert (repo / tree / kata / name).is_file(), f"{tree}/{kata}/{name}"
    row = f"| 14 | [generic_things](katas/{kata}/README.md) | Bonus: generic things |"
    assert row in (repo / "README.md").read_text(encoding="utf-8")
    # In number order: after kata 13, at the end of katas.toml.
    assert (
        (repo / "katas.toml")
        .read_text(encoding="utf-8")
        .rstrip()
        .endswith(
            'hint = "TODO(new kata): the first nudge, shown in the progress summary until the kata '
            'is solved."'
        )
    )
    # Unfinished: the template's marks are listed, by file and line.
    done = dev_check(repo, "--kata", kata, "--no-proof")
    failed_rule(done, "placeholders", f"katas/{kata}/README.md, lines 3,", "fix: write the")
    # Filled in: each mark replaced by the author's text (here: the mark's own words).
    for path in [repo / "katas.toml", *(repo / "katas" / kata).iterdir(),
                 *(repo / "solutions" / kata).iterdir()]:  # fmt: skip
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("TODO(new kata): ", ""), encoding="utf-8")
    refresh_checksums(repo)
    done = dev_check(repo, "--kata", kata)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "two-way: 2 tests on katas/, 2 on solutions/" in done.stdout


def test_dev_new_refuses_a_taken_number(pristine: Path) -> None:
    done = python(pristine, "-m", "katalib", "dev", "new", "03_other", "--title", "Other")
    assert done.returncode == 2
    assert "number 03 is taken by 03_on_delete" in done.stderr
