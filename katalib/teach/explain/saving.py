"""Rules about saving and linking: ``add()`` before ``save()``, unsaved objects, a relation
compared with a text."""

from __future__ import annotations

import re
import traceback
from typing import TYPE_CHECKING, Any

from katalib.teach.explain.base import (
    Case,
    Rule,
    _a,
    _chain,
    _text_field,
    _var,
    render,
)

if TYPE_CHECKING:
    from django.db.models import Model

REPR = r'"?<(\w+): [^>]*>"?'


def needs_m2m_model(case: Case) -> Any:
    """The unsaved object's model, when the kata has it and it has a many-to-many field."""
    model = case.kata.model(case.group(1))
    m2m = [f for f in getattr(getattr(model, "_meta", None), "many_to_many", ())]
    return (model, m2m[0]) if m2m else None


def say_add_before_save(case: Case, found: tuple[type[Model], Any]) -> str:
    model, m2m = found
    var = _var(model)
    return render(
        'ValueError: needs to have a value for field "id" before this many-to-many '
        "relationship can be used.",
        f"You used {var}.{m2m.name} on a {model.__name__} that is not saved yet, so it has no "
        "primary key for the join table to store.",
        f"call {var}.save() first (or create it with {model.__name__}.objects.create(...)), "
        f"then {var}.{m2m.name}.add(...).",
    )


def say_add_before_save_general(case: Case, _: Any) -> str:
    return render(
        'ValueError: needs to have a value for field "id" before this many-to-many '
        "relationship can be used.",
        "You used a many-to-many manager on an object that is not saved yet, so it has no "
        "primary key for the join table to store.",
        "call save() on the object first (or create it with Model.objects.create(...)), "
        "then use its manager's add().",
    )


# A reverse ForeignKey manager of an unsaved object: its create()/add() name the object and its
# field ('"<Author: Alice>" needs to have a value for field "id" before this relationship...'),
# its queries name the class ("'Author' instance needs to have a primary key value before...").
UNSAVED_REVERSE = (
    rf"^(?:{REPR} needs to have a value for field \"\w+\"|'(\w+)' instance needs to have a "
    r"primary key value) before this relationship can be used"
)


def say_unsaved_reverse(case: Case, _: Any) -> str:
    model = case.kata.model(case.group(1) or case.group(2))
    meta = getattr(model, "_meta", None)
    accessors = [r.get_accessor_name() for r in meta.related_objects] if meta else []
    accessors = [a for a in accessors if a]
    what = "ValueError: the object is not saved yet, so its reverse manager can't be used."
    if model is None or not accessors:
        return render(
            what,
            "A reverse manager reads (and creates) the rows that point at the object by the "
            "object's id, which an unsaved object doesn't have.",
            "save the object first: obj.save(), or create it with Model.objects.create(...).",
        )
    # The manager the learner's line uses (author.posts), else the model's first one.
    used = [a for p in case.places for a in accessors if re.search(rf"\.{a}\b", p.line)]
    var, accessor = _var(model), (used or accessors)[-1 if used else 0]
    return render(
        what,
        f"{var}.{accessor} reads (and creates) the rows that point at {var} by {var}.id, "
        f"which an unsaved {model.__name__} doesn't have.",
        f"save it first: {var}.save(), or create it with {model.__name__}.objects.create(...).",
    )


def say_unsaved_value(case: Case, _: Any) -> str:
    name = case.group(1)
    var = name.lower() if name else "obj"
    return render(
        "ValueError: you added an object that is not saved yet.",
        "The join table stores both ids; the object you passed to add() has none.",
        f"save it first ({name or 'Model'}.objects.create(...) or {var}.save()), then add it.",
    )


def needs_text_default(case: Case) -> Any:
    """A ForeignKey of the kata whose ``default=`` is the text Django could not turn into an id."""
    value = case.group(1)
    return next(
        (
            f
            for f in case.kata.fields()
            if f.many_to_one and f.has_default() and not callable(f.default) and f.default == value
        ),
        None,
    )


def say_text_default(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    return render(
        f"ValueError: {owner}.{field.name} has default={field.default!r}, a text where "
        f"Django needs {_a(target)} id.",
        f"A ForeignKey's default is stored in its column, {field.column}: it must be the id of "
        f"a {target} (or a function that returns one), not the {target}'s name.",
        f"give default= a function that returns the {target}'s id, and pass the function "
        f"itself, without brackets: default=<function>; Django calls it for each new {owner}.",
    )


def _through_a_lookup(case: Case) -> bool:
    """The text reached the field through a filter (a lookup), not through save() or create()."""
    return any(
        frame.filename.replace("\\", "/").endswith("lookups.py")
        for link in _chain(case.exc)
        for frame in traceback.extract_tb(link.__traceback__)
    )


def needs_relation_in_line(case: Case) -> Any:
    """The relation the learner compared with a text: a keyword of the line that is a relation."""
    names = {f.name: f for f in case.kata.fields() if f.is_relation}
    for place in reversed(case.places or []):
        for keyword in re.findall(r"(\w+)\s*=(?!=)", place.line):
            base = keyword.split("__")[0]
            if base in names and "__" not in keyword:
                return names[base]
    return None


def say_relation_compared(case: Case, field: Any) -> str:
    value = case.group(1)
    target = field.related_model
    column = _text_field(target)
    return render(
        f"ValueError: a relation was compared with the text '{value}'.",
        f"filter({field.name}='{value}') compares the {target.__name__}'s id with '{value}'; a "
        "relation is matched by object or id, not by one of its fields.",
        f"reach into the related model with a double underscore: "
        f"filter({field.name}__{column}='{value}'), or pass the object itself.",
    )


def say_relation_compared_general(case: Case, _: Any) -> str:
    value = case.group(1)
    return render(
        f"ValueError: a relation was compared with the text '{value}'.",
        f"Comparing a relation with '{value}' compares the related row's id with it; a "
        "relation is matched by object or id, not by one of its fields.",
        "reach into the related model with a double underscore: "
        f"filter(<relation>__<field>='{value}'), or pass the object itself.",
    )


def needs_unsaved_related(case: Case) -> Any:
    name = case.group(1)
    return next(
        (f for f in case.kata.fields() if f.name == name and f.is_relation and f.concrete),
        None,
    )


def say_unsaved_related(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    return render(
        "ValueError: you saved a row that points at an unsaved object.",
        f"{owner.lower()}.{field.name} is {_a(target)} that has no id yet, so {field.column} "
        "can't be filled in.",
        f"save the {target} first ({_var(field.related_model)}.save() or "
        f"{target}.objects.create(...)), then save the {owner}.",
    )


def say_unsaved_related_general(case: Case, _: Any) -> str:
    return render(
        "ValueError: you saved a row that points at an unsaved object.",
        f"The related object in '{case.group(1)}' has no id yet, so the foreign key column "
        "can't be filled in.",
        "save the related object first (or create it with objects.create(...)), then this row.",
    )


def needs_names_to_manager(case: Case) -> Any:
    """``post.tags.set(names)``: texts handed to a many-valued manager of the kata, which
    takes objects (or ids). The manager, its method and the model of its rows."""
    managers: dict[str, type[Model]] = {}
    for model in case.kata.all_models:
        for field in model._meta.local_many_to_many:
            if not isinstance(target := field.related_model, str):  # "self" once resolved
                managers[field.name] = target
        for rel in model._meta.related_objects:
            accessor, source = rel.get_accessor_name(), rel.related_model
            if accessor and not rel.one_to_one and not isinstance(source, str):
                managers[accessor] = source
    for place in reversed(case.places):
        for var, attr, method in re.findall(r"(\w+)\.(\w+)\.(add|set|remove)\(", place.line):
            if attr in managers:
                return f"{var}.{attr}", method, managers[attr]
    return None


def say_names_to_manager(case: Case, found: tuple[str, str, type[Model]]) -> str:
    manager, method, model = found
    value, name = case.group(1), model.__name__
    column = _text_field(model)
    if method == "remove":  # unlinking never creates rows: only existing ones can be linked
        fix = (
            f"get the existing {name} objects and pass those: "
            f"{manager}.remove(*{name}.objects.filter({column}__in={column}s)) "
            f"(it creates nothing; a {column} that is no {name} is simply not there)."
        )
    else:
        fix = (
            f"get the {name} objects first and pass those, e.g. "
            f"[{name}.objects.get_or_create({column}={column})[0] for {column} in {column}s] "
            f"(or {name}.objects.filter({column}__in=...) for rows that must exist already)."
        )
    return render(
        f"ValueError: {manager}.{method}() got the text '{value}', not {_a(name)}.",
        f"{manager}.{method}() takes {name} objects (or their ids): the join table holds ids. "
        f"'{value}' is a text, so Django tried to read it as an id and could not.",
        fix,
    )


RULES: tuple[Rule, ...] = (
    Rule("add() before save(), kata model", ("ValueError",), say_add_before_save,
         rf"^{REPR} needs to have a value for field .* many-to-many", needs_m2m_model),
    Rule("add() before save()", ("ValueError",), say_add_before_save_general,
         "before this many-to-many relationship can be used"),
    Rule("reverse manager of an unsaved object", ("ValueError",), say_unsaved_reverse,
         UNSAVED_REVERSE),
    Rule("add() of an unsaved object", ("ValueError",), say_unsaved_value,
         r'Cannot add "<(\w+):.*": instance is on database ".*", value is on database "None"'),
    Rule("texts handed to a many-to-many manager", ("ValueError",), say_names_to_manager,
         r"Field '\w+' expected a number but got '([^']*)'", needs_names_to_manager),
    Rule("text default of a ForeignKey", ("ValueError",), say_text_default,
         r"Field '\w+' expected a number but got '([^']*)'", needs_text_default),
    Rule("relation compared with a text", ("ValueError",), say_relation_compared,
         r"Field '\w+' expected a number but got '([^']*)'", needs_relation_in_line),
    Rule("relation compared with a text, general", ("ValueError",),
         say_relation_compared_general, r"Field '\w+' expected a number but got '([^']*)'",
         _through_a_lookup),
    Rule("save() with an unsaved related object", ("ValueError",), say_unsaved_related,
         r"unsaved related object '(\w+)'", needs_unsaved_related),
    Rule("save() with an unsaved related object, general", ("ValueError",),
         say_unsaved_related_general, r"unsaved related object '(\w+)'",
         fallback="the field Django names is always one of the kata's models, so the rule "
         "above speaks; this one is for a model outside the kata"),
)  # fmt: skip
