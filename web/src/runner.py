"""pytest inside Pyodide, for the page's Web Worker (web/src/worker.js) and the Node tests.

This module is copied into Pyodide's file system next to the repository's files; it is never
imported by the katas or by the terminal harness. It only decides how pytest is started, as
``katalib.loop.warm`` does for the terminal's watch loop:

- ``warm()`` imports what every run needs (``katalib.loop.warm.warm_up``: pytest, its plugins,
  Django, Hypothesis), never a kata file, the settings or the kata apps. The page then takes a
  memory snapshot of the interpreter: every run starts from that snapshot in a new worker (a
  fresh interpreter, like the terminal's fresh ``fork()``), so no run can see what an earlier
  run loaded. Never a stale verdict.
- ``run(request)`` writes the learner's files, runs ``pytest.main`` once, exactly as
  ``python -m pytest`` would, and returns what pytest printed (capped), every test's outcome and
  the kata rows of ``kata-results.json``.

The differences from a terminal run are the ones WebAssembly imposes: no child process for the
kata-file probe (``KATA_PROBE=0``), no pytest-timeout (``-o timeout=0``: no signals or threads;
the page ends the worker of a run that hangs) and Django's async-safety check off
(``DJANGO_ALLOW_ASYNC_UNSAFE``: Pyodide runs Python inside the browser's event loop).
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import io
import json
import linecache
import os
import random
import sys
import time

ROOT = "/home/pyodide/katas"  # the repository's files: katas/, katalib/, conftest.py, ...
RESULTS = "/tmp/kata-results.json"
PROGRESS = ".pytest_cache/v/katas/progress-{tree}"  # katalib.teach.progress.cache_key, in the cache
# What pytest may print: the start and the end are kept (the end has the progress table).
HEAD, TAIL = 200_000, 200_000
ENV = {
    "KATA_PROBE": "0",  # no fork() or subprocess in WebAssembly: kata files load in-process
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    # The page shows the next kata and the hints itself, as the katas command does.
    "KATAS_COMMAND": "1",
}
# pytest-timeout off (the page stops a hang by ending the worker); pytest's warning that the
# warm-imported plugins can't be assertion-rewritten is the terminal warm runner's too.
FIXED_ARGS = ["-o", "timeout=0", "-W", "ignore::pytest.PytestAssertRewriteWarning"]


def _host():
    """The page's worker (or the Node test) registers ``kata_web_host``: event(), output()."""
    try:
        import kata_web_host
    except ImportError:  # plain Python (the harness tests of this file): nobody listens
        return None
    return kata_web_host


def warm() -> None:
    """Import pytest, Django, Hypothesis and the plugins, as the terminal's warm runner does."""
    os.environ.update(ENV)
    sys.dont_write_bytecode = True
    os.chdir(ROOT)
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from katalib.loop.warm import warm_up

    warm_up()
    _read_metadata_once()
    # No file may stay open into the snapshot: a restored interpreter gets a new file system,
    # in which that descriptor is closed, or another file's (pytest's saved standard input, when
    # the object holding it is collected mid-run). importlib.metadata keeps the standard
    # library's zip open (its path cache, for sys.path's zip): drop that cache now, and collect
    # it (a reference cycle, which warm_up's gc.freeze() kept out of reach of gc.collect()).
    import gc

    importlib.invalidate_caches()
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class _ReadOnce(importlib.metadata.Distribution):
    """An installed distribution whose files are read and parsed once, then kept
    (see _read_metadata_once)."""

    def __init__(self, dist: importlib.metadata.Distribution) -> None:
        self._dist = dist
        self._texts: dict[str, str | None] = {}

    def read_text(self, filename):
        if filename not in self._texts:
            self._texts[filename] = self._dist.read_text(filename)
        return self._texts[filename]

    def locate_file(self, path):
        return self._dist.locate_file(path)

    # What pytest and pluggy read of each: parsed once too (each is parsed anew on every access).
    @functools.cached_property
    def metadata(self):
        return importlib.metadata.Distribution.metadata.fget(self)

    @functools.cached_property
    def entry_points(self):
        return importlib.metadata.Distribution.entry_points.fget(self)

    @functools.cached_property
    def files(self):
        return importlib.metadata.Distribution.files.fget(self)


def _read_metadata_once() -> None:
    """Every run asks importlib.metadata for the installed distributions, twice: pytest, to
    mark each plugin's modules for assertion rewriting (it reads their RECORD), and pluggy, to
    load the plugins' entry points. In the page the wheels never change (they are the site's),
    so their metadata is read here, once, into the snapshot, through importlib.metadata's own
    extension point (a Distribution reading its files through the real one, kept): the same
    distributions, entry points and files, without reading and parsing them again in each run
    (Node, Pyodide 314: 20 to 25 ms of a 60 ms run of kata 01; docs/benchmark.md).
    ``distributions()`` with arguments (a name, a path) still looks them up."""
    metadata = importlib.metadata
    lookup = metadata.distributions
    kept = [_ReadOnce(dist) for dist in lookup()]
    for dist in kept:  # what pytest and pluggy read: read now
        dist.entry_points  # noqa: B018
        dist.files  # noqa: B018
        dist.metadata  # noqa: B018

    def distributions(**kwargs):
        return iter(kept) if not kwargs else lookup(**kwargs)

    metadata.distributions = distributions


class CappedOutput(io.TextIOBase):
    """pytest's output: passed on to the page as it comes, and kept, both within a cap.

    A kata that prints 10 MB must not take the page down: the first ``HEAD`` and the last
    ``TAIL`` characters are kept, and the page is told how much was left out between them.
    """

    def __init__(self, send) -> None:
        self.send = send
        self.head: list[str] = []
        self.head_size = 0
        self.tail: list[str] = []
        self.tail_size = 0
        self.total = 0

    @property
    def encoding(self) -> str:  # ❌/✅ (katalib.teach.explain.console_symbols reads sys.__stdout__)
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = str(text)
        size = len(text)
        self.total += size
        if self.head_size < HEAD:
            part = text[: HEAD - self.head_size]
            self.head.append(part)
            self.head_size += len(part)
            if self.send is not None:
                self.send(part)
            text = text[len(part) :]
        if text:
            self.tail.append(text)
            self.tail_size += len(text)
            while self.tail and self.tail_size - len(self.tail[0]) >= TAIL:
                self.tail_size -= len(self.tail.pop(0))
        return size

    def value(self) -> tuple[str, int]:
        """The text kept, and how many characters were cut out of its middle."""
        head = "".join(self.head)
        tail = "".join(self.tail)
        if len(tail) > TAIL:
            tail = tail[-TAIL:]
        cut = self.total - len(head) - len(tail)
        if cut <= 0:
            return head + tail, 0
        # Start the tail at a line, so the cut reads cleanly.
        newline = tail.find("\n")
        if 0 <= newline < 2_000:
            cut += newline + 1
            tail = tail[newline + 1 :]
        note = f"\n\n[... {cut:,} characters of output cut here: too much to show ...]\n\n"
        return head + note + tail, cut


class Recorder:
    """A pytest plugin: every test's outcome, and each test's start for the page's watchdog."""

    def __init__(self, event) -> None:
        self.event = event
        self.outcomes: dict[str, str] = {}

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self.event({"kind": "test", "nodeid": nodeid})

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "failed" if report.when == "call" else "error"
        elif report.skipped:
            self.outcomes.setdefault(report.nodeid, "skipped")
        elif report.when == "call":
            self.outcomes.setdefault(report.nodeid, "passed")

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        self.event({"kind": "test-done", "nodeid": nodeid})

    def pytest_collection_finish(self, session) -> None:
        self.event({"kind": "collected", "count": len(session.items)})


def _watch_kata_imports(event) -> None:
    """Tell the page when a kata file starts to load (a hang there is a kata file's)."""
    # A module's body runs through exec(): importlib's loaders raise the "exec" audit event with
    # the module's code object (importlib.import_module, which the harness uses, raises no
    # "import" event).
    # When the body returns, sys.monitoring says so for that one code object: the
    # page then knows the file has loaded, and a hang after that is the test's, not the file's.
    trees = tuple(os.path.join(ROOT, tree) + os.sep for tree in ("katas", "solutions"))
    monitoring = getattr(sys, "monitoring", None)
    tool = None
    if monitoring is not None:
        tool = next((t for t in (4, 3) if monitoring.get_tool(t) is None), None)
    if tool is not None:
        monitoring.use_tool_id(tool, "katas-web")

        def loaded(code, *rest) -> None:
            event({"kind": "import-done", "file": code.co_filename[len(ROOT) + 1 :]})

        monitoring.register_callback(tool, monitoring.events.PY_RETURN, loaded)

    def hook(name: str, args: tuple) -> None:
        if name != "exec" or not args:
            return
        code = args[0]
        filename = getattr(code, "co_filename", "")
        if getattr(code, "co_name", "") != "<module>" or not filename.startswith(trees):
            return
        rel = filename[len(ROOT) + 1 :]
        if os.path.basename(rel).startswith("test_"):
            return
        event({"kind": "import", "file": rel})
        if tool is not None:  # a body that raises instead ends in a test failure: an event
            monitoring.set_local_events(tool, code, monitoring.events.PY_RETURN)

    sys.addaudithook(hook)  # this interpreter serves one run, then its worker ends


def _write(path: str, text: str) -> None:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _read_json(path: str):
    """The JSON the run wrote at ``path``; None if it wrote none (or not all of it)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _tree(args: list[str]) -> str:
    return "solutions" if "--solutions" in args else "katas"


def schema(request: dict) -> dict | None:
    """The tables of ``request["schema"]["kata"]`` from the models this run loaded, drawn as
    ``katas schema --target`` draws them, and what differs from ``request["schema"]["lesson"]``
    (the lesson's tables, read from solutions/ when the site was built: no solution's code is in
    the page). None when the page asked for none. A kata file that doesn't load: its load error,
    the one the run printed (``katalib.loop.draw.read``)."""
    asked = request.get("schema") or {}
    kata = asked.get("kata")
    if not kata:
        return None
    started = time.perf_counter()
    found = {"kata": kata, "error": "", "tables": [], "drawing": "", "checks": [],
             "lesson": None, "lessonDrawing": "", "differences": []}  # fmt: skip
    try:
        from django.apps import apps

        from katalib.loop import draw as command
        from katalib.teach.drawing import compare, text

        if not apps.ready:  # pytest stopped before pytest-django set Django up
            command.setup("katas", [kata])
        mine = command.read([kata])[kata]
        found["error"] = mine["error"]
        found["checks"] = mine["checks"]
        if not mine["error"]:
            found["tables"] = mine["tables"]
            found["drawing"] = text.draw(mine["tables"])
            lesson = asked.get("lesson")
            if lesson is not None:
                found["lesson"] = True
                found["lessonDrawing"] = text.draw(lesson)
                found["differences"] = compare.differences(mine["tables"], lesson)
    except Exception as exc:  # noqa: BLE001 - the page must keep working: say it
        found["error"] = f"The tables of kata {kata} could not be read: {type(exc).__name__}: {exc}"
    found["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return found


def run(request_json: str) -> str:
    """One pytest run. ``request``: ``args`` (pytest's), ``files`` ({relative path: text}: the
    learner's files, written over the repository's), ``progress`` (the earlier runs' record,
    katalib.teach.progress, as the page kept it), ``columns`` (the output's width), ``schema``
    ({kata, lesson}: draw that kata's tables after the run, see ``schema``)."""
    request = json.loads(request_json)
    host = _host()

    def event(data: dict) -> None:
        if host is not None:
            host.event(json.dumps(data))

    started = time.perf_counter()
    # Not the snapshot's random state: each run draws its own examples (as katalib.loop.warm's child).
    random.seed()
    os.chdir(ROOT)
    for rel, text in (request.get("files") or {}).items():
        rel = rel.replace("\\", "/")
        if rel.startswith("/") or ".." in rel.split("/"):
            continue
        _write(os.path.join(ROOT, rel), text)
    args = list(request.get("args") or [])
    tree = _tree(args)
    progress_path = os.path.join(ROOT, PROGRESS.format(tree=tree))
    if request.get("progress"):
        _write(progress_path, json.dumps(request["progress"]))
    if os.path.exists(RESULTS):
        os.remove(RESULTS)
    os.environ.update(ENV)
    os.environ["COLUMNS"] = str(int(request.get("columns") or 100))
    os.environ.pop("KATA_TARGET", None)  # --solutions sets it (katalib.core.plugin)
    sys.dont_write_bytecode = True
    # The files were just written, under ROOT only: forget what the finders there listed before
    # (importlib.invalidate_caches() would also make zipimport read the standard library's zip
    # again).
    for folder, finder in list(sys.path_importer_cache.items()):
        if finder is not None and (folder == ROOT or folder.startswith(ROOT + "/")):
            finder.invalidate_caches()
    linecache.clearcache()
    _watch_kata_imports(event)

    out = CappedOutput(host.output if host is not None else None)
    recorder = Recorder(event)
    color = ["--color=yes"] if request.get("color", True) else ["--color=no"]
    full_args = [*args, *FIXED_ARGS, *color, f"--kata-results={RESULTS}"]
    sys.argv = ["pytest", *full_args]
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    error = None
    try:
        import pytest

        code = int(pytest.main(full_args, plugins=[recorder]))
    except SystemExit as exc:  # pytest itself never raises it; a plugin or kata file might
        code = exc.code if isinstance(exc.code, int) else 3
        error = f"SystemExit({exc.code!r}) ended the run"
    except BaseException as exc:  # noqa: BLE001 - report anything: the page must keep working
        import traceback

        code = 3
        error = "".join(traceback.format_exception(exc))
        out.write("\n" + error)
    finally:
        sys.stdout, sys.stderr = saved
    text, cut = out.value()
    results, progress = _read_json(RESULTS), _read_json(progress_path)
    drawn = schema(request)
    return json.dumps(
        {
            "exitCode": code,
            "output": text,
            "cut": cut,
            "outcomes": recorder.outcomes,
            "results": results,
            "progress": progress,
            "error": error,
            "schema": drawn,
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
