"""Tests for kata 01. Don't edit this file: edit fk_helper.py until these pass."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from types import ModuleType

import pytest
from django.db import models

BLANK = "____"


@pytest.fixture
def helper(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("fk_helper")


def problem_with(missing: str) -> str:
    """Explain ``models.<missing>``, a name Django's models module doesn't have."""
    if missing == BLANK:
        return "a blank (____) is still not filled in: replace it with the right name."
    if missing == "models":  # the blank was "models.X", and the line already writes "models."
        return "the blank is the class name only: drop `models.` from what you filled in."
    problem = f"django.db.models has no {missing!r}"
    public = [name for name in dir(models) if not name.startswith("_")]
    same_letters = [name for name in public if name.lower() == missing.lower()]
    if same_letters:
        return f"{problem}; names are case-sensitive: did you mean {' or '.join(same_letters)}?"
    by_lower = {name.lower(): name for name in public}
    close = difflib.get_close_matches(missing.lower(), list(by_lower))
    if close:
        return f"{problem}; did you mean {' or '.join(by_lower[name] for name in close)}?"
    return f"{problem}; use a name Django's models module has (check the spelling)."


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
        missing = exc.name or str(exc).rpartition(" ")[2].strip("'")
        problem = problem_with(missing)
    except (TypeError, SyntaxError) as exc:
        problem = (
            f"it can't be built ({type(exc).__name__}: {exc}). The field type must be a field "
            "that links to another model, the delete rule one of Django's on_delete rules."
        )
    pytest.fail(f"foreign_key_definition() returned {line!r}: {problem}", pytrace=False)


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
