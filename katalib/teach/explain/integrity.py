"""Rules about the database's refusals: ``PROTECT`` / ``RESTRICT``, unique constraints, NOT NULL,
dangling foreign keys (``IntegrityError``)."""

from __future__ import annotations

import re
import traceback
from typing import TYPE_CHECKING, Any

from katalib.teach.explain.base import (
    Case,
    Place,
    Rule,
    _a,
    _chain,
    _on_delete,
    _var,
    render,
    showing_tables,
)

if TYPE_CHECKING:
    from django.db.models import Model


def say_protected(case: Case, _: Any) -> str:
    kind = type(case.exc).__name__
    via = re.search(r"through (?:protected|restricted) foreign keys: '([\w.]+)'", case.text)
    rule_name = "PROTECT" if kind == "ProtectedError" else "RESTRICT"
    return render(
        f"{kind}: the delete was refused by on_delete=models.{rule_name}"
        + (f" on {via.group(1)}." if via else "."),
        "Rows still point at the object you deleted, and their ForeignKey forbids that delete."
        + (
            " RESTRICT allows it only when those rows are deleted by the same CASCADE."
            if rule_name == "RESTRICT"
            else ""
        ),
        "pick the on_delete rule the scenario really wants: CASCADE deletes them, SET_NULL "
        "keeps them unlinked, RESTRICT refuses unless a CASCADE from the same delete removes "
        "them, PROTECT always refuses. Where the refusal is what the task wants, your own code "
        "must delete (or re-point) the dependent rows first.",
    )


def _unique_columns(text: str) -> tuple[str | None, list[str], str]:
    """(table or None, columns, constraint name) of a unique violation, SQLite or PostgreSQL."""
    sqlite = re.search(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)", text)
    if sqlite:
        pairs = [p.rsplit(".", 1) for p in sqlite.group(1).split(", ")]
        return pairs[0][0], [p[-1] for p in pairs], ""
    postgres = re.search(r'unique constraint "(\w+)"', text)
    key = re.search(r"Key \(([^)]*)\)=", text)
    if postgres and key:
        return None, [c.strip().strip('"') for c in key.group(1).split(",")], postgres.group(1)
    return None, [], ""


def _unique_model(case: Case) -> Any:
    table, columns, constraint = _unique_columns(case.text)
    if not columns:
        return None
    if table:
        return case.kata.model_at(table)
    candidates = [
        m
        for m in case.kata.all_models
        if set(columns) <= {f.column for f in m._meta.concrete_fields}
    ]
    named = [m for m in candidates if constraint.startswith(m._meta.db_table)]
    return next(iter(named or candidates), None)


def needs_unique_pair(case: Case) -> Any:
    _, columns, _ = _unique_columns(case.text)
    model = _unique_model(case)
    if len(columns) < 2 or model is None:
        return None
    fields = [case.kata.field_at(model._meta.db_table, c) for c in columns]
    return (model, [f for f in fields if f is not None])


def say_unique_pair(case: Case, found: tuple[type[Model], list[Any]]) -> str:
    model, fields = found
    names = ", ".join(f.name for f in fields)
    m2m = case.kata.m2m_of(model)
    if m2m is not None:
        var = _var(m2m.model)
        return render(
            f"IntegrityError: this pair is already linked ({names}).",
            f"Each {m2m.model.__name__}-{m2m.related_model.__name__} pair may be linked once: "
            f"{model.__name__}'s unique constraint refuses a second row for the same pair.",
            f"check whether the link exists first, use {model.__name__}.objects.get_or_create"
            f"(...), or link with {var}.{m2m.name}.add(...), which leaves an existing link alone.",
        )
    return render(
        f"IntegrityError: a {model.__name__} with the same ({names}) exists already.",
        f"A unique constraint on {model.__name__} allows each combination of {names} once.",
        f"look it up first, or use {model.__name__}.objects.get_or_create(...).",
    )


def say_unique_pair_general(case: Case, _: Any) -> str | None:
    _, columns, _ = _unique_columns(case.text)
    if len(columns) < 2:
        return None
    return render(
        f"IntegrityError: the combination ({', '.join(columns)}) exists already.",
        "A unique constraint over these columns refuses a second row with the same values.",
        "look the row up first, or use get_or_create(...) instead of creating it again.",
    )


def needs_unique_field(case: Case) -> Any:
    _, columns, _ = _unique_columns(case.text)
    if len(columns) != 1:
        return None
    model = _unique_model(case)
    if model is None:
        return None
    return case.kata.field_at(model._meta.db_table, columns[0])


def needs_one_to_one(case: Case) -> Any:
    field = needs_unique_field(case)
    return field if field is not None and field.one_to_one else None


def say_one_to_one(case: Case, field: Any) -> str:
    owner, target = field.model, field.related_model
    accessor = field.remote_field.get_accessor_name()
    what = f"IntegrityError: a second {owner.__name__} for the same {target.__name__}."
    why = (
        f"{owner.__name__}.{field.name} is a OneToOneField (a ForeignKey with unique=True): "
        f"each {target.__name__} has at most one {owner.__name__}."
    )
    caller, models_file = case.caller, case.editable_file_of(owner)
    if caller is not None and caller.test and models_file:
        place = caller.place
        return render(
            what,
            f"{why} The tests give {_a(target.__name__)} several {owner.__name__} rows "
            f"({place.name}, line {place.lineno}).",
            f"many {owner.__name__}s for one {target.__name__} is a ForeignKey: make "
            f"{owner.__name__}.{field.name} a models.ForeignKey in {models_file}.",
        )
    lookup = _get_or_create_lookup(case, field)
    if lookup:
        others = ", ".join(f"{k}=..." for k in lookup)
        return render(
            what,
            f"{why} get_or_create() looks a row up by every keyword except defaults: with "
            f"{others} it found no {owner.__name__} matching all of them, although this "
            f"{target.__name__} has one, and so it tried to create a second.",
            f"look it up by {field.name} only and put the other fields in defaults: "
            f"{owner.__name__}.objects.get_or_create({field.name}=..., "
            f"defaults={{{', '.join(f'{k!r}: ...' for k in lookup)}}}).",
        )
    return render(
        what,
        why,
        f"get the existing one ({_var(target)}.{accessor}), or let Django look first: "
        f"{owner.__name__}.objects.get_or_create({field.name}=...) returns it instead of "
        f"creating a second (update_or_create({field.name}=..., defaults={{...}}) when its "
        "fields should change).",
    )


def _get_or_create_lookup(case: Case, field: Any) -> list[str]:
    """The keywords besides ``field`` (and defaults) of the learner's get_or_create() call
    that failed: ``get_or_create(user=user, bio="")`` gives ["bio"]."""
    for place in reversed(case.places):
        call = re.search(r"\.get_or_create\((.*)\)", place.line)
        if call:
            keywords = re.findall(r"(\w+)\s*=(?!=)", call.group(1))
            return [k for k in keywords if k not in {field.name, field.attname, "defaults"}]
    return []


def needs_unique_foreign_key(case: Case) -> Any:
    field = needs_unique_field(case)
    ok = field is not None and field.many_to_one and field.unique
    return field if ok else None


def say_unique_foreign_key(case: Case, field: Any) -> str:
    owner, target = field.model, field.related_model
    m2m = case.kata.m2m_of(owner)
    if m2m is not None:
        pair = [m2m.m2m_field_name(), m2m.m2m_reverse_field_name()]
        return render(
            f"IntegrityError: {owner.__name__}.{field.name} has unique=True, so each "
            f"{target.__name__} fits in one {owner.__name__} only.",
            f"{owner.__name__} is the link table of {m2m.model.__name__}.{m2m.name}: a "
            f"{target.__name__} takes part in many links. Only the pair must be unique.",
            f"remove unique=True from the ForeignKeys and add models.UniqueConstraint("
            f"fields={pair!r}, name=...) to {owner.__name__}.Meta.constraints.",
        )
    return render(
        f"IntegrityError: {owner.__name__}.{field.name} has unique=True, so each "
        f"{target.__name__} fits in one {owner.__name__} only.",
        f"A ForeignKey with unique=True allows one {owner.__name__} per {target.__name__}; "
        "this one has one already.",
        f"if a {target.__name__} may have many, remove unique=True; if it may have only one, "
        "a OneToOneField says so, and you reuse the row that exists.",
    )


def needs_unique_value(case: Case) -> Any:
    field = needs_unique_field(case)
    return field if field is not None and not field.is_relation else None


def say_unique_value(case: Case, field: Any) -> str:
    owner = field.model.__name__
    return render(
        f"IntegrityError: a {owner} with this {field.name} exists already.",
        f"{owner}.{field.name} is unique: no two {owner} rows may share it.",
        f"reuse the existing row: {owner}.objects.get_or_create({field.name}=...) returns it "
        "instead of creating a second.",
    )


def say_unique_general(case: Case, _: Any) -> str | None:
    _, columns, _ = _unique_columns(case.text)
    if not columns:
        return None
    return render(
        f"IntegrityError: another row has the same {columns[0]}.",
        f"The column {columns[0]} is unique: the database refuses a second row with its value.",
        "look the row up first, or use get_or_create(...) instead of creating it again.",
    )


def _null_column(text: str) -> tuple[str | None, str]:
    sqlite = re.search(r"NOT NULL constraint failed: (\w+)\.(\w+)", text)
    if sqlite:
        return sqlite.group(1), sqlite.group(2)
    postgres = re.search(r'null value in column "(\w+)"(?: of relation "(\w+)")?', text)
    if postgres:
        return postgres.group(2), postgres.group(1)
    return None, ""


def needs_null_field(case: Case) -> Any:
    table, column = _null_column(case.text)
    return case.kata.field_at(table, column) if column else None


def _in_a_delete(case: Case) -> bool:
    """The error went through a delete: Django's deletion collector, or a ``.delete(`` line."""
    for link in _chain(case.exc):
        for frame in traceback.extract_tb(link.__traceback__):
            if frame.filename.replace("\\", "/").endswith("django/db/models/deletion.py"):
                return True
            if ".delete(" in (frame.line or ""):
                return True
    return False


def say_null_field(case: Case, field: Any) -> str:
    owner = field.model.__name__
    rule = _on_delete(field)
    if rule == "SET_NULL" and _in_a_delete(case):
        return render(
            f"IntegrityError: {owner}.{field.name} can't hold NULL.",
            f"on_delete=models.SET_NULL stores NULL in {field.column} when the "
            f"{field.related_model.__name__} is deleted, but the column doesn't allow NULL.",
            f"add null=True (and blank=True) to {owner}.{field.name}, or choose another rule.",
        )
    caller, models_file = case.caller, case.editable_file_of(field.model)
    if caller is not None and caller.test and models_file:
        return say_null_from_tests(field, caller.place, models_file)
    place = caller.place if caller is not None and not caller.test else None
    where = f" ({place.name}, line {place.lineno})" if place else ""
    if field.is_relation:
        allow = f"add null=True (and blank=True) to {owner}.{field.name}" + (
            f" in {models_file}" if models_file else ""
        )
        return render(
            f"IntegrityError: {_a(owner)} was saved without its {field.name}.",
            f"{owner}.{field.name} is required: {field.column} can't be NULL.",
            f"pass it when you create the row{where}: {owner}.objects.create("
            f"{field.name}=..., ...); if {_a(owner)} may exist without one, {allow}.",
        )
    return render(
        f"IntegrityError: {owner}.{field.name} can't be empty (NULL).",
        f"The {field.column} column doesn't allow NULL, and the row had no value for it.",
        f"give {field.name} a value when you create the row{where}, or a default=... in the model.",
    )


def say_null_from_tests(field: Any, place: Place, models_file: str) -> str:
    """The tests (which the learner doesn't edit) saved the row: the model must allow it."""
    owner = field.model.__name__
    saved = (
        f"The tests save {_a(owner)} without its {field.name} ({place.name}, line {place.lineno})"
    )
    if not field.is_relation:
        return render(
            f"IntegrityError: {owner}.{field.name} can't be empty (NULL).",
            f"{saved}, and the {field.column} column doesn't allow NULL.",
            f"give {owner}.{field.name} a default=... in {models_file} (or let it hold NULL: "
            "null=True, blank=True).",
        )
    target = field.related_model.__name__
    if field.related_model is field.model:
        story = (
            f"a {owner} can be the first of its chain and point at no other {owner} (a "
            "thread's first comment has no parent)"
        )
    else:
        story = f"{_a(owner)} may exist without {_a(target)}"
    return render(
        f"IntegrityError: {_a(owner)} was saved without its {field.name}.",
        f"{saved}: {story}. But {owner}.{field.name} is required: {field.column} can't be NULL.",
        f"let the column hold NULL: add null=True, blank=True to {owner}.{field.name} in "
        f"{models_file}.",
    )


def needs_foreign_key_named_for_many(case: Case) -> Any:
    """A required ForeignKey named as if it held many rows: ``Author.posts`` pointing at Post
    (the learner put the ForeignKey on the "one" side of a many-to-one)."""
    field = needs_null_field(case)
    if field is None or not field.many_to_one:
        return None
    target = field.related_model.__name__.lower()
    many = {f"{target}s", f"{target}es", f"{target}_set", f"{target[:-1]}ies"}
    return field if field.name.lower() in many and field.related_model is not field.model else None


def say_foreign_key_named_for_many(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    return render(
        f"IntegrityError: {_a(owner)} was saved without its {field.name}: "
        f"{owner}.{field.name} is a ForeignKey, so each {owner} points at ONE {target}.",
        f"A ForeignKey stores one {target} id in {owner}'s column {field.column}; its name, "
        f"{field.name}, says many. Many {target}s for one {owner} is a ForeignKey on {target} "
        f"that points at {owner}: the column goes on the table of the many side.",
        f"remove {owner}.{field.name} and give {target} the ForeignKey: "
        f"{owner.lower()} = models.ForeignKey({owner}, on_delete=..., "
        f'related_name="{field.name}").',
    )


def _the_column(case: Case, field: Any) -> tuple[Any, list[str], bool]:
    """The slice of the learner's tables to show: the field's column in its table."""
    return field.model, [field.column], False


def say_null_general(case: Case, _: Any) -> str | None:
    _, column = _null_column(case.text)
    if not column:
        return None
    return render(
        f"IntegrityError: the column {column} can't be empty (NULL).",
        "A row was saved without a value for a column that requires one.",
        "give the field a value when you create the row (or allow empty values with null=True).",
    )


def _dangling(case: Case) -> tuple[str | None, str | None, str | None]:
    """(table, column, referenced table) of a foreign key that points at nothing."""
    text = case.text
    sqlite = re.search(
        r"The row in table '(\w+)' .* invalid foreign key: \w+\.(\w+) contains a value '[^']*' "
        r"that does not have a corresponding value in (\w+)\.",
        text,
        re.DOTALL,
    )
    if sqlite:
        return sqlite.group(1), sqlite.group(2), sqlite.group(3)
    inserted = re.search(r'insert or update on table "(\w+)".*?Key \((\w+)\)=', text, re.DOTALL)
    if inserted:
        target = re.search(r'not present in table "(\w+)"', text)
        return inserted.group(1), inserted.group(2), target.group(1) if target else None
    deleted = re.search(
        r'update or delete on table "(\w+)" violates foreign key constraint "\w+" on table "(\w+)"',
        text,
    )
    if deleted:
        return deleted.group(2), None, deleted.group(1)
    return None, None, None


def needs_dangling_field(case: Case) -> Any:
    table, column, target = _dangling(case)
    if not table:
        return None
    if column:
        return case.kata.field_at(table, column)
    model, referenced = case.kata.model_at(table), case.kata.model_at(target)
    fields = [
        f
        for f in getattr(getattr(model, "_meta", None), "concrete_fields", ())
        if f.is_relation and f.related_model is referenced
    ]
    return fields[0] if len(fields) == 1 else None


def needs_do_nothing(case: Case) -> Any:
    field = needs_dangling_field(case)
    return field if field is not None and _on_delete(field) == "DO_NOTHING" else None


def say_do_nothing(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    return render(
        f"IntegrityError: a {owner} points at a {target} that does not exist any more.",
        f"{owner}.{field.name} has on_delete=models.DO_NOTHING: deleting a {target} left its "
        f"{owner.lower()} rows with a dangling {field.column}, which the database refuses "
        "when it checks its foreign keys.",
        "use a rule that keeps the data consistent (CASCADE, PROTECT, SET_NULL...), or "
        f"delete the dependent {owner.lower()} rows yourself before deleting the {target}.",
    )


def needs_dangling_link(case: Case) -> Any:
    field = needs_dangling_field(case)
    m2m = case.kata.m2m_of(field.model) if field is not None else None
    return (m2m, field) if m2m is not None else None


def say_dangling_link(case: Case, found: tuple[Any, Any]) -> str:
    m2m, field = found
    target = field.related_model.__name__
    var = _var(m2m.model)
    return render(
        f"IntegrityError: a link of {m2m.model.__name__}.{m2m.name} points at a {target} that "
        "was deleted.",
        f"Deleting a {target} deletes its links, but a {target} object kept in a variable (or "
        "a list) still has its old id: linking it again (add(), set()) stores an id that no "
        "longer exists.",
        f"change the links with {var}.{m2m.name}.set(...), remove() or clear(), and leave the "
        f"{target} rows alone: delete a {target} only when it should be gone for every "
        f"{m2m.model.__name__.lower()}.",
    )


def _dangling_value(text: str) -> str | None:
    """The id a dangling foreign key holds, SQLite or PostgreSQL."""
    found = re.search(r"contains a value '([^']*)'", text) or re.search(
        r"Key \(\w+\)=\(([^)]*)\)", text
    )
    return found.group(1) if found else None


def needs_fixed_default(case: Case) -> Any:
    """The dangling id is the ForeignKey's own ``default=<a number>``."""
    field = needs_dangling_field(case)
    if field is None or not field.has_default() or callable(field.default):
        return None
    return field if _dangling_value(case.text) == str(field.default) else None


def say_fixed_default(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    return render(
        f"IntegrityError: {owner}.{field.name} has default={field.default!r}, and no {target} "
        "has that id.",
        f"A ForeignKey's default is the id stored in {field.column} when none is given. "
        f"{field.default!r} is an id guessed in advance: the {target} with it may not exist, "
        f"or may be another {target}.",
        f"give default= a function that finds (or creates) the {target} and returns its id, "
        "and pass the function itself, without brackets: default=<function>.",
    )


def say_dangling_field(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    default = getattr(field.default, "__name__", "") if callable(field.default) else ""
    if default and field.has_default():
        # A default function fills the column of every row created without it: its id may be
        # the one that dangles, so it is named with the other ways.
        return render(
            f"IntegrityError: {_a(owner)} points at {_a(target)} that does not exist.",
            f"{owner}.{field.name} holds a {field.column} with no {target} row behind it: the "
            f"{target} was deleted after it was linked, {field.column} was set to a number "
            f"that is no {target}'s id, or the field's default function, {default}(), "
            f"returned such a number for a {owner} created without {_a(target)}.",
            f"make {default}() return the id of a {target} that exists (find or create it "
            f"there, never guess an id), and link {target} objects that exist (re-fetch them "
            "after a delete).",
        )
    return render(
        f"IntegrityError: {_a(owner)} points at {_a(target)} that does not exist.",
        f"{owner}.{field.name} holds a {field.column} with no {target} row behind it: the "
        f"{target} was deleted after it was linked (an object kept in a variable still has "
        f"its old id), or {field.column} was set to a number that is no {target}'s id.",
        f"link {target} objects that exist (re-fetch them after a delete), and set "
        f"{field.name}=<a {target}> rather than {field.column}=<a number>.",
    )


def say_dangling_general(case: Case, _: Any) -> str | None:
    table, column, _ = _dangling(case)
    if not table and "foreign key" not in case.text.lower():
        return None
    what = f"a dangling {column}" if column else "an id of a row that is gone"
    return render(
        "IntegrityError: a foreign key points at a row that does not exist.",
        f"A row was left with {what}: the row it pointed to was deleted, or never existed.",
        "delete or re-point the dependent rows before deleting a row (the on_delete rule of "
        "the ForeignKey can do it for you), and link only rows that exist.",
    )


INTEGRITY = ("IntegrityError",)


DANGLING = r"invalid foreign key|violates foreign key|FOREIGN KEY constraint"


# Why the general rules of this module are fallbacks (see Rule.fallback).
OUTSIDE_THE_KATA = (
    "Django's message always names a table or column of the kata, so the rule for the kata's "
    "own field speaks first; this one is for a model outside the kata"
)

RULES: tuple[Rule, ...] = (
    # on_delete refusals: the exception itself names the rule and the field.
    Rule("PROTECT / RESTRICT", ("ProtectedError", "RestrictedError"), say_protected),
    # The database's constraints.
    Rule("unique pair", INTEGRITY, say_unique_pair, "", needs_unique_pair),
    Rule("unique pair, general", INTEGRITY, say_unique_pair_general,
         r"UNIQUE constraint failed: \w+\.\w+, |Key \(\w+, ", fallback=OUTSIDE_THE_KATA),
    Rule("second row for a OneToOneField", INTEGRITY, say_one_to_one, "", needs_one_to_one),
    Rule("ForeignKey with unique=True", INTEGRITY, say_unique_foreign_key, "",
         needs_unique_foreign_key),
    Rule("unique value", INTEGRITY, say_unique_value, "", needs_unique_value),
    Rule("unique, general", INTEGRITY, say_unique_general, r"(?i)unique"),
    # These two show the column in the learner's table (katalib.teach.drawing).
    Rule("ForeignKey on the one side", INTEGRITY,
         showing_tables(say_foreign_key_named_for_many, _the_column), "",
         needs_foreign_key_named_for_many),
    Rule("NOT NULL", INTEGRITY, showing_tables(say_null_field, _the_column), "", needs_null_field),
    Rule("NOT NULL, general", INTEGRITY, say_null_general, r"(?i)not null|null value in column",
         fallback=OUTSIDE_THE_KATA),
    Rule("DO_NOTHING left a dangling id", INTEGRITY, say_do_nothing, DANGLING, needs_do_nothing),
    Rule("link to a deleted row", INTEGRITY, say_dangling_link, DANGLING, needs_dangling_link),
    Rule("default id that is no row", INTEGRITY, say_fixed_default, DANGLING,
         needs_fixed_default),
    Rule("dangling foreign key", INTEGRITY, say_dangling_field, DANGLING, needs_dangling_field),
    Rule("dangling foreign key, general", INTEGRITY, say_dangling_general, DANGLING,
         fallback="SQLite names the column when constraints are checked; only PostgreSQL's "
         "message for a delete through two foreign keys to one model can leave it out"),
)  # fmt: skip
