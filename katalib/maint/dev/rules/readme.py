"""The rules on the generated parts of the READMEs: readme-table, readme-schema.

Each compares the README with what ``katas dev readme`` (katalib/maint/dev/readme.py) writes.
"""

from __future__ import annotations

from katalib.maint.dev.problems import Found, Problem, Repo
from katalib.maint.dev.readme import (
    TABLE_END,
    TABLE_START,
    kata_table,
    schema_in,
    schema_sections,
    table_in,
)


def check_readme_table(repo: Repo) -> list[Problem]:
    text = (repo.root / "README.md").read_text(encoding="utf-8")
    current = table_in(text)
    wanted = kata_table(repo.katas)
    if current is None:
        return [
            Problem(
                "readme-table",
                f"README.md has no generated kata table (the lines {TABLE_START!r} and "
                f"{TABLE_END!r} around it).",
                "put the two marker lines where the table goes, then run katas dev readme.",
            )
        ]
    if current.strip() == wanted.strip():
        return []
    have, want = current.strip().splitlines(), wanted.strip().splitlines()
    missing = [line for line in want if line not in have]
    extra = [line for line in have if line not in want]
    if missing:
        what = f"missing or different: {missing[0]}"
    elif extra:
        what = f"a row katas.toml does not give: {extra[0]}"
    else:
        what = "its rows are not in katas.toml's order"
    return [
        Problem(
            "readme-table",
            f"README.md's kata table is not the one katas.toml gives; {what}",
            "run katas dev readme (rewrites the table from dir, title and concept in katas.toml).",
        )
    ]


def check_readme_schemas(repo: Repo) -> list[Problem]:
    problems = Found("readme-schema")
    katas = [k for k in repo.listed() if (repo.root / "katas" / k.dir / "README.md").is_file()]
    if not katas or not (repo.root / "solutions").is_dir():
        return problems
    try:
        sections = schema_sections(repo.root, katas)
    except (RuntimeError, ValueError) as exc:
        problems.add(
            f"the tables of solutions/ could not be read: {exc}",
            "fix the solution's models (pytest --solutions shows the error), then run "
            "katas dev readme.",
        )
        return problems
    for kata in katas:
        readme = repo.root / "katas" / kata.dir / "README.md"
        found = schema_in(readme.read_text(encoding="utf-8"))
        if found is None:
            problems.add(
                f"{repo.rel(readme)} has no generated diagram of its tables.",
                "run katas dev readme (it adds the diagram before '## For teachers').",
                kata.dir,
            )
        elif found != sections[kata.dir]:
            problems.add(
                f"{repo.rel(readme)}'s diagram is not the one solutions/{kata.dir}/models.py "
                "gives (the models changed since it was drawn).",
                "run katas dev readme (it redraws each kata's diagram from solutions/).",
                kata.dir,
            )
    return problems
