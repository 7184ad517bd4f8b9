"""``katas dev new``: a small working kata to turn into a new one.

It writes both trees (katas/ and solutions/) from the templates under templates/, adds the
kata's entry to katas.toml in number order, its row to README.md's kata table and the diagram
of its tables to its README. The templates' ``TODO(new kata):`` marks (``MARKER``) say what the
author writes; the placeholders rule of dev check lists those left. The learner's ``# TODO``
marks in the stub stay.

In the templates, ``__DIR__`` is the kata folder, ``__NUMBER__`` its two digits, ``__TITLE__``
its title; ``__DIR_JSON__``, ``__TITLE_JSON__`` and ``__CONCEPT_JSON__`` are the same as TOML
strings, and ``__TRACK__`` is the line ``track = "bonus"`` for a bonus kata.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from katalib.base import manifest
from katalib.maint.dev.readme import write_readme_schemas, write_readme_table
from katalib.maint.dev.rules.authoring import MARKER
from katalib.maint.dev.rules.layout import NAME

TEMPLATES = Path(__file__).with_name("templates")
ENTRY = "katas.toml.tmpl"  # the kata's [[kata]] entry in katas.toml
# What dev new writes, in this order: each path (``{dir}``: the kata folder, ``{topic}``: its
# name after the number) and the template it is filled from (None: an empty file).
FILES: dict[str, str | None] = {
    "katas/{dir}/__init__.py": None,
    "katas/{dir}/README.md": "katas/README.md.tmpl",
    "katas/{dir}/HINTS.md": "katas/HINTS.md.tmpl",
    "katas/{dir}/models.py": "katas/models.py.tmpl",
    "katas/{dir}/queries.py": "katas/queries.py.tmpl",
    "katas/{dir}/test_{topic}.py": "katas/test_TOPIC.py.tmpl",
    "solutions/{dir}/__init__.py": None,
    "solutions/{dir}/models.py": "katas/models.py.tmpl",  # given: the same in both trees
    "solutions/{dir}/queries.py": "solutions/queries.py.tmpl",
    "solutions/{dir}/variants.toml": "solutions/variants.toml.tmpl",
}


def template(name: str) -> str:
    """The text of ``templates/<name>``, e.g. ``katas/README.md.tmpl``."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def new(root: Path, name: str, title: str, *, bonus: bool, concept: str | None) -> int:
    """``katas dev new``: the kata's files, its katas.toml entry, its README row; the exit code."""
    name = name.strip().strip("/").removeprefix("katas/")
    match = NAME.match(name)
    if not match:
        print(
            f"katas dev new: {name!r} is not a kata folder name: two digits, an underscore and "
            "a lower-case topic, e.g. 14_generic_relations.",
            file=sys.stderr,
        )
        return 2
    number = match.group(1)
    katas = manifest.load(root)
    taken = [k.dir for k in katas if k.dir[:2] == number]
    exists = [f"{t}/{name}" for t in manifest.TARGETS if (root / t / name).exists()]
    if taken or exists:
        what = f"number {number} is taken by {taken[0]}" if taken else f"{exists[0]} exists"
        print(
            f"katas dev new: {what}. Pick another number (katas are also named by number).",
            file=sys.stderr,
        )
        return 2
    topic = name[3:]
    values = {
        "__DIR_JSON__": json.dumps(name),
        "__TITLE_JSON__": json.dumps(title, ensure_ascii=False),
        "__CONCEPT_JSON__": json.dumps(concept or title, ensure_ascii=False),
        "__TRACK__": 'track = "bonus"\n' if bonus else "",
        "__DIR__": name,
        "__NUMBER__": number,
        "__TITLE__": title,
    }

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    files = {
        where.format(dir=name, topic=topic): fill(template(source)) if source else ""
        for where, source in FILES.items()
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    _add_entry(root, name, fill(template(ENTRY)))
    manifest.load.cache_clear()
    table = write_readme_table(root)
    try:  # the README's diagram of the template's tables (katas dev readme redraws it)
        write_readme_schemas(root, [k for k in manifest.load(root) if k.dir == name])
    except (RuntimeError, ValueError) as exc:
        print(f"(no diagram of the tables in its README: {exc}; run katas dev readme later)")
    print(f"Created kata {name} ({'bonus' if bonus else 'lesson'} track):")
    row = ", the README table's row" if table else ""
    print(f'  katas.toml: a [[kata]] entry (files = ["queries.py"]){row}')
    for rel in files:
        print(f"  {rel}")
    print(
        f"It is a small working kata (two tasks on Post -> Author) to turn into yours: replace "
        f"every '{MARKER}' mark\n(katas dev check lists those left), then\n"
        f"  python -m katalib.checksums --write    # records the new tests and stub\n"
        f"  katas dev check --kata {name}"
    )
    if not table:
        print("README.md has no generated kata table: add its row by hand.")
    return 0


def _add_entry(root: Path, name: str, entry: str) -> None:
    """Insert the entry into katas.toml in number order (before the first higher number)."""
    path = root / "katas.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if line.strip() == "[[kata]]"]
    position = len(lines)
    for index, start in enumerate(headers):
        end = headers[index + 1] if index + 1 < len(headers) else len(lines)
        found = next(
            (
                re.match(r'\s*dir\s*=\s*"([^"]+)"', lines[i])
                for i in range(start, end)
                if re.match(r"\s*dir\s*=", lines[i])
            ),
            None,
        )
        if found and found.group(1) > name:
            position = start
            break
    block = entry if position < len(lines) else "\n" + entry
    if position < len(lines):
        block += "\n"
    elif lines and not lines[-1].endswith("\n"):
        block = "\n" + block
    lines.insert(position, block)
    path.write_text("".join(lines), encoding="utf-8", newline="\n")
