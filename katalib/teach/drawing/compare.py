"""What differs between the learner's tables and the lesson's, in words.

Both sides are ``katalib.teach.drawing.meta`` tables. Each difference is one sentence, e.g.
``missing: k02_many_to_one_book.author_id → k02_many_to_one_author.id (on_delete=CASCADE)``, or
``the foreign key is on k02_many_to_one_author (…), the lesson puts it on k02_many_to_one_book
(…)``. Tables of other apps (``auth_user``) are compared only through the kata's arrows to them.
"""

from __future__ import annotations

from katalib.teach.drawing.text import ASCII, UNICODE


def differences(mine: list[dict], lesson: list[dict], ascii: bool = False) -> list[str]:
    to = (ASCII if ascii else UNICODE)["to"]
    said: list[str] = []
    my_tables = {t["name"]: t for t in mine if t.get("kind") != "outside"}
    lesson_tables = {t["name"]: t for t in lesson if t.get("kind") != "outside"}

    def link(table: str, column: dict) -> str:
        fk = column["fk"]
        return f"{table}.{column['name']} {to} {fk['table']}.{fk['column']}"

    my_fks = {(t, c["name"]): c for t, c in _columns(my_tables) if c["fk"]}
    lesson_fks = {(t, c["name"]): c for t, c in _columns(lesson_tables) if c["fk"]}
    missing_fks = [key for key in lesson_fks if key not in my_fks]
    extra_fks = [key for key in my_fks if key not in lesson_fks]

    # The foreign key on the other table of the pair: the classic many-to-one mistake.
    for key in list(missing_fks):
        table, _ = key
        target = lesson_fks[key]["fk"]["table"]
        flipped = next(
            (e for e in extra_fks if e[0] == target and my_fks[e]["fk"]["table"] == table), None
        )
        if flipped is None:
            continue
        said.append(
            f"the foreign key is on {target} ({link(target, my_fks[flipped])}), "
            f"the lesson puts it on {table} ({link(table, lesson_fks[key])})"
        )
        missing_fks.remove(key)
        extra_fks.remove(flipped)

    for name, table in lesson_tables.items():
        if name not in my_tables:
            said.append(f"missing table: {name} ({_what(table)})")
    for name, table in my_tables.items():
        if name not in lesson_tables:
            said.append(f"extra table: {name} ({_what(table)}), not in the lesson")

    for key in missing_fks:
        if key[0] in my_tables:
            column = lesson_fks[key]
            said.append(f"missing: {link(key[0], column)} (on_delete={column['fk']['on_delete']})")
    for key in extra_fks:
        if key[0] in lesson_tables:
            said.append(f"extra: {link(key[0], my_fks[key])}, not in the lesson")

    for name, table in lesson_tables.items():
        own = my_tables.get(name)
        if own is None:
            continue
        said += _column_differences(name, own, table, to)
        said += _unique_differences(name, own, table)
    said += _reverse_differences(mine, lesson)
    return said


def _columns(tables: dict[str, dict]):
    for name, table in tables.items():
        for column in table["columns"]:
            yield name, column


def _what(table: dict) -> str:
    if table.get("kind") == "join":
        return f"the join table Django makes for {table['join_of']}"
    if table.get("kind") == "through":
        return f"model {table['model']}, the join table of {table['join_of']}"
    return f"model {table['model']}"


def _column_differences(name: str, mine: dict, lesson: dict, to: str) -> list[str]:
    said = []
    my_columns = {c["name"]: c for c in mine["columns"]}
    for column in lesson["columns"]:
        own = my_columns.get(column["name"])
        where = f"{name}.{column['name']}"
        if own is None:
            if not column["fk"]:  # missing foreign keys are said above
                said.append(f"missing: {where} ({column['type']})")
            continue
        fk, my_fk = column["fk"], own["fk"]
        if fk and my_fk:
            if (fk["table"], fk["column"]) != (my_fk["table"], my_fk["column"]):
                said.append(
                    f"{where} points at {my_fk['table']}.{my_fk['column']}; the lesson points "
                    f"it at {fk['table']}.{fk['column']}"
                )
            if fk["on_delete"] != my_fk["on_delete"]:
                said.append(
                    f"{where}: on_delete={my_fk['on_delete']}; the lesson's is "
                    f"on_delete={fk['on_delete']}"
                )
            if fk.get("one_to_one") != my_fk.get("one_to_one"):
                which = "a OneToOneField" if fk.get("one_to_one") else "a ForeignKey"
                said.append(f"{where}: the lesson's is {which} (UNIQUE differs)")
                continue
        elif fk and not my_fk:
            said.append(f"{where} is a plain column; the lesson's points {to} {fk['table']}")
        elif my_fk and not fk:
            said.append(f"{where} points {to} {my_fk['table']}; the lesson's is a plain column")
        if own["null"] != column["null"] and not column["pk"]:
            said.append(
                f"{where} {'allows NULL' if own['null'] else 'is NOT NULL'}; the lesson's "
                f"{'allows NULL' if column['null'] else 'is NOT NULL'}"
            )
        if own["unique"] != column["unique"] and not column["pk"]:
            said.append(
                f"{where} is {'UNIQUE' if own['unique'] else 'not unique'}; the lesson's is "
                f"{'UNIQUE' if column['unique'] else 'not unique'}"
            )
        if own["type"] != column["type"] and not (fk and my_fk):
            said.append(f"{where} is {own['type']}; the lesson's is {column['type']}")
    lesson_names = {c["name"] for c in lesson["columns"]}
    for column in mine["columns"]:
        if column["name"] not in lesson_names and not column["fk"]:
            said.append(f"extra: {name}.{column['name']} ({column['type']}), not in the lesson")
    return said


def _unique_differences(name: str, mine: dict, lesson: dict) -> list[str]:
    ours = {tuple(sorted(g)) for g in mine.get("unique_together", [])}
    theirs = {tuple(sorted(g)) for g in lesson.get("unique_together", [])}
    said = [f"missing: UNIQUE ({', '.join(g)}) on {name}" for g in sorted(theirs - ours)]
    said += [f"extra: UNIQUE ({', '.join(g)}) on {name}" for g in sorted(ours - theirs)]
    return said


def _reverse_differences(mine: list[dict], lesson: list[dict]) -> list[str]:
    """The way back named differently (related_name), for a relation both sides have."""
    said = []
    my_names = {(t["name"], r["from_field"]): (t, r) for t in mine for r in t.get("reverse", [])}
    for table in lesson:
        for rel in table.get("reverse", []):
            found = my_names.get((table["name"], rel["from_field"]))
            if found is None or found[1]["name"] == rel["name"]:
                continue
            var = (table.get("model") or table["name"]).lower()
            how = "related_name" if rel.get("related_name") else "Django's default name"
            said.append(
                f"reverse name: {var}.{found[1]['name']} (from {rel['from_field']}); the lesson's "
                f"is {var}.{rel['name']} ({how})"
            )
    return said
