"""Rules about model definitions and creating rows: ``on_delete`` missing or not callable, a
keyword that is no field of the model."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from katalib.teach.explain.base import (
    Case,
    Place,
    Rule,
    _a,
    _closest,
    _source,
    _todo_about,
    render,
)

if TYPE_CHECKING:
    from django.db.models import Model

ON_DELETE_MISSING = r"(\w+)\.__init__\(\) missing 1 required positional argument: 'on_delete'"


def say_missing_on_delete(case: Case, _: Any) -> str:
    field = case.group(1)
    example = f"models.{field}(Author, on_delete=models.CASCADE)"
    lines = [p.line.strip() for p in case.places if f"{field}(" in p.line]  # not "class Post("
    line = lines[-1] if lines else ""
    written = re.search(rf"models\.{field}\((.*)\)", line)
    if written:
        args = written.group(1).rstrip().rstrip(",")
        example = f"models.{field}({args}, on_delete=models.CASCADE)"
    return render(
        f"TypeError: {field} without on_delete.",
        f"Every {field} must say what happens to this row when the row it points to is deleted.",
        f"pass on_delete, e.g. {example}.",
    )


def say_on_delete_not_callable(case: Case, _: Any) -> str:
    return render(
        "TypeError: on_delete must be one of Django's rules, not None or a string.",
        "on_delete takes a function such as models.CASCADE (no quotes, no brackets).",
        "write on_delete=models.CASCADE (or PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, SET(...)).",
    )


ON_DELETE_CALLED = (
    r"^(CASCADE|PROTECT|RESTRICT|SET_NULL|SET_DEFAULT|DO_NOTHING)\(\) missing 4 required "
    r"positional arguments: 'collector', 'field', 'sub_objs', and 'using'"
)


def say_on_delete_called(case: Case, _: Any) -> str:
    rule = case.group(1)
    return render(
        f"TypeError: on_delete=models.{rule}() calls the rule instead of passing it.",
        f"Django calls the on_delete rule itself, each time a row is deleted, with the rows "
        f"to handle; the brackets call {rule} now, with nothing to handle.",
        f"pass the rule itself, without brackets: on_delete=models.{rule}.",
    )


UNEXPECTED_KEYWORD = r"^(\w+)\(\) got (?:an )?unexpected keyword arguments?:? (.+)$"


def _field_names(model: Any) -> list[str]:
    meta = model._meta
    return [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]


def _quoted(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def needs_unknown_model_keyword(case: Case) -> Any:
    """A model of the kata created with keywords that are none of its fields."""
    model = next((m for m in case.kata.all_models if m.__name__ == case.group(1)), None)
    if model is None:
        return None
    meta = model._meta
    known = {f.name for f in meta.get_fields()} | {f.attname for f in meta.concrete_fields}
    missing = [k for k in re.findall(r"'(\w+)'", case.group(2)) if k not in known]
    return (model, missing) if missing else None


def _field_meant(model: Any, keyword: str) -> str | None:
    """The relation of ``model`` a keyword named after the related model means:
    ``editor=`` for ``added_by = ForeignKey(Editor)``, when exactly one field points there."""
    pointing = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation
        and f.related_model is not None
        and f.related_model.__name__.lower() == keyword.lower()
        and f.name != keyword
    ]
    return pointing[0] if len(pointing) == 1 else None


def _ranked_fields(model: Any, keyword: str) -> list[str]:
    """``model``'s fields, the likeliest meant by ``keyword`` first (no id)."""
    import difflib

    names = [n for n in _field_names(model) if n != model._meta.pk.name]
    meant = _field_meant(model, keyword)
    return sorted(
        names,
        key=lambda n: (n != meant, -difflib.SequenceMatcher(None, keyword, n).ratio()),
    )


def _tests_read(case: Case, keyword: str) -> bool:
    """Whether the kata's tests use ``keyword`` as a field name (``keyword=``, ``.keyword``)."""
    from pathlib import Path

    folders = {Path(f).parent for f in case.kata.files}
    pattern = (
        rf"\b{re.escape(keyword)}\s*=(?!=)|\.{re.escape(keyword)}\b|['\"]{re.escape(keyword)}['\"]"
    )
    for folder in folders:
        for test in folder.glob("test_*.py"):
            if re.search(pattern, _source(str(test))):
                return True
    return not folders  # nothing known of the tests: adding the field may be the fix


def say_unknown_model_keyword(case: Case, found: tuple[type[Model], list[str]]) -> str:
    model, missing = found
    name, keyword = model.__name__, missing[0]
    fields = _field_names(model)
    nouns = "field" if len(missing) == 1 else "fields"
    models_file = case.editable_file_of(model)
    have = f"Its fields{' now' if models_file else ''}: {', '.join(fields)}."
    caller = case.caller
    close = _closest(keyword, fields, cutoff=0.75)
    if caller is not None and caller.test and models_file:
        where = f"{caller.place.name}, line {caller.place.lineno}"
        todo = _todo_about(model, keyword)
        if close:
            fix = f"rename {name}.{close} to {keyword} in {models_file}: the tests use that name."
        else:
            fix = f"add {keyword} to class {name} in {models_file}" + (
                f": the # TODO there (line {todo}) says what it is." if todo else "."
            )
        return render(
            f"TypeError: {name} has no {nouns} {_quoted(missing)} yet.",
            f"The tests create {name} objects with {keyword}=... ({where}), but class {name} "
            f"has no such field. {have}",
            fix,
        )
    if caller is not None and not caller.test:
        place = caller.place
        what = f"{place.name} line {place.lineno} creates a {name} with {keyword}=..."
    else:
        what = f"A {name} was created with {keyword}=..."
    meant = close or _field_meant(model, keyword)
    ranked = _ranked_fields(model, keyword)
    if meant and close:
        fix = f"did you mean {meant}? Use the name the field has."
    elif meant:  # named after the model it points at: editor= for added_by -> Editor
        line = caller.place.line if caller is not None else ""
        key = rf"['\"]{re.escape(keyword)}['\"]\s*:"
        write = f'"{meant}": ... in the dict' if re.search(key, line) else f"{meant}=..."
        target = model._meta.get_field(meant).related_model
        held = _a(target.__name__ if isinstance(target, type) else meant)
        read = f" (the tests read {name}.{meant})" if _tests_read(case, meant) else ""
        fix = f"did you mean {meant}? It is {name}'s field that holds {held}: write {write}{read}."
    elif models_file and _tests_read(case, keyword):
        fix = f"use one of {name}'s fields, or add {keyword} to class {name} in {models_file}."
    elif models_file:
        fix = f"use one of {name}'s fields ({', '.join(ranked)}); the tests never use {keyword}."
    else:
        fix = f"create the {name} with the fields it has ({', '.join(ranked)})."
    return render(
        f"TypeError: {name} has no {nouns} {_quoted(missing)}.",
        f"{what}, but {name} has no such field. {have}",
        fix,
    )


MANAGER_KEYWORD = (
    r"ManyRelatedManager\.(add|set|create|get_or_create|update_or_create)\(\) got an "
    r"unexpected keyword argument '(\w+)'"
)
LINKING = r"(\w+)\.(\w+)\.(add|set|create|get_or_create|update_or_create)\("


@dataclass(frozen=True)
class LinkKeyword:
    """Fields of a link model (``through=``) given to a many-to-many manager as keywords."""

    field: Any  # the ManyToManyField
    extra: tuple[str, ...]  # the keywords that are fields of its link model
    place: Place | None  # the learner's line that called the manager
    call: re.Match[str] | None  # var, accessor, method on that line
    method: str  # the manager's method: from that line, else from Django's message


def needs_link_keyword(case: Case) -> Any:
    """A field of a link model (not of the linked model) passed to add() / create() / set()
    of the many-to-many manager that goes through it."""
    manager = re.search(MANAGER_KEYWORD, case.text)
    built = None if manager else re.match(UNEXPECTED_KEYWORD, case.text)
    if manager:
        method, keywords = manager.group(1), [manager.group(2)]
    elif built:
        method, keywords = None, re.findall(r"'(\w+)'", built.group(2))
    else:
        return None
    for field in case.kata.fields():
        if not field.many_to_many:
            continue
        through = field.remote_field.through  # a model class ("app.Model" only if unresolved)
        if not hasattr(through, "_meta") or through._meta.auto_created:
            continue
        meta = through._meta
        own = {f.name for f in meta.concrete_fields} | {f.attname for f in meta.concrete_fields}
        extra = tuple(k for k in keywords if k in own)
        ends = {field.model.__name__, field.related_model.__name__}
        if not extra or (built and built.group(1) not in ends):
            continue
        accessors = {field.name, field.remote_field.get_accessor_name()}
        for place in reversed(case.places):
            call = re.search(LINKING, place.line)
            if call and call.group(2) in accessors and method in (None, call.group(3)):
                return LinkKeyword(field, extra, place, call, call.group(3))
        if manager:  # Django named the manager's method: say it in general words
            return LinkKeyword(field, extra, None, None, manager.group(1))
    return None


def _through_defaults_call(line: str, method: str, extra: tuple[str, ...]) -> str | None:
    """The learner's call with the link model's fields moved into through_defaults."""
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr == method:
            args = [ast.unparse(a) for a in node.args]
            args += [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg not in extra]
            moved = ", ".join(
                f'"{k.arg}": {ast.unparse(k.value)}' for k in node.keywords if k.arg in extra
            )
            return f"{ast.unparse(func)}({', '.join([*args, f'through_defaults={{{moved}}}'])})"
    return None


def say_link_keyword(case: Case, link: LinkKeyword) -> str:
    field = link.field
    through = field.remote_field.through.__name__
    names = " and ".join(link.extra)
    method = link.method
    if link.call is not None:
        var, accessor = link.call.group(1, 2)
    else:
        var, accessor = field.model.__name__.lower(), field.name
    forward = accessor == field.name
    target = (field.related_model if forward else field.model).__name__
    are = "is a field" if len(link.extra) == 1 else "are fields"
    takes = (
        f"the new {target}'s own fields"
        if method in ("create", "get_or_create", "update_or_create")
        else f"the {target} objects to link"
    )
    example = (
        _through_defaults_call(link.place.line, method, link.extra) if link.place else None
    ) or (
        f"{var}.{accessor}.{method}(..., through_defaults={{"
        + ", ".join(f'"{k}": ...' for k in link.extra)
        + "})"
    )
    return render(
        f"TypeError: {names} {are} of the link model {through}, not of {target}.",
        f"{var}.{accessor}.{method}() takes {takes}; the values for the {through} row it "
        "creates go in one dictionary, through_defaults.",
        f"{example}.",
    )


CONSTRAINT_NAME = (
    r"A (unique|check) constraint must be named"
    r"|(\w*Constraint)\.__init__\(\) missing 1 required keyword-only argument: 'name'"
)


@dataclass(frozen=True)
class ConstraintCall:
    kind: str  # "UniqueConstraint"
    model: str | None  # the class it is declared in
    fields: list[str]


def _constraint_call(case: Case) -> ConstraintCall | None:
    """The constraint call (and its model class) on the learner's line that raised."""
    for place in reversed(case.places):
        try:
            tree = ast.parse(_source(place.filename))
        except SyntaxError:
            continue
        classes = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef)
            and n.lineno <= place.lineno <= (n.end_lineno or n.lineno)
            and n.name != "Meta"
        ]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or node.lineno != place.lineno:
                continue
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if "Constraint" in name:
                words = {k.arg: k.value for k in node.keywords}
                given = words.get("fields")
                fields = [
                    e.value
                    for e in getattr(given, "elts", [])
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
                model = max(classes, key=lambda n: n.lineno).name if classes else None
                return ConstraintCall(name, model, fields)
    return None


def say_constraint_name(case: Case, _: Any) -> str:
    kind = type(case.exc).__name__
    found = _constraint_call(case)
    constraint = (
        found.kind
        if found
        else case.group(2)
        or ("CheckConstraint" if case.group(1) == "check" else "UniqueConstraint")
    )
    if found and found.fields:
        label = "_".join([(found.model or "model").lower(), *found.fields])
        example = (
            f'models.{constraint}(fields={found.fields!r}, name="%(app_label)s_{label}_unique")'
        )
    else:
        example = f'models.{constraint}(..., name="%(app_label)s_<model>_<what>")'
    return render(
        f"{kind}: the {constraint} has no name.",
        'Every constraint in Meta.constraints needs name="...": the database keeps the '
        "constraint under that name, and no two constraints in it may share one.",
        f"{example}. Django replaces %(app_label)s with the app's label, which keeps the name "
        "apart from other apps' constraints.",
    )


def say_constraints_not_a_list(case: Case, _: Any) -> str:
    name = case.group(1)
    option = "constraints" if "Constraint" in name else "indexes"
    return render(
        f"TypeError: Meta.{option} must be a list.",
        f"{option} = models.{name}(...) gives Django one {name} where it expects a list of "
        "them, even for a single one.",
        f"put it in square brackets: {option} = [models.{name}(...)].",
    )


FIELD_KEYWORD = r"^Field\.__init__\(\) got an unexpected keyword argument '(\w+)'"


def needs_field_call(case: Case) -> Any:
    """The field class the learner's line builds (``models.ManyToManyField(...)``)."""
    from django.db import models

    for place in reversed(case.places):
        for name in re.findall(r"(?:models\.)?(\w+)\(", place.line):
            field = getattr(models, name, None)
            if isinstance(field, type) and issubclass(field, models.Field):
                return field
    return None


def _field_arguments(field: type) -> list[str]:
    import inspect

    names: list[str] = []
    for klass in field.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            names += [p for p in inspect.signature(init).parameters if p not in names]
    return [n for n in names if n not in {"self", "args", "kwargs"}]


def say_field_keyword(case: Case, field: type) -> str:
    keyword, name = case.group(1), field.__name__
    if keyword == "on_delete" and field.__name__ == "ManyToManyField":
        return render(
            "TypeError: ManyToManyField takes no on_delete.",
            "A many-to-many link is a row of the join table: deleting either side deletes its "
            "links and never the rows on the other side, so there is no rule to choose "
            "(only ForeignKey and OneToOneField take on_delete).",
            "remove on_delete=... from the ManyToManyField.",
        )
    options = [o for o in _field_arguments(field) if o not in _INTERNAL_ARGUMENTS]
    close = _closest_option(keyword, options)
    common = ", ".join(o for o in _COMMON_OPTIONS if o in options)
    return render(
        f"TypeError: {name} takes no argument '{keyword}'.",
        f"Django's {name} has no option called {keyword}.",
        f"did you mean {close}=...?"
        if close
        else f"use one of its options ({common}, ...) or remove {keyword}=....",
    )


# Arguments Django passes itself (deconstruction, migrations), never a learner's option.
_INTERNAL_ARGUMENTS = {"rel", "swappable", "from_fields", "to_fields", "auto_created", "serialize"}
_COMMON_OPTIONS = (
    "on_delete", "related_name", "null", "blank", "default", "unique", "max_length",
    "db_index", "through", "to_field", "related_query_name", "db_constraint",
)  # fmt: skip


def _closest_option(keyword: str, options: list[str]) -> str | None:
    """The real option a wrong keyword most likely meant: a close spelling (related_names),
    else an option the keyword is built on (nullable, is_null: null; default_value: default),
    else a looser spelling match."""
    close = _closest(keyword, options, cutoff=0.75)
    if close:
        return close
    word = keyword.lower()
    inside = [o for o in options if len(o) >= 4 and o in word]
    around = [o for o in options if len(word) >= 4 and word in o]
    for found in (inside, around):
        if found:
            return max(found, key=len) if found is inside else min(found, key=len)
    return _closest(keyword, options, cutoff=0.6)


RULES: tuple[Rule, ...] = (
    # The lesson's three common errors, and their relatives.
    Rule("on_delete missing", ("TypeError",), say_missing_on_delete, ON_DELETE_MISSING),
    Rule("on_delete not callable", ("TypeError",), say_on_delete_not_callable,
         "on_delete must be callable"),
    Rule("on_delete rule called", ("TypeError",), say_on_delete_called, ON_DELETE_CALLED),
    Rule("field of the link model passed to the manager", ("TypeError",), say_link_keyword,
         needs=needs_link_keyword),
    Rule("constraint without a name", ("ValueError", "TypeError"), say_constraint_name,
         CONSTRAINT_NAME),
    Rule("Meta.constraints not a list", ("TypeError",), say_constraints_not_a_list,
         r"'(\w*(?:Constraint|Index))' object is not iterable"),
    Rule("argument a field does not take", ("TypeError",), say_field_keyword, FIELD_KEYWORD,
         needs_field_call),
    Rule("keyword that is no field of the model", ("TypeError",), say_unknown_model_keyword,
         UNEXPECTED_KEYWORD, needs_unknown_model_keyword),
)  # fmt: skip
