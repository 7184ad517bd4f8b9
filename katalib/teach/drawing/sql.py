"""The ``CREATE TABLE`` statements Django would run for a kata's models, on this database.

Django's own schema editor writes them (``collect_sql=True``, as ``sqlmigrate`` does): nothing
is executed and no migration file is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model


def create_statements(
    models: list[type[Model]] | tuple[type[Model], ...], connection: Any = None
) -> list[str]:
    """The SQL of ``schema_editor.create_model`` for each model (its hidden join tables come
    with it), then the SQL Django defers to the end (indexes, some foreign keys)."""
    if connection is None:
        from django.db import connection
    made = [
        m
        for m in models
        if m._meta.managed
        and not m._meta.proxy
        and not m._meta.swapped
        and not m._meta.auto_created
    ]
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        for model in made:
            editor.create_model(model)
    return list(editor.collected_sql)
