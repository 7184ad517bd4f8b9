"""Harness tests: the browser site's Python side (katalib/web/build.py, web/src/runner.py).

What the page runs is tested in Pyodide and in Chromium by ``node --test web/test/`` (see
``.ci/run``); these tests need neither Node nor a network: the site's content is the repository
as it is, the wheels are pinned and checked, the commands and the web server are wired.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from katalib import cli
from katalib.base import manifest, marks
from katalib.base.manifest import tomllib
from katalib.core import probe
from katalib.teach import hints
from katalib.web import build as web

ROOT = manifest.ROOT


def test_the_site_ships_the_katas_as_they_are_and_no_solution() -> None:
    repo, _ = web.site_content()
    files = repo["files"]
    on_disk = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "katas").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert on_disk <= set(files)
    for rel in on_disk:
        assert files[rel] == (ROOT / rel).read_text(encoding="utf-8"), rel
    for kata in manifest.load():
        for name in ("README.md", "HINTS.md", *kata.files):
            assert f"katas/{kata.dir}/{name}" in files
        assert any(f.startswith(f"katas/{kata.dir}/test_") for f in files)
    for rel in ("conftest.py", "settings.py", "katas.toml", "pyproject.toml",
                "katalib/core/plugin.py", "katalib/originals.json"):  # fmt: skip
        assert files[rel] == (ROOT / rel).read_text(encoding="utf-8")
    assert not [f for f in files if f.startswith("solutions/")], "the site never ships solutions"


def test_the_page_reads_the_manifest_and_the_hint_layers() -> None:
    _, data = web.site_content()
    katas = manifest.load()
    assert [k["dir"] for k in data["katas"]] == [k.dir for k in katas]
    for entry, kata in zip(data["katas"], katas, strict=True):
        assert entry["title"] == kata.title
        assert entry["files"] == list(kata.files)
        assert entry["track"] == kata.track
        assert entry["hint"] == kata.hint
        sections = hints.sections(kata)
        assert [s["number"] for s in entry["hints"]] == [s.number for s in sections]
        assert [s["bullets"] for s in entry["hints"]] == [list(s.bullets) for s in sections]
        assert entry["firstTask"] == hints.first_task(kata)
    with open(ROOT / "pyproject.toml", "rb") as fh:
        timeout = float(tomllib.load(fh)["tool"]["pytest"]["timeout"])
    assert data["timeouts"] == {"test": timeout, "import": probe.DEFAULT_TIMEOUT}


def test_the_page_shows_each_state_with_the_terminals_mark_and_words() -> None:
    _, data = web.site_content()
    states = data["states"]
    # Every state katalib knows, and no other.
    assert set(states) == {str(state) for state in marks.State}
    # The very marks of the terminal's table (❌/✅: a page shows them on every system).
    terminal = marks.state_marks(marks.BAD, marks.GOOD)
    assert {name: entry["mark"] for name, entry in states.items()} == {
        str(state): mark for state, mark in terminal.items()
    }
    # Words only where a state has no score of its own: the terminal's words.
    assert {name: entry["words"] for name, entry in states.items() if "words" in entry} == {
        str(marks.State.NOT_RUN): marks.NOT_RUN_WORDS,
        str(marks.State.CHANGED): marks.CHANGED_WORDS,
    }
    # The page keeps no copy of its own: it reads them from this data.
    app = (ROOT / "web" / "src" / "app.js").read_text(encoding="utf-8")
    assert f'"{marks.NOT_RUN_WORDS}"' not in app
    assert "manifest.states" in app


def test_the_page_gets_the_lessons_tables_as_data_and_no_solution_code() -> None:
    from katalib.teach.drawing import compare

    schemas = web.target_schemas()
    assert sorted(schemas) == sorted(k.dir for k in manifest.load())
    post = [t for t in schemas["05_many_to_many"] if t["name"] == "k05_many_to_many_post_tags"]
    # The join table of Post.tags with its two foreign keys, as the Schema tab compares it.
    assert post and post[0]["kind"] == "join"
    assert [c["name"] for c in post[0]["columns"] if c["fk"]] == ["post_id", "tag_id"]
    # The lesson compared with itself: nothing differs (what the page says once solved).
    assert compare.differences(schemas["02_many_to_one"], schemas["02_many_to_one"]) == []
    shipped = json.dumps(schemas)
    # Data only: no line of a solution's models.py is in it.
    code = (ROOT / "solutions" / "02_many_to_one" / "models.py").read_text(encoding="utf-8")
    lines = [line.strip() for line in code.splitlines() if len(line.strip()) > 20]
    assert lines and not [line for line in lines if line in shipped]


def test_without_solutions_the_page_gets_no_lesson_tables(tmp_path: Path) -> None:
    # A learner's copy without solutions/: the Schema tab draws their tables alone.
    assert web.target_schemas(tmp_path) == {}


def test_the_wheels_are_pinned_and_satisfy_the_project() -> None:
    pins = {web._normal(name): version for name, version, _ in web.read_lock()}
    with open(ROOT / "pyproject.toml", "rb") as fh:
        dependencies = tomllib.load(fh)["project"]["dependencies"]
    for line in dependencies:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate({"python_version": "3.14"}):
            continue
        name = web._normal(requirement.name)
        if name in ("pytest-watcher", "watchdog"):  # the terminal's watch mode: not in a browser
            continue
        assert name in pins, f"{name} is a dependency of the project: pin it in web/wheels.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    # What those need in turn (pure-Python wheels, no compiled ones: Pyodide can't load them).
    for name in ("pluggy", "iniconfig", "packaging", "pygments", "asgiref", "sqlparse",
                 "sortedcontainers"):  # fmt: skip
        assert name in pins


def test_a_wheel_that_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "wheels.lock"
    lock.write_text("sqlparse==0.6.1 --hash=sha256:" + "0" * 64 + "\n", encoding="utf-8")
    folder = tmp_path / f"wheels-{web._sha256(lock)[:16]}"
    folder.mkdir()
    wheel = folder / "sqlparse-0.6.1-py3-none-any.whl"
    wheel.write_bytes(b"not the real wheel")
    with pytest.raises(web.BuildError, match="does not match its sha256"):
        web.download_wheels(tmp_path, lock=lock, log=lambda *a: None)
    assert not wheel.exists()


def test_a_bad_lock_line_is_reported(tmp_path: Path) -> None:
    lock = tmp_path / "wheels.lock"
    lock.write_text("# pins\ndjango>=5.2\n", encoding="utf-8")
    with pytest.raises(web.BuildError, match=r"wheels.lock:2"):
        web.read_lock(lock)


def test_build_never_replaces_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(web.BuildError, match="not empty"):
        web.build(tmp_path, cache=tmp_path / "cache", log=lambda *a: None)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(web.BuildError, match="holds the repository"):
        web.build(ROOT, log=lambda *a: None)


def test_katas_web_commands() -> None:
    args = cli.parser().parse_args(["web", "build", "site"])
    assert args.handler is web.cmd_build and args.dir == "site"
    args = cli.parser().parse_args(["web", "serve", "--port", "0", "--no-build"])
    assert args.handler is web.cmd_serve and args.port == 0 and args.no_build
    assert "web" in cli.COMMANDS
    assert "katas web build DIR" in cli.USAGE


def test_the_server_sends_the_types_a_browser_needs(tmp_path: Path) -> None:
    for name in ("index.html", "app.js", "pyodide.mjs", "pyodide.asm.wasm", "pack.bin"):
        (tmp_path / name).write_bytes(b"x")
    server = web.make_server(tmp_path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        types = {}
        for name in ("pyodide.mjs", "pyodide.asm.wasm", "app.js", "pack.bin"):
            with urllib.request.urlopen(f"http://{host}:{port}/{name}") as response:
                types[name] = response.headers["Content-Type"]
                assert response.headers["Cache-Control"] == "no-cache"
    finally:
        server.shutdown()
        server.server_close()
    assert types == {
        "pyodide.mjs": "text/javascript",
        "pyodide.asm.wasm": "application/wasm",
        "app.js": "text/javascript",
        "pack.bin": "application/octet-stream",
    }


def _runner_module():
    spec = importlib.util.spec_from_file_location("kata_web_runner", ROOT / "web/src/runner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_shown_the_start_and_the_end_of_a_huge_output(monkeypatch) -> None:
    runner = _runner_module()
    monkeypatch.setattr(runner, "HEAD", 1_000)
    monkeypatch.setattr(runner, "TAIL", 1_000)
    sent: list[str] = []
    out = runner.CappedOutput(sent.append)
    out.write("start\n")
    for _ in range(10_000):
        out.write("x" * 99 + "\n")
    out.write("the progress table\n")
    text, cut = out.value()
    assert text.startswith("start\n")
    assert text.endswith("the progress table\n")
    assert "characters of output cut here" in text
    assert cut > 990_000
    assert len(text) < 2_200
    assert sum(map(len, sent)) == 1_000, "only the head goes to the page as it comes"


def test_the_runner_turns_off_only_what_webassembly_lacks() -> None:
    runner = _runner_module()
    assert runner.ENV["KATA_PROBE"] == "0"
    assert runner.ENV["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    assert runner.FIXED_ARGS[:2] == ["-o", "timeout=0"]
    # The page's worker, the Node tests and the runner agree on where the repository is.
    engine = (ROOT / "web/src/engine.mjs").read_text(encoding="utf-8")
    assert f'export const HOME = "{runner.ROOT.rsplit("/", 1)[0]}"' in engine
    assert json.loads((ROOT / "web/package.json").read_text(encoding="utf-8"))["private"]


# Run in a child: _read_metadata_once() replaces importlib.metadata.distributions for good.
READ_ONCE = """
import importlib.metadata as md, importlib.util, json, sys
from _pytest.config import Config

spec = importlib.util.spec_from_file_location("kata_web_runner", sys.argv[1])
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)

class Marks:  # pytest's assertion-rewriting hook, as far as marking plugins goes
    def __init__(self):
        self.names = set()

    def mark_rewrite(self, *names):
        self.names.update(names)

class Holder:  # what _mark_plugins_for_rewrite needs of a Config
    pluginmanager = type("PluginManager", (), {})()

def seen():
    dists = sorted(
        (d.metadata["Name"], d.version, sorted((e.group, e.name, e.value) for e in d.entry_points),
         sorted(str(f) for f in d.files or []))
        for d in md.distributions()
    )
    marks = Marks()
    Config._mark_plugins_for_rewrite(Holder(), marks, False)
    return {"dists": dists, "marks": sorted(marks.names)}

before = seen()
runner._read_metadata_once()
after = seen()
first, again = next(md.distributions()), next(md.distributions())
parsed_once = first.files is first.files and first.metadata is first.metadata
print(json.dumps({"before": before, "after": after, "kept": first is again, "parsed": parsed_once,
                  "named": md.distribution("pytest").metadata["Name"]}))
"""


def test_the_page_reads_the_wheels_metadata_once_and_sees_the_same() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", READ_ONCE, str(ROOT / "web/src/runner.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout)
    # The same distributions, entry points and files as importlib.metadata reads anew ...
    assert seen["after"]["dists"] == seen["before"]["dists"]
    assert len(seen["after"]["dists"]) > 5
    # ... so pytest marks the same plugin modules for assertion rewriting (this venv has some).
    assert seen["after"]["marks"] == seen["before"]["marks"]
    assert "pytest_django" in seen["after"]["marks"]
    # Read once: every run gets the distributions kept in the snapshot, not new ones.
    assert seen["kept"] is True
    # ... and each one's files and metadata parsed once.
    assert seen["parsed"] is True
    # A lookup by name still works.
    assert seen["named"] == "pytest"
