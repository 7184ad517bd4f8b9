"""One kata in focus, one task at a time, each reason once.

pytest prints every failure in full. For a learner that is a wall: the same explanation once
per test, kata 13's failures above kata 01's, task 5's details before task 1 is done. The
plugin uses these helpers to narrow what pytest's FAILURES / ERRORS sections show (JUnit XML,
kata-results.json and the exit code still see every test):

- ``reason()`` gives a failure a key: tests that fail for one reason share it (a broken file,
  the same explanation rule at the same line, "do task 1 first", or the same test function
  with other parameters); tests of one task whose failures say the same thing but for the
  values they quote count as one reason too;
- ``shown()`` keeps, per kata, the first failure of each reason of the lowest failing task,
  with one line naming the other tests that fail the same way and one naming the later tasks
  that fail too; on a plain run only the kata in focus is shown at all.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from katalib.teach import progress

SAME_REASON = "the same reason"
LATER = "later tasks"


def reason(
    exc: BaseException,
    explanation: str | None,
    function: str = "",
    rule: str | None = None,
    where: str | None = None,
) -> str:
    """What a failure is about: tests with the same key fail for one reason.

    An explanation counts by the rule that gave it (``rule``) and the line of the kata's code
    it points at ("models.py line 12" in its text, else ``where``: ``file.py:line`` of the
    kata's deepest frame), not by its words: those quote the test's values
    (``filter(author__name='Ali')``), which differ from one parameter to the next.
    """
    text = str(exc)
    broken = re.match(r"Kata (\S+) is broken: (.+?)[.:]?$", text.splitlines()[0] if text else "")
    if broken:
        return f"broken {broken.group(2)}"
    if re.match(r"Kata \S+: Django's system checks reject", text):
        return "checks"
    task = re.search(r"Do task (\d+) first", text)
    if task:
        return f"do task {task.group(1)} first"
    if explanation and rule:
        named = _LINE.search(explanation)  # the line the explanation points at, if it names one
        where = f"{named.group(1)}:{named.group(2)}" if named else where
        return f"{rule} at {where}" if where else f"{rule}: {without_values(explanation)}"
    if explanation:
        return without_values(explanation)
    if function:  # the same test with other parameters, failing the same way
        return f"{function}: {type(exc).__name__}"
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(exc).__name__}: {first}"


_LINE = re.compile(r"([\w./]+\.py),? line (\d+)")
_VALUE = re.compile(r"(?<!\w)('[^'\n]*'|\"[^\"\n]*\")(?!\w)|(?<![\w.])\d+(?![\w.])")


def without_values(text: str) -> str:
    """``text`` with its quoted strings and plain numbers left out: what a failure says, not
    the values of the test that made it (``posts_by_author('ALICE') returned a list``)."""
    return _VALUE.sub("…", text)


def stops_the_kata(why: str) -> bool:
    """A reason that fails every test of a kata: its files don't load, or Django's checks
    reject them."""
    return why == "checks" or why.startswith("broken ")


def _name(report) -> str:
    return report.nodeid.split("::", 1)[-1]


def _message(report) -> str:
    """What the failure says: its exception and message (pytest's crash line), and the
    explanation under it; "" when unknown."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if not isinstance(message, str) or not message.strip():
        return ""
    sections = getattr(report.longrepr, "sections", None) or ()
    return "\n".join([message.strip(), *(str(section[1]) for section in sections)])


def shown(stats: dict[str, list], in_focus: str | None) -> dict[str, list]:
    """The reports to print, per stats key ("failed", "error").

    Per kata (only ``in_focus`` when given): the first failure of each reason of the lowest
    failing task, errors and failures together; the other tests of a reason, and the later
    tasks that fail, are named in one line each under the last one shown.
    """
    groups: dict[tuple[str, str], list[tuple[str, Any]]] = {}  # Any: pytest's stats values
    said: dict[tuple[str, object, str], str] = {}  # (kata, task, message) -> its first reason
    for key, reports in stats.items():
        for report in reports:
            kata = progress.kata_dir(report.nodeid)
            if kata is None:  # not a kata test: as pytest shows it
                groups[("", report.nodeid)] = [(key, report)]
                continue
            if in_focus is not None and kata != in_focus:
                continue
            why = getattr(report, "kata_reason", None) or report.nodeid
            message = without_values(_message(report))
            if message:  # tests of one task that say the very same thing fail for one reason
                why = said.setdefault((kata, getattr(report, "kata_task", None), message), why)
            groups.setdefault((kata, why), []).append((key, report))

    first_task: dict[str, int] = {}
    for (kata, _), members in groups.items():
        task = _task(members)
        first_task[kata] = min(first_task.get(kata, task), task)

    out: dict[str, list] = {key: [] for key in stats}
    later: dict[str, dict[int, set[str]]] = {}
    last_shown: dict[str, tuple[str, int]] = {}
    for (kata, why), members in groups.items():
        key, first = members[0]
        if kata and _task(members) > first_task[kata]:
            for _, report in members:  # each test counts under its own task
                own = getattr(report, "kata_task", None) or _task(members)
                later.setdefault(kata, {}).setdefault(own, set()).add(report.nodeid)
            continue
        others = []
        for _, report in members[1:]:
            if report.nodeid != first.nodeid and _name(report) not in others:
                others.append(_name(report))
        first = _without_seed(first)
        if others:
            first = _with_note(first, _same_reason_note(why, others))
        out[key].append(first)
        if kata:
            last_shown[kata] = (key, len(out[key]) - 1)
    for kata, tasks in later.items():
        if kata not in last_shown:
            continue
        key, index = last_shown[kata]
        out[key][index] = _with_note(out[key][index], _later_note(first_task[kata], tasks), LATER)
    return out


def _task(members: list[tuple[str, object]]) -> int:
    """The lowest task of a reason's tests (0 when none is marked)."""
    tasks = [getattr(report, "kata_task", None) for _, report in members]
    return min((task for task in tasks if task), default=0)


def _tests(count: int) -> str:
    return f"{count} more test{'s' if count != 1 else ''}"


def _same_reason_note(why: str, names: list[str], room: int = 150) -> str:
    task = re.match(r"do task (\d+) first", why)
    count = len(names)
    if task:
        head = f"{_tests(count)} wait{'s' if count == 1 else ''} on task {task.group(1)}: "
    else:
        head = f"{_tests(count)} fail{'s' if count == 1 else ''} for this reason: "
    listed = ", ".join(names)
    if len(head) + len(listed) > room:
        listed = listed[: room - len(head)].rsplit(", ", 1)[0] + ", …"
    return head + listed


def _later_note(current: int, tasks: dict[int, set[str]]) -> str:
    parts = [
        f"task {task} ({len(ids)} test{'s' if len(ids) != 1 else ''})"
        for task, ids in sorted(tasks.items())
    ]
    now = f"task {current}" if current else "the failures above"
    return f"Later tasks fail too: {', '.join(parts)}. They come next, once {now} passes."


def _without_seed(report):
    """Hypothesis's "reproduce it with @seed(...)" section is for library authors: not shown."""
    sections = [(title, text) for title, text in report.sections if "@seed(" not in text]
    if len(sections) == len(report.sections):
        return report
    shown_report = copy.copy(report)
    shown_report.sections = sections
    return shown_report


def _with_note(report, note: str, title: str = SAME_REASON):
    """A copy of ``report`` whose printed failure ends with ``note`` (the original is kept)."""
    shown_report = copy.copy(report)
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        shown_report.longrepr = f"{longrepr}\n\n{note}"
    elif hasattr(longrepr, "addsection"):
        shown_report.longrepr = copy.copy(longrepr)
        shown_report.longrepr.sections = list(longrepr.sections)
        shown_report.longrepr.addsection(title, note)
    return shown_report
