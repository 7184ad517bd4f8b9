"""Rules about the learner's code at load time and in functions: a query while the file loads,
a missing table, syntax and name errors, a relation to a missing model, a kata function that is
still a stub."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from katalib.teach.explain.base import (
    Case,
    Place,
    Rule,
    _a,
    _source,
    render,
)


def needs_module_level(case: Case) -> Any:
    """Code at the top level of a kata file, running while the file loads."""
    return next((p for p in case.places if p.function == "<module>"), None)


def _call_while_loading(case: Case) -> tuple[Place, str] | None:
    """The line that called a function of the kata while the file loaded, and the function's
    name: ``default=inbox_queue_id()`` or ``SET(deleted_member())`` in a model's body."""
    places = case.places
    start = next((i for i, p in enumerate(places) if p.function == "<module>"), None)
    if start is None:
        return None
    for index in range(start + 1, len(places)):  # the outermost function: the load-time call
        called = places[index].function
        if re.match(rf"\s*class {re.escape(called)}\b", places[index - 1].line):
            continue  # a class body (a model's fields), not a function
        for caller in reversed(places[start:index]):
            if re.search(rf"\b{re.escape(called)}\(", caller.line):
                return caller, called
    return None


def say_query_while_loading(case: Case, place: Place) -> str:
    kind = type(case.exc).__name__
    found = _call_while_loading(case)
    if found:
        call, function = found
        line = call.line.strip()
        passed = re.sub(rf"\b{re.escape(function)}\(\s*\)", function, line)
        return render(
            f"{kind}: a query ran while {call.name} loads, before the tables exist.",
            f"{call.name} line {call.lineno} calls {function}() while the file loads: the "
            f"brackets run it at once, and its query reaches the database before Django has "
            "created the tables.",
            f"pass the function itself, without brackets: {passed}; Django then calls "
            f"{function} each time it needs a value.",
        )
    here = case.innermost or place
    if re.search(r"default\s*=\s*[\w.]+\(", here.line):
        return render(
            f"{kind}: a query ran before the tables exist.",
            f"{here.name} line {here.lineno} calls a function while the file loads "
            "(default=some_function() with brackets), and it queries the database before "
            "Django has created the tables.",
            "pass the function itself, without brackets: default=some_function; Django then "
            "calls it each time it needs a value.",
        )
    return render(
        f"{kind}: a query ran before the tables exist.",
        f"{here.name} line {here.lineno} queries the database while the file loads, before "
        "Django has created the tables.",
        "move that query into a function (or a method) that runs when it is called.",
    )


def say_missing_table(case: Case, _: Any) -> str:
    kind = type(case.exc).__name__
    return render(
        f"{kind}: the table does not exist in the test database.",
        "The test database is built from the models when the run starts; this table belongs "
        "to a model that was not there then (a kata that did not load, or a model added or "
        "renamed since).",
        "fix the kata's first error above (if any), then run the tests again from the start.",
    )


def needs_syntax_error(case: Case) -> Any:
    return isinstance(case.exc, SyntaxError)


def say_syntax_error(case: Case, _: Any) -> str:
    filename = getattr(case.exc, "filename", None) or ""
    name = Path(filename).name if filename and not filename.startswith("<") else "the file"
    if name == "models.py":
        loads = "Django only sees your models once models.py is valid Python"
    else:
        loads = f"Python can load {name} only once it is valid"
    return render(
        f"SyntaxError: Python can't read {name}.",
        "The line shown (or the one just above it) breaks Python's grammar: a missing ':', "
        "bracket, quote or comma, or wrong indentation.",
        f"fix that line; {loads}.",
    )


IMPORTS = {
    "models": "from django.db import models",
    "timezone": "from django.utils import timezone",
    "Q": "from django.db.models import Q",
    "F": "from django.db.models import F",
    "Count": "from django.db.models import Count",
    "Exists": "from django.db.models import Exists",
    "OuterRef": "from django.db.models import OuterRef",
    "Prefetch": "from django.db.models import Prefetch",
    "settings": "from django.conf import settings",
}


def needs_name_in_kata(case: Case) -> Any:
    """The kata file the NameError happened in, with the name and the classes it defines."""
    place = case.innermost
    source = _source(place.filename) if place else ""
    return (place, source) if source else None


# Django's on_delete rules: names of django.db.models, never models of the kata.
ON_DELETE_RULES = ("CASCADE", "PROTECT", "RESTRICT", "SET_NULL", "SET_DEFAULT", "SET", "DO_NOTHING")


def say_on_delete_name(name: str, source: str = "") -> str:
    """A bare ``CASCADE``: the rule lives in django.db.models."""
    written = f"models.{name}(...)" if name == "SET" else f"models.{name}"
    imported = re.search(r"^from django\.db import .*\bmodels\b", source, re.MULTILINE)
    reach = (
        "the file reaches them through the models module it imports"
        if imported
        else "write them as models.<rule>, with `from django.db import models` at the top"
    )
    return render(
        f"NameError: '{name}' is not defined: it is one of Django's on_delete rules.",
        f"The on_delete rules live in django.db.models, like the fields: {reach}.",
        f"write on_delete={written} (or import the name itself: "
        f"from django.db.models import {name}).",
    )


def _text_slot(line: str, source: str) -> tuple[str, str] | None:
    """``NAME = value`` where an f-string of the file writes ``{NAME}`` into a text: the name
    and the text the value should be (``CASCADE`` for ``models.CASCADE`` after ``models.``)."""
    assigned = re.match(r"\s*([A-Za-z_]\w*)\s*=\s*([^#]+?)\s*(?:#.*)?$", line)
    if not assigned:
        return None
    target, value = assigned.groups()
    slot = re.search(rf"""\bf(["']).*?([\w.]*)\{{{re.escape(target)}\}}""", source)
    if not slot:
        return None
    before = slot.group(2)
    if before and value.startswith(before):
        value = value[len(before) :]  # the f-string writes "models." already
    return target, value


# Calls that take a field's name as text: Count("posts"), order_by("title"), F("name").
TAKE_FIELD_NAMES = (
    "Count", "Sum", "Avg", "Max", "Min", "F", "OuterRef", "Prefetch", "order_by", "values",
    "values_list", "select_related", "prefetch_related", "only", "defer", "distinct",
)  # fmt: skip


def _field_names(case: Case) -> set[str]:
    """The names a query of the kata can use: fields, relations and their reverse sides."""
    return {f.name for model in case.kata.models for f in model._meta.get_fields()}


def _field_statement(source: str, lineno: int) -> tuple[str, str] | None:
    """The relation field whose call the line ``lineno`` is part of (ForeignKey,
    ManyToManyField...), and the whole statement on one line (``parent = models.ForeignKey(
    Comment, ...)`` written over three lines), looking back a few lines for its call."""
    lines = source.splitlines()
    for start in range(lineno - 1, max(lineno - 7, -1), -1):
        found = re.search(r"\b(ForeignKey|OneToOneField|ManyToManyField)\(", lines[start])
        if not found:
            continue
        parts, depth = [], 0
        for line in lines[start : start + 8]:
            parts.append(line.strip())
            depth += line.count("(") - line.count(")")
            if depth <= 0:
                break
        statement = re.sub(r"\(\s+", "(", " ".join(parts))
        return found.group(1), re.sub(r",?\s+\)", ")", statement)
    return None


def _say_class_names_itself(name: str, cls: str, line: int, place: Place, source: str) -> str:
    """Inside class ``cls`` the learner wrote ``name`` (``cls`` itself, a misspelling of it,
    or ``self`` without quotes): a model can't name itself while it is being defined; the
    string "self" can."""
    kind, statement = _field_statement(source, place.lineno) or ("ForeignKey", "")
    bare = rf"(?<![\w.\"'])\b{re.escape(name)}\b(?!\s*[(.\"'=])"
    selfed = re.sub(bare, '"self"', statement, count=1)
    if selfed != statement:
        example = selfed
    else:
        rest = "..." if kind == "ManyToManyField" else "on_delete=..."
        example = f'models.{kind}("self", {rest})'
    if name == "self":
        what = "NameError: 'self' is not defined: the target of a link to its own model is text."
        why = (
            f"Line {place.lineno} is inside class {cls} (line {line}), and a class body has no "
            "variable self (self exists inside methods). A model can't name itself while it "
            'is being defined either: Django reads the string "self" as "this model".'
        )
    else:
        what = (
            f"NameError: '{name}' is the class being defined."
            if name == cls
            else f"NameError: '{name}' is not defined, and {cls} is the class being defined."
        )
        why = (
            f"Line {place.lineno} is inside class {cls} (line {line}): a model can't name "
            f"itself while it is being defined, since the name {cls} exists only once the "
            "class body has run."
        )
    return render(
        what,
        why,
        f'a link from {_a(cls)} to another {cls} names its target with the string "self" '
        f'(or "{cls}"): {example}; a link to another model names that model.',
    )


def say_name_error(case: Case, found: tuple[Place, str]) -> str | None:
    place, source = found
    name = case.group(1)
    classes = {
        m.group(1): source[: m.start()].count("\n") + 1
        for m in re.finditer(r"^class (\w+)\b", source, re.MULTILINE)
    }
    slot = _text_slot(place.line, source)
    if slot:
        target, text = slot
        return render(
            f"NameError: '{name}' is not defined: {target} holds text.",
            f"{place.name} writes {target} into a text (an f-string with {{{target}}}). "
            f"Without quotes, {place.line.split('=', 1)[1].split('#')[0].strip()} on line "
            f"{place.lineno} is Python code, and nothing in {place.name} is called {name}.",
            f'put the text in quotes: {target} = "{text}".',
        )
    if name in classes and classes[name] > place.lineno:
        # The learner's own line with the name in quotes: ForeignKey("Post", ...), through="Post".
        quoted = re.sub(
            rf"(?<![\w.\"'])\b{re.escape(name)}\b(?!\s*[(.\"'])", f'"{name}"', place.line
        )
        example = (
            quoted.strip()
            if quoted != place.line and re.search(r"Field\(", place.line)
            else f'models.ForeignKey("{name}", on_delete=...)'
        )
        return render(
            f"NameError: '{name}' is used before the class is defined.",
            f"{name} is defined further down {place.name} (line {classes[name]}); on line "
            f"{place.lineno} Python doesn't know it yet.",
            f"write its name as a string: {example}.",
        )
    constant = re.fullmatch(rf"\s*([A-Z][A-Z0-9_]*)\s*=\s*{re.escape(name)}\s*(#.*)?", place.line)
    if constant and place.function == "<module>" and name not in IMPORTS:
        return render(
            f"NameError: name '{name}' is not defined.",
            f"{place.name} line {place.lineno} sets {constant.group(1)} to {name} without "
            f"quotes, so Python looks for a variable called {name}, and there is none.",
            f'if you meant the text, put it in quotes: {constant.group(1)} = "{name}".',
        )
    # The class whose body is running: its frame is named after it.
    inside = (classes[place.function], place.function) if place.function in classes else None
    if inside and name in (inside[1], "self"):
        return _say_class_names_itself(name, inside[1], inside[0], place, source)
    if name in ON_DELETE_RULES:
        return say_on_delete_name(name, source)
    if name in IMPORTS:
        return render(
            f"NameError: '{name}' is not imported.",
            f"{place.name} uses {name} without importing it.",
            f"add `{IMPORTS[name]}` at the top of {place.name}.",
        )
    said = _kata_model_or_models_name(case, name, place, source)
    if said:
        return said
    takes_name = re.search(
        rf"\b({'|'.join(TAKE_FIELD_NAMES)})\((?:[^()]*?[,\s(])?{re.escape(name)}\b(?!\s*[=(.])",
        place.line,
    )
    if takes_name and name in _field_names(case):
        # Count(posts), order_by(title): a field's name, written as if it were a variable.
        bare = rf"(?<![\w.\"'])\b{re.escape(name)}\b(?!\s*[(.\"'=])"
        quoted = re.sub(bare, f'"{name}"', place.line).strip()
        return render(
            f"NameError: '{name}' is not defined: {name} is the name of a field, and a "
            "field's name is text.",
            f"Without quotes, Python looks for a variable called {name} on line "
            f"{place.lineno}. {takes_name.group(1)}() takes the field's name as a string, "
            "like every query method and expression.",
            f"put the name in quotes: {quoted}",
        )
    close = difflib.get_close_matches(name, [*classes, *IMPORTS], n=1)
    if close and inside and close[0] == inside[1]:
        return _say_class_names_itself(name, inside[1], inside[0], place, source)
    if close:
        return render(
            f"NameError: '{name}' is not defined; did you mean '{close[0]}'?",
            f"Nothing in {place.name} is called {name}.",
            f"fix the spelling on line {place.lineno}: {close[0]}.",
        )
    return None


def _kata_model_or_models_name(case: Case, name: str, place: Place, source: str) -> str | None:
    """A model of the kata used in a file that doesn't import it, or a name of
    django.db.models (``ManyToManyField``) written without ``models.``."""
    from django.db import models

    model = next((m for m in case.kata.models if m.__name__ == name), None)
    imports = re.search(r"^\s*from \.models import (.+)$", source, re.MULTILINE)
    if model is not None and imports:
        listed = imports.group(1).split("#")[0].strip().strip("()")
        return render(
            f"NameError: '{name}' is not imported in {place.name}.",
            f"{name} is a model of this kata (models.py), but {place.name} imports only "
            f"{listed} from it.",
            f"add it to the import at the top of {place.name}: from .models import "
            f"{listed}, {name}.",
        )
    if name in dir(models) and not name.startswith("_"):
        has_models = re.search(r"^from django\.db import .*\bmodels\b", source, re.MULTILINE)
        return render(
            f"NameError: '{name}' is not defined: it lives in django.db.models.",
            f"{place.name} "
            + (
                "imports the module models, not its names one by one"
                if has_models
                else "does not import it"
            )
            + f", so {name} alone means nothing here.",
            f"write models.{name}"
            + ("" if has_models else " with `from django.db import models` at the top")
            + f" (or import the name itself: from django.db.models import {name}).",
        )
    return None


def say_name_error_general(case: Case, _: Any) -> str:
    name = case.group(1)
    if name in ON_DELETE_RULES:
        return say_on_delete_name(name)
    return render(
        f"NameError: '{name}' is not defined.",
        f"Nothing called {name} exists at this point: it is not defined above the line that "
        "uses it, not imported, or spelled differently (names are case-sensitive).",
        f"check the spelling of {name}, and define or import it before the line that uses it.",
    )


def needs_misspelt_models_name(case: Case) -> Any:
    """``models.SET_DEFAULTS``: the name of django.db.models it is closest to."""
    from django.db import models

    public = [n for n in dir(models) if not n.startswith("_")]
    name = case.group(1)
    same = [n for n in public if n.lower() == name.lower()]  # models.Cascade: CASCADE
    if same:
        return same[:2]
    # Case-insensitive closeness: models.Protected and models.PROTECTED both mean PROTECT.
    # Exceptions and Rel classes only when the name says so (PROTECTED: PROTECT, no Error).
    lowered: dict[str, str] = {}
    for n in public:
        internal = n.endswith(("Error", "Rel")) and not name.endswith(("Error", "Rel"))
        if not internal:
            lowered.setdefault(n.lower(), n)
    close = difflib.get_close_matches(name.lower(), list(lowered), n=2, cutoff=0.75)
    return [lowered[c] for c in close] or None


def say_misspelt_models_name(case: Case, close: list[str]) -> str:
    name = case.group(1)
    return render(
        f"AttributeError: django.db.models has no '{name}'.",
        "Django's field types and on_delete rules are spelled exactly, capitals included.",
        f"did you mean {' or '.join(f'models.{c}' for c in close)}?",
    )


def _model_of_another_app(name: str) -> Any:
    """The installed model called ``name`` (in another app), if there is exactly one."""
    try:
        from django.apps import apps

        found = [m for m in apps.get_models() if m.__name__ == name]
    except Exception:  # noqa: BLE001 - Django not set up: nothing to say
        return None
    return found[0] if len(found) == 1 else None


def say_missing_model(case: Case, _: Any) -> str:
    named = re.findall(r"(?:->|through) '(\w+)'", case.text)
    classes = [
        c
        for path in case.kata.files
        for c in re.findall(r"^class (\w+)\b", _source(str(path)), re.MULTILINE)
    ]
    close = difflib.get_close_matches(named[0], classes, n=1) if named else []
    elsewhere = _model_of_another_app(named[0]) if named and not close else None
    if elsewhere is not None:
        from django.conf import settings

        label = elsewhere._meta.label
        user = label.lower() == str(settings.AUTH_USER_MODEL).lower()
        return render(
            f"A relation points at '{named[0]}', which is not a model of this kata.",
            f"A model name in quotes without an app label means a model of the same app. "
            f"{named[0]} lives in the app '{elsewhere._meta.app_label}'.",
            f"write '{label}'"
            + (", or better settings.AUTH_USER_MODEL (the project's user model)" if user else "")
            + ".",
        )
    fix = (
        f"did you mean '{close[0]}'? Write the model's name as its class is called."
        if close
        else "fix the spelling of the model name in the string, or define that model."
    )
    return render(
        "A relation points at a model that does not exist.",
        "Django resolves ForeignKey('Name') (and through='Name') by model name within the "
        "app; no model has that name.",
        fix,
    )


def needs_stub(case: Case) -> Any:
    place = case.innermost
    return place if place is not None and "NotImplementedError" in place.line else None


def say_stub(case: Case, place: Place) -> str:
    return render(
        "NotImplementedError: this kata function is still a stub.",
        f"{place.function}() in {place.name}: its docstring is the specification; the test "
        "calls it to check your answer.",
        f"replace `raise NotImplementedError` (line {place.lineno}) with your code "
        "(see the # TODO).",
    )


RULES: tuple[Rule, ...] = (
    # The learner's code: at load time, stubs, endless loops.
    Rule("query while the file loads", ("OperationalError", "ProgrammingError"),
         say_query_while_loading, r"no such table|relation .* does not exist",
         needs_module_level),
    Rule("missing table", ("OperationalError", "ProgrammingError"), say_missing_table,
         r"no such table|relation .* does not exist",
         fallback="every run builds the kata's tables afresh: only a database kept from an "
         "earlier run (pytest --reuse-db) lacks one"),
    Rule("syntax error", ("SyntaxError",), say_syntax_error, needs=needs_syntax_error),
    Rule("name error in a kata file", ("NameError",), say_name_error,
         r"name '(\w+)' is not defined", needs_name_in_kata),
    Rule("name error", ("NameError",), say_name_error_general, r"name '(\w+)' is not defined"),
    Rule("misspelt name of django.db.models", ("AttributeError",), say_misspelt_models_name,
         r"^module 'django\.db\.models' has no attribute '(\w+)'", needs_misspelt_models_name),
    Rule("relation to a missing model", ("LookupError",), say_missing_model,
         "relation to a model that does not exist"),
    Rule("stub", ("NotImplementedError",), say_stub, needs=needs_stub),
)  # fmt: skip
