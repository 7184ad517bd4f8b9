"""Harness tests: a kata that ends, hangs or interrupts Python, or whose tables clash, fails alone.

Before these protections one broken kata file could end the whole run: ``sys.exit()`` (only
``bye`` printed, no table, no results file), ``os._exit()`` (no output at all), ``while True``
at the top level (a hang: pytest-timeout does not cover imports), ``raise KeyboardInterrupt``
in queries.py (the run stopped after a few tests), and a ``db_table`` or ``db_column`` that
another model already uses (the test database failed to build: every database kata errored and
none was named). Like tests/core/test_isolation.py, each test builds a scratch repository with the
real harness and small synthetic katas, and runs pytest there as a learner would.
Run with: pytest tests
"""

from __future__ import annotations

import json
import os
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from katalib.base import env, places
from katalib.core import loader, probe
from katalib.core.probe import config, inprocess, parent, verdicts
from tests.scratch import HEALTHY_MODELS, HEALTHY_QUERIES, make_repo
from tests.scratch import run_uncached as run

HEALTHY = ["01_healthy", "02_also_healthy"]
LIMIT = "2"  # KATA_IMPORT_TIMEOUT, seconds: the hanging files give up quickly


def line_of(source: str, text: str) -> int:
    """The 1-based number of the first line of ``source`` that contains ``text``."""
    return next(n for n, line in enumerate(source.splitlines(), start=1) if text in line)


def models_with(extra: str) -> str:
    return HEALTHY_MODELS + extra


SYS_EXIT = models_with('\nimport sys\n\nsys.exit("bye")\n')
OS_EXIT = models_with("\nimport os\n\nos._exit(3)\n")
ENDLESS = models_with("\nwhile True: pass\n")  # one line: the loop is always at that line
INTERRUPTING_QUERIES = "raise KeyboardInterrupt\n\n\n" + HEALTHY_QUERIES
OTHER_KATAS_TABLE = models_with('\n    class Meta:\n        db_table = "k01_healthy_post"\n')
ONE_COLUMN_TWICE = HEALTHY_MODELS.replace(
    "    name = models.CharField(max_length=50)\n",
    "    name = models.CharField(max_length=50)\n"
    '    nickname = models.CharField(max_length=50, db_column="name")\n',
)

# The table: kata -> (models.py, queries.py, tests passing of 2, what the learner reads).
BREAKS = {
    "11_sys_exit": (
        SYS_EXIT,
        HEALTHY_QUERIES,
        0,
        [
            "Kata 11_sys_exit is broken: models.py does not load.",
            f"katas/11_sys_exit/models.py, line {line_of(SYS_EXIT, 'sys.exit')}",
            "SystemExit: bye",
            "Fix: remove that call",
        ],
    ),
    "12_os_exit": (
        OS_EXIT,
        HEALTHY_QUERIES,
        0,
        [
            "Kata 12_os_exit is broken: models.py does not load.",
            f"katas/12_os_exit/models.py, line {line_of(OS_EXIT, 'os._exit')}",
            "os._exit(3) in models.py ends Python at once",
            "Fix: remove that call",
        ],
    ),
    "13_endless_loop": (
        ENDLESS,
        HEALTHY_QUERIES,
        0,
        [
            "Kata 13_endless_loop is broken: models.py does not load.",
            f"katas/13_endless_loop/models.py, line {line_of(ENDLESS, 'while True')}",
            f"models.py did not finish loading within {LIMIT} s",
            "KATA_IMPORT_TIMEOUT=60",
        ],
    ),
    "14_keyboard_interrupt": (
        HEALTHY_MODELS,
        INTERRUPTING_QUERIES,
        1,  # the models load: only the test that imports queries.py fails
        [
            "Kata 14_keyboard_interrupt is broken: queries.py does not load.",
            "katas/14_keyboard_interrupt/queries.py, line 1",
            "KeyboardInterrupt raised while queries.py loads",
            "Fix: remove the raise",
        ],
    ),
    "15_table_of_another_kata": (
        OTHER_KATAS_TABLE,
        HEALTHY_QUERIES,
        0,
        [
            (
                "Kata 15_table_of_another_kata is broken: Post wants the table 'k01_healthy_post', "
                "which Post of kata 01_healthy already has."
            ),
            (
                "katas/15_table_of_another_kata/models.py, "
                f"line {line_of(OTHER_KATAS_TABLE, 'db_table')}"
            ),
            (
                "models.E028: db_table 'k01_healthy_post' is used by multiple models: "
                "k01_healthy.Post, k15_table_of_another_kata.Post."
            ),
            "Fix: remove db_table from the Meta of Post",
        ],
    ),
    "16_one_column_twice": (
        ONE_COLUMN_TWICE,
        HEALTHY_QUERIES,
        0,
        [
            "Kata 16_one_column_twice is broken: two fields of Author use the column 'name'.",
            f"katas/16_one_column_twice/models.py, line {line_of(ONE_COLUMN_TWICE, 'nickname')}",
            "models.E007: Field 'nickname' has column name 'name' that is used by another field.",
            "Fix: remove db_column from Author.nickname",
        ],
    ),
}

# Their relatives, all in one run together with the breaks above.
CRASH = models_with("\nimport ctypes\n\nctypes.string_at(0)\n")
OWN_BASE_EXCEPTION = models_with(
    '\n\nclass Stop(BaseException):\n    pass\n\n\nraise Stop("custom")\n'
)
DJANGOS_TABLE = HEALTHY_MODELS.replace(
    "    name = models.CharField(max_length=50)\n",
    '    name = models.CharField(max_length=50)\n\n    class Meta:\n        db_table = "auth_user"\n',
)
JOIN_TABLE_CLASH = models_with(
    "    fans = models.ManyToManyField(Author, related_name='liked', "
    "db_table='k02_also_healthy_post')\n"
)
TWO_MODELS_ONE_TABLE = (
    HEALTHY_MODELS.replace(
        "    name = models.CharField(max_length=50)\n",
        '    name = models.CharField(max_length=50)\n\n    class Meta:\n        db_table = "shared"\n',
    )
    + '\n    class Meta:\n        db_table = "shared"\n'
)
SAME_INDEX = HEALTHY_MODELS.replace(
    "    name = models.CharField(max_length=50)\n",
    "    name = models.CharField(max_length=50)\n\n    class Meta:\n"
    '        indexes = [models.Index(fields=["name"], name="same_idx")]\n',
)
RELATIVES = {
    "17_os_exit_zero_in_queries": (
        HEALTHY_MODELS,
        "import os\n\nos._exit(0)\n",
        1,
        ["katas/17_os_exit_zero_in_queries/queries.py, line 3", "os._exit(0) in queries.py"],
    ),
    "18_endless_queries": (
        HEALTHY_MODELS,
        HEALTHY_QUERIES + "\n\nwhile True: pass\n",
        1,
        ["katas/18_endless_queries/queries.py, line 5", "queries.py did not finish loading"],
    ),
    "19_crash": (
        CRASH,
        HEALTHY_QUERIES,
        0,
        [
            f"katas/19_crash/models.py, line {line_of(CRASH, 'string_at')}",
            "Python crashed while models.py loads",
        ],
    ),
    "20_own_base_exception": (
        OWN_BASE_EXCEPTION,
        HEALTHY_QUERIES,
        0,
        [
            f"katas/20_own_base_exception/models.py, line {line_of(OWN_BASE_EXCEPTION, 'raise')}",
            "Stop: custom raised while models.py loads",
        ],
    ),
    "21_table_of_django": (
        DJANGOS_TABLE,
        HEALTHY_QUERIES,
        0,
        [
            (
                "Kata 21_table_of_django is broken: Author wants the table 'auth_user', which "
                "Django's own auth.User already has."
            ),
            f"katas/21_table_of_django/models.py, line {line_of(DJANGOS_TABLE, 'db_table')}",
        ],
    ),
    "22_join_table_clash": (
        JOIN_TABLE_CLASH,
        HEALTHY_QUERIES,
        0,
        [
            "fields.E340: The field's intermediary table 'k02_also_healthy_post' clashes",
            f"katas/22_join_table_clash/models.py, line {line_of(JOIN_TABLE_CLASH, 'fans')}",
            "Fix: remove db_table from the ManyToManyField Post.fans",
        ],
    ),
    "23_two_models_one_table": (
        TWO_MODELS_ONE_TABLE,
        HEALTHY_QUERIES,
        0,
        [
            (
                "models.E028: db_table 'shared' is used by multiple models: "
                "k23_two_models_one_table.Author, k23_two_models_one_table.Post."
            ),
        ],
    ),
    # Two katas name an index alike: the database refuses the second kata's tables only.
    "24_index_first": (SAME_INDEX, HEALTHY_QUERIES, 2, []),
    "25_index_second": (
        SAME_INDEX,
        HEALTHY_QUERIES,
        0,
        [
            "Kata 25_index_second is broken: the database refused to create its tables.",
            f"katas/25_index_second/models.py, line {line_of(SAME_INDEX, 'same_idx')}",
            "same_idx",
        ],
    ),
    # Built after the refused one: its tables need a connection left as Django expects it.
    "26_built_after_the_refusal": (HEALTHY_MODELS, HEALTHY_QUERIES, 2, []),
}


def scratch_run(tmp_path: Path, broken: dict, *args: str, **env: str):
    katas = {name: (HEALTHY_MODELS, HEALTHY_QUERIES) for name in HEALTHY}
    katas |= {name: (models, queries) for name, (models, queries, *_) in broken.items()}
    repo = make_repo(tmp_path, katas)
    done = run(
        repo, "--timeout=20", "--junitxml=junit.xml", *args, KATA_IMPORT_TIMEOUT=LIMIT, **env
    )
    return repo, done


def results(repo: Path) -> dict[str, dict]:
    data = json.loads((repo / "kata-results.json").read_text(encoding="utf-8"))
    return {row["kata"]: row for row in data["katas"]}


def reported(repo: Path) -> str:
    """Every failure and error message of the run, from the JUnit XML (which, unlike the
    terminal, shows every kata's failures in full)."""
    texts = []
    for case in ET.parse(repo / "junit.xml").iter("testcase"):
        for outcome in case:
            if outcome.tag in {"failure", "error"}:
                texts += [outcome.get("message") or "", outcome.text or ""]
    return "\n".join(texts)


def assert_contained(repo: Path, done, broken: dict) -> None:
    """The run completed, printed the table and wrote the results; only the broken katas fail,
    each with its own story."""
    output = done.stdout + done.stderr
    # Exit code 1: tests failed. Not 2-4 (interrupted, internal error), not 3 from os._exit.
    assert done.returncode == 1, output[-3000:]
    assert "INTERNALERROR" not in output
    assert "kata progress" in done.stdout, done.stdout[-3000:]
    rows = results(repo)
    for name in HEALTHY:
        assert rows[name]["solved"] and rows[name]["passed"] == 2, (name, rows[name])
    text = reported(repo)
    for name, (_, _, passing, expected) in broken.items():
        row = rows[name]
        assert row["ran"] and row["total"] == 2 and row["passed"] == passing, (name, row)
        for snippet in expected:
            assert snippet in text, f"{name}: expected {snippet!r} in the failures:\n{text[:4000]}"


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_break_fails_only_its_own_kata(tmp_path: Path, name: str) -> None:
    """Each break of the issue, alone: the run completes, every other kata passes, the
    progress table and kata-results.json are there, and the message names kata, file and line."""
    broken = {name: BREAKS[name]}
    repo, done = scratch_run(tmp_path, broken)
    assert_contained(repo, done, broken)


MODES = [
    # POSIX: a fork of pytest, taken once Django's own apps are loaded.
    pytest.param(
        "fork",
        marks=pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this system"),
    ),
    # Windows (and KATA_PROBE=spawn): a fresh python -m katalib.core.probe.
    "spawn",
]


@pytest.fixture(scope="module", params=MODES)
def all_breaks(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp(f"containment-{request.param}")
    broken = BREAKS | RELATIVES
    log = tmp / "probe.log"
    repo, done = scratch_run(
        tmp, broken, "-p", "no:randomly", KATA_PROBE=request.param, KATA_PROBE_LOG=str(log)
    )
    assert f"({request.param})" in log.read_text(encoding="utf-8"), log.read_text()
    return repo, done, broken


def test_all_breaks_at_once_fail_only_their_own_katas(all_breaks) -> None:
    """Fourteen katas that end, crash, hang or interrupt Python or clash in the database, in one
    run: each fails alone with its story; the healthy katas pass."""
    repo, done, broken = all_breaks
    assert_contained(repo, done, broken)


def test_a_file_that_hangs_never_reaches_a_test(all_breaks) -> None:
    """Files that hang are stopped by the import time limit, in the child: pytest never imports
    them, so no test runs into pytest-timeout."""
    repo, done, _ = all_breaks
    assert "from pytest-timeout" not in done.stdout + reported(repo)


def test_without_the_probe_exits_and_interrupts_are_still_caught(tmp_path: Path) -> None:
    """KATA_PROBE=0 (no child process): SystemExit, KeyboardInterrupt and other BaseExceptions
    raised while pytest itself imports a kata file fail only that kata."""
    broken = {name: BREAKS[name] for name in ("11_sys_exit", "14_keyboard_interrupt")} | {
        "20_own_base_exception": RELATIVES["20_own_base_exception"]
    }
    repo, done = scratch_run(tmp_path, broken, KATA_PROBE="0")
    assert_contained(repo, done, broken)


def test_unchanged_katas_are_not_probed_again(tmp_path: Path) -> None:
    """Verdicts are cached by content: a second run starts no child process; editing one kata
    probes that kata only; a cached fatal verdict is still reported in full."""
    broken = {"11_sys_exit": BREAKS["11_sys_exit"]}
    katas = {name: (HEALTHY_MODELS, HEALTHY_QUERIES) for name in HEALTHY}
    katas |= {name: (models, queries) for name, (models, queries, *_) in broken.items()}
    repo = make_repo(tmp_path, katas)
    log = tmp_path / "probe.log"

    def again():
        done = run(
            repo, "--junitxml=junit.xml", cache=True, KATA_IMPORT_TIMEOUT=LIMIT,
            KATA_PROBE_LOG=str(log),
        )  # fmt: skip
        assert_contained(repo, done, broken)
        return log.read_text(encoding="utf-8").splitlines()[-1]

    first = again()
    assert "3 kata(s) loaded in 1 child process(es)" in first and "0 unchanged" in first
    assert (repo / ".pytest_cache" / "v" / "katas" / "probe-katas").is_file()
    second = again()
    assert "0 kata(s) loaded in 0 child process(es)" in second and "3 unchanged" in second
    queries = repo / "katas" / "01_healthy" / "queries.py"
    queries.write_text(queries.read_text() + "# edited\n")
    third = again()
    assert "1 kata(s) loaded in 1 child process(es)" in third and "2 unchanged" in third


# --- Units ---------------------------------------------------------------------------------------


def test_ctrl_c_is_told_apart_from_a_raised_keyboard_interrupt() -> None:
    """Only a real SIGINT (Ctrl+C) stops the run; a KeyboardInterrupt raised by code does not."""
    with pytest.raises(KeyboardInterrupt), inprocess.ctrl_c_watch() as pressed:
        signal.raise_signal(signal.SIGINT)
    assert pressed.pressed
    with pytest.raises(KeyboardInterrupt), inprocess.ctrl_c_watch() as raised:
        raise KeyboardInterrupt
    assert not raised.pressed
    # The learner's Ctrl+C goes through; a raised one is the kata's to report.
    with pytest.raises(KeyboardInterrupt):
        inprocess.reraise_if_run_control(KeyboardInterrupt(), pressed)
    inprocess.reraise_if_run_control(KeyboardInterrupt(), raised)


def test_import_time_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KATA_IMPORT_TIMEOUT", "3.5")
    assert probe.timeout() == 3.5
    monkeypatch.setenv("KATA_IMPORT_TIMEOUT", "soon")
    with pytest.raises(SystemExit, match="KATA_IMPORT_TIMEOUT must be a number"):
        probe.timeout()
    monkeypatch.delenv("KATA_IMPORT_TIMEOUT")
    assert probe.timeout() == probe.DEFAULT_TIMEOUT


def test_pytest_config_gives_the_limit_and_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With katalib.core.plugin's hook (probe.configure): the ini option, and no probe cache
    under -p no:cacheprovider."""

    class Plugins:
        @staticmethod
        def is_blocked(name: str) -> bool:
            return name == "cacheprovider"

    class Config:
        pluginmanager = Plugins()
        rootpath = tmp_path

        @staticmethod
        def getini(name: str) -> str:
            return {"kata_import_timeout": "7", "cache_dir": ".cache"}[name]

    monkeypatch.setattr(config, "_options", {})
    monkeypatch.delenv("KATA_IMPORT_TIMEOUT", raising=False)
    probe.configure(Config())
    assert probe.timeout() == 7
    assert config.cache_file("katas") is None


def test_table_clash_check_is_reported_against_the_katas_it_names() -> None:
    """models.E028 names a table (a string), not a model: it belongs to the katas it lists."""
    from django.core import checks

    message = checks.Error(
        "db_table 'shared' is used by multiple models: k05_a.Post, k05_a.Tag.",
        obj="shared",
        id="models.E028",
    )
    assert loader._belongs_to(message, "k05_a")
    assert not loader._belongs_to(message, "k05")
    assert not loader._belongs_to(message, "k02_b")


def test_faulthandler_dump_gives_the_kata_line(tmp_path: Path) -> None:
    """The line a hang or crash was at comes from faulthandler's dump, innermost frame last."""
    kata = tmp_path / "katas" / "03_x"
    kata.mkdir(parents=True)
    (kata / "models.py").write_text("x = 1\nwhile True:\n    pass\n")
    dump = (
        "Timeout (0:00:02)!\n"
        "Thread 0x00007f (most recent call first):\n"
        f'  File "{kata / "models.py"}", line 2 in <module>\n'
        '  File "<frozen importlib._bootstrap>", line 241 in _call_with_frames_removed\n'
        "\n"
        "Thread 0x00008f (most recent call first):\n"
        '  File "/elsewhere.py", line 9 in run\n'
    )
    frames = verdicts.fault_frames(dump)
    assert [(Path(f).name, n) for f, n, _ in frames] == [
        ("<frozen importlib._bootstrap>", 241),
        ("models.py", 2),
    ]
    assert places.of_frames(frames, kata).endswith("models.py, line 2\n    while True:")


def test_probe_child_never_starts_inside_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env.PROBE_CHILD, "1")
    monkeypatch.setattr(parent, "_probe", None)
    probe.start([])
    assert parent._probe is None
    assert os.environ[env.PROBE_CHILD] == "1"
