"""The pytest plugin behind the katas (loaded with ``-p katalib.plugin`` from pyproject.toml).

- ``--solutions`` runs the very same tests against ``solutions/`` instead of ``katas/``.
- Failures get a ❌ what / ✅ fix explanation (katalib.explain) after Django's own message,
  and tracebacks stop at the learner's code instead of deep inside Django.
- After every run: a progress summary in lesson order and a machine-readable results file.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from katalib import manifest

RESULTS_FILE = "kata-results.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("katas")
    group.addoption(
        "--solutions",
        action="store_true",
        help="run the kata tests against solutions/ instead of your files in katas/",
    )
    group.addoption(
        "--kata-results",
        metavar="PATH",
        default=RESULTS_FILE,
        help=f"where to write the per-kata results as JSON (default: {RESULTS_FILE}; '' = none)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # pytest-django calls django.setup() in this same hook; a wrapper runs before it, so the
    # apps of the chosen tree are the ones that get installed.
    known = parser.parse_known_args(args)
    if getattr(known, "solutions", False):
        os.environ["KATA_TARGET"] = "solutions"
    return (yield)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Progress(config), "kata-progress")


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # Everything imported so far (pytest, Django, Hypothesis) lives until the end: move it out
    # of the garbage collector's sight, so full collections during the run stay cheap
    # (about 0.5 s less per run, measured by tools/bench.py).
    gc.freeze()


def pytest_report_header(config: pytest.Config) -> str:
    tree = manifest.target()
    whose = "your files" if tree == "katas" else "the reference solutions"
    return f"katas: testing {whose} in {tree}/"


# --- Which kata a test belongs to ------------------------------------------------------------


def kata_of(path: Path) -> manifest.Kata | None:
    """The kata whose folder holds ``path`` (a test file), or None."""
    try:
        parts = path.resolve().relative_to(manifest.ROOT).parts
    except ValueError:
        return None
    if len(parts) >= 3 and parts[0] == "katas":
        return manifest.by_dir(parts[1])
    return None


# --- Failure output ----------------------------------------------------------------------------

_HARNESS_DIR = Path(__file__).resolve().parent


def _learner_frame(entry) -> bool:
    """A frame of the katas or their tests: not Django, pytest, Hypothesis or this harness."""
    try:
        path = Path(str(entry.path)).resolve()
        path.relative_to(manifest.ROOT)
    except (ValueError, OSError):
        return False
    return _HARNESS_DIR not in path.parents and ".venv" not in path.parts


def _stop_at_learner_code(original):
    def traceback_filter(excinfo):
        tb = original(excinfo)
        kept = tb.filter(_learner_frame)  # Django's message stays: it is the exception itself
        return kept if len(kept) else tb

    return traceback_filter


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-django moves database tests first; put the katas back in lesson order (stable,
    # so Django's order holds within a kata), before --sw / --lf pick where to start.
    order = {kata.dir: index for index, kata in enumerate(manifest.load())}
    items.sort(key=lambda item: order.get(getattr(kata_of(item.path), "dir", ""), len(order)))
    if config.getoption("fulltrace"):
        return
    for item in items:
        if hasattr(item, "_traceback_filter"):
            item._traceback_filter = _stop_at_learner_code(item._traceback_filter)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed and call.excinfo is not None:
        from katalib.explain import explain

        text = explain(call.excinfo.value, kata=kata_of(item.path))
        if text and hasattr(report.longrepr, "addsection"):
            report.longrepr.addsection("what went wrong, and how to fix it", text)
    return report


# --- Progress summary and results file ---------------------------------------------------------


class Progress:
    """Counts each kata's passing tests; prints the summary and writes the results file.

    A kata's row shows this run when its tests ran, else the last run that ran them (kept in
    pytest's cache), so ``pytest katas/03_on_delete`` doesn't forget katas solved earlier.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collected: dict[str, set[str]] = defaultdict(set)
        self.outcomes: dict[str, str] = {}  # nodeid -> "passed" / "failed", this run
        cache = getattr(config, "cache", None)
        self.cache_key = f"katas/outcomes-{manifest.target()}"
        self.earlier: dict[str, str] = cache.get(self.cache_key, {}) if cache else {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:  # after -k / deselection: only what is meant to run
            kata = kata_of(item.path)
            if kata is not None:
                self.collected[kata.dir].add(item.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
        elif report.when == "call" and report.passed:
            self.outcomes.setdefault(report.nodeid, "passed")

    def results(self) -> list[dict]:
        """This run only: what the results file and teachers see."""
        rows = []
        for kata in manifest.load():
            ids = self.collected.get(kata.dir, set())
            ran = {i: self.outcomes[i] for i in ids if i in self.outcomes}
            rows.append(self._row(kata, ran, len(ids), ran=bool(ran)))
        return rows

    def known(self) -> list[dict]:
        """This run where a kata ran, else the last run of it remembered in the cache."""
        rows = []
        for kata, row in zip(manifest.load(), self.results(), strict=True):
            if not row["ran"]:
                prefix = f"katas/{kata.dir}/"
                earlier = {i: o for i, o in self.earlier.items() if i.startswith(prefix)}
                if earlier:
                    row = self._row(kata, earlier, len(earlier), ran=False) | {"earlier": True}
            rows.append(row)
        return rows

    @staticmethod
    def _row(kata: manifest.Kata, outcomes: dict[str, str], total: int, *, ran: bool) -> dict:
        passed = sum(o == "passed" for o in outcomes.values())
        return {
            "kata": kata.dir,
            "title": kata.title,
            "track": kata.track,
            "ran": ran,
            "solved": bool(outcomes) and passed == total,
            "passed": passed,
            "total": total,
        }

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter):
        # Outermost wrapper: printed after pytest's own short summary, as the run's last words.
        result = yield
        self.print_summary(terminalreporter)
        return result

    def print_summary(self, terminalreporter) -> None:
        if not any(row["ran"] for row in self.results()):
            return
        rows = self.known()
        from katalib.explain import console_symbols

        bad, good = console_symbols()
        tr = terminalreporter
        tr.write_sep("=", f"kata progress ({manifest.target()}/)")
        katas = {k.dir: k for k in manifest.load()}
        for track in ("lesson", "bonus"):
            track_rows = [r for r in rows if r["track"] == track]
            if not track_rows:
                continue
            tr.write_line("The lesson" if track == "lesson" else "Bonus katas (beyond the lesson)")
            for row in track_rows:
                if not (row["ran"] or row.get("earlier")):
                    mark, score = " -", "not run yet"
                else:
                    mark = f" {good}" if row["solved"] else f" {bad}"
                    score = f"{row['passed']}/{row['total']} tests"
                    score += " (earlier run)" if row.get("earlier") else ""
                tr.write_line(f"{mark} {row['kata']:<24} {row['title']:<50} {score}")
        # The first unsolved kata of this run; when all of those are solved, the first one
        # not known to be solved.
        todo = next((r for r in rows if r["ran"] and not r["solved"]), None) or next(
            (r for r in rows if not r["solved"]), None
        )
        if todo is not None:
            kata = katas[todo["kata"]]
            tr.write_line("")
            tr.write_line(f"Next: open {kata.readme}, then run: pytest katas/{kata.dir}")
            tr.write_line(f"Hint 1: {kata.hint}")
        elif all(r["solved"] for r in rows):
            tr.write_line("")
            tr.write_line("Every kata is solved. Your models are connected!")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self._remember()
        path = self.config.getoption("kata_results")
        rows = self.results()
        if not path or self.config.option.collectonly or not any(r["ran"] for r in rows):
            return
        target = Path(path)
        if not target.is_absolute():
            target = self.config.rootpath / target
        import django
        from django.db import connection

        payload = {
            "target": manifest.target(),
            "python": sys.version.split()[0],
            "django": django.get_version(),
            "database": connection.vendor,
            "katas": rows,
        }
        target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    def _remember(self) -> None:
        cache = getattr(self.config, "cache", None)
        if cache is None or not self.outcomes:
            return
        collected = set().union(*self.collected.values())
        ran_katas = tuple(f"katas/{d}/" for d in self.collected)
        kept = {
            i: o
            for i, o in self.earlier.items()
            if not i.startswith(ran_katas) or i in collected  # forget tests that are gone
        }
        cache.set(self.cache_key, kept | self.outcomes)
