"""The tables of ``katalib.teach.drawing.meta`` drawn as text boxes, one per table.

``draw(tables)`` is what ``katas schema`` prints; ``excerpt(tables, ...)`` is a few lines of it
for an explanation (one table, the columns that matter). ``ascii=True`` draws with ``+-|`` and
``->`` for a console that can't print box drawing (the caller decides, the way it decides
between ❌ and [X]).
"""

from __future__ import annotations

UNICODE = {"tl": "┌", "bl": "└", "tr": "┐", "br": "┘", "h": "─", "v": "│", "ml": "├", "mr": "┤",
           "to": "→", "back": "←", "both": "↔", "more": "…", "dot": "·"}  # fmt: skip
ASCII = {"tl": "+", "bl": "+", "tr": "+", "br": "+", "h": "-", "v": "|", "ml": "+", "mr": "+",
         "to": "->", "back": "<-", "both": "<->", "more": "...", "dot": "-"}  # fmt: skip
BOX_CHARACTERS = "".join(UNICODE.values())


def marks(column: dict) -> str:
    """PK, NOT NULL / NULL, UNIQUE."""
    if column.get("pk"):
        return "PK"
    text = "NULL" if column.get("null") else "NOT NULL"
    return text + (" UNIQUE" if column.get("unique") else "")


def arrow(column: dict, ascii: bool = False) -> str:
    """``FK → table.column  on_delete=RULE`` for a foreign key column, else ""."""
    fk = column.get("fk")
    if not fk:
        return ""
    to = (ASCII if ascii else UNICODE)["to"]
    text = f"FK {to} {fk['table']}.{fk['column']}  on_delete={fk['on_delete']}"
    return text + ("  (one-to-one)" if fk.get("one_to_one") else "")


def title(table: dict, ascii: bool = False) -> str:
    kind, name = table.get("kind"), table["name"]
    name += f" {(ASCII if ascii else UNICODE)['dot']} "
    if kind == "join":
        return f"{name}join table of {table['join_of']} (made by Django)"
    if kind == "through":
        return f"{name}model {table['model']}, the join table of {table['join_of']} (through=)"
    if kind == "outside":
        app = table.get("app") or "another app"
        return f"{name}{table['model'] or 'a table'} of the {app} app (only what is pointed at)"
    return f"{name}model {table['model']}"


def reverse_line(table: dict, rel: dict, ascii: bool = False) -> str:
    back = (ASCII if ascii else UNICODE)["back"]
    var = (table.get("model") or table["name"]).lower()
    named = "related_name" if rel.get("related_name") else "no related_name: Django's default"
    many = {"many": "a manager", "many-to-many": "a manager", "one": "one object"}
    return (
        f"reverse name {var}.{rel['name']} {back} {rel['from_field']} "
        f"({many.get(rel.get('kind') or '', 'a manager')}; {named})"
    )


def column_rows(columns: list[dict], ascii: bool = False) -> list[str]:
    """The column lines, their parts aligned."""
    if not columns:
        return []
    name_w = max(len(c["name"]) for c in columns)
    type_w = max(len(c["type"]) for c in columns)
    mark_w = max(len(marks(c)) for c in columns)
    rows = []
    for column in columns:
        row = f"{column['name']:<{name_w}}  {column['type']:<{type_w}}  {marks(column):<{mark_w}}"
        rows.append(f"{row}  {arrow(column, ascii)}".rstrip())
    return rows


def body(table: dict, ascii: bool = False) -> list[list[str]]:
    """The sections of a table's box: columns, table-wide facts, reverse names."""
    chars = ASCII if ascii else UNICODE
    sections = [column_rows(table["columns"], ascii) or ["(no columns)"]]
    facts = [f"UNIQUE ({', '.join(group)})" for group in table.get("unique_together", [])]
    for link in table.get("many_to_many", []):
        how = f"through={link['through']}" if link.get("through") else "made by Django"
        facts.append(
            f"{link['field']} {chars['both']} {link['to']} (no column here: a row of "
            f"{link['join_table']} per link, {how})"
        )
    if facts:
        sections.append(facts)
    backs = [reverse_line(table, rel, ascii) for rel in table.get("reverse", [])]
    if backs:
        sections.append(backs)
    return sections


def box(heading: str, sections: list[list[str]], ascii: bool = False) -> list[str]:
    c = ASCII if ascii else UNICODE
    width = max([len(heading) + 2] + [len(line) for section in sections for line in section])
    lines = [f"{c['tl']}{c['h']} {heading} {c['h'] * (width - len(heading) - 1)}{c['tr']}"]
    for index, section in enumerate(sections):
        if index:
            lines.append(f"{c['ml']}{c['h'] * (width + 2)}{c['mr']}")
        lines += [f"{c['v']} {line:<{width}} {c['v']}" for line in section]
    lines.append(f"{c['bl']}{c['h'] * (width + 2)}{c['br']}")
    return lines


def draw_table(table: dict, ascii: bool = False) -> list[str]:
    return box(title(table, ascii), body(table, ascii), ascii)


def draw(tables: list[dict], ascii: bool = False) -> str:
    """Every table's box, one after the other."""
    return "\n\n".join("\n".join(draw_table(t, ascii)) for t in tables)


def excerpt(
    tables: list[dict],
    table_name: str,
    columns: list[str] | None = None,
    *,
    reverse: bool = False,
    ascii: bool = False,
) -> list[str]:
    """A few lines of one table's box: the primary key and ``columns`` (all when None), and its
    reverse names when ``reverse``; [] when the table isn't there."""
    table = next((t for t in tables if t["name"] == table_name), None)
    if table is None:
        return []
    chosen = [c for c in table["columns"] if columns is None or c["pk"] or c["name"] in columns]
    rows = column_rows(chosen, ascii)
    left = len(table["columns"]) - len(chosen)
    if left:
        rows.append(f"{(ASCII if ascii else UNICODE)['more']} {left} more column(s)")
    sections = [rows]
    if reverse:
        backs = [reverse_line(table, rel, ascii) for rel in table.get("reverse", [])]
        sections.append(backs or ["no reverse names: nothing points at this table"])
    return box(title(table, ascii), sections, ascii)
