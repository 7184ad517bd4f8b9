"""Recognise the relationship errors a learner meets and explain them: ❌ what, ✅ fix.

``explain(exc)`` returns the explanation for an exception (or for the first recognised one in
its ``__cause__`` / ``__context__`` chain), or ``None``. Django's own message is never replaced:
the plugin prints the explanation *after* it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator

WHAT, FIX = "❌", "✅"


def symbols_for(encoding: str | None) -> tuple[str, str]:
    """❌/✅ where the console can print them (cp1252 Windows consoles can't)."""
    try:
        (WHAT + FIX).encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "[X]", "[FIX]"
    return WHAT, FIX


def console_symbols() -> tuple[str, str]:
    return symbols_for(getattr(sys.__stdout__, "encoding", None))


def render(what: str, why: str, fix: str) -> str:
    bad, good = console_symbols()
    return f"{bad} {what}\n   {why}\n{good} Fix: {fix}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


Rule = Callable[[BaseException, str], "str | None"]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def explain(exc: BaseException, kata=None) -> str | None:
    """The explanation for ``exc``; ``kata`` (a manifest.Kata or None) is the kata it came from."""
    for link in _chain(exc):
        text = str(link)
        for check in RULES:
            found = check(link, text)
            if found:
                return found
    return None


# --- The lesson's three common errors -------------------------------------------------------


@rule
def missing_on_delete(exc: BaseException, text: str) -> str | None:
    match = re.search(
        r"(\w+)\.__init__\(\) missing 1 required positional argument: 'on_delete'", text
    )
    if isinstance(exc, TypeError) and match:
        field = match.group(1)
        return render(
            f"TypeError: {field} without on_delete.",
            f"Every {field} must say what happens to this row when the row it points to is deleted.",
            f"pass on_delete, e.g. models.{field}(Author, on_delete=models.CASCADE).",
        )
    if isinstance(exc, TypeError) and "on_delete must be callable" in text:
        return render(
            "TypeError: on_delete must be one of Django's rules, not None or a string.",
            "on_delete takes a function such as models.CASCADE (no quotes, no brackets).",
            "write on_delete=models.CASCADE (or PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, SET(...)).",
        )
    return None


@rule
def add_before_save(exc: BaseException, text: str) -> str | None:
    if not isinstance(exc, ValueError):
        return None
    if "before this many-to-many relationship can be used" in text:
        return render(
            'ValueError: needs to have a value for field "id" before this many-to-many '
            "relationship can be used.",
            "You used a many-to-many manager (post.tags.add(...)) on an object that is not saved "
            "yet, so it has no primary key for the hidden join table to store.",
            "call post.save() first (or create it with Post.objects.create(...)), then "
            "post.tags.add(tag).",
        )
    if "needs to have a primary key value before this relationship can be used" in text:
        return render(
            "ValueError: the object is not saved, so it has no related rows to look up.",
            "A reverse manager such as author.posts filters by author.id, which an unsaved "
            "author doesn't have.",
            "save the object first: author.save() or Author.objects.create(...).",
        )
    if re.search(
        r'Cannot add ".*": instance is on database ".*", value is on database "None"', text
    ):
        return render(
            "ValueError: you added an object that is not saved yet.",
            "The join table stores both ids; the object you passed to add() has none.",
            "save it first (Tag.objects.create(...) or tag.save()), then post.tags.add(tag).",
        )
    wrong_type = re.search(r"Field '(\w+)' expected a number but got '([^']*)'", text)
    if wrong_type:
        return render(
            f"ValueError: a relation was compared with the text '{wrong_type.group(2)}'.",
            "filter(author='Alice') compares the author's id with 'Alice'; a relation is "
            "matched by object or id, not by one of its fields.",
            "reach into the related model with a double underscore: "
            "filter(author__name='Alice'), or pass the object: filter(author=alice).",
        )
    if "save() prohibited to prevent data loss due to unsaved related object" in text:
        return render(
            "ValueError: you saved a row that points at an unsaved object.",
            "post.author is an Author that has no id yet, so author_id can't be filled in.",
            "save the related object first: author = Author.objects.create(...), then save the post.",
        )
    return None


def _reverse_accessors(model: type) -> list[str]:
    meta = getattr(model, "_meta", None)
    if meta is None:
        return []
    return [
        f"{model.__name__.lower()}.{rel.get_accessor_name()} "
        f"(from {rel.related_model.__name__}.{rel.field.name})"
        for rel in meta.related_objects
        if rel.get_accessor_name()
    ]


@rule
def wrong_reverse_name(exc: BaseException, text: str) -> str | None:
    if not isinstance(exc, AttributeError) or type(exc).__name__ == "RelatedObjectDoesNotExist":
        return None
    obj = getattr(exc, "obj", None)
    name = getattr(exc, "name", None)
    if obj is not None and name and hasattr(type(obj), "_meta"):
        model = type(obj)
        accessors = _reverse_accessors(model)
        if not accessors:
            return None
        var = model.__name__.lower()
        names = [a.split(" ")[0].split(".", 1)[1] for a in accessors]
        if name.endswith("_set"):
            why = (
                f"{var}.{name} is the default name of a reverse manager, but a related_name "
                "replaced it (or no relation points here under that name)."
            )
        elif name.rstrip("s") in {n.removesuffix("_set") for n in names}:
            why = (
                f"You confused forward and reverse access: the reverse side is a manager, and "
                f"'{name}' is not its name. To call it {var}.{name}, set related_name='{name}' "
                "on the ForeignKey (or ManyToManyField) that points at "
                f"{model.__name__}."
            )
        else:
            why = "No field or reverse manager of the model has that name."
        return render(
            f"AttributeError: '{model.__name__}' object has no attribute '{name}'.",
            why + f" {model.__name__} has these reverse managers: " + ", ".join(accessors) + ".",
            f"use a reverse manager that exists and ask it for rows, e.g. {accessors[0].split(' ')[0]}"
            ".all(), or give the relation the related_name you want.",
        )
    manager_type = type(obj).__name__ if obj is not None else ""
    if name and manager_type.endswith("RelatedManager"):
        return render(
            f"AttributeError: a related manager has no attribute '{name}'.",
            "The reverse side of a ForeignKey (and both sides of a ManyToManyField) is a "
            "manager of many rows, not one object.",
            "ask it for rows first: .all(), .first(), .filter(...), .count().",
        )
    return None


# --- Other relationship errors ---------------------------------------------------------------


@rule
def manager_not_iterable(exc: BaseException, text: str) -> str | None:
    if isinstance(exc, TypeError) and re.search(
        r"'\w*RelatedManager' object is not iterable", text
    ):
        return render(
            "TypeError: a related manager is not a list.",
            "A reverse or many-to-many manager (author.posts, author.post_set, post.tags) only "
            "becomes rows when you ask it for them.",
            "iterate over the manager's .all() (or .filter(...), .order_by(...)).",
        )
    if isinstance(exc, TypeError) and re.search(r"Field '\w+' expected a number but got \[", text):
        return render(
            "TypeError: add()/remove() got a list.",
            "The many-to-many managers take the objects themselves as separate arguments.",
            "unpack the list: post.tags.add(*tags); or replace all links with post.tags.set(tags).",
        )
    if isinstance(exc, TypeError) and re.search(r"ManyRelatedManager\.set\(\) takes 2", text):
        return render(
            "TypeError: set() got several arguments.",
            "set() takes ONE list (or queryset) of objects: it replaces every link with them.",
            "post.tags.set([tag1, tag2]) (add() and remove() take separate arguments).",
        )
    if (
        isinstance(exc, TypeError)
        and "Direct assignment to the" in text
        and "is prohibited" in text
    ):
        return render(
            "TypeError: you assigned a list to a many-to-many field.",
            "post.tags = [...] is not allowed; links live in a join table managed by the manager.",
            "use post.tags.set([...]) (or add/remove/clear).",
        )
    return None


@rule
def field_error(exc: BaseException, text: str) -> str | None:
    if type(exc).__name__ != "FieldError":
        return None
    keyword = re.search(r"Cannot resolve keyword '(\w+)' into field\. Choices are: (.*)", text)
    if keyword:
        return render(
            f"FieldError: '{keyword.group(1)}' is not a field of the model you are filtering.",
            "In a double-underscore path each part before the last __ must be a field or a "
            "relation of the model reached so far (choices: " + keyword.group(2) + ").",
            "spell the path one relation at a time, e.g. Post.objects.filter(author__name='Alice') "
            "or Author.objects.filter(posts__tags__name='django').",
        )
    lookup = re.search(r"Unsupported lookup '(\w+)'", text)
    if lookup:
        return render(
            f"FieldError: '{lookup.group(1)}' is neither a field of the related model nor a lookup.",
            "After a relation (tags__...) Django expects a field of the related model "
            "(tags__name) or a lookup (tags__in).",
            "check the spelling of the part after the relation: tags__name='django'.",
        )
    if "Related Field got invalid lookup" in text:
        return render(
            "FieldError: a lookup was applied to a relation itself.",
            "author__icontains compares a whole related object; it needs a field in between.",
            "name the related field first: author__name__icontains='ali'.",
        )
    return None


@rule
def protected(exc: BaseException, text: str) -> str | None:
    kind = type(exc).__name__
    if kind not in {"ProtectedError", "RestrictedError"}:
        return None
    via = re.search(r"through (?:protected|restricted) foreign keys: '([\w.]+)'", text)
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
        "delete (or re-point) the dependent rows first, or pick the on_delete rule the "
        "scenario really wants: CASCADE deletes them, SET_NULL keeps them unlinked, RESTRICT "
        "refuses unless a CASCADE from the same delete removes them, PROTECT always refuses.",
    )


@rule
def integrity(exc: BaseException, text: str) -> str | None:
    if type(exc).__name__ != "IntegrityError":
        return None
    lowered = text.lower()
    if "unique" in lowered and re.search(r"_id\b.*,.*_id\b|\(\w+_id, \w+_id\)", lowered):
        return render(
            "IntegrityError: this pair is already linked.",
            "A unique constraint on the link model (e.g. one Tagging per post and tag) refuses "
            "a second row for the same pair.",
            "check whether the link exists first, or use get_or_create(...).",
        )
    if "unique" in lowered and ("_id" in lowered or "one" in lowered):
        return render(
            "IntegrityError: a second row for a one-to-one (or unique) link.",
            "A OneToOneField is a ForeignKey with unique=True: each user has at most one profile.",
            "get the existing row (user.profile) or use get_or_create/update_or_create "
            "instead of creating a second one.",
        )
    if "not null" in lowered or "null value in column" in lowered:
        return render(
            "IntegrityError: NOT NULL constraint failed on a foreign key column.",
            "Something tried to store NULL in a ForeignKey column that doesn't allow it: "
            "on_delete=models.SET_NULL on a field without null=True, SET_DEFAULT without a "
            "default, or a row created without its related object.",
            "with SET_NULL also pass null=True; with SET_DEFAULT give the field a default; "
            "otherwise set the related object before saving.",
        )
    if "foreign key" in lowered:
        column = re.search(r"\.(\w+_id) contains a value", text) or re.search(
            r"\((\w+_id)\)=", text
        )
        dangling = column.group(1) if column else "id in a foreign key column"
        return render(
            "IntegrityError: a foreign key points at a row that does not exist.",
            "on_delete=models.DO_NOTHING tells Django to do nothing, so the database is left "
            f"with a dangling {dangling} that it refuses when it checks the constraint.",
            "use a rule that keeps the data consistent (CASCADE, PROTECT, SET_NULL...), or "
            "handle the dependent rows yourself before deleting.",
        )
    return None


@rule
def query_while_loading(exc: BaseException, text: str) -> str | None:
    kind = type(exc).__name__
    missing_table = "no such table" in text or ("relation" in text and "does not exist" in text)
    if kind in {"OperationalError", "ProgrammingError"} and missing_table:
        return render(
            f"{kind}: a query ran before the tables exist.",
            "Code in models.py that runs while the file loads (e.g. default=some_function() "
            "with brackets) queries the database before Django has created the tables.",
            "pass the function itself, without brackets: default=some_function; Django then "
            "calls it each time it needs a value.",
        )
    return None


@rule
def related_object_missing(exc: BaseException, text: str) -> str | None:
    if type(exc).__name__ != "RelatedObjectDoesNotExist":
        return None
    return render(
        f"RelatedObjectDoesNotExist: {text}",
        "The reverse side of a OneToOneField is a single object, and this row has none yet.",
        "create it first (Profile.objects.create(user=user)), or check with "
        "hasattr(user, 'profile') / catch Profile.DoesNotExist.",
    )


@rule
def python_mistakes(exc: BaseException, text: str) -> str | None:
    if isinstance(exc, SyntaxError):
        return render(
            f"SyntaxError: Python can't read {exc.filename and exc.filename.rsplit('/', 1)[-1]}.",
            "The line shown (or the one just above it) breaks Python's grammar: a missing ':', "
            "bracket, quote or comma, or wrong indentation.",
            "fix that line; Django only sees your models once the file is valid Python.",
        )
    match = re.search(r"name '(\w+)' is not defined", text)
    if isinstance(exc, NameError) and match:
        return render(
            f"NameError: '{match.group(1)}' is used before anything has that name.",
            "A relation to a model defined further down the file (or misspelled) can't use "
            "the bare class name yet.",
            f"check the spelling; for a model defined later write its name as a string: "
            f'models.ForeignKey("{match.group(1)}", on_delete=...).',
        )
    if isinstance(exc, LookupError) and "relation to a model that does not exist" in text:
        return render(
            "A relation points at a model that does not exist.",
            "Django resolves ForeignKey('Name') by model name within the app; no model has that name.",
            "fix the spelling of the model name in the string, or define that model.",
        )
    return None


@rule
def not_implemented(exc: BaseException, text: str) -> str | None:
    if isinstance(exc, NotImplementedError):
        return render(
            "NotImplementedError: this kata function is still a stub.",
            "Its docstring is the specification; the test calls it to check your answer.",
            "replace `raise NotImplementedError` with your code (see the # TODO).",
        )
    return None


# --- System checks ---------------------------------------------------------------------------

CHECK_HINTS = {
    "fields.E300": "the relation points at a model that is not installed or misspelled.",
    "fields.E304": (
        "two relations to the same model would get the same reverse accessor "
        "(e.g. two ForeignKeys to Author both make author.post_set). Give each a distinct "
        "related_name, e.g. related_name='posts' and related_name='reviews'."
    ),
    "fields.E305": (
        "two relations would get the same reverse query name. Give each a distinct "
        "related_name (or related_query_name)."
    ),
    "fields.E320": (
        "on_delete=models.SET_NULL needs a column that can hold NULL: add null=True "
        "(and blank=True), or choose another on_delete rule."
    ),
    "fields.E321": (
        "on_delete=models.SET_DEFAULT needs default=... on the field, or choose another rule."
    ),
    "fields.E307": "a lazy reference ('app.Model') names a model that does not exist.",
    "fields.E339": "a through model's through_fields don't match its ForeignKeys.",
}


def explain_check(check_id: str | None) -> str:
    return CHECK_HINTS.get(check_id or "", "read Django's message and hint above.")
