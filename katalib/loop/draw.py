"""``katas schema [KATA] [--target] [--sql]``: the kata's tables as Django makes them.

The learner's tree (katas/) is read in this process: Django is set up with that one kata's app,
the way a test run of the kata installs it, so a models.py that doesn't load gives the very
load error a test run prints (``katalib.core.loader.broken_kata_message``). The lesson's tree
(solutions/) has the same app labels, so it is read in a child process,
``python -m katalib.loop.draw --tree solutions DIR...``, which prints the same data as
JSON (started first, so that both trees load at once). ``katas dev readme`` and ``dev check``
read every kata's solution the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from katalib.base import env as environment
from katalib.base import manifest


def setup(tree: str, kata_dirs: list[str]) -> None:
    """Set Django up in this process with only ``kata_dirs`` of ``tree`` installed."""
    os.environ[environment.TARGET] = tree
    if kata_dirs:
        os.environ[environment.ONLY] = ",".join(sorted(kata_dirs))
    else:
        os.environ.pop(environment.ONLY, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    if str(manifest.ROOT) not in sys.path:
        sys.path.insert(0, str(manifest.ROOT))
    import django

    django.setup()


def read(kata_dirs: list[str], *, sql: bool = False) -> dict[str, dict]:
    """Each kata's tables (Django set up by ``setup``): {dir: {"tables", "error", "checks",
    "sql", "vendor", "tree"}}. A kata that doesn't load has its load error in "error"."""
    from django.apps import apps
    from django.db import connection

    from katalib.core import loader
    from katalib.teach.drawing import meta
    from katalib.teach.drawing import sql as sql_text

    found = {}
    for name in kata_dirs:
        kata = manifest.by_dir(name)
        entry: dict[str, Any] = {"kata": name, "tree": manifest.target(), "tables": [],
                                 "error": "", "checks": [], "sql": [],
                                 "vendor": connection.vendor}  # fmt: skip
        found[name] = entry
        if kata is None:
            entry["error"] = f"there is no kata {name!r} in katas.toml"
            continue
        try:
            config = apps.get_app_config(kata.label)
        except LookupError:
            entry["error"] = (
                f"Kata {kata.dir}: there is no folder {manifest.target()}/{kata.dir}/ with an "
                "__init__.py, so the kata is not installed."
            )
            continue
        import_error = getattr(config, "import_error", None)  # a KataConfig (katalib.core.apps)
        if import_error is not None:
            entry["error"], _ = loader.broken_kata_message(kata, import_error, "models.py")
            continue

        models = list(config.get_models(include_auto_created=True))
        try:
            entry["tables"] = meta.tables(models, connection)
            entry["checks"] = list(loader.check_messages(kata.label))
            if sql:
                entry["sql"] = sql_text.create_statements(models, connection)
        except Exception as exc:  # noqa: BLE001 - learner code: say it, never a traceback
            entry["error"] = (
                f"Kata {kata.dir}: Django could not describe the tables of "
                f"{manifest.target()}/{kata.dir}/models.py: {type(exc).__name__}: {exc}"
            )
    return found


def start_child(
    tree: str, kata_dirs: list[str], *, sql: bool = False, root: Any = None, sqlite: bool = False
) -> subprocess.Popen:
    """``read`` of ``tree`` in a child process (its JSON comes back on stdout)."""
    env = dict(os.environ)
    env.pop(environment.TARGET, None)
    env.pop(environment.ONLY, None)
    if sqlite:  # the same drawing whatever DATABASE_URL says (the README diagrams)
        env["DATABASE_URL"] = ""
    # The child decides ❌ or [X] for the console the text will be printed on: this one's.
    env["PYTHONIOENCODING"] = getattr(sys.stdout, "encoding", None) or "utf-8"
    command = [sys.executable, "-m", "katalib.loop.draw", "--tree", tree, *kata_dirs]
    return subprocess.Popen(
        command + (["--sql"] if sql else []),
        cwd=root or manifest.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )


def finish_child(child: subprocess.Popen) -> dict[str, dict]:
    out, err = child.communicate()
    try:
        return json.loads(out.decode("utf-8"))
    except ValueError:
        text = err.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(text[-1] if text else f"exit code {child.returncode}") from None


def read_tree(
    tree: str, kata_dirs: list[str], *, sql: bool = False, root: Any = None, sqlite: bool = False
) -> dict[str, dict]:
    """``read`` of ``tree`` (of the repository at ``root``) in a child process, waited for;
    ``sqlite``: on SQLite whatever DATABASE_URL says."""
    return finish_child(start_child(tree, kata_dirs, sql=sql, root=root, sqlite=sqlite))


def show(kata: manifest.Kata, *, target: bool, sql: bool, ascii: bool, bad: str) -> int:
    """Print the learner's tables (and the lesson's, and what differs); exit code 1 when the
    kata doesn't load, 2 without solutions/."""
    from katalib.teach.drawing import compare, text

    if target and not (manifest.ROOT / "solutions").is_dir():
        print(f"katas schema --target: {manifest.NO_SOLUTIONS}", file=sys.stderr)
        return 2
    child = start_child("solutions", [kata.dir], sql=sql) if target else None
    setup("katas", [kata.dir])
    mine = read([kata.dir], sql=sql)[kata.dir]
    lesson = finish_child(child)[kata.dir] if child is not None else None
    models = f"katas/{kata.dir}/models.py"
    if mine["error"]:
        print(mine["error"])
        return 1
    if sql:
        print(f"-- The CREATE TABLE statements Django would run ({mine['vendor']}) for {models}:")
        print("\n".join(mine["sql"]) or "-- (no tables)")
        if lesson is not None and not lesson["error"]:
            print(f"\n-- The lesson's (solutions/{kata.dir}/models.py):")
            print("\n".join(lesson["sql"]) or "-- (no tables)")
        return 0
    if not mine["tables"] and not (lesson and lesson["tables"]):
        print(f"Kata {kata.dir} declares no models: it has no tables of its own.")
        return 0
    print(f"Your tables: {models}, as Django makes them")
    print(text.draw(mine["tables"], ascii) if mine["tables"] else "(no tables yet)")
    if mine["checks"]:
        print(f"\nDjango's system checks reject these models ({models}):")
        print("\n".join(f"{bad} {e}" for e in mine["checks"]))
    if lesson is None:
        return 0
    if lesson["error"]:  # a maintainer's problem, not the learner's
        print(f"\nThe lesson's tables could not be read:\n{lesson['error']}")
        return 1
    print(f"\nThe lesson's tables: solutions/{kata.dir}/models.py")
    print(text.draw(lesson["tables"], ascii))
    said = compare.differences(mine["tables"], lesson["tables"], ascii)
    if said:
        print("\nWhat differs from the lesson:")
        print("\n".join(f"  - {line}" for line in said))
    else:
        print("\nYour tables are the lesson's tables.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m katalib.loop.draw")
    parser.add_argument("--tree", choices=manifest.TARGETS, default="katas")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("kata", nargs="*", help="kata folders (default: every kata)")
    args = parser.parse_args(argv)
    names = args.kata or [k.dir for k in manifest.load()]
    setup(args.tree, args.kata)
    json.dump(read(names, sql=args.sql), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
