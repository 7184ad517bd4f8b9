"""Harness tests: the tables drawn from the kata's models (katalib/teach/drawing, ``katas schema``).

What every drawing is checked against is read from Django directly (``_meta`` of each model and
``ManyToManyField``), by a separate child process, not by katalib.teach.drawing.meta. The learner's
mistakes and broken files run ``katas schema`` in a scratch copy of the repository.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from katalib.base import manifest
from katalib.maint import dev
from katalib.maint.dev.rules.readme import check_readme_schemas
from katalib.teach.drawing import compare, mermaid, text
from tests.scratch import PARTS, copy_repo, environment, run, solve

ROOT = Path(__file__).resolve().parents[2]
KATAS = [kata.dir for kata in manifest.load(ROOT)]

# Django's own account of each kata's tables: the facts every drawing must show.
FACTS = """
import json, os, sys
sys.path.insert(0, os.getcwd())
os.environ.update(KATA_TARGET="solutions", DJANGO_SETTINGS_MODULE="settings", DATABASE_URL="")
import django
django.setup()
from django.apps import apps
from katalib.base import manifest
from katalib.teach.drawing import meta, text
def rule_name(rule):
    if hasattr(rule, "deconstruct"):  # models.SET(value)
        value = rule.deconstruct()[1][0]
        return f"SET({getattr(value, '__name__', None) or repr(value)})"
    return rule.__name__
found = {}
for kata in manifest.load():
    config = apps.get_app_config(kata.label)
    models = list(config.get_models(include_auto_created=True))
    facts = {"tables": [m._meta.db_table for m in models], "keys": [], "joins": []}
    for model in config.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.many_to_one or field.one_to_one and field.concrete:
                facts["keys"].append([model._meta.db_table, field.column,
                                      field.related_model._meta.db_table,
                                      field.target_field.column,
                                      rule_name(field.remote_field.on_delete)])
        for field in model._meta.local_many_to_many:
            facts["joins"].append([field.m2m_db_table(), field.m2m_column_name(),
                                   field.m2m_reverse_name()])
    facts["drawn"] = text.draw(meta.tables(models))
    found[kata.dir] = facts
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def solutions() -> dict[str, dict]:
    """Every kata's solution: Django's facts and the drawing, read in one child process."""
    done = subprocess.run(
        [sys.executable, "-c", FACTS], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("kata", KATAS)
def test_the_drawing_of_each_solution_names_its_tables_keys_and_join_tables(
    solutions: dict[str, dict], kata: str
) -> None:
    facts = solutions[kata]
    drawn = facts["drawn"]
    for table in facts["tables"]:
        # Each table's box starts with its Django name.
        assert f"┌─ {table} · " in drawn, table
    for table, column, target, target_column, rule in facts["keys"]:
        box = _box(drawn, table)
        # The foreign key column, in its own table's box, with the arrow and the rule.
        assert re.search(
            rf"│ {column} +\w+ +[A-Z ]+ FK → {target}\.{target_column}  on_delete={re.escape(rule)}",
            box,
        ), (table, column, box)
    for join_table, left, right in facts["joins"]:
        box = _box(drawn, join_table)
        # The join table is drawn as a table, with its two foreign key columns.
        assert re.search(rf"│ {left} .* FK → ", box) and re.search(rf"│ {right} .* FK → ", box)


def _box(drawn: str, table: str) -> str:
    start = drawn.index(f"┌─ {table} · ")
    return drawn[start : drawn.index("┘", start)]


def test_a_kata_without_models_has_no_tables(solutions: dict[str, dict]) -> None:
    # Kata 01 (a helper file) and 09 (a quiz) declare no models.
    assert solutions["01_foreign_key_blanks"]["tables"] == []
    assert solutions["09_quiz"]["drawn"] == ""


# --- The learner's mistakes, drawn and compared (katas schema in a scratch copy) -------------


MISTAKES = {
    # The ForeignKey on the "one" model: the column lands on the author table.
    "02_many_to_one": [
        ('    name = models.CharField(max_length=100)\n',
         ('    name = models.CharField(max_length=100)\n'
          '    posts = models.ForeignKey("Post", on_delete=models.CASCADE)\n')),
        ('    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")\n',
         ""),
    ],
    # No related_name: the way back is tag.post_set.
    "05_many_to_many": [
        ('models.ManyToManyField(Tag, related_name="posts")', "models.ManyToManyField(Tag)"),
    ],
    # A through model without its second ForeignKey.
    "11_through_models": [
        ("    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)\n", ""),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def mistaken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy whose katas 02, 05 and 11 are their solutions with one mistake each."""
    repo = copy_repo(tmp_path_factory.mktemp("schema") / "repo")
    for kata, edits in MISTAKES.items():
        solve(repo, kata)
        models = repo / "katas" / kata / "models.py"
        source = models.read_text(encoding="utf-8")
        for old, new in edits:
            assert source.count(old) == 1, (kata, old)
            source = source.replace(old, new)
        models.write_text(source, encoding="utf-8")
    return repo


def katas(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "katalib", *args],
        check=False,
        cwd=repo,
        env=environment(repo),
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def _yours(output: str) -> str:
    """The learner's drawing: what comes before the lesson's."""
    return output.split("The lesson's tables:")[0]


def test_a_foreign_key_on_the_wrong_model_is_drawn_and_named(mistaken: Path) -> None:
    done = katas(mistaken, "schema", "02", "--target")
    assert done.returncode == 0, done.stderr
    author = _box(_yours(done.stdout), "k02_many_to_one_author")
    # The column is on the author table, pointing at the post table.
    assert "posts_id" in author and "FK → k02_many_to_one_post.id" in author
    assert "author_id" not in _yours(done.stdout)
    # --target says where the lesson puts it.
    assert (
        "the foreign key is on k02_many_to_one_author (k02_many_to_one_author.posts_id → "
        "k02_many_to_one_post.id), the lesson puts it on k02_many_to_one_post "
        "(k02_many_to_one_post.author_id → k02_many_to_one_author.id)"
    ) in done.stdout


def test_a_missing_related_name_is_drawn_and_named(mistaken: Path) -> None:
    done = katas(mistaken, "schema", "05", "--target")
    assert done.returncode == 0, done.stderr
    # Django's default name on the far end (the tag table), not posts.
    assert "reverse name tag.post_set ← Post.tags" in _yours(done.stdout)
    assert "tag.posts" not in _yours(done.stdout)
    assert (
        "reverse name: tag.post_set (from Post.tags); the lesson's is tag.posts (related_name)"
        in done.stdout
    )


def test_a_through_model_without_its_second_foreign_key(mistaken: Path) -> None:
    done = katas(mistaken, "schema", "11", "--target")
    assert done.returncode == 0, done.stderr
    tagging = _box(_yours(done.stdout), "k11_through_models_tagging")
    # Drawn with the one foreign key it has.
    assert "post_id" in tagging and "tag_id" not in tagging
    # Django's check says what is wrong, as a test run would.
    assert "fields.E336" in done.stdout
    assert (
        "missing: k11_through_models_tagging.tag_id → k11_through_models_tag.id (on_delete=CASCADE)"
    ) in done.stdout


def test_sql_is_what_the_schema_editor_writes(mistaken: Path) -> None:
    done = katas(mistaken, "schema", "05", "--sql")
    assert done.returncode == 0, done.stderr
    # SQLite (no DATABASE_URL): the join table with both REFERENCES.
    assert 'CREATE TABLE "k05_many_to_many_post_tags"' in done.stdout
    assert done.stdout.count("REFERENCES") == 2


def test_a_kata_file_that_does_not_load_gives_the_test_runs_load_error(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")  # kata 02's stub: a ForeignKey without on_delete
    done = katas(repo, "schema", "02")
    tests = run(repo, "katas/02_many_to_one", cache=False)
    # Not a traceback: the load error, exit code 1.
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "Kata 02_many_to_one is broken: models.py does not load." in done.stdout
    # Every line of it is what the test run prints.
    for line in filter(None, done.stdout.splitlines()):
        assert line in tests.stdout, line


def test_fifty_fields_are_drawn_and_a_missing_model_is_explained(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    fields = "".join(f"    field_{n} = models.IntegerField(null={n % 2 == 0})\n" for n in range(50))
    (repo / "katas" / "05_many_to_many" / "models.py").write_text(
        f"from django.db import models\n\n\nclass Wide(models.Model):\n{fields}", encoding="utf-8"
    )
    (repo / "katas" / "03_on_delete" / "models.py").write_text(
        "from django.db import models\n\n\nclass Post(models.Model):\n"
        '    author = models.ForeignKey("Writer", on_delete=models.CASCADE)\n',
        encoding="utf-8",
    )
    wide = katas(repo, "schema", "05", "--target")
    assert wide.returncode == 0, wide.stderr
    # All 50 columns, and the lesson's tables named missing.
    assert all(f"│ field_{n} " in wide.stdout for n in range(50))
    assert "missing table: k05_many_to_many_post_tags" in wide.stdout
    missing = katas(repo, "schema", "03")
    # Explained as the test run explains it, never a traceback.
    assert missing.returncode == 1 and "Traceback" not in missing.stdout + missing.stderr
    assert "Post.author -> 'Writer'" in missing.stdout


# --- The README diagrams ---------------------------------------------------------------------


def test_every_kata_readme_diagram_is_current() -> None:
    repo = dev.open_repo(ROOT, [])
    assert check_readme_schemas(repo) == []


def test_a_stale_diagram_fails_dev_check_until_dev_readme(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", [*PARTS, "README.md"])
    models = repo / "solutions" / "05_many_to_many" / "models.py"
    source = models.read_text(encoding="utf-8")
    models.write_text(
        source.replace(
            "    title = models.CharField(max_length=200)\n",
            "    title = models.CharField(max_length=200)\n"
            "    slug = models.SlugField(unique=True)\n",
        ),
        encoding="utf-8",
    )
    opened = dev.open_repo(repo, [])
    found = check_readme_schemas(opened)
    # Only kata 05's diagram is stale.
    assert [p.kata for p in found] == ["05_many_to_many"]
    assert dev.write_readme_schemas(repo) == ["katas/05_many_to_many/README.md"]
    assert "varchar slug UK" in (repo / "katas/05_many_to_many/README.md").read_text("utf-8")
    assert check_readme_schemas(opened) == []


# --- The pieces, on plain data --------------------------------------------------------------


def _column(name: str, fk: str | None = None, **marks: bool) -> dict:
    return {
        "name": name, "field": name, "type": "bigint", "pk": name == "id",
        "null": marks.get("null", False), "unique": marks.get("unique", False),
        "fk": {"table": fk, "column": "id", "on_delete": "CASCADE", "one_to_one": False}
        if fk else None,
    }  # fmt: skip


def _table(name: str, *columns: dict, kind: str = "model", join_of: str = "") -> dict:
    return {"name": name, "model": name.title(), "kind": kind, "join_of": join_of, "app": "k",
            "columns": [_column("id"), *columns], "unique_together": [],
            "many_to_many": [], "reverse": []}  # fmt: skip


def test_compare_names_a_missing_join_table_and_a_nullable_column() -> None:
    lesson = [
        _table("post", _column("author_id", "author")),
        _table("author"),
        _table(
            "post_tags",
            _column("post_id", "post"),
            _column("tag_id", "tag"),
            kind="join",
            join_of="Post.tags",
        ),
    ]
    mine = [_table("post", _column("author_id", "author", null=True)), _table("author")]
    said = compare.differences(mine, lesson)
    assert "missing table: post_tags (the join table Django makes for Post.tags)" in said
    assert "post.author_id allows NULL; the lesson's is NOT NULL" in said
    # The same tables: nothing differs.
    assert compare.differences(lesson, lesson) == []


def test_ascii_drawing_has_only_ascii() -> None:
    tables = [_table("post", _column("author_id", "author", unique=True)), _table("author")]
    drawn = text.draw(tables, ascii=True)
    # A console that can't print box drawing gets +-| and ->.
    assert drawn.isascii() and "FK -> author.id" in drawn
    assert "author_id bigint NOT NULL UNIQUE FK" in " ".join(drawn.split())


def test_every_line_of_a_box_is_as_wide_as_the_box() -> None:
    tables = [_table("post", _column("author_id", "author")), _table("author")]
    for ascii in (False, True):
        for table in tables:
            lines = text.draw_table(table, ascii)
            # The title line's corner lines up with the sides (it was one short).
            assert len({len(line) for line in lines}) == 1, lines


def test_mermaid_names_each_table_and_link() -> None:
    tables = [_table("post", _column("author_id", "author")), _table("author")]
    diagram = mermaid.diagram(tables)
    assert diagram.startswith("erDiagram\n    post {")
    # One author, zero or more posts, labelled with the column and its rule.
    assert '    author ||--o{ post : "author_id, CASCADE"' in diagram


def test_the_data_and_drawing_modules_import_no_higher_layer() -> None:
    allowed = {"katalib.teach.drawing", "katalib.teach.drawing.meta", "katalib.teach.drawing.text"}
    for name in ["meta", "text", "compare", "mermaid", "sql"]:
        tree = ast.parse((ROOT / "katalib" / "teach" / "drawing" / f"{name}.py").read_text("utf-8"))
        imported = {
            node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("katalib")
        } | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
            for alias in node.names if alias.name.startswith("katalib")
        }  # fmt: skip
        # Only the data (meta) and the drawing (text): never loader, explain or cli.
        assert imported <= allowed, (name, imported)
