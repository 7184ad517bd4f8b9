"""``katas dev readme``: the generated parts of the READMEs.

README.md's kata table is written from katas.toml (dir, title, concept); each kata README's
diagram of its tables from its solution (solutions/<dir>/models.py, drawn by
katalib/teach/drawing). Each sits between two marker lines; the readme-table and readme-schema
rules of dev check (rules/readme.py) compare what is there with what this module would write.
"""

from __future__ import annotations

from pathlib import Path

from katalib.base import manifest

# The marker lines around each generated part (a maintainer sees them in the README).
TABLE_START = (
    "<!-- The kata table is generated from katas.toml: run `katas dev readme` after changing "
    "it (katas dev check fails while it is out of date). -->"
)
TABLE_END = "<!-- end of the generated kata table -->"
SCHEMA_START = (
    "<!-- The diagram is drawn from the kata's solution: run `katas dev readme` after changing "
    "its models (katas dev check fails while it is out of date). -->"
)
SCHEMA_END = "<!-- end of the generated diagram -->"


# --- README.md's kata table ----------------------------------------------------------------------


def kata_table(katas: tuple[manifest.Kata, ...] | list[manifest.Kata]) -> str:
    rows = ["| # | Kata | Concept |", "|---|---|---|"]
    for kata in katas:
        number, _, topic = kata.dir.partition("_")
        rows.append(f"| {number} | [{topic}](katas/{kata.dir}/README.md) | {kata.concept} |")
    return "\n".join(rows) + "\n"


def table_in(text: str) -> str | None:
    """The kata table between the markers of ``text`` (README.md), or None."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return None
    return text[start + len(TABLE_START) : end].strip("\n") + "\n"


def write_readme_table(root: Path) -> bool:
    """Rewrite README.md's table from katas.toml; False when the markers are missing."""
    path = root / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return False
    table = kata_table(manifest.load(root))
    text = text[: start + len(TABLE_START)] + "\n" + table + text[end:]
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


# --- Each kata README's diagram of its tables ----------------------------------------------------


def schema_section(kata: manifest.Kata, read: dict) -> str:
    """The generated part of a kata README: its tables (solutions/) as a Mermaid erDiagram."""
    from katalib.teach.drawing import mermaid

    if read["error"]:
        raise ValueError(read["error"])
    lines = ["## The tables when you're done", ""]
    if not read["tables"]:
        lines.append("This kata declares no models, so it has no tables of its own.")
        return "\n".join(lines) + "\n"
    lines += [
        (
            f"The tables Django makes from the lesson's models (`solutions/{kata.dir}/models.py`, "
            "column types as on SQLite); "
            f"`katas schema {kata.dir.split('_', 1)[0]} --target` draws yours and says what differs."
        ),
        "",
        "```mermaid",
        mermaid.diagram(read["tables"]),
        "```",
    ]
    return "\n".join(lines) + "\n"


def schema_sections(root: Path, katas: list[manifest.Kata]) -> dict[str, str]:
    """{kata dir: its generated README part}, from one child process that loads solutions/."""
    from katalib.loop import draw as command

    # SQLite's column types whatever DATABASE_URL says: one drawing for every database.
    read = command.read_tree("solutions", [k.dir for k in katas], root=root, sqlite=True)
    return {k.dir: schema_section(k, read[k.dir]) for k in katas}


def schema_in(text: str) -> str | None:
    """The diagram between the markers of ``text`` (a kata README), or None."""
    start, end = text.find(SCHEMA_START), text.find(SCHEMA_END)
    if start < 0 or end < start:
        return None
    return text[start + len(SCHEMA_START) : end].strip("\n") + "\n"


def _with_schema(text: str, section: str) -> str:
    """``text`` with its generated part replaced, or added before '## For teachers' (else at
    the end)."""
    block = f"{SCHEMA_START}\n{section}{SCHEMA_END}\n"
    start, end = text.find(SCHEMA_START), text.find(SCHEMA_END)
    if start >= 0 and end > start:
        return text[:start] + block + text[end + len(SCHEMA_END) :].lstrip("\n")
    at = text.find("\n## For teachers")
    if at < 0:
        return text.rstrip("\n") + "\n\n" + block
    return text[: at + 1] + block + "\n" + text[at + 1 :]


def write_readme_schemas(root: Path, katas: list[manifest.Kata] | None = None) -> list[str]:
    """Rewrite each kata README's diagram; the READMEs that changed."""
    katas = list(katas if katas is not None else manifest.load(root))
    changed = []
    for kata_dir, section in schema_sections(root, katas).items():
        path = root / "katas" / kata_dir / "README.md"
        text = path.read_text(encoding="utf-8")
        new = _with_schema(text, section)
        if new != text:
            path.write_text(new, encoding="utf-8", newline="\n")
            changed.append(path.relative_to(root).as_posix())
    return changed


def rewrite(root: Path) -> int:
    """``katas dev readme``: the table, then every kata's diagram; 1 without the table markers."""
    if not write_readme_table(root):
        print(f"README.md lacks the table markers: {TABLE_START} ... {TABLE_END}")
        return 1
    print("README.md: kata table rewritten from katas.toml")
    changed = write_readme_schemas(root)
    for path in changed:
        print(f"{path}: diagram of the tables redrawn from solutions/")
    return 0
