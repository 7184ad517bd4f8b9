"""Rules about names of relations and managers: related objects that are missing, ``get()``
that found none or several rows, misspelled fields, reverse names, managers used as objects,
``add()`` / ``set()`` misuse, a many-to-many assigned directly."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from katalib.teach.explain.base import (
    Case,
    Place,
    Rule,
    _a,
    _source,
    _var,
    render,
    showing_tables,
)

if TYPE_CHECKING:
    from django.db.models import Model


def _reverse_rels(model: type[Model]) -> list[Any]:
    """The reverse sides of the relations that point at ``model`` and have a name."""
    meta = getattr(model, "_meta", None)
    if meta is None:
        return []
    return [
        r
        for r in meta.related_objects
        if r.get_accessor_name() and not (r.related_name or "").endswith("+")
    ]


def needs_misspelled_field(case: Case) -> Any:
    """The field of the object the missing attribute is a misspelling of."""
    obj, name = getattr(case.exc, "obj", None), getattr(case.exc, "name", None)
    meta = getattr(type(obj), "_meta", None)
    if meta is None or not name or type(case.exc).__name__ == "RelatedObjectDoesNotExist":
        return None
    fields = [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]
    accessors = [r.get_accessor_name() for r in meta.related_objects]
    close = difflib.get_close_matches(name, fields + [a for a in accessors if a], n=1, cutoff=0.7)
    return close[0] if close and close[0] in fields else None


def say_misspelled_field(case: Case, field: str) -> str:
    model, name = case.missing_attribute()
    return render(
        f"AttributeError: '{model.__name__}' object has no attribute '{name}'.",
        f"{model.__name__} has a field called {field}; nothing is called {name}.",
        f"did you mean {model.__name__.lower()}.{field}?",
    )


def needs_reverse_accessors(case: Case) -> Any:
    obj, name = getattr(case.exc, "obj", None), getattr(case.exc, "name", None)
    if type(case.exc).__name__ == "RelatedObjectDoesNotExist" or not name:
        return None
    if obj is None or not hasattr(type(obj), "_meta"):
        return None
    return _reverse_rels(type(obj)) or None


def _stem(name: str) -> str:
    return name.lower().removesuffix("_set").rstrip("s")


def say_wrong_reverse_name(case: Case, rels: list[Any]) -> str:
    """The reverse side asked for by a name it doesn't have: name the ones that exist now, and
    say what names them (never a related_name of our own choosing: the kata's may differ)."""
    model, name = case.missing_attribute()
    var = model.__name__.lower()

    def shown(rel: Any) -> str:
        owner = f"{rel.related_model.__name__}.{rel.field.name}"
        return f"{var}.{rel.get_accessor_name()} (from {owner})"

    def naming(rel: Any) -> str:
        owner = f"{rel.related_model.__name__}.{rel.field.name}"
        given = rel.field.remote_field.related_name
        if given:
            return f"related_name='{given}' on {owner} is what names it"
        return (
            f"{owner} has no related_name, so Django calls it {rel.get_accessor_name()}; "
            f"related_name on {owner} is what would name it"
        )

    aimed = [
        r
        for r in rels
        if _stem(name) in {_stem(r.related_model.__name__), _stem(r.get_accessor_name())}
    ]
    what = f"AttributeError: '{model.__name__}' object has no attribute '{name}'."
    if len(aimed) == 1:
        rel = aimed[0]
        accessor, other = rel.get_accessor_name(), rel.related_model.__name__
        why = (
            f"The way back from {_a(model.__name__)} to its {other} rows is {shown(rel)} now, "
            f"not {var}.{name}: {naming(rel)}."
        )
        rename = ""
        if not rel.field.remote_field.related_name and case.editable_file_of(rel.related_model):
            rename = (
                f"; or give {other}.{rel.field.name} a related_name in "
                f"{case.editable_file_of(rel.related_model)} and use the name you gave it"
            )
        if rel.one_to_one:
            return render(what, why, f"use {var}.{accessor}{rename}.")
        if _stem(name) == name.lower():  # author.post: one object where there are many
            why += f" It is a manager of many {other} rows, not one {other}."
        return render(what, why, f"use {var}.{accessor}.all() (or .filter(...), .count()){rename}.")
    if aimed:
        why = (
            f"{model.__name__} is reached back from several relations, none called {name}: "
            + "; ".join(f"{shown(r)}: {naming(r)}" for r in aimed)
            + "."
        )
    else:
        why = (
            f"No field or reverse relation of {model.__name__} has that name. Its reverse "
            "relations now: " + ", ".join(shown(r) for r in rels) + ". The related_name of "
            "the field that points here names each one (<model>_set without it)."
        )
    many = [r for r in aimed or rels if not r.one_to_one]
    example = (
        f"{var}.{many[0].get_accessor_name()}.all()"
        if many
        else f"{var}.{(aimed or rels)[0].get_accessor_name()}"
    )
    return render(what, why, f"use a reverse relation that exists, e.g. {example}.")


def _reverse_names(case: Case, rels: list[Any]) -> tuple[Any, list[str], bool]:
    """The slice of the learner's tables to show: the reverse names the object's table has."""
    return case.missing_attribute()[0], [], True


def needs_manager_object(case: Case) -> Any:
    obj, name = getattr(case.exc, "obj", None), getattr(case.exc, "name", None)
    return name if name and type(obj).__name__.endswith("RelatedManager") else None


def say_manager_attribute(case: Case, name: str) -> str:
    return render(
        f"AttributeError: a related manager has no attribute '{name}'.",
        "The reverse side of a ForeignKey (and both sides of a ManyToManyField) is a "
        "manager of many rows, not one object.",
        "ask it for rows first: .all(), .first(), .filter(...), .count().",
    )


def _manager_expression(case: Case, before: str = "") -> str | None:
    """``post.tags`` when the learner's line uses a many-valued relation of the kata."""
    many = {f.name for f in case.kata.fields() if f.many_to_many} | {
        r.get_accessor_name()
        for m in case.kata.all_models
        for r in m._meta.related_objects
        if r.get_accessor_name() and not r.one_to_one
    }
    for place in reversed(case.places):
        for var, attr in re.findall(r"(\w+)\.(\w+)" + before, place.line):
            if attr in many:
                return f"{var}.{attr}"
    return None


def say_manager_not_iterable(case: Case, _: Any) -> str:
    expression = _manager_expression(case)
    if "has no len()" in case.text:
        manager = expression or "the manager"
        return render(
            "TypeError: a related manager has no len().",
            f"{manager} is a manager, not a list: it holds no rows until you ask it for them.",
            f"let the database count: {manager}.count() (one SELECT COUNT(*), no rows loaded).",
        )
    if expression:
        return render(
            "TypeError: a related manager is not a list.",
            f"{expression} is a manager: it only becomes rows when you ask it for them.",
            f"iterate over {expression}.all() (or .filter(...), .order_by(...)).",
        )
    return render(
        "TypeError: a related manager is not a list.",
        "A reverse or many-to-many manager only becomes rows when you ask it for them.",
        "iterate over the manager's .all() (or .filter(...), .order_by(...)).",
    )


def say_add_got_list(case: Case, _: Any) -> str:
    expression = _manager_expression(case, r"\.(?:add|remove)\(") or "the manager"
    prefix = f"{expression}." if expression != "the manager" else ""
    method = "add()/remove()"
    for place in reversed(case.places):
        call = re.search(r"\.(add|remove)\(", place.line)
        if call:
            method = f"{call.group(1)}()"
            break
    kind = "a queryset" if case.group(1).startswith("<") else "a list"
    name = method.rstrip("()") if method != "add()/remove()" else "add"
    also = f"; or replace all links with {prefix}set(objects)" if name == "add" else ""
    return render(
        f"TypeError: {method} got {kind} as one argument.",
        "The many-to-many managers take the objects themselves as separate arguments, "
        f"so Django read the whole of {kind} as one id.",
        f"unpack it with *: {prefix}{name}(*objects){also}.",
    )


def say_set_several(case: Case, _: Any) -> str:
    expression = _manager_expression(case, r"\.set\(")
    prefix = f"{expression}." if expression else ""
    return render(
        "TypeError: set() got several arguments.",
        "set() takes ONE list (or queryset) of objects: it replaces every link with them.",
        f"{prefix}set([first, second]) (add() and remove() take separate arguments).",
    )


def say_direct_assignment(case: Case, _: Any) -> str:
    name = case.group(1)
    return render(
        "TypeError: you assigned a list to a many-to-many field.",
        f"{name} = [...] is not allowed: the links live in a join table managed by the manager.",
        f"use {name}.set([...]) (or add/remove/clear) on the object.",
    )


def needs_reverse_one_to_one(case: Case) -> Any:
    """The kata's OneToOneField whose reverse side ("User has no profile.") is missing."""
    found = re.match(r"(\w+) has no (\w+)\.", case.text)
    if not found:
        return None
    model, name = found.groups()
    return next(
        (
            f
            for f in case.kata.fields()
            if f.one_to_one
            and f.related_model.__name__ == model
            and f.remote_field.get_accessor_name() == name
        ),
        None,
    )


def _caught_instead(case: Case, owner: str) -> str | None:
    """``except User.DoesNotExist`` around the learner's line, where the missing object
    raises ``Profile.DoesNotExist``: the class that was caught instead."""
    place = case.caller.place if case.caller is not None and not case.caller.test else None
    if place is None:
        return None
    lines = _source(place.filename).splitlines()
    after = lines[place.lineno : place.lineno + 4]
    for line in after:
        caught = re.match(r"\s*except\s+\(?\s*([\w.]+?)\.DoesNotExist\b", line)
        if caught and caught.group(1).split(".")[-1] != owner:
            return caught.group(1)
    return None


def say_reverse_one_to_one(case: Case, field: Any) -> str:
    owner, model = field.model.__name__, field.related_model.__name__
    var, accessor = _var(field.related_model), field.remote_field.get_accessor_name()
    why = (
        f"{var}.{accessor} is the reverse side of the OneToOneField {owner}.{field.name}: a "
        f"single object, and this {model} has none yet."
    )
    other = _caught_instead(case, owner)
    if other:
        return render(
            f"RelatedObjectDoesNotExist: {case.text}",
            f"{why} The code catches {other}.DoesNotExist, but a missing {accessor} raises "
            f"{owner}.DoesNotExist ({model}.{accessor}.RelatedObjectDoesNotExist is one): the "
            f"{model} exists, its {owner} does not.",
            f"catch {owner}.DoesNotExist (or check hasattr({var}, '{accessor}') first).",
        )
    if case.caller is not None and not case.caller.test:  # the learner's own code reads it
        return render(
            f"RelatedObjectDoesNotExist: {case.text}",
            why,
            f"where a {model} may have no {owner}, check with hasattr({var}, '{accessor}') or "
            f"catch {owner}.DoesNotExist; if every {model} should have one, create it first "
            f"({owner}.objects.create({field.name}={var})).",
        )
    return render(
        f"RelatedObjectDoesNotExist: {case.text}",
        why,
        f"create it first ({owner}.objects.create({field.name}={var})), or check with "
        f"hasattr({var}, '{accessor}') / catch {owner}.DoesNotExist.",
    )


def needs_empty_forward(case: Case) -> Any:
    found = re.match(r"(\w+) has no (\w+)\.", case.text)
    model = case.kata.model(found.group(1)) if found else None
    if found is None or model is None:
        return None
    return next(
        (f for f in model._meta.concrete_fields if f.is_relation and f.name == found.group(2)),
        None,
    )


def say_empty_forward(case: Case, field: Any) -> str:
    var = _var(field.model)
    owner, target = field.model.__name__, field.related_model.__name__
    place = case.innermost
    if place is not None and place.function in ("__str__", "__repr__"):
        # Showing the object (a test's message, a print) read the link: the object itself was
        # made without it, and not saved (the column doesn't allow NULL).
        return render(
            f"RelatedObjectDoesNotExist: {case.text}",
            f"{owner}.{place.function} ({place.name}, line {place.lineno}) shows "
            f"{var}.{field.name}, and this {owner} has no {target} ({field.column} is NULL): "
            f"it was made without its {field.name}, and so never saved (the column doesn't "
            "allow NULL).",
            f"give each {owner} its {field.name} when you make it, and save it: "
            f"{owner}.objects.create({field.name}=...) (or get_or_create({field.name}=...)).",
        )
    return render(
        f"RelatedObjectDoesNotExist: {case.text}",
        f"{var}.{field.name} is empty: this {field.model.__name__} has no "
        f"{field.related_model.__name__} ({field.column} is NULL).",
        f"set {var}.{field.name} before reading it, or check {var}.{field.column} is not None "
        "first.",
    )


def say_related_missing_general(case: Case, _: Any) -> str:
    return render(
        f"RelatedObjectDoesNotExist: {case.text}",
        "The related object this code reads has not been created (or linked) yet.",
        "create or link it first, or check that it exists before reading it.",
    )


def needs_get_in_kata(case: Case) -> Any:
    if type(case.exc).__name__ == "RelatedObjectDoesNotExist":
        return None
    return next((p for p in reversed(case.places) if ".get(" in p.line), None)


def say_get_found_none(case: Case, place: Place) -> str:
    model = re.match(r"(\w+) matching query does not exist", case.text)
    name = model.group(1) if model else "row"
    return render(
        f"DoesNotExist: get() found no {name} ({place.name}, line {place.lineno}).",
        "get() insists on exactly one row: it raises when none matches.",
        f"for a value that may be missing, use {name}.objects.filter(...) (empty when nothing "
        "matches) or .first() (None), or get_or_create(...) if the row should be created.",
    )


def say_get_found_many(case: Case, place: Place) -> str:
    return render(
        f"MultipleObjectsReturned: get() found several rows ({place.name}, line {place.lineno}).",
        "get() insists on exactly one row: it raises when more than one matches.",
        "use filter(...) when several rows may match, or make the lookup unique (e.g. by id).",
    )


# The pair itself where the object was expected: an attribute of a tuple, the pair as an id
# (add(), filter()), assigned to a ForeignKey ('Cannot assign "(<Author: Alice>, True)"'), or
# shown by a test's assertion ("returned (<Profile: Profile of alice>, False)").
GET_OR_CREATE_PAIR = r"'tuple' object has no attribute '\w+'|\(<\w+: [^>]*>, (?:True|False)\)"


def needs_get_or_create_pair(case: Case) -> Any:
    """A line of the learner's files that hands on what get_or_create() returned, unpacked
    nowhere: ``return Member.objects.get_or_create(...)`` (a pair, not the object)."""
    for path in case.kata.files:
        for lineno, line in enumerate(_source(str(path)).splitlines(), 1):
            call = re.search(r"(\w+)\.objects\.get_or_create\(", line)
            if not call or re.search(r"\)\s*\[\s*0\s*\]", line):
                continue
            # Handed on whole: returned, assigned to one name, or passed on in a call or a
            # comprehension; never unpacked (`tag, created = ...`).
            if not re.match(r"\s*\w+\s*,\s*\w+\s*=[^=]", line):
                return Place(str(path), lineno, "", line), call.group(1)
    return None


def say_get_or_create_pair(case: Case, found: tuple[Place, str]) -> str:
    place, model = found
    var = model.lower()
    return render(
        f"{type(case.exc).__name__}: get_or_create() returns a pair, ({var}, created), "
        f"not the {model}.",
        f"{place.name} line {place.lineno} passes on the whole pair: `{place.line.strip()}`.",
        f"unpack it: {var}, created = {model}.objects.get_or_create(...), then use {var} "
        "(or take [0]).",
    )


def needs_query_on_the_class(case: Case) -> Any:
    """``Tag.annotate(...)``: a QuerySet method asked of a kata model's class, not of its
    manager. The model and the method."""
    from django.db.models import QuerySet

    model = case.kata.model(case.group(1))
    method = case.group(2)
    if model is None or model.__name__ != case.group(1) or not hasattr(QuerySet, method):
        return None
    return model, method


def say_query_on_the_class(case: Case, found: tuple[Any, str]) -> str:
    model, method = found
    name = model.__name__
    return render(
        f"AttributeError: the class {name} has no {method}(): queries start at {name}.objects.",
        f"The query methods (all(), filter(), annotate(), ...) belong to the model's manager, "
        f"{name}.objects, not to the class itself.",
        f"write {name}.objects.{method}(...).",
    )


# A method object where its result was meant: shown by a test's message or pytest's diff
# ("<bound method QuerySet.count of <QuerySet [...]>>"), or used by an operator or a loop.
METHOD_OBJECT = (
    r"<bound method (?:\w+\.)*(\w+) of|'method' object|instances? of 'method'"
    r"|'method' and|and 'method'"
)
_MANAGER_METHODS = {"add", "remove", "clear", "set", "create", "get_or_create", "update_or_create"}


def _query_methods() -> set[str]:
    from django.db.models import QuerySet

    public = {n for n in dir(QuerySet) if not n.startswith("_")}
    return {n for n in public if callable(getattr(QuerySet, n, None))} | _MANAGER_METHODS


def _uncalled_methods(case: Case) -> list[tuple[Place, str]]:
    """Lines of the learner's files that return or state a query method without calling it:
    ``return qs.count``, ``post.tags.clear`` (a statement that does nothing)."""
    import ast

    methods, found = _query_methods(), []
    for path in case.kata.files:
        source = _source(str(path))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines = source.splitlines()
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                value = getattr(node, "value", None)
                if (
                    isinstance(node, (ast.Return, ast.Expr))
                    and isinstance(value, ast.Attribute)
                    and value.attr in methods
                    and isinstance(value.value, (ast.Call, ast.Attribute, ast.Name))
                ):
                    line = lines[node.lineno - 1]
                    found.append((Place(str(path), node.lineno, func.name, line), value.attr))
    return found


def _test_mentions(case: Case, name: str) -> bool:
    """Whether the failing test's message or source names the kata function ``name``."""
    import inspect

    if re.search(rf"\b{re.escape(name)}\b", case.text):
        return True
    tb = case.exc.__traceback__
    while tb is not None:
        try:
            if re.search(rf"\b{re.escape(name)}\(", inspect.getsource(tb.tb_frame.f_code)):
                return True
        except (OSError, TypeError):
            pass
        tb = tb.tb_next
    return False


def needs_method_not_called(case: Case) -> Any:
    """The learner's line that hands on a query method uncalled (and the method's name)."""
    shown = re.search(METHOD_OBJECT, case.text)
    lines = _uncalled_methods(case)
    if shown:
        named = shown.group(1)
        for place, method in lines:
            if not named or method == named:
                return place, method
        return None, named or ""
    for place, method in lines:
        if _test_mentions(case, place.function):
            return place, method
    return None


def say_method_not_called(case: Case, found: tuple[Place | None, str]) -> str:
    place, method = found
    call = f".{method}()" if method else "the method, with ()"
    where = (
        f"{place.name} line {place.lineno} (`{place.line.split('  #')[0].strip()}`)"
        if place
        else "Your code"
    )
    if place and not place.line.strip().startswith("return"):
        return render(
            f"{type(case.exc).__name__}: .{method} is named but never called.",
            f"{where} names the method without brackets: Python looks the method up and "
            "does nothing with it, so nothing happens.",
            f"call it: {call}.",
        )
    return render(
        f"{type(case.exc).__name__}: you returned the method itself, not its result.",
        f"{where} names .{method or 'method'} without brackets: that is the method object "
        "(<bound method ...>), which Python runs only when it is called.",
        f"call it: {call}.",
    )


RULES: tuple[Rule, ...] = (
    # One-to-one objects that are missing, rows that get() can't find.
    Rule("reverse one-to-one missing", ("RelatedObjectDoesNotExist",), say_reverse_one_to_one,
         needs=needs_reverse_one_to_one),
    Rule("forward relation empty", ("RelatedObjectDoesNotExist",), say_empty_forward,
         needs=needs_empty_forward),
    Rule("related object missing", ("RelatedObjectDoesNotExist",), say_related_missing_general,
         fallback="the relation is always a field of the kata's models, so the two rules above "
         "speak; this one is for a model outside the kata"),
    Rule("get() found nothing", ("ObjectDoesNotExist",), say_get_found_none,
         needs=needs_get_in_kata),
    Rule("get() found several", ("MultipleObjectsReturned",), say_get_found_many,
         needs=needs_get_in_kata),
    Rule("get_or_create() used as the object",
         ("AttributeError", "TypeError", "ValueError", "AssertionError"),
         say_get_or_create_pair, GET_OR_CREATE_PAIR, needs_get_or_create_pair),
    Rule("method not called", ("AssertionError", "TypeError", "Failed"), say_method_not_called,
         needs=needs_method_not_called),
    # Names of relations and managers.
    Rule("query on the model class", ("AttributeError",), say_query_on_the_class,
         r"^type object '(\w+)' has no attribute '(\w+)'", needs_query_on_the_class),
    Rule("misspelled field", ("AttributeError",), say_misspelled_field,
         needs=needs_misspelled_field),
    Rule("wrong reverse name", ("AttributeError",),
         showing_tables(say_wrong_reverse_name, _reverse_names), needs=needs_reverse_accessors),
    Rule("manager used as an object", ("AttributeError",), say_manager_attribute,
         needs=needs_manager_object),
    Rule("manager not iterable", ("TypeError",), say_manager_not_iterable,
         r"'\w*RelatedManager' object is not iterable|type '\w*RelatedManager' has no len\(\)"),
    Rule("add() got a list", ("TypeError",), say_add_got_list,
         r"Field '\w+' expected a number but got (\[|<QuerySet)"),
    Rule("set() got several", ("TypeError",), say_set_several,
         r"ManyRelatedManager\.set\(\) takes 2"),
    Rule("many-to-many assigned", ("TypeError",), say_direct_assignment,
         r"Direct assignment to the \w+ side of a many-to-many set is prohibited\. "
         r"Use (\w+)\.set\(\) instead"),
)  # fmt: skip
