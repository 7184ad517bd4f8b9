"""Read the SQL that kata code ran, for the learner: what repeats, and what to do about it.

Kata tests count queries with these helpers instead of a bare number::

    with capture_queries() as small:
        queries.post_cards()
    ...
    with capture_queries() as big:
        queries.post_cards()
    expect_same_count(small, big, call="post_cards()", small_what="1 post", big_what="7 posts")
    expect_at_most(small, 3, call="post_cards()")
    expect_count(log, 1, call='count_posts_tagged("python")')

A failed check shows the SQL that ran: shortened, identical queries (the same SQL with other
values) grouped with a count, and the query repeated once per row marked with ``>>``. The
exception also carries the ``Analysis`` (``exc.query_analysis``), from which
``katalib.teach.explain`` derives the ❌/✅ advice: which relation the repeated query follows
(``post.tags``), whether a prefetch for it already ran, and which call fetches it up front.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from django.db.models import Model

WIDTH = 130  # a shortened query is cut to this many characters

_TOKEN = re.compile(
    r'(?P<ident>"(?:[^"]|"")*")'  # "table"."column": kept
    r"|(?P<string>'(?:[^']|'')*')"  # 'text' literals
    r"|(?P<number>(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]))"  # 42, 3.5 (not inside names)
)
_IN_LIST = re.compile(r"\bIN \((?:\?, )*\?\)")
_COLUMN = r'"(\w+)"\."(\w+)"'
_LITERAL = r"'(?:[^']|'')*'|-?\d+(?:\.\d+)?"


def shape_of(sql: str) -> str:
    """The query with its values left out: the same query with other values has the same shape."""

    def blank(match: re.Match[str]) -> str:
        return match.group("ident") or "?"

    return _IN_LIST.sub("IN (...)", _TOKEN.sub(blank, sql))


def _labels() -> list[str]:
    try:
        from django.apps import apps

        return sorted((c.label for c in apps.get_app_configs()), key=len, reverse=True)
    except Exception:  # noqa: BLE001 - Django not set up: nothing to strip
        return []


def shorten(sql: str, width: int = WIDTH) -> str:
    """A query as a learner reads it: no app prefixes, no quotes, no column lists."""
    labels = _labels()

    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        for label in labels:
            if name.startswith(label + "_"):
                return name[len(label) + 1 :]
        return name

    text = re.sub(r'"(\w+)"', table, sql)
    select = re.match(r"SELECT (DISTINCT )?(.*?) FROM ", text, re.DOTALL)
    if select and not re.search(r"\w\(|\b1 AS\b", select.group(2)):
        text = f"SELECT {select.group(1) or ''}... FROM " + text[select.end() :]
    text = re.sub(
        r"\bIN \(([^()]*?), ([^(),]*?), ([^(),]*?), [^()]*\)", r"IN (\1, \2, \3, ...)", text
    )
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= width else text[: width - 3] + "..."


# --- What a query reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """The relation a repeated query follows, e.g. Post.tags read from each post."""

    owner: str  # model of the rows the loop goes over: "Post"
    accessor: str  # "tags", "author", "posts"
    target: str  # the model read: "Tag"
    kind: str  # "forward" (select_related), "many-to-many" or "reverse" (prefetch_related)
    ordering: tuple[str, ...] = ()  # the target's Meta.ordering
    query: str = ""  # the relation's name in a query from the owner: Count("posts")
    back: str = ""  # the way back from a target to its owners: tag.posts

    @property
    def many(self) -> bool:
        return self.kind != "forward"

    @property
    def row(self) -> str:
        return self.owner.lower()

    @property
    def path(self) -> str:
        return f"{self.row}.{self.accessor}"


def _models() -> dict[str, type[Model]]:
    try:
        from django.apps import apps

        return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    except Exception:  # noqa: BLE001 - Django not set up: no names, only SQL
        return {}


def _field_at(model: type[Model], column: str):
    return next((f for f in model._meta.concrete_fields if f.column == column), None)


def _m2m_through(model: type[Model]):
    """The ManyToManyField whose links live in ``model`` (a join table), or None."""
    for other in _models().values():
        for m2m in other._meta.local_many_to_many:
            if m2m.remote_field.through is model:
                return m2m
    return None


def relation_of(table: str, column: str, from_table: str, owners: set[str]) -> list[Relation]:
    """Which relation a query filtering ``table.column`` by one value per row follows.

    ``owners`` are the tables of the other queries: the rows the loop probably goes over.
    """
    models = _models()
    model = models.get(table)
    if model is None:
        return []
    found = _field_at(model, column)
    if found is None:
        return []
    read = models.get(from_table, model)
    ordering = tuple(str(o) for o in read._meta.ordering or ())
    if found.primary_key and table == from_table:
        # One row by its id: a ForeignKey (or OneToOneField) read forward, once per row.
        candidates = [
            (other, f)
            for other in models.values()
            for f in other._meta.concrete_fields
            if f.is_relation and f.related_model is model and not other._meta.auto_created
        ]
        preferred = [c for c in candidates if c[0]._meta.db_table in owners] or candidates
        return [
            Relation(other.__name__, f.name, model.__name__, "forward", ordering)
            for other, f in preferred
        ]
    if not found.is_relation:
        return []
    m2m = _m2m_through(model)
    if m2m is not None and (table != from_table or model._meta.auto_created):
        # A join table filtered by one side's id: a many-to-many read from that side.
        forward_side = m2m.name, m2m.name, m2m.remote_field.get_accessor_name() or ""
        reverse_side = (
            m2m.remote_field.get_accessor_name() or "",
            m2m.related_query_name(),
            m2m.name,
        )
        if found.column == m2m.m2m_column_name():
            owner, target = m2m.model, m2m.related_model
            accessor, query, back = forward_side
        else:
            owner, target = m2m.related_model, m2m.model
            accessor, query, back = reverse_side
        ordering = tuple(str(o) for o in target._meta.ordering)  # not the join table's
        return [
            Relation(
                owner.__name__, accessor, target.__name__, "many-to-many", ordering, query, back
            )
        ]
    # Rows filtered by their ForeignKey column: the reverse side, read from the other model.
    accessor = found.remote_field.get_accessor_name()
    if not accessor:
        return []
    owner = found.related_model
    return [
        Relation(
            owner.__name__, accessor, model.__name__, "reverse", ordering,
            found.related_query_name(), found.name,
        )
    ]  # fmt: skip


# --- Grouping and analysis -----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem the queries show: what happens, why, and the fix."""

    what: str
    why: str
    fix: str


@dataclass
class Group:
    """Queries of the same shape (the same SQL with other values)."""

    shape: str
    sqls: list[str]
    baseline: int | None = None  # how many ran in the smaller run, if there was one
    relations: list[Relation] = field(default_factory=list)
    filtered_by: tuple[str, str] | None = None  # (table, column) compared with one value

    @property
    def count(self) -> int:
        return len(self.sqls)

    @property
    def repeated(self) -> bool:
        """Runs once per row: grows with the data, or (without a smaller run) runs many times."""
        if self.baseline is not None:
            return self.count > self.baseline
        return self.count > 1 and self.filtered_by is not None

    @property
    def sql(self) -> str:
        return self.sqls[0]

    @property
    def select(self) -> str:
        match = re.match(r"SELECT (.*?) FROM ", self.sql, re.DOTALL)
        return match.group(1) if match else ""

    @property
    def where(self) -> str:
        match = re.search(r"\bWHERE (.*?)(?: GROUP BY | ORDER BY | LIMIT |$)", self.sql, re.DOTALL)
        return match.group(1) if match else ""

    @property
    def order(self) -> str:
        match = re.search(r" ORDER BY (.*?)(?: LIMIT |$)", self.sql, re.DOTALL)
        return match.group(1) if match else ""


def _from_table(sql: str) -> str:
    match = re.search(r'\bFROM "(\w+)"', sql)
    return match.group(1) if match else ""


def _per_row_filters(sql: str) -> list[tuple[str, str]]:
    """Every (table, column) the WHERE compares with one value, in the order written."""
    where = re.search(r"\bWHERE (.*?)(?: GROUP BY | ORDER BY | LIMIT |$)", sql, re.DOTALL)
    if not where:
        return []
    return re.findall(rf"{_COLUMN} = (?:{_LITERAL})", where.group(1))


def _per_row_filter(sql: str) -> tuple[str, str] | None:
    found = _per_row_filters(sql)
    return found[0] if found else None


@dataclass
class Analysis:
    """The queries of one run, grouped, with what the repeated ones read."""

    groups: list[Group]
    # How many queries the test allows, when it says (a fix must not need more than that).
    budget: int | None = None

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def repeated(self) -> list[Group]:
        return [g for g in self.groups if g.repeated]

    def listing(self, indent: str = "  ") -> str:
        lines = []
        for group in self.groups:
            mark = ">>" if group.repeated else "  "
            lines.append(f"{indent}{mark} {group.count:>3}x  {shorten(group.sql)}")
        if self.repeated:
            lines.append(f"{indent}(>> marks a query that runs once per row)")
        return "\n".join(lines)

    def prefetched(self, group: Group) -> bool:
        """Whether a query fetching the same relation for all rows at once ran too."""
        if group.filtered_by is None:
            return False
        table, column = group.filtered_by
        # prefetch_related: "t"."c" IN (...); for one or two values Django may write OR.
        many = re.compile(rf'"{table}"\."{column}" IN \(|\("{table}"\."{column}" = \? OR')
        return any(many.search(g.shape) for g in self.groups if g is not group)

    def duplicates(self) -> list[Group]:
        """The very same query (same values) run more than once, not growing with the rows."""
        return [g for g in self.groups if not g.repeated and len(set(g.sqls)) < g.count]

    def findings(self) -> list[Finding]:
        """(what, why, fix) for each problem the queries show; the N+1 first."""
        return _findings(self)


def analyse(sqls: Iterable[str], baseline: Iterable[str] | None = None) -> Analysis:
    """Group ``sqls`` by shape; with ``baseline`` (the same call on less data), spot growth."""
    sqls = list(sqls)
    before: dict[str, int] | None = None
    if baseline is not None:
        before = {}
        for sql in baseline:
            before[shape_of(sql)] = before.get(shape_of(sql), 0) + 1
    groups: dict[str, Group] = {}
    for sql in sqls:
        shape = shape_of(sql)
        if shape not in groups:
            groups[shape] = Group(shape, [], None if before is None else before.get(shape, 0))
        groups[shape].sqls.append(sql)
    owners = {_from_table(sql) for sql in sqls}
    for group in groups.values():
        group.filtered_by = _per_row_filter(group.sql)
        # The column that follows a relation, whichever comes first: Django 6 writes a
        # filter's own condition (published = 1) before the relation's (author_id = 2).
        for table, column in _per_row_filters(group.sql):
            relations = relation_of(
                table, column, _from_table(group.sql), owners - {_from_table(group.sql)}
            )
            if relations:
                group.filtered_by, group.relations = (table, column), relations
                break
    return Analysis(list(groups.values()))


def _kinds(relations: list[Relation]) -> str:
    return _and(
        "a many-to-many" if r.kind == "many-to-many" else "the reverse side of a ForeignKey"
        for r in relations
    )


def _and(items: Iterable[str]) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _calls(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in dict.fromkeys(names))


_UNFILLED = " (after .order_by() or .values(), or with to_attr=)"


def _trap_method(group: Group, relation: Relation) -> str:
    """Which call most likely built the repeated query after a prefetch.

    A prefetched manager answers .all(), len(), [0], .count(), .exists() and, when the model
    has Meta.ordering, .first() from its cache (no query); a new queryset (.filter(),
    .exclude(), .order_by(), .values()) and .last() query again. A ``Prefetch(to_attr=...)``
    fills its list, not the manager, so every call on the manager queries then.
    """
    select = group.select
    if " AND " in group.where or "NOT " in group.where:
        return ".filter() (or .exclude())"
    if "COUNT(" in select.upper():
        return f".count() on a queryset the prefetch did not fill{_UNFILLED}"
    if re.match(r"1 AS ", select) and " LIMIT 1" in group.sql:
        return f".exists() on a queryset the prefetch did not fill{_UNFILLED}"
    if " LIMIT 1" in group.sql:
        return _limit_one_method(group, relation)
    if re.fullmatch(r'(?:"\w+"\."\w+"(?: AS "\w+")?, )*"\w+"\."\w+" AS "\w+"', select):
        return ".values_list() (or .values())"
    return ""


def _limit_one_method(group: Group, relation: Relation) -> str:
    """A repeated ``LIMIT 1`` query after a prefetch: most likely .last().

    [0] and (with Meta.ordering) .first() read the prefetch; .last() reverses the order and
    .first() without Meta.ordering orders by id, both in a new query (as does anything after
    .order_by(), or every call when the prefetch used to_attr=).
    """
    order = group.order.split(",")[0].strip()
    descending = order.endswith(" DESC")
    if not order:
        return "[0] on a queryset the prefetch did not fill (e.g. with to_attr=)"
    if not relation.ordering and re.fullmatch(r'"\w+"\."id" (?:ASC|DESC)', order):
        if descending:
            return ".last()"
        return f".first() ({relation.target} has no Meta.ordering, so .first() orders by id)"
    if relation.ordering and descending != relation.ordering[0].startswith("-"):
        return ".last() (or .first() or [0] after .order_by('-...'))"
    return ".first() or [0] after .order_by() (or on a manager a to_attr= prefetch left empty)"


def _findings(analysis: Analysis) -> list[Finding]:
    found: list[Finding] = []
    forward: dict[str, list[Relation]] = {}
    many: dict[str, list[Relation]] = {}
    counted: dict[str, list[Relation]] = {}  # a .count() per row: annotate(Count(...))
    for group in analysis.repeated:
        relations = group.relations
        if not relations:
            found.append(
                Finding(
                    what=f"the same query runs {group.count} times, once per row (N+1).",
                    why="A query inside a loop asks the database again for every row.",
                    fix="ask once for all the rows before the loop (e.g. "
                    "filter(field__in=[...]) or in_bulk()), or follow the relation in the first "
                    "query.",
                )
            )
            continue
        first = relations[0]
        if first.many and analysis.prefetched(group):
            method = _trap_method(group, first)
            looks = f" The repeated query looks like {method}." if method else ""
            cached_first = (
                f" and .first() ({first.target} has Meta.ordering)" if first.ordering else ""
            )
            queried = _and(
                [".filter()", ".exclude()", ".order_by()", ".values_list()", ".last()"]
                + ([] if first.ordering else [f".first() ({first.target} has no Meta.ordering)"])
            )
            sorted_note = (
                f" {first.target}.Meta.ordering already sorts .all() by "
                f"{', '.join(first.ordering)}."
                if first.ordering and not method
                else ""
            )
            found.append(
                Finding(
                    what=f"{first.path} is queried once per {first.row} ({group.count} times), "
                    f"although prefetch_related('{first.accessor}') ran.",
                    why=f"A prefetch fills the cache of {first.path}: .all(), len(), [0], "
                    f".count(), .exists(){cached_first} read it without a query; {queried} build "
                    f"a new query, once per {first.row}. (A Prefetch(..., to_attr=...) fills its "
                    f"list, not {first.path}.){looks}{sorted_note}",
                    fix=f"read {first.path}.all() and work on that list in Python, or put your "
                    f"filter or order in the prefetch: Prefetch('{first.accessor}', "
                    f"queryset={first.target}.objects.filter(...).order_by(...)"
                    + (", to_attr='...')" if method.startswith(".filter") else ")")
                    + ".",
                )
            )
            continue
        if first.many and "COUNT(" in group.select.upper():
            counted.setdefault(first.owner, []).extend(relations)
            continue
        bucket = many if first.many else forward
        bucket.setdefault(first.owner, []).extend(relations)
    for owner, relations in forward.items():
        names = [r.accessor for r in relations]
        paths = _and(r.path for r in relations)
        found.append(
            Finding(
                what=f"{paths} {'is' if len(set(names)) == 1 else 'are'} read with one query per "
                f"{owner.lower()} (N+1).",
                why=f"Each {owner.lower()} fetches its related row by id when you first read it. "
                f"select_related() JOINs {'it' if len(set(names)) == 1 else 'them'} into the "
                f"{owner} query instead.",
                fix=f"{owner}.objects.select_related({_calls(names)})... (or read the columns "
                f"you need with values_list('{names[0]}__...')).",
            )
        )
    for owner, relations in counted.items():
        found.append(_count_per_row(owner, relations))
    for owner, relations in many.items():
        names = [r.accessor for r in relations]
        paths = _and(r.path for r in relations)
        # After the fix: the queries that ran once, plus one prefetch per relation.
        needed = len([g for g in analysis.groups if not g.repeated]) + len(set(names))
        if analysis.budget is not None and needed > analysis.budget:
            found.append(_one_query_instead(owner, relations, analysis.budget))
            continue
        found.append(
            Finding(
                what=f"{paths} {'is' if len(set(names)) == 1 else 'are'} queried once per "
                f"{owner.lower()} (N+1).",
                why=f"{paths} {'holds' if len(set(names)) == 1 else 'hold'} many rows per "
                f"{owner.lower()} ({_kinds(relations)}); without a prefetch each "
                f"{owner.lower()} asks the database for its own.",
                fix=f"{owner}.objects.prefetch_related({_calls(names)}), then read "
                f"{relations[0].path}.all(): one more query for all the {owner.lower()}s.",
            )
        )
    for group in analysis.duplicates():
        found.append(
            Finding(
                what=f"the very same query runs {group.count} times.",
                why="A QuerySet asks the database each time it is evaluated anew "
                "(list(), len(), a second loop over a new .filter()...).",
                fix="evaluate it once, keep the result in a variable, and reuse it.",
            )
        )
    fetched = _separate_forward(analysis) if not found else []
    if fetched:
        owner = fetched[0][0]
        names = [name for o, name in fetched if o == owner]
        paths = _and(f"{owner.lower()}.{name}" for name in names)
        found.append(
            Finding(
                what=f"{paths} "
                + (
                    "comes in a query of its own."
                    if len(names) == 1
                    else "each come in a query of their own."
                ),
                why="A ForeignKey read forward can come in the same query as the rows, with "
                "a JOIN; prefetch_related() (or a separate lookup) costs one query more "
                "for each.",
                fix=f"{owner}.objects.select_related({_calls(names)}) instead of "
                "prefetch_related(...).",
            )
        )
    if not found:
        found.extend(_get_then_query(analysis))
    if not found:
        found.extend(_prefetch_over_budget(analysis))
    return found


def _annotation(relation: Relation) -> str:
    return f"n_{relation.query or relation.accessor}"


def _count_per_row(owner: str, relations: list[Relation]) -> Finding:
    """A COUNT query per row (``tag.posts.count()`` in a loop): annotate() counts for all."""
    first = relations[0]
    row, query = owner.lower(), first.query or first.accessor
    counted = list(dict.fromkeys(relations))
    what = f"{_and(f'{r.path}.count()' for r in counted)} {'runs' if len(counted) == 1 else 'run'}"
    if len(counted) > 1:
        # Two Counts over two many-valued relations JOIN both: each counts one row per pair.
        both = ", ".join(f"{_annotation(r)}=Count('{r.query or r.accessor}', distinct=True)"
                         for r in counted)  # fmt: skip
        return Finding(
            what=f"{what} once per {row} (N+1).",
            why=f"Each .count() is a query of its own. The database can count for every {row} "
            f"at once: annotate() adds the counts to each row of the one query that fetches the "
            f"{row}s. Two Counts in one query JOIN both relations, and the JOIN gives one row "
            "per pair, which multiplies both counts unless each is distinct=True.",
            fix=f"{owner}.objects.annotate({both}): one query for all the {row}s "
            "(from django.db.models import Count).",
        )
    return Finding(
        what=f"{what} once per {row} (N+1).",
        why=f"Each .count() is a query of its own. The database can count for every {row} "
        f"at once: annotate() adds the count to each row of the one query that fetches the "
        f"{row}s.",
        fix=f"{owner}.objects.annotate({_annotation(first)}=Count('{query}')), then read "
        f"{row}.{_annotation(first)}: one query for all the {row}s "
        "(from django.db.models import Count).",
    )


def _one_query_instead(owner: str, relations: list[Relation], budget: int) -> Finding:
    """An N+1 over a many-valued relation where the test allows no query for a prefetch."""
    first = relations[0]
    row, target, query = owner.lower(), first.target, first.query or first.accessor
    paths = _and(r.path for r in relations)
    other_side = (
        f", or start from the {target}: {target.lower()}.{first.back}.all()"
        if first.kind == "many-to-many" and first.back
        else ""
    )
    return Finding(
        what=f"{paths} is queried once per {row} (N+1).",
        why=f"Each {row} asks the database for its own {paths}. The test allows "
        f"{_plural(budget)}, so prefetch_related() (one more query) does not fit either: "
        "let the query that fetches the rows do the work.",
        fix=f"to keep the {row}s linked to a {target}, filter across the relation: "
        f"{owner}.objects.filter({query}=<the {target}>){other_side}; to count them per "
        f"{row}, {owner}.objects.annotate({_annotation(first)}=Count('{query}')).",
    )


def _prefetch_over_budget(analysis: Analysis) -> list[Finding]:
    """A prefetch_related() query where the test's budget has no room for it."""
    if analysis.budget is None or analysis.total <= analysis.budget:
        return []
    models = _models()
    tables = {_from_table(g.sql) for g in analysis.groups}
    fetched = {models[t].__name__ for t in tables if t in models}  # what the queries read
    for group in analysis.groups:
        column = re.search(rf"\bWHERE {_COLUMN} IN \(", group.sql)
        if not column:
            continue
        table, name = column.groups()
        start = _from_table(group.sql)
        relations = relation_of(table, name, start, tables - {start})
        first = next((r for r in relations if r.many and r.owner in fetched), None)
        if first is None:
            continue
        row, query = first.owner.lower(), first.query or first.accessor
        return [
            Finding(
                what=f"prefetch_related('{first.accessor}') is a query of its own: "
                f"{_plural(analysis.total)} ran, the test allows {analysis.budget}.",
                why=f"A prefetch fetches {first.path} for every {row} in a second query. To "
                "count, the database can do it inside the first query.",
                fix=f"{first.owner}.objects.annotate({_annotation(first)}=Count('{query}')), "
                f"then read {row}.{_annotation(first)}: one query, no prefetch.",
            )
        ]
    return []


def _get_then_query(analysis: Analysis) -> list[Finding]:
    """A .get() of one row by a field, then a query that uses its id: one path does both."""
    models = _models()
    for group in analysis.groups:
        got = re.search(rf"\bWHERE {_COLUMN} = (?:{_LITERAL}) LIMIT 21$", group.sql)
        model = models.get(got.group(1)) if got else None
        if got is None or model is None or model._meta.pk.column == got.group(2):
            continue
        field = _field_at(model, got.group(2))
        for other in analysis.groups:
            by_id = _per_row_filter(other.sql) if other is not group else None
            rows = models.get(by_id[0]) if by_id else None
            if field is None or by_id is None or rows is None:
                continue
            link = _field_at(rows, by_id[1])
            if link is None or link.related_model is not model:
                continue
            m2m = _m2m_through(rows)
            if m2m is not None:  # a join table: the rows wanted are the other side's
                start = m2m.model if m2m.related_model is model else m2m.related_model
                path = m2m.name if start is m2m.model else m2m.remote_field.related_query_name()
            else:
                start, path = rows, link.name
            return [
                Finding(
                    what=f"one query fetches the {model.__name__} (a .get()), a second asks "
                    f"for its {start.__name__} rows by its id.",
                    why="A double-underscore path reaches the fields of a related model inside "
                    "the same query, so the first trip is not needed.",
                    fix=f"ask {start.__name__} directly: {start.__name__}.objects.filter("
                    f"{path}__{field.name}=...), then .count(), .exists() or the rows you need.",
                )
            ]
    return []


def _separate_forward(analysis: Analysis) -> list[tuple[str, str]]:
    """(owner, field) of ForeignKeys fetched by id in queries of their own (not JOINed)."""
    models = _models()
    owners = {_from_table(g.sql) for g in analysis.groups}
    found: list[tuple[str, str]] = []
    for group in analysis.groups:
        by_id = re.search(
            # Django 6 writes a prefetch by id as a tuple: WHERE ("post"."id") IN ((2)).
            rf"\bWHERE \(?{_COLUMN}\)? (?:IN \(|= (?:{_LITERAL})(?: OR|\)?$| ))",
            group.sql,
        )
        if not by_id:
            continue
        model = models.get(by_id.group(1))
        pk = getattr(getattr(model, "_meta", None), "pk", None)
        if pk is None or pk.column != by_id.group(2):
            continue
        for owner_table in sorted(owners - {by_id.group(1)}):
            owner = models.get(owner_table)
            if owner is None:
                continue
            for f in owner._meta.concrete_fields:
                if f.is_relation and f.related_model is model:
                    found.append((owner.__name__, f.name))
    return found


# --- Capturing and checking ------------------------------------------------------------------


class QueryLog:
    """The SQL of the queries run inside ``with capture_queries() as log:``."""

    def __init__(self) -> None:
        self.sqls: list[str] = []
        self.fixed = False  # its count matched that of more data (expect_same_count)

    def __len__(self) -> int:
        return len(self.sqls)

    def __iter__(self) -> Iterator[str]:
        return iter(self.sqls)

    def __str__(self) -> str:
        return analyse(self.sqls).listing()


@contextmanager
def capture_queries(using: str = "default") -> Iterator[QueryLog]:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    log = QueryLog()
    with CaptureQueriesContext(connections[using]) as context:
        yield log
    log.sqls = [q["sql"] for q in context.captured_queries]


def fail(message: str, analysis: Analysis) -> None:
    """Fail the test with ``message``; the analysis rides along for katalib.teach.explain."""
    error = pytest.fail.Exception(message)
    error.query_analysis = analysis  # type: ignore[attr-defined]
    raise error


def _plural(n: int) -> str:
    return f"{n} {'query' if n == 1 else 'queries'}"


def expect_count(log: QueryLog, expected: int, *, call: str) -> None:
    """Exactly ``expected`` queries, or fail showing them."""
    if len(log) == expected:
        return
    analysis = analyse(log.sqls)
    analysis.budget = expected
    fail(
        f"{call} ran {_plural(len(log))}; expected {expected}. The queries it ran:\n"
        + (analysis.listing() if len(log) else "  (none)"),
        analysis,
    )


def expect_same_count(
    small: QueryLog, big: QueryLog, *, call: str, small_what: str, big_what: str
) -> None:
    """As many queries on more data as on less, or fail showing what grew."""
    if len(big) == len(small):
        small.fixed = big.fixed = small_what != big_what  # the same data proves nothing
        return
    analysis = analyse(big.sqls, baseline=small.sqls)
    fail(
        f"{call} ran {_plural(len(small))} for {small_what} but {_plural(len(big))} for "
        f"{big_what}: the number of queries must not grow with the data. "
        f"The queries for {big_what}:\n" + analysis.listing(),
        analysis,
    )


def expect_at_most(log: QueryLog, budget: int, *, call: str, what: str = "") -> None:
    """No more than ``budget`` queries, or fail showing them."""
    if len(log) <= budget:
        return
    analysis = analyse(log.sqls)
    analysis.budget = budget
    fail(
        f"{call} ran {_plural(len(log))}{' for ' + what if what else ''}: "
        + ("a fixed number, but over" if log.fixed else "over")
        + f" its budget of {budget}. The queries:\n"
        + analysis.listing(),
        analysis,
    )
