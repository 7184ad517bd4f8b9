"""Start a kata over: ``katas reset 03_on_delete``.

The files a learner edits (``files = [...]`` in katas.toml) go back to the text they started
from. That text ships with the harness in ``katalib/originals.json`` (file -> text, written by
``python -m katalib.checksums --write``), so a reset works the same in a fork with commits, in a
copy made with "Use this template", and in a folder that is not a git repository at all.

Nothing is lost: before a file is overwritten, the learner's version is saved

- in git, when the kata is in a git repository with at least one commit: a stash entry
  (``git stash push -- <those files>``, nothing else is stashed) named "katas reset <kata>";
  if the files are committed and unchanged, there is nothing to stash: the commit holds them;
- else in ``.katas-backup/<kata>-<date>-<time>/``.

Nothing outside the kata's editable files changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from katalib.base import manifest

ORIGINALS = "katalib/originals.json"
BACKUP_DIR = ".katas-backup"


# --- The original texts --------------------------------------------------------------------------


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n")


def collect(root: Path = manifest.ROOT) -> dict[str, str]:
    """The editable files of every kata as they are in ``katas/`` now (maintainers: unsolved)."""
    texts = {}
    for kata in manifest.load(root):
        for name in kata.files:
            rel = f"katas/{kata.dir}/{name}"
            texts[rel] = _text((root / rel).read_bytes())
    return texts


def dump(texts: dict[str, str]) -> str:
    return json.dumps(texts, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_originals(root: Path = manifest.ROOT) -> int:
    texts = collect(root)
    (root / ORIGINALS).write_text(dump(texts), encoding="utf-8", newline="\n")
    return len(texts)


def originals(root: Path = manifest.ROOT) -> dict[str, str]:
    return json.loads((root / ORIGINALS).read_text(encoding="utf-8"))


def stale(root: Path = manifest.ROOT) -> list[str]:
    """Files whose text in katas/ differs from originals.json (for maintainers: must be none)."""
    want, have = originals(root), collect(root)
    return sorted(name for name in want.keys() | have.keys() if want.get(name) != have.get(name))


# --- What a reset changes ------------------------------------------------------------------------


@dataclass
class Change:
    rel: str  # e.g. "katas/03_on_delete/models.py"
    original: str
    current: bytes | None  # the learner's version; None when the file is missing


def plan(kata: manifest.Kata, root: Path = manifest.ROOT) -> list[Change]:
    """The kata's editable files that differ from their original text."""
    texts = originals(root)
    changes = []
    for name in kata.files:
        rel = f"katas/{kata.dir}/{name}"
        path = root / rel
        current = path.read_bytes() if path.is_file() else None
        if current is None or _text(current) != texts[rel]:
            changes.append(Change(rel, texts[rel], current))
    return changes


# --- Where the learner's version goes ------------------------------------------------------------


def _git(root: Path, *args: str, identity: bool = False) -> subprocess.CompletedProcess:
    command = ["git"]
    if identity:
        # A stash is a commit: it needs a committer, which a fresh machine may not have.
        command += ["-c", "user.name=katas reset", "-c", "user.email=katas@localhost"]
    return subprocess.run(
        [*command, *args], check=False, cwd=root, capture_output=True, encoding="utf-8"
    )


def git_reason(root: Path, rels: list[str]) -> str | None:
    """None when git can keep these files (stash or commit); else why not, for the message."""
    if shutil.which("git") is None:
        return "git is not installed"
    if _git(root, "rev-parse", "--show-toplevel").returncode != 0:
        return "this folder is not a git repository"
    if _git(root, "rev-parse", "--verify", "-q", "HEAD").returncode != 0:
        return "the git repository has no commit yet"
    if rels and _git(root, "ls-files", "--error-unmatch", "--", *rels).returncode != 0:
        return "git does not track these files"
    return None


def storage(kata: manifest.Kata, changes: list[Change], root: Path = manifest.ROOT) -> str:
    """Where the learner's version will be saved, in words (for the question before a reset)."""
    saved = [c.rel for c in changes if c.current is not None]
    if not saved:
        return "nothing to save: the files are missing"
    if git_reason(root, saved) is None:
        return f'in git (a stash entry "katas reset {kata.dir}", or your last commit)'
    return f"in {BACKUP_DIR}/{kata.dir}-<date>-<time>/"


@dataclass
class Saved:
    how: str  # "stash", "commit", "backup" or "nothing"
    where: str  # stash@{0}, a commit hash or the backup folder
    restore: str  # the command that brings the learner's version back
    note: str = ""  # why a backup folder was used


def save(kata: manifest.Kata, changes: list[Change], root: Path = manifest.ROOT) -> Saved:
    # The learner's text of each file that is there (a missing file has nothing to save).
    saved = {c.rel: c.current for c in changes if c.current is not None}
    rels = list(saved)
    if not saved:
        return Saved("nothing", "", "")
    reason = git_reason(root, rels)
    if reason is None:
        kept = _save_in_git(kata, saved, root)
        if kept is not None:
            return kept
        reason = "git could not stash the files"
    return _save_in_folder(kata, saved, root, reason)


def _save_in_git(kata: manifest.Kata, saved: dict[str, bytes], root: Path) -> Saved | None:
    rels = list(saved)
    before = _git(root, "rev-parse", "-q", "--verify", "refs/stash").stdout.strip()
    identity = _git(root, "var", "GIT_COMMITTER_IDENT").returncode != 0
    pushed = _git(root, "stash", "push", "-m", f"katas reset {kata.dir}", "--", *rels,
                  identity=identity)  # fmt: skip
    if pushed.returncode != 0:
        return None
    after = _git(root, "rev-parse", "-q", "--verify", "refs/stash").stdout.strip()
    if after and after != before:
        source, how = "stash@{0}", "stash"
    else:  # "No local changes to save": the files are as in the last commit
        source = _git(root, "rev-parse", "--short", "HEAD").stdout.strip()
        how = "commit"
    # Trust, but verify: the learner's text must be there before anything is overwritten.
    for rel, current in saved.items():
        shown = _git(root, "show", f"{source}:{rel}")
        if shown.returncode != 0 or shown.stdout.replace("\r\n", "\n") != _text(current):
            return None
    return Saved(how, source, f"git restore --source={source} -- {' '.join(rels)}")


def _save_in_folder(kata: manifest.Kata, saved: dict[str, bytes], root: Path, why: str) -> Saved:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = root / BACKUP_DIR / f"{kata.dir}-{stamp}"
    number = 1
    while folder.exists():
        number += 1
        folder = root / BACKUP_DIR / f"{kata.dir}-{stamp}-{number}"
    folder.mkdir(parents=True)
    for rel, current in saved.items():
        (folder / Path(rel).name).write_bytes(current)

    where = folder.relative_to(root).as_posix()
    if os.name == "nt":  # pragma: no cover - Windows
        restore = f"copy {where.replace('/', chr(92))}\\* katas\\{kata.dir}\\"
    else:
        restore = f"cp {where}/* katas/{kata.dir}/"
    return Saved("backup", where, restore, note=why)


def apply(changes: list[Change], root: Path = manifest.ROOT) -> None:
    for change in changes:
        (root / change.rel).write_text(change.original, encoding="utf-8", newline="\n")
