"""The pytest plugin behind the katas (loaded with ``-p katalib.core.plugin`` from pyproject.toml).

- ``--solutions`` runs the very same tests against ``solutions/`` instead of ``katas/``.
- Failures get a ❌ what / ✅ fix explanation (katalib.teach.explain) after Django's own message,
  and tracebacks stop at the learner's code instead of deep inside Django.
- After every run: a progress summary in lesson order and a machine-readable results file.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from katalib.base import env, manifest, marks
from katalib.core import tidy
from katalib.teach import focus, progress

# Packages of plugins that pytest would assertion-rewrite on every import without bytecode
# caches; they hold no assertion a learner needs to read. Taking them off pytest's private
# _must_rewrite saves 31 to 51% of a one-kata run without bytecode caches, as CI runs
# (docs/benchmark.md, case p-trim); with bytecode cached, little (case p-trim-pyc).
NOT_REWRITTEN = {"hypothesis", "_hypothesis_pytestplugin", "_hypothesis_ftz_detector"}


def _skip_rewriting_plugin_libraries() -> None:
    """Called as this plugin loads: after pytest marks every plugin's package for assertion
    rewriting, before it imports the autoloaded plugins. Learner code and tests are still
    rewritten; only the listed library packages are imported as they are."""
    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        if isinstance(marked, set) and hasattr(finder, "mark_rewrite"):
            marked.difference_update(NOT_REWRITTEN)
            cache = getattr(finder, "_marked_for_rewrite_cache", None)
            if isinstance(cache, dict):
                cache.clear()


_skip_rewriting_plugin_libraries()

RESULTS_FILE = "kata-results.json"
# Set by the katas command for the runs it makes: it prints its own next step and hints.
EXPLANATION = "what went wrong, and how to fix it"


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
    group.addoption(
        "--show-all",
        action="store_true",
        help="show every failure of every kata in full (default: the kata in focus, each "
        "reason once)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # pytest-django calls django.setup() in this same hook; a wrapper runs before it, so the
    # apps of the chosen tree are the ones that get installed.
    known = parser.parse_known_args(args)
    if getattr(known, "solutions", False):
        os.environ[env.TARGET] = "solutions"
    if manifest.target() == "solutions" and not (manifest.ROOT / "solutions").is_dir():
        raise pytest.UsageError(f"--solutions: {manifest.NO_SOLUTIONS}")
    # A run of some katas only (pytest katas/03_on_delete, the watch loop) installs only their
    # apps: Django loads and the test database holds only what those tests use.
    targeted = _targeted_katas(getattr(known, "file_or_dir", None) or [], early_config)
    if targeted:
        os.environ[env.ONLY] = ",".join(sorted(targeted))
    else:
        os.environ.pop(env.ONLY, None)
    from katalib.core import probe

    # Before pytest-django sets Django up: the import time limit (-o kata_import_timeout=...
    # too) and no probe cache under -p no:cacheprovider.
    probe.configure(early_config, parser)
    return (yield)


def _targeted_katas(paths: list[str], config: pytest.Config) -> set[str]:
    """The kata folders that the command-line paths stay inside; empty when any path doesn't."""
    found = set()
    for arg in paths:
        path = Path(str(arg).split("::", 1)[0])
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        try:
            parts = path.resolve().relative_to(manifest.ROOT).parts
        except (ValueError, OSError):
            return set()
        if len(parts) < 2 or parts[0] != "katas" or manifest.by_dir(parts[1]) is None:
            return set()
        found.add(parts[1])
    return found


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # pytest-xdist workers only run tests
        config.pluginmanager.register(Progress(config), "kata-progress")


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # Everything imported so far (pytest, Django, Hypothesis) lives until the end: move it out
    # of the garbage collector's sight, so full collections during the run stay cheap
    # (about 0.5 s less per run, measured by tools/bench.py).
    gc.freeze()


def pytest_report_header(config: pytest.Config) -> list[str]:
    from katalib.core.probe import header

    lines = []
    if manifest.target() == "solutions":  # your own files are the default: no line for them
        lines.append("katas: testing the reference solutions in solutions/")
    probe = header()  # only when kata files could not be loaded in a child process
    if probe:
        lines.append(probe)
    return lines


# --- Which kata a test belongs to ------------------------------------------------------------


def kata_of(path: Path) -> manifest.Kata | None:
    """The kata whose folder holds ``path`` (a test file), or None."""
    return manifest.kata_at(path)


# --- Failure output ----------------------------------------------------------------------------


def _learner_frame(entry) -> bool:
    """A frame of the katas or their tests: not Django, pytest, Hypothesis or this harness."""
    if not tidy.readable_line(entry) or tidy.hypothesis_wrapper(entry):
        return False
    try:
        parts = Path(str(entry.path)).resolve().relative_to(manifest.ROOT).parts
    except (ValueError, OSError):
        return False
    return len(parts) > 1 and parts[0] in manifest.TARGETS


def _stop_at_learner_code(original):
    def traceback_filter(excinfo):
        tb = original(excinfo)
        # Django's message stays: it is the exception itself. An exception raised entirely
        # inside a library (the database driver's error behind Django's) keeps its message
        # and loses its frames.
        try:
            return tb.filter(_learner_frame)
        except Exception:  # noqa: BLE001 - never a reason to lose the report: pytest's own
            return tb

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
            # pytest's private method, wrapped for what the learner reads (no public hook
            # filters each link of a chained exception); saves 7% of the whole suite's red run
            # (docs/benchmark.md, case p-filter-d), nothing measurable on one kata (p-filter).
            item._traceback_filter = _stop_at_learner_code(  # type: ignore[method-assign]
                item._traceback_filter
            )


@pytest.hookimpl(specname="pytest_runtest_makereport")
def pytest_runtest_makereport_tidy(item: pytest.Item, call: pytest.CallInfo) -> None:
    """The failure made printable and quiet (katalib/core/tidy.py) just before pytest formats it:
    after the unittest plugin (tryfirst) has put a TestCase's failure into ``call``."""
    try:
        if call.excinfo is not None:
            call.excinfo = tidy.numbered(call.excinfo)
            if not item.config.getoption("show_all") and kata_of(item.path) is not None:
                verbosity = item.config.get_verbosity(pytest.Config.VERBOSITY_ASSERTIONS)
                # The failure, and each failure inside it (Hypothesis reports several at once
                # as an exception group).
                for link in tidy.linked(call.excinfo.value):
                    tidy.own_message_only(link, verbosity)
    except Exception:  # noqa: BLE001, S110 - costs nothing: pytest formats it as it is
        pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    try:
        if report.failed and kata_of(item.path) and not item.config.getoption("show_all"):
            tidy.without_hidden_note(report.longrepr)
        return _explained(item, call, report)
    except Exception as exc:  # noqa: BLE001 - a bug in an explanation: pytest's plain report
        # Not for the learner's screen; the JUnit XML keeps it for the maintainers.
        report.user_properties.append(("kata_harness_error", f"{type(exc).__name__}: {exc}"))
        return report


def _explained(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport):
    """``report`` with its task, and for a failure its explanation and its reason (focus)."""
    marker = item.get_closest_marker("task")
    # Plain attributes (the report's __dict__) travel with it, to pytest-xdist's controller too.
    vars(report)["kata_task"] = marker.args[0] if marker and marker.args else None
    if report.failed and call.excinfo is not None:
        from katalib.teach.explain import find

        found = find(call.excinfo.value, kata=kata_of(item.path))
        text = found.text if found else None
        # Which rule spoke (a broken kata's failure carries it): the JUnit XML records it on the
        # item (its teardown report is the one written), and the mistake corpus checks it.
        rule = found.rule if found else getattr(call.excinfo.value, "kata_rule", None)
        if rule:
            item.user_properties.append((manifest.RULE_PROPERTY, rule))
            report.user_properties.append((manifest.RULE_PROPERTY, rule))
        addsection = getattr(report.longrepr, "addsection", None)  # a traceback's, not a str's
        if text and addsection is not None:
            addsection(EXPLANATION, text)
        function = getattr(item, "originalname", None) or item.name
        where = _kata_line(call.excinfo.value, kata_of(item.path))
        rule = found.rule if found else None
        reason = focus.reason(call.excinfo.value, text, function, rule, where)
        vars(report)["kata_reason"] = reason
    return report


def _kata_line(exc: BaseException, kata: manifest.Kata | None) -> str | None:
    """``file.py:line`` of the deepest frame in the kata's own code (not its tests) of ``exc`` or
    the exceptions behind it (a test that reports the learner's error raises its own), or None.
    """
    from katalib.teach.explain import _chain

    if kata is None:
        return None
    found = None
    for link in _chain(exc):
        tb = link.__traceback__
        while tb is not None:
            try:
                path = Path(tb.tb_frame.f_code.co_filename).resolve()
                parts = path.relative_to(manifest.ROOT).parts
            except (ValueError, OSError):
                parts = ()
            own = len(parts) > 2 and parts[0] in manifest.TARGETS and parts[1] == kata.dir
            if own and not parts[-1].startswith(("test_", "conftest")):
                found = f"{'/'.join(parts[2:])}:{tb.tb_lineno}"  # as in "models.py line 9"
            tb = tb.tb_next
    return found


# --- Progress summary and results file ---------------------------------------------------------


class Progress:
    """Records each test's outcome; prints the focused failures, the progress table, the results.

    What a kata's row says comes from ``katalib.teach.progress``: solved only when every test id of
    the kata passed on its current files; earlier runs count while the files are unchanged.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.tree = manifest.target()
        self.collected: dict[str, set[str]] = defaultdict(set)  # kata -> ids meant to run
        self.full_ids: dict[str, list[str]] = {}  # kata -> every test id, when collected whole
        self.outcomes: dict[str, str] = {}  # nodeid -> "passed" / "failed", this run
        self.tasks: dict[str, int | None] = {}
        self.reasons: dict[str, set[str]] = defaultdict(set)  # kata -> why its tests failed
        self.cache = getattr(config, "cache", None)
        earlier = self.cache.get(progress.cache_key(self.tree), None) if self.cache else None
        self.state = progress.valid_state(earlier)
        self._rows: list[progress.Row] | None = None

    # -- collection: which tests run, and each kata's complete list of test ids --

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self._note_full_collection([item.nodeid for item in items])  # before -k / --sw

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:  # after -k / deselection: only what is meant to run
            kata = kata_of(item.path)
            if kata is not None:
                self.collected[kata.dir].add(item.nodeid)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids: list[str]) -> None:
        # With pytest-xdist the workers collect; every worker reports the same ids.
        if not self.full_ids and not self.collected:
            self._note_full_collection(ids)
            for nodeid in ids:
                kata_dir = progress.kata_dir(nodeid)
                if kata_dir:
                    self.collected[kata_dir].add(nodeid)

    def _note_full_collection(self, nodeids: list[str]) -> None:
        if self.config.getoption("lf", False):
            return  # --lf collects only the last failures
        by_kata: dict[str, list[str]] = defaultdict(list)
        for nodeid in nodeids:
            kata_dir = progress.kata_dir(nodeid)
            if kata_dir:
                by_kata[kata_dir].append(nodeid)
        narrowed = {
            progress.kata_dir(arg.replace("\\", "/").split("::")[0] + "/x")
            for arg in self._args()
            if "::" in arg
        }
        katas = {k.dir: k for k in manifest.load()}
        for kata_dir, ids in by_kata.items():
            kata = katas.get(kata_dir)
            if kata is None or kata_dir in narrowed:
                continue
            files = {nodeid.split("::")[0] for nodeid in ids}
            wanted = {p.relative_to(manifest.ROOT).as_posix() for p in progress.test_files(kata)}
            if files == wanted:
                self.full_ids[kata_dir] = ids

    def _args(self) -> list[str]:
        root = self.config.rootpath
        out = []
        for arg in self.config.args:
            path, sep, rest = arg.partition("::")
            try:
                path = Path(path).resolve().relative_to(root).as_posix()
            except ValueError:
                pass
            out.append(path + sep + rest)
        return out

    # -- outcomes --

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        kata_dir = progress.kata_dir(report.nodeid)
        if kata_dir is None:
            return
        if getattr(report, "kata_task", None) is not None:
            self.tasks[report.nodeid] = report.kata_task
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            why = getattr(report, "kata_reason", None)
            self.reasons[kata_dir].add(why or report.nodeid)
        elif report.when == "call" and report.passed:
            self.outcomes.setdefault(report.nodeid, "passed")
        elif report.skipped:
            self.outcomes.setdefault(report.nodeid, "skipped")

    def ran(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for nodeid in self.outcomes:
            out[progress.kata_dir(nodeid) or ""].add(nodeid)
        return out

    def rows(self) -> list[progress.Row]:
        """Every kata's status once the run is over (computed once: it reads every kata's
        files to fingerprint them)."""
        if self._rows is None:
            self._rows = progress.rows(self.state, self.ran(), self.tree)
        return self._rows

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # Runs before pytest's terminal summary, which prints the table from the same rows.
        self.state = progress.record(
            self.state, self.outcomes, self.tasks, self.full_ids, self.tree
        )
        if self.cache is not None and (self.outcomes or self.full_ids):
            self.cache.set(progress.cache_key(self.tree), self.state)
        self._write_results()

    # -- what the learner sees --

    def plain_run(self) -> bool:
        """``pytest`` with no path, node id or -k: the whole suite, shown kata by kata."""
        option = self.config.option
        from_testpaths = self.config.args_source == pytest.Config.ArgsSource.TESTPATHS
        return from_testpaths and not (option.keyword or option.markexpr)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter):
        # Outermost wrapper: it narrows what pytest's FAILURES/ERRORS sections and short
        # summary show, then prints the progress table as the run's last words.
        stats = terminalreporter.stats
        kept = {key: stats.get(key) for key in ("failed", "error")}
        reportchars = terminalreporter.reportchars
        if not self.config.getoption("show_all"):
            in_focus = None
            if self.plain_run():
                row = progress.current(self.rows())
                in_focus = row.kata if row else None
            if self.config.option.reportchars == "fE":  # pytest's default -r: the failures
                # shown above name their tests, no second list of them
                terminalreporter.reportchars = reportchars.replace("f", "").replace("E", "")
            present = {key: reports for key, reports in kept.items() if reports}
            try:
                stats.update(focus.shown(present, in_focus))
            except Exception:  # noqa: BLE001 - never a reason to lose it: every failure
                stats.update(present)
        try:
            return (yield)
        finally:
            terminalreporter.reportchars = reportchars
            for key, reports in kept.items():
                if reports is not None:
                    stats[key] = reports
            self.print_summary(terminalreporter)

    def print_summary(self, tr) -> None:
        rows = self.rows()
        if not any(row.ran for row in rows):
            return
        from katalib.teach.explain import console_symbols

        bad, good = console_symbols()
        state_marks = marks.state_marks(bad, good)
        width = tr.config.get_terminal_writer().fullwidth
        solved = sum(row.solved for row in rows)
        tr.write_sep("=", f"kata progress ({self.tree}/): {solved} of {len(rows)} solved")
        # A run of one kata: its row, the overall count, Next (not all the rows).
        selected = [row for row in rows if row.kata in self.collected]
        shown = selected if len(selected) == 1 else rows
        todo = progress.current(rows)
        for track in ("lesson", "bonus"):
            track_rows = [r for r in shown if r.track == track]
            if not track_rows:
                continue
            if len(shown) > 1:
                tr.write_line(
                    "The lesson" if track == "lesson" else "Bonus katas (beyond the lesson)"
                )
            for row in track_rows:
                tr.write_line(_row_line(state_marks[row.state], row, width))
        if os.environ.get(env.COMMAND):  # the katas command prints its own next step
            return
        if todo is None:
            tr.write_line("Every kata is solved. Your models are connected!")
            return
        if len(selected) == 1 and not selected[0].solved:
            todo = selected[0]  # the kata being worked on stays the next thing to do
        kata = manifest.by_dir(todo.kata)
        if kata is None:  # a row of a kata no longer in katas.toml
            return
        if todo.state is marks.State.CHANGED:
            tr.write_line(f"Next: {kata.dir} {marks.CHANGED_WORDS}: katas run {kata.dir}")
        else:
            tr.write_line(f"Next: open {kata.readme}, then run: katas")
        tasks = todo.failing_tasks
        if not tasks and todo.state not in (marks.State.NOT_RUN, marks.State.FAILING):
            # Changed since, or only some tests ran and passed: which task fails first is not
            # known now, and the kata's first hint (task 1's) may be about a task done.
            return
        label, hint = "Hint", None
        reasons = self.reasons.get(kata.dir, set())
        if self.tree == "katas" and _untouched(kata):
            hint = kata.hint  # katas.toml's first hint: about the error the stubs raise
        elif len(reasons) == 1 and focus.stops_the_kata(next(iter(reasons))):
            # One error stops every test (the file does not load, Django's checks reject it):
            # a task's hint would be about something else.
            hint = f"the {bad}/{good} above says what stops the kata and how to fix it."
        elif tasks:  # the first hint of the first task that fails, from the kata's HINTS.md
            from katalib.teach import hints

            section = hints.section_for(kata, tasks)
            if section is not None and section.number in tasks and section.bullets:
                label = f"Hint for task {section.number}"
                hint = hints.plain(section.bullets[0]) + f" (more: katas hint {kata.dir[:2]})"
        if hint is None:
            return
        for line in textwrap.wrap(f"{label}: {hint}", width=max(width - 1, 40)):
            tr.write_line(line)

    def _write_results(self) -> None:
        path = self.config.getoption("kata_results")
        rows = self.rows()
        if not path or self.config.option.collectonly or not any(r.ran for r in rows):
            return
        target = Path(path)
        if not target.is_absolute():
            target = self.config.rootpath / target
        import django
        from django.db import connection

        payload = {
            "target": self.tree,
            "python": sys.version.split()[0],
            "django": django.get_version(),
            "database": connection.vendor,
            "katas": [row.as_json() for row in rows],
        }
        target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _untouched(kata: manifest.Kata) -> bool:
    """The kata's files are the stubs it ships with (katalib/originals.json)."""
    from katalib.base import reset

    try:
        return not reset.plan(kata)
    except (OSError, ValueError, KeyError):  # no originals for it: not known to be stubs
        return False


def _row_line(mark: str, row: progress.Row, width: int) -> str:
    """`` ✅ 03_on_delete  on_delete: pick the rule …  12/12 tests``, fitted to the terminal."""
    start = f" {mark} {row.kata:<22} "
    end = f" {progress.score(row):>11}"
    room = min(width - 1 - len(start) - len(end), 46)
    title = row.title
    if room < 12:
        return (start + end).rstrip()
    if len(title) > room:
        title = title[: room - 1] + "…"
    return f"{start}{title:<{room}}{end}"
