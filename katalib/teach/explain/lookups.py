"""Rules about double-underscore paths and lookups (``FieldError``)."""

from __future__ import annotations

import re
from typing import Any

from katalib.teach.explain.base import (
    Case,
    KataContents,
    Rule,
    _a,
    _closest,
    _text_field,
    render,
)


def _example_path(kata: KataContents) -> str | None:
    for field in kata.fields():
        if field.concrete and field.is_relation and field.model in kata.models:
            column = _text_field(field.related_model)
            return f"{field.model.__name__}.objects.filter({field.name}__{column}=...)"
    return None


def _models_with_choices(kata: KataContents, choices: list[str], line: str) -> list[Any]:
    """The kata's models whose field names are Django's "Choices are: ..." list (those the
    learner's line names first: Author and Tag may both have id, name and posts)."""
    found = []
    for model in kata.all_models:
        meta = model._meta
        names = {f.name for f in meta.get_fields()} | {f.attname for f in meta.concrete_fields}
        if set(choices) <= names and len(choices) >= len(meta.concrete_fields):
            found.append(model)
    named = [m for m in found if re.search(rf"\b{m.__name__}\b", line)]
    return named or found


def _one_underscore(keyword: str, model: Any) -> str | None:
    """``author_name`` for ``author__name``: a relation of ``model``, one underscore, and a
    field of the related model."""
    for cut in (i for i, char in enumerate(keyword) if char == "_"):
        relation, rest = keyword[:cut], keyword[cut + 1 :]
        field = _resolve_path(model, [relation]) if relation and rest else None
        if (
            field is not None
            and field.is_relation
            and _resolve_path(field.related_model, rest.split("__"))
        ):
            return f"{relation}__{rest}"
    return None


def say_unknown_keyword(case: Case, _: Any) -> str:
    keyword, choices = case.group(1), [c.strip() for c in case.group(2).split(",")]
    line = case.innermost.line if case.innermost else ""
    candidates = _models_with_choices(case.kata, choices, line)
    model = candidates[0] if len(candidates) == 1 else None
    where = model.__name__ if model is not None else "the model you are filtering"
    path = next((p for m in candidates if (p := _one_underscore(keyword, m))), None)
    if path:
        return render(
            f"FieldError: '{keyword}' is not a field of {where}: one underscore where a path "
            "needs two.",
            f"{path.split('__')[0]} is a relation of {where}; to reach a field of the related "
            "model, write the relation, two underscores, then the field.",
            f"write {path}=... instead of {keyword}=...",
        )
    close = _closest(keyword, choices)
    example = _example_path(case.kata)
    # Count("post"), values("post__..."), order_by("post"): the name is written in quotes.
    quoted = re.search(rf"""(\w+\()\s*(["']){re.escape(keyword)}((?:__\w+)?)\2""", line)
    if close and quoted:
        call, quote, rest = quoted.groups()
        case_only = "names are case-sensitive: " if close.lower() == keyword.lower() else ""
        return render(
            f"FieldError: '{keyword}' is not a field of {where}.",
            f"The name in {call}{quote}{keyword}{rest}{quote}) must be a field or a relation "
            f"of {where} (choices: " + ", ".join(choices) + "); the related_name of a relation "
            "that points here is its name in queries too.",
            f"{case_only}did you mean '{close}'? Write {call}{quote}{close}{rest}{quote}).",
        )
    if close and close.lower() == keyword.lower():
        hint = f"names are case-sensitive: did you mean '{close}'? Spell"
    elif close:
        hint = f"did you mean '{close}'? Spell"
    else:
        hint = "spell"
    return render(
        f"FieldError: '{keyword}' is not a field of {where}.",
        "In a double-underscore path each part before the last __ must be a field or a "
        "relation of the model reached so far (choices: " + ", ".join(choices) + ").",
        hint
        + " the path one relation at a time"
        + (f", e.g. {example}." if example else ": relation__field."),
    )


UNSUPPORTED_LOOKUP = r"Unsupported lookup '(\w+)' for (\w+)(?:.*perhaps you meant ([\w ]+)\?)?"


RELATION_TYPES = {"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject"}


NEGATIONS = {"ne": "", "neq": "", "not": "", "isnot": "", "nin": "__in", "notin": "__in"}


def _resolve_path(model: Any, parts: list[str]) -> Any:
    """The field ``a__b`` ends at, following relations from ``model``; None if it doesn't."""
    field = None
    for part in parts:
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist: not this model's path
            return None
        model = field.related_model if field.is_relation else None
    return field


def needs_lookup_path(case: Case) -> Any:
    """(path, field) of ``path__<lookup>`` in the learner's line: the field the unknown lookup
    was applied to, found from one of the kata's models."""
    lookup, kind = case.group(1), case.group(2)
    for place in reversed(case.places):
        for path in re.findall(rf"\b(\w+?)__{re.escape(lookup)}\b", place.line):
            named = [m for m in case.kata.all_models if f"{m.__name__}." in place.line]
            others = [m for m in case.kata.all_models if m not in named]
            for model in named + others:
                field = _resolve_path(model, path.split("__"))
                if field is not None and (field.is_relation or type(field).__name__ == kind):
                    return path, field
    return None


def _lookups(field: Any) -> list[str]:
    get = getattr(field, "get_lookups", None) or getattr(field.field, "get_lookups", None)
    return sorted(get()) if get else []


def _say_negation(lookup: str, path: str, field: Any) -> str:
    """``__ne`` and friends: Django leaves rows out with exclude() (or ~Q)."""
    suffix = NEGATIONS[lookup]
    written = f"filter({path}__{lookup}=...)"
    if field is not None and field.is_relation:
        target = field.related_model
        column = _text_field(target)
        fix = (
            f"exclude({path}{suffix}=...) instead of {written} (to compare the "
            f"{target.__name__}'s {column}: exclude({path}__{column}{suffix}=...)); or ~Q(...) "
            "inside filter()."
        )
    else:
        fix = (
            f"exclude({path}{suffix}=...) instead of {written}; or ~Q({path}{suffix}=...) "
            "inside filter()."
        )
    return render(
        f"FieldError: Django has no '{lookup}' lookup.",
        "There is no 'not equal' lookup in Django: filter() keeps the rows that match what "
        "you write. To leave rows out, write what they match and exclude them.",
        fix,
    )


def say_lookup_on_path(case: Case, found: tuple[str, Any]) -> str:
    path, field = found
    lookup = case.group(1)
    if lookup in NEGATIONS:
        return _say_negation(lookup, path, field)
    lookups = _lookups(field)
    split = _one_underscore(lookup, field.related_model) if field.is_relation else None
    if split:  # posts__tags_name for posts__tags__name
        return render(
            f"FieldError: '{lookup}' is neither a field of {field.related_model.__name__} nor a "
            "lookup: one underscore where a path needs two.",
            f"{split.split('__')[0]} is a relation of {field.related_model.__name__}; to reach a "
            "field of the related model, write the relation, two underscores, then the field.",
            f"write {path}__{split}=... instead of {path}__{lookup}=...",
        )
    if field.is_relation:
        target = field.related_model
        names = [f.name for f in target._meta.get_fields()]
        close = _closest(lookup, names + lookups)
        what = f"'{lookup}' is neither a field of {target.__name__} nor a lookup."
        why = (
            f"After {path}__ Django expects a field of {target.__name__} ("
            + ", ".join(names)
            + ") or a lookup ("
            + ", ".join(lookups)
            + ")."
        )
    else:
        close = _closest(lookup, lookups)
        what = f"'{lookup}' is not a lookup of {field.model.__name__}.{field.name}."
        why = (
            f"{path} is a {type(field).__name__}: after it only a lookup may follow ("
            + ", ".join(lookups)
            + ")."
        )
    if close and close.lower() == lookup.lower():
        fix = f"names are case-sensitive: did you mean {close}? Write {path}__{close}."
    elif close:
        fix = f"did you mean {close}? Write {path}__{close}."
    else:
        fix = f"check the spelling of the part after {path}__."
    return render(f"FieldError: {what}", why, fix)


def say_unsupported_lookup(case: Case, _: Any) -> str:
    lookup, kind, django_hint = case.group(1), case.group(2), case.group(3)
    if lookup in NEGATIONS:
        return _say_negation(lookup, "<path>", None)
    get_lookups = getattr(getattr(models_module(), kind, None), "get_lookups", None)
    lookups = sorted(get_lookups()) if get_lookups is not None else []
    close = _closest(lookup, lookups)
    if close:
        case_only = close.lower() == lookup.lower()
        fix = ("names are case-sensitive: " if case_only else "") + f"perhaps {close}?"
    elif django_hint:
        fix = f"check the spelling of the part after the last __: perhaps {django_hint}?"
    else:
        fix = "check the spelling of the part after the last __ (names are case-sensitive)."
    if kind in RELATION_TYPES:
        return render(
            f"FieldError: '{lookup}' is neither a field of the related model nor a lookup.",
            "After a relation Django expects a field of the related model (relation__name) "
            "or a lookup (relation__in).",
            fix,
        )
    return render(
        f"FieldError: '{lookup}' is not a lookup of a {kind}.",
        f"After a {kind} only a lookup may follow"
        + (f" ({', '.join(lookups)})." if lookups else "."),
        fix,
    )


def models_module() -> Any:
    from django.db import models

    return models


def needs_lookup_on_relation(case: Case) -> Any:
    """A lookup of plain fields (iexact, icontains, startswith...) applied to a relation itself,
    ``author__iexact=name``: a relation only takes exact, in, isnull and the comparisons, with an
    object or an id. The path and its field when the learner's line names them."""
    from django.db import models

    lookup, kind = case.group(1), case.group(2)
    # get_class_lookups (ForeignObject's own: get_lookups() on the class gives Field's) is
    # missing from django-stubs.
    plain = set(models.Field.get_class_lookups()) - set(  # type: ignore[attr-defined]
        models.ForeignKey.get_class_lookups()  # type: ignore[attr-defined]
    )
    if kind not in RELATION_TYPES or lookup not in plain:
        return None
    return needs_lookup_path(case) or ("", None)


def say_invalid_related_lookup(case: Case, found: tuple[str, Any]) -> str:
    lookup = case.group(1)
    path, field = found
    if field is None:
        return render(
            "FieldError: a lookup was applied to a relation itself.",
            f"__{lookup} compares a whole related object; it needs a field in between.",
            f"name the related field first: <relation>__<field>__{lookup}=...",
        )
    target = field.related_model.__name__
    return render(
        "FieldError: a lookup was applied to a relation itself.",
        f"{path} is a relation to {target}: it is compared with {_a(target)} or its id ("
        + ", ".join(_lookups(field))
        + f"). __{lookup} compares a value, so it needs a field of {target} in between.",
        f"name the related field first: {path}__{_text_field(field.related_model)}__{lookup}=...",
    )


COMPARISON = {"==": "", "!=": "", "<": "__lt", "<=": "__lte", ">": "__gt", ">=": "__gte"}


def needs_comparison_lookup(case: Case) -> Any:
    """``filter(author__name == name)``: a lookup path written as a Python comparison."""
    name = case.group(1)
    for place in reversed(case.places):
        found = re.search(
            rf"\b{re.escape(name)}\s*(==|!=|<=|>=|<|>)\s*([\w.]+|\"[^\"]*\"|'[^']*')?",
            place.line,
        )
        if found:
            return found.group(1), found.group(2) or "value"
    return ("", "value") if "__" in name else None


def say_comparison_lookup(case: Case, found: tuple[str, str]) -> str:
    path, (operator, value) = case.group(1), found
    if operator == "!=":
        fix = f"exclude({path}={value}) leaves those rows out (or ~Q({path}={value}) inside filter())."
    elif operator:
        fix = f"filter({path}{COMPARISON[operator]}={value})."
    else:
        fix = f"filter({path}={value}), or exclude({path}={value}) for the rows that don't match."
    written = f"{path} {operator} {value}" if operator else path
    return render(
        f"NameError: {path} is a lookup, not a Python variable.",
        f"Inside filter() or exclude() a lookup is a keyword argument, written with one = "
        f"({path}={value}). Written as {written}, Python looks for a variable called {path} "
        "and finds none.",
        fix,
    )


RULES: tuple[Rule, ...] = (
    # A path written as a comparison: filter(author__name == name).
    Rule("lookup written as a comparison", ("NameError",), say_comparison_lookup,
         r"name '(\w+__\w+)' is not defined", needs_comparison_lookup),
    # Double-underscore paths.
    Rule("unknown keyword in a path", ("FieldError",), say_unknown_keyword,
         r"Cannot resolve keyword '(\w+)' into field\. Choices are: (.*)"),
    Rule("lookup on a relation", ("FieldError",), say_invalid_related_lookup,
         UNSUPPORTED_LOOKUP, needs_lookup_on_relation),
    Rule("unsupported lookup on a path of the kata", ("FieldError",), say_lookup_on_path,
         UNSUPPORTED_LOOKUP, needs_lookup_path),
    Rule("unsupported lookup", ("FieldError",), say_unsupported_lookup, UNSUPPORTED_LOOKUP),
)  # fmt: skip
