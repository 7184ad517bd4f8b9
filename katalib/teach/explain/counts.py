"""Rules about query counts (``katalib.teach.sql`` and pytest-django's ``django_assert_num_queries``)."""

from __future__ import annotations

import re
from typing import Any

from katalib.teach.explain.base import (
    Case,
    Rule,
    render,
)


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
    from katalib.teach.sql import analyse

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
    expected = re.search(r"(?:perform|,) (\d+)(?: queries| expected)", case.text)
    wanted = int(expected.group(1)) if expected else None
    analysis.budget = wanted  # the fix must fit the test's own number of queries
    found = _say_findings(analysis, listing)
    if found:
        return found
    if wanted and analysis.total == 0:
        return (
            listing
            + "\n"
            + render(
                f"No query ran; the test expected {wanted}.",
                "A QuerySet is lazy: it asks the database only when something reads its rows "
                "(list(), a for loop, len()). Returned as it is, nothing has read it yet.",
                "return what the function promises: list(queryset) for a list, or the value "
                "itself (.count(), .exists(), a field of .get()).",
            )
        )
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


RULES: tuple[Rule, ...] = (
    # Query counts.
    Rule("query count (katalib.teach.sql)", ("Failed",), say_query_analysis,
         needs=needs_query_analysis),
    Rule("query count (pytest-django)", ("Failed", "AssertionError"), say_django_count,
         r"Expected to perform \d+ queries|\d+ queries executed, \d+ expected",
         needs_django_count),
)  # fmt: skip
