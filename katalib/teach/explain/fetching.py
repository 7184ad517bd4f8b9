"""Rules about fetching related rows up front: ``select_related()`` given a relation it can't
JOIN (a reverse ForeignKey, a many-to-many) or a plain field, ``prefetch_related()`` given a
name that is no relation, and an attribute a ``Prefetch(..., to_attr=...)`` was meant to fill."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from katalib.teach.explain.base import (
    Case,
    Rule,
    _a,
    _closest,
    _source,
    render,
)

if TYPE_CHECKING:
    from django.db.models import Model


def _function_source(filename: str, lineno: int) -> str:
    """The source of the innermost function around ``lineno`` (the whole file if none)."""
    source = _source(filename)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    around = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.lineno <= lineno <= (node.end_lineno or node.lineno)
    ]
    if not around:
        return source
    inner = max(around, key=lambda node: node.lineno)
    return ast.get_source_segment(source, inner) or source


def _calls_in_kata(case: Case, method: str) -> list[tuple[str, str]]:
    """(model name, argument text) of ``Model.objects...method(...)`` in the learner's code
    around the error (the functions it went through), innermost first."""
    found = []
    for place in reversed(case.places):
        text = _function_source(place.filename, place.lineno)
        for model, args in re.findall(rf"(\w+)\.objects\b[^\n]*?\.{method}\(([^)]*)\)", text):
            found.append((model, args))
    return found


def _many_valued(model: type[Model]) -> dict[str, Any]:
    """Name -> relation for the sides of ``model`` that hold many rows: its many-to-many
    fields and the reverse sides of the ForeignKeys (and many-to-manys) pointing at it."""
    meta = model._meta
    found: dict[str, Any] = {f.name: f for f in meta.many_to_many}
    for rel in meta.related_objects:
        name = rel.get_accessor_name()
        if name and not rel.one_to_one and not (rel.related_name or "").endswith("+"):
            found[name] = rel
    return found


def _forward(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def _joinable(model: type[Model]) -> set[str]:
    """What select_related() can follow from ``model``: its ForeignKeys and OneToOneFields,
    and the reverse sides of OneToOneFields pointing at it (one row at the other end)."""
    back = {r.get_accessor_name() for r in model._meta.related_objects if r.one_to_one}
    return {*_forward(model), *(b for b in back if b)}


def _kind(relation: Any) -> str:
    """What a many-valued relation is, in words: 'the reverse side of the ForeignKey
    Post.author', 'the ManyToManyField Post.tags'."""
    if hasattr(relation, "get_accessor_name"):  # a reverse side (ForeignObjectRel)
        owner = f"{relation.related_model.__name__}.{relation.field.name}"
        kind = "ManyToManyField" if relation.many_to_many else "ForeignKey"
        return f"the reverse side of the {kind} {owner}"
    return f"the ManyToManyField {relation.model.__name__}.{relation.name}"


@dataclass(frozen=True)
class ManyJoin:
    """select_related() was given ``name``, a many-valued relation of ``model``."""

    model: (
        type[Model] | None
    )  # None: several models of the kata have it, the code doesn't say which
    name: str  # as the learner wrote it
    accessor: str  # its real name (``posts`` for a learner's ``post_set``)
    relation: Any
    choices: str


def _many_valued_named(model: type[Model], name: str) -> tuple[str, Any] | None:
    """The many-valued relation of ``model`` that ``name`` means: itself, or the reverse side
    of a model called like ``name`` without its ``_set``."""
    many = _many_valued(model)
    if name in many:
        return name, many[name]
    if name.endswith("_set"):
        stem = name.removesuffix("_set")
        for accessor, rel in many.items():
            if getattr(rel, "related_model", None) is not None and (
                rel.related_model.__name__.lower() == stem
            ):
                return accessor, rel
    return None


def needs_select_related_many(case: Case) -> Any:
    """A name select_related() refused that is a many-valued relation of a kata model."""
    names = re.findall(r"'(\w+)'", case.group(1))
    choices = case.group(2).strip()
    forward = set() if choices == "(none)" else {c.strip() for c in choices.split(",")}
    named = [m for m, _ in _calls_in_kata(case, "select_related")]
    for name in names:
        candidates = [
            (m, found)
            for m in case.kata.all_models
            if set(_forward(m)) <= forward <= _joinable(m)
            and (found := _many_valued_named(m, name))
        ]
        if not candidates:
            continue
        chosen = [c for c in candidates if c[0].__name__ in named]
        model, (accessor, rel) = (chosen or candidates)[0]
        sure = len(chosen) == 1 or len(candidates) == 1
        return ManyJoin(model if sure else None, name, accessor, rel, choices)
    return None


def say_select_related_many(case: Case, join: ManyJoin) -> str:
    if join.model is not None:
        var = join.model.__name__.lower()
        path = f"{var}.{join.accessor}"
        what = f"FieldError: select_related() can't follow {path}."
        where = f"{path} is {_kind(join.relation)}: many rows per {var}"
        target = join.relation.related_model.__name__.lower()
        rows = f"the {target}s of all the {var}s"
    else:
        path = join.accessor
        what = f"FieldError: select_related() can't follow '{join.name}'."
        where = (
            f"'{join.accessor}' holds many rows per row (a reverse ForeignKey or a many-to-many)"
        )
        rows = "the rows of all of them"
    renamed = (
        f" (and its name is {join.accessor}, not {join.name})" if join.accessor != join.name else ""
    )
    keep = (
        f" keep select_related() for the one-row relations ({join.choices})."
        if join.choices != "(none)"
        else ""
    )
    return render(
        what,
        "select_related() follows only relations with one row at the other end (a "
        "ForeignKey, a OneToOneField either way) and brings that row along in the same query "
        f"with a JOIN. {where}{renamed}.",
        f"prefetch_related('{join.accessor}'): one more query fetches {rows} at once, then "
        f"read {path}.all();"
        + (keep or " select_related() only JOINs relations with one row at the other end."),
    )


def needs_select_related_typo(case: Case) -> Any:
    """A name select_related() refused that is close to one of its choices."""
    names = re.findall(r"'(\w+)'", case.group(1))
    choices = [c.strip() for c in case.group(2).split(",") if c.strip() != "(none)"]
    for name in names:
        close = _closest(name, choices)
        if close:
            return name, close, choices
    return None


def say_select_related_typo(case: Case, found: tuple[str, str, list[str]]) -> str:
    name, close, choices = found
    return render(
        f"FieldError: select_related() has no relation '{name}'; did you mean '{close}'?",
        "select_related() takes the names of the relations with one row at the other end "
        f"(ForeignKey, OneToOneField) of the queryset's model; here: {', '.join(choices)}.",
        f"select_related('{close}').",
    )


def needs_select_related_field(case: Case) -> Any:
    """The relation the learner's select_related('relation__field') meant, if the code says."""
    field = case.group(1)
    for model, args in _calls_in_kata(case, "select_related"):
        for path in re.findall(r"['\"]([\w]+)['\"]", args):
            parts = path.split("__")
            if len(parts) > 1 and parts[-1] == field:
                return model.lower(), "__".join(parts[:-1])
    return True


def say_select_related_field(case: Case, found: Any) -> str:
    field = case.group(1)
    if isinstance(found, tuple):
        var, relation = found
        fix = (
            f"name the relation only: select_related('{relation}'), then read "
            f"{var}.{relation.replace('__', '.')}.{field}; or take just that column with "
            f"values_list('{relation}__{field}')."
        )
    else:
        fix = (
            "name the relation only (select_related('author'), not 'author__name'), then "
            "read the field from the related object; or take just that column with "
            "values_list('relation__field')."
        )
    return render(
        f"FieldError: select_related() got '{field}', a field, not a relation.",
        "select_related() names the ForeignKeys (and OneToOneFields) to JOIN; each brings "
        f"the whole related row, every field of it. '{field}' is a plain field.",
        fix,
    )


PREFETCH_NAME = (
    r"Cannot find '(\w+)' on (\w+) object, '(\w+)' is an invalid parameter to "
    r"prefetch_related|'(\w+)' does not resolve to an item that supports prefetching"
)


def _prefetchable(model: type[Model]) -> list[str]:
    return [*_forward(model), *_many_valued(model)]


def _walk(model: type[Model], parts: list[str]) -> tuple[type[Model], str, Any]:
    """Follow ``parts`` from ``model`` while they are relations: (model reached, the first
    part that is not a relation of it, the field it is if any)."""
    for part in parts:
        relation = dict(_many_valued(model))
        relation.update({f.name: f for f in model._meta.concrete_fields if f.is_relation})
        if part not in relation:
            try:
                field = model._meta.get_field(part)
            except Exception:  # noqa: BLE001 - FieldDoesNotExist: not a field either
                field = None
            return model, part, field
        model = relation[part].related_model
    return model, "", None


def needs_prefetch_name(case: Case) -> Any:
    """(model, the bad part, its field or None, the whole path) for a kata model."""
    if case.group(2):
        model = case.kata.model(case.group(2))
        path = case.group(3)
        if model is None:
            return None
        return model, case.group(1), None, path
    path = case.group(4)
    parts = path.split("__")
    named = [m for m, _ in _calls_in_kata(case, "prefetch_related")]
    models = [m for m in case.kata.all_models if m.__name__ in named] + list(case.kata.models)
    for start in models:
        if start.__name__ not in named and parts[0] not in {
            *_prefetchable(start),
            *(f.name for f in start._meta.concrete_fields),
        }:
            continue
        model, part, field = _walk(start, parts)
        if part:
            return model, part, field, path
    return None


def _replaced(path: str, part: str, by: str) -> str:
    parts = path.split("__")
    if part in parts:
        parts[parts.index(part)] = by
    return "__".join(parts)


def say_prefetch_name(case: Case, found: tuple[type[Model], str, Any, str]) -> str:
    model, part, field, path = found
    name = model.__name__
    kind = type(case.exc).__name__
    relations = _prefetchable(model)
    if field is not None:
        before = path[: -len(part)].removesuffix("__") if path.endswith(part) else path
        return render(
            f"{kind}: prefetch_related('{path}') ends in a field, not a relation.",
            f"{part} is a field of {name}: prefetch_related() only follows relations, and it "
            "can't filter by a field.",
            f"to fetch only some rows, give a Prefetch its own queryset: Prefetch('{before}', "
            f"queryset={name}.objects.filter({part}=...), to_attr='...') (to_attr names the "
            "list it fills).",
        )
    plural = _many_valued_named(model, part)
    close = plural[0] if plural else _closest(part, relations)
    listed = ", ".join(relations) or "none"
    return render(
        f"{kind}: {name} has no relation '{part}' to prefetch"
        + (f"; did you mean '{close}'?" if close else "."),
        f"prefetch_related() takes the names you read the relations by on {_a(name)}: "
        f"{listed}. A related_name replaces <model>_set.",
        f"prefetch_related('{_replaced(path, part, close) if close else '<relation>'}').",
    )


@dataclass(frozen=True)
class PrefetchCall:
    lookup: str
    to_attr: str | None


def _prefetch_calls(case: Case) -> list[PrefetchCall]:
    """The ``Prefetch(...)`` calls in the files the learner edits."""
    found = []
    for path in case.kata.files:
        try:
            tree = ast.parse(_source(str(path)))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name != "Prefetch":
                continue
            words = {k.arg: k.value for k in node.keywords if k.arg}
            first = node.args[0] if node.args else words.get("lookup")
            lookup = first.value if isinstance(first, ast.Constant) else None
            to_attr = words.get("to_attr")
            if not isinstance(lookup, str):
                continue
            if to_attr is None:
                found.append(PrefetchCall(lookup, None))
            elif isinstance(to_attr, ast.Constant) and isinstance(to_attr.value, str):
                found.append(PrefetchCall(lookup, to_attr.value))
    return found


def needs_prefetch_attribute(case: Case) -> Any:
    """An attribute a model instance lacks, where the learner's Prefetch of one of its
    relations has no to_attr, or a to_attr of another name."""
    obj, name = getattr(case.exc, "obj", None), getattr(case.exc, "name", None)
    meta = getattr(type(obj), "_meta", None)
    if meta is None or not name or type(case.exc).__name__ == "RelatedObjectDoesNotExist":
        return None
    known = {f.name for f in meta.get_fields()} | set(_prefetchable(meta.model))
    if name in known:
        return None
    calls = [c for c in _prefetch_calls(case) if c.lookup.split("__")[0] in known]
    if not calls or any(c.to_attr == name for c in calls):
        return None
    return min(calls, key=lambda c: c.to_attr is not None)  # one without to_attr first


def say_prefetch_attribute(case: Case, call: PrefetchCall) -> str:
    model_class, name = case.missing_attribute()
    model = model_class.__name__
    var = model.lower()
    what = f"AttributeError: '{model}' object has no attribute '{name}'."
    caller = case.caller
    read = "the tests read" if caller is not None and caller.test else "the code reads"
    if call.to_attr is None:
        return render(
            what,
            f"Prefetch('{call.lookup}', queryset=...) without to_attr puts the rows it fetches "
            f"in {var}.{call.lookup} (the relation's own cache): nothing creates {var}.{name}.",
            f"name the list with to_attr: Prefetch('{call.lookup}', queryset=..., "
            f"to_attr='{name}'). Each {var} then has {var}.{name}, a plain list of the rows "
            "your queryset selected.",
        )
    return render(
        what,
        f"Prefetch('{call.lookup}', ..., to_attr='{call.to_attr}') stores each {var}'s rows "
        f"as {var}.{call.to_attr}; nothing is called {var}.{name}.",
        f"{read} {var}.{name}: write to_attr='{name}'.",
    )


RULES: tuple[Rule, ...] = (
    Rule("Prefetch without the to_attr read", ("AttributeError",), say_prefetch_attribute,
         needs=needs_prefetch_attribute),
    Rule("prefetch_related() name that is no relation", ("AttributeError", "ValueError"),
         say_prefetch_name, PREFETCH_NAME, needs_prefetch_name),
    Rule("select_related() on a many-valued relation", ("FieldError",), say_select_related_many,
         r"Invalid field name\(s\) given in select_related: (.+?)\. Choices are: (.*)",
         needs_select_related_many),
    Rule("select_related() name misspelled", ("FieldError",), say_select_related_typo,
         r"Invalid field name\(s\) given in select_related: (.+?)\. Choices are: (.*)",
         needs_select_related_typo),
    Rule("select_related() on a field", ("FieldError",), say_select_related_field,
         r"Non-relational field given in select_related: '(\w+)'", needs_select_related_field),
)  # fmt: skip
