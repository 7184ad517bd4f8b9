"""What every rule is built from: the error being explained (``Case``), the rule itself
(``Rule``), what the learner's kata contains (``KataContents``), where in the learner's code the
error went through (``Place``, ``Caller``), the shared helpers, and ``render`` (❌ what / ✅ fix).

Imports no subject module: the subject modules (``definitions``, ``saving``, ...) import this.
"""

from __future__ import annotations

import difflib
import linecache
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from katalib.base import manifest, marks

if TYPE_CHECKING:
    from django.db.models import Model

WHAT, FIX = marks.BAD, marks.GOOD
symbols_for = marks.symbols_for  # ❌/✅, or [X]/[OK] where the console can't print them


def console_symbols() -> tuple[str, str]:
    return symbols_for(getattr(sys.__stdout__, "encoding", None))


def render(what: str, why: str, fix: str) -> str:
    bad, good = console_symbols()
    why = why.replace("\n", "\n   ")
    return f"{bad} {what}\n   {why}\n{good} Fix: {fix}"


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc``, then what caused it. A test that turns an error into a short failure message
    (``pytest.fail(..., pytrace=False)``) hands the error on as ``failure.kata_error``."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "kata_error", None)


@dataclass(frozen=True)
class KataContents:
    """A kata's loaded models and the files the learner edits: what the rules may talk about.

    ``KataContents()`` (nothing known) makes every rule that needs something of the kata stay
    silent, so only the general wordings remain.
    """

    models: tuple[type[Model], ...] = ()
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
    def all_models(self) -> tuple[type[Model], ...]:
        """The kata's models, their many-to-many join tables and the models they point at."""
        found: dict[type[Model], None] = dict.fromkeys(self.models)
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

    def model(self, name: str | None) -> type[Model] | None:
        if not name:
            return None
        return next(
            (m for m in self.all_models if m.__name__.lower() == name.lower()),
            None,
        )

    def model_at(self, table: str | None) -> type[Model] | None:
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

    def m2m_of(self, through: type[Model]) -> Any:
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
    """``noun`` with its indefinite article: "a Post", "an Author", "a User" (a "you" sound:
    u, a consonant, a vowel), "an Update"."""
    low = noun.lower()
    you = re.match(r"u[b-df-hj-np-tv-z][aeiou]", low) is not None
    return f"{'an' if low[:1] in 'aeiou' and not you else 'a'} {noun}"


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

    def missing_attribute(self) -> tuple[type, str]:
        """The class of the object and the name of the AttributeError a rule is about (Python
        sets both when an attribute lookup fails; the rule's needs_ function checked them)."""
        if not isinstance(self.exc, AttributeError) or not self.exc.name:
            raise TypeError(f"not a failed attribute lookup: {self.exc!r}")
        return type(self.exc.obj), self.exc.name

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
    ``fallback``: for a rule that speaks only where a more specific one can't (an unknown
    kata, a database left from an earlier run), why no mistake in a kata file reaches it.
    ``katas dev check`` requires every other rule to speak for a mistake of the corpus;
    tests/teach/test_explain.py exercises these.
    """

    name: str
    catches: tuple[str, ...]
    say: Say
    pattern: str = ""
    needs: Needs = always
    fallback: str = ""

    def applies(self, case: Case) -> Any:
        names = {cls.__name__ for cls in type(case.exc).__mro__}
        if not names & set(self.catches):
            return None
        case.match = re.search(self.pattern, case.text, re.DOTALL) if self.pattern else None
        if self.pattern and case.match is None:
            return None
        return self.needs(case)


def _closest(name: str, choices: list[str], cutoff: float = 0.6) -> str | None:
    """The choice ``name`` is most likely a misspelling of (the same letters in another case
    first), or None."""
    same = [c for c in choices if c.lower() == name.lower()]
    if same:
        return same[0]
    close = difflib.get_close_matches(name, choices, n=1, cutoff=cutoff)
    return close[0] if close else None


def _text_field(model: Any) -> str:
    for field in getattr(getattr(model, "_meta", None), "concrete_fields", ()):
        if field.get_internal_type() in {"CharField", "TextField", "SlugField"}:
            return field.name
    return "name"


# Where a mistake is about a column or a table, a few lines of the learner's tables show it.
Where = Callable[[Case, Any], "tuple[Any, list[str] | None, bool] | None"]


def showing_tables(say: Say, where: Where) -> Say:
    """``say``, then a slice of the learner's tables (katalib.teach.drawing) under its words.

    ``where(case, found)`` names the slice: (the model whose table it is, the columns to show
    besides the primary key, whether to show the reverse names), or None for no slice.
    """

    def said(case: Case, found: Any) -> str | None:
        text = say(case, found)
        try:
            piece = where(case, found) if text else None
            lines = _table_slice(case, *piece) if piece else []
        except Exception:  # noqa: BLE001 - a drawing never costs the explanation
            lines = []
        return "\n".join([text, *(f"   {line}" for line in lines)]) if text and lines else text

    said.__name__ = getattr(say, "__name__", "said")
    return said


def _table_slice(case: Case, model: Any, columns: list[str] | None, reverse: bool) -> list[str]:
    from katalib.teach.drawing import meta, text

    tables = meta.tables(list(case.kata.models) or [model])
    name = model._meta.db_table
    drawn = text.excerpt(tables, name, columns, reverse=reverse, ascii=console_symbols()[0] != WHAT)
    if not drawn:
        return []
    kata = next((k for k in manifest.load() if k.label == model._meta.app_label), None)
    whole = f" (katas schema {kata.dir.split('_', 1)[0]} draws them all)" if kata else ""
    return [f"Your table {name} now{whole}:", *drawn]
