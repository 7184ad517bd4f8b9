"""Tests for kata 01. Don't edit this file: edit fk_helper.py until these pass."""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from django.apps.registry import Apps
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


def right_hand_side(line: str) -> str:
    """The code after ``author = `` in the definition."""
    name, _, code = line.partition("=")
    assert name.strip() == "author", (
        f"foreign_key_definition() returned {line!r}; expected it to start with 'author = '."
    )
    return code.strip()


def run(code: str, line: str, author: Any = "Author") -> Any:
    """Run ``code`` (the definition, or one part of it) as Django would; ``Author`` names
    ``author`` (a name standing for the target model, unless a model class is given)."""
    namespace = {"models": models, "Author": author}
    try:
        return eval(code, namespace)
    except AttributeError as exc:
        missing = exc.name or str(exc).rpartition(" ")[2].strip("'")
        problem = problem_with(missing)
    except (TypeError, SyntaxError, NameError) as exc:
        problem = (
            f"it can't be built ({type(exc).__name__}: {exc}). The field type must be a field "
            "that links to another model, the delete rule one of Django's on_delete rules."
        )
        called = re.search(r"models\.(\w+)\(\)", code)
        if isinstance(exc, TypeError) and called:
            name = called.group(1)
            problem = (
                f"it calls models.{name}() ({type(exc).__name__}: {exc}). A blank is the name "
                f"only, without brackets: {name}, not {name}()."
            )
    pytest.fail(f"foreign_key_definition() returned {line!r}: {problem}", pytrace=False)


def build_field(line: str) -> models.Field:
    """Run the right-hand side of ``author = models.X(...)``: the whole field."""
    return run(right_hand_side(line), line)


def model(name: str, registry: Apps, **fields: Any) -> type[models.Model]:
    """A model class of a registry of its own: no table, and the project's models don't see it."""
    meta = type("Meta", (), {"app_label": "k01_declared", "apps": registry})
    return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


def declare(line: str) -> tuple[models.Field, type[models.Model]]:
    """Declare the definition on a Post model, as a models.py would: the field as Post's _meta
    holds it, and the Author model it should point at."""
    registry = Apps()
    author = model("Author", registry)
    field = run(right_hand_side(line), line, author)
    if type(field) is not models.ForeignKey:
        pytest.fail(wrong_field_type(line, type(field)), pytrace=False)
    return model("Post", registry, author=field)._meta.get_field("author"), author


def wrong_field_type(line: str, field_type: Any) -> str:
    return (
        f"foreign_key_definition() returned {line!r}, whose field type is "
        f"{getattr(field_type, '__name__', field_type)}; expected ForeignKey (many posts -> "
        "one author)."
    )


def wrong_delete_rule(line: str, rule: Any) -> str:
    return (
        f"foreign_key_definition() returned {line!r}, whose on_delete is "
        f"{getattr(rule, '__name__', rule)}; expected CASCADE (delete the posts too)."
    )


def field_type_of(line: str) -> Any:
    """What ``models.X`` names, ``X`` being the field type: the code before the first '('.
    Nothing after it (the delete rule) is run."""
    callee, bracket, _ = right_hand_side(line).partition("(")
    if not bracket:
        pytest.fail(
            f"foreign_key_definition() returned {line!r}: expected a call, "
            "models.<field type>(Author, on_delete=...).",
            pytrace=False,
        )
    return run(callee.strip(), line)


def delete_rule_of(line: str) -> Any:
    """What the on_delete argument names (a keyword, or the second argument). Only that part
    of the definition is run, so a wrong field type doesn't hide it."""
    code = right_hand_side(line)
    try:
        call = ast.parse(code, mode="eval").body
    except SyntaxError:
        call = None
    if isinstance(call, ast.Call):
        given = [k.value for k in call.keywords if k.arg == "on_delete"] + call.args[1:2]
        part = ast.get_source_segment(code, given[0]) if given else None
    else:  # a blank filled in with broken code: read what follows on_delete=
        part = code.partition("on_delete=")[2].removesuffix(")") or None
    if part is None:
        pytest.fail(
            f"foreign_key_definition() returned {line!r}: it passes no on_delete rule.",
            pytrace=False,
        )
    return run(part.strip(), line)


@pytest.mark.task(1)
def test_field_type_is_foreign_key(helper: ModuleType) -> None:
    """The definition builds a ForeignKey: a many-to-one link."""
    line = helper.foreign_key_definition()
    field_type = field_type_of(line)
    # Exactly ForeignKey: a OneToOneField (a subclass) would allow only one post per author.
    assert field_type is models.ForeignKey, wrong_field_type(line, field_type)


@pytest.mark.task(2)
def test_delete_rule_is_cascade(helper: ModuleType) -> None:
    """Deleting an author deletes their posts: on_delete=models.CASCADE."""
    line = helper.foreign_key_definition()
    rule = delete_rule_of(line)
    # The rule is the function Django calls for the dependent posts.
    assert rule is models.CASCADE, wrong_delete_rule(line, rule)


@pytest.mark.task(2)
def test_points_at_author(helper: ModuleType) -> None:
    """Declared on a Post model, the ForeignKey targets Author: each post has one author, and
    an author may have many posts."""
    line = helper.foreign_key_definition()
    field, author = declare(line)
    # The first argument of a ForeignKey is the model it points at.
    assert field.related_model is author, (
        f"foreign_key_definition() returned {line!r}; expected the field to point at Author."
    )
    # The rule as the model's _meta holds it: what Django calls when an author is deleted.
    rule = field.remote_field.on_delete
    assert rule is models.CASCADE, wrong_delete_rule(line, rule)
    # Every post has an author: the declaration doesn't allow an empty author column.
    assert not field.null, (
        f"foreign_key_definition() returned {line!r}, which lets a post have no author "
        "(null=True); expected every post to have one. The blanks take a name only."
    )
    # Many posts per author: a unique author column would allow one post per author.
    assert not field.unique, (
        f"foreign_key_definition() returned {line!r}, whose author column is unique "
        "(unique=True): one post per author, like a OneToOneField; expected many posts per "
        "author. The blanks take a name only."
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
