"""One kata's tables can't stop the test database of every kata.

All katas share one test database. A model that claims a table another model already has
(``Meta.db_table``), or two fields that claim one column (``db_column``), made the database fail
to build, so every database test of every kata errored and no kata was named. Now:

- ``check_tables()`` runs once every kata is loaded (``KataConfig.ready`` of the last kata),
  before the test database exists. It finds tables and columns claimed twice, across katas and
  against Django's own apps, blames the kata that chose the name (``db_table`` / ``db_column``),
  and drops that kata's models with an explanation in its terms (Django's check id, the file and
  line, ❌/✅). The kata that keeps its default name keeps the table.
- ``install()`` makes Django build the tables one app at a time (pytest-django's
  ``--no-migrations`` builds them with ``migrate``'s ``sync_apps``). Each app's tables are made
  in their own transaction, so any other failure (an index name used twice, a name the database
  refuses) rolls back only that kata's tables and marks only that kata broken.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from katalib.base import manifest
from katalib.base.places import rel as _rel
from katalib.core.probe import KataBroken

if TYPE_CHECKING:
    from django.db.models import Field, Model


@runtime_checkable
class KataApp(Protocol):
    """What this module needs of a kata's app config (``katalib.core.apps.KataConfig``, which
    imports this module): its error, and a way to drop its models. Django's own apps have
    neither."""

    label: str
    import_error: BaseException | None

    def get_models(
        self, include_auto_created: bool = False, include_swapped: bool = False
    ) -> Iterator[type[Model]]: ...

    def drop_models(self) -> None: ...


def check_tables(katas: Sequence[KataApp]) -> None:
    """Drop the models of each kata whose tables or columns clash (see the module docstring)."""
    from django.apps import apps
    from django.db import connection

    # SQLite compares table and column names without case; PostgreSQL (quoted) with it.
    fold: Callable[[str], str] = str.lower if connection.vendor == "sqlite" else str
    by_label = {config.label: config for config in katas if config.import_error is None}
    blamed: dict[str, KataBroken] = {}

    for config in by_label.values():
        for model in config.get_models(include_auto_created=True):
            clash = _column_clash(model, fold)
            if clash is not None:
                blamed[config.label] = clash
                break

    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    owners = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or opts.swapped or opts.app_label in blamed:
            continue
        owners[fold(opts.db_table)].append(model)
    for models in owners.values():
        if len(models) < 2:
            continue
        # Who keeps the table: Django's own apps, then a model that didn't choose the name,
        # then the kata that comes first.
        keeper, *others = sorted(
            models,
            key=lambda m: (
                m._meta.app_label in by_label,
                _chosen_table(m) is not None,
                order.get(m._meta.app_label, 0),
            ),
        )
        for model in others:
            label = model._meta.app_label
            if label in by_label and label not in blamed:
                blamed[label] = _table_clash(model, keeper)

    for label, error in blamed.items():
        config = by_label[label]
        config.import_error = error
        config.drop_models()


# --- Tables ------------------------------------------------------------------------------------


def _m2m_field(through):
    """The ManyToManyField whose hidden join table is ``through`` (an auto-created model)."""
    owner = through._meta.auto_created
    return next(f for f in owner._meta.local_many_to_many if f.remote_field.through is through)


def _chosen_table(model) -> tuple[type[Model], str | None] | None:
    """(class, field name or None) where the model's table name was chosen, if it was."""
    if model._meta.auto_created:
        field = _m2m_field(model)
        return (model._meta.auto_created, field.name) if field.db_table else None
    return (model, None) if "db_table" in model._meta.original_attrs else None


def _name(model) -> str:
    if model._meta.auto_created:
        field = _m2m_field(model)
        return f"the many-to-many table of {model._meta.auto_created.__name__}.{field.name}"
    return model.__name__


def _whose(model) -> str:
    kata = manifest.by_dir(_kata_dir(model._meta.app_label) or "")
    if kata is None:
        return f"Django's own {model._meta.label}"
    return f"{_name(model)} of kata {kata.dir}"


def _kata_dir(label: str) -> str | None:
    kata = next((k for k in manifest.load() if k.label == label), None)
    return kata.dir if kata else None


def _table_clash(model, keeper) -> KataBroken:
    from katalib.teach.explain import render

    table = model._meta.db_table
    name = _name(model)
    chosen = _chosen_table(model)
    labels = f"{keeper._meta.label}, {model._meta.label}"
    if model._meta.auto_created or keeper._meta.auto_created:
        summary = (
            f"fields.E340: The field's intermediary table '{table}' clashes with the table "
            f"name of '{labels.split(', ')[0 if model._meta.auto_created else 1]}'."
        )
    else:
        summary = f"models.E028: db_table '{table}' is used by multiple models: {labels}."
    if chosen is not None and chosen[1] is not None:
        fix = (
            f"remove db_table from the ManyToManyField {chosen[0].__name__}.{chosen[1]} "
            "(Django then names the join table itself), or choose a name no other model uses."
        )
    elif chosen is not None:
        default = f"{model._meta.app_label}_{model._meta.model_name}"
        fix = (
            f"remove db_table from the Meta of {model.__name__} (Django then names its table "
            f"{default}), or choose a name no other model uses."
        )
    else:
        fix = "give one of the two models a different db_table (or remove the one you added)."
    where = _where_chosen(chosen) if chosen else ""
    return KataBroken(
        file="models.py",
        problem=f"{name} wants the table '{table}', which {_whose(keeper)} already has",
        summary=summary,
        where=where,
        explanation=render(
            f"Two models want one table: {name} of kata {_kata_dir(model._meta.app_label)} "
            f"and {_whose(keeper)} both use '{table}'.",
            "Every kata's tables live in one test database, and a table belongs to one model. "
            "Creating it twice would stop the database from being built, for every kata, so "
            "only this kata is switched off.",
            fix,
        ),
    )


# --- Columns -----------------------------------------------------------------------------------


def _column_clash(model: type[Model], fold: Callable[[str], str]) -> KataBroken | None:
    from katalib.teach.explain import render

    seen: dict[str, Field[Any, Any]] = {}
    for field in model._meta.local_concrete_fields:
        column = field.column
        if column is None:
            continue
        first = seen.setdefault(fold(column), field)
        if first is field:
            continue
        chosen = field if field.db_column else first if first.db_column else field
        name = model.__name__ if not model._meta.auto_created else _name(model)
        return KataBroken(
            file="models.py",
            problem=f"two fields of {name} use the column '{column}'",
            summary=(
                f"models.E007: Field '{field.name}' has column name '{column}' that is used by "
                "another field. HINT: Specify a 'db_column' for the field."
            ),
            where=_where_chosen((model, chosen.name)) if not model._meta.auto_created else "",
            explanation=render(
                f"{name}.{first.name} and {name}.{field.name} both use the column '{column}'.",
                "Each field is stored in a column of its own (a ForeignKey named author uses "
                "author_id). A table can't have one column twice, so it could not be created, "
                "and the test database of every kata with it; only this kata is switched off.",
                f"remove db_column from {name}.{chosen.name}, or give each field a different one.",
            ),
        )
    return None


# --- Where in models.py ------------------------------------------------------------------------


def _where_chosen(chosen: tuple[type[Model], str | None]) -> str:
    """``katas/<dir>/models.py, line N`` and its source: the field, or Meta's db_table line."""
    model, field_name = chosen
    try:
        path = Path(inspect.getsourcefile(model) or "")
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, TypeError, SyntaxError, ValueError):
        return ""
    source = path.read_text(encoding="utf-8").splitlines()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == model.__name__):
            continue
        for statement in ast.walk(node):
            if isinstance(statement, ast.Assign):
                targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                targets = [statement.target.id]
            else:
                continue
            if (field_name or "db_table") in targets:
                line = source[statement.lineno - 1].strip()
                return f"{_rel(str(path))}, line {statement.lineno}\n    {line}"
    return _rel(str(path))


def _line_naming(path: Path, message: str) -> str:
    """The first line of ``path`` that quotes a name from the database's message, else the file."""
    try:
        source = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return _rel(str(path))
    for name in re.findall(r"[A-Za-z_]\w{2,}", message):
        for number, line in enumerate(source, start=1):
            if f"'{name}'" in line or f'"{name}"' in line:
                return f"{_rel(str(path))}, line {number}\n    {line.strip()}"
    return _rel(str(path))


# --- Building the tables one app at a time -------------------------------------------------------


def install() -> None:
    """Make ``migrate``'s ``sync_apps`` build each app's tables on their own (see above)."""
    from django.core.management.commands import migrate

    original = migrate.Command.sync_apps
    if getattr(original, "kata_per_app", False):
        return
    if list(inspect.signature(original).parameters) != ["self", "connection", "app_labels"]:
        return  # a Django whose sync_apps we don't know: keep it (check_tables still runs)

    def sync_apps(self, connection, app_labels):
        from django.apps import apps

        for config in apps.get_app_configs():
            if config.label not in app_labels:
                continue
            if not isinstance(config, KataApp):
                original(self, connection, [config.label])
                continue
            try:
                original(self, connection, [config.label])
            except Exception as exc:  # noqa: BLE001 - the database refused this kata's tables
                _roll_back(connection, exc)
                config.import_error = _build_error(config, exc)
                config.drop_models()

    sync_apps.kata_per_app = True  # type: ignore[attr-defined]  # our mark on the patch
    # Django's undocumented method, patched for the kata that breaks alone, not for speed: it
    # costs nothing measurable (ratio 0.98 to 1.04, within noise: docs/benchmark.md, case p-sync).
    migrate.Command.sync_apps = sync_apps  # type: ignore[method-assign]


def _roll_back(connection, exc: Exception) -> None:
    """Undo the failed app's tables, and leave the connection as the next app needs it.

    The schema editor runs its deferred SQL (indexes, PostgreSQL's foreign keys) before it
    closes its transaction; when that SQL fails, the transaction stays open (and, on PostgreSQL,
    aborted) and SQLite's foreign key checks stay off. Close it the way Django would have.
    """
    while connection.in_atomic_block and connection.atomic_blocks:
        connection.atomic_blocks[-1].__exit__(type(exc), exc, exc.__traceback__)
    connection.enable_constraint_checking()


def _build_error(config: KataApp, exc: Exception) -> KataBroken:
    from katalib.teach.explain import render

    kata = manifest.by_label(config.label)
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    summary = f"{type(exc).__name__}: {message}"
    return KataBroken(
        file="models.py",
        problem="the database refused to create its tables",
        summary=summary,
        where=_line_naming(kata.folder() / "models.py", message),
        explanation=render(
            f"{summary}: the tables of kata {kata.dir} could not be created.",
            "Something in models.py names a table, column, index or constraint that another "
            "model already uses (Meta.db_table, db_column, Meta.indexes, Meta.constraints), or "
            "a name the database does not accept. Every other kata's tables were created; "
            "only this kata is switched off.",
            "compare the names in models.py with the database's message above; remove the "
            "option or choose a name nothing else uses.",
        ),
    )
