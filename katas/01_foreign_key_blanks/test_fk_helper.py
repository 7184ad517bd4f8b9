"""Tests for kata 01. Don't edit this file: edit fk_helper.py until these pass."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from django.db import models


@pytest.fixture
def helper(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("fk_helper")


def build_field(line: str) -> models.Field:
    """Run the right-hand side of ``author = models.X(...)`` as Django would."""
    name, _, code = line.partition("=")
    assert name.strip() == "author", (
        f"foreign_key_definition() returned {line!r}; expected it to start with 'author = '."
    )
    namespace = {"models": models, "Author": "Author"}  # Author stands for the target model
    try:
        return eval(code.strip(), namespace)
    except AttributeError as exc:
        problem = str(exc)
    pytest.fail(
        f"foreign_key_definition() returned {line!r}: {problem}. "
        "Is a blank (____) still not filled in? Use a name Django's models module has, "
        "e.g. models.CharField.",
        pytrace=False,
    )


@pytest.mark.task(1)
def test_field_type_is_foreign_key(helper: ModuleType) -> None:
    """The definition builds a ForeignKey: a many-to-one link."""
    line = helper.foreign_key_definition()
    field = build_field(line)
    # Exactly ForeignKey: a OneToOneField (a subclass) would allow only one post per author.
    assert type(field) is models.ForeignKey, (
        f"foreign_key_definition() returned {line!r}, which builds a {type(field).__name__}; "
        "expected a ForeignKey (many posts -> one author)."
    )


@pytest.mark.task(2)
def test_delete_rule_is_cascade(helper: ModuleType) -> None:
    """Deleting an author deletes their posts: on_delete=models.CASCADE."""
    line = helper.foreign_key_definition()
    field = build_field(line)
    rule = field.remote_field.on_delete
    # The rule is the function Django calls for the dependent posts.
    assert rule is models.CASCADE, (
        f"foreign_key_definition() returned {line!r}, whose on_delete is "
        f"{getattr(rule, '__name__', rule)}; expected CASCADE (delete the posts too)."
    )


@pytest.mark.task(2)
def test_points_at_author(helper: ModuleType) -> None:
    """The ForeignKey targets Author."""
    line = helper.foreign_key_definition()
    field = build_field(line)
    # The first argument of a ForeignKey is the model it points at.
    assert field.remote_field.model == "Author", (
        f"foreign_key_definition() returned {line!r}; expected the field to point at Author."
    )


@pytest.mark.task(2)
def test_prints_the_definition(helper: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """The helper prints the definition, one line."""
    helper.print_foreign_key_definition()
    printed = capsys.readouterr().out
    expected = helper.foreign_key_definition() + "\n"
    # The printed text is the definition, ready to paste into a model.
    assert printed == expected, (
        f"print_foreign_key_definition() printed {printed!r}; expected {expected!r}."
    )
    build_field(printed.strip())
