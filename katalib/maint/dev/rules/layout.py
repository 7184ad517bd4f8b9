"""The rules on folders and files: manifest, layout, files.

A kata that breaks one of them is not run by the proof (``STRUCTURAL`` in rules/__init__.py):
its folders, its entry in katas.toml or its given files are not what a run needs.
"""

from __future__ import annotations

import re
from pathlib import Path

from katalib.base import manifest
from katalib.maint import verify
from katalib.maint.dev.problems import Found, Problem, Repo

DONT_EDIT = "Don't edit this file"  # on the first line of every test file
NOT_GIVEN = {"README.md", "HINTS.md", "conftest.py"}  # in katas/ only (tests too)
NAME = re.compile(r"^(\d{2})_[a-z][a-z0-9_]*$")  # a kata folder: 14_generic_relations


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
        for given in kata_files(folder):
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
        for solved in kata_files(solution):
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


def kata_files(folder: Path) -> list[Path]:
    """The files of a kata folder, without caches and hidden files."""
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
