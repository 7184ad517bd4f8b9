"""Checksums of the tests and the harness, to notice when they were edited.

    python -m katalib.checksums --check    # list the files that differ; exit 1 if any does
    python -m katalib.checksums --write    # maintainers: record the current files

A kata is solved when its tests pass *unchanged*. ``test-checksums.sha256`` lists the SHA-256 of
every file that decides that: each kata's tests, the shared fixtures, the settings, the kata
manifest and the harness (``katalib/``). The learner's CI reports any difference as a warning;
the maintainers' check (``.ci/run``) fails when the list is out of date.

The file has the ``sha256sum`` layout, but line endings are normalised to ``\\n`` before hashing,
so a Windows checkout (CRLF) matches too; ``sha256sum -c`` would not see it that way.

``--write`` also writes ``katalib/originals.json``: the original text of every file a learner
edits, which ``katas reset`` puts back (katalib/base/reset.py). It is in the list like the harness, so
``--check`` notices it edited; the harness test ``tests/loop/test_cli.py`` fails when it no longer
matches the stubs in ``katas/`` (``--check`` can't: in a learner's copy those files differ).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from katalib.base import repo
from katalib.base.manifest import ROOT

CHECKSUM_FILE = "test-checksums.sha256"
PATTERNS = repo.CHECKSUMMED  # the files a learner never needs to edit


def protected_files(root: Path = ROOT) -> list[str]:
    found = {
        path.relative_to(root).as_posix()
        for pattern in PATTERNS
        for path in root.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    return sorted(found)


def digest(path: Path) -> str:
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def current(root: Path = ROOT) -> dict[str, str]:
    return {name: digest(root / name) for name in protected_files(root)}


def recorded(root: Path = ROOT) -> dict[str, str]:
    text = (root / CHECKSUM_FILE).read_text(encoding="utf-8")
    entries = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            checksum, name = line.split(maxsplit=1)
            entries[name.lstrip("*")] = checksum
    return entries


def differences(root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, what happened) for every file that is not as recorded, sorted by file."""
    want, have = recorded(root), current(root)
    out = []
    for name in sorted(want.keys() | have.keys()):
        if name not in have:
            out.append((name, "deleted"))
        elif name not in want:
            out.append((name, "not in the list"))
        elif want[name] != have[name]:
            out.append((name, "changed"))
    return out


def write(root: Path = ROOT) -> int:
    from katalib.base import reset

    reset.write_originals(root)  # first: it is one of the files listed
    lines = [f"{checksum}  {name}" for name, checksum in current(root).items()]
    (root / CHECKSUM_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return len(lines)


def _advice(name: str, what: str) -> str:
    if what == "not in the list":
        return (
            f"{name} is new: it is not in {CHECKSUM_FILE}. Katas count as solved only with the "
            "tests as shipped."
        )
    return (
        f"{name} is {what} compared with {CHECKSUM_FILE}. Katas count as solved only with the "
        f"tests as shipped: restore it with git restore --source=upstream/main -- {name} "
        "(see docs/reset-and-update.md)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m katalib.checksums", description=__doc__.split("\n\n")[0]
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="list differing files; exit 1 if any")
    mode.add_argument("--write", action="store_true", help=f"rewrite {CHECKSUM_FILE}")
    parser.add_argument(
        "--github",
        action="store_true",
        help="also emit a GitHub Actions warning annotation for each differing file",
    )
    args = parser.parse_args(argv)

    if args.write:
        count = write()
        print(f"wrote katalib/originals.json and {CHECKSUM_FILE}: {count} files")
        return 0

    if not (ROOT / CHECKSUM_FILE).is_file():
        print(f"{CHECKSUM_FILE} is missing: nothing to compare the tests with", file=sys.stderr)
        return 2
    diffs = differences()
    if not diffs:
        print(f"tests and harness match {CHECKSUM_FILE} ({len(recorded())} files)")
        return 0
    print(f"{len(diffs)} file(s) differ from {CHECKSUM_FILE}:")
    for name, what in diffs:
        print(f"  {what}: {name}")
        if args.github:
            print(f"::warning file={name},title=Test or harness file {what}::{_advice(name, what)}")
    print(
        "Learners: the katas are meant to be solved without editing these files.\n"
        "Maintainers: after changing tests on purpose, run python -m katalib.checksums --write"
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
