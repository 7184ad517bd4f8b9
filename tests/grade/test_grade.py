"""Harness tests: green means solved. ``katalib.grade`` grades a copy of the katas with the
upstream's tests, configuration and harness and only the learner's kata files.

Every way a copy was once seen to pass unsolved katas (pytest options in pyproject.toml, a new
pytest.ini / tox.ini / setup.cfg, a plugin module at the repository root, a conftest.py in a kata
folder, a rewritten checksum list, a checksum checker that always says "unchanged", kata code
that patches pytest's reports) is built here as a copy of the repository, and graded: each
kata stays unsolved or is flagged, while a genuinely solved copy is graded solved.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from katalib.base import manifest
from katalib.grade import canary, cli, jail
from katalib.grade.contracts import FlagKind
from katalib.grade.grader import grade_all, grade_fork
from katalib.grade.learner import student_name
from katalib.grade.outputs import FLAG_KINDS, csv_text, learner_summary, markdown_text
from katalib.grade.running import pytest_env
from katalib.grade.scan import published_solution, scan
from katalib.grade.trees import copy_tree, fork_digests, ignored
from katalib.grade.upstream import Upstream, kata_meta, load_upstream
from katalib.maint import verify

ROOT = Path(__file__).resolve().parents[2]
# Two katas keep every grading run short; kata 02 is the one the tampering aims at.
KATAS = ["01_foreign_key_blanks", "02_many_to_one"]
K02 = "katas/02_many_to_one"
K02_TESTS = f"{K02}/test_many_to_one.py"

# A pytest plugin that turns every failure into a pass: what the tampering copies load.
ALWAYS_PASS = """
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    report.longrepr = None
    return report
"""


def copy_repo(target: Path) -> Path:
    """The repository as a learner clones it: every file but the generated ones."""
    names = [p.name for p in ROOT.iterdir() if not ignored(p.name)]
    copy_tree(ROOT, target, names)
    return target


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Upstream:
    return load_upstream(copy_repo(tmp_path_factory.mktemp("up") / "upstream"), KATAS)


def fork_of(upstream: Upstream, tmp_path: Path, solved: tuple[str, ...] = ()) -> Path:
    """A learner's copy with the katas in ``solved`` solved (their solution files copied in)."""
    fork = tmp_path / "fork"
    shutil.copytree(upstream.root, fork)
    for kata in manifest.load(upstream.root):
        if kata.dir in solved:
            for name in kata.files:
                shutil.copy(ROOT / "solutions" / kata.dir / name, fork / "katas" / kata.dir / name)
    return fork


def own_run(fork: Path) -> dict:
    """The copy's own pytest, its own harness and settings: what its CI showed before."""
    results = fork / "own-results.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--kata-results={results}", *(f"katas/{k}" for k in KATAS)],
        cwd=fork, env=pytest_env(), capture_output=True, check=False, timeout=300,
    )  # fmt: skip
    if not results.is_file():
        return {}
    return {row["kata"]: row for row in json.loads(results.read_text())["katas"] if row["ran"]}


def changed(entry: dict) -> set[str]:
    return {c["path"] for c in entry["changed_outside"]}


def assert_unsolved(entry: dict, kata: str = "02_many_to_one") -> None:
    assert entry["error"] is None, entry["error"]
    assert entry["katas"][kata]["solved"] is False, entry["katas"][kata]
    assert entry["katas"]["01_foreign_key_blanks"]["solved"] is True  # graded, not broken


# --- Solved, unsolved ----------------------------------------------------------------------


def test_a_solved_copy_is_graded_solved(upstream: Upstream, tmp_path: Path) -> None:
    fork = fork_of(upstream, tmp_path, solved=tuple(KATAS))
    entry = grade_fork(str(fork), upstream)
    assert entry["error"] is None
    assert entry["katas"] == {
        kata: {"solved": True, "passed": len(upstream.ids[kata]), "total": len(upstream.ids[kata])}
        for kata in KATAS
    }
    assert entry["changed_outside"] == [] and entry["flags"] == []
    # Every test ran once more as a must-fail copy, and every copy failed.
    copies = sum(len(upstream.ids[kata]) for kata in KATAS)
    assert entry["canaries"] == {"run": copies, "failed": copies}


def test_totals_come_from_the_upstreams_test_ids(upstream: Upstream) -> None:
    """Every test id of the kata, collected from the pristine tree, not a count from the copy."""
    ids = upstream.ids["02_many_to_one"]
    assert ids and all(i.startswith(f"{K02_TESTS}::") for i in ids)
    source = (upstream.root / K02_TESTS).read_text()
    assert len(ids) == source.count("\ndef test_")


# --- Changes outside the kata files: listed, never used ----------------------------------------


def test_a_deselect_in_pyproject_does_not_solve(upstream: Upstream, tmp_path: Path) -> None:
    """Kata 02's models solved, its queries not; pyproject.toml deselects the query tests."""
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    shutil.copy(ROOT / "solutions/02_many_to_one/models.py", fork / K02 / "models.py")
    failing = [f"{K02_TESTS}::test_forward_access", f"{K02_TESTS}::test_reverse_access"]
    assert set(failing) <= set(upstream.ids["02_many_to_one"])
    deselect_everything_failing(fork, [f'"--deselect", "{i}",' for i in failing])
    entry = grade_fork(str(fork), upstream)
    assert_unsolved(entry)
    assert "pyproject.toml" in changed(entry)


def deselect_everything_failing(fork: Path, lines: list[str]) -> None:
    pyproject = fork / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("addopts = [", "addopts = [\n    " + "\n    ".join(lines)))


def test_a_plugin_loaded_from_the_repository_root_does_not_solve(
    upstream: Upstream, tmp_path: Path
) -> None:
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    (fork / "always_pass.py").write_text(ALWAYS_PASS)
    deselect_everything_failing(fork, ['"-p", "always_pass",'])
    assert own_run(fork)["02_many_to_one"]["solved"]  # the copy's own run is fooled
    entry = grade_fork(str(fork), upstream)
    assert_unsolved(entry)
    assert {"pyproject.toml", "always_pass.py"} <= changed(entry)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\naddopts = -p always_pass\n"),
        ("tox.ini", "[pytest]\naddopts = -p always_pass\n"),
        ("setup.cfg", "[tool:pytest]\naddopts = -p always_pass\n"),
    ],
)
def test_a_new_pytest_configuration_file_is_not_read(
    upstream: Upstream, tmp_path: Path, name: str, text: str
) -> None:
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    (fork / "always_pass.py").write_text(ALWAYS_PASS)
    (fork / name).write_text(text)
    entry = grade_fork(str(fork), upstream)
    assert_unsolved(entry)
    assert {name, "always_pass.py"} <= changed(entry)


def test_a_conftest_in_a_kata_folder_is_not_used(upstream: Upstream, tmp_path: Path) -> None:
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    (fork / K02 / "conftest.py").write_text(ALWAYS_PASS)
    assert own_run(fork)["02_many_to_one"]["solved"]
    entry = grade_fork(str(fork), upstream)
    assert_unsolved(entry)
    assert f"{K02}/conftest.py" in changed(entry)


def test_an_edited_test_with_rewritten_checksums_is_not_used(
    upstream: Upstream, tmp_path: Path
) -> None:
    """Tests emptied, then ``checksums --write``: the copy's own check says all files match."""
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    names = [i.split("::")[1] for i in upstream.ids["02_many_to_one"]]
    (fork / K02_TESTS).write_text("".join(f"def {n}():\n    pass\n\n\n" for n in names))
    env = {**pytest_env(), "PYTHONPATH": str(fork)}
    subprocess.run(
        [sys.executable, "-m", "katalib.checksums", "--write"],
        cwd=fork, env=env, check=True, capture_output=True,
    )  # fmt: skip
    check = subprocess.run(
        [sys.executable, "-m", "katalib.checksums", "--check"],
        cwd=fork, env=env, check=False, capture_output=True,
    )  # fmt: skip
    assert check.returncode == 0  # "every file matches"
    entry = grade_fork(str(fork), upstream)
    assert_unsolved(entry)
    assert entry["katas"]["02_many_to_one"]["passed"] == 0
    assert {K02_TESTS, "test-checksums.sha256"} <= changed(entry)


def test_a_checksum_checker_that_always_says_unchanged_changes_nothing(
    upstream: Upstream, tmp_path: Path
) -> None:
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    (fork / K02_TESTS).write_text("def test_nothing():\n    pass\n")
    (fork / "katalib" / "base" / "checksums.py").write_text(
        "def main(argv=None):\n    print('all files match')\n    return 0\n\n\n"
        "if __name__ == '__main__':\n    raise SystemExit(main())\n"
    )
    entry = grade_fork(str(fork), upstream)
    assert_unsolved(entry)
    assert {"katalib/base/checksums.py", K02_TESTS} <= changed(entry)


# --- Kata files that reach past the kata: flagged, never run --------------------------------------

PATCH_REPORTS = """
import _pytest.reports

_original = _pytest.reports.TestReport.from_item_and_call


def _always_passed(item, call):
    report = _original(item, call)
    report.outcome, report.longrepr = "passed", None
    return report


_pytest.reports.TestReport.from_item_and_call = staticmethod(_always_passed)
"""
HIDDEN_IMPORT = """
_reports = __import__("_py" + "test.reports", fromlist=["x"])
"""
SYS_MODULES = """
import sys

sys.modules["pytest"].hookimpl
"""


@pytest.mark.parametrize("patch", [PATCH_REPORTS, HIDDEN_IMPORT, SYS_MODULES])
def test_a_kata_file_that_patches_pytest_is_flagged_and_not_solved(
    upstream: Upstream, tmp_path: Path, patch: str
) -> None:
    fork = fork_of(upstream, tmp_path, solved=tuple(KATAS))
    models = fork / K02 / "models.py"
    models.write_text(models.read_text() + patch)
    entry = grade_fork(str(fork), upstream)
    assert entry["katas"]["02_many_to_one"]["solved"] is False
    assert entry["katas"]["02_many_to_one"]["flagged"] is True
    assert entry["katas"]["01_foreign_key_blanks"]["solved"] is True
    assert {f["file"] for f in entry["flags"]} == {f"{K02}/models.py"}


@pytest.mark.parametrize(
    "code",
    [
        "import pytest",
        "from _pytest.reports import TestReport",
        "import sys\nsys.modules['pytest']",
        "__builtins__['__import__']('os')",
        "x = getattr(models, '__import__')",
        "def pytest_runtest_makereport(item, call):\n    pass",
        "import builtins\nbuiltins.__import__ = None",
        "from typing import sys",
        "import typing\ntyping.sys.modules",
        "open('katas/02_many_to_one/test_many_to_one.py', 'w')",
        "().__class__.__base__.__subclasses__()",
        "from .test_many_to_one import test_x",
        "from .. import conftest",
        "import importlib\nimportlib.import_module('os')",
        "from django.utils.module_loading import import_string",
        "exec('pass')",
        "from django.db import models\nmodels.Model.__eq__ = lambda self, other: True",
        "from django.db.models import QuerySet\nQuerySet.count = lambda self: 3",
        "class Anything(str):\n    def __eq__(self, other):\n        return True",
        "class Anything:\n    __hash__ = None",
    ],
)
def test_the_scan_flags_reaching_past_the_kata(code: str) -> None:
    assert scan(code.encode()), code


def test_the_scan_accepts_every_shipped_stub_solution_and_variant() -> None:
    """No false alarms: every file of katas/ and solutions/ and every variant scans clean."""
    flagged = []
    for kata in manifest.load():
        for tree in manifest.TARGETS:
            for path in kata.editable(tree):
                flagged += [(path, scan(path.read_bytes()))]
    for variant in verify.find_variants(set()):
        texts: dict[str, str] = {}
        for edit in variant.edits:
            path = ROOT / "solutions" / variant.kata.dir / edit["file"]
            text = texts.get(edit["file"], path.read_text(encoding="utf-8"))
            texts[edit["file"]] = text.replace(edit["old"], edit["new"])
        flagged += [(f"{variant.name}/{n}", scan(t.encode())) for n, t in texts.items()]
    assert [(p, found) for p, found in flagged if found] == []


def test_a_docstring_may_mention_pytest() -> None:
    assert scan(b'"""Run pytest katas/02 and read sys.modules."""\nX = 1\n') == []
    assert scan(b'Post.objects.filter(author__name__exact="x")\n') == []


# --- Must-fail canaries: fakes that pass every test pass the corrupted copies too ---------------

# Kata 02's queries.py, three ways to turn every test green without solving it. Each one gets
# past the scan (names built from pieces, getattr), which is only a first filter.
ALWAYS_EQUAL = """
Anything = type("Anything", (str,), {"__e" + "q__": lambda s, o: True, "__h" + "ash__": hash})


def author_name(post):
    return Anything("?")


def post_titles(author):
    return Anything("?")
"""
REPORTS_PATCHED = """
import typing

_modules = getattr(getattr(typing, "s" + "ys"), "mod" + "ules")
_Report = getattr(_modules["_py" + "test.reports"], "Test" + "Report")
_made = _Report.from_item_and_call


def _passed(item, call):
    report = _made(item, call)
    report.outcome, report.longrepr = "passed", None
    return report


_Report.from_item_and_call = staticmethod(_passed)


def author_name(post):
    return "?"


def post_titles(author):
    return []
"""
READ_FROM_THE_TEST = '''
import typing

_sys = getattr(typing, "s" + "ys")
_modules = getattr(_sys, "mod" + "ules")


def _expected():
    """The expected side of the first assert at or after the calling line of the test."""
    frame = getattr(_sys, "_get" + "frame")(2)
    syntax = _modules["a" + "st"]
    source = "".join(getattr(_modules["linecache"], "getlines")(frame.f_code.co_filename))
    later = [
        node
        for node in syntax.walk(syntax.parse(source))
        if isinstance(node, syntax.Assert) and node.lineno >= frame.f_lineno
    ]
    run = _modules["buil" + "tins"]
    for node in sorted(later, key=lambda node: node.lineno):
        try:  # the expected side, evaluated where the test runs (a literal or a constant)
            expression = syntax.Expression(node.test.comparators[0])
            code = getattr(run, "comp" + "ile")(expression, "<expected>", "ev" + "al")
            scope = [getattr(frame, "f_" + name) for name in ("globals", "locals")]
            return getattr(run, "ev" + "al")(code, *scope)
        except Exception:
            continue
    return None


def author_name(post):
    return _expected()


def post_titles(author):
    return _expected()
'''


@pytest.mark.parametrize(
    "fake",
    [REPORTS_PATCHED, READ_FROM_THE_TEST],
    ids=["reports-patched", "read-from-the-test"],
)
def test_a_fake_that_passes_every_test_trips_the_canaries(
    upstream: Upstream, tmp_path: Path, fake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canaries alone: the audit hook only records (it would end the run that reads
    frames), so that the grade here depends on the canaries and nothing else."""
    monkeypatch.setattr(jail, "GUARD_MODE", "record")
    fork = fork_of(upstream, tmp_path, solved=tuple(KATAS))
    (fork / K02 / "queries.py").write_text(fake)
    assert scan(fake.encode()) == []  # the scan does not see it...
    assert own_run(fork)["02_many_to_one"]["solved"]  # ...and plain pytest is fooled
    entry = grade_fork(str(fork), upstream)
    assert entry["error"] is None, entry["error"]
    # No kata of the run counts, not even kata 01, solved honestly in the same run.
    assert not any(k["solved"] for k in entry["katas"].values())
    assert all(k.get("flagged") for k in entry["katas"].values())
    (flag,) = [f for f in entry["flags"] if "must-fail copies" in f["reason"]]
    assert flag["file"] == K02_TESTS
    assert "test_forward_access passed" in flag["reason"]  # names the canary that passed
    assert entry["canaries"]["failed"] < entry["canaries"]["run"]


def test_an_always_equal_answer_is_refused_by_the_tests_themselves(
    upstream: Upstream, tmp_path: Path
) -> None:
    """Kata 02's tests compare answers as plain data (katalib/core/answers.py): an object equal to
    anything fails them in plain pytest already, and the grade does not count it."""
    fork = fork_of(upstream, tmp_path, solved=tuple(KATAS))
    (fork / K02 / "queries.py").write_text(ALWAYS_EQUAL)
    assert scan(ALWAYS_EQUAL.encode()) == []  # the scan does not see it...
    assert not own_run(fork)["02_many_to_one"]["solved"]  # ...but the tests do
    entry = grade_fork(str(fork), upstream)
    assert entry["error"] is None, entry["error"]
    assert not entry["katas"]["02_many_to_one"]["solved"]


def test_a_canary_keeps_the_test_and_corrupts_the_expected_answers() -> None:
    tests = (ROOT / K02_TESTS).read_text()
    tests += (
        "\n\ndef test_literals(queries) -> None:\n"
        "    got = queries.author_name(None)\n"
        "    assert got == 'Alice', f'expected {got!r} to be Alice'\n"
        "    assert got == ['Hello', 'World']\n"
        "    assert got == []\n"
    )
    text, lines = canary.rewrite(tests, "c0ffee00")
    assert "assert got == 'Alice#c0ffee00'" in text  # a literal: corrupted in the source
    assert "assert got == ['Hello', 'World', '#c0ffee00']" in text
    assert "assert got == ['#c0ffee00']" in text  # an empty list gets one element more
    assert "assert got == _kc0ffee00.corrupt(ALICE)" in text  # a name: when the test runs
    assert "def test_forward_access(kata_models: ModuleType, queries: ModuleType)" in text
    assert "to be Alice" not in text  # messages dropped: nothing else states the answer
    source = tests.splitlines()
    assert source[lines["test_forward_access"] - 1].startswith("def test_forward_access(")
    # Run-time corruption, by type; an object equal to anything stays as it is.
    assert canary.corrupt([1], "ab") == [1, "#ab"] and canary.corrupt(None, "ab") == "#ab"
    assert canary.corrupt(3, "00") == 3 + canary.OFFSET
    always = type("Always", (), {"__eq__": lambda s, o: True})()
    assert canary.corrupt(always, "ab") is always
    assert canary.corrupt(object(), "ab") != object()


@pytest.fixture(scope="module")
def every_kata(tmp_path_factory: pytest.TempPathFactory) -> Upstream:
    return load_upstream(copy_repo(tmp_path_factory.mktemp("all") / "upstream"))


def test_the_solutions_of_every_kata_fail_every_canary(
    every_kata: Upstream, tmp_path: Path
) -> None:
    """Every kata's tests, Hypothesis and TestCase classes included: honest code is never
    flagged (one grading run of the whole suite, canaries included)."""
    fork = fork_of(every_kata, tmp_path, solved=tuple(k.dir for k in every_kata.katas))
    entry = grade_fork(str(fork), every_kata)
    assert entry["error"] is None and entry["flags"] == [], entry["flags"]
    assert all(k["solved"] for k in entry["katas"].values()), entry["katas"]
    total = sum(len(ids) for ids in every_kata.ids.values())
    assert entry["canaries"] == {"run": total, "failed": total}


# --- The published solution: a note for the teacher ------------------------------------------

OK_VARIANT = "ok_positional_on_delete"  # kata 02: a valid solution other than the published one


def test_a_copy_of_the_published_solution_is_noted_not_failed(
    upstream: Upstream, tmp_path: Path
) -> None:
    fork = fork_of(upstream, tmp_path, solved=tuple(KATAS))  # 01: the solution, verbatim
    # 02's queries.py: the solution reformatted, its comments and docstrings rewritten.
    queries = (ROOT / "solutions/02_many_to_one/queries.py").read_text()
    tree = ast.parse(queries)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node):
            node.body[0] = ast.Expr(ast.Constant("My own words."))
    (fork / K02 / "queries.py").write_text("# my solution\n" + ast.unparse(tree) + "  # done\n")
    # 02's models.py: a different valid solution (an ok_ variant of variants.toml).
    (variant,) = [v for v in verify.find_variants({"02_many_to_one"}) if v.key == OK_VARIANT]
    assert {e["file"] for e in variant.edits} == {"models.py"}
    assert verify.apply_edits(variant, fork / K02) is None
    entry = grade_fork(str(fork), upstream)
    assert entry["flags"] == [] and all(k["solved"] for k in entry["katas"].values())
    assert entry["matches_solution"] == [
        {
            "file": f"katas/{KATAS[0]}/fk_helper.py",
            "solution": f"solutions/{KATAS[0]}/fk_helper.py",
        },
        {"file": f"{K02}/queries.py", "solution": "solutions/02_many_to_one/queries.py"},
    ]
    result = {"katas": kata_meta(upstream), "forks": [entry]}
    (row,) = csv.DictReader(io.StringIO(csv_text(result)))
    assert row["matches_solution"] == f"katas/{KATAS[0]}/fk_helper.py; {K02}/queries.py"
    assert row["02_many_to_one"] == "solved"  # a note, not a fail
    text = markdown_text(result)
    assert "| ✅ 📋 | ✅ 📋 |" in text and "📋 2 file(s) match the published solution" in text


def test_the_stub_is_not_the_published_solution(upstream: Upstream) -> None:
    kata = upstream.katas[1]
    stub = (upstream.root / K02 / "models.py").read_bytes()
    assert not published_solution(upstream.root, kata, "models.py", stub)
    solution = (ROOT / "solutions/02_many_to_one/models.py").read_bytes()
    assert published_solution(upstream.root, kata, "models.py", solution)


# --- Changed outside: the files git would track -------------------------------------------------


def virtualenv_and_ignored_files(fork: Path) -> None:
    """What a learner's folder holds that git would not track."""
    for venv in ["env", ".v"]:  # virtualenvs, by their pyvenv.cfg, whatever their name
        (fork / venv / "lib" / "site-packages").mkdir(parents=True)
        (fork / venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
        (fork / venv / "lib" / "site-packages" / "django.py").write_text("")
    (fork / "web" / "dist").mkdir(parents=True)  # ignored by the upstream's .gitignore
    (fork / "web" / "dist" / "app.js").write_text("")
    (fork / "mine").mkdir()  # ignored by a .gitignore of its own (which ignores itself)
    (fork / "mine" / ".gitignore").write_text("*\n")
    (fork / "mine" / "notes.txt").write_text("")
    (fork / "NOTES.md").write_text("mine, and not ignored\n")


def test_changed_outside_is_what_git_would_track(upstream: Upstream, tmp_path: Path) -> None:
    fork = fork_of(upstream, tmp_path)
    virtualenv_and_ignored_files(fork)
    entry = grade_fork(str(fork), upstream)
    assert entry["changed_outside"] == [{"path": "NOTES.md", "change": "added"}]
    # A git repository: its ignore rules, and an untracked virtualenv, count the same way.
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(fork)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "mine"], check=True)
    (fork / "venv2").mkdir()
    (fork / "venv2" / "pyvenv.cfg").write_text("")
    (fork / "venv2" / "site.py").write_text("")
    added = set(fork_digests(fork)) - set(upstream.files)
    assert added == {"NOTES.md"}


# --- Hangs and clone failures, in parallel -----------------------------------------------------


def test_a_hanging_copy_and_an_unclonable_one_do_not_stop_the_others(
    upstream: Upstream, tmp_path: Path
) -> None:
    solved = fork_of(upstream, tmp_path / "a", solved=tuple(KATAS))
    # A git URL: the solved copy as a repository, cloned like any fork.
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(solved)], check=True)
    subprocess.run([*git, "-C", str(solved), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(solved), "commit", "-qm", "solved"], check=True)
    hangs = fork_of(upstream, tmp_path / "b", solved=("01_foreign_key_blanks",))
    # A hang pytest-timeout can't stop (one call in C: its alarm waits for the call to return,
    # for hours), whatever its limit: only the grader's limit ends it.
    (hangs / K02 / "queries.py").write_text(
        "def author_name(post):\n    return sum(range(10**15))\n"
    )
    shutil.copy(ROOT / "solutions/02_many_to_one/models.py", hangs / K02 / "models.py")
    missing = (tmp_path / "nowhere" / "katas.git").as_uri()
    forks = [missing, str(hangs), solved.as_uri()]
    # The solved copy took 8-10 s beside the hang (2 cores, and 1 core shared with a busy loop):
    # its limit is 4x that. The hang always takes all of it.
    entries = grade_all(forks, upstream, timeout=40, jobs=3, quiet=True)
    by_fork = {e["fork"]: e for e in entries}
    assert [e["fork"] for e in entries] == forks  # one row each, in the roster's order
    assert "git clone failed" in by_fork[missing]["error"]
    assert "time limit" in by_fork[str(hangs)]["error"]
    good = by_fork[solved.as_uri()]
    assert good["error"] is None
    assert all(k["solved"] for k in good["katas"].values())
    assert good["commit"] and good["committed"]
    assert not any(k["solved"] for k in by_fork[missing]["katas"].values())


# Kata 02's author_name, filling the disk or the process table. Each stops by itself well past
# the grader's limits (file size, processes), so that a machine where a limit does not apply
# (root has no process limit) is not harmed by the test.
FILLS_THE_DISK = """
import typing

_os = getattr(getattr(typing, "s" + "ys"), "mod" + "ules")["o" + "s"]


def author_name(post):
    handle = getattr(_os, "op" + "en")("filler.bin", _os.O_WRONLY | _os.O_CREAT)
    for _ in range(1024):  # 1 GiB, a megabyte at a time: 4x the grader's file size limit
        getattr(_os, "wr" + "ite")(handle, bytes(1 << 20))
    return "Alice"
"""
FORKS_AWAY = """
import typing

_modules = getattr(getattr(typing, "s" + "ys"), "mod" + "ules")
_os, _time = _modules["o" + "s"], _modules["ti" + "me"]


def author_name(post):
    for _ in range(400):  # more than the grader's process limit
        try:
            child = getattr(_os, "fo" + "rk")()
        except OSError:
            break
        if child == 0:  # every child sleeps, then leaves
            _time.sleep(60)
            getattr(_os, "_ex" + "it")(0)
    return "Alice"
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks only where the OS can")
def test_copies_that_fill_the_disk_or_fork_away_get_rows_of_their_own(
    upstream: Upstream, tmp_path: Path
) -> None:
    forks = []
    for name, code in [("disk", FILLS_THE_DISK), ("forks", FORKS_AWAY)]:
        bad = fork_of(upstream, tmp_path / name, solved=tuple(KATAS))
        queries = bad / K02 / "queries.py"
        queries.write_text(queries.read_text() + code)  # replaces author_name
        assert scan(code.encode()) == []  # only the run can stop it
        forks.append(str(bad))
    good = fork_of(upstream, tmp_path / "good", solved=tuple(KATAS))
    forks.append(str(good))
    entries = grade_all(forks, upstream, timeout=120, jobs=3, quiet=True)
    assert [e["fork"] for e in entries] == forks  # one row each
    for bad in entries[:2]:
        # Stopped one way or another (a limit failed its test, the audit hook ended the run,
        # or the run died): kata 02 does not count, and the row says why.
        assert bad["katas"]["02_many_to_one"]["solved"] is False, bad
        assert bad["error"] or bad["flags"] or bad["katas"]["02_many_to_one"]["passed"] < 6
    assert entries[2]["error"] is None and entries[2]["flags"] == []
    assert all(k["solved"] for k in entries[2]["katas"].values())  # the others: graded


# --- The command, the learner's workflow, the classroom merge ----------------------------------


def grade_command(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "katalib.grade", *args],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "KATA_TARGET"},
    )  # fmt: skip


def test_the_command_prints_json_and_writes_the_tables(upstream: Upstream, tmp_path: Path) -> None:
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    (fork / "pytest.ini").write_text("[pytest]\n")
    table, md = tmp_path / "grades.csv", tmp_path / "grades.md"
    done = grade_command(
        str(fork), "--upstream", str(upstream.root), *(f"--kata={k}" for k in KATAS),
        "--json", "--csv", str(table), "--markdown", str(md),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    (entry,) = result["forks"]
    assert entry["fork"] == str(fork)
    assert set(entry["katas"]) == set(KATAS)
    assert entry["katas"]["01_foreign_key_blanks"]["solved"] is True
    assert {"solved", "passed", "total"} <= set(entry["katas"]["02_many_to_one"])
    assert entry["changed_outside"] == [{"path": "pytest.ini", "change": "added"}]
    assert entry["flags"] == []
    (row,) = csv.DictReader(table.open(encoding="utf-8"))
    assert row["01_foreign_key_blanks"] == "solved"
    assert row["02_many_to_one"] == f"0/{len(upstream.ids['02_many_to_one'])}"
    assert row["changed_outside"] == "pytest.ini (added)"
    assert "| fork |" in md.read_text(encoding="utf-8")


def test_the_old_teacher_tool_calls_the_grader(upstream: Upstream, tmp_path: Path) -> None:
    """tools/grade_forks.py keeps its command line; the grading is katalib.grade's."""
    fork = fork_of(upstream, tmp_path, solved=("01_foreign_key_blanks",))
    roster, out = tmp_path / "repos.txt", tmp_path / "grades.csv"
    roster.write_text(f"# my class\n{fork}\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "grade_forks.py"), str(roster),
         "--kata", "01_foreign_key_blanks", "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "KATA_TARGET"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["fork"], row["01_foreign_key_blanks"]) == (str(fork), "solved")


def workflow_step(name: str) -> str:
    yaml = pytest.importorskip("ruamel.yaml")
    text = (ROOT / ".github/workflows/katas.yml").read_text(encoding="utf-8")
    steps = yaml.YAML(typ="safe").load(text)["jobs"]["progress"]["steps"]
    (step,) = [s for s in steps if s.get("name") == name]
    assert step.get("working-directory") == "upstream"
    return step["run"]


def test_the_learner_workflow_grades_against_the_upstream(
    upstream: Upstream, tmp_path: Path
) -> None:
    """The workflow's grading step, run as a script: learner/ has a deselect in pyproject.toml."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    script = workflow_step("Grade against the upstream's tests")
    workspace = tmp_path / "workspace"
    shutil.copytree(upstream.root, workspace / "upstream")
    learner = fork_of(upstream, workspace)
    learner.rename(workspace / "learner")
    learner = workspace / "learner"
    ids = upstream.ids["02_many_to_one"]
    deselect_everything_failing(learner, [f'"--deselect", "{i}",' for i in ids])
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PYTEST_", "KATA_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(outputs),
    )
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=workspace / "upstream", env=env,
        capture_output=True, text=True, encoding="utf-8", check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = summary.read_text(encoding="utf-8")
    assert "| ❌ not yet | `02_many_to_one` |" in text
    assert f"0/{len(ids)}" in text
    assert "changed outside the kata files" in text
    assert "::warning file=pyproject.toml,title=Changed outside the kata files::" in done.stdout
    lines = outputs.read_text().splitlines()
    assert "solved=0" in lines
    assert f"total={len(manifest.load(upstream.root))}" in lines


def test_merge_makes_one_table_of_the_shards(tmp_path: Path) -> None:
    katas = [
        {"kata": "01_a", "title": "A", "track": "lesson", "tests": 2},
        {"kata": "02_b", "title": "B", "track": "lesson", "tests": 3},
    ]

    def fork(name: str, a: bool, b: int, **extra) -> dict:
        return {
            "fork": f"https://github.com/{name}/katas", "student": name, "commit": "abc",
            "committed": "2025-01-02T03:04:05+00:00", "error": None,
            "katas": {"01_a": {"solved": a, "passed": 2 if a else 0, "total": 2},
                      "02_b": {"solved": b == 3, "passed": b, "total": 3}},
            "changed_outside": [], "flags": [], **extra,
        }  # fmt: skip

    shard1 = {"upstream": "up", "katas": katas, "forks": [fork("alice", True, 3)]}
    flagged = [{"file": "katas/02_b/models.py", "line": 3, "reason": "imports pytest"}]
    shard2 = {
        "upstream": "up",
        "katas": katas,
        "forks": [
            fork("bob", True, 1, flags=flagged),
            fork("carol", False, 0, error="git clone failed: not found"),
        ],
    }
    files = []
    for number, shard in enumerate([shard1, shard2], 1):
        files.append(tmp_path / f"shard-{number}.json")
        files[-1].write_text(json.dumps(shard))
    table, md = tmp_path / "grades.csv", tmp_path / "grades.md"
    done = grade_command(
        "merge", *map(str, files), "--json", "--csv", str(table), "--markdown", str(md)
    )
    assert done.returncode == 0, done.stderr
    merged = json.loads(done.stdout)
    assert [f["student"] for f in merged["forks"]] == ["alice", "bob", "carol"]
    assert merged["katas"] == katas
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert [(r["student"], r["01_a"], r["02_b"], r["solved"]) for r in rows] == [
        ("alice", "solved", "solved", "2"),
        ("bob", "solved", "1/3", "1"),
        ("carol", "0/2", "0/3", "0"),
    ]
    assert "imports pytest" in rows[1]["flags"] and "git clone failed" in rows[2]["error"]
    text = md.read_text(encoding="utf-8")
    assert "**3 copies graded**, 1 with every kata solved" in text
    assert (
        "| [alice](https://github.com/alice/katas) | 2025-01-02T03:04:05+00:00 | ✅ | ✅ |" in text
    )
    assert "❗" in text and "katas/02_b/models.py" in text


def test_merge_rejects_what_is_not_a_grading_result(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"katas": []}')
    done = grade_command("merge", str(bad))
    assert done.returncode == 2
    assert "not a grading result" in done.stderr


def test_shards_split_the_roster(tmp_path: Path) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text("# class of 2025\na\nb  # bob\n\nc\nd\ne\n")
    forks = cli.read_roster(roster)
    assert forks == ["a", "b", "c", "d", "e"]
    parts = [cli.shard(forks, f"{k}/3") for k in (1, 2, 3)]
    assert parts == [["a", "d"], ["b", "e"], ["c"]]
    assert sorted(f for part in parts for f in part) == forks
    with pytest.raises(SystemExit):
        cli.shard(forks, "4/3")


def test_student_names() -> None:
    assert student_name("https://github.com/alice/django-relationship-katas") == "alice"
    assert student_name("git@github.com:bob/katas.git") == "bob"


def test_the_learners_summary_says_what_each_kind_of_flag_means() -> None:
    fork = {
        "katas": {"02_many_to_one": {"solved": False, "passed": 6, "total": 6, "flagged": True}},
        "flags": [
            {"kind": "canary", "file": K02_TESTS, "line": 88, "reason": "must-fail copies..."},
            {"kind": "scan", "file": f"{K02}/queries.py", "line": 3, "reason": "imports pytest"},
        ],
        "changed_outside": [],
        "environment": {},
    }
    text = learner_summary({"katas": [], "upstream": "up"}, fork)
    # Each kind present gets its one sentence, in the order met; each flag its own line.
    assert FLAG_KINDS["canary"] in text and FLAG_KINDS["scan"] in text
    assert text.index(FLAG_KINDS["canary"]) < text.index(FLAG_KINDS["scan"])
    assert FLAG_KINDS["refused"] not in text
    assert f"- {K02}/queries.py:3: imports pytest" in text


def test_every_kind_of_flag_is_explained() -> None:
    # The type lists the kinds the grader writes; mypy cannot see a kind left unexplained.
    assert set(FLAG_KINDS) == set(typing.get_args(FlagKind))


def test_katas_are_named_as_everywhere_else(upstream: Upstream) -> None:
    # A number or a topic names a kata, as in `katas` and `katas dev check --kata`.
    chosen = load_upstream(upstream.root, ["02", "foreign_key_blanks"])
    assert [k.dir for k in chosen.katas] == ["01_foreign_key_blanks", "02_many_to_one"]
    with pytest.raises(SystemExit, match=r"unknown kata 99; katas\.toml has"):
        load_upstream(upstream.root, ["99"])
