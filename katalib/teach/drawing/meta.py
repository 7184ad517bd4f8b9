"""A kata's tables as plain data, read from Django's model meta.

``tables(models)`` needs Django set up (the models loaded) and returns a list of dicts that
``json.dumps`` can write, so that the terminal drawing, the README diagram, the explanations and
a page can all draw the same thing, in this process or after a trip through JSON::

    {"name": "k05_many_to_many_post",            # Django's table name (Meta.db_table)
     "model": "Post",                             # the model class ("" for a hidden join table)
     "kind": "model" | "join" | "through" | "outside",
     "join_of": "Post.tags",                      # join / through tables: the ManyToManyField
     "app": "k05_many_to_many",                   # the app label ("auth" for auth_user...)
     "columns": [{"name": "author_id", "field": "author", "type": "bigint",
                  "pk": False, "null": False, "unique": False,
                  "fk": {"table": "k05_..._author", "column": "id", "on_delete": "CASCADE",
                         "one_to_one": False} or None}],
     "unique_together": [["post_id", "tag_id"]],  # Meta.unique_together, UniqueConstraint
     "many_to_many": [{"field": "tags", "to": "k05_..._tag", "join_table": "k05_..._post_tags",
                       "through": "" or "Tagging"}],
     "reverse": [{"name": "posts", "from_table": "k05_..._post", "from_field": "Post.tags",
                  "column": "" or "author_id", "kind": "many" | "one" | "many-to-many",
                  "related_name": True}]}

``kind`` "outside" is a table of another app that a kata table points at (``auth_user``): only
the columns pointed at and the kata's reverse names are listed. Nothing here raises for a
half-written model: a field Django can't describe is listed with the type "?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model


def tables(
    models: list[type[Model]] | tuple[type[Model], ...], connection: Any = None
) -> list[dict]:
    """The tables of ``models`` (a kata app's models, join tables included), in their order,
    then the tables of other apps that they point at."""
    if connection is None:
        from django.db import connection
    own = _ordered([m for m in models if _has_table(m)])
    found = [_table(model, connection, own) for model in own]
    names = {t["name"] for t in found}
    outside: dict[str, dict] = {}
    for table in found:
        for column in table["columns"]:
            fk = column["fk"]
            if fk and fk["table"] not in names:
                target = outside.setdefault(fk["table"], _outside(fk, own))
                if fk["column"] not in [c["name"] for c in target["columns"]]:
                    target["columns"].append(_outside_column(fk, connection))
    return found + list(outside.values())


def _ordered(models: list[type[Model]]) -> list[type[Model]]:
    """The models in their order, each hidden join table right after the model that owns it."""
    hidden = [m for m in models if m._meta.auto_created]
    found = []
    for model in models:
        if model in hidden:
            continue
        found.append(model)
        found += [m for m in hidden if m._meta.auto_created is model]
    return found + [m for m in hidden if m not in found]


def _has_table(model: type[Model]) -> bool:
    opts = getattr(model, "_meta", None)
    return opts is not None and opts.managed and not opts.proxy and not opts.swapped


def _table(model: type[Model], connection: Any, own: list[type[Model]]) -> dict:
    opts = model._meta
    join = _join_field(model)
    if join is not None:
        kind = "join" if opts.auto_created else "through"
        join_of = f"{join.model.__name__}.{join.name}"
    else:
        kind, join_of = "model", ""
    return {
        "name": opts.db_table,
        "model": "" if opts.auto_created else model.__name__,
        "kind": kind,
        "join_of": join_of,
        "app": opts.app_label,
        "columns": [_column(field, connection) for field in opts.local_concrete_fields],
        "unique_together": _unique_groups(model),
        "many_to_many": [_many_to_many(field) for field in opts.local_many_to_many],
        "reverse": _reverse(model, own),
    }


def _join_field(model: type[Model]) -> Any:
    """The ManyToManyField whose links are rows of ``model`` (hidden or ``through=``), or None."""
    opts = model._meta
    # django-stubs types auto_created as bool; for a hidden join table Django stores the model
    # whose ManyToManyField made it.
    made_by: Any = opts.auto_created
    if made_by and hasattr(made_by, "_meta"):
        owner = made_by._meta
        return next((f for f in owner.local_many_to_many if f.remote_field.through is model), None)
    from django.apps import apps

    for other in apps.get_models():
        for field in other._meta.local_many_to_many:
            if field.remote_field.through is model:
                return field
    return None


def _column(field: Any, connection: Any) -> dict:
    try:
        kind = field.db_type(connection) or "?"
    except Exception:  # noqa: BLE001 - a half-written field: draw it anyway
        kind = "?"
    fk = None
    if field.is_relation and field.remote_field is not None:
        fk = _foreign_key(field)
    return {
        "name": field.column or field.name,
        "field": field.name,
        "type": kind,
        "pk": bool(field.primary_key),
        "null": bool(field.null),
        "unique": bool(field.unique) and not field.primary_key,
        "fk": fk,
    }


def _foreign_key(field: Any) -> dict:
    remote = field.remote_field
    target = remote.model
    if isinstance(target, str) or not hasattr(target, "_meta"):  # never resolved
        table, column = str(target), "?"
    else:
        table = target._meta.db_table
        try:
            column = field.target_field.column
        except Exception:  # noqa: BLE001
            column = "?"
    return {
        "table": table,
        "column": column,
        "on_delete": on_delete_name(getattr(remote, "on_delete", None)),
        "one_to_one": bool(field.one_to_one),
    }


def on_delete_name(rule: Any) -> str:
    """CASCADE, SET_NULL, PROTECT...; ``SET(value)`` for models.SET(value)."""
    deconstruct = getattr(rule, "deconstruct", None)
    if callable(deconstruct):  # models.SET(value) (a function Django makes for the value)
        try:
            _, args, _ = deconstruct()
            value = args[0]
        except Exception:  # noqa: BLE001
            return "SET(...)"
        return f"SET({getattr(value, '__name__', None) or repr(value)})"
    return getattr(rule, "__name__", "") or "?"


def _unique_groups(model: type[Model]) -> list[list[str]]:
    from django.db.models import UniqueConstraint

    opts = model._meta
    columns = {f.name: f.column for f in opts.local_concrete_fields}
    groups = [list(group) for group in opts.unique_together]
    groups += [
        list(c.fields)
        for c in opts.constraints
        if isinstance(c, UniqueConstraint) and c.fields and c.condition is None
    ]
    return [[columns.get(name, name) for name in group] for group in groups]


def _many_to_many(field: Any) -> dict:
    remote = field.remote_field
    target, through = remote.model, remote.through
    return {
        "field": field.name,
        "to": getattr(getattr(target, "_meta", None), "db_table", str(target)),
        "join_table": getattr(getattr(through, "_meta", None), "db_table", str(through)),
        "through": ""
        if getattr(getattr(through, "_meta", None), "auto_created", True)
        else getattr(through, "__name__", str(through)),
    }


def _reverse(model: type[Model], own: list[type[Model]]) -> list[dict]:
    """The names Django gives the way back to ``model`` from the models that point at it:
    ``related_name``, else ``<model>_set`` (``<model>`` for a OneToOneField)."""
    from django.db.models import ForeignObjectRel

    found = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or not (rel.auto_created and not rel.concrete):
            continue
        source = rel.related_model
        if isinstance(source, str) or source._meta.auto_created:
            continue  # the hidden join table's own foreign keys: no name anyone uses
        if own and source not in own:
            continue  # a model of another app (or another kata)
        try:
            name = rel.get_accessor_name()
        except Exception:  # noqa: BLE001
            name = None
        if not name or (rel.related_name or "").endswith("+"):
            continue  # symmetrical self many-to-many, or related_name="+": no way back
        field = rel.field
        if rel.many_to_many:
            kind, column = "many-to-many", ""
        else:
            kind, column = ("one" if rel.one_to_one else "many"), field.column
        found.append(
            {
                "name": name,
                "from_table": source._meta.db_table,
                "from_field": f"{source.__name__}.{field.name}",
                "column": column,
                "kind": kind,
                "related_name": bool(rel.related_name),
            }
        )
    return found


def _outside(fk: dict, own: list[type[Model]]) -> dict:
    from django.apps import apps

    model = next((m for m in apps.get_models() if m._meta.db_table == fk["table"]), None)
    return {
        "name": fk["table"],
        "model": model.__name__ if model else "",
        "kind": "outside",
        "join_of": "",
        "app": model._meta.app_label if model else "",
        "columns": [],
        "unique_together": [],
        "many_to_many": [],
        "reverse": _reverse(model, own) if model else [],
    }


def _outside_column(fk: dict, connection: Any) -> dict:
    from django.apps import apps

    model = next((m for m in apps.get_models() if m._meta.db_table == fk["table"]), None)
    field = next(
        (f for f in (model._meta.concrete_fields if model else ()) if f.column == fk["column"]),
        None,
    )
    if field is not None:
        return _column(field, connection)
    return {"name": fk["column"], "field": fk["column"], "type": "?", "pk": False,
            "null": False, "unique": False, "fk": None}  # fmt: skip


def kata_tables(label: str, connection: Any = None) -> list[dict]:
    """``tables`` of the installed kata app ``label`` (empty when it has no models)."""
    from django.apps import apps

    try:
        config = apps.get_app_config(label)
    except LookupError:
        return []
    return tables(list(config.get_models(include_auto_created=True)), connection)
