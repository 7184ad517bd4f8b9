"""Harness tests: the layout promises of the repository, by the rules of ``katas dev check``.

The rules live in katalib/maint/dev/rules/ (one function each, one table); these tests run the
fast ones on this repository, so that ``pytest tests`` notices what ``katas dev check
--no-proof`` would. Each failure states the rule and the fix. tests/maint/test_dev.py shows every
rule failing on purpose.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from katalib.base import manifest, repo
from katalib.maint import dev

ROOT = Path(__file__).resolve().parents[2]
KATAS = manifest.load()


def problems(rule: str, katas: list[str] | None = None) -> str:
    repo = dev.open_repo(ROOT, katas or [])
    found = dev.static_problems(repo, [rule])
    return "\n".join(f"[{p.rule}] {p.what}\n  fix: {p.fix}" for p in found)


def test_every_kata_folder_is_in_the_manifest() -> None:
    """Folders on disk and katas.toml agree; guards name real tests, with reasons."""
    assert not problems("manifest"), problems("manifest")


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_every_kata_has_its_parts(kata: manifest.Kata) -> None:
    """README, HINTS, tests with the don't-edit note, the declared files, a solution, variants."""
    found = problems("layout", [kata.dir])
    assert not found, found


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_given_files_are_the_same_in_both_trees(kata: manifest.Kata) -> None:
    """A file not declared in katas.toml (files = [...]) is given: the same in both trees.

    (The same tests run against both trees; a given models.py that drifted apart would make them
    test different models.) Editable files are declared, never guessed from a TODO.
    """
    found = problems("files", [kata.dir])
    assert not found, found


@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.dir)
def test_hints_are_numbered_like_the_tasks(kata: manifest.Kata) -> None:
    """HINTS.md sections 1..N match README's tasks; every task has a test and vice versa."""
    found = problems("hints", [kata.dir])
    assert not found, found


def test_no_template_marks_are_left() -> None:
    found = problems("placeholders")
    assert not found, found


def test_the_readme_table_is_generated_from_the_manifest() -> None:
    found = problems("readme-table")
    assert not found, found


# --- One owner for the harness file list (katalib/base/repo.py) --------------------------------------

HARNESS_NAMES = {repo.PACKAGE, repo.ORIGINALS, *repo.CONFIG, *repo.HARNESS_FILES}
# Expectations, not lists anything reads: what the browser build and a learner's copy must hold.
CHECKED_AGAINST = {"tests/web/test_web.py", "tests/grade/test_template.py"}


def _literal_lists(path: Path) -> list[tuple[int, list[str]]]:
    """Every list, tuple or set literal of ``path``: its line and its string items."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            found.append((node.lineno, [i for i in items if isinstance(i, str)]))
    return found


def test_the_harness_file_list_has_one_owner() -> None:
    """No module writes out its own list of harness files: each picks a set of katalib.base.repo."""
    sources = [*ROOT.glob("katalib/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("tools/*.py")]
    copies = [
        f"{path.relative_to(ROOT)}:{line}: {items}"
        for path in sources
        if path != ROOT / "katalib" / "base" / "repo.py"
        and path.relative_to(ROOT).as_posix() not in CHECKED_AGAINST
        for line, items in _literal_lists(path)
        if len(HARNESS_NAMES.intersection(items)) >= 2  # one name alone is no list of the harness
    ]
    assert not copies, "\n".join(copies)


def test_the_harness_file_list_covers_every_file_of_katalib() -> None:
    """A new module (in a subpackage too) or data file of katalib/ is in the list, or is
    declared grading-only: none silently falls out of the checksums and the browser build."""
    listed = {
        path for pattern in (*repo.HARNESS_FILES, *repo.GRADING_ONLY) for path in ROOT.glob(pattern)
    }
    files = {p for p in (ROOT / repo.PACKAGE).rglob("*") if p.is_file()}
    missing = sorted(
        str(p.relative_to(ROOT))
        for p in files - listed
        if "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    assert not missing, missing


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("02_many_to_one", "02_many_to_one"),
        ("02", "02_many_to_one"),
        ("2", "02_many_to_one"),
        ("katas/02_many_to_one/models.py", "02_many_to_one"),
        ("solutions\\02_many_to_one", "02_many_to_one"),
        ("many_to_one", "02_many_to_one"),
    ],
)
def test_one_resolver_names_a_kata_by_folder_number_path_or_topic(name: str, expected: str) -> None:
    assert repo.kata_dir(name, [k.dir for k in KATAS]) == expected


@pytest.mark.parametrize("name", ["", "99", "nothing", "katas"])
def test_a_name_of_no_kata_raises(name: str) -> None:
    with pytest.raises(repo.UnknownKata):
        repo.kata_dir(name, [k.dir for k in KATAS])


def test_where_in_the_learners_code_has_one_owner() -> None:
    """The loader and the probe say "katas/<dir>/<file>, line N" through katalib.base.places alone
    (their two copies of _where/_inside/_rel had drifted apart)."""
    copies = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}"
        for path in sorted(ROOT.glob("katalib/**/*.py"))
        if path.name != "places.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name in {"_where", "_inside", "_rel"}
    ]
    assert not copies, copies


def _imports(path: Path) -> list[tuple[int, str]]:
    """Each katalib module ``path`` imports (at the top or inside a function), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(repo.PACKAGE):
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith(repo.PACKAGE)]
    return found


def _layer(dotted: str) -> int | None:
    """The rank of the layer a dotted name is in; ``None`` for the package's top."""
    parts = dotted.split(".")
    return repo.LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in repo.LAYERS else None


def upward_imports(package: Path) -> list[str]:
    """Imports from a layer to a higher one, or to the package's top (the commands)."""
    found = []
    for path in sorted(package.glob("*/**/*.py")):
        mine = _layer(".".join(path.relative_to(package.parent).with_suffix("").parts))
        for line, name in _imports(path):
            theirs = _layer(name)
            if mine is not None and (theirs is None or theirs > mine):
                found.append(f"{path.relative_to(package.parent)}:{line}: imports {name}")
    return found


def test_no_layer_imports_a_higher_one() -> None:
    """base < teach < core < loop < maint < grade < web: each module imports its own layer and
    lower ones only, so a layer can be read (and tested) without the ones above it."""
    upward = upward_imports(ROOT / repo.PACKAGE)
    assert not upward, "\n".join(upward)


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    """The check above can fail: an import inside a function counts, and so does the top."""
    for folder in ("base", "teach"):
        (tmp_path / "katalib" / folder).mkdir(parents=True)
    (tmp_path / "katalib" / "base" / "facts.py").write_text(
        "def f():\n    from katalib.teach import hints\n    from katalib import cli\n"
    )
    (tmp_path / "katalib" / "teach" / "hints.py").write_text("from katalib.base import facts\n")
    assert upward_imports(tmp_path / "katalib") == [
        "katalib/base/facts.py:2: imports katalib.teach.hints",
        "katalib/base/facts.py:3: imports katalib.cli",
    ]


def import_cycles(package: Path, layer: str) -> list[list[str]]:
    """Modules of ``layer`` that import each other, top-level and function-level imports alike
    (``from a import b``: module ``a.b`` if there is one), as cycles ``[a, b, ..., a]``."""
    modules = {}
    for path in sorted((package / layer).rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {
        name: sorted(
            {n if n in modules else n.rpartition(".")[0] for _, n in _imports(path)}
            & (modules.keys() - {name})
        )
        for name, path in modules.items()
    }
    cycles, done = [], set()

    def visit(name: str, trail: list[str]) -> None:
        for other in graph[name]:
            if other in trail:
                cycles.append([*trail[trail.index(other) :], other])
            elif other not in done:
                visit(other, [*trail, other])
        done.add(name)

    for name in graph:
        if name not in done:
            visit(name, [name])
    return cycles


@pytest.mark.parametrize("layer", repo.LAYERS)
def test_no_layer_has_an_import_cycle(layer: str) -> None:
    """No module of a layer reaches itself through imports (inside functions too): apps.py and
    schema.py once imported each other, and so did the grader, its audit hook and its jail."""
    cycles = import_cycles(ROOT / repo.PACKAGE, layer)
    assert not cycles, cycles


def test_an_import_cycle_is_found(tmp_path: Path) -> None:
    """The check above can fail, on an import inside a function too."""
    (tmp_path / "katalib" / "core").mkdir(parents=True)
    (tmp_path / "katalib" / "core" / "apps.py").write_text("from katalib.core import schema\n")
    (tmp_path / "katalib" / "core" / "schema.py").write_text(
        "def f():\n    from katalib.core.apps import KataConfig\n"
    )
    assert import_cycles(tmp_path / "katalib", "core") == [
        ["katalib.core.apps", "katalib.core.schema", "katalib.core.apps"]
    ]


def test_the_top_of_katalib_holds_only_commands_and_layers() -> None:
    """A new module goes into its layer's package; the top keeps the commands (katas, and the
    ``python -m katalib.X`` names the documentation gives) and the layers."""
    top = ROOT / repo.PACKAGE
    packages = {p.name for p in top.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(repo.LAYERS)
    modules = {p.stem for p in top.glob("*.py")}
    assert modules == {"__init__", "__main__", "cli", "checksums", "report", "verify", "watch"}
    for name in modules - {"__init__", "__main__", "cli"}:  # a command's name, the code below
        assert len((top / f"{name}.py").read_text(encoding="utf-8").splitlines()) < 15, name


@pytest.mark.parametrize("command", ["checksums", "report", "verify", "watch", "grade"])
def test_the_documented_commands_keep_their_names(command: str) -> None:
    """``python -m katalib.X``, as the README, docs/teaching.md and the workflows write it."""
    done = subprocess.run(
        [sys.executable, "-m", f"katalib.{command}", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


ENV_NAME = re.compile(r"^_?KATAS?_[A-Z_]+$")
# Modules that also run as files on their own (no katalib to import): their copies are checked.
STANDALONE = {"katalib/grade/guard.py", "katalib/grade/jail.py"}


def env_names(path: Path) -> list[tuple[int, str]]:
    """Environment variable names spelt out in ``path``: string constants and keyword names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if ENV_NAME.match(node.value):
                found.append((node.lineno, node.value))
        elif isinstance(node, ast.keyword) and node.arg and ENV_NAME.match(node.arg):
            found.append((node.lineno, node.arg))
    return found


def test_every_environment_variable_has_one_owner() -> None:
    """katalib.base.env names every KATA_* variable; the harness spells none elsewhere, and the
    copies in the standalone modules and the browser runner are variables of that table."""
    from katalib.base import env

    sources = [*sorted(ROOT.glob("katalib/**/*.py")), ROOT / "settings.py", ROOT / "conftest.py"]
    spelt = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sources
        if path != ROOT / "katalib" / "base" / "env.py"
        and str(path.relative_to(ROOT)) not in STANDALONE
        for line, name in env_names(path)
    ]  # fmt: skip
    assert not spelt, "use katalib.base.env's constant:\n" + "\n".join(spelt)
    copies = {name for rel in STANDALONE for _, name in env_names(ROOT / rel)}
    page = set(re.findall(r'"(_?KATAS?_[A-Z_]+)"', (ROOT / "web/src/runner.py").read_text("utf-8")))
    assert copies and page
    assert copies | page <= env.NAMES, sorted((copies | page) - env.NAMES)


def test_a_spelt_out_variable_is_found(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text('import os\nos.environ.get("KATA_PROBE")\ndict(KATA_SEED="1")\n')
    assert env_names(source) == [(2, "KATA_PROBE"), (3, "KATA_SEED")]


def test_the_harness_tests_are_organised_by_layer() -> None:
    """tests/<layer>/ for each layer of katalib: a test goes beside the layer it proves."""
    folders = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(repo.LAYERS)
    assert not list((ROOT / "tests").glob("test_*.py")), "move it into its layer's folder"
