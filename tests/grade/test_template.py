"""Harness tests: the students' repository, ``python -m katalib.grade template DIR``
(katalib/grade/template.py).

The copy is made from a scratch teacher's checkout (this working tree, committed to a git
repository of its own), then cloned the way a learner or GitHub Actions gets it; its own checks
and the steps of its learner workflow (.github/workflows/katas.yml) that need no network run
there with this virtualenv's Python. Nothing new is installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from katalib.base import checksums, manifest
from katalib.grade import template
from katalib.grade.trees import copy_tree, digest, ignored

ROOT = Path(__file__).resolve().parents[2]
KATAS = manifest.load(ROOT)
K01 = "01_foreign_key_blanks"
# The workflow's steps that need the network (GitHub's API, PyPI): replaced here by the clone
# (actions/checkout) and this virtualenv (the install).
NETWORK_STEPS = {"Find the upstream", "Install the katas (the upstream's dependencies)"}
# A relative Markdown link: [text](target), not a URL or an anchor of the same page.
LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
pytestmark = needs_git


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KATA_", "PYTEST_", "GIT"))}
    env.update(
        HOME=str(home),  # no global git configuration of this machine
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Teacher",
        GIT_AUTHOR_EMAIL="teacher@example.com",
        GIT_COMMITTER_NAME="Teacher",
        GIT_COMMITTER_EMAIL="teacher@example.com",
        PYTHONIOENCODING="utf-8",
    )
    return env


def run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
        check=False, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def commit_all(repo: Path, env: dict[str, str]) -> None:
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                    ["git", "commit", "-q", "-m", "katas"]):  # fmt: skip
        done = run(command, repo, env)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The teacher's checkout, the students' copy made from it (a git repository, as pushed)
    and a fresh clone of that copy."""
    base = tmp_path_factory.mktemp("classroom")
    env = git_env(base)
    teacher = base / "teacher"
    copy_tree(ROOT, teacher, [p.name for p in ROOT.iterdir() if not ignored(p.name)])
    checksums.write(teacher)  # current for the files as they are now, as a commit would have
    commit_all(teacher, env)
    students = base / "students"
    done = run([sys.executable, "-m", "katalib.grade", "template", str(students)], teacher, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Wrote the students' copy" in done.stdout
    commit_all(students, env)
    clone = base / "clone"
    done = run(["git", "clone", "-q", students.as_uri(), str(clone)], base, env)
    assert done.returncode == 0, done.stderr
    return {"base": base, "teacher": teacher, "students": students, "clone": clone}


def files_of(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def test_the_copy_holds_no_answers(made: dict[str, Path]) -> None:
    clone = made["clone"]
    files = files_of(clone)
    assert not (clone / "solutions").exists()
    assert not [f for f in files if f.endswith("variants.toml")]  # the mistake corpus
    assert not [f for f in files if f.startswith(("tests/", "tools/", ".ci/"))]
    answers = {digest(path) for kata in KATAS for path in kata.editable("solutions", ROOT)}
    # No file anywhere in it is a reference solution, under any name.
    assert not [f for f in files if digest(clone / f) in answers]
    # Everything a learner uses is there: every kata's folder, the harness, the workflow.
    for kata in KATAS:
        assert (clone / "katas" / kata.dir / "README.md").is_file(), kata.dir
    assert {"katas.toml", "pyproject.toml", ".github/workflows/katas.yml"} <= files


def test_the_readme_is_the_learners(made: dict[str, Path]) -> None:
    text = (made["clone"] / "README.md").read_text(encoding="utf-8")
    # The maintainers' commands that need solutions/ are out; a note says where they are.
    assert "| `pytest --solutions` |" not in text
    assert "| `katas dev check` |" not in text
    assert "students' copy of the katas" in text
    assert "<!--" not in text.split("<!-- end of the generated kata table -->")[-1]
    assert "## Layout" in text and "solutions/<NN_name>/" not in text
    # Every relative link of every Markdown file in the copy leads to a file of the copy.
    for path in made["clone"].rglob("*.md"):
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            linked = (path.parent / target.split("#", 1)[0]).resolve()
            assert linked.exists(), f"{path.relative_to(made['clone'])} links to {target}"


def test_its_own_checks_pass_in_a_fresh_clone(made: dict[str, Path]) -> None:
    clone, env = made["clone"], git_env(made["base"])
    tests = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], clone, env)
    # Exit code 1: every kata unsolved, the progress table printed, nothing crashed.
    assert tests.returncode == 1, tests.stdout[-3000:] + tests.stderr
    assert f"kata progress (katas/): 0 of {len(KATAS)} solved" in tests.stdout
    assert "Traceback" not in tests.stdout + tests.stderr
    assert "INTERNALERROR" not in tests.stdout
    listing = run([sys.executable, "-m", "katalib", "list"], clone, env)
    assert listing.returncode == 0, listing.stderr
    assert f"0 of {len(KATAS)} katas solved." in listing.stdout
    assert listing.stderr == ""  # its own harness: no "using another repository" line
    check = run([sys.executable, "-m", "katalib.checksums", "--check"], clone, env)
    assert check.returncode == 0, check.stdout
    assert "tests and harness match" in check.stdout


def test_the_maintainers_commands_say_where_they_work(made: dict[str, Path]) -> None:
    clone, env = made["clone"], git_env(made["base"])
    solutions = run([sys.executable, "-m", "pytest", "--solutions", "-p", "no:cacheprovider"],
                    clone, env)  # fmt: skip
    assert solutions.returncode == 4, solutions.stdout + solutions.stderr  # a usage error
    assert "teacher's full kata repository" in solutions.stderr
    dev = run([sys.executable, "-m", "katalib", "dev", "check", "--no-proof"], clone, env)
    assert dev.returncode == 2
    assert "this repository has no solutions/" in dev.stderr


def workflow_steps(path: Path) -> tuple[dict, list[dict]]:
    yaml = pytest.importorskip("ruamel.yaml")
    data = yaml.YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    job = data["jobs"]["progress"]
    return {**data.get("env", {}), **job.get("env", {})}, job["steps"]


def test_its_learner_workflow_passes_in_a_fresh_clone(made: dict[str, Path]) -> None:
    """Each `run` step of the copy's .github/workflows/katas.yml, as GitHub runs it (bash -eo
    pipefail, in its working-directory), in a workspace whose learner/ is the fresh clone; the
    upstream cannot be checked out here, so the workflow's own fallback grades with the copy."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    workspace = made["base"] / "workspace"
    shutil.copytree(made["clone"], workspace / "learner", symlinks=True)
    temp = made["base"] / "runner-temp"
    # A stand-in for the annotation plugin the workflow installs from PyPI (-p loads it).
    plugin = temp / "site" / "pytest_github_actions_annotate_failures"
    plugin.mkdir(parents=True)
    (plugin / "__init__.py").write_text("")
    (plugin / "plugin.py").write_text("")
    summary, outputs = temp / "summary.md", temp / "outputs.txt"
    env_vars, steps = workflow_steps(workspace / "learner" / ".github/workflows/katas.yml")
    base_env = git_env(made["base"])
    base_env.update({k: str(v) for k, v in env_vars.items()})
    base_env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{base_env.get('PATH', '')}",
        PYTHONPATH=str(plugin.parent),
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_REPOSITORY="teacher/class-katas",
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(outputs),
        RUNNER_TEMP=str(temp),
    )
    ran = []
    for step in steps:
        if "run" not in step or step.get("name") in NETWORK_STEPS:
            continue
        env = dict(base_env)
        # ${{ ... }} in a step's env: what it would be here (the upstream is this copy).
        env.update({k: "teacher/class-katas" for k in step.get("env", {})})
        cwd = workspace / step.get("working-directory", ".")
        done = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                   cwd, env)  # fmt: skip
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout[-3000:]}\n{done.stderr}"
        ran.append((step["name"], done.stdout))
    names = [name for name, _ in ran]
    assert NETWORK_STEPS <= {s.get("name") for s in steps}  # the ones left out still exist
    assert "Grade against the upstream's tests" in names
    assert "Compare the tests with test-checksums.sha256" in names
    output = dict(ran)
    assert (
        "kata progress (katas/): 0 of" in output["Run the katas in this copy (inline annotations)"]
    )
    assert "tests and harness match" in output["Compare the tests with test-checksums.sha256"]
    lines = outputs.read_text(encoding="utf-8").splitlines()
    assert "solved=0" in lines and f"total={len(KATAS)}" in lines
    assert f"`{K01}`" in summary.read_text(encoding="utf-8")  # the grade table
    assert "Changed outside" not in output["Grade against the upstream's tests"]  # nothing changed


def test_the_teacher_grades_a_students_repository_from_the_full_checkout(
    made: dict[str, Path], tmp_path: Path
) -> None:
    """A learner's repository made from the copy, graded against the teacher's checkout: what
    the copy leaves out (solutions/, tests/, README's maintainers' parts) is no change."""
    learner = tmp_path / "learner"
    shutil.copytree(made["clone"], learner, symlinks=True)
    for name in manifest.by_dir(K01).files:
        solution = (ROOT / "solutions" / K01 / name).read_text(encoding="utf-8")
        (learner / "katas" / K01 / name).write_text(solution + "\n# solved it\n")
    (learner / "pytest.ini").write_text("[pytest]\n")
    done = run(
        [sys.executable, "-m", "katalib.grade", str(learner), "--upstream", str(made["teacher"]),
         "--kata", K01, "--jobs", "1", "--json"],
        made["teacher"], git_env(made["base"]),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (fork,) = json.loads(done.stdout)["forks"]
    assert fork["katas"][K01]["solved"] is True
    # Only what the learner changed beyond the copy.
    assert fork["changed_outside"] == [{"path": "pytest.ini", "change": "added"}]


def test_it_refuses_a_folder_that_is_not_empty_or_inside_the_checkout(
    made: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(template.TemplateError, match="not an empty folder"):
        template.make(made["teacher"], tmp_path / "full")
    with pytest.raises(template.TemplateError, match="inside"):
        template.make(made["teacher"], made["teacher"] / "out")
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine"  # left as it was


def test_markdown_markers() -> None:
    text = (
        "Intro.\n<!-- not in the students' copy -->\nMaintainers only.\n"
        "<!-- end: not in the students' copy -->\n<!-- only in the students' copy:\n"
        "Students only.\n-->\nEnd.\n"
    )
    assert template.students_text(text) == "Intro.\nStudents only.\nEnd.\n"
    with pytest.raises(template.TemplateError, match="unpaired"):
        template.students_text("<!-- not in the students' copy -->\nno end\n")


def test_left_out_paths() -> None:
    assert template.left_out("solutions/02_many_to_one/variants.toml")
    assert template.left_out("docs/teaching.md")
    assert not template.left_out("katas/02_many_to_one/test_many_to_one.py")
    assert not template.left_out("solutions.md")  # a folder's name is not a prefix of a file's
