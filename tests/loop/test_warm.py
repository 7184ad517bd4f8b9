"""Harness tests: the warm runner of the watch loop never gives a stale verdict.

A scratch copy of the repository goes through the edits a learner makes (a field added or
removed, a function renamed, a new import, a broken file and its repair). After each edit the
kata runs twice: through the warm runner, and as a cold ``python -m pytest``; the outcome of
every test must be the same. The warm runs repeat the same arguments, as the watch loop does,
so each one after the first is the spare the server started ahead (before the edit was made).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from katalib.loop import warm
from tests.scratch import scratch_repo, solve

pytestmark = pytest.mark.skipif(not warm.available(), reason="the warm runner needs fork()")

KATA = "02_many_to_one"
ARGS = [f"katas/{KATA}", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "--kata-results="]


def outcomes(junit: Path) -> dict[str, str]:
    """test name -> passed / failed / error, from a JUnit XML report."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in {"failure", "error", "skipped"}]
        found[case.get("name")] = kinds[0] if kinds else "passed"
    return found


def cold(repo: Path, junit: Path) -> dict[str, str]:
    subprocess.run(
        [sys.executable, "-m", "pytest", *ARGS, f"--junitxml={junit}"],
        cwd=repo,
        capture_output=True,
        check=False,
        timeout=300,
    )
    return outcomes(junit)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


TITLE = "    title = models.CharField(max_length=200)\n"
IMPORT = "from django.db import models\n"
LOOP = "\nwhile True:\n    pass\n"
EDITS = [
    ("the untouched stub", None),
    ("the solution", "solve"),
    (
        "a field added",
        ("models.py", TITLE, TITLE + "    subtitle = models.CharField(max_length=9)\n"),
    ),
    ("a field removed", ("models.py", TITLE, "")),
    ("the field back", ("models.py", "    subtitle =", TITLE + "    subtitle =")),
    ("the related_name removed", ("models.py", ', related_name="posts"', "")),
    (
        "the related_name back",
        ("models.py", "models.CASCADE)", 'models.CASCADE, related_name="posts")'),
    ),
    ("a function renamed", ("queries.py", "def post_titles(", "def titles_of_posts(")),
    ("the function named back", ("queries.py", "def titles_of_posts(", "def post_titles(")),
    ("a new import that fails", ("queries.py", "from ", "import no_such_module\nfrom ")),
    ("the import removed", ("queries.py", "import no_such_module\n", "")),
    ("a syntax error", ("models.py", "class Post(models.Model):", "class Post(models.Model)")),
    (
        "the syntax error repaired",
        ("models.py", "class Post(models.Model)", "class Post(models.Model):"),
    ),
    # Files that would end or hang the run: the warm run loads kata files itself, ends at once
    # on one of these, and runs again with the import probe (katalib.core.probe's retry mode).
    (
        "sys.exit() as models.py loads",
        ("models.py", IMPORT, "import sys\n\n" + IMPORT + "\nsys.exit(3)\n"),
    ),
    ("sys.exit() removed", ("models.py", "\nsys.exit(3)\n", "\n")),
    (
        "os._exit() as queries.py loads",
        ("queries.py", "from .models", "import os\n\nos._exit(0)\nfrom .models"),
    ),
    ("os._exit() removed", ("queries.py", "os._exit(0)\n", "")),
    ("an endless loop as models.py loads", ("models.py", IMPORT, IMPORT + LOOP)),
    ("the loop removed", ("models.py", LOOP, "")),
]
FATAL = {"sys.exit() as models.py loads", "os._exit() as queries.py loads"}
FATAL |= {"an endless loop as models.py loads"}


def test_every_edit_is_seen_by_the_next_warm_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KATA_IMPORT_TIMEOUT", "1")  # the endless loop: 1 s, warm and cold
    monkeypatch.delenv("KATA_PROBE", raising=False)
    repo = scratch_repo(tmp_path)
    runner = warm.WarmPytest(root=repo)
    try:
        assert runner.start(), runner.note
        seen = []
        for step, (what, change) in enumerate(EDITS):
            if change == "solve":
                solve(repo, KATA)
            elif change is not None:
                name, old, new = change
                edit(repo / "katas" / KATA / name, old, new)
            junit = tmp_path / "warm.xml"  # the same arguments on every run
            code = runner.run([*ARGS, f"--junitxml={junit}"], output=str(tmp_path / "out.txt"))
            assert code is not None, (what, runner.note)
            # Every run but the first was started ahead, before this edit was made; a run
            # that met a file it could not survive was run again, with the probe.
            assert runner.spare == (step > 0 and what not in FATAL), what
            warm_outcomes = outcomes(junit)
            junit.unlink()
            if what in FATAL:  # the verdict of the run with the probe: file, line and fix
                output = (tmp_path / "out.txt").read_text(encoding="utf-8")
                assert "does not load" in output and "✅" in output, output
            # The warm run and a cold pytest agree on every test.
            assert warm_outcomes == cold(repo, tmp_path / f"cold-{step}.xml"), what
            seen.append((what, sorted(set(warm_outcomes.values()))))
        # The edits really changed the verdicts (the comparison above is not vacuous).
        assert seen[0][1] == ["error"] and seen[1][1] == ["passed"], seen
        assert len({tuple(outcome) for _, outcome in seen}) >= 3, seen
        assert [what for what, outcome in seen if outcome == ["passed"]] == [
            "the solution",
            "a field added",
            "the field back",
            "the related_name back",
            "the function named back",
            "the import removed",
            "the syntax error repaired",
            "sys.exit() removed",
            "os._exit() removed",
            "the loop removed",
        ], seen
    finally:
        runner.stop()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_configuration_file_that_appears_is_seen(tmp_path: Path) -> None:
    """pytest reads its configuration before a spare's gate: a pytest.ini dropped into the
    kata folder (it becomes pytest's configuration) is still what the next run reads."""
    repo = scratch_repo(tmp_path)
    runner = warm.WarmPytest(root=repo)
    junit = tmp_path / "warm.xml"
    args = [*ARGS, f"--junitxml={junit}"]
    try:
        assert runner.run(args, output=str(tmp_path / "out.txt")) == 1
        wait_for_spare(runner)
        (repo / "katas" / KATA / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        code = runner.run(args, output=str(tmp_path / "out.txt"))
        output = (tmp_path / "out.txt").read_text(encoding="utf-8")
        assert f"katas{os.sep}{KATA}{os.sep}pytest.ini" in output  # pytest's "configfile:" line
        cold_run = subprocess.run(
            [sys.executable, "-m", "pytest", *ARGS, f"--junitxml={tmp_path / 'cold.xml'}"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        # Without the project's configuration, the options it adds are unknown: as cold.
        assert code == cold_run.returncode == pytest.ExitCode.USAGE_ERROR
        assert "unrecognized arguments: --kata-results=" in output, output
        assert "unrecognized arguments: --kata-results=" in cold_run.stderr
    finally:
        runner.stop()


def test_the_setup_stamp_sees_configuration_files_and_installed_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a spare read before its gate and the harness fingerprint doesn't cover: a spare
    whose stamp no longer matches is discarded for a fresh child."""
    (tmp_path / "katas" / KATA).mkdir(parents=True)
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(site)])
    args = [f"katas/{KATA}", "-q"]
    before = warm.setup_stamp(args)
    assert warm.setup_stamp(args) == before  # nothing changed
    for name in ["pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml"]:
        config = tmp_path / "katas" / KATA / name
        config.write_text("[pytest]\n", encoding="utf-8")
        assert warm.setup_stamp(args) != before, name  # a configuration file appeared
        config.unlink()
        assert warm.setup_stamp(args) == before
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\n", encoding="utf-8")
    assert warm.setup_stamp(args) != before  # ... or one above the kata folder
    (tmp_path / "setup.cfg").unlink()
    os.utime(site, ns=(1, 1))  # a package installed or removed: its folder's time changes
    assert warm.setup_stamp(args) != before


def test_a_spare_that_fails_before_its_run_is_replaced(tmp_path: Path) -> None:
    """A run whose arguments make pytest fail before the gate (a plugin that doesn't exist):
    the spare ends without a word, a fresh child runs the request and says why, as cold."""
    repo = scratch_repo(tmp_path)
    runner = warm.WarmPytest(root=repo)
    args = [*ARGS, "-p", "no_such_plugin"]
    cold_run = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cold_run.returncode not in (0, 1) and "no_such_plugin" in cold_run.stderr
    try:
        for _ in range(2):
            (tmp_path / "out.txt").unlink(missing_ok=True)
            assert runner.run(args, output=str(tmp_path / "out.txt")) == cold_run.returncode
            assert not runner.spare
            assert "no_such_plugin" in (tmp_path / "out.txt").read_text(encoding="utf-8")
    finally:
        runner.stop()


def wait_for_spare(runner: warm.WarmPytest) -> int:
    """The pid of the spare the server starts after a run, once it exists (Linux: /proc)."""
    server = runner.process.pid
    children = Path(f"/proc/{server}/task/{server}/children")
    deadline = time.monotonic() + 10
    while not (spares := children.read_text().split()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(spares) == 1  # the next run, started ahead
    return int(spares[0])


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_the_spare_ends_with_the_server(tmp_path: Path) -> None:
    repo = scratch_repo(tmp_path)
    runner = warm.WarmPytest(root=repo)
    try:
        assert runner.run(ARGS, output=str(tmp_path / "out.txt")) == 1
        spare = wait_for_spare(runner)
    finally:
        runner.stop()
    deadline = time.monotonic() + 10
    while alive(spare) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(spare)


def alive(pid: int) -> bool:
    """The process exists and has not ended (a zombie waiting for its parent has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_changed_harness_restarts_the_warm_runner(tmp_path: Path) -> None:
    repo = scratch_repo(tmp_path)
    runner = warm.WarmPytest(root=repo)
    try:
        assert runner.run(ARGS, output=str(tmp_path / "out.txt")) == 1
        first = runner.process.pid
        with (repo / "katalib" / "teach" / "progress.py").open("a", encoding="utf-8") as fh:
            fh.write("\n# a maintainer's edit\n")
        assert runner.run(ARGS, output=str(tmp_path / "out.txt")) == 1
        assert "harness changed" in runner.note
        assert runner.process.pid != first
    finally:
        runner.stop()


def test_without_fork_the_caller_is_told_to_run_cold(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(warm, "available", lambda: False)
    runner = warm.WarmPytest(root=scratch_repo(tmp_path))
    assert runner.run(ARGS) is None
    assert "fork()" in runner.note


def test_the_server_never_imports_kata_code(repo: Path) -> None:
    """The warm state holds no kata module, settings or kata apps: nothing a run could reuse."""
    code = (
        "import sys; from katalib.loop import warm; warm.warm_up(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in warm.FORBIDDEN "
        "or m in warm.FORBIDDEN))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
    shutil.rmtree(repo)


def test_the_server_does_once_what_every_failing_run_would_redo() -> None:
    """What a failing test's report needs and a process keeps is made before the gate: Pygments'
    lexers (their compiled rules, kept on the class) and inspect's map of modules to files."""
    code = (
        "import inspect, json; from katalib.loop import warm; "
        "from pygments.lexers.python import PythonLexer; from pygments.lexers.diff import DiffLexer; "
        "before = [hasattr(PythonLexer, '_tokens'), len(inspect.modulesbyfile)]; warm.warm_up(); "
        "print(json.dumps([before, ['_tokens' in vars(PythonLexer), '_tokens' in vars(DiffLexer), "
        "warm.__file__ in inspect.modulesbyfile]]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = json.loads(done.stdout)
    assert before == [False, 0]  # a fresh process has neither
    assert after == [True, True, True]


def test_webassembly_has_no_warm_runner_and_no_probe(monkeypatch) -> None:
    """Pyodide has an os.fork that always fails: neither the warm runner nor the import probe
    tries it there (the browser runner starts a fresh interpreter per run instead)."""
    from katalib.core import probe

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.delenv("KATA_PROBE", raising=False)
    assert not warm.available()
    assert probe.mode() == "off"


def test_pytest_watcher_runs_go_through_the_warm_runner(tmp_path: Path) -> None:
    """python -m katalib.watch: pytest-watcher's `subprocess.run([python, -m, pytest, ...])`
    becomes a warm run; anything else (or a warm runner that can't serve) runs as it was."""
    from katalib.loop.ptw import WarmSubprocess

    class Warm:
        note = "the warm runner did not start"

        def __init__(self, code):
            self.code, self.calls = code, []

        def run(self, args):
            self.calls.append(args)
            return self.code

    warm_ok = Warm(1)
    done = WarmSubprocess(warm_ok).run([sys.executable, "-m", "pytest", "katas/01"])
    assert done.returncode == 1 and warm_ok.calls == [["katas/01"]]
    with pytest.raises(subprocess.CalledProcessError):
        WarmSubprocess(Warm(1)).run([sys.executable, "-m", "pytest", "-x"], check=True)
    cold = WarmSubprocess(Warm(None)).run([sys.executable, "-c", "raise SystemExit(3)"])
    assert cold.returncode == 3  # not pytest: run as it was
    fallback = WarmSubprocess(Warm(None)).run(
        [sys.executable, "-m", "pytest", "--version"], capture_output=True
    )
    assert fallback.returncode == 0  # the warm runner could not serve: a cold pytest


PRECOMPILED = """
import os, sys, types
from pathlib import Path
from katalib.loop import warm

root = Path(sys.argv[1])
sys.path.insert(0, str(root))
config = types.SimpleNamespace(
    rootpath=root,
    getini=lambda name: ["test_*.py"],
    known_args_namespace=types.SimpleNamespace(file_or_dir=["pkg"]),
    invocation_params=types.SimpleNamespace(dir=root),
)
go_r, go_w = os.pipe()
ahead = warm._Precompiled(config, go_r)
ahead.install()
path = root / "pkg" / "mod.py"
import pkg.mod
print("hit", pkg.mod.answer.__code__.co_filename, pkg.__dict__["mod"].answer() == 1)
module_code = ahead.plain[str(path)][1]
print("same code", any(c is pkg.mod.answer.__code__ for c in module_code.co_consts))
# Saved again: the same size, the same modification time, other bytes.
stat = path.stat()
path.write_text(path.read_text().replace("1", "2"))
os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
del sys.modules["pkg.mod"]
import pkg.mod
print("after the save", pkg.mod.answer())
"""


def test_code_compiled_ahead_is_used_only_for_the_same_bytes(tmp_path: Path) -> None:
    """A spare compiles the kata's files while it waits; after its gate, an import gets that
    code only while the file holds the very same bytes: a save of the same size within the
    same second (which fools a timestamp-checked .pyc) is still compiled afresh."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "mod.py").write_text("def answer():\n    return 1\n")
    done = subprocess.run(
        [sys.executable, "-c", PRECOMPILED, str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"hit {tmp_path / 'pkg' / 'mod.py'} True", lines
    assert lines[1] == "same code True", lines  # the code compiled ahead was used
    assert lines[2] == "after the save 2", lines  # the new bytes were compiled
