"""Harness tests: katalib.core.answers turns kata answers into plain data, and refuses lookalikes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from katalib.core.answers import as_dict, as_int, as_list, as_str, row, rows


class AlwaysEqual(str):
    """A str whose == says yes to anything: the cheat the helpers exist to stop."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


def test_plain_values_come_back_as_they_are() -> None:
    assert as_str("Alice", call="f()", expected="'Alice'") == "Alice"
    assert as_int(3, call="f()", expected="3") == 3
    assert as_list(["a", "b"], of=str, call="f()", expected="['a', 'b']") == ["a", "b"]
    assert as_dict({"a": 1}, key=str, of=int, call="f()", expected="{'a': 1}") == {"a": 1}


def test_an_always_equal_object_is_refused() -> None:
    # A str subclass may redefine ==, so only the exact built-in type passes.
    with pytest.raises(AssertionError, match=r"f\(\) returned 'x'; expected 'Alice': a str, not"):
        as_str(AlwaysEqual("x"), call="f()", expected="'Alice'")
    with pytest.raises(AssertionError, match="item 0 should be a str"):
        as_list([AlwaysEqual("x")], of=str, call="f()", expected="['Alice']")


def test_the_wrong_container_or_type_is_named() -> None:
    # A tuple prints like a list but is not what a docstring's "list" promises.
    with pytest.raises(AssertionError, match="a list of str, not a tuple"):
        as_list(("a",), of=str, call="f()", expected="['a']")
    # A bool is no count, a str of digits neither.
    with pytest.raises(AssertionError, match="an int, not a bool"):
        as_int(True, call="f()", expected="1")
    with pytest.raises(AssertionError, match=r"returned '3'; expected 3: an int, not a str"):
        as_int("3", call="f()", expected="3")
    with pytest.raises(AssertionError, match="the value for 'a' should be an int, not a str"):
        as_dict({"a": "1"}, key=str, of=int, call="f()", expected="{'a': 1}")


def test_rows_are_instances_of_exactly_that_model() -> None:
    alice, bob = User(pk=1, username="alice"), User(pk=2, username="bob")
    # Read from the rows' own data, in their order.
    assert rows([bob, alice], User, call="f()", expected="users") == [2, 1]
    assert row(alice, User, call="f()", expected="alice") == 1
    # Another model's row, or a name, is not a User.
    with pytest.raises(AssertionError, match="item 0 should be a User, not a Group"):
        rows([Group(pk=1, name="alice")], User, call="f()", expected="users")
    with pytest.raises(AssertionError, match="expected alice: a User, not a str"):
        row("alice", User, call="f()", expected="alice")


@pytest.mark.django_db
def test_a_queryset_of_values_is_not_rows() -> None:
    User.objects.create(username="alice")
    # values() dicts print like rows of data but are not model instances.
    with pytest.raises(AssertionError, match="User rows, not a QuerySet of User values"):
        rows(User.objects.values("username"), User, call="f()", expected="users")
    # A QuerySet where a list is promised fails with its type named.
    with pytest.raises(AssertionError, match="a list of str, not a QuerySet of User"):
        as_list(User.objects.values_list("username", flat=True), of=str, call="f()", expected="[]")
