"""Harness tests: the layout promises of the repository, by the rules of ``katas dev check``.

The rules live in katalib/dev.py (one function each); these tests run the fast ones on this
repository, so that ``pytest tests`` notices what ``katas dev check --no-proof`` would. Each
failure states the rule and the fix. tests/test_dev.py shows every rule failing on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from katalib import dev, manifest

ROOT = Path(__file__).resolve().parent.parent
KATAS = manifest.load()


def problems(rule: str, katas: list[str] | None = None) -> str:
    repo = dev.open_repo(ROOT, katas or [])
    found = dev.static_problems(repo, [rule])
    return "\n".join(f"[{p.rule}] {p.what}\n  fix: {p.fix}" for p in found)


def test_every_kata_folder_is_in_the_manifest() -> None:
    """Folders on disk and katas.toml agree; guards name real tests, with reasons."""
    assert not problems("manifest"), problems("manifest")


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_every_kata_has_its_parts(kata: manifest.Kata) -> None:
    """README, HINTS, tests with the don't-edit note, the declared files, a solution, variants."""
    found = problems("layout", [kata.dir])
    assert not found, found


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_given_files_are_the_same_in_both_trees(kata: manifest.Kata) -> None:
    """A file not declared in katas.toml (files = [...]) is given: the same in both trees.

    (The same tests run against both trees; a given models.py that drifted apart would make them
    test different models.) Editable files are declared, never guessed from a TODO.
    """
    found = problems("files", [kata.dir])
    assert not found, found


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_hints_are_numbered_like_the_tasks(kata: manifest.Kata) -> None:
    """HINTS.md sections 1..N match README's tasks; every task has a test and vice versa."""
    found = problems("hints", [kata.dir])
    assert not found, found


def test_no_template_marks_are_left() -> None:
    found = problems("placeholders")
    assert not found, found


def test_the_readme_table_is_generated_from_the_manifest() -> None:
    found = problems("readme-table")
    assert not found, found
