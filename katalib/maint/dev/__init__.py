"""Maintainers: add a kata with ``katas dev new``, prove the repository with ``katas dev check``.

    katas dev new 14_generic_relations --title "Bonus: ..." [--bonus] [--concept "..."]
    katas dev check [--kata 14_generic_relations] [--no-proof]
    katas dev readme      rewrite README.md's kata table from katas.toml, and each kata
                          README's diagram of its tables from solutions/

Also available as ``python -m katalib.maint.dev``. The package, one module per concern:

    cli.py        the command line of ``katas dev``
    check.py      dev check: runs the rules of the table, prints each one's problems and fix
    rules/        the table of rules (rules/__init__.py) and one module per subject
    problems.py   what a rule looks at (Repo) and what it finds (Problem)
    readme.py     dev readme: README.md's kata table, each kata README's diagram
    new.py        dev new: a small working kata from templates/, with TODO(new kata) marks

``dev check`` runs the fast rules first, in the table's order; every problem names its rule,
what is wrong and the fix. The two-way proof, the variants, the "every test earns its keep"
rule and the mistake corpus (katalib.maint.verify) run for the chosen katas (all by default)
that passed the manifest, layout and files rules. Exit code: 0 all good, 1 problems, 2 an
unknown ``--kata``.
"""

from __future__ import annotations

from katalib.maint.dev.check import open_repo, static_problems
from katalib.maint.dev.cli import add_arguments, main, run
from katalib.maint.dev.problems import Found, Problem, Repo
from katalib.maint.dev.readme import write_readme_schemas, write_readme_table
from katalib.maint.dev.rules import RULES, TABLE, Rule

__all__ = [
    "RULES",
    "TABLE",
    "Found",
    "Problem",
    "Repo",
    "Rule",
    "add_arguments",
    "main",
    "open_repo",
    "run",
    "static_problems",
    "write_readme_schemas",
    "write_readme_table",
]
