"""Grade learners' copies of the katas without trusting them: ``python -m katalib.grade``.

    python -m katalib.grade ../alice-katas https://github.com/bob/django-relationship-katas
    python -m katalib.grade --roster roster.txt --csv grades.csv --markdown grades.md
    python -m katalib.grade --roster roster.txt --shard 2/4 --json > shard-2.json
    python -m katalib.grade merge shard-*.json --csv grades.csv --markdown grades.md
    python -m katalib.grade template ../class-katas   # the students' repository (template.py)

Each FORK is a local folder or a git URL (cloned with ``git clone --depth 1``). A copy is graded
against a pristine tree, never against its own harness:

1. The pristine tree is the upstream (``--upstream PATH``, default: the checkout this module
   comes from): its harness (``katalib/``), ``conftest.py``, ``settings.py``,
   ``pyproject.toml``, ``katas.toml`` and ``katas/`` (the tests and the given files).
2. Into a scratch copy of it go ONLY the learner's editable files of each kata, as the
   upstream's ``katas.toml`` names them (``files = [...]``). Nothing else of the copy is used:
   not its tests, its pytest configuration, its conftest files, its checksum list or its harness.
3. pytest runs there in a subprocess (``-p no:cacheprovider``, ``--kata-results``,
   ``--junitxml``), with a time limit per copy.
4. Beside each kata's test files go their **must-fail canaries** (``katalib/grade/canary.py``): the
   same tests, in a module named at random for this run (``test_<12 hex digits>.py``), with
   the expected side of every ``assert a == b`` corrupted (``"Alice"`` -> ``"Alice#3fa9c1d2"``,
   a number shifted, one more element; in the source for a literal, at run time otherwise),
   and each test failing unless such an assert held. Honest code fails every canary; a patched
   pytest report, an answer equal to anything or an answer read from the running test (frame,
   constants, source) passes them as it passes the tests. A canary that did not fail (passed,
   or did not run) flags the copy, naming it, and no kata of that run counts.
5. The run's test data is redrawn (``katalib/base/seed.py``): every name and title the tests give
   the kata code, and every answer they expect, is spelt from a seed drawn for this copy
   (``"Alice"`` -> ``"A3l7i0c5e1"``; ``--seed`` repeats a run, the JSON records it), so
   canned answers for the public data fail while every honest solution passes.
6. A kata is solved only when every test id that the upstream's tests define for it (collected
   once with ``--collect-only``) passed, every canary failed, and the harness's results agree
   (its counts include the canaries).
7. Everything else the copy changed (compared with the upstream: edited tests, a new
   ``pytest.ini`` or ``conftest.py``, pytest options in ``pyproject.toml``, ...) is listed as
   *changed outside the kata files*. It has no effect on the grade, which never used it. Both
   sides are the files git would track (``git ls-files --cached --others --exclude-standard``;
   a plain folder through a throwaway repository, so its ``.gitignore`` files count), less any
   folder with a ``pyvenv.cfg`` (a virtualenv, whatever its name: ``env/``, ``.v/``) and
   generated names (``IGNORED_NAMES``).
8. A kata file is read before it runs. One that imports pytest or anything outside a small
   allowlist, reaches for the interpreter's internals (``__import__``, ``sys.modules``,
   ``TestReport``, ``pytest_*`` hooks, ``open``, ``eval``...), changes what it imported, or
   defines special methods such as ``__eq__`` (an answer equal to anything), is flagged and
   never run (the stub stays in its place), and its kata is not counted as solved. A run that
   changed the scratch tree's harness or tests anyway is flagged too, and then no kata counts.
9. The run is fenced in (``katalib/grade/guard.py``, ``katalib/grade/jail.py``; the JSON's
   ``environment.sandbox`` says what was applied). An audit hook (PEP 578), loaded before any
   kata file (``-p kata_guard``: the grader's own) and not removable from Python, ends the run
   at the first event that honest runs of every kata never raised (``guard_events.json``, recorded
   by ``python -m katalib.grade.guard --record``): ``gc`` object access, a kata file's own code
   writing a function's ``__code__``, subprocesses, forks, sockets, ``ctypes``,
   files changed outside the copy's scratch folder, and the like, from any thread. The copy is
   flagged ``refused <event>`` at the kata file and line (when a kata frame is on that
   thread's stack) and no kata of it counts. Around the run, where the platform allows: no
   network (Linux: ``unshare --user --net --map-root-user``; not when ``DATABASE_URL`` names a
   database server, nor where unprivileged namespaces are forbidden), limits on CPU time,
   address space, processes and file size (POSIX: a kata that allocates or writes too much
   fails its own tests), and everywhere an environment of allowlisted variables without
   tokens or secrets and a throwaway ``HOME``.

A kata file that is the upstream's published solution (``solutions/<kata>/<file>``: the same
``ast.dump`` once docstrings are dropped, so comments and formatting aside) is listed in
``matches_solution`` (📋 in the tables): a note for the teacher, not a fail. A students'
repository made with ``template`` has no ``solutions/``, so grade with the teacher's checkout.

Not enforced: reading files (the run can read whatever the grading user can), what has no
audit event (attribute writes on modules, classes and instances, reading frames or
``sys.modules``: the canaries answer those), the network on macOS and Windows, resource limits
on Windows. So still grade in a container or on a throwaway machine (the classroom workflow
uses a fresh runner per shard).

Output: ``--json`` prints ``{"forks": [{"fork", "katas": {kata: {"solved", "passed",
"total"}}, "changed_outside", "flags", "matches_solution", "canaries": {"run", "failed"},
...}]}``; ``--csv FILE`` and ``--markdown FILE`` write the teacher's table (student x kata, last
commit time, flags); ``--summary FILE`` appends the learner's view (the CI job summary);
``--github`` prints GitHub Actions annotations. Copies are graded in parallel (``--jobs``), each
in its own temporary folder; one that cannot be cloned, runs out of time or whose pytest is
killed (a limit, a crash) gets a row saying so and the others are still graded. ``merge`` combines the
``--json`` outputs of several runs (the shards of a classroom workflow) into one table.

Exit code: 0 when every copy was graded (solved or not), 1 when some copy could not be graded,
2 on a usage error.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from katalib.base import junit, manifest, repo
from katalib.base.marks import GOOD
from katalib.base.seed import SEED_ENV
from katalib.grade import canary, jail, template

PROG = "python -m katalib.grade"
# What the pristine scratch tree holds: the harness and the katas (tests and given files).
HARNESS = (*repo.HARNESS, "katas")
# Generated or local-only files: never compared, never copied (.gitignore, plus common tools).
IGNORED_NAMES = frozenset({
    ".git", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".mypy_cache",
    ".venv", "venv", ".ci-venv", ".nox", ".tox", "build", "dist", "node_modules",
    "kata-results.json", ".katas-state.json", ".katas-backup", "uv.lock", ".DS_Store",
})  # fmt: skip
IGNORED_SUFFIXES = (".pyc", ".pyo", ".pyd", ".egg-info")
MAX_KATA_FILE = 256 * 1024  # bytes; a kata file is a few KB
DEFAULT_TIMEOUT = 600.0  # seconds per copy: clone and tests


# --- What a kata file may use ------------------------------------------------------------------

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


def scan(source: bytes, filename: str = "<kata file>") -> list[tuple[int, str]]:
    """(line, reason) for everything in a kata file that reaches beyond the kata.

    Docstrings and comments may mention anything; code may not. A file that does not parse is
    not flagged (its kata fails anyway)."""
    try:
        tree = ast.parse(source, filename)  # bytes: the same decoding (coding cookie) as Python
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


# --- Trees ---------------------------------------------------------------------------------------


def _ignored(name: str) -> bool:
    return name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES)


def digest(path: Path) -> str:
    """SHA-256 of a file with line endings normalised (a Windows checkout matches)."""
    if path.is_symlink():
        return "symlink:" + os.readlink(path)
    if path.stat().st_size > 16 * 1024 * 1024:  # not a source file: hashed as it is, in chunks
        sha = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                sha.update(chunk)
        return "large:" + sha.hexdigest()
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def tree_digests(
    root: Path, only: Iterable[str] | None = None, skip_virtualenvs: bool = False
) -> dict[str, str]:
    """relative posix path -> digest of every file under ``root`` (or under ``only``).

    ``skip_virtualenvs``: leave out folders with a ``pyvenv.cfg`` (a learner's copy; never the
    scratch tree, where a run could hide a change behind one)."""
    out: dict[str, str] = {}
    starts = [root / name for name in only] if only is not None else [root]
    for start in starts:
        if start.is_file() or start.is_symlink():
            out[start.relative_to(root).as_posix()] = digest(start)
            continue
        for folder, dirs, files in os.walk(start):
            dirs[:] = sorted(
                d
                for d in dirs
                if not _ignored(d)
                and not (skip_virtualenvs and os.path.isfile(os.path.join(folder, d, "pyvenv.cfg")))
            )
            for name in files:
                if not _ignored(name):
                    path = Path(folder) / name
                    out[path.relative_to(root).as_posix()] = digest(path)
    return out


def git_files(root: Path) -> list[str] | None:
    """The files of ``root`` that git would track (relative, posix); None without git.

    A git checkout: its tracked files plus the untracked ones its ignore rules keep
    (``git ls-files --cached --others --exclude-standard``). A plain folder: the same rules
    read by a throwaway repository (``--git-dir`` in a temporary folder, ``--work-tree`` the
    folder), so its ``.gitignore`` files count as they would once it is committed. The
    copy's own git configuration is never trusted to run anything (``core.fsmonitor=false``).
    """
    git = shutil.which("git")
    if git is None:
        return None
    options = [git, "-c", "core.fsmonitor=false", "-c", "core.quotePath=false"]
    listing = ["ls-files", "-z", "--others", "--exclude-standard"]

    def listed(command: list[str]) -> list[str] | None:
        try:
            done = subprocess.run(
                command, cwd=root, capture_output=True, check=False, timeout=120,
                stdin=subprocess.DEVNULL, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
        names = done.stdout.decode("utf-8", errors="surrogateescape").split("\0")
        return sorted({n for n in names if n and not n.endswith("/")})  # "sub/": a nested repo

    if (root / ".git").exists():
        found = listed([*options, "-C", str(root), *listing, "--cached"])
        if found is not None:
            return found
    with tempfile.TemporaryDirectory(prefix="kata-grade-git-") as tmp:
        made = subprocess.run(
            [git, "init", "--quiet", tmp], capture_output=True, check=False, timeout=60
        )
        if made.returncode != 0:
            return None
        return listed([*options, f"--git-dir={tmp}/.git", f"--work-tree={root}", *listing])


def fork_digests(root: Path) -> dict[str, str]:
    """relative posix path -> digest of every file of a copy that git would track.

    Honours the ignore rules (``git_files``), skips any folder that holds a ``pyvenv.cfg`` (a
    virtualenv, whatever its name: ``env/``, ``.v/``) and the generated names of
    ``IGNORED_NAMES``. Without git: every file but those (``tree_digests``)."""
    names = git_files(root)
    if names is None:
        return tree_digests(root, skip_virtualenvs=True)
    venv: dict[str, bool] = {}

    def in_virtualenv(parts: list[str]) -> bool:
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in venv:
                venv[folder] = (root / folder / "pyvenv.cfg").is_file()
            if venv[folder]:
                return True
        return False

    out: dict[str, str] = {}
    for name in names:
        parts = name.split("/")
        path = root / name
        if any(_ignored(p) for p in parts) or in_virtualenv(parts):
            continue
        if path.is_symlink() or path.is_file():
            out[name] = digest(path)
    return out


def copy_tree(source: Path, target: Path, names: Iterable[str]) -> None:
    def ignore(_folder: str, entries: list[str]) -> set[str]:
        return {e for e in entries if _ignored(e)}

    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore, symlinks=True)
        elif src.is_file():
            shutil.copy2(src, target / name)


# --- The upstream: pristine files and test ids --------------------------------------------------


@dataclass
class Upstream:
    root: Path
    katas: tuple[manifest.Kata, ...]  # the selected katas, in lesson order
    all_katas: tuple[manifest.Kata, ...]
    ids: dict[str, list[str]]  # kata dir -> every test id the upstream defines for it
    files: dict[str, str]  # relative path -> digest, the whole upstream tree
    python: str = sys.executable

    def editable(self) -> set[str]:
        return {f"katas/{kata.dir}/{name}" for kata in self.all_katas for name in kata.files}


def load_upstream(root: Path, selected: list[str] | None = None) -> Upstream:
    root = root.resolve()
    if not (root / "katas.toml").is_file():
        raise SystemExit(f"{root}: no katas.toml, so this is not a kata repository")
    all_katas = manifest.load(root)
    known = [k.dir for k in all_katas]
    try:  # a folder, a number or a topic, as everywhere else (katalib/base/repo.py)
        selected = repo.kata_dirs(selected or (), known)
    except repo.UnknownKata as exc:
        raise SystemExit(f"unknown kata {exc}; katas.toml has {known}") from None
    katas = tuple(k for k in all_katas if not selected or k.dir in selected)
    with tempfile.TemporaryDirectory(prefix="kata-grade-ids-") as tmp:
        stage = Path(tmp) / "stage"
        copy_tree(root, stage, HARNESS)
        ids = collect_ids(stage, katas)
    missing = [k.dir for k in katas if not ids.get(k.dir)]
    if missing:
        raise SystemExit(f"no tests collected in the upstream for {', '.join(missing)}")
    return Upstream(root, katas, all_katas, ids, fork_digests(root))


def collect_ids(stage: Path, katas: Iterable[manifest.Kata]) -> dict[str, list[str]]:
    """kata dir -> test ids, from ``pytest --collect-only -q`` of the pristine tree."""
    katas = list(katas)
    command = [
        sys.executable, "-m", "pytest", *PYTEST_FIXED, "--collect-only", "-q",
        *(f"katas/{k.dir}" for k in katas),
    ]  # fmt: skip
    output = stage.parent / "collect.txt"
    code = run(command, stage, pytest_env(), 600, output)
    text = output.read_text(encoding="utf-8", errors="replace")
    wanted = {k.dir for k in katas}
    ids: dict[str, list[str]] = {k.dir: [] for k in katas}
    for line in text.splitlines():
        parts = line.strip().split("/", 2)
        if len(parts) == 3 and parts[0] == "katas" and "::" in parts[2] and parts[1] in wanted:
            ids[parts[1]].append(line.strip())
    if code not in (0, None) and not any(ids.values()):
        raise SystemExit(f"collecting the upstream's tests failed (exit {code}):\n{text[-3000:]}")
    return ids


# --- Running learner code -------------------------------------------------------------------

# Always given, after any configuration: pytest reads only the upstream's pyproject.toml.
PYTEST_FIXED = ["-c", "pyproject.toml", "--rootdir", ".", "-p", "no:cacheprovider"]
# Variables that would change what pytest loads or let learner code reach the CI's files.
DROPPED_ENV = ("PYTEST_", "GITHUB_", "ACTIONS_", "RUNNER_", "HYPOTHESIS_", "COV_CORE_")
DROPPED_ENV_NAMES = ("KATA_TARGET", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONINSPECT")


def pytest_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(DROPPED_ENV) and key not in DROPPED_ENV_NAMES
    }
    env.update(
        KATA_TARGET="katas",
        HYPOTHESIS_PROFILE="ci",  # derandomised: every copy meets the same examples
        KATA_TEST_DB_NAME=f"test_katas_{uuid.uuid4().hex[:12]}",  # parallel runs, one server
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        GIT_TERMINAL_PROMPT="0",
        GIT_LFS_SKIP_SMUDGE="1",
    )
    return env


def run(command: list[str], cwd: Path, env: dict, timeout: float, output: Path) -> int | None:
    """Run ``command``; its output goes to ``output``. None when it ran out of time.

    The command gets a process group of its own, which is killed when it ends or times out,
    so that nothing it started outlives it."""
    group: dict[str, Any] = (
        {"start_new_session": True}
        if os.name == "posix"
        else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    )
    with open(output, "wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, **group,
        )  # fmt: skip

        try:
            code = process.wait(timeout=max(timeout, 0.1))
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _kill_group(process)
    return code


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _kill_group(process: subprocess.Popen) -> None:
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif process.poll() is None:
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
        pass


# --- Grading one copy ----------------------------------------------------------------------


def is_url(fork: str) -> bool:
    if Path(fork).expanduser().is_dir():
        return False
    return "://" in fork or bool(re.match(r"^[\w.-]+@[\w.-]+:", fork)) or fork.endswith(".git")


def student_name(fork: str) -> str:
    """``alice`` for https://github.com/alice/katas, the folder's name for a local path."""
    if is_url(fork):
        parts = re.split(r"[/:]", fork.rstrip("/").removesuffix(".git"))
        parts = [p for p in parts if p]
        return parts[-2] if len(parts) >= 2 else parts[-1]
    return Path(fork).expanduser().resolve().name


@dataclass
class Graded:
    fork: str
    student: str
    katas: dict[str, dict] = field(default_factory=dict)
    changed_outside: list[dict] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    # Kata files that are the upstream's shipped solution: a note for the teacher, not a fail.
    matches_solution: list[dict] = field(default_factory=list)
    canaries: dict = field(default_factory=dict)  # {"run": n, "failed": n}: must-fail copies
    error: str | None = None
    commit: str = ""
    committed: str = ""
    environment: dict = field(default_factory=dict)
    seconds: float = 0.0
    seed: str = ""  # the run's test data was redrawn from it (katalib/base/seed.py)

    def as_dict(self) -> dict:
        return {
            "fork": self.fork,
            "student": self.student,
            "commit": self.commit,
            "committed": self.committed,
            "error": self.error,
            "katas": self.katas,
            "changed_outside": self.changed_outside,
            "flags": self.flags,
            "matches_solution": self.matches_solution,
            "canaries": self.canaries,
            "environment": self.environment,
            "seed": self.seed,
            "seconds": round(self.seconds, 1),
        }


def grade_fork(
    fork: str, upstream: Upstream, timeout: float = DEFAULT_TIMEOUT, seed: str | None = None
) -> dict:
    """Grade one copy; never raises for anything the copy does.

    The test data is redrawn from ``seed`` (default: a new one for this copy)."""
    start = time.monotonic()
    graded = Graded(fork, student_name(fork), seed=seed or secrets.token_hex(6))
    graded.katas = {
        kata.dir: {"solved": False, "passed": 0, "total": len(upstream.ids[kata.dir])}
        for kata in upstream.katas
    }
    with tempfile.TemporaryDirectory(prefix="kata-grade-") as tmp:
        try:
            _grade(graded, Path(tmp), upstream, start + timeout)
        except Exception as exc:  # noqa: BLE001 - one bad copy must not stop the others
            graded.error = f"could not grade: {type(exc).__name__}: {exc}"
    graded.seconds = time.monotonic() - start
    return graded.as_dict()


def _grade(graded: Graded, tmp: Path, upstream: Upstream, deadline: float) -> None:
    env = pytest_env()
    env[SEED_ENV] = graded.seed  # names and titles the kata files cannot know
    if is_url(graded.fork):
        source = tmp / "fork"
        clone = [
            "git", "-c", "core.symlinks=false", "clone", "--quiet", "--depth", "1",
            "--no-tags", "--", graded.fork, str(source),
        ]  # fmt: skip
        code = run(clone, tmp, env, deadline - time.monotonic(), tmp / "clone.txt")
        if code != 0:
            said = (tmp / "clone.txt").read_text(encoding="utf-8", errors="replace").strip()
            graded.error = (
                f"git clone took longer than the time limit ({said})"
                if code is None
                else f"git clone failed: {said.splitlines()[-1] if said else f'exit {code}'}"
            )
            return
    else:
        source = Path(graded.fork).expanduser().resolve()
        if not source.is_dir():
            graded.error = f"no such folder: {graded.fork}"
            return
    if (source / ".git").exists():
        git_log = tmp / "git-log.txt"
        if run(["git", "log", "-1", "--format=%H%n%cI"], source, env, 30, git_log) == 0:
            lines = git_log.read_text(encoding="utf-8").split()
            graded.commit, graded.committed = ([*lines, "", ""])[:2]

    # What the copy changed outside the kata files: listed, never used.
    editable = upstream.editable()
    theirs = fork_digests(source)  # what git would track: no virtualenv, nothing ignored
    graded.changed_outside = [
        {"path": path, "change": change}
        for path, change in template.changes(upstream.root, upstream.files, theirs)
        if path not in editable  # nor what a students' copy (template) leaves out by design
    ]

    # The pristine tree, plus the learner's kata files (and nothing else).
    stage = tmp / "stage"
    copy_tree(upstream.root, stage, HARNESS)
    flagged_katas: set[str] = set()
    for kata in upstream.all_katas:
        for name in kata.files:
            rel = f"katas/{kata.dir}/{name}"
            path = source / rel
            if path.is_symlink() or (
                path.exists() and not path.resolve().is_relative_to(source.resolve())
            ):
                graded.flags.append(
                    {"kind": "file", "file": rel, "line": 0, "reason": "is a symbolic link"}
                )
                flagged_katas.add(kata.dir)
                continue
            if not path.is_file():
                continue  # the stub stays: the kata is not solved
            data = path.read_bytes()
            if len(data) > MAX_KATA_FILE:
                graded.flags.append(
                    {
                        "kind": "file",
                        "file": rel,
                        "line": 0,
                        "reason": f"is larger than {MAX_KATA_FILE} bytes",
                    }
                )
                flagged_katas.add(kata.dir)
                continue
            found = scan(data, rel)
            for line, reason in found:
                graded.flags.append({"kind": "scan", "file": rel, "line": line, "reason": reason})
                flagged_katas.add(kata.dir)
            if not found:  # a flagged file never runs: its stub stays in its place
                (stage / rel).write_bytes(data)
            if kata in upstream.katas and published_solution(upstream, kata, name, data):
                graded.matches_solution.append(
                    {"file": rel, "solution": f"solutions/{kata.dir}/{name}"}
                )
    # Beside each kata's tests, their must-fail copies (katalib/grade/canary.py): part of the
    # pristine tree from here on, so a run that rewrites them is caught like any other change.
    canaries = write_canaries(stage, upstream)
    expected = tree_digests(stage, HARNESS)

    # The verdict files: written once by the run itself, never changed after (katalib/grade/guard.py).
    verdict = tmp / "verdict"
    verdict.mkdir()
    results, junit, output = (
        verdict / "kata-results.json",
        verdict / "junit.xml",
        tmp / "pytest.txt",
    )
    command = [
        upstream.python, "-m", "pytest", *PYTEST_FIXED, *jail.GUARD_ARGS, "-q",
        f"--kata-results={results}", f"--junitxml={junit}",
        *(f"katas/{k.dir}" for k in upstream.katas),
    ]  # fmt: skip
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        graded.error = "ran out of time before the tests (cloning took the whole time limit)"
        return
    # No network, resource limits, no secrets, the audit hook (katalib/grade/jail.py, guard.py).
    prison = jail.prepare(tmp, env, remaining, sealed=(results, junit))
    code = run(prison.wrap(command), stage, prison.env, remaining, output)
    graded.environment = {"sandbox": prison.describe()}
    if code is None:
        graded.error = f"the tests took longer than the time limit ({remaining:.0f} s left)"
        return

    # The run must not have changed the pristine files it was given.
    after = tree_digests(stage, HARNESS)
    for changed, change in compare(expected, after):
        graded.flags.append(
            {
                "kind": "tampered",
                "file": changed,
                "line": 0,
                "reason": f"{change} by the learner's code during the run",
            }
        )
        flagged_katas.update(k.dir for k in upstream.katas)
    refused = prison.refusals(code)  # the audit hook ended the run: nothing of it counts
    graded.flags += refused
    if refused:
        flagged_katas.update(k.dir for k in upstream.katas)
    elif code > 1 or code < 0:  # < 0: killed by a signal (a limit, a crash)
        tail = output.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        how = f"exit code {code}" if code > 0 else f"killed by {_signal_name(-code)}"
        graded.error = f"the tests could not run (pytest {how}): " + " / ".join(tail)
        return

    outcomes = junit_outcomes(junit)
    # Every must-fail copy failed, or nothing of this run counts. (A run the audit hook ended
    # is void already: its canaries did not run, and saying so would only repeat it.)
    forged = [] if refused else check_canaries(canaries, upstream, outcomes)
    graded.flags += forged
    if forged:
        flagged_katas.update(k.dir for k in upstream.katas)
    copies = {k.dir: canary_ids(canaries[k.dir], upstream.ids[k.dir]) for k in upstream.katas}
    graded.canaries = {
        "run": sum(len(c) for c in copies.values()),
        "failed": sum(outcomes.get(junit_key(i)) == "failed" for c in copies.values() for i in c),
    }
    harness_says = {}
    try:
        payload = json.loads(results.read_text(encoding="utf-8"))
        harness_says = {row["kata"]: row for row in payload.get("katas", [])}
        graded.environment.update({k: payload.get(k) for k in ("python", "django", "database")})
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    for kata in upstream.katas:
        ids = upstream.ids[kata.dir]
        passed = sum(outcomes.get(junit_key(i)) == "passed" for i in ids)
        row = harness_says.get(kata.dir) or {}
        # The harness counted the kata's test files, canaries included: it must agree.
        both = [*ids, *copies[kata.dir]]
        harness_agrees = row.get("total") == len(both) and row.get("passed") == sum(
            outcomes.get(junit_key(i)) == "passed" for i in both
        )
        solved = bool(ids) and passed == len(ids) and harness_agrees
        solved = solved and kata.dir not in flagged_katas
        entry = {"solved": solved, "passed": passed, "total": len(ids)}
        if kata.dir in flagged_katas:
            entry["flagged"] = True
        graded.katas[kata.dir] = entry


# --- Must-fail canaries and the published solutions --------------------------------------------


def write_canaries(stage: Path, upstream: Upstream) -> dict[str, list[canary.Canary]]:
    """kata dir -> the must-fail copies of its test files, written beside them for this run."""
    made: dict[str, list[canary.Canary]] = {}
    for kata in upstream.katas:
        files = sorted({i.split("::", 1)[0] for i in upstream.ids[kata.dir]})
        made[kata.dir] = [canary.write(stage, test_file) for test_file in files]
    return made


def canary_ids(canaries: list[canary.Canary], ids: list[str]) -> dict[str, str]:
    """canary node id -> the original's, for every test id of a kata."""
    return {cid: oid for c in canaries for cid, oid in c.ids(ids).items()}


def check_canaries(
    canaries: dict[str, list[canary.Canary]], upstream: Upstream, outcomes: dict[str, str]
) -> list[dict]:
    """A flag for each canary module with a copy that did not fail (passed, did not run, or
    was skipped where the original was not): the run cannot be trusted."""
    flags = []
    for kata_dir, modules in canaries.items():
        for module in modules:
            wrong = []
            for cid, oid in module.ids(upstream.ids[kata_dir]).items():
                outcome = outcomes.get(junit_key(cid))
                if outcome == "failed" or (
                    outcome == "skipped" and outcomes.get(junit_key(oid)) != "passed"
                ):
                    continue
                what = {"passed": "passed", "skipped": "was skipped"}.get(
                    outcome or "", "did not run"
                )

                wrong.append((oid.split("::", 1)[1], what))
            if not wrong:
                continue
            first = wrong[0][0].split("[", 1)[0]
            listed = ", ".join(f"{name} {what}" for name, what in wrong[:3])
            more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
            flags.append({
                "kind": "canary",
                "file": module.original,
                "line": module.lines.get(first, 0),
                "reason": (
                    f"must-fail copies of its tests ({module.path}, expected answers corrupted): "
                    f"{listed}{more}. Something in the run makes tests pass whatever they "
                    "check (a patched report, an answer equal to anything, an answer read from "
                    "the test), so no kata of this run counts"
                ),
            })  # fmt: skip
    return flags


def code_shape(source: bytes) -> str | None:
    """What a Python file does, comments, formatting and docstrings aside (``ast.dump``)."""
    try:
        tree = ast.parse(source)
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


def published_solution(upstream: Upstream, kata: manifest.Kata, name: str, data: bytes) -> bool:
    """Is ``data`` (the learner's ``name`` of ``kata``) the upstream's shipped solution?"""
    solution = upstream.root / "solutions" / kata.dir / name
    if not solution.is_file():
        return False  # a students' copy (template): no answers to compare with
    shape = code_shape(data)
    if shape is None or shape != code_shape(solution.read_bytes()):
        return False
    stub = upstream.root / "katas" / kata.dir / name
    return not (stub.is_file() and code_shape(stub.read_bytes()) == shape)


def compare(want: dict[str, str], have: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for path in sorted(want.keys() | have.keys()):
        if path not in have:
            out.append((path, "deleted"))
        elif path not in want:
            out.append((path, "added"))
        elif want[path] != have[path]:
            out.append((path, "changed"))
    return out


def junit_key(nodeid: str) -> str:
    """A test id as pytest's JUnit XML names it: ``classname::name`` (mangle_test_address)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return "::".join([".".join(names[:-1]), names[-1]])


def junit_outcomes(xml: Path) -> dict[str, str]:
    """``classname::name`` -> "passed", "failed" (an error in setup or teardown too), "skipped"."""
    try:
        cases = junit.read(xml)
    except (OSError, ET.ParseError):
        return {}
    return {
        f"{classname}::{name}": "failed" if outcome.rejected else outcome.status
        for (classname, name), outcome in cases.items()
    }


def grade_all(
    forks: list[str],
    upstream: Upstream,
    timeout: float,
    jobs: int,
    quiet: bool = False,
    seed: str | None = None,
) -> list[dict]:
    def one(fork: str) -> dict:
        if not quiet:
            print(f"grading {fork}", file=sys.stderr)
        entry = grade_fork(fork, upstream, timeout, seed)
        if not quiet:
            solved = sum(k["solved"] for k in entry["katas"].values())
            status = entry["error"] or f"{solved} of {len(entry['katas'])} katas solved"
            print(f"graded {fork}: {status} ({entry['seconds']} s)", file=sys.stderr)
        return entry

    with ThreadPoolExecutor(max(1, min(jobs, len(forks) or 1))) as pool:
        return list(pool.map(one, forks))


def kata_meta(upstream: Upstream) -> list[dict]:
    return [
        {"kata": k.dir, "title": k.title, "track": k.track, "tests": len(upstream.ids[k.dir])}
        for k in upstream.katas
    ]


# --- Tables ------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def _kata_columns(result: dict) -> list[str]:
    columns = [k["kata"] for k in result.get("katas", [])]
    for fork in result["forks"]:
        columns += [k for k in fork["katas"] if k not in columns]
    return columns


def _flag_text(flag: dict) -> str:
    where = f"{flag['file']}:{flag['line']}" if flag.get("line") else flag["file"]
    return f"{where}: {flag['reason']}"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_text(result: dict) -> str:
    columns = _kata_columns(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["student", "fork", "commit", "last_commit", *columns, "solved",
         "changed_outside", "flags", "matches_solution", "error"]
    )  # fmt: skip
    for fork in result["forks"]:
        cells = []
        for kata in columns:
            entry = fork["katas"].get(kata)
            if entry is None:
                cells.append("")
            elif entry.get("flagged"):
                cells.append("flagged")
            else:
                cells.append("solved" if entry["solved"] else f"{entry['passed']}/{entry['total']}")
        writer.writerow([
            fork["student"], fork["fork"], fork.get("commit", ""), fork.get("committed", ""),
            *cells, sum(e["solved"] for e in fork["katas"].values()),
            "; ".join(f"{c['path']} ({c['change']})" for c in fork["changed_outside"]),
            "; ".join(_flag_text(f) for f in fork["flags"]),
            "; ".join(m["file"] for m in fork.get("matches_solution", [])),
            fork.get("error") or "",
        ])  # fmt: skip
    return out.getvalue()


def markdown_text(result: dict) -> str:
    columns = _kata_columns(result)
    titles = {k["kata"]: k["title"] for k in result.get("katas", [])}
    forks = result["forks"]
    solved_all = sum(
        all(e["solved"] for e in f["katas"].values()) and bool(f["katas"]) for f in forks
    )
    lines = [
        "## Kata grades",
        "",
        (
            f"**{len(forks)} copies graded**, {solved_all} with every kata solved. "
            "Graded against the upstream's tests with only each learner's kata files; "
            f"{GOOD} solved, "
            "`n/m` tests passing, ⚠️ flagged (not counted), ❗ could not be graded; 📋 a kata "
            "file is the published solution (comments and formatting aside: a note, not a fail)."
        ),
        "",
        "| Student | Last commit | " + " | ".join(k[:2] for k in columns) + " | Solved | Notes |",
        "|---|---|" + "---|" * len(columns) + "---|---|",
    ]
    for fork in forks:
        cells = []
        for kata in columns:
            entry = fork["katas"].get(kata)
            if fork.get("error"):
                cells.append("❗")
            elif entry is None:
                cells.append("–")
            elif entry.get("flagged"):
                cells.append("⚠️")
            else:
                cells.append(GOOD if entry["solved"] else f"{entry['passed']}/{entry['total']}")
            if entry is not None and any(
                m["file"].startswith(f"katas/{kata}/") for m in fork.get("matches_solution", [])
            ):
                cells[-1] += " 📋"
        notes = []
        if fork.get("error"):
            notes.append(f"❗ {_short(fork['error'])}")
        if fork["flags"]:
            notes.append(f"⚠️ {len(fork['flags'])} flag(s)")
        if fork["changed_outside"]:
            notes.append(f"{len(fork['changed_outside'])} file(s) changed outside the kata files")
        if fork.get("matches_solution"):
            notes.append(f"📋 {len(fork['matches_solution'])} file(s) match the published solution")
        solved = sum(e["solved"] for e in fork["katas"].values())
        student = (
            f"[{_cell(fork['student'])}]({fork['fork']})"
            if is_url(fork["fork"])
            else (_cell(fork["student"]))
        )
        lines.append(
            f"| {student} | {_cell(fork.get('committed') or '–')} | {' | '.join(cells)} | "
            f"{solved}/{len(fork['katas'])} | {_cell('; '.join(notes)) or ''} |"
        )
    lines += ["", "Katas: " + "; ".join(f"`{k[:2]}` {_cell(titles.get(k, k))}" for k in columns)]
    details = [
        f
        for f in forks
        if f["flags"] or f["changed_outside"] or f.get("error") or f.get("matches_solution")
    ]
    if details:
        lines += ["", "### Details", ""]
    for fork in details:
        lines += [f"<details><summary>{_cell(fork['student'])}</summary>", ""]
        if fork.get("error"):
            lines += [f"- ❗ {_cell(fork['error'])}"]
        lines += [f"- ⚠️ `{f['file']}`: {_cell(_flag_text(f))}" for f in fork["flags"]]
        lines += [
            f"- 📋 `{m['file']}` is the published solution `{m['solution']}` (comments, "
            "formatting and docstrings aside)"
            for m in fork.get("matches_solution", [])
        ]
        lines += [
            f"- changed outside the kata files ({c['change']}): `{c['path']}`"
            for c in fork["changed_outside"]
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


# What each kind of flag means, for the learner's summary (a flag's "kind" in --json).
FLAG_KINDS = {
    "scan": (
        "a kata file reaches past the kata (pytest, the import system, files, test reports), "
        "so it was not run and its kata does not count."
    ),
    "file": "a kata file is a symbolic link or too large, so it was not used.",
    "tampered": ("the run changed the upstream's tests or harness, so no kata of it counts."),
    "refused": (
        "the run did something no honest solution does (the grader's audit hook ended it), "
        "so no kata of it counts."
    ),
    "canary": (
        "tests passed whatever they checked: copies of them with wrong expected answers, "
        "which every honest solution fails, passed too, so no kata of this run counts."
    ),
}


def learner_summary(result: dict, fork: dict) -> str:
    """The learner's view of one copy: the usual progress table plus what was not counted."""
    from katalib.teach import report

    metas = {k["kata"]: k for k in result.get("katas", [])}
    rows = [
        {
            "kata": kata,
            "title": metas.get(kata, {}).get("title", kata),
            "track": metas.get(kata, {}).get("track", "lesson"),
            "ran": not fork.get("error"),
            "solved": entry["solved"],
            "passed": entry["passed"],
            "total": entry["total"],
        }
        for kata, entry in fork["katas"].items()
    ]
    env = fork.get("environment") or {}
    extra = [
        (
            f"Graded against the upstream's tests (`{result.get('upstream', 'upstream')}`): only "
            "your kata files were used, everything else came from the upstream."
        ),
        "",
    ]
    if fork.get("error"):
        extra += [f"❗ **Could not grade**: {_cell(fork['error'])}", ""]
    if fork["flags"]:
        kinds = dict.fromkeys(f.get("kind", "scan") for f in fork["flags"])
        extra += [
            "⚠️ **Not counted as solved**: "
            + " ".join(FLAG_KINDS.get(kind, FLAG_KINDS["scan"]) for kind in kinds),
            "",
            *(f"- {_cell(_flag_text(f))}" for f in fork["flags"]),
            "",
        ]
    if fork["changed_outside"]:
        extra += [
            (
                f"⚠️ **{len(fork['changed_outside'])} file(s) changed outside the kata files.** "
                "They were not used: the tests, the pytest configuration and the harness came from "
                "the upstream."
            ),
            "",
            *(f"- {c['change']}: `{c['path']}`" for c in fork["changed_outside"]),
        ]
    results = {"target": "katas", **env, "katas": rows}
    return report.markdown(results, extra)


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def workflow_commands(fork: dict) -> list[str]:
    """GitHub Actions workflow commands: warnings for files changed outside the kata files."""
    out = []
    if fork.get("error"):
        out.append(f"::error title=Could not grade::{_escape(fork['error'])}")
    for flag in fork["flags"]:
        line = f",line={flag['line']}" if flag.get("line") else ""
        out.append(
            f"::warning file={_escape(flag['file'], True)}{line},"
            f"title=Not counted as solved::{_escape(flag['reason'])}: a kata file reaches past "
            "the kata, so its kata does not count as solved."
        )
    for change in fork["changed_outside"]:
        out.append(
            f"::warning file={_escape(change['path'], True)},"
            f"title=Changed outside the kata files::{_escape(change['path'])} is "
            f"{change['change']} compared with the upstream. It was not used to grade: katas "
            "are graded with the upstream's tests, configuration and harness and only your kata "
            "files (restore it: docs/reset-and-update.md)."
        )
    return out


# --- Command line ------------------------------------------------------------------------------


def read_roster(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def shard(forks: list[str], spec: str) -> list[str]:
    match = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise SystemExit(f"--shard wants K/N with 1 <= K <= N, e.g. 2/4, not {spec!r}")
    k, n = int(match[1]), int(match[2])
    return forks[k - 1 :: n]


def write_outputs(result: dict, args: argparse.Namespace) -> None:
    if args.csv == "-":
        sys.stdout.write(csv_text(result))
    elif args.csv:
        Path(args.csv).write_text(csv_text(result), encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(markdown_text(result), encoding="utf-8")
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--csv", metavar="FILE", help="write the table as CSV ('-': stdout)")
    parser.add_argument("--markdown", metavar="FILE", help="write the table as Markdown")


def grade_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("forks", nargs="*", metavar="FORK", help="a local folder or a git URL")
    parser.add_argument("--roster", type=Path, help="a file of forks, one a line (# comments)")
    parser.add_argument("--shard", metavar="K/N", help="grade only every N-th fork, from the K-th")
    parser.add_argument(
        "--upstream", type=Path, default=manifest.ROOT,
        help="the pristine kata repository to grade against (default: this checkout)",
    )  # fmt: skip
    parser.add_argument(
        "--kata",
        action="append",
        default=[],
        help="grade only this kata: 03_on_delete, 03 or on_delete (repeatable)",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT,
        help=f"seconds per copy, cloning included (default {DEFAULT_TIMEOUT:g})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 2, help="copies graded at once"
    )
    parser.add_argument(
        "--seed", help="redraw the test data from this seed (default: a new one per copy, "
        "recorded in the JSON; give it again to repeat a run)",
    )  # fmt: skip
    _common(parser)
    parser.add_argument(
        "--summary", metavar="FILE", help="append the learner's view of each copy (job summary)"
    )
    parser.add_argument("--github", action="store_true", help="print GitHub Actions annotations")
    parser.add_argument(
        "--outputs", metavar="FILE", help="append solved=N and total=N ($GITHUB_OUTPUT)"
    )
    args = parser.parse_args(argv)
    if sum([args.json, args.github, args.csv == "-"]) > 1:
        parser.error("--json, --github and --csv - all print to stdout: choose one")
    forks = list(args.forks)
    if args.roster:
        forks += read_roster(args.roster)
    if args.shard:
        forks = shard(forks, args.shard)
    if not forks and not args.shard:
        parser.error("no forks to grade: name them, or give --roster FILE")

    upstream = load_upstream(args.upstream, args.kata)
    graded = grade_all(forks, upstream, args.timeout, args.jobs, seed=args.seed)
    result = {
        "upstream": str(upstream.root),
        "graded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "katas": kata_meta(upstream),
        "forks": graded,
    }
    write_outputs(result, args)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as fh:
            fh.writelines(learner_summary(result, fork) + "\n" for fork in graded)
    if args.github:
        for fork in graded:
            print("\n".join(workflow_commands(fork)))
    if args.outputs:
        solved = sum(e["solved"] for f in graded for e in f["katas"].values())
        total = sum(len(f["katas"]) for f in graded)
        with open(args.outputs, "a", encoding="utf-8") as fh:
            fh.write(f"solved={solved}\ntotal={total}\n")
    return 1 if any(f["error"] for f in graded) else 0


def merge(results: list[dict]) -> dict:
    """One result from several (the shards of a classroom run), in the order given."""
    katas: list[dict] = []
    for result in results:
        known = {k["kata"] for k in katas}
        katas += [k for k in result.get("katas", []) if k["kata"] not in known]
    forks = [fork for result in results for fork in result.get("forks", [])]
    upstreams = sorted({r["upstream"] for r in results if r.get("upstream")})
    merged: dict[str, Any] = {"katas": katas, "forks": forks}
    if upstreams:
        merged["upstream"] = ", ".join(upstreams)
    return merged


def merge_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} merge",
        description="Merge the --json outputs of several grading runs into one table.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="JSON files written by --json")
    _common(parser)
    args = parser.parse_args(argv)
    results = []
    for path in args.files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            parser.error(f"{path}: {exc}")
        if not isinstance(data, dict) or not isinstance(data.get("forks"), list):
            parser.error(f'{path}: not a grading result ({{"forks": [...]}})')
        results.append(data)
    merged = merge(results)
    if not (args.json or args.csv or args.markdown):
        args.json = True
    write_outputs(merged, args)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    if argv[:1] == ["template"]:  # the students' repository, without the answers
        return template.main(argv[1:])
    return grade_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
