"""``katas dev check``: runs the rules of the table (rules/__init__.py) and reports.

The fast rules run first, each timed on its line; then the proof (two-way, variants, keep,
mistakes) for the chosen katas that passed the structural rules (manifest, layout, files).
Every problem names its rule, what is wrong and the fix. Exit code: 0 all good, 1 problems,
2 an unknown ``--kata``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from katalib.base import manifest
from katalib.maint import verify
from katalib.maint.dev.problems import Found, Problem, Repo, indent
from katalib.maint.dev.rules import PROOF, RULES, STATIC, STRUCTURAL
from katalib.maint.dev.rules.proof import check_proof


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
    """``katas dev check``: the fast rules, then the proof (unless ``proof`` is False)."""
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
        for name in PROOF:
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
    """Each rule that failed, its statement and its problems grouped by fix; the exit code."""
    seconds = time.monotonic() - started
    if not problems:
        print(f"dev check OK in {seconds:.0f}s")
        return 0
    for rule in dict.fromkeys(p.rule for p in problems):
        print(f"\nFAIL {rule}: the rule is that {RULES[rule]}.")
        of_rule = [p for p in problems if p.rule == rule]
        for fix in dict.fromkeys(p.fix for p in of_rule):  # a fix shared by several: once
            for problem in (p for p in of_rule if p.fix == fix):
                print(indent(f"- {problem.what}", 2))
            print(indent(f"fix: {fix}", 4))
    rules = ", ".join(dict.fromkeys(p.rule for p in problems))
    print(f"\ndev check FAILED in {seconds:.0f}s: {len(problems)} problem(s) (rules: {rules})")
    return 1
