"""Test data a grading run redraws: the same tests, with names and titles a kata cannot know.

A learner's run uses the readable data the tests and READMEs show ("Alice", "Hello",
"django"). The grader (``katalib.grade.running``) sets ``KATA_SEED`` for its run, and every string of
test data then goes through a spelling drawn from that seed: after each ASCII letter comes a
digit chosen for that letter (the same digit for its upper and lower case)::

    >>> spell("Alice", {"a": "3", "l": "7", "i": "0", "c": "5", "e": "1"})
    'A3l7i0c5e1'

A kata function that answers from what it is given, as every honest one does, gives the
redrawn answer; a function with canned answers for the public data ("if name == 'Alice'")
does not. The spelling keeps every property a kata's tests rely on:

- equality, and case: ``"Django"`` and ``"django"`` stay different, and equal ignoring case;
- parts: ``"alice"`` stays inside ``"Malice"``, ``"Ann"`` a prefix of ``"Anne"`` (a digit is
  never a letter, so a part never matches out of step);
- order: two names compare as before, in Python and in the databases' ``ORDER BY``;
- spaces, punctuation and digits are kept as they are (``"python3"`` stays after ``"python"``).

Tests pass their data through :func:`words` (any nesting of ``str``, ``list``, ``tuple``,
``set``, ``frozenset`` and ``dict``); without ``KATA_SEED`` it returns what it was given.
Try a seed yourself: ``KATA_SEED=7 pytest --solutions`` is green, like ``pytest --solutions``.
"""

from __future__ import annotations

import os
import random
import string
from typing import TypeVar

from katalib.base import env

T = TypeVar("T")


def table(seed: str) -> dict[str, str]:
    """The digit that follows each lower-case letter, drawn from ``seed``."""
    draw = random.Random(f"katas:{seed}")
    return {letter: draw.choice(string.digits) for letter in string.ascii_lowercase}


def spell(text: str, digits: dict[str, str]) -> str:
    """``text`` with the digit of each ASCII letter after it."""
    return "".join(
        f"{char}{digits[char.lower()]}" if char.lower() in digits and char.isascii() else char
        for char in text
    )


# Read once, before any kata file runs: a kata that changes the environment later changes
# nothing here.
_RUN = table(os.environ[env.SEED]) if os.environ.get(env.SEED) else None


def active() -> bool:
    """Is this run's test data redrawn (``KATA_SEED`` set when it started)?"""
    return _RUN is not None


def words(value: T, seed: str | None = None) -> T:
    """``value`` with every string in it spelt as this run (or ``seed``) spells test data."""
    digits = _RUN if seed is None else (table(seed) if seed else None)
    return value if digits is None else _respell(value, digits)  # type: ignore[return-value]


def _respell(value: object, digits: dict[str, str]) -> object:
    if isinstance(value, str):
        return spell(value, digits)
    if isinstance(value, dict):
        return {_respell(k, digits): _respell(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_respell(item, digits) for item in value]
    if isinstance(value, tuple):
        return tuple(_respell(item, digits) for item in value)
    if isinstance(value, set | frozenset):
        return type(value)(_respell(item, digits) for item in value)
    return value
