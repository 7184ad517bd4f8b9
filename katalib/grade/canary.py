"""Must-fail canaries: copies of a kata's tests that honest code fails and forged greens pass.

The grader (``katalib.grade.staging``) writes, beside each kata's test files in its scratch tree,
one copy of each under a name drawn at random for that run (``test_<12 hex digits>.py``), and runs
them in the same pytest process as the tests. A copy keeps every test, fixture, helper, mark
and parameter, with the same function names (so a cheat that goes by the test's name treats
the copy like the original); ``ast`` changes three things:

- **The expected answers are corrupted.** In every ``assert a == b`` inside a function, the
  expected side is changed: a literal in the source itself (``"Alice"`` becomes
  ``"Alice#3fa9c1d2"``, ``3`` becomes ``1048579 + n``, ``["Hello"]`` gets one more element, a
  dict one more key, an f-string a suffix; ``True``/``None`` become a string), any other
  expression when the test runs (``_k.corrupt(expected)``: the same rules by type; an object of
  another type becomes a fresh ``object()``, which no honest answer equals; and an object that
  claims to equal a fresh ``object()`` is kept as it is). The assert's message is dropped.
- **A corrupted assert that holds is recorded**: the statement after it is ``_k.hit()``.
- **Every test is wrapped** (each ``test*`` function and method): ``_k.begin()`` first and
  ``_k.end()`` in a ``finally`` that fails the test unless a hit was recorded. Hypothesis tests
  get ``phases=(explicit, generate)``, no example database and one bug: the first failing
  example ends them (no shrinking).

**Honest code fails every copy**: a corrupted assert compares an honest answer with a value it
cannot equal (it equalled the original one), so it raises; if the test's own code swallows the
error, nothing was recorded either, and ``end()`` fails the test. A copy with no ``==`` assert
fails at ``end()``.

**Every generic way to turn tests green turns the copies green too**: a patched
``TestReport`` / ``runtest`` / ``call_and_report`` reports the copy passed whatever it did; an
answer that equals anything equals the corrupted value, and ``hit()`` runs; an answer read from
the running test (its frame, its code's constants, its source lines) is read from the copy,
whose source holds ``assert got == 'Alice#3fa9c1d2'``. The grader requires every copy to fail;
one that passed (or did not run) makes the whole run invalid.

What canaries cannot catch is code that tells the copies from the originals (by the published
test file names, or by comparing the tests' constants with the published ones) and forges only
the originals: that is aimed at this grader in particular, and left to the other defences (the
static scan, the audit hook, the sandbox).
"""

from __future__ import annotations

import ast
import decimal
import fractions
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from katalib.grade.scan import parse

# Added to an expected number: far from any count or id a kata test expects.
OFFSET = 1 << 20


def new_token() -> str:
    return secrets.token_hex(4)


# --- The run-time side: what a canary module calls ----------------------------------------------


class Watch:
    """One canary module's record of the test that is running: did a corrupted assert hold?"""

    def __init__(self, token: str) -> None:
        self.token = token
        self.hits = 0

    def begin(self) -> None:
        self.hits = 0

    def hit(self) -> None:
        self.hits += 1

    def end(self) -> None:
        if not self.hits:
            raise AssertionError(
                "must-fail copy: no assert with a corrupted expected answer held (as it should)"
            )

    def corrupt(self, value: object) -> object:
        return corrupt(value, self.token)


def corrupt(value: object, token: str) -> object:
    """A value that nothing equal to ``value`` equals (for the types tests compare).

    An object that claims to equal a fresh ``object()`` equals anything: it is returned as it
    is, so the comparison it takes part in still holds (and the copy passes: flagged)."""
    if value == object():
        return value
    if isinstance(value, bool) or value is None:
        return f"#{token}"
    if isinstance(value, str):
        return f"{value}#{token}"
    if isinstance(value, bytes):
        return value + f"#{token}".encode()
    if isinstance(value, (int, float, decimal.Decimal, fractions.Fraction)):
        return value + OFFSET + int(token, 16) % 997
    if isinstance(value, list):
        return [*value, f"#{token}"]
    if isinstance(value, tuple):
        return (*value, f"#{token}")
    if isinstance(value, (set, frozenset)):
        return {*value, f"#{token}"}
    if isinstance(value, dict):
        return {**value, f"#{token}": token}
    return object()  # a model instance, a queryset, ...: equal to nothing honest


# --- Writing a canary module -------------------------------------------------------------------


def _constant(value: object) -> ast.Constant:
    """``value`` (what :func:`corrupt` made of a literal: str, bytes, int or float) as a node."""
    if not isinstance(value, (str, bytes, int, float)):
        raise TypeError(f"not a literal's corruption: {value!r}")
    return ast.Constant(value)


def static_corrupt(node: ast.expr, token: str) -> ast.expr | None:
    """The literal ``node`` with its value corrupted in the source; None if not a literal."""
    mark = ast.Constant(f"#{token}")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (complex, type(...))):
            return None
        return _constant(corrupt(node.value, token))
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return _constant(corrupt(ast.literal_eval(node), token))
    if isinstance(node, ast.JoinedStr):
        return ast.JoinedStr([*node.values, mark])
    if isinstance(node, (ast.List, ast.Tuple)):
        return type(node)(elts=[*node.elts, mark], ctx=ast.Load())
    if isinstance(node, ast.Set):  # no ctx: Python 3.13 warns about it, 3.15 will refuse it
        return ast.Set(elts=[*node.elts, mark])
    if isinstance(node, ast.Dict):
        return ast.Dict(keys=[*node.keys, mark], values=[*node.values, ast.Constant(token)])
    return None


def _call(watch: str, method: str, *args: ast.expr) -> ast.Call:
    return ast.Call(ast.Attribute(ast.Name(watch, ast.Load()), method, ast.Load()), list(args), [])


class _Corrupt(ast.NodeTransformer):
    """``assert a == b`` inside a function: ``b`` corrupted, message dropped, hit() after it."""

    def __init__(self, watch: str, token: str) -> None:
        self.watch, self.token = watch, token
        self.depth = 0

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Assert(self, node: ast.Assert) -> ast.AST | list[ast.stmt]:
        test = node.test
        if not (
            self.depth  # module level: runs at import, left alone
            and isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)
        ):
            return node
        left, right = test.left, test.comparators[0]
        if (changed := static_corrupt(right, self.token)) is not None:
            right = changed
        elif (changed := static_corrupt(left, self.token)) is not None:
            left = changed
        else:
            right = _call(self.watch, "corrupt", right)
        corrupted = ast.Assert(ast.Compare(left, [ast.Eq()], [right]), None)
        hit = ast.Expr(_call(self.watch, "hit"))
        return [ast.copy_location(corrupted, node), ast.copy_location(hit, node)]


def _is_call_to(node: ast.expr, name: str) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _wrap(function: ast.FunctionDef | ast.AsyncFunctionDef, watch: str, names: dict) -> None:
    """begin() first, end() in a finally; a Hypothesis test stops at its first failure."""
    body = function.body
    head = []
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        head, body = [body[0]], body[1:]
    function.body = [
        *head,
        ast.Expr(_call(watch, "begin")),
        ast.Try(body or [ast.Pass()], [], [], [ast.Expr(_call(watch, "end"))]),
    ]
    if not any(_is_call_to(d, "given") for d in function.decorator_list):
        return
    names["hypothesis"] = True
    phases: list[ast.expr] = [
        ast.Attribute(ast.Name(names["Phase"], ast.Load()), p, ast.Load()) for p in names["phases"]
    ]
    quick = [
        ast.keyword("phases", ast.Tuple(phases, ast.Load())),
        ast.keyword("database", ast.Constant(None)),
        ast.keyword("report_multiple_bugs", ast.Constant(False)),
    ]
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and _is_call_to(decorator, "settings"):
            ours = {k.arg for k in quick}
            decorator.keywords = [k for k in decorator.keywords if k.arg not in ours] + quick
            return
    at = next(i for i, d in enumerate(function.decorator_list) if _is_call_to(d, "given"))
    function.decorator_list.insert(at, ast.Call(ast.Name(names["settings"], ast.Load()), [], quick))


@dataclass
class Canary:
    """One canary module of a run: where it is and which test file it copies."""

    original: str  # the test file it copies, relative to the tree (posix)
    path: str  # the canary module, relative to the tree (posix)
    lines: dict[str, int] = field(default_factory=dict)  # test ("f", "Class::f") -> its line

    def ids(self, original_ids: list[str]) -> dict[str, str]:
        """canary node id -> the original's, for the original ids of this file."""
        mine = [i for i in original_ids if i.split("::", 1)[0] == self.original]
        return {self.path + i[len(self.original) :]: i for i in mine}


def rewrite(source: str, token: str, filename: str = "<test file>") -> tuple[str, dict[str, int]]:
    """The canary module's source for a test module; and each test's line in the original."""
    tree = parse(source, filename)
    watch = f"_k{token}"
    names = {"Phase": f"_p{token}", "settings": f"_s{token}", "phases": ("explicit", "generate")}
    lines: dict[str, int] = {}
    tests: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
            "test"
        ):
            tests.append(node)
            lines[node.name] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    item.name.startswith("test")
                ):
                    tests.append(item)
                    lines[f"{node.name}::{item.name}"] = item.lineno
    _Corrupt(watch, token).visit(tree)
    for test in tests:
        _wrap(test, watch, names)
    header = [
        f"from katalib.grade.canary import Watch as _W{token}",
        f"{watch} = _W{token}({token!r})",
    ]
    if names.get("hypothesis"):
        header.append(f"from hypothesis import Phase as _p{token}, settings as _s{token}")
    body = tree.body  # the header goes after the docstring and the __future__ imports
    at = int(
        bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    )
    while (
        at < len(body)
        and isinstance(stmt := body[at], ast.ImportFrom)
        and stmt.module == "__future__"
    ):
        at += 1
    body[at:at] = parse("\n".join(header)).body
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n", lines


def write(root: Path, test_file: str) -> Canary:
    """Write the canary module of ``root/test_file`` beside it, under a name drawn now."""
    token = new_token()
    source = (root / test_file).read_text(encoding="utf-8")
    text, lines = rewrite(source, token, test_file)
    folder, _, _ = test_file.rpartition("/")
    path = f"{folder}/test_{token}{secrets.token_hex(2)}.py".lstrip("/")
    (root / path).write_text(text, encoding="utf-8")
    return Canary(test_file, path, lines)
