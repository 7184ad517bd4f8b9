"""The rules of ``katas dev check``: one table (``TABLE``), in the order dev check runs them.

Each rule is a name, the sentence that states it (``FAIL <name>: the rule is that <statement>.``)
and the function that finds its problems, in the module of its subject:

    layout.py      manifest, layout, files: the folders, katas.toml, the given files
    authoring.py   hints, placeholders: the tasks, the hints, dev new's marks
    readme.py      readme-table, readme-schema: the generated parts of the READMEs
    checksums.py   checksums: test-checksums.sha256 and katalib/originals.json
    tools.py       ruff, mypy
    proof.py       two-way, variants, keep, mistakes: one run of katalib.maint.verify

A fast rule is a function ``(Repo) -> list[Problem]`` (katalib/maint/dev/problems.py); the
proof's rules share one run (``proof.check_proof``), so their row has no function. A new rule:
a function in the module of its subject and a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from katalib.maint.dev.problems import Problem, Repo
from katalib.maint.dev.rules import authoring, checksums, layout, proof, readme, tools

Check = Callable[[Repo], list[Problem]]


@dataclass(frozen=True)
class Rule:
    name: str
    statement: str  # what must hold, after "the rule is that"
    check: Check | None  # None: found by the proof (proof.check_proof)
    structural: bool = False  # a kata failing it is not run by the proof


TABLE = (
    Rule(
        "manifest",
        "every kata folder under katas/ and solutions/ is listed in katas.toml, every entry has "
        "both folders, and every guard names a test of its kata with a reason",
        layout.check_manifest,
        structural=True,
    ),
    Rule(
        "layout",
        "katas/<dir>/ has __init__.py, README.md (# Kata NN, ## Your tasks), HINTS.md, "
        'test_*.py files whose first line says "Don\'t edit this file", and the files '
        "katas.toml declares (files = [...]), each with a # TODO; solutions/<dir>/ has "
        "__init__.py, the same declared files and a variants.toml whose variants edit only "
        "declared files",
        layout.check_layout,
        structural=True,
    ),
    Rule(
        "files",
        "a file learners don't edit is given: it is identical in katas/<dir>/ and "
        "solutions/<dir>/; the files they edit are declared in katas.toml (files = [...])",
        layout.check_files,
        structural=True,
    ),
    Rule(
        "hints",
        "HINTS.md has a non-empty '## N. Title' section for each numbered task of README.md's "
        "'## Your tasks', numbered the same; each @pytest.mark.task(n) names one of those tasks "
        "and each task has a test",
        authoring.check_hints,
    ),
    Rule(
        "placeholders",
        f"no '{authoring.MARKER}' mark of the dev new template is left",
        authoring.check_placeholders,
    ),
    Rule(
        "readme-table",
        "README.md's kata table is the one generated from katas.toml",
        readme.check_readme_table,
    ),
    Rule(
        "readme-schema",
        "each kata's README.md has the diagram of its tables drawn from "
        "solutions/<dir>/models.py (katalib/teach/drawing)",
        readme.check_readme_schemas,
    ),
    Rule(
        "checksums",
        "test-checksums.sha256 and katalib/originals.json record the current tests, harness "
        "and stubs",
        checksums.check_checksums,
    ),
    Rule("ruff", "ruff check and ruff format --check pass", tools.check_ruff),
    Rule(
        "mypy",
        "mypy finds no type errors in katalib ([tool.mypy] in pyproject.toml, with django-stubs)",
        tools.check_mypy,
    ),
    Rule(
        "two-way",
        "every test fails on the untouched katas/ and passes on solutions/, and is collected in "
        "both runs",
        None,
    ),
    Rule(
        "variants",
        "every wrong_ variant is rejected by at least one test; every ok_ variant passes every "
        "test; every edit still fits the solution",
        None,
    ),
    Rule(
        "keep",
        "every test earns its keep: it fails on at least one wrong_ variant of its kata, unless "
        "katas.toml names it a guard with a one-line reason",
        None,
    ),
    Rule(
        "mistakes",
        "every wrong_ variant is a learner mistake whose output (pytest katas/<dir>, focused) "
        "says each of its `says` phrases and none of its `never_says`, and its `rule` spoke; "
        f"each kata has at least {proof.MISTAKES_PER_KATA} such mistakes (at least "
        f"{proof.MISTAKES_IN_ALL} in all), and every rule of the explanation table speaks for "
        "one (except a fallback, which says why no kata mistake reaches it)",
        None,
    ),
)

RULES = {rule.name: rule.statement for rule in TABLE}  # name -> statement, in the table's order
STATIC = [(rule.name, rule.check) for rule in TABLE if rule.check is not None]  # the fast ones
PROOF = [rule.name for rule in TABLE if rule.check is None]
STRUCTURAL = {rule.name for rule in TABLE if rule.structural}
