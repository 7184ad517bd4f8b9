"""Harness tests: the ``katas`` command (katalib/cli.py), run as a learner runs it.

Every test that runs the command works in a scratch copy of the repository (``repo``), so the
katas, the pytest cache, the hint state and git are its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from katalib import cli
from katalib.base import checksums, manifest, reset
from katalib.teach import hints
from tests.scratch import Output, copy_repo, environment, start_katas

ROOT = Path(__file__).resolve().parents[2]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch copy of the repository: what a learner has after cloning or downloading it."""
    return copy_repo(tmp_path / "copy")


def katas(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``katas ARGS`` in ``repo`` (as ``python -m katalib``: the copy's own harness)."""
    return subprocess.run(
        [sys.executable, "-m", "katalib", *args],
        cwd=repo,
        env=environment(repo),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=environment(repo),
        capture_output=True,
        encoding="utf-8",
        check=True,
    )
    return done.stdout


def solve(repo: Path, kata: str) -> None:
    for name in manifest.by_dir(kata).files:
        shutil.copyfile(repo / "solutions" / kata / name, repo / "katas" / kata / name)


KATA03 = "katas/03_on_delete/models.py"
MY_WORK = "\n# my attempt, to be kept\n"


# --- The original files ---------------------------------------------------------------------------


def test_originals_match_the_katas() -> None:
    """katalib/originals.json holds exactly the editable files of katas/ as shipped.

    Stale after a stub changed? Run python -m katalib.checksums --write.
    """
    assert reset.stale(ROOT) == [], "run: python -m katalib.checksums --write"
    expected = {f"katas/{k.dir}/{name}" for k in manifest.load() for name in k.files}
    assert set(reset.originals(ROOT)) == expected


def test_originals_are_listed_in_the_checksums() -> None:
    assert reset.ORIGINALS in checksums.protected_files(ROOT)


def test_state_and_backups_are_not_committed() -> None:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert hints.STATE_FILE in lines
    assert f"{reset.BACKUP_DIR}/" in lines


def test_katas_is_an_installed_command() -> None:
    try:
        scripts = metadata.distribution("django-relationship-katas").entry_points
    except metadata.PackageNotFoundError:  # pragma: no cover - not installed
        pytest.skip("the project is not installed (python -m pip install -e .)")
    if not any(ep.name == "katas" for ep in scripts):  # pragma: no cover - stale install
        pytest.skip("installed before the katas command existed: reinstall")
    assert next(ep for ep in scripts if ep.name == "katas").value == "katalib.cli:main"


# --- Names, sections, first tasks -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["03_on_delete", "03", "3", "katas/03_on_delete", "katas/03_on_delete/", "on_delete"]
)
def test_a_kata_is_named_by_folder_number_or_path(name: str) -> None:
    assert cli.find_kata(name).dir == "03_on_delete"
    assert cli.find_kata("katas/03_on_delete/models.py").dir == "03_on_delete"


@pytest.mark.parametrize("kata", manifest.load(), ids=lambda k: k.dir)
def test_every_kata_has_a_first_task_and_hint_layers(kata: manifest.Kata) -> None:
    assert hints.first_task(kata), f"katas/{kata.dir}/README.md: no '1.' under '## Your tasks'"
    sections = hints.sections(kata)
    assert sections, f"katas/{kata.dir}/HINTS.md has no '## N. Title' section"
    for section in sections:
        assert section.bullets, f"katas/{kata.dir}/HINTS.md section {section.number} is empty"
        assert "Docs:" in section.bullets[-1], "each section ends with a link to Django's docs"


def test_hint_section_is_the_first_failing_task() -> None:
    kata = manifest.by_dir("03_on_delete")
    assert hints.section_for(kata, [4, 2]).number == 2
    assert hints.section_for(kata, []).number == 1  # unknown: the first section
    assert hints.section_for(kata, [99]).number == 1


# --- katas list / run / hint -----------------------------------------------------------------------


def test_unknown_kata_lists_the_names_and_exits_2(repo: Path) -> None:
    for command in (["reset", "nope"], ["hint", "nope"], ["run", "99"], ["watch", "nope"]):
        done = katas(repo, *command)
        assert done.returncode == 2, command
        assert "there is no kata 'nope'" in done.stderr or "'99'" in done.stderr
        for kata in manifest.load():
            assert kata.dir in done.stderr


def test_run_exits_with_pytests_code(repo: Path) -> None:
    done = katas(repo, "run", "01")
    assert done.returncode == 1
    assert "01_foreign_key_blanks: 0/4 tests pass, task 1 first." in done.stdout
    solve(repo, "01_foreign_key_blanks")
    done = katas(repo, "run", "katas/01_foreign_key_blanks")
    assert done.returncode == 0, done.stdout
    assert "4 passed" in done.stdout  # pytest's own output
    assert "01_foreign_key_blanks solved: 4/4 tests pass." in done.stdout


def rows(listing: str) -> dict[str, str]:
    """The lines of ``katas list`` by kata (they start with a space, then the mark)."""
    return {line.split()[1]: line for line in listing.splitlines() if line.startswith(" ")}


def test_list_shows_every_kata_with_its_status(repo: Path) -> None:
    solve(repo, "01_foreign_key_blanks")
    assert katas(repo, "run", "01").returncode == 0
    assert katas(repo, "run", "02").returncode == 1
    done = katas(repo, "list")
    assert done.returncode == 0
    lines = rows(done.stdout)
    assert set(lines) == {k.dir for k in manifest.load()}
    assert "solved, 4/4 tests" in lines["01_foreign_key_blanks"]
    assert "task 1 first" in lines["02_many_to_one"]
    assert "not run yet" in lines["03_on_delete"]
    assert "Current kata: 02_many_to_one" in done.stdout
    # An edit after the run: the list no longer claims the old result.
    with open(repo / "katas/01_foreign_key_blanks/fk_helper.py", "a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    lines = rows(katas(repo, "list").stdout)
    assert "solved" not in lines["01_foreign_key_blanks"]


def test_hint_reveals_one_layer_at_a_time_and_remembers(repo: Path) -> None:
    first = katas(repo, "hint", "03")
    assert first.returncode == 0, first.stderr
    assert "Hint 1 of 4 · kata 03_on_delete · task 1: Keep posts, drop the category" in first.stdout
    assert "→ 1. Read the `fields.E320` message" in first.stdout

    second = katas(repo, "hint", "03_on_delete")
    assert "Hint 2 of 4" in second.stdout
    assert "  1. Read the `fields.E320` message" in second.stdout  # shown again, not newest
    assert "→ 2. Which argument of a field lets its column hold NULL?" in second.stdout
    assert (repo / hints.STATE_FILE).is_file()


def test_hint_follows_the_first_failing_task(repo: Path) -> None:
    helper = repo / "katas/01_foreign_key_blanks/fk_helper.py"
    text = helper.read_text(encoding="utf-8")
    text = text.replace('FIELD_TYPE = "____"', 'FIELD_TYPE = "ForeignKey"')
    helper.write_text(text.replace('DELETE_RULE = "____"', 'DELETE_RULE = "PROTECT"'), "utf-8")
    done = katas(repo, "hint")  # the current kata: 01, whose task 1 now passes
    assert "kata 01_foreign_key_blanks · task 2: The delete rule" in done.stdout, done.stdout


def test_hint_on_a_solved_kata_says_so(repo: Path) -> None:
    solve(repo, "01_foreign_key_blanks")
    done = katas(repo, "hint", "01")
    assert "is solved" in done.stdout
    assert not (repo / hints.STATE_FILE).exists()


# --- katas reset -----------------------------------------------------------------------------------


def original(name: str = KATA03) -> str:
    return reset.originals(ROOT)[name]


def edit(repo: Path, name: str = KATA03, text: str = MY_WORK) -> str:
    path = repo / name
    mine = path.read_text(encoding="utf-8") + text
    path.write_text(mine, encoding="utf-8")
    return mine


def restore_command(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("To get it back: "))[16:]


def test_reset_outside_git_keeps_a_backup(repo: Path) -> None:
    mine = edit(repo)
    done = katas(repo, "reset", "03_on_delete", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / KATA03).read_text(encoding="utf-8") == original()
    (backup,) = (repo / reset.BACKUP_DIR).iterdir()
    assert (backup / "models.py").read_text(encoding="utf-8") == mine
    assert "not a git repository" in done.stdout
    command = restore_command(done.stdout)
    assert command == f"cp {reset.BACKUP_DIR}/{backup.name}/* katas/03_on_delete/"
    subprocess.run(command, shell=True, cwd=repo, check=True)
    assert (repo / KATA03).read_text(encoding="utf-8") == mine


@needs_git
def test_reset_in_git_stashes_only_the_kata_files(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    mine = edit(repo)
    other = edit(repo, "katas/04_reverse_access/models.py", "# unstaged elsewhere\n")
    staged = edit(repo, "settings.py", "# staged elsewhere\n")
    git(repo, "add", "settings.py")
    status = git(repo, "status", "--porcelain")

    done = katas(repo, "reset", "03", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / KATA03).read_text(encoding="utf-8") == original()
    assert "stash@{0}" in done.stdout
    assert "katas reset 03_on_delete" in git(repo, "stash", "list")
    # Nothing else changed: the other edit, the staged file and the index are as they were.
    assert (repo / "katas/04_reverse_access/models.py").read_text(encoding="utf-8") == other
    assert (repo / "settings.py").read_text(encoding="utf-8") == staged
    assert git(repo, "status", "--porcelain") == status.replace(f" M {KATA03}\n", "")

    command = restore_command(done.stdout)
    assert command == f"git restore --source=stash@{{0}} -- {KATA03}"
    git(repo, *command.split()[1:])
    assert (repo / KATA03).read_text(encoding="utf-8") == mine


@needs_git
def test_reset_of_committed_files_names_the_commit(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    mine = edit(repo)
    git(repo, "commit", "-qam", "my attempt")
    head = git(repo, "rev-parse", "--short", "HEAD").strip()

    done = katas(repo, "reset", "03", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Your version is in commit {head}" in done.stdout
    assert git(repo, "stash", "list") == ""
    assert (repo / KATA03).read_text(encoding="utf-8") == original()
    git(repo, *restore_command(done.stdout).split()[1:])
    assert (repo / KATA03).read_text(encoding="utf-8") == mine


@needs_git
def test_reset_with_one_file_committed_and_one_changed(repo: Path) -> None:
    models, queries = "katas/02_many_to_one/models.py", "katas/02_many_to_one/queries.py"
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    mine_models = edit(repo, models, "# committed\n")
    git(repo, "commit", "-qam", "models")
    mine_queries = edit(repo, queries, "# not committed\n")

    done = katas(repo, "reset", "02", "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / models).read_text(encoding="utf-8") == original(models)
    assert (repo / queries).read_text(encoding="utf-8") == original(queries)
    git(repo, *restore_command(done.stdout).split()[1:])
    assert (repo / models).read_text(encoding="utf-8") == mine_models
    assert (repo / queries).read_text(encoding="utf-8") == mine_queries


@needs_git
def test_reset_in_a_repository_without_commits_keeps_a_backup(repo: Path) -> None:
    git(repo, "init", "-q")
    mine = edit(repo)
    done = katas(repo, "reset", "03", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no commit yet" in done.stdout
    (backup,) = (repo / reset.BACKUP_DIR).iterdir()
    assert (backup / "models.py").read_text(encoding="utf-8") == mine


def test_reset_asks_first(repo: Path) -> None:
    mine = edit(repo)
    for answer in ("n\n", ""):  # no, or no answer at all
        done = katas(repo, "reset", "03", stdin=answer)
        assert done.returncode == 1
        assert "Nothing changed." in done.stdout
        assert (repo / KATA03).read_text(encoding="utf-8") == mine
        assert not (repo / reset.BACKUP_DIR).exists()
    done = katas(repo, "reset", "03", stdin="y\n")
    assert done.returncode == 0
    assert (repo / KATA03).read_text(encoding="utf-8") == original()


def test_reset_changes_only_the_kata_files(repo: Path) -> None:
    def snapshot() -> dict[str, bytes]:
        return {
            p.relative_to(repo).as_posix(): p.read_bytes()
            for p in repo.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and reset.BACKUP_DIR not in p.parts
        }

    edit(repo)
    before = snapshot()
    assert katas(repo, "reset", "03", "--yes").returncode == 0
    after = snapshot()
    assert {name for name in before if before[name] != after.get(name)} == {KATA03}
    assert set(after) == set(before)

    again = katas(repo, "reset", "03", "--yes")
    assert again.returncode == 0
    assert "nothing to reset" in again.stdout
    assert snapshot() == after


# --- katas (watch) -------------------------------------------------------------------------------


def test_watch_without_a_terminal_runs_and_prints_no_warnings(repo: Path) -> None:
    process, output = start_katas(repo)
    try:
        output.expect(r"Kata 01_foreign_key_blanks · Fill in the blanks")
        output.expect(r"01_foreign_key_blanks: 0/4 tests pass, task 1 first\.  \(save a file")
    finally:
        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=30)
    output.expect(r"Stopped\.")
    assert returncode == 0
    text = output.text
    assert "Traceback" not in text
    assert "[ptw]" not in text
    assert "warning" not in text.lower(), text
    assert "h hint" not in text  # no keys without a terminal


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")
def test_watch_in_a_terminal_moves_on_and_shows_hints(repo: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "katalib"],
        cwd=repo,
        env=environment(repo) | {"TERM": "xterm"},
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    output = Output(lambda: os.read(leader, 4096))
    try:
        output.expect(r"01_foreign_key_blanks: 0/4 tests pass, task 1 first\.  h hint")
        solve(repo, "01_foreign_key_blanks")  # the learner saves the solved file
        output.expect(r"01_foreign_key_blanks solved: 4/4 tests pass\.")
        output.expect(r"On to the next kata: 02_many_to_one")
        output.expect(r"Kata 02_many_to_one · Many-to-one: Post -> Author")
        output.expect(r"Task 1: Link each post to one author\.")
        output.expect(r"02_many_to_one: 0/\d+ tests pass, task 1 first\.  h hint")
        os.write(leader, b"h")
        output.expect(r"Hint 1 of 4 · kata 02_many_to_one · task 1: Link each post to one author")
        output.expect(r"→ 1\. The `TypeError` says what is missing: `on_delete`\.")
        os.write(leader, b"q")
        output.expect(r"Bye!")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    assert "Traceback" not in output.text


def test_list_into_a_closed_pipe_ends_quietly() -> None:
    """`katas list | head -1`: no BrokenPipeError traceback when the reader has gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "katalib", "list"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0


# --- One virtualenv, two clones -------------------------------------------------------------------


def installed(first: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The ``katas`` script of a virtualenv whose katalib comes from the clone ``first``, run
    in ``cwd``: as for an installed script, its folder and not ``cwd`` is on sys.path."""
    launcher = first.parent / "bin" / "katas_script.py"
    launcher.parent.mkdir(exist_ok=True)
    launcher.write_text("import sys\nfrom katalib.cli import main\nsys.exit(main())\n")
    return subprocess.run(
        [sys.executable, str(launcher), *args],
        cwd=cwd,
        env=environment(cwd) | {"PYTHONPATH": str(first)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    return copy_repo(tmp_path / "first").resolve(), copy_repo(tmp_path / "second").resolve()


def test_katas_acts_on_the_clone_it_is_run_in(clones: tuple[Path, Path]) -> None:
    first, second = clones
    note = f"katas: using the kata repository {second} (installed from {first})"
    kata02 = "katas/02_many_to_one/models.py"
    edit(second, kata02)
    done = installed(first, second, "reset", "02", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.splitlines() == [note]  # one line says which repository
    assert "Kata 02_many_to_one is back to its original files." in done.stdout
    assert (second / kata02).read_text(encoding="utf-8") == original(kata02)
    assert not (first / reset.BACKUP_DIR).exists()  # the first clone was not touched

    solve(second, "01_foreign_key_blanks")
    assert installed(first, second, "run", "01").returncode == 0
    # From a folder inside the second clone too: its progress, not the first's.
    listing = installed(first, second / "katas" / "03_on_delete", "list")
    assert listing.stderr.splitlines() == [note]
    assert "solved, 4/4 tests" in rows(listing.stdout)["01_foreign_key_blanks"]
    own = installed(first, first, "list")
    assert own.stderr == ""  # the clone it was installed from: nothing to say
    assert "not run yet" in rows(own.stdout)["01_foreign_key_blanks"]
