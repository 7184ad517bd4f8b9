"""A Mermaid ``erDiagram`` of ``katalib.teach.drawing.meta`` tables (GitHub and VS Code draw it).

Each table with its columns (``type name PK|FK|UK "comment"``; the type is one word, the full
database type goes in the comment), then one line per foreign key: the table pointed at, its
cardinality, the table holding the column, labelled with the column and its on_delete rule.
"""

from __future__ import annotations

import re


def _word(text: str) -> str:
    """A name Mermaid accepts: letters, digits, _ and -."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text) or "_"


def _attribute(column: dict) -> str:
    base = _word(re.split(r"[\s(]", column["type"], maxsplit=1)[0] or "unknown")
    keys = [k for k, on in (("PK", column["pk"]), ("FK", column["fk"]),
                            ("UK", column["unique"])) if on]  # fmt: skip
    notes = [column["type"]] if column["type"] != base else []
    if not column["pk"]:
        notes.append("NULL" if column["null"] else "NOT NULL")
    fk = column["fk"]
    if fk:
        notes.append(f"to {fk['table']}.{fk['column']}, on_delete {fk['on_delete']}")
    comment = ", ".join(notes).replace('"', "'")
    return (
        f"{base} {_word(column['name'])}"
        + (f" {', '.join(keys)}" if keys else "")
        + (f' "{comment}"' if comment else "")
    )


def diagram(tables: list[dict]) -> str:
    """The ``erDiagram`` text (without the code fence)."""
    lines = ["erDiagram"]
    for table in tables:
        lines.append(f"    {_word(table['name'])} {{")
        lines += [f"        {_attribute(c)}" for c in table["columns"]]
        lines.append("    }")
    for table in tables:
        for column in table["columns"]:
            fk = column["fk"]
            if not fk:
                continue
            one = "|o" if column["null"] else "||"  # the row pointed at: one (or none if NULL)
            many = "o|" if fk.get("one_to_one") or column["unique"] else "o{"
            label = f"{column['name']}, {fk['on_delete']}"
            lines.append(
                f'    {_word(fk["table"])} {one}--{many} {_word(table["name"])} : "{label}"'
            )
    return "\n".join(lines)
