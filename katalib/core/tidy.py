"""Failure reports that pytest can always print, without lines that only repeat or distract.

The plugin (katalib/core/plugin.py) calls these around ``pytest_runtest_makereport``:

- ``numbered()``: before pytest formats a failure. A traceback entry has no line number
  (``tb_lineno`` is None) when a signal stopped the code at an instruction the interpreter keeps
  no line for; pytest-timeout's signal stops an endless loop at any point. pytest cannot format
  such an entry: INTERNALERROR, exit 3, no summary, every other kata's result lost. The entry
  gets the line of the nearest instruction before it instead (the loop's line).
- ``own_message_only()``: before pytest formats a kata test's failed ``assert x, "message"``.
  The kata tests' messages already say what was called, what came back and what was expected;
  the ``assert ...`` / ``+  where ...`` lines assertion rewriting adds after them, and its
  "Use -v to get more diff", only repeat it. (``--show-all`` and ``-v`` keep pytest's own.)
- ``without_hidden_note()``: after. The traceback filter hides every frame of the harness, so
  a broken kata's error (raised by the harness) ends with pytest's "All traceback entries are
  hidden. Pass `--full-trace` ...": not for a learner, whose file and line the message names.
- ``hypothesis_wrapper()``: for the traceback filter. ``@given`` runs the test through a wrapper
  that Hypothesis files under the test's own name and file, at the decorator's line: the
  decorator would show up as two frames of the test.
"""

from __future__ import annotations

import types
from typing import Any

import pytest

# The line pytest appends when a traceback filter leaves no entry (_pytest/_code/code.py).
HIDDEN_NOTE = "All traceback entries are hidden."
# What assertion rewriting appends to a sequence comparison below -v.
MORE_DIFF = "Use -v to get more diff"


# --- Line numbers ------------------------------------------------------------------------------


def nearest_line(code: types.CodeType, offset: int) -> int:
    """The line of the last instruction at or before ``offset`` that has one."""
    line = code.co_firstlineno
    try:
        for start, _end, number in code.co_lines():
            if start > offset:
                break
            if number is not None:
                line = number
    except (AttributeError, TypeError):  # no co_lines(): Python 3.9 and older
        pass
    return line


def _renumbered(tb: types.TracebackType | None) -> types.TracebackType | None:
    """A copy of ``tb`` with a line number in every entry; None when every entry has one."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if all(entry.tb_lineno is not None for entry in entries):
        return None
    rebuilt = None
    for entry in reversed(entries):
        line = entry.tb_lineno
        if line is None:
            line = nearest_line(entry.tb_frame.f_code, entry.tb_lasti)
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, line)
    return rebuilt


def linked(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes and contexts, and the members of exception groups (each once)."""
    found: list[BaseException] = []
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        link = todo.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        found.append(link)
        todo += [link.__cause__, link.__context__, *getattr(link, "exceptions", ())]
    return found


def numbered(excinfo: pytest.ExceptionInfo) -> pytest.ExceptionInfo:
    """``excinfo``, or a new one for the same exception whose tracebacks (its own, and those of
    its causes and contexts) have a line number in every entry."""
    main = excinfo.value
    changed = False
    for link in linked(main):
        tb = excinfo.tb if link is main else link.__traceback__
        fixed = _renumbered(tb)
        if fixed is not None:
            link.__traceback__ = fixed
            changed = True
    return pytest.ExceptionInfo.from_exception(main) if changed else excinfo


def readable_line(entry: Any) -> bool:
    """A pytest traceback entry whose line pytest can read (``numbered()`` makes them all)."""
    try:
        return isinstance(entry.lineno, int)
    except TypeError:  # tb_lineno is None
        return False


def hypothesis_wrapper(entry: Any) -> bool:
    """A frame of the wrapper ``@given`` puts around a test (under the test's name and file)."""
    try:
        return bool(entry.frame.f_globals.get("__hypothesistracebackhide__"))
    except AttributeError:
        return False


# --- What a kata test's failure says -----------------------------------------------------------


def own_message_only(exc: BaseException, verbosity: int = 0) -> None:
    """Keep only the test's own message of a rewritten ``assert ..., message`` (in place).

    Rewritten, ``str(exc)`` is the message (later lines indented), then ``assert <expression>``
    and pytest's explanation of it. Without a message the explanation is all there is: it
    stays, without "Use -v to get more diff" below -v.
    """
    if type(exc) is not AssertionError or len(exc.args) != 1 or not isinstance(exc.args[0], str):
        return
    lines = exc.args[0].split("\n")
    if lines[0].startswith("assert "):  # no message
        start = 0
    else:
        start = next((i for i, line in enumerate(lines) if i and line.startswith("assert ")), -1)
        if start < 0:
            return  # not what assertion rewriting writes
    if "".join(lines[:start]).strip():
        exc.args = ("\n".join(lines[:start]),)
    elif verbosity <= 0:
        kept = [line for line in lines if line.strip() != MORE_DIFF]
        while kept and not kept[-1].strip():
            kept.pop()  # the blank line that led to it
        exc.args = ("\n".join(kept),)


def without_hidden_note(longrepr: Any) -> None:
    """Drop pytest's "All traceback entries are hidden ..." line from a failure (in place)."""
    for link in getattr(longrepr, "chain", None) or ():
        reprtraceback = link[0] if isinstance(link, tuple) and link else None
        extra = getattr(reprtraceback, "extraline", None)
        if reprtraceback is not None and isinstance(extra, str) and extra.startswith(HIDDEN_NOTE):
            reprtraceback.extraline = None
