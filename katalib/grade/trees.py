"""The files of a tree as the grader compares them: which count, their digests, what changed.

A learner's copy counts as git would track it (``fork_digests``), the scratch tree as it is on
disk (``tree_digests``); generated and local-only names count in neither (``IGNORED_NAMES``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

# Generated or local-only files: never compared, never copied (.gitignore, plus common tools).
IGNORED_NAMES = frozenset({
    ".git", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".mypy_cache",
    ".venv", "venv", ".ci-venv", ".nox", ".tox", "build", "dist", "node_modules",
    "kata-results.json", ".katas-state.json", ".katas-backup", "uv.lock", ".DS_Store",
})  # fmt: skip
IGNORED_SUFFIXES = (".pyc", ".pyo", ".pyd", ".egg-info")
# How a file of one tree differs from the other's (the JSON's "change").
Change = Literal["added", "deleted", "changed"]


def ignored(name: str) -> bool:
    """Is ``name`` (a file or folder's name) generated or local-only?"""
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
                if not ignored(d)
                and not (skip_virtualenvs and os.path.isfile(os.path.join(folder, d, "pyvenv.cfg")))
            )
            for name in files:
                if not ignored(name):
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
        if any(ignored(p) for p in parts) or in_virtualenv(parts):
            continue
        if path.is_symlink() or path.is_file():
            out[name] = digest(path)
    return out


def copy_tree(source: Path, target: Path, names: Iterable[str]) -> None:
    """Copy the files and folders ``names`` of ``source`` into ``target``, but ignored names."""

    def ignore(_folder: str, entries: list[str]) -> set[str]:
        return {e for e in entries if ignored(e)}

    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore, symlinks=True)
        elif src.is_file():
            shutil.copy2(src, target / name)


def compare(want: dict[str, str], have: dict[str, str]) -> list[tuple[str, Change]]:
    """(path, change) for each file of two digest maps that differs, by path."""
    out: list[tuple[str, Change]] = []
    for path in sorted(want.keys() | have.keys()):
        if path not in have:
            out.append((path, "deleted"))
        elif path not in want:
            out.append((path, "added"))
        elif want[path] != have[path]:
            out.append((path, "changed"))
    return out
