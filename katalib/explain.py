"""Recognise the errors a learner meets in the katas and explain them: ❌ what, ✅ fix.

``explain(exc, kata)`` returns the explanation for an exception (or for the first recognised
one in its ``__cause__`` / ``__context__`` chain), or ``None``. Django's own message is never
replaced: the plugin prints the explanation *after* it.

The explanations are one table, ``RULES``. Each rule says which errors it is about (exception
class, message pattern) and what must be true for its words to fit (``needs``): a field with
``on_delete=DO_NOTHING`` at the failing column, a ``OneToOneField``, a kata function that is
still a stub... ``needs`` looks at the learner's kata (``KataContents``: its models and the
files the learner edits) and at the error itself. A rule whose subject is not there does not
fire; a later, more general rule speaks instead, or nothing does.
"""

from __future__ import annotations

import ast
import difflib
import linecache
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from katalib import manifest

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
    why = why.replace("\n", "\n   ")
    return f"{bad} {what}\n   {why}\n{good} Fix: {fix}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what caused it. A test that turns an error into a short failure message
    (``pytest.fail(..., pytrace=False)``) hands the error on as ``failure.kata_error``."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "kata_error", None)


# --- What the learner's kata contains --------------------------------------------------------


@dataclass(frozen=True)
class KataContents:
    """A kata's loaded models and the files the learner edits: what the rules may talk about.

    ``KataContents()`` (nothing known) makes every rule that needs something of the kata stay
    silent, so only the general wordings remain.
    """

    models: tuple[type, ...] = ()
    files: tuple[Path, ...] = ()

    @classmethod
    def of(cls, kata: Any) -> KataContents:
        """The contents of a ``manifest.Kata`` (its app's models), or ``kata`` itself."""
        if kata is None:
            return cls()
        if isinstance(kata, KataContents):
            return kata
        try:
            from django.apps import apps

            models = tuple(apps.get_app_config(kata.label).get_models())
        except Exception:  # noqa: BLE001 - not installed, Django not set up: nothing known
            models = ()
        return cls(models, tuple(kata.editable()))

    @cached_property
    def all_models(self) -> tuple[type, ...]:
        """The kata's models, their many-to-many join tables and the models they point at."""
        found: dict[type, None] = dict.fromkeys(self.models)
        for model in self.models:
            for field in model._meta.get_fields():
                if field.many_to_many and getattr(field, "remote_field", None) is not None:
                    through = getattr(field.remote_field, "through", None)
                    if isinstance(through, type):
                        found.setdefault(through)
                related = getattr(field, "related_model", None)
                if isinstance(related, type):
                    found.setdefault(related)
        return tuple(found)

    def model(self, name: str | None) -> type | None:
        if not name:
            return None
        return next(
            (m for m in self.all_models if m.__name__.lower() == name.lower()),
            None,
        )

    def model_at(self, table: str | None) -> type | None:
        return next((m for m in self.all_models if m._meta.db_table == table), None)

    def field_at(self, table: str | None, column: str) -> Any:
        """The field stored in ``table.column`` (any table of the kata when ``table`` is None)."""
        models = [self.model_at(table)] if table else list(self.all_models)
        for model in models:
            for field in getattr(getattr(model, "_meta", None), "concrete_fields", ()):
                if field.column == column:
                    return field
        return None

    def fields(self) -> Iterator[Any]:
        for model in self.all_models:
            yield from model._meta.concrete_fields
            yield from model._meta.local_many_to_many

    def m2m_of(self, through: type) -> Any:
        """The ManyToManyField whose links are rows of ``through``, or None."""
        return next(
            (
                f
                for f in self.fields()
                if f.many_to_many and getattr(f.remote_field, "through", None) is through
            ),
            None,
        )


def _on_delete(field: Any) -> str | None:
    rule = getattr(getattr(field, "remote_field", None), "on_delete", None)
    return getattr(rule, "__name__", None) if field.concrete else None


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a Post", "an Author"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _var(model: Any) -> str:
    return getattr(model, "__name__", "obj").lower()


def _kata_of_path(filename: str) -> manifest.Kata | None:
    return manifest.kata_at(filename, trees=manifest.TARGETS)


def _infer_kata(exc: BaseException) -> manifest.Kata | None:
    """The kata an error came from when nobody said: a frame in its folder, or its tables."""
    for link in _chain(exc):
        for frame in traceback.extract_tb(link.__traceback__):
            kata = _kata_of_path(frame.filename)
            if kata is not None:
                return kata
    text = " ".join(str(link) for link in _chain(exc))
    try:
        katas = manifest.load()
    except (OSError, SystemExit):
        return None
    return next((k for k in katas if re.search(rf"\b{k.label}_", text)), None)


# --- Where in the learner's code -------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A line of a kata file (not a test) that the error went through."""

    filename: str
    lineno: int
    function: str
    line: str

    @property
    def name(self) -> str:
        return Path(self.filename).name


def _source(filename: str) -> str:
    """The text of a file as the traceback shows it (linecache: the file, or what it cached)."""
    return "".join(linecache.getlines(filename))


def _learner_places(exc: BaseException, files: tuple[Path, ...] = ()) -> list[Place]:
    """Lines of the learner's kata files in the traceback, outermost first.

    With ``files`` (the kata's editable files) only those count; without, any file of a kata
    folder except its tests.
    """
    editable = {_resolved(f) for f in files}
    places = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if editable:
            if _resolved(frame.filename) not in editable:
                continue
        elif _kata_of_path(frame.filename) is None or Path(frame.filename).name.startswith("test_"):
            continue
        places.append(Place(frame.filename, frame.lineno or 0, frame.name, (frame.line or "")))
    return places


def _resolved(path: str | Path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(path)


def _is_kata_test(filename: str) -> bool:
    """A test file of a kata folder: given, never the learner's to edit."""
    return _kata_of_path(filename) is not None and Path(filename).name.startswith("test_")


@dataclass(frozen=True)
class Caller:
    """The innermost line of the kata (a file the learner edits, or a kata's test) that the
    error went through: who made the call that failed."""

    place: Place
    test: bool  # a test file, which the learner may not edit


def _caller(exc: BaseException, files: tuple[Path, ...]) -> Caller | None:
    editable = {_resolved(f) for f in files}
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        mine = _resolved(frame.filename) in editable
        if mine or _is_kata_test(frame.filename):
            place = Place(frame.filename, frame.lineno or 0, frame.name, frame.line or "")
            found = Caller(place, test=not mine)
    return found


def _model_file(model: Any) -> str | None:
    """The file that defines ``model`` (the kata's models.py)."""
    module = sys.modules.get(getattr(model, "__module__", "") or "")
    return getattr(module, "__file__", None)


def _todo_about(model: Any, word: str) -> int | None:
    """The line of a ``# TODO`` comment in ``model``'s class that mentions ``word``, or None."""
    filename = _model_file(model)
    lines = linecache.getlines(filename) if filename else []
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"class {model.__name__}\b", line)),
        None,
    )
    if start is None:
        return None
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line.strip() and not line[0].isspace():
            break  # the class has ended
        if "# TODO" not in line:
            continue
        block = [line]
        for after in lines[index + 1 :]:
            if not after.strip().startswith("#") or "TODO" in after:
                break
            block.append(after)
        if re.search(rf"\b{re.escape(word)}\b", "".join(block), re.IGNORECASE):
            return index + 1
    return None


# --- The table of rules ----------------------------------------------------------------------


@dataclass
class Case:
    """One error being explained, with what is known about the learner's kata."""

    exc: BaseException
    text: str
    kata: KataContents
    match: re.Match[str] | None = None

    @cached_property
    def places(self) -> list[Place]:
        return _learner_places(self.exc, self.kata.files)

    @property
    def innermost(self) -> Place | None:
        return self.places[-1] if self.places else None

    @cached_property
    def caller(self) -> Caller | None:
        return _caller(self.exc, self.kata.files)

    def editable_file_of(self, model: Any) -> str | None:
        """The name of the file that defines ``model`` (models.py) when the learner edits it."""
        filename = _model_file(model)
        editable = {_resolved(f) for f in self.kata.files}
        return Path(filename).name if filename and _resolved(filename) in editable else None

    def group(self, index: int | str) -> str:
        return self.match.group(index) if self.match else ""


Needs = Callable[[Case], Any]
Say = Callable[[Case, Any], "str | None"]


def always(case: Case) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    """An explanation, and exactly when it fits.

    ``catches``: exception class names, matched anywhere in the class's MRO.
    ``pattern``: a regular expression searched in the message ("" matches any message).
    ``needs``: what must be true of the case (usually of the learner's kata); its truthy
    result (e.g. the field it found) is handed to ``say``.
    """

    name: str
    catches: tuple[str, ...]
    say: Say
    pattern: str = ""
    needs: Needs = always

    def applies(self, case: Case) -> Any:
        names = {cls.__name__ for cls in type(case.exc).__mro__}
        if not names & set(self.catches):
            return None
        case.match = re.search(self.pattern, case.text, re.DOTALL) if self.pattern else None
        if self.pattern and case.match is None:
            return None
        return self.needs(case)


def explain(exc: BaseException, kata: Any = None) -> str | None:
    """The explanation for ``exc``.

    ``kata`` is the ``manifest.Kata`` the failure came from (or a ``KataContents``); None means
    unknown, and the kata is then looked for in the traceback and the table names.
    """
    contents = KataContents.of(kata if kata is not None else _infer_kata(exc))
    for link in _chain(exc):
        case = Case(link, str(link), contents)
        for rule in RULES:
            subject = rule.applies(case)
            if subject:
                found = rule.say(case, subject)
                if found:
                    return found
    return None


# --- Rules: ForeignKey definitions -------------------------------------------------------------

ON_DELETE_MISSING = r"(\w+)\.__init__\(\) missing 1 required positional argument: 'on_delete'"


def say_missing_on_delete(case: Case, _: Any) -> str:
    field = case.group(1)
    example = f"models.{field}(Author, on_delete=models.CASCADE)"
    place = case.places[0] if case.places else None
    line = place.line.strip() if place else ""
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


# --- Rules: creating rows ------------------------------------------------------------------

UNEXPECTED_KEYWORD = r"^(\w+)\(\) got (?:an )?unexpected keyword arguments?:? (.+)$"


def _field_names(model: Any) -> list[str]:
    meta = model._meta
    return [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]


def _closest(name: str, choices: list[str], cutoff: float = 0.6) -> str | None:
    """The choice ``name`` is most likely a misspelling of (the same letters in another case
    first), or None."""
    same = [c for c in choices if c.lower() == name.lower()]
    if same:
        return same[0]
    close = difflib.get_close_matches(name, choices, n=1, cutoff=cutoff)
    return close[0] if close else None


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


def say_unknown_model_keyword(case: Case, found: tuple[type, list[str]]) -> str:
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
    if close:
        fix = f"did you mean {close}? Use the name the field has."
    elif models_file:
        fix = f"use one of {name}'s fields, or add {keyword} to class {name} in {models_file}."
    else:
        fix = f"create the {name} with the fields it has."
    return render(
        f"TypeError: {name} has no {nouns} {_quoted(missing)}.",
        f"{what}, but {name} has no such field. {have}",
        fix,
    )


# --- Rules: saving and linking ---------------------------------------------------------------

REPR = r'"?<(\w+): [^>]*>"?'


def needs_m2m_model(case: Case) -> Any:
    """The unsaved object's model, when the kata has it and it has a many-to-many field."""
    model = case.kata.model(case.group(1))
    m2m = [f for f in getattr(getattr(model, "_meta", None), "many_to_many", ())]
    return (model, m2m[0]) if m2m else None


def say_add_before_save(case: Case, found: tuple[type, Any]) -> str:
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


def say_unsaved_reverse(case: Case, _: Any) -> str:
    model = case.kata.model(case.group(1))
    meta = getattr(model, "_meta", None)
    accessors = [r.get_accessor_name() for r in meta.related_objects] if meta else []
    accessors = [a for a in accessors if a]
    if model is None or not accessors:
        return render(
            "ValueError: the object is not saved, so it has no related rows to look up.",
            "A reverse manager filters by the object's id, which an unsaved object doesn't have.",
            "save the object first: obj.save(), or create it with Model.objects.create(...).",
        )
    var = _var(model)
    return render(
        "ValueError: the object is not saved, so it has no related rows to look up.",
        f"{var}.{accessors[0]} filters by {var}.id, which an unsaved {model.__name__} doesn't "
        "have.",
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


def needs_relation_in_line(case: Case) -> Any:
    """The relation the learner compared with a text: a keyword of the line that is a relation."""
    names = {f.name: f for f in case.kata.fields() if f.is_relation}
    for place in reversed(case.places or []):
        for keyword in re.findall(r"(\w+)\s*=(?!=)", place.line):
            base = keyword.split("__")[0]
            if base in names and "__" not in keyword:
                return names[base]
    return None


def _text_field(model: Any) -> str:
    for field in getattr(getattr(model, "_meta", None), "concrete_fields", ()):
        if field.get_internal_type() in {"CharField", "TextField", "SlugField"}:
            return field.name
    return "name"


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
        f"{owner.lower()}.{field.name} is a {target} that has no id yet, so {field.column} "
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


# --- Rules: names of relations and managers --------------------------------------------------


def _reverse_rels(model: type) -> list[Any]:
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
    model, name = type(case.exc.obj), case.exc.name
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
    model, name = type(case.exc.obj), case.exc.name
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
    return render(
        "TypeError: add()/remove() got a list.",
        "The many-to-many managers take the objects themselves as separate arguments.",
        f"unpack the list: {prefix}add(*objects); or replace all links with {prefix}set(objects).",
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


# --- Rules: double-underscore paths ------------------------------------------------------------


def _example_path(kata: KataContents) -> str | None:
    for field in kata.fields():
        if field.concrete and field.is_relation and field.model in kata.models:
            column = _text_field(field.related_model)
            return f"{field.model.__name__}.objects.filter({field.name}__{column}=...)"
    return None


def say_unknown_keyword(case: Case, _: Any) -> str:
    keyword, choices = case.group(1), [c.strip() for c in case.group(2).split(",")]
    close = _closest(keyword, choices)
    example = _example_path(case.kata)
    if close and close.lower() == keyword.lower():
        hint = f"names are case-sensitive: did you mean '{close}'? Spell"
    elif close:
        hint = f"did you mean '{close}'? Spell"
    else:
        hint = "spell"
    return render(
        f"FieldError: '{keyword}' is not a field of the model you are filtering.",
        "In a double-underscore path each part before the last __ must be a field or a "
        "relation of the model reached so far (choices: " + ", ".join(choices) + ").",
        hint
        + " the path one relation at a time"
        + (f", e.g. {example}." if example else ": relation__field."),
    )


UNSUPPORTED_LOOKUP = r"Unsupported lookup '(\w+)' for (\w+)(?:.*perhaps you meant ([\w ]+)\?)?"
RELATION_TYPES = {"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject"}
# "Not equal" lookups other query languages have; Django leaves rows out with exclude().
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
    field_class = getattr(models_module(), kind, None)
    lookups = sorted(field_class.get_lookups()) if hasattr(field_class, "get_lookups") else []
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


def say_invalid_related_lookup(case: Case, _: Any) -> str:
    lookup = case.group(1)
    relation = None
    for place in reversed(case.places):
        found = re.search(rf"(\w+)__{lookup}\b", place.line)
        if found:
            relation = found.group(1)
    field = next((f for f in case.kata.fields() if f.name == relation and f.is_relation), None)
    example = (
        f"{relation}__{_text_field(field.related_model)}__{lookup}=..."
        if field
        else f"<relation>__<field>__{lookup}=..."
    )
    return render(
        "FieldError: a lookup was applied to a relation itself.",
        f"__{lookup} compares a whole related object; it needs a field in between.",
        f"name the related field first: {example}",
    )


# --- Rules: on_delete refusals -------------------------------------------------------------


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
        "delete (or re-point) the dependent rows first, or pick the on_delete rule the "
        "scenario really wants: CASCADE deletes them, SET_NULL keeps them unlinked, RESTRICT "
        "refuses unless a CASCADE from the same delete removes them, PROTECT always refuses.",
    )


# --- Rules: the database's constraints (IntegrityError) ----------------------------------------


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
    return (named or candidates or [None])[0]


def needs_unique_pair(case: Case) -> Any:
    _, columns, _ = _unique_columns(case.text)
    model = _unique_model(case)
    if len(columns) < 2 or model is None:
        return None
    fields = [case.kata.field_at(model._meta.db_table, c) for c in columns]
    return (model, [f for f in fields if f is not None])


def say_unique_pair(case: Case, found: tuple[type, list[Any]]) -> str:
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
    return render(
        f"IntegrityError: a second {owner.__name__} for the same {target.__name__}.",
        f"{owner.__name__}.{field.name} is a OneToOneField (a ForeignKey with unique=True): "
        f"each {target.__name__} has at most one {owner.__name__}.",
        f"get the existing one ({_var(target)}.{accessor}) or use {owner.__name__}.objects."
        f"update_or_create({field.name}=..., defaults={{...}}) instead of creating a second.",
    )


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


def say_null_field(case: Case, field: Any) -> str:
    owner = field.model.__name__
    rule = _on_delete(field)
    if rule == "SET_NULL":
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
            f"IntegrityError: a {owner} was saved without its {field.name}.",
            f"{owner}.{field.name} is required: {field.column} can't be NULL.",
            f"pass it when you create the row{where}: {owner}.objects.create("
            f"{field.name}=..., ...); if a {owner} may exist without one, {allow}.",
        )
    return render(
        f"IntegrityError: {owner}.{field.name} can't be empty (NULL).",
        f"The {field.column} column doesn't allow NULL, and the row had no value for it.",
        f"give {field.name} a value when you create the row{where}, or a default=... in the model.",
    )


def say_null_from_tests(field: Any, place: Place, models_file: str) -> str:
    """The tests (which the learner doesn't edit) saved the row: the model must allow it."""
    owner = field.model.__name__
    saved = f"The tests save a {owner} without a {field.name} ({place.name}, line {place.lineno})"
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
        story = f"a {owner} may exist without a {target}"
    return render(
        f"IntegrityError: a {owner} was saved without its {field.name}.",
        f"{saved}: {story}. But {owner}.{field.name} is required: {field.column} can't be NULL.",
        f"let the column hold NULL: add null=True, blank=True to {owner}.{field.name} in "
        f"{models_file}.",
    )


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


def say_dangling_field(case: Case, field: Any) -> str:
    owner, target = field.model.__name__, field.related_model.__name__
    return render(
        f"IntegrityError: a {owner} points at a {target} that does not exist.",
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


# --- Rules: the learner's code, at load time and in functions --------------------------------


def needs_module_level(case: Case) -> Any:
    """Code at the top level of a kata file, running while the file loads."""
    return next((p for p in case.places if p.function == "<module>"), None)


def say_query_while_loading(case: Case, place: Place) -> str:
    kind = type(case.exc).__name__
    if re.search(r"default\s*=\s*[\w.]+\(", place.line):
        return render(
            f"{kind}: a query ran before the tables exist.",
            f"{place.name} line {place.lineno} calls a function while the file loads "
            "(default=some_function() with brackets), and it queries the database before "
            "Django has created the tables.",
            "pass the function itself, without brackets: default=some_function; Django then "
            "calls it each time it needs a value.",
        )
    return render(
        f"{kind}: a query ran before the tables exist.",
        f"{place.name} line {place.lineno} queries the database while the file loads, before "
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


def say_reverse_one_to_one(case: Case, field: Any) -> str:
    owner, model = field.model.__name__, field.related_model.__name__
    var, accessor = _var(field.related_model), field.remote_field.get_accessor_name()
    return render(
        f"RelatedObjectDoesNotExist: {case.text}",
        f"{var}.{accessor} is the reverse side of the OneToOneField {owner}.{field.name}: a "
        f"single object, and this {model} has none yet.",
        f"create it first ({owner}.objects.create({field.name}={var})), or check with "
        f"hasattr({var}, '{accessor}') / catch {owner}.DoesNotExist.",
    )


def needs_empty_forward(case: Case) -> Any:
    found = re.match(r"(\w+) has no (\w+)\.", case.text)
    model = case.kata.model(found.group(1)) if found else None
    if model is None:
        return None
    return next(
        (f for f in model._meta.concrete_fields if f.is_relation and f.name == found.group(2)),
        None,
    )


def say_empty_forward(case: Case, field: Any) -> str:
    var = _var(field.model)
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
}


def needs_name_in_kata(case: Case) -> Any:
    """The kata file the NameError happened in, with the name and the classes it defines."""
    place = case.innermost
    source = _source(place.filename) if place else ""
    return (place, source) if source else None


def say_name_error(case: Case, found: tuple[Place, str]) -> str | None:
    place, source = found
    name = case.group(1)
    classes = {
        m.group(1): source[: m.start()].count("\n") + 1
        for m in re.finditer(r"^class (\w+)\b", source, re.MULTILINE)
    }
    if name in classes and classes[name] > place.lineno:
        return render(
            f"NameError: '{name}' is used before the class is defined.",
            f"{name} is defined further down {place.name} (line {classes[name]}); on line "
            f"{place.lineno} Python doesn't know it yet.",
            f'write its name as a string: models.ForeignKey("{name}", on_delete=...).',
        )
    if name in IMPORTS:
        return render(
            f"NameError: '{name}' is not imported.",
            f"{place.name} uses {name} without importing it.",
            f"add `{IMPORTS[name]}` at the top of {place.name}.",
        )
    close = difflib.get_close_matches(name, [*classes, *IMPORTS], n=1)
    if close:
        return render(
            f"NameError: '{name}' is not defined; did you mean '{close[0]}'?",
            f"Nothing in {place.name} is called {name}.",
            f"fix the spelling on line {place.lineno}: {close[0]}.",
        )
    return None


def say_name_error_general(case: Case, _: Any) -> str:
    name = case.group(1)
    return render(
        f"NameError: '{name}' is used before anything has that name.",
        "A relation to a model defined further down the file (or misspelled) can't use "
        "the bare class name yet.",
        f"check the spelling; for a model defined later write its name as a string: "
        f'models.ForeignKey("{name}", on_delete=...).',
    )


def say_missing_model(case: Case, _: Any) -> str:
    return render(
        "A relation points at a model that does not exist.",
        "Django resolves ForeignKey('Name') by model name within the app; no model has that name.",
        "fix the spelling of the model name in the string, or define that model.",
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


# --- Rules: a test that ran out of time ----------------------------------------------------------


@dataclass(frozen=True)
class Loop:
    place: Place
    condition: str
    lineno: int
    unchanged: tuple[str, ...]  # names the condition reads that the loop never changes
    queries: bool  # the condition or the body asks the database
    forever: bool  # `while True` without a reachable break


QUERY_CALLS = {"filter", "exclude", "exists", "count", "get", "first", "last", "all", "objects"}


def _names_read(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _names_changed(body: list[ast.stmt]) -> set[str]:
    changed: set[str] = set()
    for stmt in body:
        for node in ast.walk(stmt):
            targets: list[ast.AST] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
                targets = [node.target]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                # queue.pop(), seen.add(x), post.delete(): the object is changed in place.
                targets = [node.func.value]
            elif isinstance(node, ast.NamedExpr):
                targets = [node.target]
            for target in targets:
                changed |= _names_read(target)
    return changed


def _asks_database(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in QUERY_CALLS for n in ast.walk(node))


def needs_loop(case: Case) -> Any:
    """The `while` loop around the line the timed-out test was running, in a kata file."""
    for place in reversed(case.places):
        try:
            tree = ast.parse(_source(place.filename))
        except SyntaxError:
            continue
        loops = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.While)
            and node.lineno <= place.lineno <= (node.end_lineno or node.lineno)
        ]
        if not loops:
            continue
        loop = max(loops, key=lambda node: node.lineno)  # the innermost
        read = _names_read(loop.test)
        changed = _names_changed(loop.body)
        forever = (
            isinstance(loop.test, ast.Constant)
            and bool(loop.test.value)
            and not any(isinstance(n, (ast.Break, ast.Return)) for n in ast.walk(loop))
        )
        return Loop(
            place,
            ast.unparse(loop.test),
            loop.lineno,
            tuple(sorted(read - changed)) if read and not read & changed else (),
            _asks_database(loop.test) or _asks_database(ast.Module(loop.body, [])),
            forever,
        )
    return None


def say_endless_loop(case: Case, loop: Loop) -> str:
    where = f"{loop.place.function}() in {loop.place.name}, line {loop.lineno}"
    if loop.forever:
        why = "`while True` has no break or return that is reached, so it never stops."
        fix = "add the condition that ends the loop (a break or return when the work is done)."
    elif loop.unchanged:
        names = ", ".join(loop.unchanged)
        why = (
            f"Nothing in the loop changes {names}, so `while {loop.condition}` stays true forever."
        )
        if loop.queries:
            why += (
                " The query in it asks the database the same question every pass and gets "
                "the same answer."
            )
        fix = (
            f"make each pass move on (e.g. assign {loop.unchanged[0]} its next value), or "
            "loop over the rows themselves: `for row in queryset:`."
        )
    elif loop.queries:
        why = (
            f"`while {loop.condition}` never became false: the query in the loop gives the "
            "same answer every pass, because nothing in the loop changes the rows it reads."
        )
        fix = (
            "loop over the rows with `for row in queryset:`, or let one query do the work "
            "(a double-underscore path, __in=...)."
        )
    else:
        why = (
            f"`while {loop.condition}` never became false with this data: the loop keeps "
            "coming back to values it has already seen (a chain or graph with a cycle)."
        )
        fix = (
            "remember what you have visited (a set) and stop when nothing new turns up, or "
            "let one query do the work instead of a loop."
        )
    return render(f"Timeout: the loop in {where} never ends.", why, fix)


def needs_kata_place(case: Case) -> Any:
    return case.innermost


def say_slow_kata_code(case: Case, place: Place) -> str:
    return render(
        f"Timeout: {place.function}() in {place.name} did not finish in time.",
        f"When time ran out it was running line {place.lineno}: {place.line.strip()}. A loop "
        "that never ends, or one query per row over many rows, makes a test this slow.",
        "look for a loop whose end never comes (or that runs a query each pass) in that "
        "function, and make it finish: loop over a queryset with `for`, or let one query do "
        "the work.",
    )


def say_timeout_general(case: Case, _: Any) -> str:
    return render(
        "Timeout: the test did not finish in time.",
        "Some code it called ran for longer than the time limit: usually a loop that never "
        "ends, sometimes one query per row over a lot of rows.",
        "run this test alone (pytest <kata folder> -k <test name>) and press Ctrl+C while it "
        "hangs: the traceback shows the line it is stuck on.",
    )


# --- Rules: query counts ---------------------------------------------------------------------


def needs_query_analysis(case: Case) -> Any:
    return getattr(case.exc, "query_analysis", None)


def _captured_sql(exc: BaseException) -> list[str] | None:
    """The queries a failing pytest-django query count captured (kept in its frame)."""
    from django.test.utils import CaptureQueriesContext

    tb = exc.__traceback__
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, CaptureQueriesContext):
                return [q["sql"] for q in value.captured_queries]
        tb = tb.tb_next
    return None


def needs_django_count(case: Case) -> Any:
    """pytest-django's (or Django's) failed query count, with the SQL it captured."""
    from katalib.queries import analyse

    sqls = _captured_sql(case.exc)
    if sqls is None:
        listed = re.findall(r"^\d+\. (.+)$", case.text, re.MULTILINE)  # assertNumQueries lists them
        sqls = listed or None
    return analyse(sqls) if sqls is not None else None


def _say_findings(analysis: Any, header: str = "") -> str | None:
    findings = analysis.findings()
    if not findings:
        return None
    texts = [render(f.what, f.why, f.fix) for f in findings]
    return (header + "\n" if header else "") + "\n".join(texts)


def say_query_analysis(case: Case, analysis: Any) -> str | None:
    return _say_findings(analysis)


def say_django_count(case: Case, analysis: Any) -> str:
    listing = "The queries that ran:\n" + (analysis.listing() or "  (none)")
    found = _say_findings(analysis, listing)
    if found:
        return found
    expected = re.search(r"(?:perform|,) (\d+)(?: queries| expected)", case.text)
    wanted = int(expected.group(1)) if expected else None
    if wanted is not None and analysis.total > wanted:
        fix = (
            "compare the queries above with what the code needs: each prefetch_related name "
            "is one query, a .get() before the real query is one more (a double-underscore "
            "path can do both at once), and every query inside a loop is one per row."
        )
    else:
        fix = (
            "make the code ask the database what the test checks, in the number of queries "
            "it asks for."
        )
    return (
        listing
        + "\n"
        + render(
            f"{analysis.total} queries ran; the test expected "
            f"{wanted if wanted is not None else 'another number'}.",
            "Each line above is one trip to the database, grouped when the same query ran again.",
            fix,
        )
    )


# --- The table ---------------------------------------------------------------------------------

INTEGRITY = ("IntegrityError",)
DANGLING = r"invalid foreign key|violates foreign key|FOREIGN KEY constraint"

RULES: tuple[Rule, ...] = (
    # The lesson's three common errors, and their relatives.
    Rule("on_delete missing", ("TypeError",), say_missing_on_delete, ON_DELETE_MISSING),
    Rule("on_delete not callable", ("TypeError",), say_on_delete_not_callable,
         "on_delete must be callable"),
    Rule("keyword that is no field of the model", ("TypeError",), say_unknown_model_keyword,
         UNEXPECTED_KEYWORD, needs_unknown_model_keyword),
    Rule("add() before save(), kata model", ("ValueError",), say_add_before_save,
         rf"^{REPR} needs to have a value for field .* many-to-many", needs_m2m_model),
    Rule("add() before save()", ("ValueError",), say_add_before_save_general,
         "before this many-to-many relationship can be used"),
    Rule("reverse manager of an unsaved object", ("ValueError",), say_unsaved_reverse,
         rf"(?:^{REPR} )?needs to have a primary key value before this relationship"),
    Rule("add() of an unsaved object", ("ValueError",), say_unsaved_value,
         r'Cannot add "<(\w+):.*": instance is on database ".*", value is on database "None"'),
    Rule("relation compared with a text", ("ValueError",), say_relation_compared,
         r"Field '\w+' expected a number but got '([^']*)'", needs_relation_in_line),
    Rule("relation compared with a text, general", ("ValueError",),
         say_relation_compared_general, r"Field '\w+' expected a number but got '([^']*)'"),
    Rule("save() with an unsaved related object", ("ValueError",), say_unsaved_related,
         r"unsaved related object '(\w+)'", needs_unsaved_related),
    Rule("save() with an unsaved related object, general", ("ValueError",),
         say_unsaved_related_general, r"unsaved related object '(\w+)'"),
    # One-to-one objects that are missing, rows that get() can't find.
    Rule("reverse one-to-one missing", ("RelatedObjectDoesNotExist",), say_reverse_one_to_one,
         needs=needs_reverse_one_to_one),
    Rule("forward relation empty", ("RelatedObjectDoesNotExist",), say_empty_forward,
         needs=needs_empty_forward),
    Rule("related object missing", ("RelatedObjectDoesNotExist",), say_related_missing_general),
    Rule("get() found nothing", ("ObjectDoesNotExist",), say_get_found_none,
         needs=needs_get_in_kata),
    Rule("get() found several", ("MultipleObjectsReturned",), say_get_found_many,
         needs=needs_get_in_kata),
    # Names of relations and managers.
    Rule("misspelled field", ("AttributeError",), say_misspelled_field,
         needs=needs_misspelled_field),
    Rule("wrong reverse name", ("AttributeError",), say_wrong_reverse_name,
         needs=needs_reverse_accessors),
    Rule("manager used as an object", ("AttributeError",), say_manager_attribute,
         needs=needs_manager_object),
    Rule("manager not iterable", ("TypeError",), say_manager_not_iterable,
         r"'\w*RelatedManager' object is not iterable"),
    Rule("add() got a list", ("TypeError",), say_add_got_list,
         r"Field '\w+' expected a number but got \["),
    Rule("set() got several", ("TypeError",), say_set_several,
         r"ManyRelatedManager\.set\(\) takes 2"),
    Rule("many-to-many assigned", ("TypeError",), say_direct_assignment,
         r"Direct assignment to the \w+ side of a many-to-many set is prohibited\. "
         r"Use (\w+)\.set\(\) instead"),
    # Double-underscore paths.
    Rule("unknown keyword in a path", ("FieldError",), say_unknown_keyword,
         r"Cannot resolve keyword '(\w+)' into field\. Choices are: (.*)"),
    Rule("unsupported lookup on a path of the kata", ("FieldError",), say_lookup_on_path,
         UNSUPPORTED_LOOKUP, needs_lookup_path),
    Rule("unsupported lookup", ("FieldError",), say_unsupported_lookup, UNSUPPORTED_LOOKUP),
    Rule("lookup on a relation", ("FieldError",), say_invalid_related_lookup,
         r"Related Field got invalid lookup: (\w+)"),
    # on_delete refusals: the exception itself names the rule and the field.
    Rule("PROTECT / RESTRICT", ("ProtectedError", "RestrictedError"), say_protected),
    # The database's constraints.
    Rule("unique pair", INTEGRITY, say_unique_pair, "", needs_unique_pair),
    Rule("unique pair, general", INTEGRITY, say_unique_pair_general,
         r"UNIQUE constraint failed: \w+\.\w+, |Key \(\w+, "),
    Rule("second row for a OneToOneField", INTEGRITY, say_one_to_one, "", needs_one_to_one),
    Rule("ForeignKey with unique=True", INTEGRITY, say_unique_foreign_key, "",
         needs_unique_foreign_key),
    Rule("unique value", INTEGRITY, say_unique_value, "", needs_unique_value),
    Rule("unique, general", INTEGRITY, say_unique_general, r"(?i)unique"),
    Rule("NOT NULL", INTEGRITY, say_null_field, "", needs_null_field),
    Rule("NOT NULL, general", INTEGRITY, say_null_general, r"(?i)not null|null value in column"),
    Rule("DO_NOTHING left a dangling id", INTEGRITY, say_do_nothing, DANGLING, needs_do_nothing),
    Rule("link to a deleted row", INTEGRITY, say_dangling_link, DANGLING, needs_dangling_link),
    Rule("dangling foreign key", INTEGRITY, say_dangling_field, DANGLING, needs_dangling_field),
    Rule("dangling foreign key, general", INTEGRITY, say_dangling_general, DANGLING),
    # The learner's code: at load time, stubs, endless loops.
    Rule("query while the file loads", ("OperationalError", "ProgrammingError"),
         say_query_while_loading, r"no such table|relation .* does not exist",
         needs_module_level),
    Rule("missing table", ("OperationalError", "ProgrammingError"), say_missing_table,
         r"no such table|relation .* does not exist"),
    Rule("syntax error", ("SyntaxError",), say_syntax_error, needs=needs_syntax_error),
    Rule("name error in a kata file", ("NameError",), say_name_error,
         r"name '(\w+)' is not defined", needs_name_in_kata),
    Rule("name error", ("NameError",), say_name_error_general, r"name '(\w+)' is not defined"),
    Rule("relation to a missing model", ("LookupError",), say_missing_model,
         "relation to a model that does not exist"),
    Rule("stub", ("NotImplementedError",), say_stub, needs=needs_stub),
    Rule("endless while loop", ("Failed",), say_endless_loop, r"^Timeout", needs_loop),
    Rule("slow kata function", ("Failed",), say_slow_kata_code, r"^Timeout", needs_kata_place),
    Rule("timeout", ("Failed",), say_timeout_general, r"^Timeout"),
    # Query counts.
    Rule("query count (katalib.queries)", ("Failed",), say_query_analysis,
         needs=needs_query_analysis),
    Rule("query count (pytest-django)", ("Failed", "AssertionError"), say_django_count,
         r"Expected to perform \d+ queries|\d+ queries executed, \d+ expected",
         needs_django_count),
)  # fmt: skip


# --- System checks ---------------------------------------------------------------------------

CHECK_HINTS = {
    "fields.E001": "rename the field so that it doesn't end with an underscore.",
    "fields.E002": "rename the field without '__' (a double underscore separates lookups).",
    "fields.E003": "rename the field: 'pk' is reserved for the primary key.",
    "fields.E004": "give choices=... a list of (value, label) pairs.",
    "fields.E005": "give choices=... a list of (value, label) pairs.",
    "fields.E120": "give the CharField a length: models.CharField(max_length=100).",
    "fields.E121": "max_length must be a whole number above 0, e.g. max_length=100.",
    "fields.E130": "give the DecimalField decimal_places=..., e.g. decimal_places=2.",
    "fields.E131": "decimal_places must be a whole number, 0 or more.",
    "fields.E132": "give the DecimalField max_digits=..., e.g. max_digits=8.",
    "fields.E133": "max_digits must be a whole number above 0.",
    "fields.E134": "max_digits must be at least decimal_places.",
    "fields.E300": "the relation points at a model that is not installed or misspelled.",
    "fields.E301": "point the relation at settings.AUTH_USER_MODEL instead of the swapped model.",
    "fields.E302": (
        "the reverse accessor of this relation has the name of a field of the model it points "
        "at. Rename that field, or give the relation another related_name."
    ),
    "fields.E303": (
        "the reverse query name of this relation has the name of a field of the model it "
        "points at. Rename that field, or give the relation another related_name (or "
        "related_query_name)."
    ),
    "fields.E304": (
        "two relations to the same model would get the same reverse accessor "
        "(e.g. two ForeignKeys to Author both make author.post_set). Give each a distinct "
        "related_name, e.g. related_name='posts' and related_name='reviews'."
    ),
    "fields.E305": (
        "two relations would get the same reverse query name. Give each a distinct "
        "related_name (or related_query_name)."
    ),
    "fields.E306": "related_name must be a valid Python name: letters, digits and _, no spaces.",
    "fields.E307": "a lazy reference ('app.Model') names a model that does not exist.",
    "fields.E308": "give the relation a related_name or related_query_name without '__'.",
    "fields.E309": "give the relation a related_name or related_query_name without '__'.",
    "fields.E310": "make the field the relation points at (to_field) unique=True.",
    "fields.E311": "make the field the relation points at (to_field) unique=True.",
    "fields.E312": "to_field must name a field that exists on the related model.",
    "fields.E320": (
        "on_delete=models.SET_NULL needs a column that can hold NULL: add null=True "
        "(and blank=True), or choose another on_delete rule."
    ),
    "fields.E321": (
        "on_delete=models.SET_DEFAULT needs default=... on the field, or choose another rule."
    ),
    "fields.E330": (
        "remove unique=True from the ManyToManyField; to make each pair unique, put a "
        "UniqueConstraint on the through model."
    ),
    "fields.E331": "through= must name a model that exists in this app, e.g. through='Tagging'.",
    "fields.E333": (
        "the through model has more than one ForeignKey to the same model: say which two "
        "to use with through_fields=('from_field', 'to_field')."
    ),
    "fields.E334": (
        "the through model has more than one ForeignKey to the source model: name the two "
        "to use with through_fields=(...)."
    ),
    "fields.E335": (
        "the through model has more than one ForeignKey to the target model: name the two "
        "to use with through_fields=(...)."
    ),
    "fields.E336": (
        "the through model needs a ForeignKey to each side of the many-to-many: add the one "
        "that is missing."
    ),
    "fields.E337": "through_fields takes two names: through_fields=('post', 'tag').",
    "fields.E338": "through_fields must name ForeignKeys of the through model.",
    "fields.E339": "a through model's through_fields don't match its ForeignKeys.",
    "fields.E340": "remove db_table from the ManyToManyField: its through model has its own table.",
    "models.E004": "rename the field: 'id' is the primary key Django adds by itself.",
    "models.E006": "two fields have the same name: rename one of them.",
    "models.E007": (
        "two fields use the same column (db_column=...): give each its own db_column, or "
        "remove db_column and let Django name the columns."
    ),
    "models.E012": "the Meta option names a field that doesn't exist: fix the field name.",
    "models.E013": (
        "a ManyToManyField has no column, so it can't be in this Meta option: use the "
        "ForeignKeys of its through model instead."
    ),
    "models.E015": (
        "Meta.ordering names a field that doesn't exist: fix the name (a '-' for descending)."
    ),
    "models.E028": (
        "two models use the same db_table: give each its own Meta.db_table, or remove "
        "db_table and let Django name the tables."
    ),
    "models.E030": "index names must be unique in the database: put '%(app_label)s_' in the name.",
    "models.E031": (
        "constraint names must be unique in the database: put '%(app_label)s_' in the name."
    ),
    "models.E032": (
        "constraint names must be unique in the database: put '%(app_label)s_' in the name."
    ),
}

CHECKS_DOCS = "https://docs.djangoproject.com/en/stable/ref/checks/"


def explain_check(
    check_id: str | None, *, obj: Any = None, msg: str = "", hint: str | None = None
) -> str:
    """What to change for a failed system check: an entry of CHECK_HINTS, else a pointer to the
    line Django names (``obj``: the field or model it rejected, when the caller passes it)."""
    if check_id in CHECK_HINTS:
        return CHECK_HINTS[check_id]
    model = getattr(obj, "model", None)
    if model is not None and getattr(obj, "name", None):
        where = f"the field {model.__name__}.{obj.name} in models.py"
    elif isinstance(obj, type):
        where = f"the model {obj.__name__} in models.py"
    else:
        where = "the field or model named before the message (app.Model.field) in models.py"
    if hint:
        return f"edit {where} as Django's HINT says, then run the tests again."
    return (
        f"edit {where}: change or remove the argument the message names, then run the tests "
        f"again ({check_id or 'the check'} is described in {CHECKS_DOCS})."
    )
