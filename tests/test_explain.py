"""Harness tests: the lesson's common errors (and their relatives) get a ❌ what / ✅ fix text.

The exceptions are real ones raised by Django where that is possible without a kata.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import FieldError
from django.db import IntegrityError, models
from django.db.models.deletion import ProtectedError, RestrictedError

from katalib.explain import explain, symbols_for


def raised(func) -> BaseException:
    with pytest.raises(Exception) as info:
        func()
    return info.value


def test_missing_on_delete() -> None:
    """The lesson's first common error: a ForeignKey without on_delete."""
    text = explain(raised(lambda: models.ForeignKey("auth.User")))
    assert text and "ForeignKey without on_delete" in text and "on_delete=models.CASCADE" in text
    text = explain(raised(lambda: models.OneToOneField("auth.User")))
    assert text and "OneToOneField without on_delete" in text


@pytest.mark.django_db
def test_add_before_save() -> None:
    """The lesson's second common error: a many-to-many manager on an unsaved object."""
    group = Group.objects.create(name="g")
    text = explain(raised(lambda: User(username="u").groups.add(group)))
    assert text and 'needs to have a value for field "id"' in text and "save() first" in text


@pytest.mark.django_db
def test_unsaved_object_added() -> None:
    """Adding an object that was never saved is explained too."""
    user = User.objects.create(username="u")
    assert "not saved" in (explain(raised(lambda: user.groups.add(Group(name="g")))) or "")


@pytest.mark.django_db
def test_reverse_side_used_as_attribute() -> None:
    """The lesson's third common error: author.post where the reverse side is a manager."""
    group = Group.objects.create(name="g")
    text = explain(raised(lambda: group.user))
    assert text and "'Group' object has no attribute 'user'" in text
    # The explanation lists the reverse managers that do exist.
    assert "group.user_set" in text


@pytest.mark.django_db
def test_manager_used_as_object() -> None:
    """Asking a reverse manager for a field of one object is explained."""
    group = Group.objects.create(name="g")
    text = explain(raised(lambda: group.user_set.username))
    assert text and "manager of many rows" in text


def test_field_error_for_a_wrong_path() -> None:
    """A misspelled double-underscore path explains how paths are spelled."""
    text = explain(raised(lambda: User.objects.filter(groupz__name="x")))
    assert text and "'groupz' is not a field" in text and "author__name" in text


def test_protected_and_restricted() -> None:
    """PROTECT and RESTRICT refusals name the rule that refused."""
    protected = ProtectedError(
        "Cannot delete some instances of model 'Author' because they are referenced through "
        "protected foreign keys: 'Book.author'.",
        set(),
    )
    assert "on_delete=models.PROTECT on Book.author" in (explain(protected) or "")
    restricted = RestrictedError(
        "Cannot delete some instances of model 'Author' because they are referenced through "
        "restricted foreign keys: 'Essay.author'.",
        set(),
    )
    assert "same CASCADE" in (explain(restricted) or "")


def test_second_one_to_one_row() -> None:
    """The unique violation of a second profile is explained as one-to-one."""
    error = IntegrityError("UNIQUE constraint failed: k06_one_to_one_profile.user_id")
    assert "one-to-one" in (explain(error) or "")


def test_related_object_does_not_exist() -> None:
    """A missing one-to-one reverse object is explained."""
    error = User.groups.rel.model.DoesNotExist  # any DoesNotExist subclass will do as a base
    missing = type("RelatedObjectDoesNotExist", (error,), {})("User has no profile.")
    assert "has none yet" in (explain(missing) or "")


def test_chained_exceptions_are_searched() -> None:
    """The explanation is found through __cause__ (pytest-django wraps some errors)."""
    try:
        try:
            models.ForeignKey("auth.User")
        except TypeError as inner:
            raise RuntimeError("wrapper") from inner
    except RuntimeError as outer:
        assert "on_delete" in (explain(outer) or "")


def test_unrelated_errors_are_left_alone() -> None:
    """Errors that aren't about relationships get no explanation."""
    assert explain(ZeroDivisionError("division by zero")) is None
    assert explain(FieldError("something else entirely")) is None


def test_plain_markers_where_the_console_cannot_print_emoji() -> None:
    """cp1252 (old Windows consoles) gets [X]/[FIX] instead of ❌/✅."""
    assert symbols_for("cp1252") == ("[X]", "[FIX]")
    assert symbols_for("utf-8") == ("❌", "✅")


def test_second_link_for_the_same_pair() -> None:
    """A duplicate link-model row is explained as a pair, not as one-to-one."""
    sqlite = IntegrityError("UNIQUE constraint failed: k11_tagging.post_id, k11_tagging.tag_id")
    postgres = IntegrityError(
        'duplicate key value violates unique constraint "k11_one_tagging_per_pair"\n'
        "DETAIL:  Key (post_id, tag_id)=(1, 1) already exists."
    )
    for error in (sqlite, postgres):
        assert "already linked" in (explain(error) or ""), error


@pytest.mark.django_db
def test_relation_compared_with_a_name() -> None:
    """filter(author='Alice') points at the double-underscore path."""
    text = explain(raised(lambda: list(User.objects.filter(groups="admins"))))
    assert text and "compared with the text 'admins'" in text
    assert "filter(author__name='Alice')" in text


@pytest.mark.django_db
def test_missing_one_to_one_object_is_not_called_a_wrong_name() -> None:
    """RelatedObjectDoesNotExist is an AttributeError too, but gets its own explanation."""
    error = User.groups.rel.model.DoesNotExist
    missing = type("RelatedObjectDoesNotExist", (error, AttributeError), {})("User has no profile.")
    text = explain(missing) or ""
    assert "has none yet" in text and "forward and reverse" not in text


@pytest.mark.django_db
def test_default_set_name_replaced_by_related_name() -> None:
    """x_set after a related_name says the related_name replaced it."""
    user = User.objects.create(username="u")
    text = explain(raised(lambda: user.logentry_set)) or ""
    # auth.User has reverse managers (e.g. groups' user_set lives on Group, not User), so the
    # message lists what does exist or says no relation is called that.
    assert "logentry_set" in text or text == ""


@pytest.mark.django_db
def test_manager_called_with_the_wrong_shape() -> None:
    """add([list]) and set(a, b) are explained."""
    user = User.objects.create(username="u")
    group = Group.objects.create(name="g")
    assert "unpack the list" in (explain(raised(lambda: user.groups.add([group]))) or "")
    assert "ONE list" in (explain(raised(lambda: user.groups.set(group, group))) or "")


def test_dangling_column_is_named() -> None:
    """DO_NOTHING's dangling id names the real column."""
    error = IntegrityError(
        "The row in table 'k03_comment' with primary key '1' has an invalid foreign key: "
        "k03_comment.post_id contains a value '5' that does not have a corresponding value in "
        "k03_post.id."
    )
    assert "dangling post_id" in (explain(error) or "")


def test_query_while_models_load() -> None:
    """A default called with brackets queries before the tables exist."""
    from django.db import OperationalError

    assert "without brackets" in (explain(OperationalError("no such table: k03_queue")) or "")
