"""Fetch a kata's modules for its tests, or fail those tests with one clear message.

Tests never import ``katas.…`` or ``solutions.…`` by name: they ask for the kata's models and
modules through the ``kata_models`` / ``kata_module`` fixtures, which call these functions.
A broken file then fails only the tests of its own kata, never the collection of the others.
"""

from __future__ import annotations

import importlib
import re
import sys
import traceback
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest
from django.apps import apps
from django.core import checks

from katalib.base import manifest, places
from katalib.core import probe
from katalib.teach.explain import console_symbols, explain_check, find


def _where_raised(exc: BaseException, tree: Path) -> str:
    """File, line and source of the learner's code that raised ``exc``."""
    if isinstance(exc, SyntaxError) and exc.filename:
        text = (exc.text or "").strip()
        return f"{places.rel(exc.filename)}, line {exc.lineno}\n    {text}"
    # The outermost frame is the line of the file being loaded; the innermost, if different,
    # is where the error really happened (e.g. inside a function that line called).
    stack = traceback.extract_tb(exc.__traceback__)
    return places.of_frames([(f.filename, f.lineno, f.line) for f in stack], tree)


def fail_broken(kata: manifest.Kata, exc: BaseException, what: str) -> NoReturn:
    """Fail the calling test with ``broken_kata_message``; the rule that explained it travels
    with the failure as ``kata_rule`` (the plugin records it in the JUnit XML)."""
    message, rule = broken_kata_message(kata, exc, what)
    failure = pytest.fail.Exception(message, pytrace=False)
    failure.kata_rule = rule  # type: ignore[attr-defined]
    raise failure


def broken_kata_message(
    kata: manifest.Kata, exc: BaseException, what: str
) -> tuple[str, str | None]:
    """The full story of a kata file that fails to load: where, what, and the fix; and the name
    of the rule that explained it.

    Every test of the kata gets it whole (Hypothesis may run a test twice, and a test run
    alone must still say it all); the plugin prints it once per kata (katalib.teach.focus).
    """
    found = exc if isinstance(exc, probe.KataBroken) else None
    problem = found.problem if found else f"{what} does not load"
    summary = found.summary if found else f"{type(exc).__name__}: {exc}"
    tree = manifest.ROOT / manifest.target() / kata.dir
    where = found.where if found else _where_raised(exc, tree)
    lines = [f"Kata {kata.dir} is broken: {problem}."]
    if where:
        lines.append(f"  at {where}")
    lines.append(summary)
    explanation: str | None
    rule: str | None
    if found:
        explanation, rule = found.explanation, found.rule

    else:
        said = find(exc, kata=kata)
        explanation, rule = (said.text, said.rule) if said else (None, None)
    if explanation:
        lines += ["", explanation]
    until = "the file loads" if problem.endswith("does not load") else "it is fixed"
    lines += ["", f"Only this kata's tests fail until {until}; every other kata still runs."]
    return "\n".join(lines), rule


@cache
def check_messages(label: str) -> tuple[str, ...]:
    """Django's system-check errors for one kata (pytest-django never runs the checks itself)."""
    config = apps.get_app_config(label)
    found = []
    for message in checks.run_checks(app_configs=[config], tags=[checks.Tags.models]):
        if message.level < checks.ERROR or not _belongs_to(message, label):
            continue
        found.append(
            f"{message.id}: {message.obj}: {message.msg}"
            + (f"\n    HINT: {message.hint}" if message.hint else "")
            + f"\n{console_symbols()[1]} Fix: "
            + explain_check(message.id, obj=message.obj, msg=message.msg, hint=message.hint)
        )
    return tuple(found)


def _belongs_to(message: checks.CheckMessage, label: str) -> bool:
    model = getattr(message.obj, "model", message.obj)  # a field knows its model
    meta = getattr(model, "_meta", None)
    if meta is not None:
        return meta.app_label == label
    # models.E028 names the table (a string) and lists its models: "<app_label>.<Model>, ...".
    return re.search(rf"(?<![\w.]){re.escape(label)}\.\w", message.msg) is not None


def kata_models(label: str) -> ModuleType | None:
    """The kata's loaded ``models`` module; fails the calling test if the kata is broken."""
    kata = manifest.by_label(label)
    try:
        config = apps.get_app_config(label)
    except LookupError:
        pytest.fail(
            f"Kata {kata.dir}: there is no folder {manifest.target()}/{kata.dir}/ with an "
            "__init__.py, so the kata is not installed.",
            pytrace=False,
        )
    import_error = getattr(config, "import_error", None)  # a KataConfig (katalib.core.apps)
    if import_error is not None:
        fail_broken(kata, import_error, "models.py")
    errors = check_messages(label)
    if errors:
        headline = (
            f"Kata {kata.dir}: Django's system checks reject the models "
            f"({manifest.target()}/{kata.dir}/models.py)"
        )
        bad, _ = console_symbols()
        pytest.fail(headline + ".\n" + "\n".join(f"{bad} {e}" for e in errors), pytrace=False)
    return config.models_module


def kata_module(label: str, name: str) -> ModuleType:
    """Import ``<tree>.<kata dir>.<name>`` (e.g. the kata's ``queries`` module) for a test."""
    kata = manifest.by_label(label)
    kata_models(label)  # a module importing broken models would only repeat their error
    file = f"{name}.py"
    broken = probe.verdict(label, file)  # would it end, hang or interrupt the run?
    if broken is not None:
        fail_broken(kata, broken, file)
    dotted = f"{manifest.target()}.{kata.dir}.{name}"
    if dotted in sys.modules:  # loaded already: what import_module would return, at once
        return sys.modules[dotted]
    with probe.loading() as ctrl_c:
        try:
            return importlib.import_module(dotted)
        except BaseException as exc:  # noqa: BLE001 - learner code: anything can go wrong here
            error = probe.kata_error(exc, ctrl_c, kata, file)
    fail_broken(kata, error, file)  # outside `except`: no "during handling" noise
