"""The students' repository, without the answers: ``python -m katalib.grade template DIR``.

A teacher keeps the full kata repository: the reference solutions (``solutions/``), their
``variants.toml`` (the wrong and the valid variants: the mistake corpus), the harness's own tests
and the maintainers' tools. The class gets the copy this command writes, pushed as a repository
of its own (a GitHub template repository) that every learner copies. It holds:

- the files git tracks in the teacher's checkout, as they are in its working tree, except
  ``LEFT_OUT``;
- Markdown without what lies between ``<!-- not in the students' copy -->`` and
  ``<!-- end: not in the students' copy -->``, and with the text of each
  ``<!-- only in the students' copy: ... -->`` comment put in (README.md's maintainers' parts);
- everything else byte for byte: the harness, the tests and given files, ``katas.toml``,
  ``pyproject.toml``, the learner's workflow and ``test-checksums.sha256``. So the copy's own CI
  passes, and a learner's repository made from it grades like a fork of the full one.

It refuses when the checkout's checksums are out of date (the copy's CI would warn about every
such file), when DIR is not empty or lies inside the checkout, and when the copy would miss a
checked file or hold a reference solution. Grading still uses the teacher's full checkout
(``python -m katalib.grade --upstream``); ``changes`` is what it reports as changed outside the
kata files: never what a students' copy leaves out by design.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from katalib.base import checksums, manifest
from katalib.grade.trees import Change, compare, digest

# What stays in the teacher's repository: a path, or a folder ending in "/".
LEFT_OUT = (
    "solutions/",  # the reference solutions and variants.toml (wrong_/ok_: the mistake corpus)
    "tests/",  # the harness's own tests: they run the solutions
    "tools/",  # the benchmark and the old grading script
    "noxfile.py",  # the version matrix: runs the solutions
    ".ci/",  # the maintainers' CI
    ".github/workflows/maintainers.yml",
    ".github/zizmor.yml",  # the maintainers' workflow linter (.ci/check_workspace.py)
    ".github/workflows/grade-classroom.yml",  # docs/teaching.md: the teacher's grading workflow
    "roster.txt",  # docs/teaching.md: the class, one repository a line
    "docs/teaching.md",
    "docs/teaching/",
    "web/test/",  # the browser runner's tests: the solutions pass inside Pyodide
)
LEAVE_OUT_TEXT = re.compile(
    r"^<!-- not in the students' copy -->\n.*?^<!-- end: not in the students' copy -->(?:\n|\Z)",
    re.DOTALL | re.MULTILINE,
)
PUT_IN_TEXT = re.compile(
    r"^<!-- only in the students' copy:\n(.*?)^-->(?:\n|\Z)", re.DOTALL | re.MULTILINE
)
MARKER = "students' copy"


class TemplateError(Exception):
    """The students' copy cannot be made: the message says why and what to do."""


def left_out(path: str) -> bool:
    """Whether the file ``path`` (relative, posix) stays out of the students' copy."""
    return any(path == name or (name.endswith("/") and path.startswith(name)) for name in LEFT_OUT)


def students_text(text: str) -> str:
    """Markdown as the students' copy has it: the maintainers' parts out, the students' in."""
    out = PUT_IN_TEXT.sub(lambda m: m.group(1), LEAVE_OUT_TEXT.sub("", text))
    if f"<!-- not in the {MARKER}" in out or f"<!-- only in the {MARKER}" in out:
        raise TemplateError(f"unpaired or misplaced '{MARKER}' markers (each on a line of its own)")
    return out


def _text_digest(text: str) -> str:
    """``trees.digest`` of a file holding ``text``."""
    return hashlib.sha256(text.encode("utf-8").replace(b"\r\n", b"\n")).hexdigest()


def changes(root: Path, want: dict[str, str], have: dict[str, str]) -> list[tuple[str, Change]]:
    """``trees.compare(want, have)`` of the checkout ``root`` and a learner's copy, without what
    a students' copy of ``root`` differs by: the files it leaves out, its Markdown."""
    out: list[tuple[str, Change]] = []
    for path, change in compare(want, have):
        if change == "deleted" and left_out(path):
            continue
        if change == "changed" and path.endswith(".md"):
            try:
                theirs = _text_digest(students_text((root / path).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, TemplateError):
                theirs = None
            if have[path] == theirs:
                continue
        out.append((path, change))
    return out


def tracked_files(root: Path) -> list[str]:
    """The files git tracks in the checkout ``root`` that are there (relative, posix)."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached"],
            cwd=root, capture_output=True, check=False, timeout=60,
        )  # fmt: skip
    except OSError as exc:
        raise TemplateError(f"git is needed to list the repository's files: {exc}") from exc
    if done.returncode != 0:
        raise TemplateError(
            f"{root} is not a git checkout: the students' copy is made of the files git tracks"
        )
    names = sorted({name for name in done.stdout.decode("utf-8").split("\0") if name})
    return [name for name in names if (root / name).is_file() or (root / name).is_symlink()]


def build(root: Path, dest: Path) -> list[str]:
    """Write the students' copy of the checkout ``root`` into ``dest``; return its files."""
    written = []
    for rel in tracked_files(root):
        if left_out(rel):
            continue
        source, target = root / rel, dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".md") and not source.is_symlink():
            text = students_text(source.read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8", newline="\n")
        else:
            shutil.copy2(source, target, follow_symlinks=False)
        written.append(rel)
    return written


def problems(root: Path, dest: Path, written: list[str]) -> list[str]:
    """What makes the copy ``dest`` unfit: checked files it lacks, solutions it holds."""
    found = [
        f"{name} is {what} in the copy compared with {checksums.CHECKSUM_FILE}"
        + (" (git does not track it: git add it)" if what == "deleted" else "")
        for name, what in checksums.differences(dest)
    ]
    answers = {
        digest(path): path.relative_to(root).as_posix()
        for kata in manifest.load(root)
        for path in kata.editable("solutions", root)
        if path.is_file()
    }
    for rel in written:
        path = dest / rel
        if rel.endswith("variants.toml"):
            found.append(f"{rel} is a variants file (the mistake corpus)")
        elif path.is_file() and not path.is_symlink() and digest(path) in answers:
            found.append(f"{rel} is the reference solution {answers[digest(path)]}")
    return found


def make(root: Path, dest: Path) -> list[str]:
    """Check the checkout, write the copy and check it; return its files (or raise)."""
    root = root.resolve()
    dest = dest.expanduser().resolve()
    if not manifest.is_repository(root):
        raise TemplateError(f"{root} is not a kata repository (no katas.toml and katalib/)")
    if dest == root or dest.is_relative_to(root):
        raise TemplateError(f"{dest} is inside {root}: choose a folder outside the repository")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise TemplateError(f"{dest} exists and is not an empty folder")
    stale = checksums.differences(root)
    if stale:
        listed = ", ".join(f"{name} ({what})" for name, what in stale[:5])
        raise TemplateError(
            f"{checksums.CHECKSUM_FILE} is out of date here: {listed}. Run python -m "
            "katalib.base.checksums --write (after checking the changes are meant) and commit."
        )
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        written = build(root, dest)
        found = problems(root, dest, written)
        if found:
            raise TemplateError("the copy is not fit to hand out:\n  " + "\n  ".join(found))
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for entry in dest.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        raise
    return written


def main(argv: list[str], prog: str) -> int:
    """``prog DIR [--from CHECKOUT]`` (``python -m katalib.grade template``, katalib.grade.cli)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write the students' repository: the katas without solutions/, the "
        "variants or the maintainers' tools (see docs/teaching.md).",
    )
    parser.add_argument("dir", type=Path, help="where to write it: a new or empty folder")
    parser.add_argument(
        "--from", dest="source", type=Path, default=manifest.ROOT,
        help="the teacher's checkout to copy (default: this one)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        written = make(args.source, args.dir)
    except TemplateError as exc:
        print(f"{parser.prog}: {exc}")
        return 1
    dest = args.dir.expanduser().resolve()
    kept = ", ".join(sorted({rel.split("/", 1)[0] for rel in written}))
    print(f"Wrote the students' copy of the katas to {dest}: {len(written)} files ({kept}).")
    print(f"Left out: {', '.join(LEFT_OUT)}.")
    print(f"Checked: {checksums.CHECKSUM_FILE} matches it, and no reference solution is in it.")
    print("Next: make it a repository of its own and hand that out, for example")
    print(f'  cd {dest} && git init && git add -A && git commit -m "Django relationship katas"')
    print("  then push it to GitHub and tick Settings > General > Template repository.")
    print("Grade from this checkout, which keeps the solutions (docs/teaching.md):")
    print("  python -m katalib.grade --roster roster.txt --csv grades.csv")
    return 0
