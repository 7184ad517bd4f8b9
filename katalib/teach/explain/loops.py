"""Rules about a test that ran out of time: endless loops, slow kata functions."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from katalib.teach.explain.base import (
    Case,
    Place,
    Rule,
    _source,
    render,
)


@dataclass(frozen=True)
class Loop:
    place: Place
    condition: str
    lineno: int
    unchanged: tuple[str, ...]  # names the condition reads that the loop never changes
    queries: bool  # the condition or the body asks the database
    forever: bool  # `while True` without a reachable break
    asks: bool = False  # the condition itself asks the database (while qs.exists():)
    header: str = ""  # how the loop starts: `while todo`, `for person in todo`
    grows: bool = False  # the body adds to what the loop goes over (todo.append(...))


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


GROWING_CALLS = {"append", "extend", "add", "update", "insert", "appendleft", "put"}


def _grown(body: list[ast.stmt]) -> set[str]:
    """Names the body adds items to: todo.append(x), seen.update(...), queue.extend(...)."""
    return {
        node.func.value.id
        for stmt in body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in GROWING_CALLS
        and isinstance(node.func.value, ast.Name)
    }


def needs_loop(case: Case) -> Any:
    """The `while` loop around the line the timed-out test was running, in a kata file."""
    for place in reversed(case.places):
        try:
            tree = ast.parse(_source(place.filename))
        except SyntaxError:
            continue
        # A `while`, or a `for` over a list that its own body keeps adding to.
        loops = [
            node
            for node in ast.walk(tree)
            if (
                isinstance(node, ast.While)
                or (
                    isinstance(node, ast.For)
                    and isinstance(node.iter, ast.Name)
                    and node.iter.id in _grown(node.body)
                )
            )
            and node.lineno <= place.lineno <= (node.end_lineno or node.lineno)
        ]
        if not loops:
            continue
        loop = max(loops, key=lambda node: node.lineno)  # the innermost
        if isinstance(loop, ast.For):
            condition = ast.unparse(loop.iter)
            header = f"for {ast.unparse(loop.target)} in {condition}"
            read, changed = {condition}, {condition}
            asks = False
        else:
            condition = ast.unparse(loop.test)
            header = f"while {condition}"
            read, changed = _names_read(loop.test), _names_changed(loop.body)
            asks = _asks_database(loop.test)
        forever = (
            isinstance(loop, ast.While)
            and isinstance(loop.test, ast.Constant)
            and bool(loop.test.value)
            and not any(isinstance(n, (ast.Break, ast.Return)) for n in ast.walk(loop))
        )
        return Loop(
            place,
            condition,
            loop.lineno,
            tuple(sorted(read - changed)) if read and not read & changed else (),
            asks or _asks_database(ast.Module(loop.body, [])),
            forever,
            asks,
            header,
            bool(read & _grown(loop.body)),
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
    elif loop.asks:
        why = (
            f"`while {loop.condition}` never became false: the query in the loop gives the "
            "same answer every pass, because nothing in the loop changes the rows it reads."
        )
        fix = (
            "loop over the rows with `for row in queryset:`, or let one query do the work "
            "(a double-underscore path, __in=...)."
        )
    else:
        # The loop moves on every pass (its own names change), yet never ends: it comes back
        # to what it has already visited, round a cycle in the data.
        header = loop.header or f"while {loop.condition}"
        grows = (
            f", and puts them back into {loop.condition} each time, so {loop.condition} "
            "never runs out"
            if loop.grows
            else ""
        )
        why = (
            f"`{header}` never ended with this data: the loop keeps coming back to values it "
            f"has already visited (a chain or graph with a cycle){grows}."
        )
        fix = (
            "keep a set of what you have already seen, add only what is new, and stop when "
            "nothing new turns up; or let one query do the work instead of a loop."
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


RULES: tuple[Rule, ...] = (
    Rule("endless while loop", ("Failed",), say_endless_loop, r"^Timeout", needs_loop),
    Rule("slow kata function", ("Failed",), say_slow_kata_code, r"^Timeout", needs_kata_place),
    Rule("timeout", ("Failed",), say_timeout_general, r"^Timeout",
         fallback="code of a kata file is always on the stack of a kata test that runs out of "
         "time, so the rules above speak"),
)  # fmt: skip
