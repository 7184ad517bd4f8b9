"""Maintainers: add a kata with ``katas dev new``, prove the repository with ``katas dev check``.

The command line of ``katas dev`` (katalib/cli.py adds it) and ``python -m katalib.maint.dev``.
"""

from __future__ import annotations

import argparse
import sys

from katalib.base import manifest
from katalib.maint.dev.check import check
from katalib.maint.dev.new import new
from katalib.maint.dev.readme import rewrite


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The dev subcommands, under ``katas dev`` (katalib/cli.py) and ``python -m katalib.maint.dev``."""
    commands = parser.add_subparsers(dest="dev_command", metavar="DEV_COMMAND", required=True)
    made = commands.add_parser("new", help="add a kata: manifest entry, both trees, README row")
    made.add_argument("name", help="the folder name, e.g. 14_generic_relations")
    made.add_argument("--title", required=True, help="the kata's title (katas.toml)")
    made.add_argument("--bonus", action="store_true", help="a bonus kata (beyond the lesson)")
    made.add_argument("--concept", help="the README table's Concept column (default: the title)")
    checked = commands.add_parser("check", help="every rule, then the proof of the katas")
    checked.add_argument(
        "--kata",
        action="append",
        default=[],
        help="only this kata (repeatable): 03_on_delete or 03; the repository-wide rules still run",
    )
    checked.add_argument(
        "--no-proof",
        action="store_true",
        help="only the fast rules: no two-way proof, variants or keep",
    )
    commands.add_parser(
        "readme",
        help="rewrite README.md's kata table from katas.toml and each kata README's diagram "
        "of its tables from solutions/",
    )


def run(args: argparse.Namespace, extra: list[str] | None = None) -> int:
    """One dev subcommand (``extra``: pytest options for the proof); its exit code."""
    root = manifest.ROOT
    if not (root / "solutions").is_dir():
        print(f"katas dev: {manifest.NO_SOLUTIONS}", file=sys.stderr)
        return 2
    if args.dev_command == "new":
        return new(root, args.name, args.title, bonus=args.bonus, concept=args.concept)
    if args.dev_command == "readme":
        return rewrite(root)
    return check(root, args.kata, proof=not args.no_proof, pytest_args=list(extra or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m katalib.maint.dev",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)
