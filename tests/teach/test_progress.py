"""Harness tests: one kata in focus, each reason once, a progress table that tells the truth.

Each test copies the real repository (harness, katas, solutions) into a scratch folder and runs
pytest there in a subprocess, as a learner would, with pytest's cache on: progress is
remembered between runs exactly as on a learner's machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from katalib.base import cache
from katalib.base.marks import State
from katalib.teach import progress
from tests.scratch import OPTIONAL_PLUGINS, environment, run, scratch_repo, solve

ROOT = Path(__file__).resolve().parents[2]
KATA_01_FAILURE = "a blank (____) is still not filled in"
KATA_02_BROKEN = "Kata 02_many_to_one is broken: models.py does not load."


def unsolve(repo: Path, kata: str) -> None:
    for path in (ROOT / "katas" / kata).glob("*.py"):
        shutil.copy2(path, repo / "katas" / kata / path.name)


def results(repo: Path) -> dict[str, dict]:
    data = json.loads((repo / "kata-results.json").read_text(encoding="utf-8"))
    return {row["kata"]: row for row in data["katas"]}


def table_line(done: subprocess.CompletedProcess[str], kata: str) -> str:
    summary = done.stdout.split("kata progress", 1)[-1]
    return next(line for line in summary.splitlines() if f" {kata} " in line)


def screen_lines(text: str, width: int = 80) -> int:
    """Lines on a terminal of ``width`` columns: long lines wrap."""
    return sum(max(1, -(-len(line) // width)) for line in text.splitlines())


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory):
    repo = scratch_repo(tmp_path_factory.mktemp("first"))
    return repo, run(repo, "--junitxml=junit.xml")


def test_first_run_fits_one_screen_with_kata_01_in_focus(first_run) -> None:
    """Untouched katas, plain `pytest`, 80 columns: at most 60 lines, kata 01's failure shown."""
    _, done = first_run
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr
    # The whole first run fits a screen, wrapped lines counted.
    assert screen_lines(done.stdout) <= 60, done.stdout
    # Kata 01's failure is shown; no other kata's failure details are.
    assert KATA_01_FAILURE in done.stdout
    assert KATA_02_BROKEN not in done.stdout
    assert "Kata 03_on_delete" not in done.stdout
    # Task 1 fails first: its failure is printed; task 2's three tests are named in one line.
    assert done.stdout.count(KATA_01_FAILURE) == 1
    assert "Later tasks fail too: task 2 (3 tests)" in done.stdout


def test_first_run_still_runs_and_reports_every_test(first_run) -> None:
    """Focus changes only what is printed: the exit code, JUnit XML and results are complete."""
    repo, done = first_run
    collected = run(repo, "--collect-only", "-q").stdout
    total = sum(1 for line in collected.splitlines() if line.startswith("katas/") and "::" in line)
    assert total > 100, collected[-2000:]
    # pytest's last line counts every failure and error, not only the ones shown.
    last = done.stdout.splitlines()[-1]
    counts = {word.rstrip("s"): int(n) for n, word in re.findall(r"(\d+) (failed|errors?)", last)}
    assert counts.get("failed", 0) + counts.get("error", 0) >= total, last
    cases = ET.parse(repo / "junit.xml").getroot().iter("testcase")
    assert sum(1 for _ in cases) == total
    rows = results(repo)
    assert len(rows) == 13 and not any(row["solved"] for row in rows.values())
    assert sum(row["total"] for row in rows.values()) == total


def test_no_library_frames_in_what_the_learner_sees(first_run) -> None:
    """Tracebacks stop at the learner's code: no Django, pytest or Hypothesis frames."""
    _, done = first_run
    for library in ["site-packages", "/django/", "_pytest", "/hypothesis/"]:
        assert library not in done.stdout, library


def test_focus_moves_to_kata_02_when_kata_01_is_solved(repo: Path) -> None:
    solve(repo, "01_foreign_key_blanks")
    done = run(repo)
    # Kata 02 is now the first unsolved kata: its failure is the one shown.
    assert KATA_02_BROKEN in done.stdout
    assert KATA_01_FAILURE not in done.stdout
    # Its six tests share one reason (models.py does not load): one explanation, once.
    assert done.stdout.count("Fix: pass on_delete") == 1
    assert "5 more tests fail for this reason" in done.stdout
    assert "✅" in table_line(done, "01_foreign_key_blanks")
    assert "Next: open katas/02_many_to_one/README.md, then run: katas" in done.stdout


def test_show_all_prints_every_failure(repo: Path) -> None:
    """One flag shows everything, as pytest always would."""
    done = run(repo, "--show-all", "-p", "no:cacheprovider")
    assert done.stdout.count(KATA_01_FAILURE) >= 4
    assert KATA_02_BROKEN in done.stdout


def test_an_explicit_path_shows_what_was_asked_for(repo: Path) -> None:
    """`pytest katas/05_...` shows kata 05's failures, each reason once, and a short table."""
    done = run(repo, "katas/05_many_to_many")
    assert "Do task 1 first" in done.stdout
    assert done.stdout.count("Do task 1 first") == 1
    summary = done.stdout.split("kata progress", 1)[1]
    # A one-kata run: that kata's row, the overall count and Next; not all 13 rows.
    assert "05_many_to_many" in summary and "01_foreign_key_blanks " not in summary
    assert "0 of 13 solved" in summary
    assert screen_lines(summary) <= 8, summary


def test_one_test_never_marks_a_kata_solved(repo: Path) -> None:
    """Running one test (as VS Code's test explorer does) can't make a 12-test kata solved."""
    solve(repo, "03_on_delete")
    one = "katas/03_on_delete/test_on_delete.py::test_the_models_pass_djangos_checks"
    done = run(repo, one)
    assert done.returncode == 0
    row = results(repo)["03_on_delete"]
    assert not row["solved"] and row["passed"] == 1 and row["ran_tests"] == 1, row
    assert "✅" not in table_line(done, "03_on_delete")
    # A later run of another kata still doesn't count kata 03 as solved.
    later = run(repo, "katas/01_foreign_key_blanks")
    assert not results(repo)["03_on_delete"]["solved"]
    assert "Next: open katas/01_foreign_key_blanks" in later.stdout
    # After the whole kata ran on the same files, a single test says so: 12/12, 1 ran.
    run(repo, "katas/03_on_delete")
    again = run(repo, one, columns=120)
    assert "12/12 tests, 1 ran" in table_line(again, "03_on_delete")
    assert results(repo)["03_on_delete"]["solved"]


def test_a_partial_run_says_how_many_ran(repo: Path) -> None:
    run(repo, "katas/03_on_delete")
    done = run(repo, "katas/03_on_delete", "-k", "customer", columns=120)
    row = results(repo)["03_on_delete"]
    assert row["ran_tests"] == 2 and row["total"] == 12, row
    assert "0/12 tests, 2 ran" in table_line(done, "03_on_delete")


def test_a_changed_kata_is_stale_and_never_decides_next(repo: Path) -> None:
    """Results from before the files changed are "changed since", not solved or failing."""
    solve(repo, "01_foreign_key_blanks")
    run(repo, "katas/01_foreign_key_blanks")
    assert results(repo)["01_foreign_key_blanks"]["solved"]
    unsolve(repo, "01_foreign_key_blanks")  # back to the stub, not run since
    solve(repo, "02_many_to_one")
    done = run(repo, "katas/02_many_to_one", columns=120)
    row = results(repo)["01_foreign_key_blanks"]
    assert row["state"] == "changed" and not row["solved"], row
    assert "changed since" in done.stdout
    assert "Next: 01_foreign_key_blanks changed since its last run" in done.stdout


def test_a_kata_repaired_after_a_failing_run_is_not_shown_failing(repo: Path) -> None:
    """A kata fixed after a red run shows "changed since" (to rerun), not its old ❌ 14/15."""
    run(repo, "katas/01_foreign_key_blanks")
    solve(repo, "01_foreign_key_blanks")
    done = run(repo, "katas/02_many_to_one", "katas/03_on_delete", columns=120)
    assert "changed since" in table_line(done, "01_foreign_key_blanks")
    assert "❌" not in table_line(done, "01_foreign_key_blanks")


def test_the_katas_command_reads_the_same_record(repo: Path) -> None:
    """katalib.teach.progress.load_rows (used by `katas list`) agrees with the results file."""
    solve(repo, "01_foreign_key_blanks")
    run(repo, "katas/01_foreign_key_blanks", "katas/02_many_to_one")
    code = textwrap.dedent(
        """
        import json
        from katalib.teach import progress
        print(json.dumps({r.kata: r.state for r in progress.load_rows("katas")}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    states = json.loads(out.stdout)
    assert states["01_foreign_key_blanks"] == "solved"
    assert states["02_many_to_one"] == "failing"
    assert states["03_on_delete"] == "not run"


def test_xdist_gives_the_same_results_as_a_serial_run(repo: Path) -> None:
    """`pytest -n 2` (pytest-xdist) writes the same kata-results.json and prints the table."""
    pytest.importorskip("xdist")
    solve(repo, "01_foreign_key_blanks")
    solve(repo, "03_on_delete")
    serial = run(repo, "-p", "no:cacheprovider", "-p", "no:randomly")
    assert serial.returncode == 1, serial.stdout[-2000:]
    expected = results(repo)
    parallel = run(repo, "-p", "no:cacheprovider", "-n", "2")
    assert "kata progress" in parallel.stdout, parallel.stdout[-2000:]
    assert results(repo) == expected
    assert expected["03_on_delete"]["solved"] and not expected["02_many_to_one"]["solved"]


def test_a_broken_kata_with_a_hypothesis_test_shows_the_whole_story_once(repo: Path) -> None:
    """Kata 05's Hypothesis test runs first: it still shows the file, the line and the fix."""
    models = repo / "katas" / "05_many_to_many" / "models.py"
    text = models.read_text(encoding="utf-8")
    models.write_text(text.replace("class Post(models.Model):", "class Post(models.Model)"))
    done = run(repo, "katas/05_many_to_many", columns=120)
    assert "at katas/05_many_to_many/models.py, line" in done.stdout, done.stdout
    assert done.stdout.count("SyntaxError: expected ':'") == 1, done.stdout
    assert "Fix: fix that line" in done.stdout
    # Nothing refers to an explanation that is not on the screen, and no Hypothesis seed.
    assert "first failing test of this kata above" not in done.stdout
    assert "explained in this kata's first error above" not in done.stdout
    assert "@seed(" not in done.stdout


def test_one_task_at_a_time_and_one_block_per_test(repo: Path) -> None:
    """Kata 07 with icontains everywhere: task 1's failures in full, one block per test
    function (not one per parameter), and one line naming the later tasks that fail."""
    solve(repo, "07_filter_across")
    queries = repo / "katas" / "07_filter_across" / "queries.py"
    text = queries.read_text(encoding="utf-8")
    text = text.replace("author__name=name)", "author__name__icontains=name)")
    text = text.replace("author__name__iexact=name)", "author__name__icontains=name)")
    queries.write_text(text, encoding="utf-8")
    done = run(repo, "katas/07_filter_across", columns=120)
    failures = done.stdout.split("FAILURES", 1)[1].split("kata progress", 1)[0]
    # Task 1's two test functions are shown, the parametrised one once.
    assert failures.count("test_posts_by_author_matches_the_exact_name") >= 1
    assert failures.count("_ test_posts_by_author_matches_the_exact_name[") == 1, failures
    assert "more tests fail for this reason: test_posts_by_author_matches_the_exact_name[" in (
        failures
    )
    # Task 2 is named, not shown.
    assert "posts_by_author_any_case" not in failures.split("Later tasks fail too")[0]
    assert "Later tasks fail too: task 2 (8 tests)" in failures
    # The hint is the first hint of task 1, from HINTS.md.
    assert "Hint for task 1:" in done.stdout


def test_under_the_katas_command_the_plugin_leaves_next_to_it(repo: Path) -> None:
    env_run = subprocess.run(
        [sys.executable, "-m", "pytest", *OPTIONAL_PLUGINS, "katas/01_foreign_key_blanks"],
        cwd=repo,
        env={**os.environ, "KATAS_COMMAND": "1", "KATA_TARGET": "katas"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "kata progress" in env_run.stdout
    assert "Next:" not in env_run.stdout and "Hint" not in env_run.stdout


# --- The row and its state as types; where the record is kept -----------------------------------


def test_a_row_is_written_and_read_back_unchanged() -> None:
    """kata-results.json says a state by its word; reading the row back gives the same Row."""
    row = progress.Row(
        kata="03_on_delete", title="t", track="lesson", state=State.NOT_RUN, passed=0, total=12
    )
    written = json.loads(json.dumps(row.as_json()))
    assert written["state"] == "not run" and written["solved"] is False
    assert progress.Row.from_json(written) == row


@pytest.mark.parametrize(
    ("ran", "solved", "state"),
    [(True, True, State.SOLVED), (True, False, State.FAILING), (False, False, State.NOT_RUN)],
)
def test_a_row_with_only_the_documented_keys_reads(ran: bool, solved: bool, state: State) -> None:
    """The grader's summary of a copy gives the report only the keys docs/teaching.md names."""
    entry = {"kata": "01_x", "title": "t", "ran": ran, "solved": solved, "passed": 1, "total": 2}
    assert progress.Row.from_json(entry).state is state


def test_the_cache_folder_is_the_one_pytest_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a run: -o cache_dir in PYTEST_ADDOPTS (the last wins), else pyproject.toml's."""
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.delenv("TOX_ENV_DIR", raising=False)
    (tmp_path / "pyproject.toml").write_text("[tool.pytest]\ntimeout = 20\n")
    assert cache.folder(root=tmp_path) == tmp_path / ".pytest_cache"
    (tmp_path / "pyproject.toml").write_text('[tool.pytest]\ncache_dir = "kept"\n')
    assert cache.folder(root=tmp_path) == tmp_path / "kept"
    monkeypatch.setenv("PLACE", "here")
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x -o cache_dir=first --override-ini=cache_dir=$PLACE")
    assert cache.folder(root=tmp_path) == tmp_path / "here"


def test_progress_is_kept_where_cache_dir_says_and_read_from_there(repo: Path) -> None:
    """pyproject.toml's cache_dir, or -o cache_dir=... for a run and for `katas list` alike
    (PYTEST_ADDOPTS): the record is written there, and the katas command reads it there."""
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            "[tool.pytest]\n", '[tool.pytest]\ncache_dir = "configured"\n', 1
        ),
        encoding="utf-8",
    )
    solve(repo, "01_foreign_key_blanks")
    run(repo, "katas/01_foreign_key_blanks")
    record = Path("v") / progress.cache_key("katas")
    assert (repo / "configured" / record).is_file()
    assert not (repo / ".pytest_cache" / record).exists()
    # The probe's verdicts (katalib.core.probe) are kept beside it: one owner says where.
    assert (repo / "configured" / "v" / "katas" / "probe-katas").is_file()
    run(repo, "katas/02_many_to_one", "-o", "cache_dir=elsewhere")
    assert (repo / "elsewhere" / record).is_file()

    def listed(**env: str) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "katalib", "list"],
            cwd=repo,
            env={**environment(repo), **env},
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        )
        return {line.split()[1]: line for line in done.stdout.splitlines() if line[:1] == " "}

    configured = listed()
    assert "solved, 4/4 tests" in configured["01_foreign_key_blanks"]
    assert "not run yet" in configured["02_many_to_one"]  # that run kept its record apart
    elsewhere = listed(PYTEST_ADDOPTS="-o cache_dir=elsewhere")
    assert "not run yet" in elsewhere["01_foreign_key_blanks"]
    assert "task 1 first" in elsewhere["02_many_to_one"]
