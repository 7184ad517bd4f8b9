"""Harness tests: the layout promises of the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from katalib import manifest

ROOT = Path(__file__).resolve().parent.parent
KATAS = manifest.load()


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_given_files_are_the_same_in_both_trees(kata: manifest.Kata) -> None:
    """A file with no TODO is given to the learner as is, so the solution tree holds the same file.

    (The same tests run against both trees; a given models.py that drifted apart would make them
    test different models.)
    """
    for given in sorted((ROOT / "katas" / kata.dir).glob("*.py")):
        if given.name.startswith("test_") or given.name == "__init__.py":
            continue
        if "TODO" in given.read_text(encoding="utf-8"):
            continue  # the learner edits this one
        solved = ROOT / "solutions" / kata.dir / given.name
        assert solved.read_text(encoding="utf-8") == given.read_text(encoding="utf-8"), (
            f"{given.relative_to(ROOT)} has no TODO but differs from {solved.relative_to(ROOT)}"
        )


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_every_kata_has_its_parts(kata: manifest.Kata) -> None:
    """README, HINTS, tests with the don't-edit note, a solution and its variants."""
    folder = ROOT / "katas" / kata.dir
    for name in ["__init__.py", "README.md", "HINTS.md"]:
        assert (folder / name).is_file(), f"katas/{kata.dir}/{name} is missing"
    tests = sorted(folder.glob("test_*.py"))
    assert tests, f"katas/{kata.dir} has no test file"
    for test in tests:
        assert "Don't edit this file" in test.read_text(encoding="utf-8").split("\n", 3)[0]
    assert (ROOT / "solutions" / kata.dir / "__init__.py").is_file()
    assert (ROOT / "solutions" / kata.dir / "variants.toml").is_file()
