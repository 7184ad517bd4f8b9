"""One kata in focus, each reason once.

pytest prints every failure in full. For a learner that is a wall: the same explanation once
per test, and kata 13's failures above kata 01's. The plugin uses these helpers to narrow what
pytest's FAILURES / ERRORS sections and short summary show (JUnit XML, kata-results.json and
the exit code still see every test):

- ``reason()`` gives a failure a key: tests that fail for one reason share it;
- ``shown()`` keeps the first failure of each reason (of the kata in focus, on a plain run),
  with one line naming the other tests that fail the same way.
"""

from __future__ import annotations

import copy
import re

from katalib import progress

SAME_REASON = "the same reason"


def reason(exc: BaseException, explanation: str | None) -> str:
    """What a failure is about: tests with the same key fail for one reason."""
    text = str(exc)
    broken = re.match(r"Kata (\S+) is broken: (\S+) does not load", text)
    if broken:
        return f"broken {broken.group(2)}"
    if re.match(r"Kata \S+: Django's system checks reject", text):
        return "checks"
    if explanation:
        return explanation
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(exc).__name__}: {first}"


def _name(report) -> str:
    return report.nodeid.split("::", 1)[-1]


def shown(stats: dict[str, list], in_focus: str | None) -> dict[str, list]:
    """The reports to print, per stats key ("failed", "error").

    The first failure of each reason per kata (errors and failures together), or with
    ``in_focus`` only that kata's; the others of a reason are named in one line under it.
    """
    groups: dict[tuple[str, str], list[tuple[str, object]]] = {}
    for key, reports in stats.items():
        for report in reports:
            kata = progress._kata_dir(report.nodeid)
            if kata is None:  # not a kata test: as pytest shows it
                groups[("", report.nodeid)] = [(key, report)]
                continue
            if in_focus is not None and kata != in_focus:
                continue
            why = getattr(report, "kata_reason", None) or report.nodeid
            groups.setdefault((kata, why), []).append((key, report))
    out: dict[str, list] = {key: [] for key in stats}
    for (_, why), members in groups.items():
        (key, first), rest = members[0], [report for _, report in members[1:]]
        if rest:
            first = _with_note(first, _note(why, [_name(r) for r in rest]))
        out[key].append(first)
    return out


def _note(why: str, names: list[str], room: int = 150) -> str:
    task = re.search(r"Do task (\d+) first", why)
    count = len(names)
    if task:
        head = f"{count} more test{'s' * (count > 1)} wait on task {task.group(1)}: "
    else:
        head = f"{count} more test{'s' * (count > 1)} fail for this reason: "
    listed = ", ".join(names)
    if len(head) + len(listed) > room:
        listed = listed[: room - len(head)].rsplit(", ", 1)[0] + ", …"
    return head + listed


def _with_note(report, note: str):
    """A copy of ``report`` whose printed failure ends with ``note`` (the original is kept)."""
    shown_report = copy.copy(report)
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        shown_report.longrepr = f"{longrepr}\n\n{note}"
    elif hasattr(longrepr, "addsection"):
        shown_report.longrepr = copy.copy(longrepr)
        shown_report.longrepr.sections = list(longrepr.sections)
        shown_report.longrepr.addsection(SAME_REASON, note)
    return shown_report
