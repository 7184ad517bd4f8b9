"""A learner's copy: where it comes from (a folder, or a clone of a git URL), whose it is, its
last commit, and what it changed outside the kata files (listed for the teacher, never used)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TypedDict

from katalib.grade import template
from katalib.grade.contracts import NotGraded
from katalib.grade.running import run
from katalib.grade.trees import Change, fork_digests
from katalib.grade.upstream import Upstream


class Changed(TypedDict):
    """A file the copy changed outside its kata files: a row of the JSON's changed_outside."""

    path: str
    change: Change


def is_url(fork: str) -> bool:
    """Is ``fork`` a git URL to clone (not a folder here)?"""
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


def fetch(fork: str, tmp: Path, env: dict[str, str], deadline: float) -> Path:
    """The copy's folder: ``fork`` itself, or a shallow clone of it in ``tmp``.

    Raises NotGraded when there is no such folder or the clone failed or took too long."""
    if not is_url(fork):
        source = Path(fork).expanduser().resolve()
        if not source.is_dir():
            raise NotGraded(f"no such folder: {fork}")
        return source
    source = tmp / "fork"
    clone = [
        "git", "-c", "core.symlinks=false", "clone", "--quiet", "--depth", "1",
        "--no-tags", "--", fork, str(source),
    ]  # fmt: skip
    code = run(clone, tmp, env, deadline - time.monotonic(), tmp / "clone.txt")
    if code == 0:
        return source
    said = (tmp / "clone.txt").read_text(encoding="utf-8", errors="replace").strip()
    if code is None:
        raise NotGraded(f"git clone took longer than the time limit ({said})")
    raise NotGraded(f"git clone failed: {said.splitlines()[-1] if said else f'exit {code}'}")


def last_commit(source: Path, tmp: Path, env: dict[str, str]) -> tuple[str, str]:
    """The copy's last commit and its time (ISO 8601); empty strings outside a git checkout."""
    if (source / ".git").exists():
        git_log = tmp / "git-log.txt"
        if run(["git", "log", "-1", "--format=%H%n%cI"], source, env, 30, git_log) == 0:
            lines = git_log.read_text(encoding="utf-8").split()
            commit, committed = ([*lines, "", ""])[:2]
            return commit, committed
    return "", ""


def changed_outside(source: Path, upstream: Upstream) -> list[Changed]:
    """What the copy changed outside the kata files, compared with the upstream: both sides as
    git would track them (no virtualenv, nothing ignored)."""
    editable = upstream.editable()
    theirs = fork_digests(source)
    return [
        {"path": path, "change": change}
        for path, change in template.changes(upstream.root, upstream.files, theirs)
        if path not in editable  # nor what a students' copy (template) leaves out by design
    ]
