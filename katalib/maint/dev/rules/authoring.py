"""The rules on what a kata's author writes: hints (tasks, hints, task marks), placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from katalib.base import manifest
from katalib.maint.dev.problems import Found, Problem, Repo
from katalib.maint.dev.rules.layout import kata_files

MARKER = "TODO(new kata)"  # what dev new's templates leave for the kata's author to write


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
            for path in kata_files(repo.root / tree / kata.dir):
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
