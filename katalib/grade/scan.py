"""A kata file, read before it runs: what in it reaches beyond the kata (``scan``), and whether
it is the upstream's published solution (``published_solution``).

A file ``scan`` flags never runs: the stub stays in its place (katalib.grade.staging).
"""

from __future__ import annotations

import ast
import re
import threading
from pathlib import Path

from katalib.base import manifest

# Modules a kata file may import: the parts of Django a kata uses and harmless standard
# library. Anything else (pytest, sys, os, importlib, builtins, inspect, gc, ctypes, katalib,
# Django's file storage or management commands, ...) is flagged.
ALLOWED_MODULES = (
    "__future__", "typing", "typing_extensions", "collections", "dataclasses", "datetime",
    "decimal", "enum", "functools", "itertools", "operator", "math", "re", "string",
    "textwrap", "uuid", "statistics", "fractions", "numbers", "abc", "copy", "zoneinfo",
    "django.db", "django.conf", "django.contrib.auth", "django.core.exceptions",
    "django.core.validators", "django.dispatch", "django.utils.timezone",
    "django.utils.functional", "django.utils.text", "django.utils.translation",
)  # fmt: skip


def allowed_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in ALLOWED_MODULES)


# Built-in names that reach past the kata: the import system, code from text, files.
FORBIDDEN_BUILTINS = frozenset({
    "__import__", "__builtins__", "__loader__", "__spec__", "eval", "exec", "compile",
    "globals", "vars", "open", "breakpoint", "setattr", "delattr",
})  # fmt: skip
# Names and attributes (``typing.sys.modules``) that reach the interpreter's internals or
# pytest's reporting.
FORBIDDEN_NAMES = frozenset({
    "builtins", "sys", "os", "modules", "importlib", "import_module", "import_string",
    "inspect", "gc", "ctypes", "pytest", "_pytest", "pluggy", "TestReport", "CallInfo",
    "pluginmanager", "katalib", "conftest", "subprocess", "signal", "atexit", "threading",
    "multiprocessing", "__builtins__", "__import__", "__subclasses__", "__globals__",
    "__code__", "__closure__", "__mro__", "__bases__", "__base__", "__dict__",
    "__getattribute__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__", "_getframe",
    "f_back", "f_globals", "f_locals", "f_builtins", "gi_frame", "cr_frame", "tb_frame",
    "tb_next",
})  # fmt: skip
# Special methods a kata's classes may define; any other (__eq__, __hash__, __bool__, __len__,
# __getattr__...) would change what the tests compare, not answer the kata.
ALLOWED_DUNDERS = frozenset({"__str__", "__repr__", "__init__", "__all__"})
# Text that gives the game away even inside a string: getattr(x, "pytest_runtest_...").
# (Not any double underscore: "posts__tags__name" is a lookup.)
SUSPICIOUS_TEXT = re.compile(r"pytest|TestReport|sys\.modules|builtins|^__\w+__$", re.IGNORECASE)


# The grader reads copies in threads. On CPython 3.11.7, grading every honest copy in two
# threads (tests/grade/test_guard.py) once failed with "SystemError: AST constructor recursion
# depth mismatch" from ast.parse: one parse at a time, then.
_PARSING = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse``, one thread at a time."""
    with _PARSING:
        return ast.parse(source, filename)


def scan(source: bytes, filename: str = "<kata file>") -> list[tuple[int, str]]:
    """(line, reason) for everything in a kata file that reaches beyond the kata.

    Docstrings and comments may mention anything; code may not. A file that does not parse is
    not flagged (its kata fails anyway)."""
    try:
        tree = parse(source, filename)  # bytes: the same decoding (coding cookie) as Python
    except (SyntaxError, ValueError):
        return []
    docstrings = {id(docstring) for _node, docstring in documented(tree)}
    found: list[tuple[int, str]] = []
    imported = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }

    def flag(node: ast.AST, reason: str) -> None:
        found.append((getattr(node, "lineno", 0), reason))

    def changed(target: ast.AST) -> None:
        """An assignment or del: patching what was imported, or a special name, is flagged."""
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                changed(element)
            return
        if isinstance(target, ast.Starred):
            changed(target.value)
            return
        if isinstance(target, ast.Name):
            if _dunder(target.id) and target.id not in ALLOWED_DUNDERS:
                flag(target, f"sets {target.id}")
            return
        if isinstance(target, ast.Attribute) and _dunder(target.attr):
            flag(target, f"sets .{target.attr}")
        root = target
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name) and root.id in imported and root is not target:
            flag(target, f"changes {ast.unparse(target)}, which it imported")

    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.Delete)):
            for target in node.targets:
                changed(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            changed(node.target)
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and _dunder(node.name)
            and node.name not in ALLOWED_DUNDERS
        ):
            flag(node, f"defines {node.name}: a kata never changes how its objects compare")
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not allowed_module(alias.name):
                    flag(node, f"imports {alias.name}, which a kata file never needs")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level > 1:
                flag(node, "imports from outside its kata folder")
            elif node.level == 0 and not allowed_module(module):
                # from django.utils import timezone: the module, or each name as a module
                for alias in node.names:
                    if not allowed_module(f"{module}.{alias.name}"):
                        flag(node, f"imports {module}.{alias.name}, which a kata file never needs")
            elif node.level == 1 and module.split(".")[0].startswith(("test_", "conftest")):
                flag(node, f"imports the kata's tests ({module})")
            for alias in node.names:
                if alias.name in FORBIDDEN_NAMES | FORBIDDEN_BUILTINS or alias.name.startswith(
                    ("test_", "pytest_")
                ):
                    flag(node, f"imports {alias.name}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES | FORBIDDEN_BUILTINS:
            flag(node, f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
            flag(node, f"uses .{node.attr}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
            "pytest_"
        ):
            flag(node, f"defines a pytest hook ({node.name})")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and (suspicious := SUSPICIOUS_TEXT.search(node.value))
        ):
            flag(node, f"has the text {suspicious[0]!r} in its code")
    return sorted(set(found))


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


# --- Docstrings aside: the code's shape, and the published solution ---------------------


def code_shape(source: bytes) -> str | None:
    """What a Python file does, comments, formatting and docstrings aside (``ast.dump``)."""
    try:
        tree = parse(source)
    except (SyntaxError, ValueError):
        return None
    for node, _docstring in documented(tree):
        node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


Documented = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def documented(tree: ast.AST) -> list[tuple[Documented, ast.Constant]]:
    """The module, classes and functions of ``tree`` whose first statement is a docstring, each
    with that docstring's constant."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, Documented) and node.body and isinstance(node.body[0], ast.Expr):
            value = node.body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append((node, value))
    return found


def published_solution(root: Path, kata: manifest.Kata, name: str, data: bytes) -> bool:
    """Is ``data`` (the learner's ``name`` of ``kata``) the shipped solution of the upstream ``root``?"""
    solution = root / "solutions" / kata.dir / name
    if not solution.is_file():
        return False  # a students' copy (template): no answers to compare with
    shape = code_shape(data)
    if shape is None or shape != code_shape(solution.read_bytes()):
        return False
    stub = root / "katas" / kata.dir / name
    return not (stub.is_file() and code_shape(stub.read_bytes()) == shape)
