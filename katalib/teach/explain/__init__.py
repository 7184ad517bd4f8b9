"""Recognise the errors a learner meets in the katas and explain them: ❌ what, ✅ fix.

``explain(exc, kata)`` returns the explanation for an exception (or for the first recognised
one in its ``__cause__`` / ``__context__`` chain), or ``None``; ``find(exc, kata)`` also says
which rule gave it. Django's own message is never replaced: the plugin prints the explanation
*after* it.

The explanations are one table, ``RULES``. Each rule says which errors it is about (exception
class, message pattern) and what must be true for its words to fit (``needs``): a field with
``on_delete=DO_NOTHING`` at the failing column, a ``OneToOneField``, a kata function that is
still a stub... ``needs`` looks at the learner's kata (``KataContents``: its models and the
files the learner edits) and at the error itself. A rule whose subject is not there does not
fire; a later, more general rule speaks instead, or nothing does.

The layout (modelled on ``django.core.checks``: a registry split by subject), each layer
importing only the ones before it:

- ``base``: ``Case``, ``Rule``, ``KataContents``, ``Place``, ``Caller``, the shared helpers and
  ``render`` / ``console_symbols``.
- one module per subject, each with its ``needs_*`` / ``say_*`` functions and its own ordered
  ``RULES``: ``definitions`` (``on_delete``, unknown model keywords), ``saving`` (unsaved
  objects, ``add()`` before ``save()``), ``names`` (missing related objects, ``get()``, names of
  fields, relations and managers), ``lookups`` (double-underscore paths), ``integrity``
  (``PROTECT`` / ``RESTRICT``, unique, NOT NULL, dangling foreign keys), ``loading`` (load time,
  syntax and name errors, stubs), ``loops`` (timeouts), ``counts`` (query counts).
- ``rules``: the one ordered ``RULES``, the subjects' tables in the order they are tried (the
  first rule that fits speaks).
- this module: ``find`` / ``explain``, which walk ``RULES``.

System checks are not exceptions: their fixes are in ``checks`` (``CHECK_HINTS``,
``explain_check``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from katalib.teach.explain.base import (
    FIX,
    WHAT,
    Caller,
    Case,
    KataContents,
    Place,
    Rule,
    _chain,
    _infer_kata,
    console_symbols,
    render,
    symbols_for,
)
from katalib.teach.explain.checks import CHECK_HINTS, CHECKS_DOCS, explain_check
from katalib.teach.explain.rules import RULES

__all__ = [
    "CHECKS_DOCS",
    "CHECK_HINTS",
    "FIX",
    "RULES",
    "WHAT",
    "Caller",
    "Case",
    "Explanation",
    "KataContents",
    "Place",
    "Rule",
    "console_symbols",
    "explain",
    "explain_check",
    "find",
    "render",
    "symbols_for",
]


@dataclass(frozen=True)
class Explanation:
    """What ``find`` found: the rule that spoke (its ``Rule.name``) and its words."""

    rule: str
    text: str


def find(exc: BaseException, kata: Any = None) -> Explanation | None:
    """The explanation for ``exc``, with the name of the rule that gave it.

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
                    return Explanation(rule.name, found)
    return None


def explain(exc: BaseException, kata: Any = None) -> str | None:
    """The words of ``find(exc, kata)``, or None."""
    found = find(exc, kata)
    return found.text if found else None
