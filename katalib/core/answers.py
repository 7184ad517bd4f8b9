"""Turn what a kata function returns into built-in values before a test compares it.

A kata test compares plain data only: the helpers check the type (or the model) of what came
back and return a copy made of ``str``, ``int``, ``list`` and ``dict``. An object whose
``__eq__`` always says yes, a lookalike that prints the same (``values()`` dicts, a queryset of
names where authors are asked, a ``QuerySet`` where a list is promised) fails here, with a
message in the katas' style: the call, what came back (its value and type) and what was expected::

    titles = as_list(queries.post_titles(alice), of=str, call="post_titles(<Author: Alice>)",
                     expected="['Hello', 'Hello', 'World']")
    assert titles == ["Hello", "Hello", "World"], f"... returned {titles!r} ..."

    ids = rows(queries.posts_by(alice), Post, call="posts_by(<Author: Alice>)",
               expected="Alice's posts")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

__all__ = ["as_dict", "as_int", "as_list", "as_str", "row", "rows"]


def _a(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeio" else f"a {name}"  # a User, an int


def kind(value: Any) -> str:
    """What a value is, as a learner reads it: 'a QuerySet of Post', 'a dict', 'an Author'."""
    model = getattr(value, "model", None)
    if type(value).__name__ == "QuerySet" and model is not None:
        shape = _queryset_shape(value)
        return f"a QuerySet of {model.__name__}{'' if shape == 'rows' else ' ' + shape}"
    return _a(type(value).__name__)


def _queryset_shape(value: Any) -> str:
    """'rows' for model instances, else what values()/values_list() made of them."""
    from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesIterable

    iterable = getattr(value, "_iterable_class", None)
    if iterable is ModelIterable:
        return "rows"
    if iterable is ValuesIterable:
        return "values() dicts"
    if iterable is FlatValuesListIterable:
        return "values_list(flat=True) values"
    return "values_list() tuples"


def _fail(call: str, value: Any, expected: str, note: str) -> None:
    raise AssertionError(f"{call} returned {value!r}; expected {expected}: {note}.")


def _exact(value: Any, of: type, call: str, expected: str, where: str = "") -> Any:
    # Exact built-in types: a subclass may redefine __eq__, and bool is not a count.
    if type(value) is not of:
        _fail(call, value, expected, f"{where}{_a(of.__name__)}, not {kind(value)}")
    return of(value)


def as_str(value: Any, *, call: str, expected: str) -> str:
    """``value`` as a plain ``str``, or fail naming its type."""
    return _exact(value, str, call, expected)


def as_int(value: Any, *, call: str, expected: str) -> int:
    """``value`` as a plain ``int`` (not a bool), or fail naming its type."""
    return _exact(value, int, call, expected)


def as_list(value: Any, *, of: type, call: str, expected: str) -> list[Any]:
    """``value`` as a plain list of ``of`` items; a QuerySet or a tuple is not a list."""
    if type(value) is not list:
        _fail(call, value, expected, f"a list of {of.__name__}, not {kind(value)}")
    return [
        _exact(item, of, call, expected, f"item {i} should be ") for i, item in enumerate(value)
    ]


def as_dict(value: Any, *, key: type, of: type, call: str, expected: str) -> dict[Any, Any]:
    """``value`` as a plain dict of ``key`` to ``of``, or fail naming what came back."""
    if type(value) is not dict:
        _fail(call, value, expected, f"a dict, not {kind(value)}")
    return {
        _exact(k, key, call, expected, "each key should be "): _exact(
            v, of, call, expected, f"the value for {k!r} should be "
        )
        for k, v in dict.items(value)
    }


def rows(value: Any, model: type[Model], *, call: str, expected: str) -> list[Any]:
    """The primary keys of ``value``'s rows, in order, after checking that it is a QuerySet
    (or a list) of ``model`` instances: not values() dicts, not names, not another model's rows."""
    from django.db.models import QuerySet

    if isinstance(value, QuerySet):
        if value.model is not model or _queryset_shape(value) != "rows":
            _fail(call, value, expected, f"{model.__name__} rows, not {kind(value)}")
        items = list(value)
    elif type(value) in (list, tuple):
        items = list(value)
    else:
        _fail(call, value, expected, f"{model.__name__} rows, not {kind(value)}")
    attname = model._meta.pk.attname
    pks = []
    for i, item in enumerate(items):
        if type(item) is not model:
            _fail(
                call, value, expected, f"item {i} should be {_a(model.__name__)}, not {kind(item)}"
            )
        # Read from the row's own data, not through a property the model could redefine.
        pks.append(vars(item)[attname])
    return pks


def row(value: Any, model: type[Model], *, call: str, expected: str) -> Any:
    """The primary key of ``value`` after checking that it is one ``model`` instance."""
    if type(value) is not model:
        _fail(call, value, expected, f"{_a(model.__name__)}, not {kind(value)}")
    return vars(value)[model._meta.pk.attname]
