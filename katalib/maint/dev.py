"""Maintainers: add a kata with ``katas dev new``, prove the repository with ``katas dev check``.

    katas dev new 14_generic_relations --title "Bonus: ..." [--bonus] [--concept "..."]
    katas dev check [--kata 14_generic_relations] [--no-proof]
    katas dev readme      rewrite README.md's kata table from katas.toml, and each kata
                          README's diagram of its tables from solutions/

``dev new`` adds the manifest entry, both trees (katas/ and solutions/) from a small working
template kata, and the README table row. Its ``TODO(new kata):`` marks say what to write; the
learner's ``# TODO`` marks in the stub stay.

``dev check`` runs one function per rule (``RULES``, in order), fast rules first; every problem
names its rule, what is wrong and the fix. The two-way proof, the variants and the "every test
earns its keep" rule (katalib.maint.verify) run for the chosen katas (all by default) that passed the
manifest, layout and files rules. Exit code: 0 all good, 1 problems, 2 an unknown ``--kata``.
Also available as ``python -m katalib.maint.dev``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from katalib.base import manifest
from katalib.maint import verify
from katalib.teach import explain, progress

MARKER = "TODO(new kata)"  # what dev new leaves for the kata's author to write
DONT_EDIT = "Don't edit this file"  # on the first line of every test file
NOT_GIVEN = {"README.md", "HINTS.md", "conftest.py"}  # in katas/ only (tests too)
TABLE_START = (
    "<!-- The kata table is generated from katas.toml: run `katas dev readme` after changing "
    "it (katas dev check fails while it is out of date). -->"
)
TABLE_END = "<!-- end of the generated kata table -->"
SCHEMA_START = (
    "<!-- The diagram is drawn from the kata's solution: run `katas dev readme` after changing "
    "its models (katas dev check fails while it is out of date). -->"
)
SCHEMA_END = "<!-- end of the generated diagram -->"
NAME = re.compile(r"^(\d{2})_[a-z][a-z0-9_]*$")

# The mistake corpus: wrong_ variants with `says` (katalib.maint.verify checks their words).
MISTAKES_PER_KATA = 8
MISTAKES_IN_ALL = 100

# The rule each check enforces, in the order dev check runs them.
RULES = {
    "manifest": "every kata folder under katas/ and solutions/ is listed in katas.toml, every "
    "entry has both folders, and every guard names a test of its kata with a reason",
    "layout": "katas/<dir>/ has __init__.py, README.md (# Kata NN, ## Your tasks), HINTS.md, "
    'test_*.py files whose first line says "Don\'t edit this file", and the files katas.toml '
    "declares (files = [...]), each with a # TODO; solutions/<dir>/ has __init__.py, the same "
    "declared files and a variants.toml whose variants edit only declared files",
    "files": "a file learners don't edit is given: it is identical in katas/<dir>/ and "
    "solutions/<dir>/; the files they edit are declared in katas.toml (files = [...])",
    "hints": "HINTS.md has a non-empty '## N. Title' section for each numbered task of "
    "README.md's '## Your tasks', numbered the same; each @pytest.mark.task(n) names one of "
    "those tasks and each task has a test",
    "placeholders": f"no '{MARKER}' mark of the dev new template is left",
    "readme-table": "README.md's kata table is the one generated from katas.toml",
    "readme-schema": "each kata's README.md has the diagram of its tables drawn from "
    "solutions/<dir>/models.py (katalib/teach/drawing)",
    "checksums": "test-checksums.sha256 and katalib/originals.json record the current tests, "
    "harness and stubs",
    "ruff": "ruff check and ruff format --check pass",
    "mypy": "mypy finds no type errors in katalib ([tool.mypy] in pyproject.toml, with "
    "django-stubs)",
    "two-way": "every test fails on the untouched katas/ and passes on solutions/, and is "
    "collected in both runs",
    "variants": "every wrong_ variant is rejected by at least one test; every ok_ variant "
    "passes every test; every edit still fits the solution",
    "keep": "every test earns its keep: it fails on at least one wrong_ variant of its kata, "
    "unless katas.toml names it a guard with a one-line reason",
    "mistakes": "every wrong_ variant is a learner mistake whose output (pytest katas/<dir>, "
    f"focused) says each of its `says` phrases and none of its `never_says`, and its `rule` "
    f"spoke; each kata has at least {MISTAKES_PER_KATA} such mistakes (at least "
    f"{MISTAKES_IN_ALL} in all), and every rule of the explanation table speaks for one "
    "(except a fallback, which says why no kata mistake reaches it)",
}
STRUCTURAL = {"manifest", "layout", "files"}  # a kata failing these is not run by the proof


@dataclass(frozen=True)
class Problem:
    rule: str
    what: str
    fix: str
    kata: str | None = None  # the kata it belongs to, if any


class Found(list):
    """The problems one rule found: ``found.add(what, fix, kata)``."""

    def __init__(self, rule: str) -> None:
        super().__init__()
        self.rule = rule
        self.skipped: str | None = None  # why the rule could not run here (dev check says it)

    def add(self, what: str, fix: str, kata: str | None = None) -> None:
        self.append(Problem(self.rule, what, fix, kata))


@dataclass
class Repo:
    """What the rules look at: the repository and the katas chosen."""

    root: Path
    katas: tuple[manifest.Kata, ...]  # every kata of katas.toml
    selected: list[str]  # the folders to check (the chosen ones, or every listed one)
    scoped: bool = False  # --kata was given
    pytest_args: list[str] = field(default_factory=list)

    def kata(self, name: str) -> manifest.Kata | None:
        return next((k for k in self.katas if k.dir == name), None)

    def listed(self) -> list[manifest.Kata]:
        return [k for k in (self.kata(name) for name in self.selected) if k is not None]

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


# --- The rules ---------------------------------------------------------------------------------


def check_manifest(repo: Repo) -> list[Problem]:
    problems = Found("manifest")
    listed = [k.dir for k in repo.katas]
    for name in sorted({d for d in listed if listed.count(d) > 1}):
        problems.add(
            f"katas.toml lists {name!r} more than once.",
            "keep one [[kata]] entry per folder.",
            name,
        )
    for tree in manifest.TARGETS:
        for folder in verify._folders(repo.root / tree):
            if folder.name not in listed:
                problems.add(
                    f"{tree}/{folder.name}/ is not listed in katas.toml: it gets no Django app, "
                    'so its tests fail with "not inside a kata folder listed in katas.toml" '
                    "and the proof cannot run.",
                    f'add a [[kata]] entry with dir = "{folder.name}", files, title and hint '
                    "to katas.toml (katas dev new writes one), or delete the folder.",
                    folder.name,
                )
    for kata in repo.katas:
        if not NAME.match(kata.dir):
            problems.add(
                f"{kata.dir!r} is not a kata folder name (NN_name, lower case).",
                "rename the folders and the entry, e.g. 14_generic_relations.",
                kata.dir,
            )
        for tree in manifest.TARGETS:
            if not (repo.root / tree / kata.dir).is_dir():
                problems.add(
                    f"katas.toml lists {kata.dir} but {tree}/{kata.dir}/ is missing.",
                    f"create {tree}/{kata.dir}/ (katas dev new {kata.dir} --title ... creates "
                    "both trees for a new kata) or remove the entry from katas.toml.",
                    kata.dir,
                )
        if kata.track not in ("lesson", "bonus"):
            problems.add(
                f"{kata.dir}: track = {kata.track!r}.",
                'use track = "bonus" for katas beyond the lesson, or leave it out.',
                kata.dir,
            )
        names = _test_functions(repo.root / "katas" / kata.dir)
        for test, reason in kata.guards:
            if test.split("[", 1)[0] not in names:
                problems.add(
                    f"{kata.dir}: guards names {test!r}, which is not a test of katas/{kata.dir}/.",
                    f"correct the name in guards of {kata.dir} in katas.toml, or remove it.",
                    kata.dir,
                )
            if not reason.strip():
                problems.add(
                    f"{kata.dir}: the guard {test!r} has no reason.",
                    f'say in one line why no wrong solution needs to fail it: "{test}" = "..."',
                    kata.dir,
                )
    return problems


def check_layout(repo: Repo) -> list[Problem]:
    problems = Found("layout")
    for kata in repo.listed():
        folder, solution = repo.root / "katas" / kata.dir, repo.root / "solutions" / kata.dir
        if not folder.is_dir() or not solution.is_dir():
            continue  # the manifest rule says so
        for name in ["__init__.py", "README.md", "HINTS.md"]:
            if not (folder / name).is_file():
                problems.add(
                    f"katas/{kata.dir}/{name} is missing.",
                    "create it (katas dev new makes one from a template, see README.md "
                    "'Adding a kata').",
                    kata.dir,
                )
        readme = folder / "README.md"
        if readme.is_file():
            lines = readme.read_text(encoding="utf-8").splitlines()
            number = kata.dir[:2]
            if not lines or not lines[0].startswith(f"# Kata {number}"):
                problems.add(
                    f"{repo.rel(readme)} does not start with '# Kata {number} · ...'.",
                    f"make its first line '# Kata {number} · <title>'.",
                    kata.dir,
                )
            if "## Your tasks" not in (line.strip() for line in lines):
                problems.add(
                    f"{repo.rel(readme)} has no '## Your tasks' section.",
                    "add one with the numbered tasks (1. ..., 2. ...): katas shows task 1 from "
                    "it and HINTS.md follows its numbering.",
                    kata.dir,
                )
        tests = sorted(folder.glob("test_*.py"))
        if not tests:
            problems.add(
                f"katas/{kata.dir}/ has no test file.",
                f"add katas/{kata.dir}/test_<topic>.py with @pytest.mark.task(n) tests.",
                kata.dir,
            )
        for test in tests:
            first = test.read_text(encoding="utf-8").split("\n", 1)[0]
            if DONT_EDIT not in first:
                problems.add(
                    f"{repo.rel(test)}: the first line does not say {DONT_EDIT!r}.",
                    f'start it with """Tests for kata {kata.dir[:2]}. {DONT_EDIT}: edit '
                    f'{", ".join(kata.files) or "<file>"} until these pass."""',
                    kata.dir,
                )
        if not kata.files:
            problems.add(
                f"{kata.dir}: katas.toml declares no file for learners to edit.",
                f'add files = ["queries.py"] (the files learners edit) to {kata.dir}.',
                kata.dir,
            )
        for name in kata.files:
            stub, solved = folder / name, solution / name
            for path in (stub, solved):
                if not path.is_file():
                    problems.add(
                        f"{repo.rel(path)} is missing.",
                        f"katas.toml declares {name} editable in {kata.dir}: create it in both "
                        "trees (a stub with # TODOs in katas/, the answer in solutions/), or "
                        "remove it from files.",
                        kata.dir,
                    )
            if stub.is_file() and "TODO" not in stub.read_text(encoding="utf-8"):
                problems.add(
                    f"{repo.rel(stub)} is declared editable but has no # TODO.",
                    "mark each place the learner edits with a # TODO comment saying what to do.",
                    kata.dir,
                )
        problems += _variant_layout(repo, kata)
    return problems


def _variant_layout(repo: Repo, kata: manifest.Kata) -> list[Problem]:
    path = repo.root / "solutions" / kata.dir / "variants.toml"
    rel = repo.rel(path)
    if not path.is_file():
        return [
            Problem(
                "layout",
                f"{rel} is missing.",
                "create it with the plausible wrong solutions ([wrong_<what>]) and valid "
                "alternatives ([ok_<what>]), see README.md 'Adding a kata'.",
                kata.dir,
            )
        ]
    try:
        table = manifest.tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return [Problem("layout", f"{rel} is not valid TOML: {exc}", "fix its syntax.", kata.dir)]
    problems = Found("layout")
    for key, spec in table.items():
        where = f"{rel} [{key}]"
        if not key.startswith(("wrong_", "ok_")) or not isinstance(spec, dict):
            problems.add(
                f"{where}: a variant's name starts with wrong_ or ok_.",
                "rename it wrong_<mistake> (a test must reject it) or ok_<alternative> (every "
                "test must accept it).",
                kata.dir,
            )
            continue
        if not str(spec.get("why", "")).strip():
            problems.add(
                f"{where} has no why.",
                'add why = "Wrong: ..." (or "Valid: ...") in one line.',
                kata.dir,
            )
        edits = spec.get("edit", [])
        if not edits:
            problems.add(
                f"{where} has no edit.",
                f"add [[{key}.edit]] tables with file, old and new.",
                kata.dir,
            )
        for edit in edits:
            if not {"file", "old", "new"} <= set(edit):
                problems.add(
                    f"{where}: an edit lacks file, old or new.",
                    f"give every [[{key}.edit]] file, old and new.",
                    kata.dir,
                )
            elif edit["file"] not in kata.files:
                problems.add(
                    f"{where} edits {edit['file']}, which learners don't edit "
                    f"(files = {list(kata.files)}).",
                    "a variant is something a learner could write: edit a declared file, or "
                    "declare the file in katas.toml if learners do edit it.",
                    kata.dir,
                )
    return problems


def check_files(repo: Repo) -> list[Problem]:
    problems = Found("files")
    for name in repo.selected:
        kata = repo.kata(name)
        folder, solution = repo.root / "katas" / name, repo.root / "solutions" / name
        if kata is None or not folder.is_dir() or not solution.is_dir():
            continue
        for given in _files(folder):
            rel = given.relative_to(folder).as_posix()
            if given.name in NOT_GIVEN or given.name.startswith("test_") or rel in kata.files:
                continue
            solved = solution / rel
            if not solved.is_file():
                problems.add(
                    f"solutions/{name}/{rel} is missing: katas/{name}/{rel} is a given file "
                    "(not in files of katas.toml), so the solution tree needs the same file.",
                    f"copy it: cp katas/{name}/{rel} solutions/{name}/{rel}. If learners edit "
                    f'it, declare it instead (files = [..., "{rel}"]) and add the solved one.',
                    name,
                )
            elif _text(solved) != _text(given):
                problems.add(
                    f"katas/{name}/{rel} differs from solutions/{name}/{rel}, but it is not "
                    f"declared editable (files = {list(kata.files)} in katas.toml): the same "
                    "tests would run against two different given files.",
                    f'if learners edit it, add "{rel}" to files of {name} in katas.toml; if '
                    f"not, make both the same (diff katas/{name}/{rel} solutions/{name}/{rel}).",
                    name,
                )
        for solved in _files(solution):
            rel = solved.relative_to(solution).as_posix()
            if rel != "variants.toml" and not (folder / rel).is_file():
                problems.add(
                    f"solutions/{name}/{rel} has no counterpart katas/{name}/{rel}: learners "
                    "would not have it.",
                    f"add katas/{name}/{rel} (a copy if it is given; a stub with # TODOs, "
                    "declared in files of katas.toml, if learners edit it), or delete it.",
                    name,
                )
    return problems


def check_hints(repo: Repo) -> list[Problem]:
    from katalib.teach import hints

    problems = Found("hints")
    for kata in repo.listed():
        folder = repo.root / "katas" / kata.dir
        if not (folder / "README.md").is_file() or not (folder / "HINTS.md").is_file():
            continue  # the layout rule says so
        tasks = readme_tasks(folder / "README.md")
        sections = hints.sections(kata, repo.root)
        numbers = [s.number for s in sections]
        if not tasks:
            problems.add(
                f"katas/{kata.dir}/README.md has no numbered task under '## Your tasks'.",
                "list the tasks there as 1. ..., 2. ... (one per line start).",
                kata.dir,
            )
        elif tasks != list(range(1, len(tasks) + 1)):
            problems.add(
                f"katas/{kata.dir}/README.md numbers its tasks {tasks}.",
                f"number them 1 to {len(tasks)} in order.",
                kata.dir,
            )
        if tasks and numbers != tasks:
            problems.add(
                f"katas/{kata.dir}/HINTS.md has sections {numbers or 'none'}; README.md has "
                f"tasks {tasks}.",
                "give HINTS.md one '## N. Title' section per task, in the README's numbering "
                "(katas hint shows the section of the first failing task).",
                kata.dir,
            )
        for section in sections:
            if not section.bullets:
                problems.add(
                    f"katas/{kata.dir}/HINTS.md: section {section.number} has no hint.",
                    "add '- ' bullets from a nudge to nearly the answer, the last a link to "
                    "Django's docs.",
                    kata.dir,
                )
        marked = set()
        for test in sorted(folder.glob("test_*.py")):
            for match in re.finditer(r"@pytest\.mark\.task\((\d+)\)", test.read_text("utf-8")):
                marked.add(int(match.group(1)))
                if tasks and int(match.group(1)) not in tasks:
                    problems.add(
                        f"{repo.rel(test)}: @pytest.mark.task({match.group(1)}) names no task "
                        f"of README.md (tasks {tasks}).",
                        "mark the test with the number of the README task it checks.",
                        kata.dir,
                    )
        for task in tasks:
            if task not in marked:
                problems.add(
                    f"{kata.dir}: README task {task} has no @pytest.mark.task({task}) test.",
                    f"add a test for task {task}, or remove the task from README.md and HINTS.md.",
                    kata.dir,
                )
    return problems


def readme_tasks(readme: Path) -> list[int]:
    """The numbers of the tasks listed under README.md's '## Your tasks', in order."""
    numbers, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Your tasks"
        elif inside:
            item = re.match(r"^(\d+)\.\s+\S", line)
            if item:
                numbers.append(int(item.group(1)))
    return numbers


def check_placeholders(repo: Repo) -> list[Problem]:
    problems = Found("placeholders")
    for kata in repo.listed():
        for tree in manifest.TARGETS:
            for path in _files(repo.root / tree / kata.dir):
                try:
                    lines = path.read_text(encoding="utf-8").splitlines()
                except UnicodeDecodeError:
                    continue
                marked = [(n, line.strip()) for n, line in enumerate(lines, 1) if MARKER in line]
                if marked:
                    numbers = ", ".join(str(n) for n, _ in marked)
                    problems.add(
                        f"{repo.rel(path)}, line{'s' if len(marked) > 1 else ''} {numbers}: "
                        f"{marked[0][1][:100]}",
                        f"write the kata's own text there and delete each '{MARKER}' mark (then "
                        "python -m katalib.checksums --write, for tests and stubs).",
                        kata.dir,
                    )
        for key in ("title", "concept", "hint"):
            if MARKER in getattr(kata, key):
                problems.add(
                    f"katas.toml: {key} of {kata.dir} is still the template's.",
                    f"write the kata's own {key} in katas.toml.",
                    kata.dir,
                )
        for test, reason in kata.guards:
            if MARKER in reason:
                problems.add(
                    f"katas.toml: the guard reason of {test} is the template's.",
                    "say in one line why no wrong solution needs to fail this test.",
                    kata.dir,
                )
    return problems


def check_readme_table(repo: Repo) -> list[Problem]:
    text = (repo.root / "README.md").read_text(encoding="utf-8")
    current = _table_in(text)
    wanted = kata_table(repo.katas)
    if current is None:
        return [
            Problem(
                "readme-table",
                f"README.md has no generated kata table (the lines {TABLE_START!r} and "
                f"{TABLE_END!r} around it).",
                "put the two marker lines where the table goes, then run katas dev readme.",
            )
        ]
    if current.strip() == wanted.strip():
        return []
    have, want = current.strip().splitlines(), wanted.strip().splitlines()
    missing = [line for line in want if line not in have]
    extra = [line for line in have if line not in want]
    if missing:
        what = f"missing or different: {missing[0]}"
    elif extra:
        what = f"a row katas.toml does not give: {extra[0]}"
    else:
        what = "its rows are not in katas.toml's order"
    return [
        Problem(
            "readme-table",
            f"README.md's kata table is not the one katas.toml gives; {what}",
            "run katas dev readme (rewrites the table from dir, title and concept in katas.toml).",
        )
    ]


def check_checksums(repo: Repo) -> list[Problem]:
    from katalib.base import checksums, reset

    fix = "run python -m katalib.checksums --write (after checking that the change is meant)."
    path = repo.root / checksums.CHECKSUM_FILE
    if not path.is_file():
        return [Problem("checksums", f"{checksums.CHECKSUM_FILE} is missing.", fix)]
    said = {
        "changed": f"changed since {checksums.CHECKSUM_FILE} was written",
        "not in the list": f"new: not in {checksums.CHECKSUM_FILE}",
        "deleted": f"in {checksums.CHECKSUM_FILE} but gone",
    }
    problems = [
        Problem("checksums", f"{name} is {said.get(what, what)}.", fix)
        for name, what in checksums.differences(repo.root)
    ]
    try:
        stale = reset.stale(repo.root)
    except OSError as exc:  # a declared file is missing: the layout rule says which
        stale = []
        problems.append(Problem("checksums", f"katalib/originals.json: {exc}", fix))
    problems += [
        Problem(
            "checksums",
            f"katalib/originals.json does not hold {name} as it is in katas/ (katas reset "
            "would put back another text).",
            fix,
        )
        for name in stale
    ]
    return problems


def check_ruff(repo: Repo) -> list[Problem]:
    paths = (
        [
            f"{tree}/{name}"
            for name in repo.selected
            for tree in manifest.TARGETS
            if (repo.root / tree / name).is_dir()
        ]
        if repo.scoped
        else ["."]
    )
    if not paths:
        return []
    problems = Found("ruff")
    for command, fix in (
        (
            ["check", "--quiet", "--output-format", "concise", *paths],
            f"ruff check --fix {' '.join(paths)}, then by hand",
        ),
        (
            ["format", "--check", "--quiet", "--output-format", "concise", *paths],
            f"ruff format {' '.join(paths)}",
        ),
    ):
        try:
            done = subprocess.run(
                [sys.executable, "-m", "ruff", *command],
                cwd=repo.root,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            return [Problem("ruff", f"ruff could not run: {exc}", 'pip install -e ".[dev]"')]
        if done.returncode != 0 and "No module named ruff" in done.stderr:
            return [Problem("ruff", "ruff is not installed.", 'pip install -e ".[dev]"')]
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            problems.add(f"ruff {command[0]} failed:\n{_indent(output)}", fix)
    return problems


def check_mypy(repo: Repo) -> list[Problem]:
    """``mypy`` as configured in pyproject.toml (katalib, with django-stubs). Skipped where the
    dev extra is not installed: learners don't install it, and katalib is not theirs to fix."""
    problems = Found("mypy")
    if repo.scoped:  # like ruff, a --kata run checks the chosen katas; katalib is none of them
        problems.skipped = "it checks katalib, which --kata leaves out"
        return problems
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mypy"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        return [Problem("mypy", f"mypy could not run: {exc}", 'pip install -e ".[dev]"')]
    output = (done.stdout + done.stderr).strip()
    missing = "No module named mypy" in done.stderr or (
        "No module named 'mypy_django_plugin'" in output
    )
    if done.returncode != 0 and missing:
        problems.skipped = 'mypy or django-stubs is not installed (pip install -e ".[dev]")'
    elif done.returncode != 0:
        problems.add(
            f"mypy failed:\n{_indent(output)}",
            "fix each error it names (a narrow `# type: ignore[code]  # why` only where the "
            "stubs are wrong), then run python -m mypy",
        )
    return problems


# The proof (katalib.maint.verify) is one run for three rules: two-way, variants, keep.


def check_proof(repo: Repo, skip: set[str]) -> list[Problem]:
    katas = [k.dir for k in repo.listed() if k.dir not in skip]
    if not katas:
        return []
    proof = verify.prove(katas, repo.pytest_args, echo=_echo)
    return [
        *check_two_way(proof, katas),
        *check_variants(proof),
        *(p for kata in katas for p in check_keep(repo, proof, kata)),
        *check_mistakes(repo, proof, katas),
    ]


def _echo(line: str) -> None:
    """verify's progress, short: the counts and the variants that misbehave."""
    if isinstance(line, verify.Note):
        print(f"  .... {line.strip()}", flush=True)


def check_two_way(proof: verify.Proof, katas: list[str]) -> list[Problem]:
    """verify.two_way's problems (its structured findings), in the words of dev check."""
    problems = Found("two-way")
    assert proof.two_way is not None
    Kind = verify.TwoWayKind
    for found in proof.two_way.problems:
        test, outcome = found.test, found.outcome
        if found.kind is Kind.CRASHED:
            assert found.run is not None
            flag = " --solutions" if found.tree == "solutions" else ""
            problems.add(
                f"pytest exited {found.run.code} on {found.tree}/ (not a test failure):\n"
                f"{_indent(_tail(found.run.output))}",
                f"run pytest{flag} {' '.join('katas/' + k for k in katas)} and fix what it "
                "reports first.",
            )
        elif found.kind is Kind.NONE_COLLECTED:
            problems.add(
                "no tests were collected.",
                "add test_*.py files with test functions to the kata folder.",
            )
        elif found.kind is Kind.PASSES_ON_STUB:
            assert outcome is not None
            problems.add(
                f"{test} {outcome.status} on the untouched katas/ stub.",
                "a test must fail until the learner does its task: make it call the code at a "
                "# TODO (or make the stub fail it), then python -m katalib.checksums --write.",
                progress.kata_dir(test),
            )
        elif found.kind is Kind.FAILS_ON_SOLUTION:
            assert outcome is not None
            problems.add(
                f"{test} does not pass on solutions/ ({outcome.status}).\n"
                f"    pytest: {outcome.reason or '(no message)'}",
                f"fix the solution or the test; see it with: pytest --solutions {test}",
                progress.kata_dir(test),
            )
        else:  # Kind.ONE_TREE_ONLY
            problems.add(
                f"{test} is collected on {found.tree}/ only.",
                "the same tests must exist for both trees: a test must not depend on which tree "
                "runs (parametrize it with data, not with the kata's code).",
                progress.kata_dir(test),
            )
    return problems


def check_variants(proof: verify.Proof) -> list[Problem]:
    problems = Found("variants")
    for result in proof.variants:
        if result.verdict is None:
            continue
        variant = result.variant
        where = f"solutions/{variant.kata.dir}/variants.toml [{variant.key}]"
        if result.kind is verify.VariantKind.EDITS_DO_NOT_APPLY:
            fix = f"update the edit in {where}: its old must be found exactly once in the solution."
        elif variant.expect_pass:
            fix = (
                f"make the tests accept this valid solution, or if it is wrong after all, rename "
                f"it wrong_... in {where}."
            )
        else:
            fix = (
                "add or sharpen a test that rejects it (then python -m katalib.checksums "
                f"--write), or if it is valid after all, rename it ok_... in {where}."
            )
        problems.add(f"{variant.name}: {result.verdict}", fix, variant.kata.dir)
    return problems


def check_mistakes(repo: Repo, proof: verify.Proof, katas: list[str]) -> list[Problem]:
    """The mistake corpus: each wrong_ variant's words, the counts, and the rules it reaches."""
    problems = Found("mistakes")
    wrongs = [r for r in proof.variants if not r.variant.expect_pass]
    for result in wrongs:
        variant = result.variant
        where = f"solutions/{variant.kata.dir}/variants.toml [{variant.key}]"
        if not variant.says:
            problems.add(
                f"{variant.name} says nothing: the corpus does not know what it must be told.",
                f"add says = [...] to {where}: the words its output must contain (the concept: "
                "a field, a method, Django's own message), and never_says = [...] for the words "
                "that would mislead.",
                variant.kata.dir,
            )
        for miss in result.misses:
            fix = {
                verify.MissKind.MISSING: "make the explanation (katalib/teach/explain/) or the test's "
                "message say it, or correct the phrase in ",
                verify.MissKind.MISLEADING: "make the rule that says it fire only where its "
                "subject is there (its needs), or correct never_says in ",
                verify.MissKind.RULE: "make that rule recognise this mistake, or correct rule in ",
            }[miss.kind]
            problems.add(f"{variant.name} ({variant.why}) {miss}", fix + where, variant.kata.dir)
    for kata in katas:
        found = [r for r in wrongs if r.variant.kata.dir == kata and r.variant.says]
        if len(found) < MISTAKES_PER_KATA:
            problems.add(
                f"{kata} has {len(found)} mistakes with says, fewer than {MISTAKES_PER_KATA}.",
                f"add wrong_ variants with says to solutions/{kata}/variants.toml: how "
                "beginners really fail at its tasks.",
                kata,
            )
    if repo.scoped:
        return problems  # the counts in all and the rules' reach need every kata
    total = sum(1 for r in wrongs if r.variant.says)
    if total < MISTAKES_IN_ALL:
        problems.add(
            f"the corpus has {total} mistakes with says, fewer than {MISTAKES_IN_ALL}.",
            "add wrong_ variants with says to the katas' variants.toml.",
        )
    reached = {rule for r in wrongs if not r.misses for rule in r.rules}
    for rule in explain.RULES:
        if rule.name not in reached and not rule.fallback:
            problems.add(
                f"no mistake of the corpus makes the rule {rule.name!r} speak.",
                "add a wrong_ variant (with rule = "
                f"{rule.name!r}) that a learner would really write, or delete the rule if no "
                "mistake can reach it.",
            )
    return problems


def check_keep(repo: Repo, proof: verify.Proof, kata_dir: str) -> list[Problem]:
    kata = repo.kata(kata_dir)
    if kata is None:
        return []
    guards = dict(kata.guards)
    killed = proof.killed(kata_dir)
    tests = proof.tests(kata_dir)
    wrongs = [
        r.variant.key
        for r in proof.variants
        if r.variant.kata.dir == kata_dir and not r.variant.expect_pass
    ]
    problems = Found("keep")
    for test in tests:
        name = test.rsplit("::", 1)[-1]
        if test in killed or name in guards or name.split("[", 1)[0] in guards:
            continue
        problems.add(
            f"{test}: no wrong_ variant of {kata_dir} makes it fail "
            f"({len(wrongs)} tried: {', '.join(wrongs) or 'none'}).",
            f"add a [wrong_<mistake>] variant to solutions/{kata_dir}/variants.toml that this "
            "test rejects; if no plausible mistake can make it fail, rewrite or delete it (it "
            "cannot fail); if it guards something on purpose, add to the entry of "
            f'{kata_dir} in katas.toml: guards = {{ "{name.split("[", 1)[0]}" = "<why, in '
            'one line>" }',
            kata_dir,
        )
    for guard in guards:
        covered = [
            t
            for t in tests
            if t.rsplit("::", 1)[-1].split("[", 1)[0] == guard or t.rsplit("::", 1)[-1] == guard
        ]
        if covered and all(t in killed for t in covered):
            by = sorted({v for t in covered for v in killed[t]})
            problems.add(
                f"{kata_dir}: {guard} is a guard in katas.toml, but {', '.join(by)} make it "
                "fail: it earns its keep.",
                f"remove {guard!r} from guards of {kata_dir} in katas.toml.",
                kata_dir,
            )
    return problems


# --- Each kata README's diagram of its tables ----------------------------------------------------


def schema_section(kata: manifest.Kata, read: dict) -> str:
    """The generated part of a kata README: its tables (solutions/) as a Mermaid erDiagram."""
    from katalib.teach.drawing import mermaid

    if read["error"]:
        raise ValueError(read["error"])
    lines = ["## The tables when you're done", ""]
    if not read["tables"]:
        lines.append("This kata declares no models, so it has no tables of its own.")
        return "\n".join(lines) + "\n"
    lines += [
        (
            f"The tables Django makes from the lesson's models (`solutions/{kata.dir}/models.py`, "
            "column types as on SQLite); "
            f"`katas schema {kata.dir.split('_', 1)[0]} --target` draws yours and says what differs."
        ),
        "",
        "```mermaid",
        mermaid.diagram(read["tables"]),
        "```",
    ]
    return "\n".join(lines) + "\n"


def schema_sections(root: Path, katas: list[manifest.Kata]) -> dict[str, str]:
    """{kata dir: its generated README part}, from one child process that loads solutions/."""
    from katalib.loop import draw as command

    # SQLite's column types whatever DATABASE_URL says: one drawing for every database.
    read = command.read_tree("solutions", [k.dir for k in katas], root=root, sqlite=True)
    return {k.dir: schema_section(k, read[k.dir]) for k in katas}


def _schema_in(text: str) -> str | None:
    start, end = text.find(SCHEMA_START), text.find(SCHEMA_END)
    if start < 0 or end < start:
        return None
    return text[start + len(SCHEMA_START) : end].strip("\n") + "\n"


def _with_schema(text: str, section: str) -> str:
    """``text`` with its generated part replaced, or added before '## For teachers' (else at
    the end)."""
    block = f"{SCHEMA_START}\n{section}{SCHEMA_END}\n"
    start, end = text.find(SCHEMA_START), text.find(SCHEMA_END)
    if start >= 0 and end > start:
        return text[:start] + block + text[end + len(SCHEMA_END) :].lstrip("\n")
    at = text.find("\n## For teachers")
    if at < 0:
        return text.rstrip("\n") + "\n\n" + block
    return text[: at + 1] + block + "\n" + text[at + 1 :]


def write_readme_schemas(root: Path, katas: list[manifest.Kata] | None = None) -> list[str]:
    """Rewrite each kata README's diagram; the READMEs that changed."""
    katas = list(katas if katas is not None else manifest.load(root))
    changed = []
    for kata_dir, section in schema_sections(root, katas).items():
        path = root / "katas" / kata_dir / "README.md"
        text = path.read_text(encoding="utf-8")
        new = _with_schema(text, section)
        if new != text:
            path.write_text(new, encoding="utf-8", newline="\n")
            changed.append(path.relative_to(root).as_posix())
    return changed


def check_readme_schemas(repo: Repo) -> list[Problem]:
    problems = Found("readme-schema")
    katas = [k for k in repo.listed() if (repo.root / "katas" / k.dir / "README.md").is_file()]
    if not katas or not (repo.root / "solutions").is_dir():
        return problems
    try:
        sections = schema_sections(repo.root, katas)
    except (RuntimeError, ValueError) as exc:
        problems.add(
            f"the tables of solutions/ could not be read: {exc}",
            "fix the solution's models (pytest --solutions shows the error), then run "
            "katas dev readme.",
        )
        return problems
    for kata in katas:
        readme = repo.root / "katas" / kata.dir / "README.md"
        found = _schema_in(readme.read_text(encoding="utf-8"))
        if found is None:
            problems.add(
                f"{repo.rel(readme)} has no generated diagram of its tables.",
                "run katas dev readme (it adds the diagram before '## For teachers').",
                kata.dir,
            )
        elif found != sections[kata.dir]:
            problems.add(
                f"{repo.rel(readme)}'s diagram is not the one solutions/{kata.dir}/models.py "
                "gives (the models changed since it was drawn).",
                "run katas dev readme (it redraws each kata's diagram from solutions/).",
                kata.dir,
            )
    return problems


# --- dev check ---------------------------------------------------------------------------------

STATIC: list[tuple[str, Callable[[Repo], list[Problem]]]] = [
    ("manifest", check_manifest),
    ("layout", check_layout),
    ("files", check_files),
    ("hints", check_hints),
    ("placeholders", check_placeholders),
    ("readme-table", check_readme_table),
    ("readme-schema", check_readme_schemas),
    ("checksums", check_checksums),
    ("ruff", check_ruff),
    ("mypy", check_mypy),
]


def static_problems(repo: Repo, rules: list[str] | None = None) -> list[Problem]:
    """The problems of the fast rules (all, or those named), for katalib's own tests."""
    found = []
    for name, rule in STATIC:
        if rules is None or name in rules:
            found += rule(repo)
    return found


def open_repo(root: Path, names: list[str], pytest_args: list[str] | None = None) -> Repo:
    """The repository at ``root`` with ``names`` chosen (folder, number or path; all if none)."""
    katas = manifest.load(root)
    selected = verify.resolve(names, root) if names else [k.dir for k in katas]
    return Repo(root, katas, selected, bool(names), list(pytest_args or []))


def check(root: Path, names: list[str], *, proof: bool, pytest_args: list[str]) -> int:
    started = time.monotonic()
    try:
        repo = open_repo(root, names, pytest_args)
    except verify.UnknownKata as exc:
        print(f"katas dev check: {verify.unknown_kata_text(str(exc), root)}", file=sys.stderr)
        return 2
    except (KeyError, ValueError, OSError) as exc:
        problem = Problem(
            "manifest",
            f"katas.toml cannot be read: {type(exc).__name__}: {exc}",
            "every [[kata]] needs dir, title and hint (files, track, concept, guards are "
            "optional); fix the TOML syntax.",
        )
        report([problem], started)
        return 1
    scope = ", ".join(repo.selected) if repo.scoped else f"all {len(repo.selected)} katas"
    print(f"katas dev check: {scope}")
    problems: list[Problem] = []
    for name, rule in STATIC:
        began = time.monotonic()
        found = rule(repo)
        note = found.skipped if isinstance(found, Found) else None
        if note:
            print(f"  --   {name:<13} skipped: {note}")
        else:
            _status(name, found, time.monotonic() - began)
        problems += found
    if proof:
        broken = {p.kata for p in problems if p.rule in STRUCTURAL and p.kata}
        skipped = [k for k in repo.selected if k in broken or repo.kata(k) is None]
        for name in skipped:
            print(f"  --   proof of {name} skipped: fix its manifest, layout and files first")
        began = time.monotonic()
        found = check_proof(repo, set(skipped))
        for name in ("two-way", "variants", "keep", "mistakes"):
            if len(skipped) == len(repo.selected):
                print(f"  --   {name:<13} skipped")
            else:
                _status(name, [p for p in found if p.rule == name], time.monotonic() - began)
        problems += found
    return report(problems, started)


def _status(rule: str, found: list[Problem], seconds: float) -> None:
    mark = "ok  " if not found else "FAIL"
    count = f"  {len(found)} problem(s)" if found else ""
    print(f"  {mark} {rule:<13} {seconds:5.1f}s{count}", flush=True)


def report(problems: list[Problem], started: float) -> int:
    seconds = time.monotonic() - started
    if not problems:
        print(f"dev check OK in {seconds:.0f}s")
        return 0
    for rule in dict.fromkeys(p.rule for p in problems):
        print(f"\nFAIL {rule}: the rule is that {RULES[rule]}.")
        of_rule = [p for p in problems if p.rule == rule]
        for fix in dict.fromkeys(p.fix for p in of_rule):  # a fix shared by several: once
            for problem in (p for p in of_rule if p.fix == fix):
                print(_indent(f"- {problem.what}", 2))
            print(_indent(f"fix: {fix}", 4))
    rules = ", ".join(dict.fromkeys(p.rule for p in problems))
    print(f"\ndev check FAILED in {seconds:.0f}s: {len(problems)} problem(s) (rules: {rules})")
    return 1


# --- The README table ----------------------------------------------------------------------------


def kata_table(katas: tuple[manifest.Kata, ...] | list[manifest.Kata]) -> str:
    rows = ["| # | Kata | Concept |", "|---|---|---|"]
    for kata in katas:
        number, _, topic = kata.dir.partition("_")
        rows.append(f"| {number} | [{topic}](katas/{kata.dir}/README.md) | {kata.concept} |")
    return "\n".join(rows) + "\n"


def _table_in(text: str) -> str | None:
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return None
    return text[start + len(TABLE_START) : end].strip("\n") + "\n"


def write_readme_table(root: Path) -> bool:
    """Rewrite README.md's table from katas.toml; False when the markers are missing."""
    path = root / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return False
    table = kata_table(manifest.load(root))
    text = text[: start + len(TABLE_START)] + "\n" + table + text[end:]
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


# --- dev new -------------------------------------------------------------------------------------

MANIFEST_ENTRY = """[[kata]]
dir = __DIR_JSON__
files = ["queries.py"]
title = __TITLE_JSON__
__TRACK__concept = __CONCEPT_JSON__
hint = "TODO(new kata): the first nudge, shown in the progress summary until the kata is solved."
"""

README = """# Kata __NUMBER__ · __TITLE__

TODO(new kata): the concept in a few sentences, for someone who has just met it, then a worked
example (this one is the template's):

```python
>>> alice.posts.values_list("title", flat=True)
<QuerySet ['Hello', 'World']>
```

## Your tasks

Edit [`queries.py`](queries.py). Run `pytest katas/__DIR__` (or `katas run __NUMBER__`).

1. **Post titles.** Make `post_titles(author)` return the titles of the author's posts, in
   alphabetical order.
2. **Post count.** Make `post_count(author)` return how many posts the author wrote, counted by
   the database.

Stuck? [HINTS.md](HINTS.md) has hints with the same numbers.

## For teachers

- **Learning objectives:** TODO(new kata): what learners can do after this kata.
- **Out of scope:** TODO(new kata): what the kata leaves to others (and which).
"""

HINTS = """# Hints · Kata __NUMBER__

## 1. Post titles

- TODO(new kata): one bullet a layer, from a nudge to nearly the answer; the last, a docs link.
- Start from the author: the reverse side of `Post.author` is named by its `related_name`.
- `author.posts.values_list("title", flat=True)` gives the titles; `Post.Meta.ordering` sorts.
- Docs: [Following relationships backward](https://docs.djangoproject.com/en/5.2/topics/db/queries/#following-relationships-backward)

## 2. Post count

- The same reverse manager, `author.posts`, can ask the database to count.
- `.count()` runs `SELECT COUNT(*)`; `len(...)` would fetch every row first.
- Docs: [count()](https://docs.djangoproject.com/en/5.2/ref/models/querysets/#count)
"""

MODELS = '''"""The models of kata __NUMBER__. Given: learners read them and don't edit them.

TODO(new kata): replace these example models with the kata's own (identical in katas/ and
solutions/). If learners edit models.py, add it to files = [...] in katas.toml instead.
"""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
'''

QUERIES_HEAD = '''"""Kata __NUMBER__: __WHAT__

TODO(new kata): say in a sentence or two what these functions practise.
"""

from __future__ import annotations

from .models import Author


def post_titles(author: Author) -> list[str]:
    """Return the titles of ``author``'s posts, in alphabetical order.

    >>> post_titles(alice)
    ['Hello', 'World']
    """
'''
STUB = (
    QUERIES_HEAD.replace("__WHAT__", "the queries you write. Edit this file at each # TODO.")
    + """    # TODO: start from the author and follow the reverse side of Post.author.
    raise NotImplementedError


def post_count(author: Author) -> int:
    \"\"\"Return how many posts ``author`` wrote, counted by the database.

    >>> post_count(alice)
    2
    \"\"\"
    # TODO: count with the same reverse side, in the database.
    raise NotImplementedError
"""
)
SOLUTION = (
    QUERIES_HEAD.replace("__WHAT__", "the queries, solved.")
    + """    # author.posts: the reverse side of Post.author, named by its related_name; the
    # model's Meta.ordering sorts by title.
    return list(author.posts.values_list("title", flat=True))


def post_count(author: Author) -> int:
    \"\"\"Return how many posts ``author`` wrote, counted by the database.

    >>> post_count(alice)
    2
    \"\"\"
    return author.posts.count()  # SELECT COUNT(*) ... WHERE author_id = ...
"""
)

TESTS = '''"""Tests for kata __NUMBER__. Don't edit this file: edit queries.py until these pass."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

# TODO(new kata): replace these example tests with the kata's own: @pytest.mark.task(n) for
# README task n, a comment for each assertion, messages that say what was called, what came
# back and what was expected.


@pytest.fixture
def queries(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("queries")


@pytest.fixture
def alice(kata_models: ModuleType) -> Any:
    """Alice wrote "World" and "Hello"; Bob wrote "Zen"."""
    alice = kata_models.Author.objects.create(name="Alice")
    bob = kata_models.Author.objects.create(name="Bob")
    kata_models.Post.objects.create(title="World", author=alice)
    kata_models.Post.objects.create(title="Hello", author=alice)
    kata_models.Post.objects.create(title="Zen", author=bob)
    return alice


@pytest.mark.task(1)
def test_post_titles_are_the_authors_own(alice: Any, queries: ModuleType) -> None:
    titles = queries.post_titles(alice)
    # Alice's two posts, sorted by title; Bob's "Zen" is not hers.
    assert titles == ["Hello", "World"], (
        f"post_titles(alice) returned {titles!r}; expected ['Hello', 'World']: the titles of "
        "her posts only, in alphabetical order."
    )


@pytest.mark.task(2)
def test_post_count_counts_the_authors_own(alice: Any, queries: ModuleType) -> None:
    count = queries.post_count(alice)
    # Two of the three posts are Alice's.
    assert count == 2, f"post_count(alice) returned {count!r}; expected 2: her posts, not all 3."
'''

VARIANTS = """# Plausible wrong solutions (wrong_*: some test must fail) and valid alternatives
# (ok_*: every test must pass). Each edit replaces `old` (found exactly once) with `new` in the
# solution's file; katas dev check --kata __DIR__ checks them, and that every test fails on at
# least one wrong_ variant. The wrong_ variants are the kata's mistake corpus too: what the
# learner's output must say (says) and must never say (never_says) for each mistake.
# TODO(new kata): one wrong_ variant per mistake learners make (at least 8), one ok_ per valid
# alternative.

[wrong_every_authors_titles]
why = "Wrong: the titles of every post, not only the author's."
says = ["the titles of her posts only"]

[[wrong_every_authors_titles.edit]]
file = "queries.py"
old = 'return list(author.posts.values_list("title", flat=True))'
new = 'return list(Post.objects.values_list("title", flat=True))'

[[wrong_every_authors_titles.edit]]
file = "queries.py"
old = "from .models import Author"
new = "from .models import Author, Post"

[wrong_counts_every_post]
why = "Wrong: counts every post, not the author's."
says = ["her posts, not all 3"]

[[wrong_counts_every_post.edit]]
file = "queries.py"
old = "return author.posts.count()"
new = "return Post.objects.count()"

[[wrong_counts_every_post.edit]]
file = "queries.py"
old = "from .models import Author"
new = "from .models import Author, Post"

[wrong_default_reverse_name]
why = "Wrong: author.post_set, but related_name='posts' names the reverse manager author.posts."
says = ["post_set", "author.posts"]

[[wrong_default_reverse_name.edit]]
file = "queries.py"
old = 'return list(author.posts.values_list("title", flat=True))'
new = 'return list(author.post_set.values_list("title", flat=True))'

[wrong_manager_iterated]
why = "Wrong: a manager is not a list: list(author.posts) needs .all()."
says = [".all()"]

[[wrong_manager_iterated.edit]]
file = "queries.py"
old = 'return list(author.posts.values_list("title", flat=True))'
new = "return [post.title for post in author.posts]"

[wrong_count_not_called]
why = "Wrong: author.posts.count without () returns the method, not the number."
says = ["post_count(alice) returned <bound method"]

[[wrong_count_not_called.edit]]
file = "queries.py"
old = "return author.posts.count()"
new = "return author.posts.count"

[wrong_queryset_not_a_list]
why = "Wrong: a QuerySet of titles is not the list the docstring asks for."
says = ["expected ['Hello', 'World']"]

[[wrong_queryset_not_a_list.edit]]
file = "queries.py"
old = 'return list(author.posts.values_list("title", flat=True))'
new = 'return author.posts.values_list("title", flat=True)'

[wrong_singular_reverse_name]
why = "Wrong: author.post: the reverse side of a ForeignKey is a manager of many posts."
says = ["'Author' object has no attribute 'post'", "author.posts"]

[[wrong_singular_reverse_name.edit]]
file = "queries.py"
old = "return author.posts.count()"
new = "return author.post.count()"

[wrong_missing_colon]
why = "Wrong: a def line without its colon is a SyntaxError: the file does not load."
says = ["SyntaxError", "queries.py"]

[[wrong_missing_colon.edit]]
file = "queries.py"
old = "def post_count(author: Author) -> int:"
new = "def post_count(author: Author) -> int"

[ok_sorted_in_python]
why = "Valid: sorting the titles in Python gives the same list."

[[ok_sorted_in_python.edit]]
file = "queries.py"
old = 'return list(author.posts.values_list("title", flat=True))'
new = "return sorted(post.title for post in author.posts.all())"
"""


def new(root: Path, name: str, title: str, *, bonus: bool, concept: str | None) -> int:
    name = name.strip().strip("/").removeprefix("katas/")
    match = NAME.match(name)
    if not match:
        print(
            f"katas dev new: {name!r} is not a kata folder name: two digits, an underscore and "
            "a lower-case topic, e.g. 14_generic_relations.",
            file=sys.stderr,
        )
        return 2
    number = match.group(1)
    katas = manifest.load(root)
    taken = [k.dir for k in katas if k.dir[:2] == number]
    exists = [f"{t}/{name}" for t in manifest.TARGETS if (root / t / name).exists()]
    if taken or exists:
        what = f"number {number} is taken by {taken[0]}" if taken else f"{exists[0]} exists"
        print(
            f"katas dev new: {what}. Pick another number (katas are also named by number).",
            file=sys.stderr,
        )
        return 2
    topic = name[3:]
    values = {
        "__DIR_JSON__": json.dumps(name),
        "__TITLE_JSON__": json.dumps(title, ensure_ascii=False),
        "__CONCEPT_JSON__": json.dumps(concept or title, ensure_ascii=False),
        "__TRACK__": 'track = "bonus"\n' if bonus else "",
        "__DIR__": name,
        "__NUMBER__": number,
        "__TITLE__": title,
    }

    def fill(template: str) -> str:
        for key, value in values.items():
            template = template.replace(key, value)
        return template

    files = {
        f"katas/{name}/__init__.py": "",
        f"katas/{name}/README.md": fill(README),
        f"katas/{name}/HINTS.md": fill(HINTS),
        f"katas/{name}/models.py": fill(MODELS),
        f"katas/{name}/queries.py": fill(STUB),
        f"katas/{name}/test_{topic}.py": fill(TESTS),
        f"solutions/{name}/__init__.py": "",
        f"solutions/{name}/models.py": fill(MODELS),
        f"solutions/{name}/queries.py": fill(SOLUTION),
        f"solutions/{name}/variants.toml": fill(VARIANTS),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    _add_entry(root, name, fill(MANIFEST_ENTRY))
    manifest.load.cache_clear()
    table = write_readme_table(root)
    try:  # the README's diagram of the template's tables (katas dev readme redraws it)
        write_readme_schemas(root, [k for k in manifest.load(root) if k.dir == name])
    except (RuntimeError, ValueError) as exc:
        print(f"(no diagram of the tables in its README: {exc}; run katas dev readme later)")
    print(f"Created kata {name} ({'bonus' if bonus else 'lesson'} track):")
    row = ", the README table's row" if table else ""
    print(f'  katas.toml: a [[kata]] entry (files = ["queries.py"]){row}')
    for rel in files:
        print(f"  {rel}")
    print(
        f"It is a small working kata (two tasks on Post -> Author) to turn into yours: replace "
        f"every '{MARKER}' mark\n(katas dev check lists those left), then\n"
        f"  python -m katalib.checksums --write    # records the new tests and stub\n"
        f"  katas dev check --kata {name}"
    )
    if not table:
        print("README.md has no generated kata table: add its row by hand.")
    return 0


def _add_entry(root: Path, name: str, entry: str) -> None:
    """Insert the entry into katas.toml in number order (before the first higher number)."""
    path = root / "katas.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if line.strip() == "[[kata]]"]
    position = len(lines)
    for index, start in enumerate(headers):
        end = headers[index + 1] if index + 1 < len(headers) else len(lines)
        found = next(
            (
                re.match(r'\s*dir\s*=\s*"([^"]+)"', lines[i])
                for i in range(start, end)
                if re.match(r"\s*dir\s*=", lines[i])
            ),
            None,
        )
        if found and found.group(1) > name:
            position = start
            break
    block = entry if position < len(lines) else "\n" + entry
    if position < len(lines):
        block += "\n"
    elif lines and not lines[-1].endswith("\n"):
        block = "\n" + block
    lines.insert(position, block)
    path.write_text("".join(lines), encoding="utf-8", newline="\n")


# --- Helpers -----------------------------------------------------------------------------------


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.suffix not in (".pyc", ".pyo")
    )


def _text(path: Path) -> bytes:
    return path.read_bytes().replace(b"\r\n", b"\n")


def _test_functions(folder: Path) -> set[str]:
    names = set()
    for test in folder.glob("test_*.py"):
        names |= set(
            re.findall(r"^\s*(?:async\s+)?def\s+(test\w*)", test.read_text("utf-8"), re.MULTILINE)
        )
    return names


def _indent(text: str, spaces: int = 4) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def _tail(output: str, lines: int = 30) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


# --- Command line --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The dev subcommands, under ``katas dev`` (katalib/cli.py) and ``python -m katalib.maint.dev``."""
    commands = parser.add_subparsers(dest="dev_command", metavar="DEV_COMMAND", required=True)
    made = commands.add_parser("new", help="add a kata: manifest entry, both trees, README row")
    made.add_argument("name", help="the folder name, e.g. 14_generic_relations")
    made.add_argument("--title", required=True, help="the kata's title (katas.toml)")
    made.add_argument("--bonus", action="store_true", help="a bonus kata (beyond the lesson)")
    made.add_argument("--concept", help="the README table's Concept column (default: the title)")
    checked = commands.add_parser("check", help="every rule, then the proof of the katas")
    checked.add_argument(
        "--kata",
        action="append",
        default=[],
        help="only this kata (repeatable): 03_on_delete or 03; the repository-wide rules still run",
    )
    checked.add_argument(
        "--no-proof",
        action="store_true",
        help="only the fast rules: no two-way proof, variants or keep",
    )
    commands.add_parser(
        "readme",
        help="rewrite README.md's kata table from katas.toml and each kata README's diagram "
        "of its tables from solutions/",
    )


def run(args: argparse.Namespace, extra: list[str] | None = None) -> int:
    root = manifest.ROOT
    if not (root / "solutions").is_dir():
        print(f"katas dev: {manifest.NO_SOLUTIONS}", file=sys.stderr)
        return 2
    if args.dev_command == "new":
        return new(root, args.name, args.title, bonus=args.bonus, concept=args.concept)
    if args.dev_command == "readme":
        if not write_readme_table(root):
            print(f"README.md lacks the table markers: {TABLE_START} ... {TABLE_END}")
            return 1
        print("README.md: kata table rewritten from katas.toml")
        changed = write_readme_schemas(root)
        for path in changed:
            print(f"{path}: diagram of the tables redrawn from solutions/")
        return 0
    return check(root, args.kata, proof=not args.no_proof, pytest_args=list(extra or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m katalib.maint.dev",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
